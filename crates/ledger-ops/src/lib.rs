//! Operations on an order-ledger data directory: its layout, opening it,
//! and the auditors' and operators' jobs that work on it offline or inside
//! a running server.
//!
//! - [`audit`]: verify a log (with an expected head), its head;
//! - [`replay`]: states and list views as of a position or a time;
//! - [`history`]: every record of a stream;
//! - [`copy`]: re-append a log identically; JSON-lines export and import;
//! - [`mod@backup`]: backups and restores;
//! - [`projections`]: status and rebuilds, offline;
//! - [`forensic`]: reading a log the engine refuses;
//! - [`documents`]: verifying a downloaded official contract document;
//! - [`proofs`]: signed tree heads, inclusion and consistency proofs,
//!   checking a proof file offline; [`log_key`]: the key that signs heads;
//! - [`loss`]: accepting the loss of acknowledged records, listing losses.
//!
//! Library functions take a store or paths and a progress callback; they
//! never print.

pub mod audit;
pub mod backup;
pub mod copy;
mod data_dir;
mod document_key;
pub mod documents;
pub mod forensic;
pub mod history;
mod key_file;
pub mod log_key;
pub mod loss;
pub mod projections;
pub mod proofs;
pub mod records;
pub mod replay;
mod replay_json;

pub use audit::{verify_dir, verify_store, AuditFailure, ExpectedHead, HeadInfo, Verified};
pub use backup::{backup, restore, BackupReport};
pub use data_dir::{DataDir, Node, OpsError, MAX_CATCH_UP_BEFORE_SERVING};
pub use ledger_audit::Report;
