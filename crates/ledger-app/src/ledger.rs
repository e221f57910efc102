//! The command service.

use std::borrow::Cow;
use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Utc};
use lru::LruCache;
use tracing::{debug, debug_span, field, instrument, Instrument, Span};

use ledger_codec::payload::{command_fingerprint, decode_event, encode_event, event_id};
use ledger_codec::{
    CommandId, CommandMetadata, Digest, EventData, Position, StreamId, StreamVersion, Tenant,
};
use ledger_domain::{decide, Actor, Aggregate, AggregateId, Command, Context, Event, State};
use ledger_store::{
    AppendRequest, CommandRecord, DynStore, ExpectedVersion, StoreError, StreamWrite,
    MAX_READ_BATCH,
};

use crate::clock::Clock;
use crate::documents::{seal_conversion, SigningKey};
use crate::error::AppError;
use crate::streams::stream_id;

/// Attempts at one command before giving up on concurrent-write conflicts.
pub const MAX_CONFLICT_RETRIES: usize = 8;
/// Longest command, causation or correlation id.
pub const MAX_METADATA_ID_CHARS: usize = 128;
/// Command ids only the system may use (the timer's deterministic ids).
pub const SYSTEM_COMMAND_ID_PREFIX: &str = "timer:";
/// Rounds of scope resolution (a contract, then its orders).
const MAX_SCOPE_ROUNDS: usize = 3;

#[derive(Clone, Debug)]
pub struct LedgerConfig {
    /// Aggregate states kept in memory (least recently used evicted).
    pub state_cache_capacity: NonZeroUsize,
}

impl Default for LedgerConfig {
    fn default() -> Self {
        LedgerConfig {
            state_cache_capacity: NonZeroUsize::new(100_000).expect("non-zero"),
        }
    }
}

/// Who sends a command, why, and its idempotency key.
#[derive(Clone, Debug)]
pub struct CommandMeta {
    pub command_id: CommandId,
    pub actor: Actor,
    pub causation_id: Option<String>,
    pub correlation_id: Option<String>,
    /// The command's effective time, for system commands only (the timer
    /// passes the deadline). Everyone else gets the clock's time.
    pub effective_time: Option<DateTime<Utc>>,
}

impl CommandMeta {
    pub fn new(command_id: impl Into<String>, actor: Actor) -> CommandMeta {
        CommandMeta {
            command_id: CommandId(command_id.into()),
            actor,
            causation_id: None,
            correlation_id: None,
            effective_time: None,
        }
    }

    fn validate(&self) -> Result<(), AppError> {
        let ok = |s: &str| {
            !s.is_empty()
                && s.len() <= MAX_METADATA_ID_CHARS
                && s.chars().all(|c| c.is_ascii_graphic())
        };
        if !ok(self.command_id.as_str()) {
            return Err(AppError::InvalidMetadata(
                "command id must be 1 to 128 printable ascii characters",
            ));
        }
        if self.causation_id.as_deref().is_some_and(|s| !ok(s))
            || self.correlation_id.as_deref().is_some_and(|s| !ok(s))
        {
            return Err(AppError::InvalidMetadata(
                "causation and correlation ids must be 1 to 128 printable ascii characters",
            ));
        }
        if self.effective_time.is_some() && self.actor != Actor::System {
            return Err(AppError::InvalidMetadata(
                "only the system may set an effective time",
            ));
        }
        if self
            .command_id
            .as_str()
            .starts_with(SYSTEM_COMMAND_ID_PREFIX)
            && self.actor != Actor::System
        {
            return Err(AppError::InvalidMetadata(
                "command ids starting with timer: are reserved for the system",
            ));
        }
        Ok(())
    }
}

/// What an accepted command did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The events recorded (empty for an idempotent repeat, and for a
    /// deduplicated command id, whose events were recorded before).
    pub events: Vec<Event>,
    /// A position the command's effects are visible at: its last event's
    /// position, or the log's head when nothing was appended. Wait for
    /// projections to reach it to read your own write.
    pub position: Position,
    /// True when the command id had already been committed: nothing new was
    /// appended and `position` is the original commit's.
    pub deduplicated: bool,
}

/// A cached aggregate state at a stream version.
#[derive(Clone)]
struct Loaded {
    version: StreamVersion,
    aggregate: Aggregate,
}

/// Counts since the ledger started, for metrics (read with
/// [`Ledger::stats`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LedgerStats {
    /// Appends refused for a concurrent write, each followed by a retry.
    pub conflicts: u64,
    /// Commands given up after [`MAX_CONFLICT_RETRIES`] conflicts.
    pub contention_failures: u64,
    /// Commands answered from the command-id index (a repeated id).
    pub deduplicated: u64,
    /// Aggregate loads served from the state cache (then caught up).
    pub cache_hits: u64,
    /// Aggregate loads that rebuilt the state from its stream.
    pub cache_misses: u64,
}

