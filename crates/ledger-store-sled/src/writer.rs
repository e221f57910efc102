//! The single writer: group commit of queued appends into one segment each.
//!
//! Two stages, each its own thread, so sealing the next batch overlaps the
//! sync of the previous one:
//! - the planner takes batches off the bounded queue, checks and seals them
//!   against the durable index plus the batches still in flight, and writes
//!   each batch's segment to sled (not yet durable);
//! - the syncer takes every written batch waiting for it (up to
//!   [`PIPELINE_DEPTH`]), flushes sled and fdatasyncs its files ONCE for all
//!   of them, then publishes them to the index and replies, in order.
//!
//! Batch policy: the planner takes whatever is queued when it becomes free —
//! at least one append, at most `max_batch_commands` appends and about
//! `max_batch_bytes` of events — and never waits for a batch to fill. Under
//! light load every append is its own batch (latency = one flush + fdatasync);
//! under heavy load appends pile up during a sync and the next batch carries
//! them all, so one sled key and one fdatasync cover many commands.
//!
//! Every reply — conflicts and duplicates included — is sent by the syncer
//! after the batch (and so every batch before it) is durable AND the
//! acknowledgement journal records the round's last position (see
//! `Syncer::sync`): one sled fdatasync plus one journal fdatasync per sync
//! round, however many batches and appends the round carries.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ledger_codec::envelope;
use ledger_store::{
    AppendRequest, CommandId, CommandRecord, Committed, Digest, Head, Position, StoreError,
    StreamId, StreamVersion,
};
use tokio::sync::{mpsc, oneshot, watch};
use tracing::{debug, error};

use crate::index::{Index, IndexBatch, INDEX_PERSIST_INTERVAL};
use crate::journal::{Entry, Journal};
use crate::segment::{self, Guard, SegmentBuilder};

/// One queued append and where to send its outcome.
pub(crate) struct Pending {
    pub request: AppendRequest,
    pub reply: oneshot::Sender<Result<Committed, StoreError>>,
    /// When it was queued (for the queue wait the sync round reports).
    pub queued: Instant,
}

/// What one sync round (one flush + fdatasync + journal entry) carried and
/// took, for metrics: see [`crate::SledStore::observe`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyncRound {
    pub batches: usize,
    pub appends: usize,
    pub events: usize,
    /// Longest an append of the round waited in the queue for the planner.
    pub queue_wait: Duration,
    /// sled's `flush()`.
    pub flush: Duration,
    /// The fdatasync of sled's files.
    pub fdatasync: Duration,
    /// The acknowledgement journal's append and fdatasync.
    pub journal: Duration,
}

/// Told of every sync round, on the sync thread: keep it short.
pub type SyncObserver = Arc<dyn Fn(&SyncRound) + Send + Sync>;

/// State shared by the writer and the readers.
pub(crate) struct Shared {
    /// Durable records only: written after each round's fdatasync and
    /// journal entry, before its head is published.
    pub index: Index,
    pub head: watch::Sender<Head>,
    /// Set when a batch could not be made durable: nothing is acknowledged after.
    pub failed: AtomicBool,
    pub observer: OnceLock<SyncObserver>,
}

/// Makes sled's files durable: sled 0.34's `flush()` stops at `sync_file_range`.
pub(crate) struct Durability {
    /// sled 0.34.7 keeps its whole log in `<dir>/db`; values above its blob
    /// threshold (segment size / 4) go to `<dir>/blobs/<lsn>`, written without
    /// any sync. `conf` and `snap.*` are written by sled with `sync_all`.
    db_file: File,
    blobs_dir: PathBuf,
    synced_blobs: HashSet<OsString>,
    /// Fault injection for tests: syncs left before every sync fails.
    syncs_left: Option<u64>,
}

impl Durability {
    pub fn open(dir: &Path, fail_syncs_after: Option<u64>) -> std::io::Result<Durability> {
        let db_file = File::open(dir.join("db"))?;
        let mut durability = Durability {
            db_file,
            blobs_dir: dir.join("blobs"),
            synced_blobs: HashSet::new(),
            syncs_left: None,
        };
        durability.sync()?;
        // The files sled created on first open must be reachable after a crash.
        File::open(dir)?.sync_all()?;
        durability.syncs_left = fail_syncs_after;
        Ok(durability)
    }

