//! The single writer: group commit of queued appends into one segment each.
//!
//! Batch policy: the writer takes whatever is queued when it becomes free —
//! at least one append, at most `max_batch_commands` appends and about
//! `max_batch_bytes` of events — and never waits for a batch to fill. Under
//! light load every append is its own batch (latency = one flush + fdatasync);
//! under heavy load appends pile up during a sync and the next batch carries
//! them all, so one sled key and one fdatasync cover many commands.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use ledger_codec::envelope;
use ledger_store::{
    AppendRequest, CommandId, CommandRecord, Committed, Digest, Head, Position, StoreError,
    StreamId, StreamVersion,
};
use tokio::sync::{mpsc, oneshot, watch};
use tracing::{debug, error};

use crate::index::Index;
use crate::segment::{self, Guard, SegmentBuilder};

/// One queued append and where to send its outcome.
pub(crate) struct Pending {
    pub request: AppendRequest,
    pub reply: oneshot::Sender<Result<Committed, StoreError>>,
}

/// State shared by the writer and the readers.
pub(crate) struct Shared {
    /// Durable records only: updated after each batch's fdatasync.
    pub index: RwLock<Index>,
    pub head: watch::Sender<Head>,
    /// Set when a batch could not be made durable: nothing is acknowledged after.
    pub failed: AtomicBool,
}

/// Makes sled's files durable: sled 0.34's `flush()` stops at `sync_file_range`.
pub(crate) struct Durability {
    /// sled 0.34.7 keeps its whole log in `<dir>/db`; values above its blob
    /// threshold (segment size / 4) go to `<dir>/blobs/<lsn>`, written without
    /// any sync. `conf` and `snap.*` are written by sled with `sync_all`.
    db_file: File,
    blobs_dir: PathBuf,
    synced_blobs: HashSet<OsString>,
}

impl Durability {
    pub fn open(dir: &Path) -> std::io::Result<Durability> {
        let db_file = File::open(dir.join("db"))?;
        let mut durability = Durability {
            db_file,
            blobs_dir: dir.join("blobs"),
            synced_blobs: HashSet::new(),
        };
        durability.sync()?;
        // The files sled created on first open must be reachable after a crash.
        File::open(dir)?.sync_all()?;
        Ok(durability)
    }

