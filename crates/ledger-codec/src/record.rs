//! The stored record: what every storage engine writes, hashes and returns.
//!
//! These types are engine-neutral (no sled, no SQL) and payload-neutral (the
//! payload is opaque bytes here; [`crate::payload`] gives them meaning).

use std::fmt;

use chrono::{DateTime, Utc};
use ledger_domain::ids::CustomerId;
use serde::{Deserialize, Serialize};

/// Position of a record in the global log. The first record is at position 1;
/// positions are gap-free and assigned at commit.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Position(pub u64);

impl Position {
    /// "Before the first record": a checkpoint that has applied nothing.
    pub const ORIGIN: Position = Position(0);

    pub fn next(self) -> Position {
        Position(self.0 + 1)
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Number of records in a stream; a record's version is its 1-based index in
/// its stream. An empty (or absent) stream has version 0.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct StreamVersion(pub u64);

impl StreamVersion {
    pub const EMPTY: StreamVersion = StreamVersion(0);

    pub fn next(self) -> StreamVersion {
        StreamVersion(self.0 + 1)
    }
}

impl fmt::Display for StreamVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Name of a stream, e.g. `order-CS2401010000AB` (see `ledger_domain::AggregateId`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StreamId(pub String);

impl StreamId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Idempotency key chosen by the sender of a command.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CommandId(pub String);

impl CommandId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CommandId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A 32-byte SHA-256 digest: chain hashes and command fingerprints.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Digest(pub [u8; 32]);

impl Digest {
    pub const ZERO: Digest = Digest([0; 32]);

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({})", self.to_hex())
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// What every event of one command shares: who sent it, when, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandMetadata {
    pub command_id: CommandId,
    /// SHA-256 of the command as submitted: a reused command id with another
    /// payload is refused by comparing this.
    pub fingerprint: Digest,
    /// The command's time (from the injected clock), not the commit time.
    pub recorded_at: DateTime<Utc>,
    pub causation_id: Option<String>,
    pub correlation_id: Option<String>,
    /// `customer:<domain id>`, `operator:<id>`, `service:<name>` or `system`.
    pub actor: String,
}

/// The tenant an event concerns, as its metadata records it: the customer
/// (domain id) whose data the event is, so a reader can filter the log by
/// tenant without decoding payloads.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Tenant {
    /// A record of format 1, written before the tenant was recorded. Readers
    /// that filter by tenant treat it as belonging to no one they may show
    /// a customer (fail closed). Sealing it writes format 1 again: only to
    /// reproduce such a record exactly (reseal, import), never for a new one.
    Unrecorded,
    /// The event concerns no customer.
    Nobody,
    /// The event concerns this customer.
    Customer(CustomerId),
}

impl Tenant {
    /// The recorded tenant of a new event: the customer it concerns, if any.
    pub fn of(customer: Option<CustomerId>) -> Tenant {
        customer.map_or(Tenant::Nobody, Tenant::Customer)
    }

    /// The customer, when one is recorded.
    pub fn customer(&self) -> Option<&CustomerId> {
        match self {
            Tenant::Customer(c) => Some(c),
            Tenant::Unrecorded | Tenant::Nobody => None,
        }
    }

    /// Whether a record with this tenant is `customer`'s: only a recorded
    /// tenant equal to it is.
    pub fn is(&self, customer: &CustomerId) -> bool {
        self.customer() == Some(customer)
    }
}

/// Everything about a recorded event that is not its payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Metadata {
    /// Deterministic per (command id, index in command), so a replayed or
    /// imported log carries the same ids.
    pub event_id: [u8; 16],
    pub command: CommandMetadata,
    /// Whose event this is (format 2 on; [`Tenant::Unrecorded`] in format 1).
    pub tenant: Tenant,
}

/// An event to append: the store assigns position, version and hashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventData {
    /// Stored event type name; never renamed once written.
    pub event_type: String,
    pub schema_version: u16,
    pub event_id: [u8; 16],
    pub payload: Vec<u8>,
    /// The tenant the event concerns (recorded in its metadata).
    pub tenant: Tenant,
}

/// A committed record as every engine returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedEvent {
    pub position: Position,
    pub stream_id: StreamId,
    pub stream_version: StreamVersion,
    pub event_type: String,
    pub schema_version: u16,
    pub metadata: Metadata,
    pub payload: Vec<u8>,
    /// Chain hash of the previous record ([`Digest::ZERO`] for position 1).
    pub prev_hash: Digest,
    /// SHA-256 of this record's envelope bytes (which include `prev_hash`).
    pub hash: Digest,
}
