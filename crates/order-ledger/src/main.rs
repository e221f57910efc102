//! `order-ledger`: argument parsing and wiring only.

mod call;
mod demo;
mod keys;
mod ops;
mod serve;
mod sim;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

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
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let config = serve::load_config(cli.config.as_deref(), cli.data_dir.clone())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        match cli.command {
            Command::Serve(args) => serve::run(config, args).await,
            Command::Keys(cmd) => keys::run(&config, cmd),
            Command::DemoData => demo::run(&config).await,
            Command::Call(args) => call::run(args).await,
            Command::Generate(args) => sim::run_generate(&config, args).await,
            Command::Simulate(args) => sim::run_simulate(args).await,
            Command::Ops(cmd) => ops::run(config, cmd).await,
        }
    })
}
