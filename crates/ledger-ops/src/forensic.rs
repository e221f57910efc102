//! Reading a damaged log: the sled engine's segments without its recovery.
//!
//! The engine refuses to open a log that does not decode, count up or
//! chain (`StoreError::Corrupt`). `audit verify` then reads the segments
//! through the engine's own parser without its checks
//! ([`ledger_store_sled::raw`]), and walks what it finds with the same
//! audit, so the report names the first bad record and its stream.
//!
//! Nothing here writes to the log.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::watch;

use ledger_codec::envelope;
use ledger_store::{
    AppendRequest, CommandId, CommandRecord, Committed, Digest, EventStore, Head, Position,
    RecordedEvent, StoreError, StreamId, StreamVersion, MAX_READ_BATCH,
};
use ledger_store_sled::raw::RawSegment;
use ledger_store_sled::SEGMENTS_TREE;

use crate::OpsError;

/// Attempts at taking sled's lock on a log the engine just closed,
/// [`OPEN_LOCK_RETRY_MS`] apart.
pub const OPEN_LOCK_ATTEMPTS: u32 = 100;
pub const OPEN_LOCK_RETRY_MS: u64 = 10;

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
            // sled's recovery panics on some damage: the log is unreadable.
            let opened = std::panic::catch_unwind(|| sled::Config::new().path(log).open())
                .map_err(|_| {
                    OpsError::Store(StoreError::Corrupt {
                        position: Position::ORIGIN,
                        reason: "the storage engine's recovery panicked reading its files".into(),
                    })
                })?;
            match opened {
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
            let first = RawSegment::parse_key(&key)
                .ok_or_else(|| corrupt(position, "segment key is not a position"))?;
            let seg = RawSegment::parse(first, &value)
                .map_err(|e| corrupt(first.max(position), e.reason))?;
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
    let first = RawSegment::parse_key(&key)?;
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
