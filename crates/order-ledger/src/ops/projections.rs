//! `projections status | rebuild`, offline or against a running server.

use anyhow::Context as _;
use clap::{Args, Subcommand};
use serde_json::json;

use ledger_ops::DataDir;

use super::progress::Bar;
use super::{print_json, remote, Done, ServerArgs};

#[derive(Subcommand)]
pub enum ProjectionsCommand {
    /// Name, version, generation, checkpoint and lag of every projection.
    Status(StatusArgs),
    /// Rebuild a projection (or all) blue-green from position 1.
    Rebuild(RebuildArgs),
}

#[derive(Args)]
pub struct StatusArgs {
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    server: ServerArgs,
}

#[derive(Args)]
pub struct RebuildArgs {
    /// A projection (orders, contracts, deadlines) or `all`.
    name: String,
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    server: ServerArgs,
}

/// One projection's state, offline or from the server.
pub struct Row {
    pub name: String,
    pub version: u32,
    pub generation: u64,
    pub checkpoint: u64,
    pub lag: u64,
}

impl From<ledger_projections::ProjectionStatus> for Row {
    fn from(s: ledger_projections::ProjectionStatus) -> Row {
        Row {
            name: s.name.to_owned(),
            version: s.version,
            generation: s.generation,
            checkpoint: s.checkpoint.0,
            lag: s.lag,
        }
    }
}

fn print_rows(rows: &[Row], json: bool) -> anyhow::Result<()> {
    if json {
        let all: Vec<_> = rows
            .iter()
            .map(|r| {
                json!({
                    "name": r.name,
                    "version": r.version,
                    "generation": r.generation,
                    "checkpoint": r.checkpoint,
                    "lag": r.lag,
                })
            })
            .collect();
        return print_json(&json!(all));
    }
    println!(
        "{:<12} {:>7} {:>10} {:>12} {:>8}",
        "projection", "version", "generation", "checkpoint", "lag"
    );
    for r in rows {
        println!(
            "{:<12} {:>7} {:>10} {:>12} {:>8}",
            r.name, r.version, r.generation, r.checkpoint, r.lag
        );
    }
    Ok(())
}

pub async fn run(dir: &DataDir, cmd: ProjectionsCommand) -> anyhow::Result<Done> {
    match cmd {
        ProjectionsCommand::Status(a) => {
            let rows: Vec<Row> = match remote::Admin::from_args(&a.server).await? {
                Some(mut admin) => admin.projection_status().await?,
                None => ledger_ops::projections::status(dir)
                    .await
                    .context("projection status")?
                    .into_iter()
                    .map(Row::from)
                    .collect(),
            };
            print_rows(&rows, a.json)?;
        }
        ProjectionsCommand::Rebuild(a) => {
            let bar = Bar::new(&a.name);
            let progress = |name: &str, done: u64, total: u64| {
                bar.label(name);
                bar.update(done, total);
            };
            let rows: Vec<Row> = match remote::Admin::from_args(&a.server).await? {
                Some(mut admin) => admin.rebuild(&a.name, progress).await?,
                None => {
                    ledger_ops::projections::names(&a.name)?;
                    ledger_ops::projections::rebuild(dir, &a.name, |name, p| {
                        progress(name, p.done, p.total)
                    })
                    .await
                    .context("projection rebuild")?
                    .into_iter()
                    .map(Row::from)
                    .collect()
                }
            };
            bar.finish();
            if !a.json {
                println!(
                    "rebuilt: {}",
                    rows.iter()
                        .map(|r| r.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            print_rows(&rows, a.json)?;
        }
    }
    Ok(Done::Ok)
}
