//! Segments: one sled key per committed batch.
//!
//! Key: the batch's first position, big-endian `u64` (so sled's key order is
//! log order). Value:
//!
//! ```text
//! [u8  format = 1]
//! [u32 LE record count]
//! [32  chain hash of the segment's last record]
//! count x ([u32 LE envelope length][envelope])
//! [u32 LE guard count]
//! guards x ([u64 LE command's first position][u32 LE write index]
//!           [u64 LE stream version][u32 LE stream id length][stream id])
//! ```
//!
//! A guard is a write of no events (a version check only): it leaves no
//! record, but the command's [`Committed`](ledger_store::Committed) lists it,
//! so it is stored to rebuild the command index on open. The trailing hash
//! lets recovery detect a damaged last record, which no successor's
//! `prev_hash` covers.
//!
//! This module is the only parser and encoder of the format: the engine
//! uses [`Segment`] and [`SegmentBuilder`], forensics and tests use
//! [`crate::raw`], which is built on them.

use ledger_store::{Digest, Position, StoreError, StreamId, StreamVersion};

const SEGMENT_FORMAT: u8 = 1;
const HEADER_LEN: usize = 1 + 4 + 32;

/// A write of no events, recorded so the command's versions survive reopen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Guard {
    pub command_first: Position,
    pub write_index: u32,
    pub stream_id: StreamId,
    pub version: StreamVersion,
}

/// The sled key of the segment starting at `first`.
pub(crate) fn key(first: Position) -> [u8; 8] {
    first.0.to_be_bytes()
}

/// The first position named by a segment key.
pub(crate) fn parse_key(key: &[u8]) -> Option<Position> {
    let bytes: [u8; 8] = key.try_into().ok()?;
    Some(Position(u64::from_be_bytes(bytes)))
}

/// Builds one segment value.
pub(crate) struct SegmentBuilder {
    bytes: Vec<u8>,
    count: u32,
    guards: Vec<Guard>,
}

impl SegmentBuilder {
    pub fn with_capacity(bytes: usize) -> Self {
        let mut buf = Vec::with_capacity(HEADER_LEN + bytes);
        buf.push(SEGMENT_FORMAT);
        buf.extend_from_slice(&[0; HEADER_LEN - 1]);
        SegmentBuilder {
            bytes: buf,
            count: 0,
            guards: Vec::new(),
        }
    }

    pub fn push(&mut self, envelope: &[u8]) {
        let len = u32::try_from(envelope.len()).expect("envelopes are at most MAX_RECORD_BYTES");
        self.bytes.extend_from_slice(&len.to_le_bytes());
        self.bytes.extend_from_slice(envelope);
        self.count += 1;
    }

    pub fn push_guard(&mut self, guard: Guard) {
        self.guards.push(guard);
    }

    pub fn count(&self) -> u32 {
        self.count
    }

    pub fn finish(mut self, last_hash: Digest) -> Vec<u8> {
        self.bytes[1..5].copy_from_slice(&self.count.to_le_bytes());
        self.bytes[5..HEADER_LEN].copy_from_slice(&last_hash.0);
        let guards = u32::try_from(self.guards.len()).expect("guards fit in u32");
        self.bytes.extend_from_slice(&guards.to_le_bytes());
        for g in &self.guards {
            self.bytes
                .extend_from_slice(&g.command_first.0.to_le_bytes());
            self.bytes.extend_from_slice(&g.write_index.to_le_bytes());
            self.bytes.extend_from_slice(&g.version.0.to_le_bytes());
            let id = g.stream_id.as_str().as_bytes();
            let len = u32::try_from(id.len()).expect("stream ids fit in u32");
            self.bytes.extend_from_slice(&len.to_le_bytes());
            self.bytes.extend_from_slice(id);
        }
        self.bytes
    }
}

/// A parsed segment value: where each envelope lies, plus its guards.
pub(crate) struct Segment<V> {
    pub first: Position,
    value: V,
    ranges: Vec<(usize, usize)>,
    pub last_hash: Digest,
    pub guards: Vec<Guard>,
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let out = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(out)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}

fn corrupt(position: Position, reason: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        position,
        reason: reason.into(),
    }
}

/// A segment value that does not parse: the position it concerns (that of
/// the truncated record, else the segment's first) and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct FormatError {
    pub position: Position,
    pub reason: String,
}

impl From<FormatError> for StoreError {
    fn from(e: FormatError) -> Self {
        corrupt(e.position, e.reason)
    }
}

fn malformed(position: Position, reason: impl Into<String>) -> FormatError {
    FormatError {
        position,
        reason: reason.into(),
    }
}

