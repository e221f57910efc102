//! The offline generator: a valid log of at least N events, written through
//! the real command service (deciders, idempotency, expected versions) into
//! whatever store it is given, by many concurrent writers so the store's
//! group commit is exercised as in production.
//!
//! Time: a [`SpreadClock`] spreads the commands evenly over a window that
//! ends at `end`, so the log holds months of history whose unpaid orders'
//! deadlines have passed (the timer expires them when a node starts) and
//! whose last days hold fresh orders.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use ledger_app::documents::SigningKey;
use ledger_app::{AppError, Clock, CommandMeta, Ledger, LedgerConfig};
use ledger_store::DynStore;

use crate::mix::{Mix, MixError};
use crate::plan::{onboard, OrderPlan, Step};
use crate::stats::{Latencies, Summary};

/// Most concurrent writers.
pub const MAX_WRITERS: usize = 1024;
/// Most events one run may be asked for.
pub const MAX_EVENTS: u64 = 1_000_000_000;
/// Commands between two progress reports of one writer.
pub const PROGRESS_EVERY_COMMANDS: u64 = 1024;

/// A clock that moves forward by one tick each time it is read, from
/// `start`, never past `end`. Shared by every writer, so time only ever
/// moves forward in the log.
#[derive(Debug)]
pub struct SpreadClock {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    tick: Duration,
    reads: AtomicU64,
}

impl SpreadClock {
    /// A clock whose `reads`-th reading is `end`.
    pub fn new(end: DateTime<Utc>, span: Duration, reads: u64) -> SpreadClock {
        let reads = reads.max(1);
        let span_ms = span.num_milliseconds().max(1);
        // Integer milliseconds per read (at least one), so the last reading
        // is at or just before `end`.
        let tick_ms = (span_ms / i64::try_from(reads).unwrap_or(i64::MAX)).max(1);
        SpreadClock {
            start: end - span,
            end,
            tick: Duration::milliseconds(tick_ms),
            reads: AtomicU64::new(0),
        }
    }
}

impl Clock for SpreadClock {
    fn now(&self) -> DateTime<Utc> {
        let n = self.reads.fetch_add(1, Ordering::Relaxed);
        let n = i32::try_from(n).unwrap_or(i32::MAX);
        self.tick
            .checked_mul(n)
            .and_then(|d| self.start.checked_add_signed(d))
            .map_or(self.end, |t| t.min(self.end))
    }
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct GenerateOptions {
    pub mix: Mix,
    /// Stop planning new orders once this many events are recorded (the
    /// orders under way finish their lives, so a run ends a little past it).
    pub events: u64,
    /// Concurrent writers (each runs one order's life at a time).
    pub writers: usize,
    /// The history's length, ending at `end`.
    pub span: Duration,
    pub end: DateTime<Utc>,
    /// The key official contract documents are sealed with at conversion,
    /// as `serve` seals them (the data directory's document key), so a
    /// generated log records what a served one would.
    pub document_key: SigningKey,
}

impl GenerateOptions {
    pub fn new(events: u64, end: DateTime<Utc>, document_key: SigningKey) -> GenerateOptions {
        GenerateOptions {
            mix: Mix::default(),
            events,
            writers: 64,
            span: Duration::days(90),
            end,
            document_key,
        }
    }
}

/// Where a run is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub events: u64,
    pub commands: u64,
    pub target_events: u64,
}

/// What a run did.
#[derive(Clone, Debug)]
pub struct GenerateReport {
    pub events: u64,
    pub commands: u64,
    /// Commands whose id was already in the log (a rerun of a seed).
    pub deduplicated: u64,
    pub customers: u64,
    pub orders: u64,
    pub elapsed: StdDuration,
    pub latency: Summary,
}

impl GenerateReport {
    /// Events per second over the run.
    pub fn events_per_second(&self) -> u64 {
        let ms = self.elapsed.as_millis().max(1) as u64;
        self.events.saturating_mul(1000) / ms
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error(transparent)]
    Mix(#[from] MixError),
    #[error("writers must be 1 to {MAX_WRITERS}")]
    Writers,
    #[error("events must be 1 to {MAX_EVENTS}")]
    Events,
    #[error("command {command_id} was refused: {source}")]
    Refused {
        command_id: String,
        source: AppError,
    },
    #[error("a writer failed: {0}")]
    Writer(String),
}

#[derive(Default)]
struct Counters {
    events: AtomicU64,
    commands: AtomicU64,
    deduplicated: AtomicU64,
    orders: AtomicU64,
}

struct Run {
    ledger: Ledger,
    counters: Counters,
    /// Events after which no new order is started (`u64::MAX` while
    /// customers are onboarded: every customer an order names must exist).
    target: AtomicU64,
    progress: Box<dyn Fn(Progress) + Send + Sync>,
}

impl Run {
    async fn send(&self, step: Step, latencies: &mut Latencies) -> Result<(), GenerateError> {
        let started = Instant::now();
        let outcome = self
            .ledger
            .execute(
                step.command,
                CommandMeta::new(step.command_id.clone(), step.actor),
            )
            .await
            .map_err(|source| GenerateError::Refused {
                command_id: step.command_id,
                source,
            })?;
        latencies.record(started.elapsed());
        let events = outcome.events.len() as u64;
        self.counters.events.fetch_add(events, Ordering::Relaxed);
        if outcome.deduplicated {
            self.counters.deduplicated.fetch_add(1, Ordering::Relaxed);
        }
        let commands = self.counters.commands.fetch_add(1, Ordering::Relaxed) + 1;
        if commands % PROGRESS_EVERY_COMMANDS == 0 {
            (self.progress)(self.progress());
        }
        Ok(())
    }

