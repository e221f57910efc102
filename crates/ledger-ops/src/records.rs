//! Records as JSON (the export format, `audit history`), and reading a log
//! as command groups: the records one append wrote, with its guards.
//!
//! One exported record, one JSON object:
//!
//! ```text
//! {"position":3,"stream_id":"order-CS1","stream_version":1,
//!  "event_type":"OrderPlaced","schema_version":1,"event_id":"<32 hex>",
//!  "command_id":"c-3","fingerprint":"<64 hex>",
//!  "recorded_at":"2024-11-22T08:00:00Z","causation_id":null,
//!  "correlation_id":null,"actor":"service:purchase",
//!  "format":2,"tenant":"c1",
//!  "event":{...},"payload":"<hex>","prev_hash":"<64 hex>","hash":"<64 hex>",
//!  "guards":[{"index":1,"stream_id":"customer-c1","version":3}]}
//! ```
//!
//! `event` is the decoded event (amounts as decimal strings; `null` if the
//! payload does not decode); `payload` is the stored bytes, so an import
//! reproduces the envelope, and so the hash, exactly. `format` is the
//! record's envelope format: 2 records its `tenant` (the customer's domain
//! id, or `null` for an event of no customer); 1 (also when `format` is
//! absent, as in exports made before format 2) has no tenant. `guards` (only on a
//! command's first record, and only when the command had any) are the
//! zero-event version checks of the append: they leave no record, but the
//! store's command index lists them.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use ledger_codec::envelope::{FORMAT_BINCODE_V1, FORMAT_BINCODE_V2};
use ledger_codec::{envelope, payload, CommandId, CommandMetadata, Digest, Metadata, Tenant};
use ledger_store::{DynStore, Position, RecordedEvent, StreamId, StreamVersion, MAX_READ_BATCH};

use crate::OpsError;

/// A zero-event write of an append: a version check on a stream the
/// command read but did not write.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guard {
    /// The write's index in the append request.
    pub index: u32,
    pub stream_id: StreamId,
    pub version: StreamVersion,
}

/// The records of one append (one command), in log order, and its guards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandGroup {
    pub records: Vec<RecordedEvent>,
    pub guards: Vec<Guard>,
}

impl CommandGroup {
    pub fn command_id(&self) -> &CommandId {
        &self.records[0].metadata.command.command_id
    }
}

/// One record as JSON (see the module docs).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordJson {
    pub position: u64,
    pub stream_id: String,
    pub stream_version: u64,
    pub event_type: String,
    pub schema_version: u16,
    pub event_id: String,
    pub command_id: String,
    pub fingerprint: String,
    pub recorded_at: DateTime<Utc>,
    pub causation_id: Option<String>,
    pub correlation_id: Option<String>,
    pub actor: String,
    /// The envelope format (1 when absent: exports from before format 2).
    #[serde(default = "format_1")]
    pub format: u8,
    /// The recorded tenant (format 2 only).
    #[serde(default)]
    pub tenant: Option<String>,
    pub event: Option<serde_json::Value>,
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guards: Vec<Guard>,
}

fn format_1() -> u8 {
    FORMAT_BINCODE_V1
}

/// The decoded event of a record as JSON, without its type tag (the type
/// is `event_type`); `None` when the payload does not decode.
pub fn event_json(record: &RecordedEvent) -> Option<serde_json::Value> {
    let event =
        payload::decode_event(&record.event_type, record.schema_version, &record.payload).ok()?;
    match serde_json::to_value(&event).ok()? {
        serde_json::Value::Object(mut tagged) if tagged.len() == 1 => tagged.remove(event.name()),
        other => Some(other),
    }
}

impl RecordJson {
    pub fn new(record: &RecordedEvent, guards: &[Guard]) -> RecordJson {
        let c = &record.metadata.command;
        RecordJson {
            position: record.position.0,
            stream_id: record.stream_id.0.clone(),
            stream_version: record.stream_version.0,
            event_type: record.event_type.clone(),
            schema_version: record.schema_version,
            event_id: hex::encode(record.metadata.event_id),
            command_id: c.command_id.0.clone(),
            fingerprint: c.fingerprint.to_hex(),
            recorded_at: c.recorded_at,
            causation_id: c.causation_id.clone(),
            correlation_id: c.correlation_id.clone(),
            actor: c.actor.clone(),
            format: match record.metadata.tenant {
                Tenant::Unrecorded => FORMAT_BINCODE_V1,
                Tenant::Nobody | Tenant::Customer(_) => FORMAT_BINCODE_V2,
            },
            tenant: record.metadata.tenant.customer().map(|c| c.to_string()),
            event: event_json(record),
            payload: hex::encode(&record.payload),
            prev_hash: record.prev_hash.to_hex(),
            hash: record.hash.to_hex(),
            guards: guards.to_vec(),
        }
    }

