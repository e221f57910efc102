//! The indexes over the durable segments, on disk (an fjall LSM tree in
//! `<log>/index/`), so that memory does not grow with history and opening
//! does not scan the log.
//!
//! The index is derived data: everything in it can be rebuilt from the
//! segments, and it is never the only copy of anything.
//! - Only the writer's sync stage writes it, after a round is durable in
//!   sled and in the acknowledgement journal, so it never names a record
//!   that could still be lost; each round is one atomic fjall batch that
//!   also moves `through` (the last record it covers, with its hash).
//! - It is not fsynced with the round: after a crash it may lag the log.
//!   Opening indexes the segments after `through` (a tail bounded by
//!   [`INDEX_PERSIST_INTERVAL`] of writes), after checking that the log
//!   holds `through` with the same hash. An index that names positions the
//!   log does not hold, names another hash, or cannot be read is not
//!   trusted: it is cleared and rebuilt from the log, with a warning.
//!
//! Keyspaces (all keys and values big-endian):
//! - `streams`: `len(stream) u16 ‖ stream ‖ version u64` → `position u64`
//! - `heads`: `stream` → `version u64` (a point read per stream per append)
//! - `commands`: `command id` → the [`CommandRecord`] (see `encode_record`)
//! - `meta`: `through` → `position u64 ‖ hash [32]`; `format` → [`FORMAT`]

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use fjall::{Database, Keyspace, KeyspaceCreateOptions, PersistMode};
use ledger_store::{
    CommandId, CommandRecord, Committed, Digest, Head, Position, StoreError, StreamId,
    StreamVersion,
};

/// The index's directory inside the log's directory.
pub const INDEX_DIR: &str = "index";
/// The index's own format; another value is rebuilt from the log.
const FORMAT: u8 = 1;
/// Block cache of the index, in bytes.
pub const INDEX_CACHE_BYTES: u64 = 64 * 1024 * 1024;
/// Most bytes one keyspace's memtable holds before it is written out.
pub const INDEX_MEMTABLE_BYTES: u64 = 8 * 1024 * 1024;
/// How often the writer fdatasyncs the index's journal: the most writes an
/// open after a power loss indexes again from the log. (After a process
/// crash nothing is lost: every batch reaches the OS when it commits.)
pub const INDEX_PERSIST_INTERVAL: Duration = Duration::from_millis(500);
/// Records indexed per fjall batch while catching up or rebuilding.
pub const INDEX_CATCH_UP_BATCH: usize = 16 * 1024;
/// The longest stream id or command id the index keys (the store refuses
/// longer ones at validation; this is only a guard on the key layout).
const MAX_KEY_PART: usize = u16::MAX as usize;

fn broken(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Io(format!("index {what}: {e}"))
}

/// The on-disk indexes of one log.
pub(crate) struct Index {
    db: Database,
    streams: Keyspace,
    heads: Keyspace,
    commands: Keyspace,
    meta: Keyspace,
}

/// The index entries of one or more batches, written at once.
#[derive(Default)]
pub(crate) struct IndexBatch {
    pub records: Vec<(StreamId, StreamVersion, Position)>,
    pub commands: Vec<(CommandId, CommandRecord)>,
    /// The last record these entries cover.
    pub head: Option<Head>,
}

impl IndexBatch {
    pub fn is_empty(&self) -> bool {
        self.records.is_empty() && self.commands.is_empty() && self.head.is_none()
    }
}

fn stream_prefix(stream_id: &StreamId) -> Vec<u8> {
    let id = stream_id.0.as_bytes();
    assert!(id.len() <= MAX_KEY_PART, "stream ids are validated shorter");
    let mut key = Vec::with_capacity(2 + id.len() + 8);
    key.extend_from_slice(&(id.len() as u16).to_be_bytes());
    key.extend_from_slice(id);
    key
}

fn stream_key(stream_id: &StreamId, version: StreamVersion) -> Vec<u8> {
    let mut key = stream_prefix(stream_id);
    key.extend_from_slice(&version.0.to_be_bytes());
    key
}

