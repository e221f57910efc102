//! Rebuilding the indexes on open by scanning every segment.
//!
//! sled applies each insert atomically, so a segment is either whole or
//! absent; anything that does not decode, chain or count up exactly is
//! therefore damage, reported as [`StoreError::Corrupt`] naming the first bad
//! position — never silently dropped.

use std::collections::{HashMap, HashSet};

use ledger_store::{
    CommandId, CommandRecord, Committed, Digest, Head, Position, StoreError, StreamId,
    StreamVersion,
};

use crate::index::Index;
use crate::segment::{self, Segment};

fn corrupt(position: Position, reason: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        position,
        reason: reason.into(),
    }
}

/// A command whose records are being scanned (a command never spans segments).
struct Building {
    command_id: CommandId,
    fingerprint: Digest,
    committed: Committed,
}

/// Scans `tree`'s segments in order and rebuilds the index, checking
/// positions, stream versions, the hash chain and each segment's trailer.
/// Also hands back the chain hash of each `wanted` position the log holds
/// (for the acknowledgement journal's check).
pub(crate) fn rebuild(
    tree: &sled::Tree,
    wanted: &HashSet<Position>,
) -> Result<(Index, HashMap<Position, Digest>), StoreError> {
    let mut index = Index::default();
    let mut hashes = HashMap::new();
    let mut prev_hash = Digest::ZERO;
    let mut segments = 0u64;
    for item in tree.iter() {
        let (key, value) = item.map_err(|e| StoreError::Io(format!("sled scan: {e}")))?;
        let expected = index.head().position.next();
        let first = segment::parse_key(&key)
            .ok_or_else(|| corrupt(expected, "segment key is not a position"))?;
        if first != expected {
            return Err(corrupt(
                expected,
                format!("next segment starts at position {first}"),
            ));
        }
        let seg = Segment::parse(first, value)?;
        let mut commands: Vec<Building> = Vec::new();
        for offset in 0..seg.len() {
            let position = Position(first.0 + offset);
            let record = seg.record(position)?;
            if record.prev_hash != prev_hash {
                return Err(corrupt(
                    position,
                    format!(
                        "prev_hash {} does not match the previous record's hash {prev_hash}",
                        record.prev_hash
                    ),
                ));
            }
            let version = index.version(&record.stream_id).next();
            if record.stream_version != version {
                return Err(corrupt(
                    position,
                    format!(
                        "stream {} version {} where {version} was due",
                        record.stream_id, record.stream_version
                    ),
                ));
            }
            index.push_record(&record.stream_id, version, position);
            prev_hash = record.hash;
            if wanted.contains(&position) {
                hashes.insert(position, record.hash);
            }

            let command = &record.metadata.command;
            match commands.last_mut() {
                Some(b) if b.command_id == command.command_id => {
                    b.committed.last = position;
                    match b.committed.versions.last_mut() {
                        Some((s, v)) if *s == record.stream_id => *v = version,
                        _ => b
                            .committed
                            .versions
                            .push((record.stream_id.clone(), version)),
                    }
                }
                _ => commands.push(Building {
                    command_id: command.command_id.clone(),
                    fingerprint: command.fingerprint,
                    committed: Committed {
                        first: position,
                        last: position,
                        versions: vec![(record.stream_id.clone(), version)],
                        deduplicated: false,
                    },
                }),
            }
        }
        if seg.last_hash != prev_hash {
            let last = Position(first.0 + seg.len() - 1);
            return Err(corrupt(
                last,
                "record hash does not match the segment trailer",
            ));
        }
        apply_guards(&seg, &mut commands)?;
        for b in commands {
            if index.command(&b.command_id).is_some() {
                return Err(corrupt(
                    b.committed.first,
                    format!("command id {} committed twice", b.command_id),
                ));
            }
            let record = CommandRecord {
                fingerprint: b.fingerprint,
                committed: b.committed,
            };
            index.insert_command(b.command_id, record);
        }
        segments += 1;
    }
    let position = index.head().position;
    index.set_head(Head {
        position,
        hash: prev_hash,
    });
    tracing::debug!(segments, head = position.0, "indexes rebuilt");
    Ok((index, hashes))
}

/// Puts each guard (a write of no events) back into its command's versions.
fn apply_guards<V: AsRef<[u8]>>(
    seg: &Segment<V>,
    commands: &mut [Building],
) -> Result<(), StoreError> {
    let by_first: HashMap<Position, usize> = commands
        .iter()
        .enumerate()
        .map(|(i, b)| (b.committed.first, i))
        .collect();
    for guard in &seg.guards {
        let bad = || corrupt(guard.command_first, "segment guard names no command");
        let &i = by_first.get(&guard.command_first).ok_or_else(bad)?;
        let versions: &mut Vec<(StreamId, StreamVersion)> = &mut commands[i].committed.versions;
        let at = guard.write_index as usize;
        if at > versions.len() {
            return Err(bad());
        }
        versions.insert(at, (guard.stream_id.clone(), guard.version));
    }
    Ok(())
}
