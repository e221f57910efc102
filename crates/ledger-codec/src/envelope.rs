//! Record envelopes: `[format byte][bincode 2 body]`, hashed into a chain.
//!
//! The format byte names the whole body encoding. A later codec is a new
//! format byte next to the others, decoded side by side, never a migration
//! of stored bytes. Golden-bytes tests pin every format.
//!
//! - [`FORMAT_BINCODE_V1`]: metadata is the event id and the command's
//!   metadata. Records read back with [`Tenant::Unrecorded`].
//! - [`FORMAT_BINCODE_V2`] (written from issue 9 on): the same body, the
//!   metadata followed by the tenant (`Option<customer id>`), so a reader
//!   filters by tenant without decoding the payload.
//!
//! [`seal`] writes format 2 for every recorded tenant; it writes format 1
//! only for [`Tenant::Unrecorded`], which is how [`reseal`] and imports
//! reproduce a format-1 record byte for byte.

use ledger_domain::ids::CustomerId;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::record::{
    CommandMetadata, Digest, EventData, Metadata, Position, RecordedEvent, StreamId, StreamVersion,
    Tenant,
};
use crate::CodecError;

/// bincode 2, `config::standard()` (little endian, varint integers), serde
/// mode; metadata without a tenant.
pub const FORMAT_BINCODE_V1: u8 = 1;
/// As [`FORMAT_BINCODE_V1`], with the tenant in the metadata.
pub const FORMAT_BINCODE_V2: u8 = 2;

/// Largest envelope any engine accepts or decodes.
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// Format 1 metadata.
#[derive(Serialize, Deserialize)]
struct MetadataV1 {
    event_id: [u8; 16],
    command: CommandMetadata,
}

/// Format 2 metadata: format 1's, then the tenant.
#[derive(Serialize, Deserialize)]
struct MetadataV2 {
    event_id: [u8; 16],
    command: CommandMetadata,
    tenant: Option<CustomerId>,
}

#[derive(Serialize)]
struct BodyRef<'a, M> {
    position: u64,
    stream_id: &'a str,
    stream_version: u64,
    event_type: &'a str,
    schema_version: u16,
    metadata: M,
    #[serde(with = "serde_bytes")]
    payload: &'a [u8],
    prev_hash: &'a Digest,
}

impl<'a> BodyRef<'a, ()> {
    /// The same body with its format's metadata.
    fn with<M>(&self, metadata: M) -> BodyRef<'a, M> {
        BodyRef {
            position: self.position,
            stream_id: self.stream_id,
            stream_version: self.stream_version,
            event_type: self.event_type,
            schema_version: self.schema_version,
            metadata,
            payload: self.payload,
            prev_hash: self.prev_hash,
        }
    }
}

#[derive(Deserialize)]
struct Body<M> {
    position: u64,
    stream_id: String,
    stream_version: u64,
    event_type: String,
    schema_version: u16,
    metadata: M,
    #[serde(with = "serde_bytes")]
    payload: Vec<u8>,
    prev_hash: Digest,
}

impl<M> Body<M> {
    fn into_record(self, metadata: Metadata, envelope: &[u8]) -> RecordedEvent {
        RecordedEvent {
            position: Position(self.position),
            stream_id: StreamId(self.stream_id),
            stream_version: StreamVersion(self.stream_version),
            event_type: self.event_type,
            schema_version: self.schema_version,
            metadata,
            payload: self.payload,
            prev_hash: self.prev_hash,
            hash: chain_hash(envelope),
        }
    }
}

/// Chain hash of one envelope: SHA-256 over its bytes (which carry `prev_hash`).
pub fn chain_hash(envelope: &[u8]) -> Digest {
    Digest(Sha256::digest(envelope).into())
}

