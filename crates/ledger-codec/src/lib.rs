//! The one place order-ledger turns values into bytes and back.
//!
//! - [`record`]: engine-neutral record types (positions, versions, metadata).
//! - [`envelope`]: the stored record format, a format byte then a bincode 2
//!   body, and the SHA-256 hash chain over envelopes.
//! - [`payload`]: domain events to (type name, schema version, bytes) and
//!   back, upcasting old schema versions on read.
//! - [`stored`]: the codec's own types for stored events, mapped to and
//!   from the domain's, so the domain's types are not the record format.
//!
//! bincode is used nowhere else in the workspace. Upstream bincode is
//! unmaintained (RUSTSEC-2025-0141); keeping it behind this crate means a
//! replacement is a new format byte, not a data migration.

pub mod envelope;
pub mod payload;
pub mod record;
pub mod stored;
mod upcast;

pub use record::{
    CommandId, CommandMetadata, Digest, EventData, Metadata, Position, RecordedEvent, StreamId,
    StreamVersion, Tenant,
};

/// Why bytes could not be encoded or decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    #[error("empty record")]
    Empty,
    #[error("unknown record format byte {0}")]
    UnknownFormat(u8),
    #[error("record of {bytes} bytes exceeds the limit")]
    RecordTooLarge { bytes: usize },
    #[error("{trailing} trailing bytes after the record")]
    TrailingBytes { trailing: usize },
    #[error("cannot encode: {0}")]
    Encode(String),
    #[error("cannot decode: {0}")]
    Decode(String),
    #[error("unknown event type {event_type} version {schema_version}")]
    UnknownEventType {
        event_type: String,
        schema_version: u16,
    },
}
