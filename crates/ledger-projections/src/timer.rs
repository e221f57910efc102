//! The timer: turns passed deadlines into `ExpireOrder` and
//! `InvalidateContract` commands, so each flip is an event in the log.
//!
//! It reads the deadlines view, never the log's side effects, so rebuilding
//! a projection never fires anything. Each command carries the deadline as
//! its effective time and a deterministic command id, so a restart, a second
//! node or a replay never doubles one. After downtime, every missed deadline
//! fires in deadline order.
//!
//! Each command's causation id names the event that scheduled its deadline
//! (`position:<n>`, [`Cause`](crate::deadlines::Cause)) and its correlation id is that event's, so
//! an expiry is found with the order's placement. Each firing runs in a
//! `timer.fire` span with the deadline, its lag (now − due, `lag_ms`) and
//! the command id, and is reported to the [`FireObserver`] (metrics).

use std::sync::Arc;
use std::time::Duration;

use tracing::{info, info_span, warn, Instrument};

use ledger_app::{AppError, Clock, CommandMeta, Ledger};
use ledger_codec::Position;
use ledger_domain::contract::InvalidateContract;
use ledger_domain::order::ExpireOrder;
use ledger_domain::{Actor, Command};

use crate::deadlines::{self, Deadline, Target};
use crate::{ProjectionError, Projector};

/// Deadlines read from the view per round.
pub const TIMER_BATCH: usize = 256;
/// Longest the timer sleeps before looking again (the clock may jump).
pub const MAX_TIMER_SLEEP_MS: u64 = 1_000;

/// What the timer did with one deadline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fired {
    /// The flip was recorded at this position.
    Recorded {
        deadline: Deadline,
        position: Position,
    },
    /// Refused, with the error code: the view was behind (the order was
    /// paid, or the contract voided, just before), or the command id was
    /// taken. Nothing recorded.
    Refused {
        deadline: Deadline,
        code: &'static str,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum TimerError {
    #[error(transparent)]
    Projection(#[from] ProjectionError),
    #[error(transparent)]
    App(#[from] AppError),
}

/// Told of every firing with its lag (now − due, zero when early): how the
/// server feeds its timer metrics without the timer knowing them.
pub type FireObserver = Arc<dyn Fn(&Fired, Duration) + Send + Sync>;

pub struct Timer {
    projector: Arc<Projector>,
    ledger: Arc<Ledger>,
    clock: Arc<dyn Clock>,
    observer: Option<FireObserver>,
}

/// The deterministic command id of a deadline's command.
pub fn command_id(deadline: &Deadline) -> String {
    match &deadline.target {
        Target::ExpireOrder(id) => format!("timer:expire:{id}"),
        Target::InvalidateContract(no) => {
            format!("timer:invalidate:{no}:{}", deadline.due.timestamp_millis())
        }
    }
}

impl Timer {
    pub fn new(projector: Arc<Projector>, ledger: Arc<Ledger>, clock: Arc<dyn Clock>) -> Timer {
        Timer {
            projector,
            ledger,
            clock,
            observer: None,
        }
    }

    /// Reports every firing to `observer`.
    pub fn with_observer(mut self, observer: FireObserver) -> Timer {
        self.observer = Some(observer);
        self
    }

    /// Fires every deadline at or before the clock's now, earliest first.
    /// A deadline the domain (or the command-id check) refuses is reported
    /// and passed over; it never blocks the ones after it.
    pub async fn tick(&self) -> Result<Vec<Fired>, TimerError> {
        let now = self.clock.now();
        let mut fired = Vec::new();
        let mut cursor: Option<Deadline> = None;
        loop {
            self.projector.catch_up().await?;
            let view = self.projector.view(deadlines::NAME)?;
            let due = deadlines::due_after(&view, cursor.as_ref(), now, TIMER_BATCH)?;
            let Some(last) = due.last().cloned() else {
                return Ok(fired);
            };
            for deadline in due {
                fired.push(self.fire(deadline).await?);
            }
            cursor = Some(last);
        }
    }

    async fn fire(&self, deadline: Deadline) -> Result<Fired, TimerError> {
        let lag = (self.clock.now() - deadline.due)
            .to_std()
            .unwrap_or(Duration::ZERO);
        let span = info_span!(
            "timer.fire",
            deadline = %deadline.due,
            lag_ms = u64::try_from(lag.as_millis()).unwrap_or(u64::MAX),
            command_id = %command_id(&deadline),
            causation_id = %deadline.cause.causation_id(),
        );
        let fired = self.fire_now(deadline).instrument(span).await?;
        if let Some(observer) = &self.observer {
            observer(&fired, lag);
        }
        Ok(fired)
    }

    async fn fire_now(&self, deadline: Deadline) -> Result<Fired, TimerError> {
        let command = match &deadline.target {
            Target::ExpireOrder(id) => Command::ExpireOrder(ExpireOrder {
                order_id: id.clone(),
            }),
            Target::InvalidateContract(no) => Command::InvalidateContract(InvalidateContract {
                contract_no: no.clone(),
            }),
        };
        let mut meta = CommandMeta::new(command_id(&deadline), Actor::System);
        meta.effective_time = Some(deadline.due);
        meta.causation_id = Some(deadline.cause.causation_id());
        meta.correlation_id = deadline.cause.correlation_id.clone();
        match self.ledger.execute(command, meta).await {
            Ok(outcome) => {
                info!(command_id = %command_id(&deadline), due = %deadline.due, position = %outcome.position, "deadline fired");
                Ok(Fired::Recorded {
                    deadline,
                    position: outcome.position,
                })
            }
            // Store trouble stops the tick; anything about this one deadline
            // (a rule, a reused id, contention) is reported and passed over.
            Err(e @ (AppError::Unavailable(_) | AppError::Corrupt(_) | AppError::Internal(_))) => {
                Err(e.into())
            }
            Err(e) => {
                warn!(command_id = %command_id(&deadline), code = e.code(), error = %e, "deadline refused");
                Ok(Fired::Refused {
                    deadline,
                    code: e.code(),
                })
            }
        }
    }

    /// Runs until the store goes away: tick, then sleep until the next
    /// deadline (at most [`MAX_TIMER_SLEEP_MS`]) or a new commit. Errors are
    /// logged and retried after [`MAX_TIMER_SLEEP_MS`], never spun on.
    pub async fn run(self) {
        let mut head = self.projector.store().watch_head();
        loop {
            head.borrow_and_update();
            let sleep_ms = match self.tick().await.and_then(|_| self.next_sleep_ms()) {
                Ok(ms) => ms,
                Err(e) => {
                    warn!(error = %e, "timer tick failed");
                    MAX_TIMER_SLEEP_MS
                }
            };
            tokio::select! {
                changed = head.changed() => if changed.is_err() { return },
                () = tokio::time::sleep(Duration::from_millis(sleep_ms)) => {}
            }
        }
    }

    /// Until the next deadline; a deadline already past (one the tick just
    /// refused) waits the full interval rather than spinning.
    fn next_sleep_ms(&self) -> Result<u64, TimerError> {
        let view = self.projector.view(deadlines::NAME)?;
        let until_next = deadlines::next_due(&view)?
            .map(|d| (d.due - self.clock.now()).num_milliseconds())
            .and_then(|ms| u64::try_from(ms).ok())
            .filter(|ms| *ms > 0);
        Ok(until_next
            .unwrap_or(MAX_TIMER_SLEEP_MS)
            .min(MAX_TIMER_SLEEP_MS))
    }
}
