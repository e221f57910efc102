//! Accepting the loss of acknowledged records (`audit accept-loss`) and
//! listing the losses a log carries (`audit verify`).
//!
//! A loss is accepted in two durable steps, in this order:
//! 1. the engine's acknowledgement journal records it
//!    ([`ledger_store_sled::accept_loss`], fdatasynced), so the log opens
//!    again at the head it has;
//! 2. the log itself records it: a `LossAccepted` event on the
//!    `operations` stream, by the operator, with the reason, the range and
//!    `record_sha256`, the digest the journal holds ([`loss_note`]).
//!
//! A crash between the two leaves a journal loss without its event;
//! `audit verify` reports it (`loss_unrecorded`) and rerunning the same
//! `accept-loss` (same operator and reason: the digest is computed from
//! them, not from the time) records the event and nothing twice.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use ledger_app::streams::stream_id;
use ledger_app::{Clock, CommandMeta, Ledger, LedgerConfig};
use ledger_codec::payload::decode_event;
use ledger_domain::ids::OperatorId;
use ledger_domain::operations::{self, AcceptLoss, Operations};
use ledger_domain::{Actor, AggregateId, Command, Context, Event};
use ledger_store::{Digest, DynStore, Position};
use ledger_store_sled::{AcceptLossError, AcceptedLoss};

use crate::audit::AuditFailure;
use crate::history::history;
use crate::{DataDir, OpsError};

/// The first line of the text [`loss_note`] hashes (its format's version).
pub const LOSS_RECORD_HEADER: &str = "order-ledger accepted loss v1";

/// The digest of an operator's record of a loss: SHA-256 of
/// `LOSS_RECORD_HEADER`, then `first=`, `last=`, `operator=` and `reason=`
/// lines, each ending in `\n`. Deterministic, so a rerun reproduces it.
pub fn loss_note(first: u64, last: u64, operator: &OperatorId, reason: &str) -> Digest {
    let text = format!(
        "{LOSS_RECORD_HEADER}\nfirst={first}\nlast={last}\noperator={operator}\nreason={reason}\n"
    );
    Digest(Sha256::digest(text.as_bytes()).into())
}

/// What [`accept_loss`] did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LossAcceptance {
    pub first_position: u64,
    pub last_position: u64,
    /// The log's head when the loss was accepted (`first_position - 1`
    /// when the loss is the log's tail).
    pub head_position: u64,
    pub record_sha256: String,
    /// False when the journal already held this acceptance (a rerun).
    pub journal_recorded: bool,
    /// Where the `LossAccepted` event is (new or from an earlier run).
    pub event_position: u64,
}

/// Why a loss cannot be accepted, besides what the engine says.
fn invalid(reason: String) -> OpsError {
    OpsError::Invalid(reason)
}

/// Accepts, for `operator` and with `reason`, the loss of the acknowledged
/// positions `first..=last` of the log in `dir` (which no process may hold
/// open): exactly the range `audit verify` names. See the module docs.
pub async fn accept_loss(
    dir: &DataDir,
    first: u64,
    last: u64,
    operator: OperatorId,
    reason: String,
    clock: Arc<dyn Clock>,
) -> Result<LossAcceptance, OpsError> {
    if !dir.log().is_dir() {
        return Err(OpsError::NoLog(dir.log()));
    }
    let note = loss_note(first, last, &operator, &reason);
    let ctx = Context {
        time: clock.now(),
        actor: Actor::Operator(operator.clone()),
    };
    let command = |head_position: u64| AcceptLoss {
        first_position: first,
        last_position: last,
        head_position,
        reason: reason.clone(),
        record_sha256: note.to_hex(),
    };
    // Bad input changes nothing: the domain's rules first, on an empty
    // operations state, before the journal is touched.
    operations::accept_loss(&Operations::EMPTY, &command(0), &ctx)
        .map_err(|e| invalid(e.to_string()))?;
    let log = dir.log();
    let (head, journal_recorded) =
        match ledger_store_sled::accept_loss(&log, Position(first), Position(last), note) {
            Ok(loss) => (loss.head.position.0, true),
            Err(AcceptLossError::NothingLost) => (rerun_head(dir, first, last, note)?, false),
            Err(AcceptLossError::Store(e)) => return Err(e.into()),
            Err(e) => return Err(invalid(e.to_string())),
        };
    let sled = dir.open_existing_store()?;
    let store: DynStore = sled.clone();
    let ledger = Ledger::new(store.clone(), clock, LedgerConfig::default());
    let meta = CommandMeta::new(format!("accept-loss:{}", note.to_hex()), ctx.actor.clone());
    let outcome = ledger
        .execute(Command::AcceptLoss(command(head)), meta)
        .await;
    drop((ledger, store));
    sled.close().await?;
    let outcome = outcome.map_err(|e| invalid(format!("recording the loss in the log: {e}")))?;
    Ok(LossAcceptance {
        first_position: first,
        last_position: last,
        head_position: head,
        record_sha256: note.to_hex(),
        journal_recorded,
        event_position: outcome.position.0,
    })
}