fn u64_of(bytes: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(bytes.try_into().ok()?))
}

/// `fingerprint [32] ‖ first u64 ‖ last u64 ‖ n u32 ‖ n × (len u16 ‖ stream ‖ version u64)`
fn encode_record(record: &CommandRecord) -> Vec<u8> {
    let c = &record.committed;
    let mut out = Vec::with_capacity(52 + c.versions.len() * 48);
    out.extend_from_slice(&record.fingerprint.0);
    out.extend_from_slice(&c.first.0.to_be_bytes());
    out.extend_from_slice(&c.last.0.to_be_bytes());
    out.extend_from_slice(&(c.versions.len() as u32).to_be_bytes());
    for (stream_id, version) in &c.versions {
        out.extend_from_slice(&stream_prefix(stream_id));
        out.extend_from_slice(&version.0.to_be_bytes());
    }
    out
}

fn decode_record(bytes: &[u8]) -> Option<CommandRecord> {
    let mut rest = bytes;
    let mut take = |n: usize| -> Option<&[u8]> {
        if rest.len() < n {
            return None;
        }
        let (head, tail) = rest.split_at(n);
        rest = tail;
        Some(head)
    };
    let fingerprint = Digest(take(32)?.try_into().ok()?);
    let first = Position(u64_of(take(8)?)?);
    let last = Position(u64_of(take(8)?)?);
    let n = u32::from_be_bytes(take(4)?.try_into().ok()?);
    let mut versions = Vec::with_capacity(n.min(1024) as usize);
    for _ in 0..n {
        let len = u16::from_be_bytes(take(2)?.try_into().ok()?) as usize;
        let id = String::from_utf8(take(len)?.to_vec()).ok()?;
        let version = StreamVersion(u64_of(take(8)?)?);
        versions.push((StreamId(id), version));
    }
    if !rest.is_empty() {
        return None;
    }
    Some(CommandRecord {
        fingerprint,
        committed: Committed {
            first,
            last,
            versions,
            deduplicated: false,
        },
    })
}

fn encode_head(head: Head) -> [u8; 40] {
    let mut out = [0u8; 40];
    out[..8].copy_from_slice(&head.position.0.to_be_bytes());
    out[8..].copy_from_slice(&head.hash.0);
    out
}

fn decode_head(bytes: &[u8]) -> Option<Head> {
    if bytes.len() != 40 {
        return None;
    }
    Some(Head {
        position: Position(u64_of(&bytes[..8])?),
        hash: Digest(bytes[8..].try_into().ok()?),
    })
}

impl Index {
    /// Opens (creating if needed) the index in `<log>/index`. An index that
    /// cannot be opened is removed and created empty (it rebuilds from the
    /// log); the warning says so.
    pub fn open(log: &Path) -> Result<Index, StoreError> {
        let dir = log.join(INDEX_DIR);
        match Self::open_at(&dir) {
            Ok(index) => Ok(index),
            Err(e) => {
                tracing::warn!(error = %e, dir = %dir.display(), "the log's index cannot be opened: removing it; it is rebuilt from the log");
                std::fs::remove_dir_all(&dir).map_err(|e| broken("remove", e))?;
                Self::open_at(&dir)
            }
        }
    }

    fn open_at(dir: &Path) -> Result<Index, StoreError> {
        // fjall's recovery may panic on some damage: that is an index to
        // rebuild, not a crash of the caller.
        let opened = std::panic::catch_unwind(|| {
            Database::builder(dir)
                .cache_size(INDEX_CACHE_BYTES)
                .worker_threads(1)
                .open()
        })
        .map_err(|_| broken("open", "fjall's recovery panicked"))?
        .map_err(|e| broken("open", e))?;
        let db = opened;
        let keyspace = |name: &str| {
            db.keyspace(name, || {
                KeyspaceCreateOptions::default().max_memtable_size(INDEX_MEMTABLE_BYTES)
            })
            .map_err(|e| broken("open keyspace", e))
        };
        let index = Index {
            streams: keyspace("streams")?,
            heads: keyspace("heads")?,
            commands: keyspace("commands")?,
            meta: keyspace("meta")?,
            db,
        };
        let format = index.meta.get(b"format").map_err(|e| broken("read", e))?;
        match format.as_deref() {
            Some([FORMAT]) => {}
            None if index.through()?.is_none() => {
                index
                    .meta
                    .insert(&b"format"[..], &[FORMAT][..])
                    .map_err(|e| broken("write", e))?;
            }
            other => {
                tracing::warn!(format = ?other, "the log's index has another format: rebuilding it from the log");
                index.clear()?;
                index
                    .meta
                    .insert(&b"format"[..], &[FORMAT][..])
                    .map_err(|e| broken("write", e))?;
            }
        }
        Ok(index)
    }

