//! What can go wrong executing a command.

use ledger_codec::{CodecError, CommandId};
use ledger_domain::DomainError;
use ledger_store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppError {
    /// A domain rule refused the command.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The command id was already used for a different command.
    #[error("command id {0} was already used for a different command")]
    CommandIdReused(CommandId),
    #[error("invalid command metadata: {0}")]
    InvalidMetadata(&'static str),
    /// Other writers kept changing the same streams; retrying later may work.
    #[error("gave up after {attempts} concurrent-write conflicts")]
    Contention { attempts: usize },
    /// The store is down, closed, or failed to make a write durable.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// Stored data could not be read (corruption or an unknown schema).
    #[error("stored data unreadable: {0}")]
    Corrupt(String),
    /// A contract document could not be rendered or sealed (e.g. a
    /// character the embedded font lacks), so the operation that needs it
    /// is refused.
    #[error("contract document: {0}")]
    Document(String),
    /// A broken internal expectation (a bug), reported rather than hidden.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// The stable error code (domain codes pass through unchanged).
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Domain(e) => e.code(),
            AppError::CommandIdReused(_) => "command_id_reused",
            AppError::InvalidMetadata(_) => "invalid_metadata",
            AppError::Contention { .. } => "contention",
            AppError::Unavailable(_) => "unavailable",
            AppError::Corrupt(_) => "corrupt",
            AppError::Document(_) => "document_unrenderable",
            AppError::Internal(_) => "internal",
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::CommandIdReused { command_id } => AppError::CommandIdReused(command_id),
            StoreError::Unavailable(m) | StoreError::Io(m) => AppError::Unavailable(m),
            StoreError::Corrupt { .. }
            | StoreError::AcknowledgedMissing { .. }
            | StoreError::Journal(_)
            | StoreError::Codec(_) => AppError::Corrupt(e.to_string()),
            StoreError::Conflict { .. } | StoreError::InvalidAppend(_) => {
                AppError::Internal(e.to_string())
            }
        }
    }
}

impl From<CodecError> for AppError {
    fn from(e: CodecError) -> AppError {
        AppError::Corrupt(e.to_string())
    }
}
