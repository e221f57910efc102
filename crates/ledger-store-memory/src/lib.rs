//! In-memory [`EventStore`]: one mutex around plain vectors and maps.
//!
//! Obviously correct rather than fast; it computes envelopes and chain hashes
//! exactly as the durable engines do (via [`ledger_codec::envelope::seal`]),
//! so tests elsewhere can use it in place of `ledger-store-sled`. "Durable"
//! here means "in this process": [`MemoryStore::reopen`] shares the state.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use ledger_codec::envelope;
use ledger_store::{
    AppendRequest, CommandId, CommandRecord, Committed, Digest, EventStore, Head, Position,
    RecordedEvent, StoreError, StreamId, StreamVersion, MAX_READ_BATCH,
};
use tokio::sync::watch;

#[derive(Default)]
struct State {
    /// Record at position `p` is `records[p - 1]`.
    records: Vec<RecordedEvent>,
    /// Positions of each stream's records, in version order.
    streams: HashMap<StreamId, Vec<Position>>,
    commands: HashMap<CommandId, CommandRecord>,
}

impl State {
    fn version(&self, stream_id: &StreamId) -> StreamVersion {
        StreamVersion(self.streams.get(stream_id).map_or(0, |p| p.len() as u64))
    }

    fn head(&self) -> Head {
        self.records.last().map_or(Head::default(), |r| Head {
            position: r.position,
            hash: r.hash,
        })
    }
}

struct Inner {
    state: Mutex<State>,
    head: watch::Sender<Head>,
}

/// An in-memory event store. Clone-free sharing: [`MemoryStore::reopen`]
/// returns another handle over the same log.
pub struct MemoryStore {
    inner: Arc<Inner>,
}

impl MemoryStore {
    /// A new, empty store.
    pub fn new() -> Arc<MemoryStore> {
        let (head, _) = watch::channel(Head::default());
        Arc::new(MemoryStore {
            inner: Arc::new(Inner {
                state: Mutex::new(State::default()),
                head,
            }),
        })
    }

    /// Another handle over the same log, as if the store had been reopened.
    pub fn reopen(&self) -> Arc<MemoryStore> {
        Arc::new(MemoryStore {
            inner: self.inner.clone(),
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the state half-written
        // (appends build everything before mutating), so poisoning is ignored.
        self.inner
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Seals `request`'s events after the current head, or says why not.
fn plan(
    state: &State,
    request: &AppendRequest,
) -> Result<(Vec<RecordedEvent>, Committed), StoreError> {
    for write in &request.writes {
        let actual = state.version(&write.stream_id);
        if !write.expected.admits(actual) {
            return Err(StoreError::Conflict {
                stream_id: write.stream_id.clone(),
                expected: write.expected,
                actual,
            });
        }
    }
    let head = state.head();
    let first = head.position.next();
    let mut position = head.position;
    let mut prev_hash: Digest = head.hash;
    let mut records = Vec::new();
    let mut versions = Vec::with_capacity(request.writes.len());
    for write in &request.writes {
        let mut version = state.version(&write.stream_id);
        for data in &write.events {
            position = position.next();
            version = version.next();
            let (_, record) = envelope::seal(
                position,
                &write.stream_id,
                version,
                &request.command,
                data,
                prev_hash,
            )?;
            prev_hash = record.hash;
            records.push(record);
        }
        versions.push((write.stream_id.clone(), version));
    }
    let committed = Committed {
        first,
        last: position,
        versions,
        deduplicated: false,
    };
    Ok((records, committed))
}

#[async_trait]
impl EventStore for MemoryStore {
    async fn append(&self, request: AppendRequest) -> Result<Committed, StoreError> {
        request.validate()?;
        let mut state = self.state();
        if let Some(existing) = state.commands.get(&request.command.command_id) {
            if existing.fingerprint != request.command.fingerprint {
                return Err(StoreError::CommandIdReused {
                    command_id: request.command.command_id.clone(),
                });
            }
            return Ok(Committed {
                deduplicated: true,
                ..existing.committed.clone()
            });
        }
        let (records, committed) = plan(&state, &request)?;
        for record in records {
            state
                .streams
                .entry(record.stream_id.clone())
                .or_default()
                .push(record.position);
            state.records.push(record);
        }
        state.commands.insert(
            request.command.command_id.clone(),
            CommandRecord {
                fingerprint: request.command.fingerprint,
                committed: committed.clone(),
            },
        );
        let head = state.head();
        drop(state);
        self.inner.head.send_replace(head);
        Ok(committed)
    }

    async fn read_stream(
        &self,
        stream_id: &StreamId,
        from: StreamVersion,
        max: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let state = self.state();
        let Some(positions) = state.streams.get(stream_id) else {
            return Ok(Vec::new());
        };
        let skip = from.0.saturating_sub(1) as usize;
        Ok(positions
            .iter()
            .skip(skip)
            .take(max.min(MAX_READ_BATCH))
            .map(|p| state.records[(p.0 - 1) as usize].clone())
            .collect())
    }

    async fn stream_version(&self, stream_id: &StreamId) -> Result<StreamVersion, StoreError> {
        Ok(self.state().version(stream_id))
    }

    async fn read_all(&self, from: Position, max: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        let state = self.state();
        let skip = from.0.saturating_sub(1) as usize;
        Ok(state
            .records
            .iter()
            .skip(skip)
            .take(max.min(MAX_READ_BATCH))
            .cloned()
            .collect())
    }

    async fn command(&self, command_id: &CommandId) -> Result<Option<CommandRecord>, StoreError> {
        Ok(self.state().commands.get(command_id).cloned())
    }

    fn head(&self) -> Head {
        *self.inner.head.borrow()
    }

    fn watch_head(&self) -> watch::Receiver<Head> {
        self.inner.head.subscribe()
    }
}
