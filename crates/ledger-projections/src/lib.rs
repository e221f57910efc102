//! order-ledger's projections: the log turned into what the billing center
//! serves, kept current, rebuilt without downtime; and the timer that turns
//! passed deadlines into commands.

pub mod calendar;
pub mod contracts;
pub mod coupons;
pub mod deadlines;
pub mod merkle;
pub mod orders;
mod runtime;
pub mod timer;
mod tx;

pub use runtime::{
    Projection, ProjectionStatus, Projector, RebuildProgress, APPLY_BATCH, MAX_WAIT_MS,
};
pub use timer::{FireObserver, Fired, Timer, TimerError};
pub use tx::{KeyBuilder, Tx};

pub use contracts::{ContractsProjection, CONTRACTS};
pub use coupons::{CouponsProjection, COUPONS};
pub use merkle::{MerkleProjection, MERKLE};
pub use orders::{OrdersProjection, QueryError, ORDERS};

use ledger_codec::{CodecError, Position};
use ledger_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    #[error("projection storage: {0}")]
    Sled(#[from] sled::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Codec(#[from] CodecError),
    #[error("corrupt read model: {0}")]
    Corrupt(String),
    #[error("unknown projection {0}")]
    UnknownProjection(String),
    #[error("projection {projection} is at {checkpoint}, not yet at {wanted}")]
    NotCaughtUp {
        projection: String,
        checkpoint: Position,
        wanted: Position,
    },
}