    /// fdatasyncs every file holding log data written so far.
    pub fn sync(&mut self) -> std::io::Result<()> {
        let mut new_blob = false;
        let mut present = HashSet::new();
        if let Ok(entries) = std::fs::read_dir(&self.blobs_dir) {
            for entry in entries {
                let name = entry?.file_name();
                if !self.synced_blobs.contains(&name) {
                    File::open(self.blobs_dir.join(&name))?.sync_data()?;
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

/// How the writer answers one append of a batch.
enum Outcome {
    Reply(Result<Committed, StoreError>),
    Commit {
        fingerprint: Digest,
        committed: Committed,
    },
    /// Same command as the (committing) append at this index in the batch.
    DuplicateOf(usize),
}

pub(crate) struct Writer {
    pub shared: Arc<Shared>,
    pub tree: sled::Tree,
    pub db: sled::Db,
    pub durability: Durability,
    pub receiver: mpsc::Receiver<Pending>,
    pub max_batch_commands: usize,
    pub max_batch_bytes: usize,
    pub carry: Option<Pending>,
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

/// The batch being planned: versions and commands as they will be after it.
struct Plan<'a> {
    index: &'a Index,
    position: Position,
    prev_hash: Digest,
    versions: HashMap<StreamId, StreamVersion>,
    commands: HashMap<CommandId, usize>,
    segment: SegmentBuilder,
    records: Vec<(StreamId, StreamVersion, Position)>,
}

impl Plan<'_> {
    fn version(&self, stream_id: &StreamId) -> StreamVersion {
        self.versions
            .get(stream_id)
            .copied()
            .unwrap_or_else(|| self.index.version(stream_id))
    }

    fn plan(&mut self, i: usize, request: &AppendRequest, outcomes: &[Outcome]) -> Outcome {
        let command = &request.command;
        if let Some(&j) = self.commands.get(&command.command_id) {
            return match &outcomes[j] {
                Outcome::Commit { fingerprint, .. } if *fingerprint == command.fingerprint => {
                    Outcome::DuplicateOf(j)
                }
                _ => Outcome::Reply(Err(StoreError::CommandIdReused {
                    command_id: command.command_id.clone(),
                })),
            };
        }
        if let Some(existing) = self.index.command(&command.command_id) {
            return Outcome::Reply(dedup(existing, request));
        }
        for write in &request.writes {
            let actual = self.version(&write.stream_id);
            if !write.expected.admits(actual) {
                return Outcome::Reply(Err(StoreError::Conflict {
                    stream_id: write.stream_id.clone(),
                    expected: write.expected,
                    actual,
                }));
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
            let mut version = self.version(&write.stream_id);
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
                    Err(e) => return Outcome::Reply(Err(e.into())),
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
            self.segment.push(bytes);
        }
        for guard in guards {
            self.segment.push_guard(guard);
        }
        for (stream_id, version) in &versions {
            self.versions.insert(stream_id.clone(), *version);
        }
        self.records.extend(records);
        self.position = position;
        self.prev_hash = prev_hash;
        self.commands.insert(command.command_id.clone(), i);
        Outcome::Commit {
            fingerprint: command.fingerprint,
            committed: Committed {
                first,
                last: position,
                versions,
                deduplicated: false,
            },
        }
    }
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

impl Writer {
    /// Runs until every sender is gone and the queue is drained.
    pub fn run(mut self) {
        while let Some(batch) = self.next_batch() {
            self.commit(batch);
        }
        debug!("segment writer stopped");
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

    fn commit(&mut self, batch: Vec<Pending>) {
        if self.shared.failed.load(Ordering::Acquire) {
            return unavailable(batch, "an earlier batch failed to become durable");
        }
        let Ok(index) = self.shared.index.read() else {
            return unavailable(batch, "index poisoned");
        };
        let head = index.head();
        let mut plan = Plan {
            index: &index,
            position: head.position,
            prev_hash: head.hash,
            versions: HashMap::new(),
            commands: HashMap::new(),
            segment: SegmentBuilder::with_capacity(self.max_batch_bytes),
            records: Vec::new(),
        };
        let mut outcomes = Vec::with_capacity(batch.len());
        for (i, pending) in batch.iter().enumerate() {
            let outcome = plan.plan(i, &pending.request, &outcomes);
            outcomes.push(outcome);
        }
        let Plan {
            segment: builder,
            records,
            position: last,
            prev_hash: last_hash,
            ..
        } = plan;
        drop(index);

        if builder.count() > 0 {
            let first = head.position.next();
            assert_eq!(
                last.0 - head.position.0,
                u64::from(builder.count()),
                "batch positions must be contiguous"
            );
            assert_eq!(records.len() as u64, u64::from(builder.count()));
            let events = builder.count();
            let value = builder.finish(last_hash);
            let bytes = value.len();
            if let Err(e) = self.write_durably(first, value, events, bytes) {
                error!(error = %e, first = first.0, "batch not durable; refusing all further writes");
                self.shared.failed.store(true, Ordering::Release);
                return unavailable(batch, &format!("batch not durable: {e}"));
            }
            self.publish(
                &records,
                &batch,
                &outcomes,
                Head {
                    position: last,
                    hash: last_hash,
                },
            );
        }
        for (pending, outcome) in batch.into_iter().zip(&outcomes) {
            let reply = match outcome {
                Outcome::Reply(result) => result.clone(),
                Outcome::Commit { committed, .. } => Ok(committed.clone()),
                Outcome::DuplicateOf(j) => match &outcomes[*j] {
                    Outcome::Commit { committed, .. } => Ok(Committed {
                        deduplicated: true,
                        ..committed.clone()
                    }),
                    _ => unreachable!("duplicates point at commits"),
                },
            };
            let _ = pending.reply.send(reply);
        }
    }

    fn write_durably(
        &mut self,
        first: Position,
        value: Vec<u8>,
        events: u32,
        bytes: usize,
    ) -> Result<(), String> {
        let started = Instant::now();
        self.tree
            .insert(segment::key(first), value)
            .map_err(|e| format!("sled insert: {e}"))?;
        self.db.flush().map_err(|e| format!("sled flush: {e}"))?;
        let flushed = Instant::now();
        // DURABILITY: sled 0.34's flush() above only issues sync_file_range,
        // which neither flushes the disk's write cache nor persists file
        // metadata. fdatasync sled's log file (and any new blob file) here;
        // only after this returns is the batch published and acknowledged.
        self.durability
            .sync()
            .map_err(|e| format!("fdatasync: {e}"))?;
        debug!(
            first = first.0,
            events,
            bytes,
            flush_us = (flushed - started).as_micros() as u64,
            sync_us = flushed.elapsed().as_micros() as u64,
            "segment durable"
        );
        Ok(())
    }

    fn publish(
        &self,
        records: &[(StreamId, StreamVersion, Position)],
        batch: &[Pending],
        outcomes: &[Outcome],
        head: Head,
    ) {
        {
            let mut index = self
                .shared
                .index
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for (stream_id, version, position) in records {
                index.push_record(stream_id, *version, *position);
            }
            index.set_head(head);
            for (pending, outcome) in batch.iter().zip(outcomes) {
                if let Outcome::Commit {
                    fingerprint,
                    committed,
                } = outcome
                {
                    let record = CommandRecord {
                        fingerprint: *fingerprint,
                        committed: committed.clone(),
                    };
                    index.insert_command(pending.request.command.command_id.clone(), record);
                }
            }
        }
        self.shared.head.send_replace(head);
    }
}