#[derive(Default)]
struct Counters {
    conflicts: AtomicU64,
    contention_failures: AtomicU64,
    deduplicated: AtomicU64,
    cache_hits: AtomicU64,
    cache_misses: AtomicU64,
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

/// The command service.
pub struct Ledger {
    store: DynStore,
    clock: Arc<dyn Clock>,
    cache: Mutex<LruCache<AggregateId, Loaded>>,
    counters: Counters,
    /// Seals official contract documents; without it conversions record
    /// no document.
    document_key: Option<SigningKey>,
}

impl Ledger {
    pub fn new(store: DynStore, clock: Arc<dyn Clock>, config: LedgerConfig) -> Ledger {
        Ledger {
            store,
            clock,
            cache: Mutex::new(LruCache::new(config.state_cache_capacity)),
            counters: Counters::default(),
            document_key: None,
        }
    }

    /// The ledger with its signing key for contract documents: each
    /// conversion then renders the official document and records its seal
    /// (`ContractDocumentSealed`) with `ContractConverted`.
    pub fn with_document_key(mut self, key: SigningKey) -> Ledger {
        self.document_key = Some(key);
        self
    }

    /// The key official documents are sealed with, if any.
    pub fn document_key(&self) -> Option<&SigningKey> {
        self.document_key.as_ref()
    }

