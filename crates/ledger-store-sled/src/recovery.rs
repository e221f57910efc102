//! Bringing the on-disk index up to the log on open: indexing the segments
//! after the last record the index covers (all of them for a new or a
//! rebuilt index).
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

use crate::index::{Index, IndexBatch, INDEX_CATCH_UP_BATCH};
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

/// What catching up found.
pub(crate) struct CaughtUp {
    /// The log's head.
    pub head: Head,
    /// The chain hash of each wanted position after the start.
    pub hashes: HashMap<Position, Digest>,
    /// Records indexed.
    pub indexed: u64,
}

/// Index entries not yet written, and the versions and commands they set
/// (the index does not show them yet). Bounded: written every
/// [`INDEX_CATCH_UP_BATCH`] records.
#[derive(Default)]
struct Pending {
    batch: IndexBatch,
    versions: HashMap<StreamId, StreamVersion>,
    commands: HashSet<CommandId>,
}

impl Pending {
    fn version(&self, index: &Index, stream_id: &StreamId) -> Result<StreamVersion, StoreError> {
        match self.versions.get(stream_id) {
            Some(v) => Ok(*v),
            None => index.version(stream_id),
        }
    }

    fn flush(&mut self, index: &Index) -> Result<(), StoreError> {
        index.write(std::mem::take(&mut self.batch))?;
        self.versions.clear();
        self.commands.clear();
        Ok(())
    }
}

/// Scans `tree`'s segments after `start` (the last record `index` covers,
/// whose hash the caller checked) in order and indexes them, checking
/// positions, stream versions, the hash chain and each segment's trailer.
/// Also hands back the chain hash of each `wanted` position it scans (for
/// the acknowledgement journal's check).
pub(crate) fn catch_up(
    tree: &sled::Tree,
    index: &Index,
    start: Head,
    wanted: &HashSet<Position>,
) -> Result<CaughtUp, StoreError> {
    let mut hashes = HashMap::new();
    let mut prev_hash = start.hash;
    let mut head = start.position;
    let mut segments = 0u64;
    let mut pending = Pending::default();
    for item in tree.range(segment::key(start.position.next())..) {
        let (key, value) = item.map_err(|e| StoreError::Io(format!("sled scan: {e}")))?;
        let expected = head.next();
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
            let version = pending.version(index, &record.stream_id)?.next();
            if record.stream_version != version {
                return Err(corrupt(
                    position,
                    format!(
                        "stream {} version {} where {version} was due",
                        record.stream_id, record.stream_version
                    ),
                ));
            }
            pending.versions.insert(record.stream_id.clone(), version);
            pending
                .batch
                .records
                .push((record.stream_id.clone(), version, position));
            prev_hash = record.hash;
            head = position;
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
            let twice = !pending.commands.insert(b.command_id.clone())
                || index.command(&b.command_id)?.is_some();
            if twice {
                return Err(corrupt(
                    b.committed.first,
                    format!("command id {} committed twice", b.command_id),
                ));
            }
            let record = CommandRecord {
                fingerprint: b.fingerprint,
                committed: b.committed,
            };
            pending.batch.commands.push((b.command_id, record));
        }
        segments += 1;
        // A segment ends where a batch ended: the index may stop here.
        pending.batch.head = Some(Head {
            position: head,
            hash: prev_hash,
        });
        if pending.batch.records.len() >= INDEX_CATCH_UP_BATCH {
            pending.flush(index)?;
        }
    }
    pending.flush(index)?;
    let indexed = head.0 - start.position.0;
    if indexed > 0 {
        index.persist()?;
    }
    tracing::debug!(
        segments,
        indexed,
        head = head.0,
        "index caught up with the log"
    );
    Ok(CaughtUp {
        head: Head {
            position: head,
            hash: prev_hash,
        },
        hashes,
        indexed,
    })
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

/// The segment holding `position`.
pub(crate) fn segment_at(
    tree: &sled::Tree,
    position: Position,
) -> Result<Segment<sled::IVec>, StoreError> {
    let missing = || corrupt(position, "no segment holds this position");
    let (key, value) = tree
        .range(..=segment::key(position))
        .next_back()
        .ok_or_else(missing)?
        .map_err(|e| StoreError::Io(format!("sled read: {e}")))?;
    let first = segment::parse_key(&key).ok_or_else(missing)?;
    let seg = Segment::parse(first, value)?;
    if !seg.contains(position) {
        return Err(missing());
    }
    Ok(seg)
}

/// The chain hash of the record at `position`.
pub(crate) fn hash_at(tree: &sled::Tree, position: Position) -> Result<Digest, StoreError> {
    Ok(segment_at(tree, position)?.record(position)?.hash)
}

/// The log's head as its last segment states it (not verified).
pub(crate) fn last_head(tree: &sled::Tree) -> Result<Head, StoreError> {
    let Some(item) = tree
        .last()
        .map_err(|e| StoreError::Io(format!("sled read: {e}")))?
    else {
        return Ok(Head::default());
    };
    let (key, value) = item;
    let first = segment::parse_key(&key)
        .ok_or_else(|| corrupt(Position::ORIGIN, "segment key is not a position"))?;
    let seg = Segment::parse(first, value)?;
    Ok(Head {
        position: Position(first.0 + seg.len() - 1),
        hash: seg.last_hash,
    })
}
