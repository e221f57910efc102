//! The ledger's signing key for contract documents:
//! `<data-dir>/document-key`, 64 lowercase hex digits (the ed25519 secret
//! key) and a newline, mode 0600, created on first open and never changed
//! after, so its public key (the key id sealed documents name) is stable.

use std::io::Write;
use std::path::Path;

use ledger_app::documents::{SigningKey, VerifyingKey};

use crate::data_dir::{DataDir, OpsError};

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OpsError + '_ {
    move |source| OpsError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn parse(path: &Path, text: &str) -> Result<SigningKey, OpsError> {
    let bytes: [u8; 32] = hex::decode(text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            OpsError::Invalid(format!(
                "{}: not a document key (64 hex digits expected)",
                path.display()
            ))
        })?;
    Ok(SigningKey::from_bytes(&bytes))
}

impl DataDir {
    pub fn document_key_path(&self) -> std::path::PathBuf {
        self.root().join("document-key")
    }

    /// The document signing key, created (from the system's randomness) if
    /// the directory has none yet.
    pub fn document_key(&self) -> Result<SigningKey, OpsError> {
        let path = self.document_key_path();
        match std::fs::read_to_string(&path) {
            Ok(text) => return parse(&path, &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(&path)(e)),
        }
        self.create()?;
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret)
            .map_err(|e| OpsError::Invalid(format!("no randomness for the document key: {e}")))?;
        let tmp = path.with_extension("tmp");
        {
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut file = options.open(&tmp).map_err(io(&tmp))?;
            file.write_all(format!("{}\n", hex::encode(secret)).as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(io(&tmp))?;
        }
        // A key another process created meanwhile wins: never replace one.
        match std::fs::hard_link(&tmp, &path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(io(&path)(e)),
        }
        std::fs::remove_file(&tmp).map_err(io(&tmp))?;
        let text = std::fs::read_to_string(&path).map_err(io(&path))?;
        parse(&path, &text)
    }

    /// The public key of an existing document key (for verifying copies;
    /// never creates one).
    pub fn document_public_key(&self) -> Result<VerifyingKey, OpsError> {
        let path = self.document_key_path();
        let text = std::fs::read_to_string(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                OpsError::Invalid(format!(
                    "no document key in {} (the ledger creates it when it first starts)",
                    self.root().display()
                ))
            } else {
                io(&path)(e)
            }
        })?;
        Ok(parse(&path, &text)?.verifying_key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_created_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let d = DataDir::new(dir.path());
        assert!(d.document_public_key().is_err());
        let a = d.document_key().unwrap();
        let b = d.document_key().unwrap();
        assert_eq!(a.to_bytes(), b.to_bytes());
        assert_eq!(d.document_public_key().unwrap(), a.verifying_key());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(d.document_key_path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
