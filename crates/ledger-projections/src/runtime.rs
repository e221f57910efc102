//! The projection runtime: catch up, follow, checkpoint, rebuild blue-green.
//!
//! Each projection keeps its read model in its own sled tree, one tree per
//! *generation*. The tree holds the model and its checkpoint (last applied
//! position), always written together in one atomic sled batch, so a crash
//! never applies an event twice or skips one. A rebuild fills a new
//! generation from position 1 while the active one keeps serving and
//! following the log, then swaps the active generation atomically.
//! Projections only write their own trees: applying (and so rebuilding)
//! never sends commands or fires timers.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use tokio::sync::{watch, Mutex};
use tracing::{debug, info};

use ledger_codec::payload::decode_event;
use ledger_codec::{Position, RecordedEvent};
use ledger_domain::Event;
use ledger_store::DynStore;

use crate::tx::{checkpoint, Tx};
use crate::ProjectionError;

/// Most events applied in one sled batch.
pub const APPLY_BATCH: usize = 1024;
/// Rounds a rebuild chases the moving head before it pauses the live
/// projection for the final stretch.
pub const MAX_REBUILD_ROUNDS: usize = 8;
/// Longest a query may wait for projections to reach a position.
pub const MAX_WAIT_MS: u64 = 10_000;
const META_TREE: &str = "projections.meta";
/// Attempts at taking sled's directory lock, [`OPEN_LOCK_RETRY_MS`] apart.
/// sled releases the lock of a closed database only once its background
/// I/O threads have finished, a moment after the handle is dropped.
pub const OPEN_LOCK_ATTEMPTS: u32 = 100;
pub const OPEN_LOCK_RETRY_MS: u64 = 10;

async fn open_db(dir: &Path) -> Result<sled::Db, ProjectionError> {
    let mut attempt = 1;
    loop {
        match sled::open(dir) {
            Err(sled::Error::Io(e))
                if e.to_string().contains("could not acquire lock")
                    && attempt < OPEN_LOCK_ATTEMPTS =>
            {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(OPEN_LOCK_RETRY_MS)).await;
            }
            other => return Ok(other?),
        }
    }
}

/// A read model kept from the log.
pub trait Projection: Send + Sync + 'static {
    /// Stable name, e.g. `orders`.
    fn name(&self) -> &'static str;
    /// Bump when the model's shape or meaning changes: the projection then
    /// rebuilds itself on the next start.
    fn version(&self) -> u32;
    /// Applies one event. Must be deterministic and touch only `tx`.
    fn apply(
        &self,
        tx: &mut Tx<'_>,
        record: &RecordedEvent,
        event: &Event,
    ) -> Result<(), ProjectionError>;
}

/// Where a projection stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectionStatus {
    pub name: &'static str,
    pub version: u32,
    pub generation: u64,
    pub checkpoint: Position,
    /// Log head minus checkpoint.
    pub lag: u64,
}

/// Progress of a rebuild, reported after every batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RebuildProgress {
    pub done: u64,
    pub total: u64,
    pub events_per_s: u64,
}

struct Slot {
    projection: Arc<dyn Projection>,
    active: RwLock<(u64, sled::Tree)>,
    checkpoint: watch::Sender<Position>,
    /// Held while applying to the active tree, and by a rebuild's swap.
    apply_lock: Mutex<()>,
    /// One rebuild at a time.
    rebuild_lock: Mutex<()>,
}

impl Slot {
    fn active_tree(&self) -> (u64, sled::Tree) {
        self.active.read().expect("active lock").clone()
    }
}

/// Runs a set of projections over one store.
pub struct Projector {
    db: sled::Db,
    meta: sled::Tree,
    store: DynStore,
    slots: BTreeMap<&'static str, Arc<Slot>>,
}

fn tree_name(name: &str, generation: u64) -> String {
    format!("projection.{name}.{generation}")
}

fn encode_meta(version: u32, generation: u64) -> [u8; 12] {
    let mut v = [0u8; 12];
    v[..4].copy_from_slice(&version.to_be_bytes());
    v[4..].copy_from_slice(&generation.to_be_bytes());
    v
}

