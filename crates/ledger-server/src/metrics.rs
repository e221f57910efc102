//! Prometheus metrics: commands by type and outcome, command latency
//! (execute, including the durable append), HTTP requests by route and
//! status, the timer's lag per firing, and, read at scrape time,
//! projection lag, the command service's counts (deduplications,
//! conflicts, state cache hits), the oldest overdue deadline and the
//! process's resident memory.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use ledger_app::Ledger;
use ledger_projections::{deadlines, Fired, Projector};
use ledger_store_sled::SyncRound;
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CommandLabels {
    pub command: String,
    /// `accepted`, `deduplicated`, or the refusal's error code.
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LatencyLabels {
    pub command: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AppendLabels {
    /// `ok` or `error`.
    pub result: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ProjectionLabels {
    pub projection: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TimerLabels {
    /// `recorded`, or `refused` (the view was behind, the id was taken).
    pub outcome: String,
}

/// Where the kernel reports the process's memory (Linux).
pub const PROC_STATUS_PATH: &str = "/proc/self/status";

/// A gauge of seconds.
type Seconds = Gauge<f64, AtomicU64>;

/// The counts [`Ledger::stats`] keeps, exposed as counters (set from the
/// ledger's own at each scrape: the ledger is their only writer).
struct LedgerCounters {
    dedup_hits: Counter,
    conflicts: Counter,
    contention_failures: Counter,
    cache_hits: Counter,
    cache_misses: Counter,
}

/// The server's metrics.
pub struct Metrics {
    registry: Registry,
    commands: Family<CommandLabels, Counter>,
    command_seconds: Family<LatencyLabels, Histogram>,
    append_seconds: Family<AppendLabels, Histogram>,
    http_requests: Family<HttpLabels, Counter>,
    projection_lag: Family<ProjectionLabels, Gauge>,
    projection_checkpoint: Family<ProjectionLabels, Gauge>,
    projection_rebuild_rate: Family<ProjectionLabels, Gauge>,
    log_head: Gauge,
    timer_lag: Family<TimerLabels, Histogram>,
    timer_overdue: Seconds,
    ledger: LedgerCounters,
    resident_memory: Gauge,
    store: StoreMetrics,
}

/// The log's sync rounds (group commit), from the engine's observer.
struct StoreMetrics {
    fdatasync: Histogram,
    journal: Histogram,
    queue_wait: Histogram,
    round_appends: Histogram,
}

fn size_histogram() -> Histogram {
    // 1 .. 4096 appends.
    Histogram::new(exponential_buckets(1.0, 2.0, 13))
}

fn latency_histogram() -> Histogram {
    // 0.1 ms .. ~3.3 s.
    Histogram::new(exponential_buckets(0.000_1, 2.0, 16))
}

fn lag_histogram() -> Histogram {
    // 1 ms .. ~70 min: a firing after downtime is late by the downtime.
    Histogram::new(exponential_buckets(0.001, 4.0, 13))
}

/// The resident set size from `VmRSS:` of [`PROC_STATUS_PATH`] (kB there;
/// statm would need the page size, which std does not expose), or `None`
/// off Linux.
pub fn resident_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string(PROC_STATUS_PATH).ok()?;
    parse_vm_rss(&status)
}

fn parse_vm_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line
        .trim_start_matches("VmRSS:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    kb.checked_mul(1024)
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Sets a counter the ledger counts to the ledger's value.
fn set_counter(counter: &Counter, value: u64) {
    let atomic: &AtomicU64 = counter.inner();
    atomic.fetch_max(value, Ordering::Relaxed);
}

impl Default for Metrics {
    fn default() -> Metrics {
        let mut registry = Registry::with_prefix("order_ledger");
        let commands = Family::<CommandLabels, Counter>::default();
        let command_seconds = Family::<LatencyLabels, Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        let append_seconds = Family::<AppendLabels, Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        let http_requests = Family::<HttpLabels, Counter>::default();
        let projection_lag = Family::<ProjectionLabels, Gauge>::default();
        let projection_checkpoint = Family::<ProjectionLabels, Gauge>::default();
        let projection_rebuild_rate = Family::<ProjectionLabels, Gauge>::default();
        let log_head = Gauge::default();
        let timer_lag = Family::<TimerLabels, Histogram>::new_with_constructor(
            lag_histogram as fn() -> Histogram,
        );
        let timer_overdue = Seconds::default();
        let ledger = LedgerCounters {
            dedup_hits: Counter::default(),
            conflicts: Counter::default(),
            contention_failures: Counter::default(),
            cache_hits: Counter::default(),
            cache_misses: Counter::default(),
        };
        let resident_memory = Gauge::default();
        let store = StoreMetrics {
            fdatasync: latency_histogram(),
            journal: latency_histogram(),
            queue_wait: latency_histogram(),
            round_appends: size_histogram(),
        };
        registry.register(
            "commands",
            "Commands handled, by command and outcome",
            commands.clone(),
        );
        registry.register(
            "command_duration_seconds",
            "Time to execute a command, including its durable append",
            command_seconds.clone(),
        );
        registry.register(
            "append_duration_seconds",
            "Time for the log to make an append durable (group commit and fdatasync)",
            append_seconds.clone(),
        );
        registry.register(
            "http_requests",
            "HTTP requests, by route and status",
            http_requests.clone(),
        );
        registry.register(
            "projection_lag_events",
            "Events in the log a projection has not applied yet",
            projection_lag.clone(),
        );
        registry.register(
            "projection_checkpoint_position",
            "Last log position a projection applied",
            projection_checkpoint.clone(),
        );
        registry.register(
            "log_head_position",
            "Position of the log's head",
            log_head.clone(),
        );
        registry.register(
            "projection_rebuild_events_per_second",
            "Events per second of a running rebuild (0 when none runs)",
            projection_rebuild_rate.clone(),
        );
        registry.register(
            "timer_lag_seconds",
            "How late the timer acted on each deadline (now minus due)",
            timer_lag.clone(),
        );
        registry.register(
            "timer_overdue_seconds",
            "Age of the earliest deadline due but not yet acted on (0 when none)",
            timer_overdue.clone(),
        );
        registry.register(
            "command_dedup_hits",
            "Commands answered from the command-id index (a repeated command id)",
            ledger.dedup_hits.clone(),
        );
        registry.register(
            "command_conflicts",
            "Appends refused for a concurrent write to a stream, each retried",
            ledger.conflicts.clone(),
        );
        registry.register(
            "command_contention_failures",
            "Commands given up after the most conflict retries",
            ledger.contention_failures.clone(),
        );
        registry.register(
            "state_cache_hits",
            "Aggregate loads served from the command service's state cache",
            ledger.cache_hits.clone(),
        );
        registry.register(
            "state_cache_misses",
            "Aggregate loads that rebuilt a state from its stream",
            ledger.cache_misses.clone(),
        );
        registry.register(
            "process_resident_memory_bytes",
            "Resident memory of the server process (VmRSS)",
            resident_memory.clone(),
        );
        registry.register(
            "store_fsync_duration_seconds",
            "fdatasync of the log's files per sync round",
            store.fdatasync.clone(),
        );
        registry.register(
            "store_journal_duration_seconds",
            "Acknowledgement journal append and fdatasync per sync round",
            store.journal.clone(),
        );
        registry.register(
            "store_queue_wait_seconds",
            "Longest wait of an append in the write queue, per sync round",
            store.queue_wait.clone(),
        );
        registry.register(
            "store_round_appends",
            "Appends (commands) one sync round made durable (group commit size)",
            store.round_appends.clone(),
        );
        // Both outcomes exported from the start (count 0), so the timer's
        // panels and alerts see the series before the first firing.
        for outcome in ["recorded", "refused"] {
            let _ = timer_lag.get_or_create(&TimerLabels {
                outcome: outcome.to_owned(),
            });
        }
        Metrics {
            registry,
            commands,
            command_seconds,
            append_seconds,
            http_requests,
            projection_lag,
            projection_checkpoint,
            projection_rebuild_rate,
            log_head,
            timer_lag,
            timer_overdue,
            ledger,
            resident_memory,
            store,
        }
    }
}

impl Metrics {
    pub fn command(&self, command: &str, outcome: &str, took: Duration) {
        self.commands
            .get_or_create(&CommandLabels {
                command: command.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc();
        self.command_seconds
            .get_or_create(&LatencyLabels {
                command: command.to_owned(),
            })
            .observe(took.as_secs_f64());
    }

    pub fn append(&self, ok: bool, took: Duration) {
        self.append_seconds
            .get_or_create(&AppendLabels {
                result: if ok { "ok" } else { "error" }.to_owned(),
            })
            .observe(took.as_secs_f64());
    }

    pub fn http_request(&self, route: &str, status: u16) {
        self.http_requests
            .get_or_create(&HttpLabels {
                route: route.to_owned(),
                status,
            })
            .inc();
    }

    /// One sync round of the log.
    pub fn store_round(&self, round: &SyncRound) {
        self.store.fdatasync.observe(round.fdatasync.as_secs_f64());
        self.store.journal.observe(round.journal.as_secs_f64());
        self.store
            .queue_wait
            .observe(round.queue_wait.as_secs_f64());
        self.store
            .round_appends
            .observe(f64::from(u32::try_from(round.appends).unwrap_or(u32::MAX)));
    }

    /// One timer firing and how late it was.
    pub fn timer_fired(&self, fired: &Fired, lag: Duration) {
        let outcome = match fired {
            Fired::Recorded { .. } => "recorded",
            Fired::Refused { .. } => "refused",
        };
        self.timer_lag
            .get_or_create(&TimerLabels {
                outcome: outcome.to_owned(),
            })
            .observe(lag.as_secs_f64());
    }

    /// A rebuild's speed (`0` once it is over).
    pub fn rebuild_rate(&self, projection: &str, events_per_s: u64) {
        self.projection_rebuild_rate
            .get_or_create(&ProjectionLabels {
                projection: projection.to_owned(),
            })
            .set(to_i64(events_per_s));
    }

    /// The Prometheus text exposition, with the gauges read now: projection
    /// status, the ledger's counts, the oldest overdue deadline (as of
    /// `now`) and the resident memory.
    pub fn render(
        &self,
        projector: &Arc<Projector>,
        ledger: &Ledger,
        now: DateTime<Utc>,
    ) -> String {
        let stats = ledger.stats();
        set_counter(&self.ledger.dedup_hits, stats.deduplicated);
        set_counter(&self.ledger.conflicts, stats.conflicts);
        set_counter(&self.ledger.contention_failures, stats.contention_failures);
        set_counter(&self.ledger.cache_hits, stats.cache_hits);
        set_counter(&self.ledger.cache_misses, stats.cache_misses);
        let overdue = projector
            .view(deadlines::NAME)
            .ok()
            .and_then(|view| deadlines::next_due(&view).ok().flatten())
            .and_then(|d| (now - d.due).to_std().ok())
            .unwrap_or(Duration::ZERO);
        self.timer_overdue.set(overdue.as_secs_f64());
        if let Some(rss) = resident_memory_bytes() {
            self.resident_memory.set(to_i64(rss));
        }
        for s in projector.status() {
            let labels = ProjectionLabels {
                projection: s.name.to_owned(),
            };
            self.projection_lag
                .get_or_create(&labels)
                .set(i64::try_from(s.lag).unwrap_or(i64::MAX));
            self.projection_checkpoint
                .get_or_create(&labels)
                .set(i64::try_from(s.checkpoint.0).unwrap_or(i64::MAX));
            // Exported at 0 while no rebuild runs (a running one keeps its
            // rate), so a panel or an alert never sees the series absent.
            let _ = self.projection_rebuild_rate.get_or_create(&labels);
        }
        let head = projector.store().head().position.0;
        self.log_head.set(i64::try_from(head).unwrap_or(i64::MAX));
        let mut out = String::new();
        encode(&mut out, &self.registry).expect("writing to a string cannot fail");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::parse_vm_rss;

    #[test]
    fn reads_vm_rss_in_bytes() {
        let status = "Name:\tserver\nVmPeak:\t  9000 kB\nVmRSS:\t    1234 kB\nThreads:\t4\n";
        assert_eq!(parse_vm_rss(status), Some(1234 * 1024));
        assert_eq!(parse_vm_rss("Name:\tserver\n"), None);
        assert_eq!(parse_vm_rss("VmRSS:\tlots kB\n"), None);
    }
}
