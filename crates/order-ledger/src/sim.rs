//! `generate` (offline: a log of N events into a data directory) and
//! `simulate` (online: a running server driven over gRPC). Parsing, the
//! progress bar and the report; the work is in `ledger-sim` and
//! `ledger_server::simulate`.

use std::io::IsTerminal;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ledger_app::{Clock, SystemClock};
use ledger_ops::DataDir;
use ledger_server::simulate::{simulate, SimulateOptions};
use ledger_server::Config;
use ledger_sim::{generate, GenerateOptions, Mix, Summary};
use ledger_store::DynStore;

/// The workload's shape, shared by both commands.
#[derive(Args, Clone)]
pub struct MixArgs {
    /// Seed of every draw: the same seed plans the same orders.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Ordinary customers (besides the large ones).
    #[arg(long, default_value_t = 10_000)]
    customers: u32,
    /// Each large customer's share of all orders, in ‰ (comma-separated,
    /// largest first). The default gives one customer 20%: 1M orders in a
    /// 10M-event log.
    #[arg(long, value_delimiter = ',', default_value = "200,30,20")]
    large: Vec<u16>,
}

impl MixArgs {
    fn mix(&self) -> Mix {
        Mix {
            seed: self.seed,
            customers: self.customers,
            large_customers: self.large.clone(),
            ..Mix::default()
        }
    }
}

#[derive(Args)]
pub struct GenerateArgs {
    /// Events to write (at least; the orders under way finish their lives).
    #[arg(long)]
    events: u64,
    /// Concurrent writers.
    #[arg(long, default_value_t = 64)]
    writers: usize,
    /// Days of history, ending now.
    #[arg(long, default_value_t = 90)]
    days: i64,
    #[command(flatten)]
    mix: MixArgs,
}

#[derive(Args)]
pub struct SimulateArgs {
    /// The server's gRPC URL.
    #[arg(long, default_value = "http://127.0.0.1:50051")]
    server: String,
    /// A service key's bearer token.
    #[arg(long, env = "ORDER_LEDGER_TOKEN", hide_env_values = true)]
    token: String,
    /// Concurrent connections.
    #[arg(long, default_value_t = 16)]
    connections: usize,
    /// Stop after this many orders.
    #[arg(long)]
    orders: Option<u64>,
    /// Stop after this long, e.g. 30s, 5m.
    #[arg(long, value_parser = parse_duration)]
    duration: Option<Duration>,
    /// Commands per second over all connections (default: as fast as
    /// acknowledged).
    #[arg(long)]
    rate: Option<u64>,
    /// Commands per call: 1 sends one RPC per command; more sends whole
    /// order lives with ExecuteBatch, up to this many commands a call.
    #[arg(long, default_value_t = 1)]
    batch: usize,
    /// The first order index (distinct runs into one log need distinct
    /// ranges or seeds).
    #[arg(long, default_value_t = 0)]
    first_order: u64,
    /// The server's process id, to report its resident memory.
    #[arg(long)]
    server_pid: Option<u32>,
    /// The server's data directory, to report its size on disk.
    #[arg(long)]
    server_data_dir: Option<std::path::PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    mix: MixArgs,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = n
        .parse()
        .map_err(|_| format!("{s}: expected e.g. 30s, 5m, 1h"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        _ => return Err(format!("{s}: the unit must be s, m or h")),
    };
    Ok(Duration::from_secs(secs))
}

fn bar(template: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(template)
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar
}

fn latency_json(s: &Summary) -> serde_json::Value {
    serde_json::json!({
        "count": s.count, "p50_us": s.p50_us, "p99_us": s.p99_us,
        "p999_us": s.p999_us, "max_us": s.max_us,
    })
}

/// Bytes of every file under `path`.
fn disk_bytes(path: &std::path::Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => disk_bytes(&e.path()),
            _ => e.metadata().map(|m| m.len()).unwrap_or(0),
        })
        .sum()
}

