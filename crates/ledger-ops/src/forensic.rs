//! Reading a damaged log: the sled engine's segments without its recovery.
//!
//! The engine refuses to open a log that does not decode, count up or
//! chain (`StoreError::Corrupt`). `audit verify` then reads the segments
//! itself, as the engine lays them out (see `ARCHITECTURE.md`, "The sled
//! engine's on-disk layout"), and walks what it finds with the same
//! audit, so the report names the first bad record and its stream.
//!
//! Nothing here writes to the log. [`RawSegment::encode`] exists for tamper
//! tests, which rewrite segments on purpose.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::watch;

use ledger_codec::envelope;
use ledger_store::{
    AppendRequest, CommandId, CommandRecord, Committed, Digest, EventStore, Head, Position,
    RecordedEvent, StoreError, StreamId, StreamVersion, MAX_READ_BATCH,
};
use ledger_store_sled::SEGMENTS_TREE;

use crate::OpsError;

const SEGMENT_FORMAT: u8 = 1;
/// Attempts at taking sled's lock on a log the engine just closed,
/// [`OPEN_LOCK_RETRY_MS`] apart.
pub const OPEN_LOCK_ATTEMPTS: u32 = 100;
pub const OPEN_LOCK_RETRY_MS: u64 = 10;
const HEADER_LEN: usize = 1 + 4 + 32;

/// A zero-event version check stored in a segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawGuard {
    pub command_first: Position,
    pub write_index: u32,
    pub version: StreamVersion,
    pub stream_id: StreamId,
}

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

impl RawSegment {
    /// The sled key of a segment.
    pub fn key(first: Position) -> [u8; 8] {
        first.0.to_be_bytes()
    }

    /// Parses a stored segment; the error says what is wrong with it.
    pub fn parse(first: Position, bytes: &[u8]) -> Result<RawSegment, String> {
        let mut c = Cursor { bytes, at: 0 };
        let header = c.take(HEADER_LEN).ok_or("segment header is truncated")?;
        if header[0] != SEGMENT_FORMAT {
            return Err(format!("segment has unknown format {}", header[0]));
        }
        let count = u32::from_le_bytes(header[1..5].try_into().expect("4 bytes"));
        let last_hash = Digest(header[5..HEADER_LEN].try_into().expect("32 bytes"));
        let mut envelopes = Vec::new();
        for _ in 0..count {
            let len = c.u32().ok_or("segment is truncated")? as usize;
            envelopes.push(c.take(len).ok_or("segment is truncated")?.to_vec());
        }
        let guard_count = c.u32().ok_or("segment guard table is truncated")?;
        let mut guards = Vec::new();
        for _ in 0..guard_count {
            let guard = (|| {
                let command_first = Position(c.u64()?);
                let write_index = c.u32()?;
                let version = StreamVersion(c.u64()?);
                let len = c.u32()? as usize;
                let id = std::str::from_utf8(c.take(len)?).ok()?;
                Some(RawGuard {
                    command_first,
                    write_index,
                    version,
                    stream_id: StreamId(id.to_owned()),
                })
            })()
            .ok_or("segment guard table is malformed")?;
            guards.push(guard);
        }
        if c.at != bytes.len() {
            return Err("segment has trailing bytes".into());
        }
        if envelopes.is_empty() {
            return Err("segment holds no records".into());
        }
        Ok(RawSegment {
            first,
            envelopes,
            last_hash,
            guards,
        })
    }

    /// The stored bytes of this segment.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![SEGMENT_FORMAT];
        out.extend_from_slice(&(self.envelopes.len() as u32).to_le_bytes());
        out.extend_from_slice(&self.last_hash.0);
        for e in &self.envelopes {
            out.extend_from_slice(&(e.len() as u32).to_le_bytes());
            out.extend_from_slice(e);
        }
        out.extend_from_slice(&(self.guards.len() as u32).to_le_bytes());
        for g in &self.guards {
            out.extend_from_slice(&g.command_first.0.to_le_bytes());
            out.extend_from_slice(&g.write_index.to_le_bytes());
            out.extend_from_slice(&g.version.0.to_le_bytes());
            let id = g.stream_id.as_str().as_bytes();
            out.extend_from_slice(&(id.len() as u32).to_le_bytes());
            out.extend_from_slice(id);
        }
        out
    }

    fn end(&self) -> Position {
        Position(self.first.0 + self.envelopes.len() as u64)
    }
}

fn corrupt(position: Position, reason: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        position,
        reason: reason.into(),
    }
}

fn sled_error(e: sled::Error) -> StoreError {
    StoreError::Io(format!("sled: {e}"))
}

/// A damaged log, read segment by segment in log order. Only `read_all`
/// and `head` answer (that is all an audit walk needs); records come back
/// as they are stored, with the hash their bytes give. A record that does
/// not decode, a segment that does not parse, or a last record whose hash
/// is not its segment's trailer is `Corrupt` at its position, after the
/// records before it have been returned.
pub struct RawLog {
    _db: sled::Db,
    tree: sled::Tree,
    head: watch::Sender<Head>,
}