/// Encodes `data` (sent by `command`) as the record at `position` / `stream_version`, chained to
/// `prev_hash`. Returns the envelope bytes and the record they decode to.
pub fn seal(
    position: Position,
    stream_id: &StreamId,
    stream_version: StreamVersion,
    command: &CommandMetadata,
    data: &EventData,
    prev_hash: Digest,
) -> Result<(Vec<u8>, RecordedEvent), CodecError> {
    let metadata = Metadata {
        event_id: data.event_id,
        command: command.clone(),
        tenant: data.tenant.clone(),
    };
    let mut bytes = Vec::with_capacity(64 + data.payload.len());
    let body = BodyRef {
        position: position.0,
        stream_id: stream_id.as_str(),
        stream_version: stream_version.0,
        event_type: &data.event_type,
        schema_version: data.schema_version,
        metadata: (),
        payload: &data.payload,
        prev_hash: &prev_hash,
    };
    match &data.tenant {
        Tenant::Unrecorded => {
            bytes.push(FORMAT_BINCODE_V1);
            let metadata = MetadataV1 {
                event_id: data.event_id,
                command: command.clone(),
            };
            encode(&body.with(metadata), &mut bytes)?;
        }
        recorded => {
            bytes.push(FORMAT_BINCODE_V2);
            let metadata = MetadataV2 {
                event_id: data.event_id,
                command: command.clone(),
                tenant: recorded.customer().cloned(),
            };
            encode(&body.with(metadata), &mut bytes)?;
        }
    }
    if bytes.len() > MAX_RECORD_BYTES {
        return Err(CodecError::RecordTooLarge { bytes: bytes.len() });
    }
    let record = RecordedEvent {
        position,
        stream_id: stream_id.clone(),
        stream_version,
        event_type: data.event_type.clone(),
        schema_version: data.schema_version,
        metadata,
        payload: data.payload.clone(),
        prev_hash,
        hash: chain_hash(&bytes),
    };
    Ok((bytes, record))
}

/// Decodes one envelope and computes its chain hash.
pub fn open(envelope: &[u8]) -> Result<RecordedEvent, CodecError> {
    if envelope.len() > MAX_RECORD_BYTES {
        return Err(CodecError::RecordTooLarge {
            bytes: envelope.len(),
        });
    }
    let (&format, rest) = envelope.split_first().ok_or(CodecError::Empty)?;
    match format {
        FORMAT_BINCODE_V1 => {
            let body: Body<MetadataV1> = decode(rest)?;
            let metadata = Metadata {
                event_id: body.metadata.event_id,
                command: body.metadata.command.clone(),
                tenant: Tenant::Unrecorded,
            };
            Ok(body.into_record(metadata, envelope))
        }
        FORMAT_BINCODE_V2 => {
            let body: Body<MetadataV2> = decode(rest)?;
            let metadata = Metadata {
                event_id: body.metadata.event_id,
                command: body.metadata.command.clone(),
                tenant: Tenant::of(body.metadata.tenant.clone()),
            };
            Ok(body.into_record(metadata, envelope))
        }
        other => Err(CodecError::UnknownFormat(other)),
    }
}

fn encode<T: Serialize>(body: &T, bytes: &mut Vec<u8>) -> Result<(), CodecError> {
    bincode::serde::encode_into_std_write(body, bytes, bincode::config::standard())
        .map(drop)
        .map_err(|e| CodecError::Encode(e.to_string()))
}

/// Decodes a whole body: trailing bytes are refused.
fn decode<T: serde::de::DeserializeOwned>(rest: &[u8]) -> Result<T, CodecError> {
    let (body, read) = bincode::serde::decode_from_slice(rest, bincode::config::standard())
        .map_err(|e| CodecError::Decode(e.to_string()))?;
    if read != rest.len() {
        return Err(CodecError::TrailingBytes {
            trailing: rest.len() - read,
        });
    }
    Ok(body)
}

/// Re-encodes a decoded record exactly as [`seal`] wrote it (for exports and
/// for engines that keep records decoded). For an untampered record,
/// `chain_hash(&reseal(r)) == r.hash`.
pub fn reseal(record: &RecordedEvent) -> Result<Vec<u8>, CodecError> {
    let data = EventData {
        event_type: record.event_type.clone(),
        schema_version: record.schema_version,
        event_id: record.metadata.event_id,
        payload: record.payload.clone(),
        tenant: record.metadata.tenant.clone(),
    };
    let (bytes, _) = seal(
        record.position,
        &record.stream_id,
        record.stream_version,
        &record.metadata.command,
        &data,
        record.prev_hash,
    )?;
    // No check against `record.hash` here: auditors reseal records they do
    // not trust and compare the hash themselves.
    Ok(bytes)
}