    /// fdatasyncs every file holding log data written so far.
    pub fn sync(&mut self) -> std::io::Result<()> {
        if let Some(left) = self.syncs_left.as_mut() {
            if *left == 0 {
                return Err(std::io::Error::other("injected fdatasync failure"));
            }
            *left -= 1;
        }
        let mut new_blob = false;
        let mut present = HashSet::new();
        if let Ok(entries) = std::fs::read_dir(&self.blobs_dir) {
            for entry in entries {
                let name = entry?.file_name();
                if !self.synced_blobs.contains(&name) {
                    if !sync_blob(&self.blobs_dir.join(&name))? {
                        // Collected by sled between the listing and the
                        // open: as if it had not been listed.
                        continue;
                    }
                    new_blob = true;
                }
                present.insert(name);
            }
        }
        if new_blob {
            File::open(&self.blobs_dir)?.sync_all()?;
        }
        // Blobs sled has collected are gone: forget them.
        self.synced_blobs = present;
        self.db_file.sync_data()
    }
}
/// fdatasyncs one blob file; `false` when it no longer exists. sled
/// writes a page larger than its blob threshold (a leaf holding a big
/// segment) to a blob file and deletes the old blob once the page's newer
/// version is written, on its own threads: a blob listed a moment ago may
/// be gone. Its content is superseded, so there is nothing to make durable
/// (under load, failing the round for it stopped the store: "fdatasync: No
/// such file or directory").
fn sync_blob(path: &Path) -> std::io::Result<bool> {
    match File::open(path) {
        Ok(file) => file.sync_data().map(|()| true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Rough encoded size of an append, for the batch byte limit.
fn estimate(request: &AppendRequest) -> usize {
    let command = 96 + request.command.command_id.0.len() + request.command.actor.len();
    request
        .writes
        .iter()
        .flat_map(|w| w.events.iter().map(move |e| (w, e)))
        .map(|(w, e)| command + w.stream_id.0.len() + e.event_type.len() + e.payload.len())
        .sum()
}

/// The answer to a command id that is already committed.
pub(crate) fn dedup(
    existing: &CommandRecord,
    request: &AppendRequest,
) -> Result<Committed, StoreError> {
    if existing.fingerprint == request.command.fingerprint {
        Ok(Committed {
            deduplicated: true,
            ..existing.committed.clone()
        })
    } else {
        Err(StoreError::CommandIdReused {
            command_id: request.command.command_id.clone(),
        })
    }
}

fn unavailable(batch: Vec<Pending>, why: &str) {
    for pending in batch {
        let _ = pending
            .reply
            .send(Err(StoreError::Unavailable(why.to_string())));
    }
}

/// Committed batches that may wait for the syncer (planned while it syncs).
pub const PIPELINE_DEPTH: usize = 4;

/// How the writer answers one append of a batch.
enum Outcome {
    Reply(Result<Committed, StoreError>),
    Commit(CommandRecord),
}

/// A batch written to sled but not yet durable.
struct InFlight {
    batch: Vec<Pending>,
    outcomes: Vec<Outcome>,
    records: Vec<(StreamId, StreamVersion, Position)>,
    /// The head after this batch, when it wrote any record.
    head: Option<Head>,
    /// How long its oldest append waited in the queue.
    queue_wait: Duration,
}

/// Starts the two writer stages and returns the planner thread (which joins
/// the syncer when it stops).
pub(crate) fn start(
    shared: Arc<Shared>,
    tree: sled::Tree,
    db: sled::Db,
    (durability, journal): (Durability, Journal),
    receiver: mpsc::Receiver<Pending>,
    max_batch_commands: usize,
    max_batch_bytes: usize,
) -> std::io::Result<JoinHandle<()>> {
    let (to_sync, from_plan) = std::sync::mpsc::sync_channel(PIPELINE_DEPTH);
    let head = shared.head.borrow().to_owned();
    let syncer = Syncer {
        shared: shared.clone(),
        db,
        durability,
        journal,
        receiver: from_plan,
        persisted: Instant::now(),
    };
    let syncer = std::thread::Builder::new()
        .name("ledger-sled-sync".into())
        .spawn(move || syncer.run())?;
    let planner = Planner {
        shared,
        tree,
        receiver,
        to_sync,
        max_batch_commands,
        max_batch_bytes,
        carry: None,
        position: head.position,
        prev_hash: head.hash,
        versions: HashMap::new(),
        commands: HashMap::new(),
    };
    std::thread::Builder::new()
        .name("ledger-sled-plan".into())
        .spawn(move || {
            planner.run();
            if syncer.join().is_err() {
                error!("the sled sync thread panicked");
            }
        })
}

/// Stage one: checks, sequences and seals batches and writes their segments
/// to sled (not yet durable). Its view runs ahead of the published index by
/// the batches in flight, kept in `versions` / `commands` until published.
struct Planner {
    shared: Arc<Shared>,
    tree: sled::Tree,
    receiver: mpsc::Receiver<Pending>,
    to_sync: SyncSender<InFlight>,
    max_batch_commands: usize,
    max_batch_bytes: usize,
    carry: Option<Pending>,
    /// Last planned position and its hash.
    position: Position,
    prev_hash: Digest,
    /// Versions and commands of planned, not yet published, batches, with
    /// the last position of the batch that set them.
    versions: HashMap<StreamId, (StreamVersion, Position)>,
    commands: HashMap<CommandId, (CommandRecord, Position)>,
}

impl Planner {
    fn run(mut self) {
        while let Some(batch) = self.next_batch() {
            self.plan_batch(batch);
        }
        debug!("segment planner stopped");
    }

    fn next_batch(&mut self) -> Option<Vec<Pending>> {
        let first = match self.carry.take() {
            Some(pending) => pending,
            None => self.receiver.blocking_recv()?,
        };
        let mut bytes = estimate(&first.request);
        let mut batch = vec![first];
        while batch.len() < self.max_batch_commands && bytes < self.max_batch_bytes {
            let Ok(pending) = self.receiver.try_recv() else {
                break;
            };
            let size = estimate(&pending.request);
            if bytes + size > self.max_batch_bytes {
                self.carry = Some(pending);
                break;
            }
            bytes += size;
            batch.push(pending);
        }
        Some(batch)
    }

    fn plan_batch(&mut self, batch: Vec<Pending>) {
        let queue_wait = batch
            .iter()
            .map(|p| p.queued.elapsed())
            .max()
            .unwrap_or_default();
        if self.shared.failed.load(Ordering::Acquire) {
            return unavailable(batch, "an earlier batch failed to become durable");
        }
        // What the index already shows needs no overlay any more.
        let published = self.shared.head.borrow().position;
        self.versions.retain(|_, (_, at)| *at > published);
        self.commands.retain(|_, (_, at)| *at > published);

        let shared = self.shared.clone();
        let index = &shared.index;
        let before = self.position;
        let mut segment = SegmentBuilder::with_capacity(self.max_batch_bytes);
        let mut records = Vec::new();
        let outcomes: Vec<Outcome> = batch
            .iter()
            .map(|p| {
                self.plan(index, &p.request, &mut segment, &mut records)
                    .unwrap_or_else(|e| Outcome::Reply(Err(e)))
            })
            .collect();

        let mut head = None;
        if segment.count() > 0 {
            assert_eq!(
                self.position.0 - before.0,
                u64::from(segment.count()),
                "batch positions must be contiguous"
            );
            assert_eq!(records.len(), segment.count() as usize);
            let first = before.next();
            let events = segment.count();
            let value = segment.finish(self.prev_hash);
            let bytes = value.len();
            if let Err(e) = self.tree.insert(segment::key(first), value) {
                error!(error = %e, first = first.0, "sled insert failed; refusing all further writes");
                self.shared.failed.store(true, Ordering::Release);
                return unavailable(batch, &format!("sled insert: {e}"));
            }
            debug!(
                first = first.0,
                commands = batch.len(),
                events,
                bytes,
                "segment written"
            );
            head = Some(Head {
                position: self.position,
                hash: self.prev_hash,
            });
        }
        let flight = InFlight {
            batch,
            outcomes,
            records,
            head,
            queue_wait,
        };
        if let Err(std::sync::mpsc::SendError(flight)) = self.to_sync.send(flight) {
            self.shared.failed.store(true, Ordering::Release);
            unavailable(flight.batch, "the sync thread has stopped");
        }
    }

    fn version(&self, index: &Index, stream_id: &StreamId) -> Result<StreamVersion, StoreError> {
        match self.versions.get(stream_id) {
            Some((v, _)) => Ok(*v),
            None => index.version(stream_id),
        }
    }

    fn plan(
        &mut self,
        index: &Index,
        request: &AppendRequest,
        segment: &mut SegmentBuilder,
        batch_records: &mut Vec<(StreamId, StreamVersion, Position)>,
    ) -> Result<Outcome, StoreError> {
        let command = &request.command;
        let known = match self.commands.get(&command.command_id) {
            Some((record, _)) => Some(record.clone()),
            None => index.command(&command.command_id)?,
        };
        if let Some(existing) = known {
            // Replied after this batch syncs, so after the original did.
            return Ok(Outcome::Reply(dedup(&existing, request)));
        }
        for write in &request.writes {
            let actual = self.version(index, &write.stream_id)?;
            if !write.expected.admits(actual) {
                return Ok(Outcome::Reply(Err(StoreError::Conflict {
                    stream_id: write.stream_id.clone(),
                    expected: write.expected,
                    actual,
                })));
            }
        }
        // Seal into locals first: a record that cannot be encoded rejects
        // this append alone and leaves the batch untouched.
        let first = self.position.next();
        let mut position = self.position;
        let mut prev_hash = self.prev_hash;
        let mut envelopes = Vec::new();
        let mut records = Vec::new();
        let mut versions = Vec::with_capacity(request.writes.len());
        let mut guards = Vec::new();
        for (write_index, write) in request.writes.iter().enumerate() {
            let mut version = self.version(index, &write.stream_id)?;
            for data in &write.events {
                position = position.next();
                version = version.next();
                let sealed = envelope::seal(
                    position,
                    &write.stream_id,
                    version,
                    command,
                    data,
                    prev_hash,
                );
                let (bytes, record) = match sealed {
                    Ok(sealed) => sealed,
                    Err(e) => return Ok(Outcome::Reply(Err(e.into()))),
                };
                prev_hash = record.hash;
                envelopes.push(bytes);
                records.push((write.stream_id.clone(), version, position));
            }
            if write.events.is_empty() {
                guards.push(Guard {
                    command_first: first,
                    write_index: u32::try_from(write_index).expect("writes are limited"),
                    stream_id: write.stream_id.clone(),
                    version,
                });
            }
            versions.push((write.stream_id.clone(), version));
        }
        for bytes in &envelopes {
            segment.push(bytes);
        }
        for guard in guards {
            segment.push_guard(guard);
        }
        for (stream_id, version) in &versions {
            self.versions
                .insert(stream_id.clone(), (*version, position));
        }
        batch_records.extend(records);
        self.position = position;
        self.prev_hash = prev_hash;
        let record = CommandRecord {
            fingerprint: command.fingerprint,
            committed: Committed {
                first,
                last: position,
                versions,
                deduplicated: false,
            },
        };
        self.commands
            .insert(command.command_id.clone(), (record.clone(), position));
        Ok(Outcome::Commit(record))
    }
}

/// Most in-flight batches one flush + fdatasync covers.
const MAX_SYNC_GROUP: usize = PIPELINE_DEPTH;

/// Stage two: makes written batches durable, then publishes and replies, in
/// planning order.
struct Syncer {
    shared: Arc<Shared>,
    db: sled::Db,
    durability: Durability,
    journal: Journal,
    receiver: Receiver<InFlight>,
    /// When the index's journal was last fdatasynced.
    persisted: Instant,
}

impl Syncer {
    fn run(mut self) {
        while let Ok(first) = self.receiver.recv() {
            let mut group = vec![first];
            while group.len() < MAX_SYNC_GROUP {
                match self.receiver.try_recv() {
                    Ok(flight) => group.push(flight),
                    Err(_) => break,
                }
            }
            if self.shared.failed.load(Ordering::Acquire) {
                for flight in group {
                    unavailable(flight.batch, "an earlier batch failed to become durable");
                }
                continue;
            }
            if let Some(head) = group.iter().rev().find_map(|f| f.head) {
                if let Err(e) = self.sync(&group, head) {
                    error!(error = %e, "batch not durable; refusing all further writes");
                    self.shared.failed.store(true, Ordering::Release);
                    for flight in group {
                        unavailable(flight.batch, &format!("batch not durable: {e}"));
                    }
                    continue;
                }
            }
            // The index learns the group's records only now that they are
            // durable; it is derived data, rebuilt from the log's tail if
            // this write is lost in a crash.
            if let Err(e) = self.index(&group) {
                error!(error = %e, "index write failed; refusing all further writes");
                self.shared.failed.store(true, Ordering::Release);
                for flight in group {
                    unavailable(flight.batch, &format!("index write: {e}"));
                }
                continue;
            }
            // ACKNOWLEDGEMENT happens here, and only here: `publish` makes
            // the group's records readable and sends every reply, after
            // `sync` made them durable in sled and in the journal.
            for flight in group {
                self.publish(flight);
            }
            // Bounds what an open after a power loss indexes again.
            if self.persisted.elapsed() >= INDEX_PERSIST_INTERVAL {
                if let Err(e) = self.shared.index.persist() {
                    error!(error = %e, "index persist failed; refusing all further writes");
                    self.shared.failed.store(true, Ordering::Release);
                }
                self.persisted = Instant::now();
            }
        }
        debug!("segment syncer stopped");
    }

    /// Makes the group durable, then journals `head` (its last record).
    fn sync(&mut self, group: &[InFlight], head: Head) -> Result<(), String> {
        let started = Instant::now();
        self.db.flush().map_err(|e| format!("sled flush: {e}"))?;
        let flushed = Instant::now();
        // DURABILITY: sled 0.34's flush() above only issues sync_file_range,
        // which neither flushes the disk's write cache nor persists file
        // metadata. fdatasync sled's log file (and any new blob file) here;
        // only after this returns are the batches published and acknowledged.
        self.durability
            .sync()
            .map_err(|e| format!("fdatasync: {e}"))?;
        let synced = Instant::now();
        // ACKNOWLEDGEMENT PROOF: one journal entry for the whole round (the
        // last position of its last batch and that record's chain hash),
        // fdatasynced before any append of the round is acknowledged. A
        // crash before it returns leaves durable, chained records that were
        // never acknowledged: recovery keeps them and says so. A failure
        // (disk full) fails the store stop, like a failed fdatasync.
        self.journal
            .append(Entry::Acked(head))
            .map_err(|e| format!("acknowledgement journal: {e}"))?;
        let round = SyncRound {
            batches: group.len(),
            appends: group.iter().map(|f| f.batch.len()).sum(),
            events: group.iter().map(|f| f.records.len()).sum(),
            queue_wait: group.iter().map(|f| f.queue_wait).max().unwrap_or_default(),
            flush: flushed - started,
            fdatasync: synced - flushed,
            journal: synced.elapsed(),
        };
        debug!(
            batches = round.batches,
            commands = round.appends,
            events = round.events,
            queue_wait_us = round.queue_wait.as_micros() as u64,
            flush_us = round.flush.as_micros() as u64,
            sync_us = round.fdatasync.as_micros() as u64,
            journal_us = round.journal.as_micros() as u64,
            "batches durable"
        );
        if let Some(observer) = self.shared.observer.get() {
            observer(&round);
        }
        Ok(())
    }

    /// Writes the group's index entries (one atomic batch).
    fn index(&self, group: &[InFlight]) -> Result<(), StoreError> {
        let mut batch = IndexBatch::default();
        let mut next = self.shared.head.borrow().position.next();
        for flight in group {
            let Some(head) = flight.head else { continue };
            for record in &flight.records {
                assert_eq!(record.2, next, "indexed positions must be contiguous");
                next = next.next();
            }
            assert_eq!(head.position.next(), next, "head must name the last record");
            batch.records.extend(flight.records.iter().cloned());
            for (pending, outcome) in flight.batch.iter().zip(&flight.outcomes) {
                if let Outcome::Commit(record) = outcome {
                    let id = pending.request.command.command_id.clone();
                    batch.commands.push((id, record.clone()));
                }
            }
            batch.head = Some(head);
        }
        self.shared.index.write(batch)
    }

    fn publish(&self, flight: InFlight) {
        if let Some(head) = flight.head {
            self.shared.head.send_replace(head);
        }
        for (pending, outcome) in flight.batch.into_iter().zip(flight.outcomes) {
            let reply = match outcome {
                Outcome::Reply(result) => result,
                Outcome::Commit(record) => Ok(record.committed),
            };
            let _ = pending.reply.send(reply);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blob_collected_before_its_sync_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let kept = dir.path().join("kept");
        std::fs::write(&kept, b"blob").unwrap();
        assert!(sync_blob(&kept).unwrap());
        assert!(!sync_blob(&dir.path().join("collected")).unwrap());
    }
}
