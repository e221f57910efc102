//! `audit verify` and `audit head` on a data directory.
//!
//! [`verify_dir`] opens the log with the engine and walks it with
//! [`ledger_audit::verify`]. If the engine refuses to open it (its recovery
//! found damage), the walk runs over the raw segments instead
//! ([`crate::forensic`]) so that the report names the first bad record and
//! its stream, and says, for a broken link, whether a record was altered
//! or the chain was re-linked.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::Serialize;

use ledger_audit::{ChainBreak, Failure, FailureKind, Report};
use ledger_store::{Digest, DynStore, Position, StoreError};

use crate::forensic::{explain_link, stream_at, LinkBreak, RawLog};
use crate::loss::{losses, LossInfo};
use crate::records::digest;
use crate::{DataDir, OpsError};

/// A head an auditor recorded earlier (`audit head`), to prove later that
/// the record at that position still has that hash: `<position>:<hash>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExpectedHead {
    pub position: Position,
    pub hash: Digest,
}

impl FromStr for ExpectedHead {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (position, hash) = s
            .split_once(':')
            .ok_or("expected <position>:<hash>, e.g. 1042:<64 hex digits>")?;
        let position: u64 = position
            .trim()
            .parse()
            .map_err(|_| format!("{position:?} is not a position"))?;
        if position == 0 {
            return Err("positions start at 1".into());
        }
        Ok(ExpectedHead {
            position: Position(position),
            hash: digest(hash.trim(), "hash")?,
        })
    }
}

impl fmt::Display for ExpectedHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.position, self.hash)
    }
}

/// The first problem an audit found: where, in which stream, and what.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("position {position}{}: {reason}", .stream.as_ref().map(|s| format!(" (stream {s})")).unwrap_or_default())]
pub struct AuditFailure {
    pub position: u64,
    pub stream: Option<String>,
    /// A stable code: those of [`FailureKind::code`], `corrupt` (the engine
    /// or the raw reader could not read the record), `altered`,
    /// `expected_head_missing`, `expected_head_mismatch`,
    /// `acknowledged_missing` (the acknowledgement journal names positions
    /// the log lacks; `position` is the first), `journal` (the journal is
    /// missing or damaged), `unreadable` (the engine cannot read its own
    /// files; `position` is the last one the journal shows acknowledged),
    /// `loss_unrecorded`, `loss_not_in_journal` (see [`crate::loss`]).
    pub code: &'static str,
    pub reason: String,
}

impl From<Failure> for AuditFailure {
    fn from(f: Failure) -> AuditFailure {
        let (code, reason) = match &f.reason {
            FailureKind::Store(StoreError::Corrupt { reason, .. }) => ("corrupt", reason.clone()),
            other => (other.code(), other.to_string()),
        };
        AuditFailure {
            position: f.position.0,
            stream: f.stream.map(|s| s.0),
            code,
            reason,
        }
    }
}

/// Walks `store` with [`ledger_audit::verify`], then checks `expect`.
/// `progress(done, total)` after each batch.
pub async fn verify_store(
    store: &DynStore,
    expect: Option<ExpectedHead>,
    progress: impl FnMut(u64, u64),
) -> Result<Report, AuditFailure> {
    let report = ledger_audit::verify(store, progress).await?;
    if let Some(e) = expect {
        check_expected(store, &report, e).await?;
    }
    Ok(report)
}

async fn check_expected(
    store: &DynStore,
    report: &Report,
    e: ExpectedHead,
) -> Result<(), AuditFailure> {
    if e.position > report.head_position {
        return Err(AuditFailure {
            position: e.position.0,
            stream: None,
            code: "expected_head_missing",
            reason: format!(
                "the log ends at position {}, before the recorded head {}",
                report.head_position, e.position
            ),
        });
    }
    let record = store
        .read_all(e.position, 1)
        .await
        .ok()
        .and_then(|b| b.into_iter().next())
        .filter(|r| r.position == e.position)
        .ok_or_else(|| AuditFailure {
            position: e.position.0,
            stream: None,
            code: "expected_head_missing",
            reason: "the record cannot be read".into(),
        })?;
    if record.hash != e.hash {
        return Err(AuditFailure {
            position: e.position.0,
            stream: Some(record.stream_id.0),
            code: "expected_head_mismatch",
            reason: format!(
                "the record's hash is {}, the recorded head says {}",
                record.hash, e.hash
            ),
        });
    }
    Ok(())
}

/// A log that verified, with the losses an operator accepted in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    pub report: Report,
    /// Every accepted loss, oldest first: the journal's entry and the
    /// log's `LossAccepted` event agree on each.
    pub losses: Vec<LossInfo>,
}

