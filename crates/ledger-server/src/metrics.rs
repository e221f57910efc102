//! Prometheus metrics: commands by type and outcome, command latency
//! (execute, including the durable append), HTTP requests by route and
//! status, and projection lag (read at scrape time).

use std::sync::Arc;
use std::time::Duration;

use ledger_projections::Projector;
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

/// The server's metrics.
pub struct Metrics {
    registry: Registry,
    commands: Family<CommandLabels, Counter>,
    command_seconds: Family<LatencyLabels, Histogram>,
    append_seconds: Family<AppendLabels, Histogram>,
    http_requests: Family<HttpLabels, Counter>,
    projection_lag: Family<ProjectionLabels, Gauge>,
    projection_checkpoint: Family<ProjectionLabels, Gauge>,
    log_head: Gauge,
}

fn latency_histogram() -> Histogram {
    // 0.1 ms .. ~3.3 s.
    Histogram::new(exponential_buckets(0.000_1, 2.0, 16))
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
        let log_head = Gauge::default();
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
        Metrics {
            registry,
            commands,
            command_seconds,
            append_seconds,
            http_requests,
            projection_lag,
            projection_checkpoint,
            log_head,
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

    /// The Prometheus text exposition, with projection gauges read now.
    pub fn render(&self, projector: &Arc<Projector>) -> String {
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
        }
        let head = projector.store().head().position.0;
        self.log_head.set(i64::try_from(head).unwrap_or(i64::MAX));
        let mut out = String::new();
        encode(&mut out, &self.registry).expect("writing to a string cannot fail");
        out
    }
}
