//! The durable [`EventStore`] on sled 0.34, with group commit.
//!
//! - One writer (a planner thread plus a sync thread, see `writer` for the
//!   batch policy), fed by a bounded queue ([`WRITE_QUEUE_CAPACITY`]),
//!   takes whatever appends are queued,
//!   checks them in order against the stream versions (including earlier
//!   appends of the same batch), seals their envelopes into the hash chain and
//!   writes ONE sled key per batch: a segment (see `segment`).
//! - Each batch is flushed and then fdatasynced (sled's own flush is not a
//!   real sync) and journaled before it is written to the on-disk index
//!   (`index`: streams, command ids, stream heads) and acknowledged:
//!   readers only ever see durable records.
//! - Memory does not grow with the log: the index lives on disk with a
//!   bounded cache ([`INDEX_CACHE_BYTES`]), sled's cache is set
//!   ([`Config::cache_capacity_bytes`]), and the writer's overlay holds only
//!   the batches in flight.
//! - On open only the segments after the index's last record are read and
//!   verified (a bounded tail); `audit verify` is the full check.
//! - If a batch cannot be made durable the store fails stop: that batch and
//!   every later append get [`StoreError::Unavailable`]; reopening recovers
//!   from disk.
//!
//! No sled type appears in this crate's API.
//!
//! [`raw`] exposes the segment format itself (parse and encode, on the
//! engine's own code) for forensics and tests: reading a damaged log
//! without the engine's checks, or tampering with one on purpose. It is
//! never for the write path.

mod acks;
mod index;
pub mod journal;
mod open;
pub mod raw;
mod recovery;
mod segment;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::thread::JoinHandle;

use async_trait::async_trait;
use ledger_store::{
    AppendRequest, CommandId, CommandRecord, Committed, EventStore, Head, Position, RecordedEvent,
    StoreError, StreamId, StreamVersion, MAX_READ_BATCH,
};
use tokio::sync::{mpsc, oneshot, watch};

pub use crate::index::{INDEX_CACHE_BYTES, INDEX_DIR, INDEX_PERSIST_INTERVAL};
pub use crate::journal::{AcceptedLoss, JOURNAL_FILE, JOURNAL_MAX_BYTES, MAX_ACCEPTED_LOSSES};
pub use crate::open::{accept_loss, journal_summary, AcceptLossError, Recovery};
use crate::segment::Segment;
use crate::writer::{Pending, Shared};
pub use crate::writer::{SyncObserver, SyncRound};

/// Appends that may wait for the writer; further appends wait to enqueue.
pub const WRITE_QUEUE_CAPACITY: usize = 8192;
/// Most appends one batch (one segment, one fdatasync) carries.
pub const MAX_BATCH_COMMANDS: usize = 2048;
/// About the most event bytes one batch carries. Kept well under sled 0.34's
/// blob threshold (a quarter of its 512 KiB segment size), so a segment is
/// written inline in sled's log.
pub const MAX_BATCH_BYTES: usize = 96 * 1024;
/// sled's page cache for the log, in bytes: reads are mostly of the tail.
pub const SLED_CACHE_BYTES: u64 = 64 * 1024 * 1024;
/// Name of the sled tree holding the segments (for tests that inspect disk).
#[doc(hidden)]
pub const SEGMENTS_TREE: &str = "segments";
/// Name of the sled tree holding the engine's own markers.
const META_TREE: &str = "meta";
/// Marker key: this log was created with (or has adopted) an
/// acknowledgement journal, so a missing journal is damage.
const JOURNAL_MARKER: &[u8] = b"ack-journal";