impl<V: AsRef<[u8]>> Segment<V> {
    /// Parses the framing of the segment starting at `first` (envelopes are
    /// decoded lazily by [`Segment::envelope`]).
    pub fn parse(first: Position, value: V) -> Result<Self, FormatError> {
        let bytes = value.as_ref();
        let mut c = Cursor { bytes, at: 0 };
        let bad = |what: &str| malformed(first, format!("segment {what}"));
        let header = c
            .take(HEADER_LEN)
            .ok_or_else(|| bad("header is truncated"))?;
        if header[0] != SEGMENT_FORMAT {
            return Err(bad(&format!("has unknown format {}", header[0])));
        }
        let count = u32::from_le_bytes([header[1], header[2], header[3], header[4]]);
        let mut last_hash = Digest::ZERO;
        last_hash.0.copy_from_slice(&header[5..HEADER_LEN]);
        if count == 0 {
            return Err(bad("holds no records"));
        }
        // Each record takes at least its 4 length bytes: a damaged count
        // must not reserve more than the value could hold.
        let most = (bytes.len() - HEADER_LEN) / 4;
        let mut ranges = Vec::with_capacity((count as usize).min(most));
        for i in 0..u64::from(count) {
            let at = Position(first.0 + i);
            let len =
                c.u32()
                    .ok_or_else(|| malformed(at, "segment is truncated"))? as usize;
            let start = c.at;
            c.take(len)
                .ok_or_else(|| malformed(at, "segment is truncated"))?;
            ranges.push((start, start + len));
        }
        let guard_count = c.u32().ok_or_else(|| bad("guard table is truncated"))?;
        let mut guards = Vec::new();
        for _ in 0..guard_count {
            let guard = (|| {
                let command_first = Position(c.u64()?);
                let write_index = c.u32()?;
                let version = StreamVersion(c.u64()?);
                let len = c.u32()? as usize;
                let id = std::str::from_utf8(c.take(len)?).ok()?;
                Some(Guard {
                    command_first,
                    write_index,
                    stream_id: StreamId(id.to_string()),
                    version,
                })
            })()
            .ok_or_else(|| bad("guard table is malformed"))?;
            guards.push(guard);
        }
        if c.at != bytes.len() {
            return Err(bad("has trailing bytes"));
        }
        Ok(Segment {
            first,
            value,
            ranges,
            last_hash,
            guards,
        })
    }

    /// Number of records in the segment.
    pub fn len(&self) -> u64 {
        self.ranges.len() as u64
    }

    /// Whether `position` lies in this segment.
    pub fn contains(&self, position: Position) -> bool {
        position >= self.first && position.0 < self.first.0 + self.len()
    }

    /// The envelope of `position` (which must lie in this segment).
    pub fn envelope(&self, position: Position) -> &[u8] {
        let (start, end) = self.ranges[(position.0 - self.first.0) as usize];
        &self.value.as_ref()[start..end]
    }

    /// Decodes the record at `position`, checking it is the one stored there.
    pub fn record(&self, position: Position) -> Result<ledger_store::RecordedEvent, StoreError> {
        let record = ledger_codec::envelope::open(self.envelope(position))
            .map_err(|e| corrupt(position, e.to_string()))?;
        if record.position != position {
            return Err(corrupt(
                position,
                format!("record claims position {}", record.position),
            ));
        }
        Ok(record)
    }

    /// The record at `position`, checked against what vouches for its
    /// hash: the next record's `prev_hash` in this segment, or the
    /// segment's trailer. Damage to a record is named here, by a read,
    /// without a scan of the log.
    pub fn checked_record(
        &self,
        position: Position,
    ) -> Result<ledger_store::RecordedEvent, StoreError> {
        let record = self.record(position)?;
        self.check_vouched(&record)?;
        Ok(record)
    }

    /// Checks `record` (of this segment) against the next record's
    /// `prev_hash` or the trailer.
    pub fn check_vouched(&self, record: &ledger_store::RecordedEvent) -> Result<(), StoreError> {
        let next = record.position.next();
        let vouched = if self.contains(next) {
            self.record(next)?.prev_hash
        } else {
            self.last_hash
        };
        if record.hash != vouched {
            return Err(unvouched(record, vouched));
        }
        Ok(())
    }
}

/// A record whose hash is not the one the log's chain vouches for.
pub(crate) fn unvouched(record: &ledger_store::RecordedEvent, vouched: Digest) -> StoreError {
    corrupt(
        record.position,
        format!(
            "the record hashes {} but the log's chain vouches for {vouched}",
            record.hash
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let mut b = SegmentBuilder::with_capacity(64);
        b.push(b"one");
        b.push(b"");
        b.push(b"three");
        b.push_guard(Guard {
            command_first: Position(7),
            write_index: 2,
            stream_id: StreamId("g".into()),
            version: StreamVersion(4),
        });
        b.finish(Digest([9; 32]))
    }

    #[test]
    fn round_trips_envelopes_guards_and_trailer() {
        let seg = Segment::parse(Position(7), sample()).expect("parse");
        assert_eq!(seg.len(), 3);
        assert!(seg.contains(Position(9)) && !seg.contains(Position(10)));
        assert!(!seg.contains(Position(6)));
        assert_eq!(seg.envelope(Position(7)), b"one");
        assert_eq!(seg.envelope(Position(8)), b"");
        assert_eq!(seg.envelope(Position(9)), b"three");
        assert_eq!(seg.last_hash, Digest([9; 32]));
        assert_eq!(seg.guards.len(), 1);
        assert_eq!(seg.guards[0].stream_id, StreamId("g".into()));
        assert_eq!(parse_key(&key(Position(258))), Some(Position(258)));
    }

    #[test]
    fn every_truncation_is_corrupt() {
        let bytes = sample();
        for len in 0..bytes.len() {
            let err = Segment::parse(Position(7), &bytes[..len])
                .err()
                .expect("must fail");
            let err = StoreError::from(err);
            assert!(matches!(err, StoreError::Corrupt { .. }), "{len}: {err:?}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Segment::parse(Position(7), longer).is_err());
    }
}
