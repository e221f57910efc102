//! The operations aggregate: what an operator records about the log itself.
//! One stream for the whole ledger.
//!
//! Today it holds one kind of record: an operator's acceptance that
//! acknowledged log positions are lost (`order-ledger audit accept-loss`,
//! docs/RELIABILITY.md). The storage engine keeps its own proof of what it
//! acknowledged and refuses to open a log that lacks some of it; once an
//! operator accepts the loss there, this event says in the log itself what
//! was lost, who accepted it, when and why. `record_sha256` is the digest
//! the engine's journal holds for the same acceptance, so an auditor can
//! match the two.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::context::Context;
use crate::error::{check_text, DomainError};
use crate::Event;

/// Most accepted losses one ledger records (the engine's journal keeps as
/// many).
pub const MAX_ACCEPTED_LOSSES: usize = 256;
/// Longest reason an operator gives.
pub const MAX_LOSS_REASON_CHARS: usize = 1024;

// ---- Commands ---------------------------------------------------------------

/// Records that the acknowledged positions `first_position..=last_position`
/// are lost and the operator accepts it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptLoss {
    pub first_position: u64,
    pub last_position: u64,
    /// The log's head when the loss was accepted.
    pub head_position: u64,
    /// Why the loss is accepted (e.g. "no backup holds them; ticket 4711").
    pub reason: String,
    /// SHA-256 (64 lower-case hex digits) of the operator's loss record, as
    /// the engine's journal holds it.
    pub record_sha256: String,
}

// ---- Events -----------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LossAccepted {
    pub first_position: u64,
    pub last_position: u64,
    pub head_position: u64,
    pub reason: String,
    pub record_sha256: String,
    pub accepted_at: DateTime<Utc>,
}

// ---- State ------------------------------------------------------------------

/// What the operations stream holds. Empty is the initial state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Operations {
    losses: Vec<LossAccepted>,
}

impl Operations {
    /// No records yet.
    pub const EMPTY: Operations = Operations { losses: Vec::new() };

    /// Every accepted loss, oldest first.
    pub fn losses(&self) -> &[LossAccepted] {
        &self.losses
    }

    pub fn evolve(mut self, event: &Event) -> Operations {
        if let Event::LossAccepted(e) = event {
            self.losses.push(e.clone());
        }
        self
    }
}

// ---- Decider ----------------------------------------------------------------

fn check_sha256(value: &str) -> Result<(), DomainError> {
    let hex = value.len() == 64
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if hex {
        Ok(())
    } else {
        Err(DomainError::InvalidText {
            field: "record_sha256",
            reason: "must be 64 lower-case hex digits",
        })
    }
}

pub fn accept_loss(
    state: &Operations,
    c: &AcceptLoss,
    ctx: &Context,
) -> Result<Vec<Event>, DomainError> {
    // Who may: operators only, by the role table (`crate::roles`).
    if c.first_position == 0 || c.first_position > c.last_position {
        return Err(DomainError::InvalidId {
            kind: "lost range",
            reason: "must be first..=last with 1 <= first <= last",
        });
    }
    check_text("reason", &c.reason, MAX_LOSS_REASON_CHARS)?;
    check_sha256(&c.record_sha256)?;
    // A repeat of the last acceptance (a rerun after a crash) records nothing.
    if let Some(last) = state.losses.last() {
        if (last.first_position, last.last_position, &last.record_sha256)
            == (c.first_position, c.last_position, &c.record_sha256)
        {
            return Ok(vec![]);
        }
    }
    if state.losses.len() >= MAX_ACCEPTED_LOSSES {
        return Err(DomainError::LimitExceeded {
            what: "accepted losses",
            limit: MAX_ACCEPTED_LOSSES,
        });
    }
    Ok(vec![Event::LossAccepted(LossAccepted {
        first_position: c.first_position,
        last_position: c.last_position,
        head_position: c.head_position,
        reason: c.reason.clone(),
        record_sha256: c.record_sha256.clone(),
        accepted_at: ctx.time,
    })])
}
