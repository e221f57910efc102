//! order-ledger's workload, for benchmarks at the size of the job.
//!
//! A [`Mix`] describes a billing center: a few very large customers (by
//! default one holds 20% of all orders: 1M orders in a 10M-event log) among
//! many ordinary ones; every order type; most orders paid, some cancelled,
//! some left unpaid for the timer to expire; some put in contracts that are
//! converted or voided. [`OrderPlan`] turns order *i* of a seed into the
//! domain's own commands, with the actor an upstream service or the
//! customer would be — a pure function of `(seed, i)`, so any number of
//! writers can plan and send orders in any order and the same seed always
//! tells the same story.
//!
//! [`generate()`] writes such a log offline through the real command service
//! and store; the `order-ledger simulate` command sends the same plans to
//! a running server over gRPC. Neither prints: progress comes back through
//! a callback, and the binary draws the bar.

pub mod generate;
pub mod mix;
pub mod plan;
pub mod stats;

pub use generate::{
    generate, GenerateError, GenerateOptions, GenerateReport, Progress, SpreadClock,
};
pub use mix::{Mix, MixError};
pub use plan::{customer_id, onboard, order_id, DraftEnd, Fate, OrderPlan, Step, StepKind};
pub use stats::{Latencies, Summary};
