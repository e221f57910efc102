//! The ledger's signing key for contract documents:
//! `<data-dir>/document-key`, 64 lowercase hex digits (the ed25519 secret
//! key) and a newline, mode 0600, created on first open and never changed
//! after, so its public key (the key id sealed documents name) is stable.

use ledger_app::documents::{SigningKey, VerifyingKey};

use crate::data_dir::{DataDir, OpsError};
use crate::key_file::{io, parse, read_or_create};

/// What the key is called in errors.
const WHAT: &str = "document key";

impl DataDir {
    pub fn document_key_path(&self) -> std::path::PathBuf {
        self.root().join("document-key")
    }

    /// The document signing key, created (from the system's randomness) if
    /// the directory has none yet.
    pub fn document_key(&self) -> Result<SigningKey, OpsError> {
        read_or_create(self, &self.document_key_path(), WHAT)
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
        Ok(parse(&path, &text, WHAT)?.verifying_key())
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