/// The head of the journal's earlier acceptance of exactly this loss (a
/// rerun after a crash between the journal and the log).
fn rerun_head(dir: &DataDir, first: u64, last: u64, note: Digest) -> Result<u64, OpsError> {
    let losses = ledger_store_sled::journal_summary(&dir.log())?
        .map(|(_, losses)| losses)
        .unwrap_or_default();
    let same_range = |l: &&AcceptedLoss| (l.first.0, l.last.0) == (first, last);
    match losses.iter().find(same_range) {
        Some(l) if l.note == note => Ok(l.head.position.0),
        Some(_) => Err(invalid(format!(
            "the journal accepted the loss of positions {first}..={last} with a different record: rerun with the same --operator and --reason"
        ))),
        None => Err(invalid(AcceptLossError::NothingLost.to_string())),
    }
}

/// One accepted loss as `audit verify` lists it: the journal's entry and
/// the log's event, which must agree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LossInfo {
    pub first_position: u64,
    pub last_position: u64,
    pub head_position: u64,
    pub record_sha256: String,
    pub reason: String,
    /// Who accepted it (the event's recorded actor).
    pub accepted_by: String,
    pub accepted_at: DateTime<Utc>,
    pub event_position: u64,
}

/// Matches the journal's accepted losses with the log's `LossAccepted`
/// events, one to one: a journal loss without its event is
/// `loss_unrecorded`, an event without its journal entry is
/// `loss_not_in_journal`.
pub async fn losses(
    store: &DynStore,
    journal: &[AcceptedLoss],
) -> Result<Result<Vec<LossInfo>, AuditFailure>, OpsError> {
    let records = history(store, &stream_id(&AggregateId::Operations)).await?;
    let mut found = Vec::new();
    for r in &records {
        if let Event::LossAccepted(e) = decode_event(&r.event_type, r.schema_version, &r.payload)? {
            found.push(LossInfo {
                first_position: e.first_position,
                last_position: e.last_position,
                head_position: e.head_position,
                record_sha256: e.record_sha256,
                reason: e.reason,
                accepted_by: r.metadata.command.actor.clone(),
                accepted_at: e.accepted_at,
                event_position: r.position.0,
            });
        }
    }
    for l in journal {
        let recorded = found.iter().any(|f| {
            (f.first_position, f.last_position, f.record_sha256.as_str())
                == (l.first.0, l.last.0, l.note.to_hex().as_str())
        });
        if !recorded {
            return Ok(Err(AuditFailure {
                position: l.first.0,
                stream: None,
                code: "loss_unrecorded",
                reason: format!(
                    "the acknowledgement journal accepts the loss of positions {}..={}, but the log holds no LossAccepted event for it (a crash during accept-loss): rerun the same audit accept-loss",
                    l.first, l.last
                ),
            }));
        }
    }
    for f in &found {
        let journaled = journal.iter().any(|l| {
            (f.first_position, f.last_position, f.record_sha256.as_str())
                == (l.first.0, l.last.0, l.note.to_hex().as_str())
        });
        if !journaled {
            return Ok(Err(AuditFailure {
                position: f.event_position,
                stream: Some(stream_id(&AggregateId::Operations).0),
                code: "loss_not_in_journal",
                reason: format!(
                    "a LossAccepted event for positions {}..={} has no entry in the acknowledgement journal: the journal or the log was replaced",
                    f.first_position, f.last_position
                ),
            }));
        }
    }
    Ok(Ok(found))
}
