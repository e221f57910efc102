//! `audit verify`'s library core: walk the whole log and prove it.
//!
//! [`verify`] reads every record in position order, in batches of
//! [`MAX_READ_BATCH`], and checks, stopping at the first problem:
//!
//! - global positions are contiguous from 1;
//! - each record's hash is the SHA-256 of its envelope (re-encoded exactly as
//!   sealed) and its `prev_hash` is the previous record's hash
//!   ([`Digest::ZERO`] for the first);
//! - each stream's versions are contiguous from 1;
//! - every payload decodes ([`payload::decode_event`]);
//! - the event's aggregate is the one its stream holds;
//! - every event is legal ([`ledger_domain::audit::check`]) against the state
//!   every event before it built, for the aggregates the check reads
//!   ([`ledger_domain::Event::audit_scope`]), held in a bounded working set
//!   ([`MAX_AUDIT_CACHED_AGGREGATES`]; others are rebuilt from their
//!   streams): memory does not grow with the log;
//! - every command's events together are legal
//!   ([`ledger_domain::audit::check_command`]: a contract's orders are
//!   attached by the same command that applied it);
//! - the head the walk ends at is the store's head.

use std::fmt;

mod working_set;

use working_set::WorkingSet;
pub use working_set::MAX_AUDIT_CACHED_AGGREGATES;

use ledger_app::streams::stream_id;
use ledger_codec::{envelope, payload, CodecError, CommandId, RecordedEvent, Tenant};
use ledger_domain::audit::{check, check_command, Violation};
use ledger_domain::{Event, State};
use ledger_store::{
    Digest, DynStore, Head, Position, StoreError, StreamId, StreamVersion, MAX_READ_BATCH,
};

/// What a verified log holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// Records walked (the head's position, for a log that verifies).
    pub events: u64,
    pub head_position: Position,
    pub head_hash: Digest,
    /// Distinct streams seen.
    pub streams: u64,
    /// Aggregates rebuilt from their streams because the working set had
    /// let them go.
    pub reloads: u64,
}

/// The first problem in the log: where, and what.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("position {position}{}: {reason}", stream_suffix(.stream))]
pub struct Failure {
    /// The record's position; for a gap, the missing position.
    pub position: Position,
    /// The stream of the record at fault, when there is one.
    pub stream: Option<StreamId>,
    pub reason: FailureKind,
}

fn stream_suffix(stream: &Option<StreamId>) -> String {
    match stream {
        Some(s) => format!(" (stream {s})"),
        None => String::new(),
    }
}

/// Why a log does not verify. Messages are lowercase.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FailureKind {
    #[error("record does not decode: {0}")]
    Decode(CodecError),
    #[error("expected position {expected}, found {found}")]
    Gap { expected: Position, found: Position },
    #[error("expected stream version {expected}, found {found}")]
    VersionGap {
        expected: StreamVersion,
        found: StreamVersion,
    },
    #[error("hash chain broken: {0}")]
    BrokenChain(ChainBreak),
    #[error("event belongs to stream {expected}")]
    WrongStream { expected: StreamId },
    #[error("illegal event: {0}")]
    Illegal(Violation),
    #[error("recorded tenant {recorded} is not the event's customer {expected}")]
    WrongTenant { recorded: String, expected: String },
    #[error("log ends at position {walked}, the store's head is {store}")]
    HeadMismatch { walked: Position, store: Position },
    #[error("store: {0}")]
    Store(StoreError),
}

impl FailureKind {
    /// A stable code for machine-readable output.
    pub fn code(&self) -> &'static str {
        match self {
            FailureKind::Decode(_) => "decode",
            FailureKind::Gap { .. } => "gap",
            FailureKind::VersionGap { .. } => "version_gap",
            FailureKind::BrokenChain(_) => "broken_chain",
            FailureKind::WrongStream { .. } => "wrong_stream",
            FailureKind::Illegal(_) => "illegal",
            FailureKind::WrongTenant { .. } => "wrong_tenant",
            FailureKind::HeadMismatch { .. } => "head_mismatch",
            FailureKind::Store(_) => "store",
        }
    }
}

/// How the hash chain breaks at a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainBreak {
    /// The record's hash is not the hash of its contents.
    HashMismatch { recorded: Digest, computed: Digest },
    /// The record's `prev_hash` is not the previous record's hash.
    PrevHashMismatch { recorded: Digest, expected: Digest },
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChainBreak::HashMismatch { recorded, computed } => write!(
                f,
                "recorded hash {recorded} is not the record's hash {computed}"
            ),
            ChainBreak::PrevHashMismatch { recorded, expected } => write!(
                f,
                "previous hash {recorded} is not the previous record's hash {expected}"
            ),
        }
    }
}