fn decode_meta(v: &[u8]) -> Result<(u32, u64), ProjectionError> {
    let v: [u8; 12] = v
        .try_into()
        .map_err(|_| ProjectionError::Corrupt("projection meta is not 12 bytes".into()))?;
    let version = u32::from_be_bytes(v[..4].try_into().expect("4 bytes"));
    let generation = u64::from_be_bytes(v[4..].try_into().expect("8 bytes"));
    Ok((version, generation))
}

impl Projector {
    /// Opens the projections' sled database at `dir`. A projection whose
    /// version changed since it was last run is rebuilt before this returns.
    pub async fn open(
        dir: impl AsRef<Path>,
        store: DynStore,
        projections: Vec<Arc<dyn Projection>>,
    ) -> Result<Arc<Projector>, ProjectionError> {
        let db = open_db(dir.as_ref()).await?;
        let meta = db.open_tree(META_TREE)?;
        let mut slots = BTreeMap::new();
        let mut stale = Vec::new();
        for projection in projections {
            let name = projection.name();
            let (version, generation) = match meta.get(name)? {
                Some(v) => decode_meta(&v)?,
                None => {
                    meta.insert(name, &encode_meta(projection.version(), 1))?;
                    (projection.version(), 1)
                }
            };
            if version != projection.version() {
                stale.push(name);
            }
            let tree = db.open_tree(tree_name(name, generation))?;
            let (checkpoint, _) = watch::channel(checkpoint(&tree)?);
            let slot = Slot {
                projection,
                active: RwLock::new((generation, tree)),
                checkpoint,
                apply_lock: Mutex::new(()),
                rebuild_lock: Mutex::new(()),
            };
            if slots.insert(name, Arc::new(slot)).is_some() {
                return Err(ProjectionError::Corrupt(format!(
                    "projection {name} registered twice"
                )));
            }
        }
        let projector = Arc::new(Projector {
            db,
            meta,
            store,
            slots,
        });
        for (name, slot) in &projector.slots {
            projector.drop_stale_generations(name, slot.active_tree().0)?;
        }
        for name in stale {
            info!(projection = name, "version changed, rebuilding");
            projector.rebuild(name, |_| {}).await?;
        }
        Ok(projector)
    }

    /// Drops every generation of a projection but the active one: the one a
    /// previous rebuild replaced, or one an interrupted rebuild left behind.
    fn drop_stale_generations(&self, name: &str, active: u64) -> Result<(), ProjectionError> {
        let prefix = format!("projection.{name}.");
        for tree in self.db.tree_names() {
            let Some(generation) = std::str::from_utf8(&tree)
                .ok()
                .and_then(|t| t.strip_prefix(&prefix))
                .and_then(|g| g.parse::<u64>().ok())
            else {
                continue;
            };
            if generation != active {
                self.db.drop_tree(&tree)?;
            }
        }
        Ok(())
    }