/// Tuning of a [`SledStore`].
#[derive(Clone, Debug)]
pub struct Config {
    /// Bound of the append queue (default [`WRITE_QUEUE_CAPACITY`]).
    pub queue_capacity: usize,
    /// Most appends per batch (default [`MAX_BATCH_COMMANDS`]).
    pub max_batch_commands: usize,
    /// About the most event bytes per batch (default [`MAX_BATCH_BYTES`]).
    pub max_batch_bytes: usize,
    /// sled's page cache size in bytes.
    pub cache_capacity_bytes: u64,
    /// Fault injection for tests only: after this many successful batch
    /// syncs, every fdatasync fails.
    #[doc(hidden)]
    pub fail_syncs_after: Option<u64>,
    /// Size past which the acknowledgement journal is compacted (default
    /// [`JOURNAL_MAX_BYTES`]).
    pub journal_max_bytes: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            queue_capacity: WRITE_QUEUE_CAPACITY,
            max_batch_commands: MAX_BATCH_COMMANDS,
            max_batch_bytes: MAX_BATCH_BYTES,
            cache_capacity_bytes: SLED_CACHE_BYTES,
            fail_syncs_after: None,
            journal_max_bytes: JOURNAL_MAX_BYTES,
        }
    }
}

/// A durable event store in a directory.
pub struct SledStore {
    shared: Arc<Shared>,
    tree: sled::Tree,
    sender: RwLock<Option<mpsc::Sender<Pending>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    path: PathBuf,
    recovery: Recovery,
}

fn io(context: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Io(format!("{context}: {e}"))
}

impl SledStore {
    /// Opens (creating if needed) the store in `path` with the default [`Config`].
    pub fn open(path: impl AsRef<Path>) -> Result<Arc<SledStore>, StoreError> {
        Self::open_with(path, Config::default())
    }

    /// Opens the store in `path`, rebuilding its indexes from disk and
    /// checking the log against the acknowledgement journal: a log that
    /// lacks acknowledged records is refused with
    /// [`StoreError::AcknowledgedMissing`], a missing or damaged journal
    /// with [`StoreError::Journal`] (see `open` for the rules).
    pub fn open_with(path: impl AsRef<Path>, config: Config) -> Result<Arc<SledStore>, StoreError> {
        let path = path.as_ref().to_path_buf();
        let opened = open::open(&path, &config)?;
        let open::Opened {
            db,
            tree,
            index,
            head,
            durability,
            journal,
            recovery,
        } = opened;
        let (head, _) = watch::channel(head);
        let shared = Arc::new(Shared {
            index,
            head,
            failed: AtomicBool::new(false),
            observer: std::sync::OnceLock::new(),
        });
        let (sender, receiver) = mpsc::channel(config.queue_capacity.max(1));
        let handle = writer::start(
            shared.clone(),
            tree.clone(),
            db,
            (durability, journal),
            receiver,
            config.max_batch_commands.max(1),
            config.max_batch_bytes.max(1),
        )
        .map_err(|e| io("spawn writer thread", e))?;
        Ok(Arc::new(SledStore {
            shared,
            tree,
            sender: RwLock::new(Some(sender)),
            writer: Mutex::new(Some(handle)),
            path,
            recovery,
        }))
    }

    /// Reports every sync round (batches, appends, events, queue wait,
    /// flush, fdatasync and journal times) to `observer`, on the sync
    /// thread. One observer per store: `false` if one was already set.
    pub fn observe(&self, observer: SyncObserver) -> bool {
        self.shared.observer.set(observer).is_ok()
    }

    /// What opening found when it checked the log against the journal.
    pub fn recovery(&self) -> &Recovery {
        &self.recovery
    }

    /// The directory this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Stops accepting appends, lets the writer finish everything already
    /// queued, and waits for it. Later appends get [`StoreError::Unavailable`].
    pub async fn close(&self) -> Result<(), StoreError> {
        if let Some(handle) = self.stop_writer() {
            let joined = tokio::task::spawn_blocking(move || handle.join())
                .await
                .map_err(|e| io("join writer", e))?;
            if joined.is_err() {
                return Err(StoreError::Unavailable("the writer panicked".into()));
            }
        }
        Ok(())
    }