/// A recorded tenant (format 2) must be the customer the domain derives for
/// the event from the state before it; format 1 records carry none.
fn check_tenant(state: &State, event: &Event, recorded: &Tenant) -> Result<(), FailureKind> {
    if *recorded == Tenant::Unrecorded {
        return Ok(());
    }
    let expected = Tenant::of(ledger_domain::tenant::tenant(state, event));
    if *recorded == expected {
        return Ok(());
    }
    let name = |t: &Tenant| match t {
        Tenant::Customer(c) => c.to_string(),
        Tenant::Nobody => "none".to_owned(),
        Tenant::Unrecorded => "unrecorded".to_owned(),
    };
    Err(FailureKind::WrongTenant {
        recorded: name(recorded),
        expected: name(&expected),
    })
}

/// The chain hash of a record's contents: its envelope re-encoded exactly as
/// it was sealed, compared by the caller with the hash it carries.
fn content_hash(record: &RecordedEvent) -> Result<Digest, CodecError> {
    Ok(envelope::chain_hash(&envelope::reseal(record)?))
}

/// Walks the whole log of `store` and proves it (see the crate docs).
/// `progress(done, total)` is called after each batch, `total` being the
/// head's position when the walk started (or `done`, if larger).
pub async fn verify(store: &DynStore, progress: impl FnMut(u64, u64)) -> Result<Report, Failure> {
    verify_with(store, MAX_AUDIT_CACHED_AGGREGATES, progress).await
}

/// [`verify`] with a working set of `cached` aggregates (at least 1): a
/// small one proves the same things, rebuilding more aggregates.
/// `usize::MAX` keeps every aggregate and never reads a stream: for a store
/// that can only be read in log order (memory then grows with the log).
pub async fn verify_with(
    store: &DynStore,
    cached: usize,
    mut progress: impl FnMut(u64, u64),
) -> Result<Report, Failure> {
    let total = store.head().position.0;
    let mut working = WorkingSet::new(cached);
    let mut streams = 0u64;
    let mut head = Head::default();
    // The events of the command being walked (one append's records are
    // contiguous), checked together once the next command starts.
    let mut command: Option<(CommandId, Position, StreamId)> = None;
    let mut command_events: Vec<Event> = Vec::new();
    let check_group =
        |command: &Option<(CommandId, Position, StreamId)>, events: &[Event]| match command {
            Some((_, position, stream)) => check_command(events).map_err(|v| Failure {
                position: *position,
                stream: Some(stream.clone()),
                reason: FailureKind::Illegal(v),
            }),
            None => Ok(()),
        };

    loop {
        let from = head.position.next();
        let batch = store
            .read_all(from, MAX_READ_BATCH)
            .await
            .map_err(|e| Failure {
                position: from,
                stream: None,
                reason: FailureKind::Store(e),
            })?;
        if batch.is_empty() {
            break;
        }
        for record in &batch {
            let fail = |reason| Failure {
                position: record.position,
                stream: Some(record.stream_id.clone()),
                reason,
            };
            let expected = head.position.next();
            if record.position != expected {
                return Err(Failure {
                    position: expected,
                    ..fail(FailureKind::Gap {
                        expected,
                        found: record.position,
                    })
                });
            }
            let computed = content_hash(record).map_err(|e| fail(FailureKind::Decode(e)))?;
            if computed != record.hash {
                return Err(fail(FailureKind::BrokenChain(ChainBreak::HashMismatch {
                    recorded: record.hash,
                    computed,
                })));
            }
            if record.prev_hash != head.hash {
                return Err(fail(FailureKind::BrokenChain(
                    ChainBreak::PrevHashMismatch {
                        recorded: record.prev_hash,
                        expected: head.hash,
                    },
                )));
            }
            let event =
                payload::decode_event(&record.event_type, record.schema_version, &record.payload)
                    .map_err(|e| fail(FailureKind::Decode(e)))?;
            let own = stream_id(&event.aggregate_id());
            if own != record.stream_id {
                return Err(fail(FailureKind::WrongStream { expected: own }));
            }
            let (state, version) = working.scope(store, &event, record.position).await?;
            if record.stream_version != version.next() {
                return Err(fail(FailureKind::VersionGap {
                    expected: version.next(),
                    found: record.stream_version,
                }));
            }
            if version == StreamVersion::EMPTY {
                streams += 1;
            }
            check(&state, &event, &record.metadata.command.actor)
                .map_err(|v| fail(FailureKind::Illegal(v)))?;
            check_tenant(&state, &event, &record.metadata.tenant).map_err(fail)?;
            working.evolved(&state, &event, record.stream_version);
            let id = &record.metadata.command.command_id;
            if command.as_ref().map(|(c, _, _)| c) != Some(id) {
                check_group(&command, &command_events)?;
                command = Some((id.clone(), record.position, record.stream_id.clone()));
                command_events.clear();
            }
            command_events.push(event);
            head = Head {
                position: record.position,
                hash: record.hash,
            };
        }
        progress(head.position.0, total.max(head.position.0));
    }

    check_group(&command, &command_events)?;

    let store_head = store.head();
    if store_head != head {
        return Err(Failure {
            position: head.position,
            stream: None,
            reason: FailureKind::HeadMismatch {
                walked: head.position,
                store: store_head.position,
            },
        });
    }
    Ok(Report {
        events: head.position.0,
        head_position: head.position,
        head_hash: head.hash,
        streams,
        reloads: working.reloads,
    })
}