    /// The record this line describes, after checking that its `event`
    /// is what its payload decodes to. The hash is the exported one: the
    /// caller compares it with the recomputed one.
    pub fn to_record(&self) -> Result<RecordedEvent, String> {
        let event_id: [u8; 16] = hex::decode(&self.event_id)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or("event_id is not 32 hex digits")?;
        let record = RecordedEvent {
            position: Position(self.position),
            stream_id: StreamId(self.stream_id.clone()),
            stream_version: StreamVersion(self.stream_version),
            event_type: self.event_type.clone(),
            schema_version: self.schema_version,
            metadata: Metadata {
                event_id,
                command: CommandMetadata {
                    command_id: CommandId(self.command_id.clone()),
                    fingerprint: digest(&self.fingerprint, "fingerprint")?,
                    recorded_at: self.recorded_at,
                    causation_id: self.causation_id.clone(),
                    correlation_id: self.correlation_id.clone(),
                    actor: self.actor.clone(),
                },
                tenant: self.tenant()?,
            },
            payload: hex::decode(&self.payload).map_err(|_| "payload is not hex")?,
            prev_hash: digest(&self.prev_hash, "prev_hash")?,
            hash: digest(&self.hash, "hash")?,
        };
        if event_json(&record) != self.event {
            return Err("event does not match what the payload decodes to".into());
        }
        Ok(record)
    }
}

impl RecordJson {
    fn tenant(&self) -> Result<Tenant, String> {
        match (self.format, &self.tenant) {
            (FORMAT_BINCODE_V1, None) => Ok(Tenant::Unrecorded),
            (FORMAT_BINCODE_V1, Some(_)) => Err("a format 1 record has no tenant".into()),
            (FORMAT_BINCODE_V2, None) => Ok(Tenant::Nobody),
            (FORMAT_BINCODE_V2, Some(t)) => t
                .parse()
                .map(Tenant::Customer)
                .map_err(|e| format!("tenant: {e}")),
            (other, _) => Err(format!("unknown record format {other}")),
        }
    }
}

/// Parses a 64-hex-digit digest.
pub fn digest(hex_text: &str, what: &str) -> Result<Digest, String> {
    hex::decode(hex_text)
        .ok()
        .and_then(|b| b.try_into().ok())
        .map(Digest)
        .ok_or_else(|| format!("{what} is not 64 hex digits"))
}

/// The hash a record's contents give: its envelope re-encoded exactly as
/// sealed. Equal to `record.hash` for an untampered record.
pub fn content_hash(record: &RecordedEvent) -> Result<Digest, OpsError> {
    Ok(envelope::chain_hash(&envelope::reseal(record)?))
}

/// Reads a store's records from `from` to `to` (inclusive) as command
/// groups, [`MAX_READ_BATCH`] records per read.
pub struct GroupReader {
    store: DynStore,
    next: Position,
    to: Position,
    buffer: std::collections::VecDeque<RecordedEvent>,
}

impl GroupReader {
    pub fn new(store: DynStore, from: Position, to: Position) -> GroupReader {
        GroupReader {
            store,
            next: Position(from.0.max(1)),
            to,
            buffer: Default::default(),
        }
    }

    async fn fill(&mut self) -> Result<(), OpsError> {
        if self.buffer.is_empty() && self.next <= self.to {
            let want = (self.to.0 - self.next.0 + 1).min(MAX_READ_BATCH as u64) as usize;
            let batch = self.store.read_all(self.next, want).await?;
            if let Some(last) = batch.last() {
                self.next = last.position.next();
            } else {
                // The log ends before `to`: nothing more to read.
                self.next = self.to.next();
            }
            self.buffer.extend(batch);
        }
        Ok(())
    }

    /// The next group, or `None` at the end of the range. A command cut by
    /// the range's ends gives a partial group without guards.
    pub async fn next(&mut self) -> Result<Option<CommandGroup>, OpsError> {
        self.fill().await?;
        let Some(first) = self.buffer.pop_front() else {
            return Ok(None);
        };
        let id = first.metadata.command.command_id.clone();
        let mut records = vec![first];
        loop {
            self.fill().await?;
            match self.buffer.front() {
                Some(r) if r.metadata.command.command_id == id => {
                    records.push(self.buffer.pop_front().expect("front exists"));
                }
                _ => break,
            }
        }
        let guards = self.guards(&records).await?;
        Ok(Some(CommandGroup { records, guards }))
    }

    /// The guards of a whole command, from the store's command index.
    async fn guards(&self, records: &[RecordedEvent]) -> Result<Vec<Guard>, OpsError> {
        let id = &records[0].metadata.command.command_id;
        let Some(command) = self.store.command(id).await? else {
            return Ok(Vec::new());
        };
        let c = &command.committed;
        let whole =
            c.first == records[0].position && Some(c.last) == records.last().map(|r| r.position);
        if !whole {
            return Ok(Vec::new());
        }
        let written: HashSet<&StreamId> = records.iter().map(|r| &r.stream_id).collect();
        Ok(c.versions
            .iter()
            .enumerate()
            .filter(|(_, (stream, _))| !written.contains(stream))
            .map(|(index, (stream, version))| Guard {
                index: index as u32,
                stream_id: stream.clone(),
                version: *version,
            })
            .collect())
    }
}
