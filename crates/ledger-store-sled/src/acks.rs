//! The log against the acknowledgement journal, on open.
//!
//! The journal's last entry that applies (see
//! [`Contents::active`](crate::journal::Contents::active)) claims that every
//! position up to `P` was acknowledged and that the record at `P` hashes
//! `H`. Then:
//! - log head ≥ `P` and the record at `P` hashes `H`: fine; records after
//!   `P` were written by a batch that was never acknowledged (a crash
//!   before its journal entry was durable): they are kept, and counted;
//! - log head < `P`: positions `head + 1 ..= P` were acknowledged and are
//!   gone (sled cut a damaged tail off): refused;
//! - the record at `P` hashes otherwise: the log holds other records than
//!   were acknowledged, from just after the last journaled position that
//!   still matches: refused.

use std::collections::{HashMap, HashSet};

use ledger_store::{Digest, Head, Position, StoreError};

use crate::journal::{Contents, Entry};

/// The positions whose hashes the check needs from the log.
pub(crate) fn wanted(contents: &Contents) -> HashSet<Position> {
    contents
        .active()
        .iter()
        .map(|e| e.head().position)
        .collect()
}

/// Checks a log whose head is `head` and whose hashes at the
/// [`wanted`] positions it holds are `hashes`. Ok: how many records
/// follow the last acknowledged one (never acknowledged, kept).
pub(crate) fn check(
    contents: &Contents,
    head: Head,
    hashes: &HashMap<Position, Digest>,
) -> Result<u64, StoreError> {
    let active: Vec<Head> = contents.active().iter().map(Entry::head).collect();
    let Some(claim) = active.last().copied() else {
        return Ok(head.position.0);
    };
    let holds =
        |h: &Head| h.position == Position::ORIGIN || hashes.get(&h.position) == Some(&h.hash);
    // The last journaled position below `limit` the log still matches.
    let good_below = |limit: Position| {
        active
            .iter()
            .filter(|h| h.position < limit && holds(h))
            .map(|h| h.position)
            .max()
            .unwrap_or(Position::ORIGIN)
    };
    if head.position >= claim.position {
        if holds(&claim) {
            return Ok(head.position.0 - claim.position.0);
        }
        let found = hashes
            .get(&claim.position)
            .map_or_else(|| "cannot be read".to_string(), |d| format!("hashes {d}"));
        return Err(StoreError::AcknowledgedMissing {
            first: good_below(claim.position).next(),
            last: claim.position,
            reason: format!(
                "the log's record at position {} {found}, the journal acknowledged {}",
                claim.position, claim.hash
            ),
        });
    }
    let below = active
        .iter()
        .filter(|h| h.position <= head.position)
        .max_by_key(|h| h.position);
    let first = match below {
        Some(h) if !holds(h) => good_below(h.position).next(),
        _ => head.position.next(),
    };
    Err(StoreError::AcknowledgedMissing {
        first,
        last: claim.position,
        reason: format!("the log ends at position {}", head.position),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::AcceptedLoss;

    fn h(p: u64, byte: u8) -> Head {
        Head {
            position: Position(p),
            hash: Digest([byte; 32]),
        }
    }

    fn journal(heads: &[Head]) -> Contents {
        Contents {
            entries: heads.iter().copied().map(Entry::Acked).collect(),
            torn_tail: None,
        }
    }

    fn log(upto: u64) -> HashMap<Position, Digest> {
        (1..=upto)
            .map(|p| (Position(p), Digest([p as u8; 32])))
            .collect()
    }

    fn missing(r: Result<u64, StoreError>) -> (u64, u64) {
        match r {
            Err(StoreError::AcknowledgedMissing { first, last, .. }) => (first.0, last.0),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_log_at_or_past_the_journal_is_fine_and_counts_the_unacknowledged() {
        let j = journal(&[h(3, 3), h(7, 7)]);
        assert_eq!(check(&j, h(7, 7), &log(7)), Ok(0));
        assert_eq!(check(&j, h(9, 9), &log(9)), Ok(2));
        assert_eq!(check(&journal(&[]), h(4, 4), &log(4)), Ok(4));
    }

    #[test]
    fn a_short_log_names_what_is_missing() {
        let j = journal(&[h(3, 3), h(7, 7)]);
        assert_eq!(missing(check(&j, h(6, 6), &log(6))), (7, 7));
        assert_eq!(missing(check(&j, h(2, 2), &log(2))), (3, 7));
        assert_eq!(missing(check(&j, Head::default(), &log(0))), (1, 7));
        // The journaled position below the head no longer matches either.
        let mut l = log(5);
        l.insert(Position(3), Digest([0xee; 32]));
        assert_eq!(missing(check(&j, h(5, 5), &l)), (1, 7));
    }

    #[test]
    fn a_different_record_at_the_acknowledged_head_is_refused() {
        let j = journal(&[h(3, 3), h(7, 7)]);
        let mut l = log(8);
        l.insert(Position(7), Digest([0xee; 32]));
        let r = check(&j, h(8, 8), &l);
        assert_eq!(missing(r.clone()), (4, 7));
        assert!(r.unwrap_err().to_string().contains(
            "positions 4..=7 were acknowledged but are missing from the log: the log's record at position 7 hashes"
        ));
    }

    #[test]
    fn an_accepted_loss_resets_what_is_claimed() {
        let mut j = journal(&[h(3, 3), h(7, 7)]);
        j.entries.push(Entry::LossAccepted(AcceptedLoss {
            first: Position(6),
            last: Position(7),
            head: h(5, 5),
            note: Digest::ZERO,
        }));
        assert_eq!(check(&j, h(5, 5), &log(5)), Ok(0));
        assert_eq!(check(&j, h(6, 6), &log(6)), Ok(1));
        assert_eq!(missing(check(&j, h(4, 4), &log(4))), (5, 5));
    }
}
