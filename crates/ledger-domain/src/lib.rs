//! order-ledger's pure domain: deciders for orders, contracts and customers.
//!
//! `decide(&State, &Command, &Context) -> Result<Vec<Event>, DomainError>` and
//! `evolve(State, &Event) -> State`, with [`State::default`] as the initial
//! state. No I/O, no clock, no async: time and actor arrive in [`Context`].
//! Every rule of the seeds lives here and only here.
//!
//! A command may read and write several aggregates (a contract and its
//! orders). [`Command::scope`] names the aggregates it needs; the caller
//! loads them into a [`State`] and calls [`decide`]. Every [`Event`] names
//! its own aggregate ([`Event::aggregate_id`]).

pub mod account;
pub mod audit;
pub mod audit_scope;
pub mod catalog;
pub mod context;
pub mod contract;
pub mod coupon;
pub mod customer;
pub mod error;
pub mod ids;
pub mod money;
pub mod operations;
pub mod order;
pub mod payment;
pub mod roles;
mod state;
pub mod tenant;

pub use context::{Actor, Context};
pub use error::{DomainError, ErrorClass};
pub use state::{decide, evolve, Aggregate, AggregateId, Command, CommandKind, Event, State};