/// Verifies the log of a data directory (see the module docs). The outer
/// error is an operational one (no log, in use, i/o); the inner one is
/// what the audit found.
pub async fn verify_dir(
    dir: &DataDir,
    expect: Option<ExpectedHead>,
    mut progress: impl FnMut(u64, u64),
) -> Result<Result<Verified, AuditFailure>, OpsError> {
    // True when the engine opened and a read failed: its position is the
    // read's start, not the record, so the raw walk's finding wins.
    let mut met_by_read = false;
    let engine_failure = match dir.open_existing_store() {
        Ok(sled) => {
            let store: DynStore = sled.clone();
            let verdict = match verify_store(&store, expect, &mut progress).await {
                Ok(report) => losses(&store, &sled.recovery().losses)
                    .await
                    .map(|found| found.map(|losses| Verified { report, losses })),
                Err(f) => Ok(Err(f)),
            };
            drop(store);
            sled.close().await?;
            match verdict {
                // The engine opens without reading the whole log (only its
                // tail), so damage further back is met by the walk's reads:
                // the raw walk below names the first bad record.
                Ok(Err(f)) if f.code == "corrupt" => {
                    met_by_read = true;
                    f
                }
                verdict => return verdict,
            }
        }
        // The engine's acknowledgement journal shows acknowledged records
        // the log lacks, or cannot vouch for the log: a verdict, not an
        // operational error (exit 3 in the CLI).
        Err(OpsError::Store(e @ StoreError::AcknowledgedMissing { first, .. })) => {
            return Ok(Err(AuditFailure {
                position: first.0,
                stream: None,
                code: "acknowledged_missing",
                reason: e.to_string(),
            }))
        }
        Err(OpsError::Store(e @ StoreError::Journal(_))) => {
            return Ok(Err(AuditFailure {
                position: 0,
                stream: None,
                code: "journal",
                reason: e.to_string(),
            }))
        }
        Err(OpsError::Store(StoreError::Corrupt { position, reason })) => AuditFailure {
            position: position.0,
            stream: None,
            code: "corrupt",
            reason,
        },
        Err(e) => return Err(e),
    };
    tracing::warn!(position = engine_failure.position, reason = %engine_failure.reason, "the engine refuses the log or a record of it, reading its segments");
    let raw: DynStore = match RawLog::open(&dir.log()) {
        Ok(raw) => raw,
        // Not even the raw reader gets in (sled's own files are damaged):
        // say what the journal shows was acknowledged, so the operator
        // knows what a backup must hold.
        Err(_) => return Ok(Err(unreadable(dir, engine_failure))),
    };
    // The raw reader reads in log order only: keep every aggregate (this
    // path is for a damaged directory, read once).
    let found = match ledger_audit::verify_with(&raw, usize::MAX, &mut progress).await {
        Ok(_) => None,
        Err(f) => Some(explain(&raw, f).await),
    };
    // Position 0 from the engine: it cannot read its own files at all
    // (sled's recovery or a read of its trees panicked), so it names no
    // record; the raw walk's finding, or else the journal's head, does.
    let engine_unreadable = engine_failure.position == Position::ORIGIN.0;
    Ok(Err(match found {
        Some(f) if met_by_read || engine_unreadable || f.position <= engine_failure.position => f,
        None if engine_unreadable => unreadable(dir, engine_failure),
        _ => AuditFailure {
            stream: stream_at(raw.as_ref(), Position(engine_failure.position))
                .await
                .map(|s| s.0),
            ..engine_failure
        },
    }))
}

/// The report on a log that cannot be read at all.
fn unreadable(dir: &DataDir, engine: AuditFailure) -> AuditFailure {
    let (acknowledged, vouched) = match ledger_store_sled::journal_summary(&dir.log()) {
        Ok(Some((head, _))) if head.position > Position::ORIGIN => (
            Some(head.position),
            format!(
                "; the acknowledgement journal shows positions 1..={} were acknowledged: restore a backup that holds them (audit verify --expect-head on the restored log)",
                head.position
            ),
        ),
        Ok(_) => (None, "; restore the data directory from a backup".to_string()),
        // Both the log and the journal that vouches for it are damaged:
        // nothing on this node can say how much was acknowledged, and the
        // report says so instead of naming a position it cannot know.
        Err(e) => (
            None,
            format!(
                "; the acknowledgement journal is damaged too ({e}), so nothing here shows how much was acknowledged: restore the data directory from a backup"
            ),
        ),
    };
    AuditFailure {
        position: acknowledged.map(|p| p.0).unwrap_or(0),
        stream: None,
        code: "unreadable",
        reason: format!("{}{vouched}", engine.reason),
    }
}

/// Turns a failure of the raw walk into the most precise report.
async fn explain(raw: &DynStore, f: Failure) -> AuditFailure {
    let FailureKind::BrokenChain(ChainBreak::PrevHashMismatch { recorded, expected }) = f.reason
    else {
        return f.into();
    };
    let at = f.position;
    let mut failure = AuditFailure::from(f);
    match explain_link(raw.as_ref(), at, recorded).await {
        Ok(LinkBreak::Linked(r)) => {
            failure.reason = format!(
                "{}; it is the hash of position {r}: records were removed, reordered or forged",
                failure.reason
            );
        }
        Ok(LinkBreak::Altered) => {
            let before = Position(at.0 - 1);
            failure = AuditFailure {
                position: before.0,
                stream: stream_at(raw.as_ref(), before).await.map(|s| s.0),
                code: "altered",
                reason: format!(
                    "record was altered after position {at} was written: its hash is {expected}, position {at} recorded {recorded}"
                ),
            };
        }
        Ok(LinkBreak::Unknown) | Err(_) => {}
    }
    failure
}

/// The newest record's position and chain hash, and its time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeadInfo {
    pub position: u64,
    pub hash: Digest,
    pub recorded_at: Option<DateTime<Utc>>,
}

/// The head of `store`.
pub async fn head_info(store: &DynStore) -> Result<HeadInfo, OpsError> {
    let head = store.head();
    let recorded_at = if head.position == Position::ORIGIN {
        None
    } else {
        store
            .read_all(head.position, 1)
            .await?
            .first()
            .map(|r| r.metadata.command.recorded_at)
    };
    Ok(HeadInfo {
        position: head.position.0,
        hash: head.hash,
        recorded_at,
    })
}
