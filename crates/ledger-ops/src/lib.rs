//! Operations on an order-ledger data directory: its layout, opening it,
//! and the auditors' and operators' jobs that work on it offline or inside
//! a running server.

mod data_dir;

pub use data_dir::{DataDir, Node, OpsError};
