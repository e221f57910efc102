//! Auditors' and operators' subcommands (filled by the operations work).

use clap::Subcommand;
use ledger_server::Config;

#[derive(Subcommand)]
pub enum OpsCommand {}

pub async fn run(_config: Config, cmd: OpsCommand) -> anyhow::Result<()> {
    match cmd {}
}