impl RawLog {
    /// Opens the sled database in `log` (which must not be in use). The
    /// engine may just have let go of it after refusing it: sled releases
    /// a closed database's lock once its background i/o has finished, so
    /// taking the lock is retried, [`OPEN_LOCK_ATTEMPTS`] times.
    pub fn open(log: &Path) -> Result<Arc<RawLog>, OpsError> {
        let mut attempt = 1;
        let db = loop {
            match sled::Config::new().path(log).open() {
                Err(sled::Error::Io(e))
                    if e.to_string().contains("could not acquire lock")
                        && attempt < OPEN_LOCK_ATTEMPTS =>
                {
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_millis(OPEN_LOCK_RETRY_MS));
                }
                other => break other.map_err(|e| OpsError::Store(sled_error(e)))?,
            }
        };
        let tree = db
            .open_tree(SEGMENTS_TREE)
            .map_err(|e| OpsError::Store(sled_error(e)))?;
        let head = last_head(&tree).unwrap_or_default();
        let (head, _) = watch::channel(head);
        Ok(Arc::new(RawLog {
            _db: db,
            tree,
            head,
        }))
    }

    /// The segment holding `position`, or else the first one after it.
    fn segment_from(&self, position: Position) -> Result<Option<RawSegment>, StoreError> {
        let key = RawSegment::key(position);
        let candidates = [
            self.tree.range(..=key).next_back(),
            self.tree.range(key..).next(),
        ];
        for item in candidates.into_iter().flatten() {
            let (key, value) = item.map_err(sled_error)?;
            let first = key
                .as_ref()
                .try_into()
                .map(|k: [u8; 8]| Position(u64::from_be_bytes(k)))
                .map_err(|_| corrupt(position, "segment key is not a position"))?;
            let seg =
                RawSegment::parse(first, &value).map_err(|r| corrupt(first.max(position), r))?;
            if seg.end() > position {
                return Ok(Some(seg));
            }
        }
        Ok(None)
    }
}

/// The head of the last segment, if it decodes.
fn last_head(tree: &sled::Tree) -> Option<Head> {
    let (key, value) = tree.last().ok()??;
    let first = Position(u64::from_be_bytes(key.as_ref().try_into().ok()?));
    let seg = RawSegment::parse(first, &value).ok()?;
    let last = seg.envelopes.last()?;
    let record = envelope::open(last).ok()?;
    Some(Head {
        position: record.position,
        hash: record.hash,
    })
}

#[async_trait]
impl EventStore for RawLog {
    async fn append(&self, _request: AppendRequest) -> Result<Committed, StoreError> {
        Err(StoreError::Unavailable(
            "a forensic reader never writes".into(),
        ))
    }

    async fn read_stream(
        &self,
        _stream_id: &StreamId,
        _from: StreamVersion,
        _max: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        Err(StoreError::Unavailable(
            "a forensic reader reads in log order only".into(),
        ))
    }

    async fn stream_version(&self, _stream_id: &StreamId) -> Result<StreamVersion, StoreError> {
        Err(StoreError::Unavailable(
            "a forensic reader reads in log order only".into(),
        ))
    }

    async fn read_all(&self, from: Position, max: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        let from = Position(from.0.max(1));
        let max = max.min(MAX_READ_BATCH);
        let Some(seg) = self.segment_from(from)? else {
            return Ok(Vec::new());
        };
        // In a gap, the next segment's records come back as they are: the
        // walk then reports the missing position.
        let skip = from.0.saturating_sub(seg.first.0) as usize;
        let mut out = Vec::new();
        for (i, bytes) in seg.envelopes.iter().enumerate().skip(skip).take(max) {
            let at = Position(seg.first.0 + i as u64);
            let failure = match envelope::open(bytes) {
                Err(e) => Some(format!("record does not decode: {e}")),
                Ok(record) if i + 1 == seg.envelopes.len() && record.hash != seg.last_hash => {
                    Some(format!(
                        "record hash {} does not match the segment trailer {}",
                        record.hash, seg.last_hash
                    ))
                }
                Ok(record) => {
                    out.push(record);
                    None
                }
            };
            if let Some(reason) = failure {
                if out.is_empty() {
                    return Err(corrupt(at, reason));
                }
                break;
            }
        }
        Ok(out)
    }

    async fn command(&self, _command_id: &CommandId) -> Result<Option<CommandRecord>, StoreError> {
        Ok(None)
    }

    fn head(&self) -> Head {
        *self.head.borrow()
    }

    fn watch_head(&self) -> watch::Receiver<Head> {
        self.head.subscribe()
    }
}

/// The stream of the record at `position`, if it decodes.
pub async fn stream_at(log: &dyn EventStore, position: Position) -> Option<StreamId> {
    let batch = log.read_all(position, 1).await.ok()?;
    batch
        .into_iter()
        .next()
        .filter(|r| r.position == position)
        .map(|r| r.stream_id)
}

/// How a broken link between `position - 1` and `position` came about, as
/// far as the log tells: `Linked(r)` when the record at `position` names
/// the hash of an earlier record `r` (records were removed, reordered or
/// forged); `Altered` when the record at `position` is itself confirmed by
/// what follows it, so the one before it changed after it was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkBreak {
    Linked(Position),
    Altered,
    Unknown,
}

/// Explains a `prev_hash` mismatch at `position` (see [`LinkBreak`]).
pub async fn explain_link(
    log: &dyn EventStore,
    position: Position,
    recorded_prev: Digest,
) -> Result<LinkBreak, StoreError> {
    let mut at = Position(1);
    while at < position {
        let batch = log.read_all(at, MAX_READ_BATCH).await?;
        if batch.is_empty() {
            break;
        }
        if let Some(r) = batch
            .iter()
            .find(|r| r.position < position && r.hash == recorded_prev)
        {
            return Ok(LinkBreak::Linked(r.position));
        }
        // The walk proved the records before `position` contiguous.
        at = Position(at.0 + batch.len() as u64);
    }
    let here = log.read_all(position, 2).await?;
    let confirmed = match here.as_slice() {
        [record, next, ..] => next.prev_hash == record.hash,
        // The last record of its segment: the reader returned it, so the
        // segment's trailer confirms its hash.
        [_] => true,
        [] => false,
    };
    Ok(if confirmed {
        LinkBreak::Altered
    } else {
        LinkBreak::Unknown
    })
}
