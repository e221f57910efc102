//! The timer: turns passed deadlines into `ExpireOrder` and
//! `InvalidateContract` commands, so each flip is an event in the log.
//!
//! It reads the deadlines view, never the log's side effects, so rebuilding
//! a projection never fires anything. Each command carries the deadline as
//! its effective time and a deterministic command id, so a restart, a second
//! node or a replay never doubles one. After downtime, every missed deadline
//! fires in deadline order.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use tracing::{debug, info, warn};

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
    /// The domain refused it: the view was behind (the order was paid, or
    /// the contract voided, just before). Nothing recorded.
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

pub struct Timer {
    projector: Arc<Projector>,
    ledger: Arc<Ledger>,
    clock: Arc<dyn Clock>,
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
        }
    }

    /// Fires every deadline at or before the clock's now, earliest first.
    pub async fn tick(&self) -> Result<Vec<Fired>, TimerError> {
        let now = self.clock.now();
        let mut fired = Vec::new();
        let mut tried = HashSet::new();
        loop {
            self.projector.catch_up().await?;
            let view = self.projector.view(deadlines::NAME)?;
            let due: Vec<Deadline> = deadlines::due(&view, now, TIMER_BATCH)?
                .into_iter()
                .filter(|d| !tried.contains(&command_id(d)))
                .collect();
            if due.is_empty() {
                return Ok(fired);
            }
            for deadline in due {
                tried.insert(command_id(&deadline));
                fired.push(self.fire(deadline).await?);
            }
        }
    }

    async fn fire(&self, deadline: Deadline) -> Result<Fired, TimerError> {
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
        match self.ledger.execute(command, meta).await {
            Ok(outcome) => {
                info!(command_id = %command_id(&deadline), due = %deadline.due, position = %outcome.position, "deadline fired");
                Ok(Fired::Recorded {
                    deadline,
                    position: outcome.position,
                })
            }
            Err(AppError::Domain(e)) => {
                debug!(command_id = %command_id(&deadline), code = e.code(), "deadline refused");
                Ok(Fired::Refused {
                    deadline,
                    code: e.code(),
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Runs until the store goes away: tick, then sleep until the next
    /// deadline (at most [`MAX_TIMER_SLEEP_MS`]) or a new commit.
    pub async fn run(self) -> Result<(), TimerError> {
        let mut head = self.projector.store().watch_head();
        loop {
            head.borrow_and_update();
            if let Err(e) = self.tick().await {
                warn!(error = %e, "timer tick failed");
            }
            let view = self.projector.view(deadlines::NAME)?;
            let sleep_ms = match deadlines::next_due(&view)? {
                Some(d) => {
                    u64::try_from((d.due - self.clock.now()).num_milliseconds()).unwrap_or(0)
                }
                None => MAX_TIMER_SLEEP_MS,
            }
            .min(MAX_TIMER_SLEEP_MS);
            tokio::select! {
                changed = head.changed() => if changed.is_err() { return Ok(()) },
                () = tokio::time::sleep(Duration::from_millis(sleep_ms)) => {}
            }
        }
    }
}
