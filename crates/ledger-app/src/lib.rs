//! order-ledger's command service.
//!
//! [`Ledger::execute`] loads the aggregates a command needs (from a bounded
//! cache of recent states, caught up from the store), decides with the pure
//! domain, appends the events with the expected versions it read, retries a
//! bounded number of times on a concurrent-write conflict, and returns the
//! committed positions. Nothing is written when the command is refused.

mod clock;
pub mod documents;
mod error;
mod ledger;
pub mod streams;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::AppError;
pub use ledger::{
    CommandMeta, Ledger, LedgerConfig, LedgerStats, Outcome, MAX_CONFLICT_RETRIES,
    MAX_METADATA_ID_CHARS, SYSTEM_COMMAND_ID_PREFIX,
};
