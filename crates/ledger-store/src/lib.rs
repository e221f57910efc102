//! The `EventStore` trait: an append-only, durable, hash-chained event log.
//!
//! Engines live in their own crates (`ledger-store-sled`,
//! `ledger-store-memory`) and must pass [`conformance`]. No engine type
//! appears in this API: a networked backend implements the same trait.

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::watch;

pub use ledger_codec::{
    CodecError, CommandId, CommandMetadata, Digest, EventData, Metadata, Position, RecordedEvent,
    StreamId, StreamVersion, Tenant,
};

pub mod conformance;
mod subscription;

pub use subscription::{subscribe, Subscription};

/// Most events one append may carry (a 200-order contract needs 201).
pub const MAX_EVENTS_PER_APPEND: usize = 1024;
/// Most streams one append may write.
pub const MAX_STREAMS_PER_APPEND: usize = 256;
/// Most records one read returns; larger requests are clamped to this.
pub const MAX_READ_BATCH: usize = 4096;
/// Records a subscription buffers ahead of its consumer.
pub const SUBSCRIPTION_BUFFER: usize = 1024;

/// What a write expects of its stream's current version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// No check.
    Any,
    /// The stream must be empty.
    NoStream,
    /// The stream's version must be exactly this.
    Exact(StreamVersion),
}

impl ExpectedVersion {
    pub fn admits(self, actual: StreamVersion) -> bool {
        match self {
            ExpectedVersion::Any => true,
            ExpectedVersion::NoStream => actual == StreamVersion::EMPTY,
            ExpectedVersion::Exact(v) => actual == v,
        }
    }
}

/// Events for one stream within an append.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamWrite {
    pub stream_id: StreamId,
    pub expected: ExpectedVersion,
    pub events: Vec<EventData>,
}

/// One command's writes: all of them commit atomically, or none do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppendRequest {
    pub command: CommandMetadata,
    pub writes: Vec<StreamWrite>,
}

impl AppendRequest {
    /// Checks the request's shape (not its versions): at least one event, at
    /// most [`MAX_EVENTS_PER_APPEND`], each stream written once.
    pub fn validate(&self) -> Result<(), StoreError> {
        let events: usize = self.writes.iter().map(|w| w.events.len()).sum();
        if events == 0 {
            return Err(StoreError::InvalidAppend(
                "an append needs at least one event".into(),
            ));
        }
        if events > MAX_EVENTS_PER_APPEND {
            return Err(StoreError::InvalidAppend(format!(
                "{events} events exceed the limit of {MAX_EVENTS_PER_APPEND}"
            )));
        }
        if self.writes.len() > MAX_STREAMS_PER_APPEND {
            return Err(StoreError::InvalidAppend(format!(
                "{} streams exceed the limit of {MAX_STREAMS_PER_APPEND}",
                self.writes.len()
            )));
        }
        let mut seen = std::collections::HashSet::with_capacity(self.writes.len());
        for w in &self.writes {
            if !seen.insert(&w.stream_id) {
                return Err(StoreError::InvalidAppend(format!(
                    "stream {} is written twice",
                    w.stream_id
                )));
            }
        }
        Ok(())
    }
}

/// Where a command's events landed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Committed {
    /// Position of the command's first event.
    pub first: Position,
    /// Position of the command's last event: wait for a projection to reach
    /// this to read your own write.
    pub last: Position,
    /// Each written stream's version after the commit, in request order.
    pub versions: Vec<(StreamId, StreamVersion)>,
    /// True when the command id had been committed before and nothing new
    /// was appended (the original positions are returned).
    pub deduplicated: bool,
}

/// The newest committed record and its chain hash.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Head {
    pub position: Position,
    pub hash: Digest,
}

/// What the store recorded for a command id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandRecord {
    pub fingerprint: Digest,
    pub committed: Committed,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("stream {stream_id} is at version {actual}, expected {expected:?}")]
    Conflict {
        stream_id: StreamId,
        expected: ExpectedVersion,
        actual: StreamVersion,
    },
    #[error("command id {command_id} was already used for a different command")]
    CommandIdReused { command_id: CommandId },
    #[error("invalid append: {0}")]
    InvalidAppend(String),
    #[error("corrupt record at position {position}: {reason}")]
    Corrupt { position: Position, reason: String },
    /// Records the engine acknowledged are not in the log as acknowledged
    /// (its own recovery cut them off, or the log was rewritten): the log
    /// is refused until restored from a backup or the loss is accepted.
    #[error("positions {first}..={last} were acknowledged but are missing from the log: {reason}")]
    AcknowledgedMissing {
        first: Position,
        last: Position,
        reason: String,
    },
    /// The engine's proof of what it acknowledged is missing or damaged,
    /// so the log cannot be shown complete: refused.
    #[error("acknowledgement journal: {0}")]
    Journal(String),
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// The engine stopped accepting writes (closed, or failed to make a
    /// batch durable: after a failed fsync nothing more is acknowledged).
    #[error("store unavailable: {0}")]
    Unavailable(String),
    #[error("storage i/o: {0}")]
    Io(String),
}

/// An append-only, durable, hash-chained log of streams.
///
/// Guarantees every engine gives (checked by [`conformance`]):
/// - `append` is atomic across its streams and acknowledged only once its
///   records are durable;
/// - positions are gap-free from 1 and follow commit order; each stream's
///   versions are gap-free from 1;
/// - a command id commits at most once: the same id with the same
///   fingerprint returns the original [`Committed`]; another fingerprint is
///   [`StoreError::CommandIdReused`];
/// - every record's `prev_hash` is the previous record's `hash`;
/// - reads only ever return acknowledged (durable) records.
#[async_trait]
pub trait EventStore: Send + Sync + 'static {
    async fn append(&self, request: AppendRequest) -> Result<Committed, StoreError>;

    /// Records of `stream_id` with version `>= from`, at most `max` (clamped to
    /// [`MAX_READ_BATCH`]), in version order. Absent streams read empty.
    async fn read_stream(
        &self,
        stream_id: &StreamId,
        from: StreamVersion,
        max: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError>;

    /// Current version of a stream (0 when absent).
    async fn stream_version(&self, stream_id: &StreamId) -> Result<StreamVersion, StoreError>;

    /// Records with position `>= from`, at most `max` (clamped to
    /// [`MAX_READ_BATCH`]), in position order.
    async fn read_all(&self, from: Position, max: usize) -> Result<Vec<RecordedEvent>, StoreError>;

    /// The committed record (if any) of a command id.
    async fn command(&self, command_id: &CommandId) -> Result<Option<CommandRecord>, StoreError>;

    /// The newest committed record and its chain hash.
    fn head(&self) -> Head;

    /// Watch the head as commits become durable.
    fn watch_head(&self) -> watch::Receiver<Head>;
}

/// Shared handle to any engine.
pub type DynStore = Arc<dyn EventStore>;
