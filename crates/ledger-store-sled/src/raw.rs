//! The engine's segments as plain values, for forensics and tests only.
//!
//! [`SledStore::open`](crate::SledStore::open) refuses a log that does not
//! decode, count up or chain. A forensic reader (`audit verify` on a damaged
//! log) still has to read what is there, and tamper tests rewrite segments
//! on purpose: both do it through this module, so the on-disk format has a
//! single parser and encoder (the engine's own, in `segment`).
//!
//! [`RawSegment::parse`] checks the framing only: it does not decode
//! envelopes, check positions, the hash chain or the trailer. Never use
//! this module on the write path: the engine alone writes the log.

use ledger_store::{Digest, Position};

pub use crate::segment::FormatError;
/// A zero-event version check stored in a segment.
pub use crate::segment::Guard as RawGuard;
use crate::segment::{self, Segment, SegmentBuilder};

/// One segment (one group-commit batch) as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawSegment {
    /// The position its key names: that of its first record.
    pub first: Position,
    pub envelopes: Vec<Vec<u8>>,
    /// The chain hash of its last record, as stored in its header.
    pub last_hash: Digest,
    pub guards: Vec<RawGuard>,
}

impl RawSegment {
    /// The sled key of the segment starting at `first`.
    pub fn key(first: Position) -> [u8; 8] {
        segment::key(first)
    }

    /// The first position a sled key names, if it is a segment key.
    pub fn parse_key(key: &[u8]) -> Option<Position> {
        segment::parse_key(key)
    }

    /// Parses the stored value of the segment starting at `first`; the
    /// error says what is wrong with it.
    pub fn parse(first: Position, value: &[u8]) -> Result<RawSegment, FormatError> {
        let seg = Segment::parse(first, value)?;
        let envelopes = (0..seg.len())
            .map(|i| seg.envelope(Position(first.0 + i)).to_vec())
            .collect();
        Ok(RawSegment {
            first,
            envelopes,
            last_hash: seg.last_hash,
            guards: seg.guards,
        })
    }

    /// The stored bytes of this segment.
    pub fn encode(&self) -> Vec<u8> {
        let bytes = self.envelopes.iter().map(|e| 4 + e.len()).sum();
        let mut b = SegmentBuilder::with_capacity(bytes);
        for e in &self.envelopes {
            b.push(e);
        }
        for g in &self.guards {
            b.push_guard(g.clone());
        }
        b.finish(self.last_hash)
    }

    /// The position after its last record.
    pub fn end(&self) -> Position {
        Position(self.first.0 + self.envelopes.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ledger_store::{StreamId, StreamVersion};

    #[test]
    fn encode_and_parse_round_trip() {
        let seg = RawSegment {
            first: Position(7),
            envelopes: vec![b"one".to_vec(), Vec::new(), b"three".to_vec()],
            last_hash: Digest([9; 32]),
            guards: vec![RawGuard {
                command_first: Position(7),
                write_index: 2,
                stream_id: StreamId("g".into()),
                version: StreamVersion(4),
            }],
        };
        let bytes = seg.encode();
        assert_eq!(RawSegment::parse(Position(7), &bytes), Ok(seg));
        assert_eq!(
            RawSegment::parse_key(&RawSegment::key(Position(258))),
            Some(Position(258))
        );
        let err = RawSegment::parse(Position(7), &bytes[..bytes.len() - 1]).unwrap_err();
        assert_eq!(err.to_string(), "segment guard table is malformed");
    }
}
