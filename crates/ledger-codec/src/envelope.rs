//! Record envelopes: `[format byte][bincode 2 body]`, hashed into a chain.
//!
//! The format byte names the whole body encoding. A later codec is a new
//! format byte next to [`FORMAT_BINCODE_V1`], decoded side by side, never a
//! migration of stored bytes. Golden-bytes tests pin this format.

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::record::{
    CommandMetadata, Digest, EventData, Metadata, Position, RecordedEvent, StreamId, StreamVersion,
};
use crate::CodecError;

/// bincode 2, `config::standard()` (little endian, varint integers), serde mode.
pub const FORMAT_BINCODE_V1: u8 = 1;

/// Largest envelope any engine accepts or decodes.
pub const MAX_RECORD_BYTES: usize = 1 << 20;

#[derive(Serialize)]
struct BodyRef<'a> {
    position: u64,
    stream_id: &'a str,
    stream_version: u64,
    event_type: &'a str,
    schema_version: u16,
    metadata: &'a Metadata,
    #[serde(with = "serde_bytes")]
    payload: &'a [u8],
    prev_hash: &'a Digest,
}

#[derive(Deserialize)]
struct Body {
    position: u64,
    stream_id: String,
    stream_version: u64,
    event_type: String,
    schema_version: u16,
    metadata: Metadata,
    #[serde(with = "serde_bytes")]
    payload: Vec<u8>,
    prev_hash: Digest,
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
    };
    let body = BodyRef {
        position: position.0,
        stream_id: stream_id.as_str(),
        stream_version: stream_version.0,
        event_type: &data.event_type,
        schema_version: data.schema_version,
        metadata: &metadata,
        payload: &data.payload,
        prev_hash: &prev_hash,
    };
    let mut bytes = Vec::with_capacity(64 + data.payload.len());
    bytes.push(FORMAT_BINCODE_V1);
    bincode::serde::encode_into_std_write(&body, &mut bytes, bincode::config::standard())
        .map_err(|e| CodecError::Encode(e.to_string()))?;
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
    let body: Body = match format {
        FORMAT_BINCODE_V1 => {
            let (body, read) = bincode::serde::decode_from_slice(rest, bincode::config::standard())
                .map_err(|e| CodecError::Decode(e.to_string()))?;
            if read != rest.len() {
                return Err(CodecError::TrailingBytes {
                    trailing: rest.len() - read,
                });
            }
            body
        }
        other => return Err(CodecError::UnknownFormat(other)),
    };
    Ok(RecordedEvent {
        position: Position(body.position),
        stream_id: StreamId(body.stream_id),
        stream_version: StreamVersion(body.stream_version),
        event_type: body.event_type,
        schema_version: body.schema_version,
        metadata: body.metadata,
        payload: body.payload,
        prev_hash: body.prev_hash,
        hash: chain_hash(envelope),
    })
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