    /// The last record the index covers (`None`: it covers nothing).
    pub fn through(&self) -> Result<Option<Head>, StoreError> {
        let Some(bytes) = self.meta.get(b"through").map_err(|e| broken("read", e))? else {
            return Ok(None);
        };
        decode_head(&bytes)
            .map(Some)
            .ok_or_else(|| broken("read", "`through` is not a head"))
    }

    /// Empties every keyspace (before a rebuild from the log).
    pub fn clear(&self) -> Result<(), StoreError> {
        for ks in [&self.streams, &self.heads, &self.commands, &self.meta] {
            ks.clear().map_err(|e| broken("clear", e))?;
        }
        self.meta
            .insert(&b"format"[..], &[FORMAT][..])
            .map_err(|e| broken("write", e))
    }

    pub fn version(&self, stream_id: &StreamId) -> Result<StreamVersion, StoreError> {
        let value = self
            .heads
            .get(stream_id.0.as_bytes())
            .map_err(|e| broken("read", e))?;
        match value {
            None => Ok(StreamVersion(0)),
            Some(v) => u64_of(&v)
                .map(StreamVersion)
                .ok_or_else(|| broken("read", format!("head of {stream_id} is not a version"))),
        }
    }

    pub fn command(&self, command_id: &CommandId) -> Result<Option<CommandRecord>, StoreError> {
        let value = self
            .commands
            .get(command_id.0.as_bytes())
            .map_err(|e| broken("read", e))?;
        match value {
            None => Ok(None),
            Some(v) => decode_record(&v).map(Some).ok_or_else(|| {
                broken(
                    "read",
                    format!("record of command {command_id} does not decode"),
                )
            }),
        }
    }

    /// Positions of `stream_id`'s records with version `>= from`, at most
    /// `max`, none after `head`.
    pub fn positions(
        &self,
        stream_id: &StreamId,
        from: StreamVersion,
        max: usize,
        head: Position,
    ) -> Result<Vec<u64>, StoreError> {
        let prefix = stream_prefix(stream_id);
        let start = stream_key(stream_id, StreamVersion(from.0.max(1)));
        let end = stream_key(stream_id, StreamVersion(u64::MAX));
        let mut out = Vec::new();
        for guard in self.streams.range(start..=end) {
            if out.len() >= max {
                break;
            }
            let (key, value) = guard.into_inner().map_err(|e| broken("read", e))?;
            if !key.starts_with(&prefix) {
                break;
            }
            let position = u64_of(&value)
                .ok_or_else(|| broken("read", format!("entry of {stream_id} is not a position")))?;
            if position > head.0 {
                break;
            }
            out.push(position);
        }
        Ok(out)
    }

