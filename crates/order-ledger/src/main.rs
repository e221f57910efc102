//! `order-ledger`: argument parsing and wiring only.

mod call;
mod demo;
mod keys;
mod ops;
mod serve;
mod sim;
mod telemetry;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// mimalloc rather than glibc's malloc: under load the ledger allocates
/// and frees many small buffers from every worker thread, and glibc's
/// arena locks and chunk consolidation took a third of `serve`'s CPU
/// (perf profile in docs/PERFORMANCE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// An event-sourced order ledger for a cloud's billing center.
#[derive(Parser)]
#[command(name = "order-ledger", version, about)]
struct Cli {
    /// Settings file (TOML). Flags override environment variables, which
    /// override the file.
    #[arg(long, global = true, env = "ORDER_LEDGER_CONFIG")]
    config: Option<PathBuf>,
    /// The data directory [default: ledger-data].
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// How log lines are written to stderr.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t,
        env = "ORDER_LEDGER_LOG_FORMAT"
    )]
    log_format: telemetry::LogFormat,
    /// Export spans to this OpenTelemetry collector (OTLP over gRPC, e.g.
    /// http://localhost:4317). Off when absent.
    #[arg(long, global = true, env = "OTEL_EXPORTER_OTLP_ENDPOINT")]
    otlp_endpoint: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the ledger: gRPC for upstream services, REST for customers' tools.
    Serve(serve::ServeArgs),
    /// Manage access keys (AK/SK pairs and bearer tokens).
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Load a realistic sample into a new data directory.
    DemoData,
    /// Call a gRPC method of a running server with a JSON request.
    Call(call::CallArgs),
    /// Write a realistic log of N events into the data directory, through
    /// the real deciders and store (for benchmarks at size).
    Generate(sim::GenerateArgs),
    /// Drive a running server over gRPC with a realistic mix and report
    /// commands/s and acknowledgement latencies.
    Simulate(sim::SimulateArgs),
    #[command(flatten)]
    Ops(ops::OpsCommand),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let telemetry = {
        let _in_runtime = runtime.enter();
        telemetry::install(cli.log_format, cli.otlp_endpoint.as_deref())?
    };
    let config = serve::load_config(cli.config.as_deref(), cli.data_dir.clone())?;
    let outcome = runtime.block_on(async move {
        match cli.command {
            Command::Serve(args) => serve::run(config, args).await,
            Command::Keys(cmd) => keys::run(&config, cmd),
            Command::DemoData => demo::run(&config).await,
            Command::Call(args) => call::run(args).await,
            Command::Generate(args) => sim::run_generate(&config, args).await,
            Command::Simulate(args) => sim::run_simulate(args).await,
            Command::Ops(cmd) => ops::run(config, cmd).await,
        }
    });
    telemetry.shutdown();
    outcome
}