    fn progress(&self) -> Progress {
        Progress {
            events: self.counters.events.load(Ordering::Relaxed),
            commands: self.counters.commands.load(Ordering::Relaxed),
            target_events: self.target.load(Ordering::Relaxed),
        }
    }

    fn done(&self) -> bool {
        self.counters.events.load(Ordering::Relaxed) >= self.target.load(Ordering::Relaxed)
    }
}

/// Runs `writers` tasks, each taking the next index below `end` until
/// the run is done, and merges their latencies.
async fn fan_out<F, Fut>(
    writers: usize,
    end: u64,
    run: &Arc<Run>,
    work: F,
) -> Result<Latencies, GenerateError>
where
    F: Fn(Arc<Run>, u64, Latencies) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = Result<Latencies, GenerateError>> + Send,
{
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..writers {
        let (next, run, work) = (next.clone(), run.clone(), work.clone());
        tasks.spawn(async move {
            let mut latencies = Latencies::default();
            while !run.done() {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= end {
                    break;
                }
                latencies = work(run.clone(), i, latencies).await?;
            }
            Ok::<_, GenerateError>(latencies)
        });
    }
    let mut merged = Latencies::default();
    while let Some(joined) = tasks.join_next().await {
        let latencies = joined.map_err(|e| GenerateError::Writer(e.to_string()))??;
        merged.merge(&latencies);
    }
    Ok(merged)
}

async fn send_all(
    run: Arc<Run>,
    steps: Vec<Step>,
    mut latencies: Latencies,
) -> Result<Latencies, GenerateError> {
    for step in steps {
        run.send(step, &mut latencies).await?;
    }
    Ok(latencies)
}

/// Generates a log of at least `options.events` events into `store`.
/// `progress` is called now and then from the writers.
pub async fn generate(
    store: DynStore,
    options: GenerateOptions,
    progress: impl Fn(Progress) + Send + Sync + 'static,
) -> Result<GenerateReport, GenerateError> {
    options.mix.validate()?;
    if options.writers == 0 || options.writers > MAX_WRITERS {
        return Err(GenerateError::Writers);
    }
    if options.events == 0 || options.events > MAX_EVENTS {
        return Err(GenerateError::Events);
    }
    let clock = Arc::new(SpreadClock::new(options.end, options.span, options.events));
    let run = Arc::new(Run {
        ledger: Ledger::new(store, clock, LedgerConfig::default())
            .with_document_key(options.document_key.clone()),
        counters: Counters::default(),
        target: AtomicU64::new(u64::MAX),
        progress: Box::new(progress),
    });
    let started = Instant::now();
    let mix = Arc::new(options.mix.clone());
    let customers = mix.customer_count();

    // Customers first (one stream each, as concurrent as orders).
    let onboarding_mix = mix.clone();
    let mut latencies = fan_out(options.writers, customers, &run, move |run, i, l| {
        send_all(run, onboard(&onboarding_mix, i), l)
    })
    .await?;

    // Then orders, each one's whole life by one writer, until the target.
    run.target.store(options.events, Ordering::Relaxed);
    let order_mix = mix.clone();
    latencies.merge(
        &fan_out(options.writers, u64::MAX, &run, move |run, i, l| {
            let plan = OrderPlan::new(&order_mix, i);
            run.counters.orders.fetch_add(1, Ordering::Relaxed);
            send_all(run, plan.steps(), l)
        })
        .await?,
    );
    (run.progress)(run.progress());

    let c = &run.counters;
    Ok(GenerateReport {
        events: c.events.load(Ordering::Relaxed),
        commands: c.commands.load(Ordering::Relaxed),
        deduplicated: c.deduplicated.load(Ordering::Relaxed),
        customers,
        orders: c.orders.load(Ordering::Relaxed),
        elapsed: started.elapsed(),
        latency: latencies.summary(),
    })
}
