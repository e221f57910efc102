//! The ledger's log key, which signs tree heads (`proofs`), kept apart
//! from the document key:
//!
//! - `<data-dir>/log-key`: 64 lowercase hex digits (the ed25519 secret
//!   key) and a newline, mode 0600, created on first use;
//! - `<data-dir>/log-keys-retired`: one line per key rotated out, `<key
//!   id> <public key hex> <retired at, RFC 3339>`, so heads signed before
//!   a rotation still verify (`keys log-key` prints them all).
//!
//! A key id is the first 8 bytes of SHA-256 of the public key, in hex; it
//! is inside every signed head's signed bytes.

use std::io::Write;
use std::path::PathBuf;

use ed25519_dalek::{SigningKey, VerifyingKey};
use sha2::{Digest as _, Sha256};

use crate::data_dir::{DataDir, OpsError};
use crate::key_file::{io, read_or_create, sync_dir, write_new_secret};

/// What the key is called in errors.
const WHAT: &str = "log key";

/// A public log key and, for a retired one, when it was rotated out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogPublicKey {
    pub key_id: String,
    pub public_key: VerifyingKey,
    pub retired_at: Option<String>,
}

/// The key id of a public key: hex of the first 8 bytes of its SHA-256.
pub fn log_key_id(key: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(key.as_bytes())[..8])
}

/// Parses a public key given as 64 hex digits.
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, OpsError> {
    let bytes: [u8; 32] = hex::decode(text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            OpsError::Invalid(format!("{text:?} is not a public key (64 hex digits)"))
        })?;
    VerifyingKey::from_bytes(&bytes)
        .map_err(|e| OpsError::Invalid(format!("{text:?} is not an ed25519 public key: {e}")))
}

impl DataDir {
    pub fn log_key_path(&self) -> PathBuf {
        self.root().join("log-key")
    }

    pub fn retired_log_keys_path(&self) -> PathBuf {
        self.root().join("log-keys-retired")
    }

    /// The log signing key, created if the directory has none yet.
    pub fn log_key(&self) -> Result<SigningKey, OpsError> {
        read_or_create(self, &self.log_key_path(), WHAT)
    }

    /// Replaces the log key with a new one. The old public key is first
    /// appended (and synced) to `log-keys-retired`, then the new secret
    /// renamed over `log-key`: a crash between the two leaves the old key
    /// current and listed as retired too, never a key lost. A running
    /// server signs with the new key from its next signed head on.
    pub fn rotate_log_key(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<LogPublicKey, OpsError> {
        let old = self.log_key()?.verifying_key();
        let retired = self.retired_log_keys_path();
        {
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&retired)
                .map_err(io(&retired))?;
            let line = format!(
                "{} {} {}\n",
                log_key_id(&old),
                hex::encode(old.as_bytes()),
                now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            );
            file.write_all(line.as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(io(&retired))?;
        }
        let path = self.log_key_path();
        let tmp = path.with_extension("tmp");
        write_new_secret(&tmp, WHAT)?;
        std::fs::rename(&tmp, &path).map_err(io(&path))?;
        sync_dir(self.root())?;
        let key = self.log_key()?.verifying_key();
        Ok(LogPublicKey {
            key_id: log_key_id(&key),
            public_key: key,
            retired_at: None,
        })
    }

    /// The current public log key (created if none yet) and every retired
    /// one, current first, then the retired ones newest first.
    pub fn log_public_keys(&self) -> Result<Vec<LogPublicKey>, OpsError> {
        let current = self.log_key()?.verifying_key();
        let mut out = vec![LogPublicKey {
            key_id: log_key_id(&current),
            public_key: current,
            retired_at: None,
        }];
        let path = self.retired_log_keys_path();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(io(&path)(e)),
        };
        let mut retired = Vec::new();
        for (n, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let bad = || OpsError::Invalid(format!("{} line {}: malformed", path.display(), n + 1));
            let mut parts = line.split_whitespace();
            let (Some(id), Some(key), Some(at)) = (parts.next(), parts.next(), parts.next()) else {
                return Err(bad());
            };
            let key = parse_public_key(key).map_err(|_| bad())?;
            if log_key_id(&key) != id {
                return Err(bad());
            }
            retired.push(LogPublicKey {
                key_id: id.to_owned(),
                public_key: key,
                retired_at: Some(at.to_owned()),
            });
        }
        retired.reverse();
        out.extend(retired);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_created_once_rotated_and_the_old_one_kept() {
        let dir = tempfile::tempdir().unwrap();
        let d = DataDir::new(dir.path());
        let a = d.log_key().unwrap();
        assert_eq!(a.to_bytes(), d.log_key().unwrap().to_bytes());
        assert_ne!(
            a.to_bytes(),
            d.document_key().unwrap().to_bytes(),
            "a key of its own"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(d.log_key_path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let now = chrono::Utc::now();
        let b = d.rotate_log_key(now).unwrap();
        assert_ne!(b.public_key, a.verifying_key());
        assert_eq!(d.log_key().unwrap().verifying_key(), b.public_key);
        let c = d.rotate_log_key(now).unwrap();
        let keys = d.log_public_keys().unwrap();
        let ids: Vec<_> = keys.iter().map(|k| k.key_id.clone()).collect();
        assert_eq!(
            ids,
            [c.key_id, b.key_id, log_key_id(&a.verifying_key())],
            "current, then retired newest first"
        );
        assert!(keys[0].retired_at.is_none() && keys[2].retired_at.is_some());
    }
}
