//! The audit's bounded working set: the aggregates recently walked, each at
//! its stream version, in an LRU of [`MAX_AUDIT_CACHED_AGGREGATES`]; any
//! other aggregate an event's check needs is rebuilt from its stream, up to
//! the record being judged. Memory does not grow with the log.
//!
//! An aggregate the cache has never let go of needs no read when it is not
//! cached: it has no records yet (an order being placed). A Bloom filter of
//! the evicted ids ([`EVICTED_FILTER_ITEMS`] at [`EVICTED_FILTER_FP_RATE`],
//! ≈ 19 MiB, fixed) tells the two apart; a false positive costs one empty
//! stream read, never a wrong verdict.
//!
//! Invariant: every cached aggregate reflects exactly the records before
//! the one being judged (only that record's own aggregate changes, and the
//! walk puts it back evolved).

use std::num::NonZeroUsize;

use bloomfilter::Bloom;
use ledger_app::streams::stream_id;
use ledger_codec::payload;
use ledger_domain::audit_scope::MAX_AUDIT_SCOPE_ROUNDS;
use ledger_domain::{Aggregate, AggregateId, Event, State};
use ledger_store::{DynStore, Position, StreamVersion, MAX_READ_BATCH};
use lru::LruCache;

use crate::{Failure, FailureKind};

/// Most aggregates kept between records. An entry is one aggregate's state
/// (an order with its lines, a contract with at most 100 order rows, a
/// customer, an account's balances): about 1–4 KiB, so the cache stays
/// under ≈ 256 MiB whatever the log's size.
pub const MAX_AUDIT_CACHED_AGGREGATES: usize = 65_536;

/// Evicted ids the filter is sized for; past it the false-positive rate
/// rises (more empty reads), the filter's size does not.
pub const EVICTED_FILTER_ITEMS: usize = 16 << 20;
/// The filter's false-positive rate at [`EVICTED_FILTER_ITEMS`].
pub const EVICTED_FILTER_FP_RATE: f64 = 0.01;

pub(crate) struct WorkingSet {
    cache: LruCache<AggregateId, (StreamVersion, Aggregate)>,
    /// Ids the cache let go of (no false negatives).
    evicted: Option<Bloom<AggregateId>>,
    /// Aggregates rebuilt from their streams (cache misses).
    pub(crate) reloads: u64,
}

impl WorkingSet {
    /// A working set of `capacity` aggregates; `usize::MAX`: unbounded
    /// (every aggregate kept, nothing ever re-read: for a reader that can
    /// only read in log order).
    pub(crate) fn new(capacity: usize) -> WorkingSet {
        if capacity == usize::MAX {
            return WorkingSet {
                cache: LruCache::unbounded(),
                evicted: None,
                reloads: 0,
            };
        }
        let evicted = Bloom::new_for_fp_rate(EVICTED_FILTER_ITEMS, EVICTED_FILTER_FP_RATE)
            .expect("a valid filter size");
        WorkingSet {
            cache: LruCache::new(NonZeroUsize::new(capacity.max(1)).expect("non-zero")),
            evicted: Some(evicted),
            reloads: 0,
        }
    }

    fn put(&mut self, id: AggregateId, entry: (StreamVersion, Aggregate)) {
        if let Some((old, _)) = self.cache.push(id.clone(), entry) {
            if old != id {
                if let Some(filter) = &mut self.evicted {
                    filter.set(&old);
                }
            }
        }
    }

    /// The state `check` needs for `event` at `position`, and the version
    /// of the event's own stream before it.
    pub(crate) async fn scope(
        &mut self,
        store: &DynStore,
        event: &Event,
        position: Position,
    ) -> Result<(State, StreamVersion), Failure> {
        let own = event.aggregate_id();
        let mut state = State::default();
        let mut own_version = StreamVersion::EMPTY;
        for _ in 0..MAX_AUDIT_SCOPE_ROUNDS {
            let missing: Vec<AggregateId> = event
                .audit_scope(&state)
                .into_iter()
                .filter(|id| !state.contains(id))
                .collect();
            if missing.is_empty() {
                break;
            }
            for id in missing {
                let (version, aggregate) = self.get(store, &id, position).await?;
                if id == own {
                    own_version = version;
                }
                state.insert(id, aggregate);
            }
        }
        Ok((state, own_version))
    }

    /// Puts the event's own aggregate back, evolved by it.
    pub(crate) fn evolved(&mut self, state: &State, event: &Event, version: StreamVersion) {
        let own = event.aggregate_id();
        let next = state.get(&own).evolve(event);
        self.put(own, (version, next));
    }

    async fn get(
        &mut self,
        store: &DynStore,
        id: &AggregateId,
        before: Position,
    ) -> Result<(StreamVersion, Aggregate), Failure> {
        if let Some(hit) = self.cache.get(id) {
            return Ok(hit.clone());
        }
        // Never cached, or never let go: nothing recorded for it yet.
        if !self.evicted.as_ref().is_some_and(|f| f.check(id)) {
            return Ok((StreamVersion::EMPTY, Aggregate::initial(id)));
        }
        self.reloads += 1;
        let loaded = rebuild(store, id, before).await?;
        self.put(id.clone(), loaded.clone());
        Ok(loaded)
    }
}

/// An aggregate from its stream's records before `before`, which the walk
/// has already proven; their versions must run 1, 2, … without a gap.
async fn rebuild(
    store: &DynStore,
    id: &AggregateId,
    before: Position,
) -> Result<(StreamVersion, Aggregate), Failure> {
    let stream = stream_id(id);
    let mut version = StreamVersion::EMPTY;
    let mut aggregate = Aggregate::initial(id);
    loop {
        let batch = store
            .read_stream(&stream, version.next(), MAX_READ_BATCH)
            .await
            .map_err(|e| Failure {
                position: before,
                stream: Some(stream.clone()),
                reason: FailureKind::Store(e),
            })?;
        let full = batch.len() == MAX_READ_BATCH;
        for record in batch {
            if record.position >= before {
                return Ok((version, aggregate));
            }
            let fail = |reason| Failure {
                position: record.position,
                stream: Some(stream.clone()),
                reason,
            };
            if record.stream_version != version.next() {
                return Err(fail(FailureKind::VersionGap {
                    expected: version.next(),
                    found: record.stream_version,
                }));
            }
            let event =
                payload::decode_event(&record.event_type, record.schema_version, &record.payload)
                    .map_err(|e| fail(FailureKind::Decode(e)))?;
            aggregate = aggregate.evolve(&event);
            version = record.stream_version;
        }
        if !full {
            return Ok((version, aggregate));
        }
    }
}
