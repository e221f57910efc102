//! Projection status and rebuilds on a data directory (offline: the
//! server must not be running; against a running server the binary calls
//! its admin service instead).

use std::sync::Arc;

use ledger_projections::{ProjectionStatus, Projector, RebuildProgress};
use ledger_store::DynStore;
use ledger_store_sled::SledStore;

use crate::{DataDir, OpsError};

/// An opened log and its projections.
struct Opened {
    sled: Arc<SledStore>,
    projector: Arc<Projector>,
}

impl Opened {
    /// Opens the projections without catching them up (a projection whose
    /// version changed rebuilds itself here, as when the server starts).
    async fn open(dir: &DataDir) -> Result<Opened, OpsError> {
        let sled = dir.open_existing_store()?;
        let store: DynStore = sled.clone();
        let projector =
            Projector::open(dir.projections(), store, DataDir::projections_list()).await?;
        Ok(Opened { sled, projector })
    }

    async fn close(self) -> Result<(), OpsError> {
        self.projector.flush().await?;
        drop(self.projector);
        self.sled.close().await?;
        Ok(())
    }
}

/// Name, version, generation, checkpoint and lag of every projection.
pub async fn status(dir: &DataDir) -> Result<Vec<ProjectionStatus>, OpsError> {
    let opened = Opened::open(dir).await?;
    let status = opened.projector.status();
    opened.close().await?;
    Ok(status)
}

/// The projections `name` means: one, or every one for `all`.
pub fn names(name: &str) -> Result<Vec<&'static str>, OpsError> {
    let all: Vec<&'static str> = DataDir::projections_list()
        .iter()
        .map(|p| p.name())
        .collect();
    if name == "all" {
        return Ok(all);
    }
    all.iter()
        .find(|n| **n == name)
        .map(|n| vec![*n])
        .ok_or_else(|| {
            OpsError::Invalid(format!(
                "unknown projection {name}: one of {}, or all",
                all.join(", ")
            ))
        })
}

/// Rebuilds projections blue-green (`name` or `all`), reporting progress
/// per projection; returns their status after.
pub async fn rebuild(
    dir: &DataDir,
    name: &str,
    mut progress: impl FnMut(&str, RebuildProgress),
) -> Result<Vec<ProjectionStatus>, OpsError> {
    let names = names(name)?;
    let opened = Opened::open(dir).await?;
    let mut out = Vec::new();
    for name in names {
        let result = opened.projector.rebuild(name, |p| progress(name, p)).await;
        match result {
            Ok(status) => out.push(status),
            Err(e) => {
                opened.close().await?;
                return Err(e.into());
            }
        }
    }
    opened.close().await?;
    Ok(out)
}