    /// The command as decided: a conversion carries the seal of the
    /// document the ledger renders for it (never the caller's).
    fn completed<'c>(
        &self,
        state: &State,
        command: &'c Command,
        at: DateTime<Utc>,
    ) -> Result<Cow<'c, Command>, AppError> {
        let Command::ConvertContract(c) = command else {
            return Ok(Cow::Borrowed(command));
        };
        let document = match &self.document_key {
            Some(key) => seal_conversion(state, &c.contract_no, at, key)?,
            None => None,
        };
        if document == c.document {
            return Ok(Cow::Borrowed(command));
        }
        let mut c = c.clone();
        c.document = document;
        Ok(Cow::Owned(Command::ConvertContract(c)))
    }

    /// Counts since start: conflicts, deduplications, cache hits.
    pub fn stats(&self) -> LedgerStats {
        let c = &self.counters;
        LedgerStats {
            conflicts: c.conflicts.load(Ordering::Relaxed),
            contention_failures: c.contention_failures.load(Ordering::Relaxed),
            deduplicated: c.deduplicated.load(Ordering::Relaxed),
            cache_hits: c.cache_hits.load(Ordering::Relaxed),
            cache_misses: c.cache_misses.load(Ordering::Relaxed),
        }
    }

    pub fn store(&self) -> &DynStore {
        &self.store
    }

    /// Executes one command: decide, append, acknowledge once durable.
    ///
    /// Its span (`execute`) carries the command, its ids and, once known,
    /// the attempts it took and its position; inside it `load` (the scope's
    /// aggregates), `decide` and `append` (the durable append, with the
    /// streams and events it writes) are spans of their own, per attempt.
    #[instrument(
        name = "execute",
        skip_all,
        fields(
            command = command.name(),
            command_id = %meta.command_id,
            actor = %meta.actor,
            causation_id = meta.causation_id.as_deref(),
            correlation_id = meta.correlation_id.as_deref(),
            attempts = field::Empty,
            position = field::Empty,
            deduplicated = field::Empty,
        )
    )]
    pub async fn execute(&self, command: Command, meta: CommandMeta) -> Result<Outcome, AppError> {
        let result = self.execute_attempts(command, meta).await;
        match &result {
            Ok(o) => {
                Span::current().record("position", o.position.0);
                Span::current().record("deduplicated", o.deduplicated);
                if o.deduplicated {
                    bump(&self.counters.deduplicated);
                }
            }
            Err(AppError::Contention { .. }) => bump(&self.counters.contention_failures),
            Err(_) => {}
        }
        result
    }

    async fn execute_attempts(
        &self,
        command: Command,
        meta: CommandMeta,
    ) -> Result<Outcome, AppError> {
        meta.validate()?;
        let fingerprint = command_fingerprint(&command, &meta.actor.to_string())?;
        let ctx = Context {
            time: meta.effective_time.unwrap_or_else(|| self.clock.now()),
            actor: meta.actor.clone(),
        };
        let command_meta = CommandMetadata {
            command_id: meta.command_id.clone(),
            fingerprint,
            recorded_at: ctx.time,
            causation_id: meta.causation_id.clone(),
            correlation_id: meta.correlation_id.clone(),
            actor: meta.actor.to_string(),
        };

        for attempt in 1..=MAX_CONFLICT_RETRIES {
            Span::current().record("attempts", attempt);
            // No command-id lookup before deciding: the append is where a
            // seen command id is answered (the store returns the original
            // commit for the same fingerprint, `CommandIdReused` for
            // another, atomically with the write), and a decision that
            // appends nothing looks the id up below before answering. So
            // a fresh command costs one command-id lookup, the store's.
            let (state, versions) = self
                .load_scope(&command)
                .instrument(debug_span!("load", attempt))
                .await?;
            let decided = debug_span!("decide", attempt).in_scope(|| {
                let command = self.completed(&state, &command, ctx.time)?;
                decide(&state, &command, &ctx).map_err(AppError::from)
            });
            let events = match decided {
                Ok(events) if !events.is_empty() => events,
                // A refusal or a no-op read from a stale cache would be wrong:
                // confirm the versions it saw are current before answering.
                other => {
                    if !self.is_current(&versions).await? {
                        self.forget(versions.keys());
                        continue;
                    }
                    // A concurrent retry of this very command may have
                    // committed since the check above: report that instead.
                    if let Some(seen) = self.store.command(&meta.command_id).await? {
                        return dedup(seen, &fingerprint, &meta.command_id);
                    }
                    let events = other?;
                    debug_assert!(events.is_empty());
                    return Ok(Outcome {
                        events,
                        position: self.store.head().position,
                        deduplicated: false,
                    });
                }
            };
            let request = build_request(&command_meta, &state, &events, &versions)?;
            let append = debug_span!(
                "append",
                attempt,
                streams = request.writes.len(),
                events = events.len(),
                append_us = field::Empty,
            );
            let started = Instant::now();
            let appended = self.store.append(request).instrument(append.clone()).await;
            append.record("append_us", started.elapsed().as_micros() as u64);
            match appended {
                Ok(committed) if committed.deduplicated => {
                    // A concurrent retry of this command committed first: its
                    // events are in the log, these are not. Cache nothing.
                    self.forget(versions.keys());
                    return Ok(Outcome {
                        events: vec![],
                        position: committed.last,
                        deduplicated: true,
                    });
                }
                Ok(committed) => {
                    self.remember(&state, &events, &committed.versions);
                    debug!(first = %committed.first, last = %committed.last, events = events.len(), "committed");
                    return Ok(Outcome {
                        events,
                        position: committed.last,
                        deduplicated: false,
                    });
                }
                Err(StoreError::Conflict { stream_id, .. }) => {
                    bump(&self.counters.conflicts);
                    debug!(attempt, %stream_id, "conflict, reloading");
                    self.forget(versions.keys());
                    tokio::task::yield_now().await;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Contention {
            attempts: MAX_CONFLICT_RETRIES,
        })
    }

    /// The current state of one aggregate (caught up from the store).
    pub async fn aggregate(
        &self,
        id: &AggregateId,
    ) -> Result<(StreamVersion, Aggregate), AppError> {
        let loaded = self.load(id).await?;
        Ok((loaded.version, loaded.aggregate))
    }

    /// Loads everything the command's scope names, in at most
    /// `MAX_SCOPE_ROUNDS` rounds.
    async fn load_scope(
        &self,
        command: &Command,
    ) -> Result<(State, HashMap<AggregateId, StreamVersion>), AppError> {
        let mut state = State::default();
        let mut versions = HashMap::new();
        for _ in 0..MAX_SCOPE_ROUNDS {
            let missing: Vec<AggregateId> = command
                .scope(&state)
                .into_iter()
                .filter(|id| !versions.contains_key(id))
                .collect();
            if missing.is_empty() {
                return Ok((state, versions));
            }
            for id in missing {
                let loaded = self.load(&id).await?;
                versions.insert(id.clone(), loaded.version);
                state.insert(id, loaded.aggregate);
            }
        }
        Err(AppError::Internal(format!(
            "{} scope did not settle",
            command.name()
        )))
    }

    /// An aggregate from the cache, caught up with any newer events.
    async fn load(&self, id: &AggregateId) -> Result<Loaded, AppError> {
        let cached = self.cache.lock().expect("cache lock").get(id).cloned();
        bump(if cached.is_some() {
            &self.counters.cache_hits
        } else {
            &self.counters.cache_misses
        });
        let mut loaded = cached.unwrap_or_else(|| Loaded {
            version: StreamVersion::EMPTY,
            aggregate: Aggregate::initial(id),
        });
        let stream = stream_id(id);
        loop {
            let batch = self
                .store
                .read_stream(&stream, loaded.version.next(), MAX_READ_BATCH)
                .await?;
            let done = batch.len() < MAX_READ_BATCH;
            for record in batch {
                assert_eq!(
                    record.stream_version,
                    loaded.version.next(),
                    "stream {stream} read out of order"
                );
                let event =
                    decode_event(&record.event_type, record.schema_version, &record.payload)?;
                if event.aggregate_id() != *id {
                    return Err(AppError::Corrupt(format!(
                        "{} at position {} belongs to {}",
                        event.name(),
                        record.position,
                        event.aggregate_id()
                    )));
                }
                loaded.aggregate = loaded.aggregate.evolve(&event);
                loaded.version = record.stream_version;
            }
            if done {
                break;
            }
        }
        self.cache
            .lock()
            .expect("cache lock")
            .put(id.clone(), loaded.clone());
        Ok(loaded)
    }

    async fn is_current(
        &self,
        versions: &HashMap<AggregateId, StreamVersion>,
    ) -> Result<bool, AppError> {
        for (id, version) in versions {
            if self.store.stream_version(&stream_id(id)).await? != *version {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn forget<'a>(&self, ids: impl Iterator<Item = &'a AggregateId>) {
        let mut cache = self.cache.lock().expect("cache lock");
        for id in ids {
            cache.pop(id);
        }
    }

    /// Caches the states the command produced, at their committed versions.
    fn remember(&self, state: &State, events: &[Event], committed: &[(StreamId, StreamVersion)]) {
        let mut after = state.clone();
        for e in events {
            after = ledger_domain::evolve(after, e);
        }
        let mut cache = self.cache.lock().expect("cache lock");
        for (id, version) in written(events).into_iter().zip(committed) {
            assert_eq!(
                stream_id(&id),
                version.0,
                "store returned versions out of request order"
            );
            cache.put(
                id.clone(),
                Loaded {
                    version: version.1,
                    aggregate: after.get(&id),
                },
            );
        }
    }
}

/// The outcome of a command id seen before: the original position, or a
/// refusal when the id came with another command or from another actor.
fn dedup(
    seen: CommandRecord,
    fingerprint: &Digest,
    command_id: &CommandId,
) -> Result<Outcome, AppError> {
    if seen.fingerprint == *fingerprint {
        Ok(Outcome {
            events: vec![],
            position: seen.committed.last,
            deduplicated: true,
        })
    } else {
        Err(AppError::CommandIdReused(command_id.clone()))
    }
}

/// The aggregates events write, in first-written order.
fn written(events: &[Event]) -> Vec<AggregateId> {
    let mut ids: Vec<AggregateId> = Vec::new();
    for e in events {
        let id = e.aggregate_id();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

/// One stream write per aggregate, each expecting the version decided on.
/// Each event records its tenant, as the domain derives it from `state`
/// (the state decided on).
fn build_request(
    command: &CommandMetadata,
    state: &State,
    events: &[Event],
    versions: &HashMap<AggregateId, StreamVersion>,
) -> Result<AppendRequest, AppError> {
    let tenants = ledger_domain::tenant::tenants(state, events);
    let mut writes: Vec<StreamWrite> = Vec::new();
    for ((index, event), tenant) in events.iter().enumerate().zip(tenants) {
        let id = event.aggregate_id();
        let stream = stream_id(&id);
        let (event_type, schema_version, payload) = encode_event(event)?;
        let data = EventData {
            event_type: event_type.to_owned(),
            schema_version,
            event_id: event_id(command.command_id.as_str(), index as u32),
            payload,
            tenant: Tenant::of(tenant),
        };
        match writes.iter_mut().find(|w| w.stream_id == stream) {
            Some(w) => w.events.push(data),
            None => {
                // The domain only writes aggregates it read: anything else is a bug.
                let version = *versions.get(&id).ok_or_else(|| {
                    AppError::Internal(format!("{} writes {id} outside its scope", event.name()))
                })?;
                let expected = if version == StreamVersion::EMPTY {
                    ExpectedVersion::NoStream
                } else {
                    ExpectedVersion::Exact(version)
                };
                writes.push(StreamWrite {
                    stream_id: stream,
                    expected,
                    events: vec![data],
                });
            }
        }
    }
    // Aggregates the decision read but does not write (an order's or a
    // contract's customer) are checked too: a zero-event write with the
    // version read, so a concurrent change to them is a conflict, not a
    // decision on stale facts.
    let mut guards: Vec<(&AggregateId, StreamVersion)> = versions
        .iter()
        .filter(|(id, _)| !writes.iter().any(|w| w.stream_id == stream_id(id)))
        .map(|(id, v)| (id, *v))
        .collect();
    guards.sort();
    for (id, version) in guards {
        let expected = if version == StreamVersion::EMPTY {
            ExpectedVersion::NoStream
        } else {
            ExpectedVersion::Exact(version)
        };
        writes.push(StreamWrite {
            stream_id: stream_id(id),
            expected,
            events: vec![],
        });
    }
    Ok(AppendRequest {
        command: command.clone(),
        writes,
    })
}