    /// Writes `batch` atomically (not synced: see [`Index::persist`]).
    pub fn write(&self, batch: IndexBatch) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut heads: HashMap<&StreamId, StreamVersion> = HashMap::new();
        let mut b = self.db.batch();
        for (stream_id, version, position) in &batch.records {
            b.insert(
                &self.streams,
                stream_key(stream_id, *version),
                position.0.to_be_bytes(),
            );
            let v = heads.entry(stream_id).or_insert(*version);
            *v = (*v).max(*version);
        }
        for (stream_id, version) in heads {
            b.insert(&self.heads, stream_id.0.as_bytes(), version.0.to_be_bytes());
        }
        for (command_id, record) in &batch.commands {
            b.insert(
                &self.commands,
                command_id.0.as_bytes(),
                encode_record(record),
            );
        }
        if let Some(head) = batch.head {
            b.insert(&self.meta, &b"through"[..], &encode_head(head)[..]);
        }
        b.commit().map_err(|e| broken("write", e))
    }

    /// fdatasyncs the index's journal.
    pub fn persist(&self) -> Result<(), StoreError> {
        self.db
            .persist(PersistMode::SyncData)
            .map_err(|e| broken("persist", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> CommandRecord {
        CommandRecord {
            fingerprint: Digest([7; 32]),
            committed: Committed {
                first: Position(5),
                last: Position(7),
                versions: vec![
                    (StreamId("order-1".into()), StreamVersion(1)),
                    (StreamId("customer-é".into()), StreamVersion(42)),
                ],
                deduplicated: false,
            },
        }
    }

    #[test]
    fn a_command_record_round_trips_and_a_cut_one_does_not_decode() {
        let bytes = encode_record(&record());
        assert_eq!(decode_record(&bytes), Some(record()));
        assert_eq!(decode_record(&bytes[..bytes.len() - 1]), None);
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(decode_record(&longer), None);
    }

    #[test]
    fn entries_are_found_by_stream_and_version_and_not_past_the_head() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(dir.path()).unwrap();
        let a = StreamId("a".into());
        // "ab" shares a's bytes: the length prefix keeps them apart.
        let ab = StreamId("ab".into());
        let batch = IndexBatch {
            records: vec![
                (a.clone(), StreamVersion(1), Position(1)),
                (ab.clone(), StreamVersion(1), Position(2)),
                (a.clone(), StreamVersion(2), Position(3)),
                (a.clone(), StreamVersion(3), Position(4)),
            ],
            commands: vec![(CommandId("c1".into()), record())],
            head: Some(Head {
                position: Position(4),
                hash: Digest([1; 32]),
            }),
        };
        index.write(batch).unwrap();
        assert_eq!(index.version(&a).unwrap(), StreamVersion(3));
        assert_eq!(index.version(&ab).unwrap(), StreamVersion(1));
        assert_eq!(
            index.version(&StreamId("b".into())).unwrap(),
            StreamVersion(0)
        );
        assert_eq!(
            index
                .positions(&a, StreamVersion(1), 10, Position(4))
                .unwrap(),
            vec![1, 3, 4]
        );
        assert_eq!(
            index
                .positions(&a, StreamVersion(2), 1, Position(4))
                .unwrap(),
            vec![3]
        );
        assert_eq!(
            index
                .positions(&a, StreamVersion(1), 10, Position(3))
                .unwrap(),
            vec![1, 3]
        );
        assert_eq!(
            index.command(&CommandId("c1".into())).unwrap(),
            Some(record())
        );
        assert_eq!(index.command(&CommandId("c2".into())).unwrap(), None);
        assert_eq!(index.through().unwrap().unwrap().position, Position(4));
        drop(index);
        let reopened = Index::open(dir.path()).unwrap();
        assert_eq!(reopened.version(&a).unwrap(), StreamVersion(3));
        reopened.clear().unwrap();
        assert_eq!(reopened.through().unwrap(), None);
        assert_eq!(reopened.version(&a).unwrap(), StreamVersion(0));
    }

    #[test]
    fn an_index_that_cannot_be_opened_is_replaced_by_an_empty_one() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(INDEX_DIR)).unwrap();
        // Not a database: a file where fjall wants its own.
        let garbage = dir.path().join(INDEX_DIR).join("version");
        std::fs::write(&garbage, b"garbage").unwrap();
        let index = Index::open(dir.path()).unwrap();
        assert_eq!(index.through().unwrap(), None);
        // The unreadable index was removed, not opened around.
        assert_ne!(
            std::fs::read(&garbage).ok().as_deref(),
            Some(&b"garbage"[..])
        );
    }
}