    fn slot(&self, name: &str) -> Result<&Arc<Slot>, ProjectionError> {
        self.slots
            .get(name)
            .ok_or_else(|| ProjectionError::UnknownProjection(name.to_owned()))
    }

    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.slots.keys().copied()
    }

    /// The active tree of a projection, for queries.
    pub fn view(&self, name: &str) -> Result<sled::Tree, ProjectionError> {
        Ok(self.slot(name)?.active_tree().1)
    }

    /// SHA-256 over every key and value of a projection's active view, in
    /// key order (each as its length, big-endian u64, then its bytes),
    /// checkpoint included: two nodes, or a node and a fresh rebuild, that
    /// applied the same log answer the same digest. It reads the whole
    /// view (O(view), bounded memory): an operator's and a test's check,
    /// never a query path.
    pub fn content_digest(&self, name: &str) -> Result<[u8; 32], ProjectionError> {
        use sha2::{Digest as _, Sha256};
        let tree = self.view(name)?;
        let mut hasher = Sha256::new();
        for entry in tree.iter() {
            let (key, value) = entry?;
            for part in [&key[..], &value[..]] {
                hasher.update((part.len() as u64).to_be_bytes());
                hasher.update(part);
            }
        }
        Ok(hasher.finalize().into())
    }

    pub fn store(&self) -> &DynStore {
        &self.store
    }

    /// Applies everything committed so far to every projection.
    pub async fn catch_up(&self) -> Result<(), ProjectionError> {
        for slot in self.slots.values() {
            self.advance_active(slot).await?;
        }
        Ok(())
    }

    /// Follows the log until the store goes away or an error occurs: catch
    /// up, then apply each new commit as it becomes durable.
    pub async fn follow(self: Arc<Self>) -> Result<(), ProjectionError> {
        let mut head = self.store.watch_head();
        loop {
            head.borrow_and_update();
            self.catch_up().await?;
            if head.changed().await.is_err() {
                return Ok(());
            }
        }
    }

    /// Applies to the active tree up to the head as of the call, one batch
    /// per lock hold, so a rebuild's swap never waits behind a long catch-up.
    async fn advance_active(&self, slot: &Slot) -> Result<Position, ProjectionError> {
        let target = self.store.head().position;
        loop {
            let _guard = slot.apply_lock.lock().await;
            // Re-read the active tree and its checkpoint under the lock: a
            // rebuild may have swapped in a new generation meanwhile.
            let (_, tree) = slot.active_tree();
            let at = checkpoint(&tree)?;
            if at >= target {
                return Ok(at);
            }
            let next = apply_batch(&self.store, slot.projection.as_ref(), &tree, at).await?;
            if next == at {
                return Ok(at);
            }
            slot.checkpoint.send_replace(next);
        }
    }

    /// Rebuilds a projection blue-green: a new generation is built from
    /// position 1 while the active one keeps serving, then swapped in.
    pub async fn rebuild(
        &self,
        name: &str,
        mut progress: impl FnMut(RebuildProgress),
    ) -> Result<ProjectionStatus, ProjectionError> {
        let slot = self.slot(name)?;
        let _one = slot.rebuild_lock.lock().await;
        let (old_generation, old_tree) = slot.active_tree();
        let generation = old_generation + 1;
        let shadow_name = tree_name(name, generation);
        self.drop_stale_generations(name, old_generation)?;
        let shadow = self.db.open_tree(&shadow_name)?;
        let started = Instant::now();
        let mut at = Position::ORIGIN;
        // Fill the shadow without blocking the live projection. Each round
        // chases the head as it was when the round began, so a steady stream
        // of commands cannot keep the rebuild from finishing.
        for _ in 0..MAX_REBUILD_ROUNDS {
            let target = self.store.head().position;
            let behind = target.0.saturating_sub(at.0);
            at = apply_until(
                &self.store,
                slot.projection.as_ref(),
                &shadow,
                at,
                target,
                |at| {
                    let micros = started.elapsed().as_micros().max(1);
                    let events_per_s =
                        u64::try_from(u128::from(at.0) * 1_000_000 / micros).unwrap_or(u64::MAX);
                    progress(RebuildProgress {
                        done: at.0,
                        total: self.store.head().position.0,
                        events_per_s,
                    });
                },
            )
            .await?;
            if behind <= APPLY_BATCH as u64 {
                break;
            }
        }
        // Swap: pause live applying, take the shadow to the head as of now
        // (later commits are the live follower's, from the new checkpoint).
        let _paused = slot.apply_lock.lock().await;
        let target = self.store.head().position;
        at = apply_until(
            &self.store,
            slot.projection.as_ref(),
            &shadow,
            at,
            target,
            |_| {},
        )
        .await?;
        self.meta
            .insert(name, &encode_meta(slot.projection.version(), generation))?;
        self.db.flush_async().await?;
        *slot.active.write().expect("active lock") = (generation, shadow);
        slot.checkpoint.send_replace(at);
        drop(_paused);
        // The old generation is not dropped here: a query may still hold it.
        // It goes at the next rebuild or open (`drop_stale_generations`).
        drop(old_tree);
        info!(
            projection = name,
            generation,
            events = at.0,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "rebuilt"
        );
        self.status_of(name)
    }

    fn status_of(&self, name: &str) -> Result<ProjectionStatus, ProjectionError> {
        let slot = self.slot(name)?;
        let (generation, _) = slot.active_tree();
        let checkpoint = *slot.checkpoint.borrow();
        Ok(ProjectionStatus {
            name: slot.projection.name(),
            version: slot.projection.version(),
            generation,
            checkpoint,
            lag: self.store.head().position.0.saturating_sub(checkpoint.0),
        })
    }

    /// Name, version, generation, checkpoint and lag of every projection.
    pub fn status(&self) -> Vec<ProjectionStatus> {
        self.slots
            .keys()
            .map(|n| self.status_of(n).expect("registered"))
            .collect()
    }

    /// Waits (at most `timeout`, clamped to [`MAX_WAIT_MS`]) until the named
    /// projections have applied `position`: read-your-writes.
    pub async fn wait_for(
        &self,
        names: &[&str],
        position: Position,
        timeout: Duration,
    ) -> Result<(), ProjectionError> {
        let timeout = timeout.min(Duration::from_millis(MAX_WAIT_MS));
        let deadline = tokio::time::Instant::now() + timeout;
        for name in names {
            let mut rx = self.slot(name)?.checkpoint.subscribe();
            let reached = matches!(
                tokio::time::timeout_at(deadline, rx.wait_for(|cp| *cp >= position)).await,
                Ok(Ok(_))
            );
            if !reached {
                return Err(ProjectionError::NotCaughtUp {
                    projection: (*name).to_owned(),
                    checkpoint: *rx.borrow(),
                    wanted: position,
                });
            }
        }
        Ok(())
    }

    /// Flushes the projections' database (on shutdown; dropping does too).
    pub async fn flush(&self) -> Result<(), ProjectionError> {
        self.db.flush_async().await?;
        Ok(())
    }
}

