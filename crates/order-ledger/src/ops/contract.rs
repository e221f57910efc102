//! `order-ledger contract verify FILE.pdf`: checks a downloaded official
//! contract against the data directory (offline: the server must not hold
//! the log). The work is `ledger_ops::documents::verify_copy`.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Subcommand;
use ledger_ops::{DataDir, OpsError};

use super::Done;

#[derive(Subcommand)]
pub enum ContractCommand {
    /// Check a downloaded official contract: its seal verifies under the
    /// ledger's document key and its SHA-256 is the one the log recorded
    /// at conversion (exit 0 with one line; 3 when it does not verify).
    Verify {
        /// The PDF as downloaded.
        file: PathBuf,
    },
}

pub async fn run(dir: &DataDir, cmd: ContractCommand) -> anyhow::Result<Done> {
    match cmd {
        ContractCommand::Verify { file } => {
            let bytes = std::fs::read(&file).with_context(|| format!("{}", file.display()))?;
            match ledger_ops::documents::verify_copy(dir, &bytes).await {
                Ok(ok) => {
                    println!(
                        "ok: {} is the official contract {} sealed at log position {} (sha256 {}, key {})",
                        file.display(),
                        ok.contract_no,
                        ok.position,
                        ok.sha256,
                        ok.key_id
                    );
                    Ok(Done::Ok)
                }
                Err(OpsError::Rejected(reason)) => {
                    eprintln!("not verified: {}: {reason}", file.display());
                    Ok(Done::NotVerified)
                }
                Err(e) => Err(e.into()),
            }
        }
    }
}
