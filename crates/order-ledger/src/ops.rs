//! Auditors' and operators' subcommands: argument parsing and output only;
//! the work is in `ledger_ops`.
//!
//! Exit codes: 0 done; 1 could not run (no log, in use, i/o, server
//! unreachable, refused); 2 bad arguments; 3 the log (or a copy, an
//! import file, or a contract document) does not verify.

mod audit;
mod contract;
mod copy;
mod progress;
mod projections;
mod remote;

use std::io::Write;

use clap::{Args, Subcommand};
use ledger_ops::{DataDir, OpsError};
use ledger_server::Config;

/// Exit code when an audit, a restore or an import finds the log does not
/// verify.
pub const EXIT_NOT_VERIFIED: i32 = 3;
/// Exit code when a subcommand could not run.
pub const EXIT_FAILED: i32 = 1;

#[derive(Subcommand)]
pub enum OpsCommand {
    /// Prove the log, record its head, replay it as of a point, read a
    /// stream's history.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Export the log as JSON lines, or import such a file into an empty
    /// data directory.
    #[command(subcommand)]
    Events(copy::EventsCommand),
    /// Projection status and blue-green rebuilds.
    #[command(subcommand)]
    Projections(projections::ProjectionsCommand),
    /// Contract documents: verify a downloaded official copy.
    #[command(subcommand)]
    Contract(contract::ContractCommand),
    /// Write a consistent copy of the log into a directory.
    Backup(copy::BackupArgs),
    /// Restore a backup into an empty data directory and verify it.
    Restore(copy::RestoreArgs),
}

/// Where an online command goes: a running server's admin service.
#[derive(Args, Clone)]
pub struct ServerArgs {
    /// Call the running server's admin gRPC service at this URL (e.g.
    /// http://127.0.0.1:50051) instead of opening the data directory.
    #[arg(long, value_name = "URL")]
    server: Option<String>,
    /// An operator's bearer token for --server (prefer the environment
    /// variable: arguments are visible to other users of the machine).
    #[arg(
        long,
        env = "ORDER_LEDGER_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    token: Option<String>,
}

/// How a subcommand ended when it did not fail to run.
pub enum Done {
    Ok,
    /// The audit found a problem (already reported).
    NotVerified,
}

pub async fn run(config: Config, cmd: OpsCommand) -> anyhow::Result<()> {
    let dir = DataDir::new(&config.data_dir);
    let result = match cmd {
        OpsCommand::Audit(c) => audit::run(&dir, c).await,
        OpsCommand::Events(c) => copy::events(&dir, c).await,
        OpsCommand::Projections(c) => projections::run(&dir, c).await,
        OpsCommand::Contract(c) => contract::run(&dir, c).await,
        OpsCommand::Backup(a) => copy::backup(&dir, a).await,
        OpsCommand::Restore(a) => copy::restore(&dir, a).await,
    };
    let _ = std::io::stdout().flush();
    // Everything is closed by now: exit with the code the outcome means
    // (an error is reported here, one line, without a backtrace).
    match result {
        Ok(Done::Ok) => Ok(()),
        Ok(Done::NotVerified) => std::process::exit(EXIT_NOT_VERIFIED),
        Err(e) => {
            let not_verified = e
                .chain()
                .filter_map(|c| c.downcast_ref::<OpsError>())
                .any(|o| matches!(o, OpsError::Mismatch { .. } | OpsError::Audit(_)));
            eprintln!("error: {:#}", explain(e));
            std::process::exit(if not_verified {
                EXIT_NOT_VERIFIED
            } else {
                EXIT_FAILED
            });
        }
    }
}

/// Adds a hint to errors an operator can act on.
fn explain(e: anyhow::Error) -> anyhow::Error {
    let text = format!("{e:#}");
    if text.contains("could not acquire lock") {
        e.context("the data directory is in use (is the server running? stop it, or use --server where offered)")
    } else {
        e
    }
}

/// Prints JSON to stdout, pretty.
fn print_json(value: &serde_json::Value) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// A path argument that may be `-` for standard input or output.
fn is_stdio(path: &std::path::Path) -> bool {
    path == std::path::Path::new("-")
}