/// Applies batches to `tree` from `at` until it reaches `target` (or the
/// log ends), reporting each new checkpoint.
async fn apply_until(
    store: &DynStore,
    projection: &dyn Projection,
    tree: &sled::Tree,
    mut at: Position,
    target: Position,
    mut progress: impl FnMut(Position),
) -> Result<Position, ProjectionError> {
    while at < target {
        let next = apply_batch(store, projection, tree, at).await?;
        if next == at {
            break;
        }
        at = next;
        progress(at);
    }
    Ok(at)
}

/// Applies up to [`APPLY_BATCH`] events after `at` to `tree`, committing the
/// model writes and the new checkpoint in one sled batch. Returns the new
/// checkpoint (`at` when there was nothing to apply). Its span
/// (`projection.apply`) carries the batch's size and checkpoint.
#[tracing::instrument(
    name = "projection.apply",
    level = "debug",
    skip_all,
    fields(projection = projection.name(), from = at.0, events = tracing::field::Empty, checkpoint = tracing::field::Empty)
)]
async fn apply_batch(
    store: &DynStore,
    projection: &dyn Projection,
    tree: &sled::Tree,
    at: Position,
) -> Result<Position, ProjectionError> {
    let records = store.read_all(at.next(), APPLY_BATCH).await?;
    let Some(last) = records.last().map(|r| r.position) else {
        return Ok(at);
    };
    let mut tx = Tx::new(tree);
    let mut expected = at.next();
    for record in &records {
        assert_eq!(record.position, expected, "log read out of order");
        let event = decode_event(&record.event_type, record.schema_version, &record.payload)?;
        projection.apply(&mut tx, record, &event)?;
        expected = expected.next();
    }
    tx.commit(last)?;
    let span = tracing::Span::current();
    span.record("events", records.len());
    span.record("checkpoint", last.0);
    debug!(projection = projection.name(), events = records.len(), checkpoint = %last, "applied");
    Ok(last)
}

impl Drop for Projector {
    fn drop(&mut self) {
        // Wait for sled's buffered writes, so its background threads let go
        // of the database soon. Projections are rebuildable: a failure here
        // loses no acknowledged data, only work to redo on the next start.
        if let Err(e) = self.db.flush() {
            tracing::warn!(error = %e, "projection flush on drop failed");
        }
    }
}
