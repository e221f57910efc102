//! Backups and restores of the log.
//!
//! A backup directory holds `log/` (a sled log with the same records, the
//! same guards and so the same hashes, written by [`crate::copy`]) and,
//! written last, `backup.json` (the head it reaches). A backup is
//! consistent while the server runs: it copies up to the head at its start,
//! and the log is append-only. Keys (`keys.json`) and projections are not
//! in a backup: projections rebuild from the log, keys are copied apart.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tracing::info;

use ledger_audit::Report;
use ledger_store::{Digest, DynStore, EventStore, Head, Position};
use ledger_store_sled::SledStore;

use crate::audit::{verify_store, ExpectedHead};
use crate::copy::copy_log;
use crate::records::digest;
use crate::{DataDir, OpsError};

/// The manifest's file name in a backup directory.
pub const MANIFEST: &str = "backup.json";
/// The manifest's format.
const MANIFEST_FORMAT: u32 = 1;

/// What a backup holds: the head it reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BackupReport {
    pub position: Position,
    pub hash: Digest,
    pub events: u64,
}

#[derive(Serialize, Deserialize)]
struct Manifest {
    format: u32,
    position: u64,
    hash: String,
    events: u64,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OpsError + '_ {
    move |source| OpsError::Io {
        path: path.to_owned(),
        source,
    }
}

/// The log directory inside a backup directory.
pub fn backup_log(dir: &Path) -> PathBuf {
    dir.join("log")
}

/// Copies `store` up to its head at the call into `dir` (created if
/// missing; refused if it already holds a backup).
pub async fn backup(store: &DynStore, dir: &Path) -> Result<BackupReport, OpsError> {
    backup_with_progress(store, dir, |_, _| {}).await
}

/// [`backup()`], with `progress(done, total)` after each command copied.
pub async fn backup_with_progress(
    store: &DynStore,
    dir: &Path,
    progress: impl FnMut(u64, u64),
) -> Result<BackupReport, OpsError> {
    let log = backup_log(dir);
    if dir.join(MANIFEST).exists() || DataDir::new(dir).check_empty().is_err() {
        return Err(OpsError::NotEmpty(dir.to_owned()));
    }
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let head = store.head();
    let target = SledStore::open(&log)?;
    let copied = copy_log(store, head, target.clone(), progress).await;
    target.close().await?;
    let head = copied?;
    let manifest = Manifest {
        format: MANIFEST_FORMAT,
        position: head.position.0,
        hash: head.hash.to_hex(),
        events: head.position.0,
    };
    write_atomically(&dir.join(MANIFEST), &manifest)?;
    info!(dir = %dir.display(), position = head.position.0, hash = %head.hash, "backup written");
    Ok(BackupReport {
        position: head.position,
        hash: head.hash,
        events: head.position.0,
    })
}

fn write_atomically(path: &Path, manifest: &Manifest) -> Result<(), OpsError> {
    let tmp = path.with_extension("json.tmp");
    let mut file = std::fs::File::create(&tmp).map_err(io(&tmp))?;
    let text = serde_json::to_vec_pretty(manifest).map_err(|e| OpsError::Io {
        path: tmp.clone(),
        source: e.into(),
    })?;
    file.write_all(&text).map_err(io(&tmp))?;
    file.sync_all().map_err(io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io(path))?;
    if let Some(parent) = path.parent() {
        std::fs::File::open(parent)
            .and_then(|d| d.sync_all())
            .map_err(io(parent))?;
    }
    Ok(())
}

/// The head a backup's manifest records.
pub fn read_manifest(dir: &Path) -> Result<ExpectedHead, OpsError> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            OpsError::Invalid(format!(
                "{} has no {MANIFEST}: not a finished backup",
                dir.display()
            ))
        } else {
            OpsError::Io {
                path: path.clone(),
                source: e,
            }
        }
    })?;
    let m: Manifest = serde_json::from_slice(&text)
        .map_err(|e| OpsError::Invalid(format!("{}: {e}", path.display())))?;
    if m.format != MANIFEST_FORMAT {
        return Err(OpsError::Invalid(format!(
            "{}: unknown backup format {}",
            path.display(),
            m.format
        )));
    }
    Ok(ExpectedHead {
        position: Position(m.position),
        hash: digest(&m.hash, "hash").map_err(OpsError::Invalid)?,
    })
}

/// Restores the backup in `from` into the empty data directory `dir`, then
/// walks the restored log with the audit: it must verify and reach the
/// backup's head. `progress(done, total)` while copying, then verifying.
pub async fn restore(
    from: &Path,
    dir: &DataDir,
    mut progress: impl FnMut(&'static str, u64, u64),
) -> Result<Report, OpsError> {
    let expected = read_manifest(from)?;
    dir.check_empty()?;
    let log = backup_log(from);
    if !log.is_dir() {
        return Err(OpsError::NoLog(log));
    }
    let source = SledStore::open(&log)?;
    let source_head = source.head();
    let want = Head {
        position: expected.position,
        hash: expected.hash,
    };
    if source_head != want {
        return Err(OpsError::Mismatch {
            position: source_head.position,
            reason: format!(
                "the backup's log ends at position {} with hash {}, its manifest says {}",
                source_head.position, source_head.hash, expected
            ),
        });
    }
    dir.create()?;
    let target = dir.open_store()?;
    let source_dyn: DynStore = source.clone();
    let target_dyn: DynStore = target.clone();
    let result = async {
        copy_log(&source_dyn, want, target_dyn.clone(), |d, t| {
            progress("copying", d, t)
        })
        .await?;
        let report = verify_store(&target_dyn, Some(expected), |d, t| {
            progress("verifying", d, t)
        })
        .await?;
        Ok::<_, OpsError>(report)
    }
    .await;
    drop((source_dyn, target_dyn));
    source.close().await?;
    target.close().await?;
    let report = result?;
    info!(dir = %dir.root().display(), position = report.head_position.0, hash = %report.head_hash, "restored");
    Ok(report)
}