/// Resident and peak resident memory of a process, from /proc.
fn rss_bytes(pid: &str) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
            .map(|kb| kb * 1024)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

pub async fn run_generate(config: &Config, args: GenerateArgs) -> anyhow::Result<()> {
    let dir = DataDir::new(&config.data_dir);
    let sled = dir.open_store()?;
    let store: DynStore = sled.clone();
    let mut options = GenerateOptions::new(args.events, SystemClock.now(), dir.document_key()?);
    options.mix = args.mix.mix();
    options.writers = args.writers;
    options.span = chrono::Duration::days(args.days);
    let bar = bar("generate [{bar:32}] {human_pos}/{human_len} events  {per_sec}  eta {eta}");
    bar.set_length(args.events);
    let shown = bar.clone();
    let result = generate(store, options, move |p| {
        shown.set_position(p.events.min(p.target_events));
    })
    .await;
    bar.finish_and_clear();
    let report = result?;
    // Every append was acknowledged durable; closing flushes sled's own
    // state so the next open is quick.
    sled.close().await.context("closing the log")?;
    let log_bytes = disk_bytes(&dir.log());
    let out = serde_json::json!({
        "events": report.events,
        "commands": report.commands,
        "deduplicated": report.deduplicated,
        "customers": report.customers,
        "orders": report.orders,
        "seconds": report.elapsed.as_secs_f64(),
        "events_per_second": report.events_per_second(),
        "latency": latency_json(&report.latency),
        "log_bytes": log_bytes,
        "log_bytes_per_event": log_bytes / report.events.max(1),
        "peak_rss_bytes": rss_bytes("self").map(|(_, peak)| peak),
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}

pub async fn run_simulate(args: SimulateArgs) -> anyhow::Result<()> {
    let options = SimulateOptions {
        server: args.server.clone(),
        token: args.token.clone(),
        mix: args.mix.mix(),
        connections: args.connections,
        first_order: args.first_order,
        orders: args.orders,
        duration: args.duration,
        rate: args.rate,
        batch: args.batch,
    };
    let bar = bar("simulate {spinner} {human_pos} commands  {per_sec}  {msg}  {elapsed}");
    let shown = bar.clone();
    let result = simulate(options, move |p| {
        shown.set_position(p.commands);
        shown.set_message(format!("{} orders, {} refused", p.orders, p.refused));
    })
    .await;
    bar.finish_and_clear();
    let report = result?;
    let server = args.server_pid.and_then(|pid| rss_bytes(&pid.to_string()));
    let out = serde_json::json!({
        "customers": report.customers,
        "orders": report.orders,
        "commands": report.commands,
        "deduplicated": report.deduplicated,
        "refused": report.refused.iter().map(|(c, n)| serde_json::json!({"code": c, "count": n})).collect::<Vec<_>>(),
        "seconds": report.elapsed.as_secs_f64(),
        "commands_per_second": report.commands_per_second(),
        "ack_latency": latency_json(&report.latency),
        "last_position": report.last_position,
        "server_rss_bytes": server.map(|(rss, _)| rss),
        "server_peak_rss_bytes": server.map(|(_, peak)| peak),
        "server_disk_bytes": args.server_data_dir.as_deref().map(disk_bytes),
    });
    if args.json {
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        let l = &report.latency;
        println!(
            "{} commands ({} orders) in {:.1} s: {} commands/s; ack p50 {} µs, p99 {} µs, p999 {} µs",
            report.commands,
            report.orders,
            report.elapsed.as_secs_f64(),
            report.commands_per_second(),
            l.p50_us,
            l.p99_us,
            l.p999_us
        );
        if let Some((rss, peak)) = server {
            println!("server rss {} MiB (peak {} MiB)", rss >> 20, peak >> 20);
        }
        if let Some(dir) = &args.server_data_dir {
            println!("server data {} MiB", disk_bytes(dir) >> 20);
        }
        for (code, n) in &report.refused {
            println!("refused {n}× {code}");
        }
    }
    Ok(())
}