    /// Closes the queue, which makes the writer drain what is queued and
    /// stop, and hands back its thread to join (once: later calls get none).
    fn stop_writer(&self) -> Option<JoinHandle<()>> {
        self.sender
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        self.writer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    /// The segment holding `position`.
    fn segment_at(&self, position: Position) -> Result<Segment<sled::IVec>, StoreError> {
        recovery::segment_at(&self.tree, position)
    }
}

impl Drop for SledStore {
    fn drop(&mut self) {
        if let Some(handle) = self.stop_writer() {
            if handle.join().is_err() {
                tracing::error!("the sled writer thread panicked");
            }
        }
    }
}

#[async_trait]
impl EventStore for SledStore {
    async fn append(&self, request: AppendRequest) -> Result<Committed, StoreError> {
        request.validate()?;
        if self.shared.failed.load(Ordering::Acquire) {
            return Err(StoreError::Unavailable(
                "an earlier batch failed to become durable".into(),
            ));
        }
        // Fast path for retries; the writer checks again (the index may move).
        if let Some(existing) = self.shared.index.command(&request.command.command_id)? {
            return writer::dedup(&existing, &request);
        }
        let sender = self
            .sender
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| StoreError::Unavailable("the store is closed".into()))?;
        let (reply, answer) = oneshot::channel();
        sender
            .send(Pending {
                request,
                reply,
                queued: std::time::Instant::now(),
            })
            .await
            .map_err(|_| StoreError::Unavailable("the writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Unavailable("the writer stopped before replying".into()))?
    }

    async fn read_stream(
        &self,
        stream_id: &StreamId,
        from: StreamVersion,
        max: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let head = self.head().position;
        let positions =
            self.shared
                .index
                .positions(stream_id, from, max.min(MAX_READ_BATCH), head)?;
        let mut out = Vec::with_capacity(positions.len());
        let mut current: Option<Segment<sled::IVec>> = None;
        for p in positions.into_iter().map(Position) {
            let seg = match current.take() {
                Some(seg) if seg.contains(p) => seg,
                _ => self.segment_at(p)?,
            };
            out.push(seg.checked_record(p)?);
            current = Some(seg);
        }
        Ok(out)
    }

    async fn stream_version(&self, stream_id: &StreamId) -> Result<StreamVersion, StoreError> {
        self.shared.index.version(stream_id)
    }

    async fn read_all(&self, from: Position, max: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        // Only published (durable) records: sled may already hold a batch
        // that is still being synced.
        let head = self.head().position;
        let from = Position(from.0.max(1));
        let max = max.min(MAX_READ_BATCH) as u64;
        if from > head || max == 0 {
            return Ok(Vec::new());
        }
        let end = Position(head.0.min(from.0.saturating_add(max - 1)));
        let start = self.segment_at(from)?.first;
        let mut out = Vec::with_capacity((end.0 - from.0 + 1) as usize);
        for item in self.tree.range(segment::key(start)..) {
            let (key, value) = item.map_err(|e| io("sled read", e))?;
            let expected = Position(from.0 + out.len() as u64);
            let first = segment::parse_key(&key).ok_or_else(|| StoreError::Corrupt {
                position: expected,
                reason: "segment key is not a position".into(),
            })?;
            let seg = Segment::parse(first, value)?;
            if !seg.contains(expected) {
                return Err(StoreError::Corrupt {
                    position: expected,
                    reason: format!("next segment starts at position {first}"),
                });
            }
            // Each record is checked against its successor's prev_hash (or
            // the segment's trailer): a damaged record is named, not served.
            let mut p = expected;
            let mut previous: Option<RecordedEvent> = None;
            while p <= end && seg.contains(p) {
                let record = seg.record(p)?;
                if let Some(prev) = previous.take() {
                    if record.prev_hash != prev.hash {
                        return Err(segment::unvouched(&prev, record.prev_hash));
                    }
                    out.push(prev);
                }
                previous = Some(record);
                p = p.next();
            }
            if let Some(last) = previous {
                seg.check_vouched(&last)?;
                out.push(last);
            }
            if p > end {
                return Ok(out);
            }
        }
        Err(StoreError::Corrupt {
            position: Position(from.0 + out.len() as u64),
            reason: "durable record missing from disk".into(),
        })
    }

    async fn command(&self, command_id: &CommandId) -> Result<Option<CommandRecord>, StoreError> {
        self.shared.index.command(command_id)
    }

    fn head(&self) -> Head {
        *self.shared.head.borrow()
    }

    fn watch_head(&self) -> watch::Receiver<Head> {
        self.shared.head.subscribe()
    }
}
