//! The data directory's ed25519 secret-key files (the document key, the
//! log key): 64 lowercase hex digits and a newline, mode 0600, created once
//! from the system's randomness; a key another process created meanwhile
//! wins, and none is ever replaced except by an explicit rotation.

use std::io::Write;
use std::path::Path;

use ed25519_dalek::SigningKey;

use crate::data_dir::{DataDir, OpsError};

pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OpsError + '_ {
    move |source| OpsError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Parses a key file's text; `what` names the key in the error.
pub(crate) fn parse(path: &Path, text: &str, what: &str) -> Result<SigningKey, OpsError> {
    let bytes: [u8; 32] = hex::decode(text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            OpsError::Invalid(format!(
                "{}: not a {what} (64 hex digits expected)",
                path.display()
            ))
        })?;
    Ok(SigningKey::from_bytes(&bytes))
}

/// Writes a fresh secret to `tmp` (mode 0600, synced).
pub(crate) fn write_new_secret(tmp: &Path, what: &str) -> Result<(), OpsError> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret)
        .map_err(|e| OpsError::Invalid(format!("no randomness for the {what}: {e}")))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(tmp).map_err(io(tmp))?;
    file.write_all(format!("{}\n", hex::encode(secret)).as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(io(tmp))
}

pub(crate) fn sync_dir(dir: &Path) -> Result<(), OpsError> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io(dir))
}

/// The key at `path`, created first if the file is absent. The new secret
/// is written to a temporary file and hard-linked into place, so a key
/// another process created meanwhile wins and is the one returned.
pub(crate) fn read_or_create(
    dir: &DataDir,
    path: &Path,
    what: &str,
) -> Result<SigningKey, OpsError> {
    match std::fs::read_to_string(path) {
        Ok(text) => return parse(path, &text, what),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(path)(e)),
    }
    dir.create()?;
    let tmp = path.with_extension("tmp");
    write_new_secret(&tmp, what)?;
    match std::fs::hard_link(&tmp, path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(io(path)(e)),
    }
    std::fs::remove_file(&tmp).map_err(io(&tmp))?;
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    parse(path, &text, what)
}
