//! The key store: every access key in one file, `<data-dir>/keys.json`.
//!
//! A key has an access key id (AK), a secret key (SK, the HMAC key of
//! `SDK-HMAC-SHA256` signatures), a bearer token, a [`Role`], its creation
//! time, its expiry (if any) and, once revoked, its revocation time.
//!
//! **Expiry.** A key expires at `expires_at`: from that instant on neither
//! its token nor its signatures authenticate ([`Refusal::Expired`]). By
//! default customer and operator keys live [`DEFAULT_CUSTOMER_TTL_DAYS`] /
//! [`DEFAULT_OPERATOR_TTL_DAYS`] days (people's keys end up in scripts and
//! laptops; renewing one is one `keys create`), service keys do not expire
//! (they are rotated with the deployment, and an expiring service key stops
//! payments). Any key may be given another lifetime, at most
//! [`MAX_TTL_DAYS`] days, or none. Keys stored before expiry existed have
//! none.
//!
//! **The file holds every secret key in clear** (verifying a signature needs
//! it). It is written with mode 0600 and must be protected like a password
//! file: readable only by the server's user, never copied into backups or
//! tickets unencrypted. Bearer tokens are not in it: only their SHA-256.
//!
//! One process (the CLI) may create and revoke keys while another (the
//! server) has the store open. Writers take an exclusive advisory lock on
//! `<path>.lock`, re-read the file, change it, write `<path>.tmp` (mode
//! 0600), fsync it, rename it over the file and fsync the directory. Readers
//! keep an in-memory snapshot and reload it when the file's (length, mtime,
//! inode, ctime) changed: every lookup costs one `stat`, and a key created or
//! revoked by another process takes effect on the next lookup.
//!
//! A file that cannot be read or parsed makes lookups fail closed (no key
//! authenticates) and is reported by [`KeyStore::refresh_if_changed`].

mod file;
mod principal;
mod secret;

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use chrono::{DateTime, Duration, Utc};
use subtle::ConstantTimeEq;

use file::{FileStamp, KeyFile, StoredKey};
pub use file::{FORMAT_VERSION, MAX_KEY_FILE_LEN};
pub use principal::{AccessKeyId, InvalidAccessKeyId, Principal, Role, ACCESS_KEY_LEN};
pub use secret::{
    BearerToken, SecretKey, ACCESS_KEY_PREFIX, SECRET_KEY_LEN, TOKEN_PREFIX, TOKEN_RANDOM_LEN,
};

/// Default lifetime of a customer's key.
pub const DEFAULT_CUSTOMER_TTL_DAYS: i64 = 90;
/// Default lifetime of an operator's key.
pub const DEFAULT_OPERATOR_TTL_DAYS: i64 = 90;
/// Longest lifetime a key may be given (ten years).
pub const MAX_TTL_DAYS: i64 = 3650;

impl Role {
    /// How long a key of this role lives unless told otherwise; `None`:
    /// it does not expire.
    pub fn default_ttl(&self) -> Option<Duration> {
        match self {
            Role::Customer { .. } => Some(Duration::days(DEFAULT_CUSTOMER_TTL_DAYS)),
            Role::Operator => Some(Duration::days(DEFAULT_OPERATOR_TTL_DAYS)),
            Role::Service => None,
        }
    }
}

/// Why a presented credential does not authenticate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No such key, a revoked one, or an unreadable key file.
    #[error("unknown or revoked credentials")]
    Unknown,
    /// The key expired at this time.
    #[error("the key expired at {0}")]
    Expired(DateTime<Utc>),
}

/// Tries at drawing an access key id not yet in the file (90 random bits:
/// the first try all but always succeeds).
pub const MAX_ACCESS_KEY_ATTEMPTS: usize = 4;

/// Why the key store failed.
#[derive(Debug, thiserror::Error)]
pub enum KeyStoreError {
    #[error("cannot {action} {}: {error}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        error: io::Error,
    },
    #[error("key file {} is corrupt: {reason}", path.display())]
    Corrupt { path: PathBuf, reason: String },
    #[error("no key with access key id {0}")]
    UnknownKey(String),
    #[error("cannot read random bytes: {0}")]
    Random(getrandom::Error),
    #[error("could not draw an unused access key id in {MAX_ACCESS_KEY_ATTEMPTS} tries")]
    AccessKeyExhausted,
    #[error("a key lifetime must be positive and at most {MAX_TTL_DAYS} days")]
    InvalidTtl,
}

/// A new key's secrets, returned once by [`KeyStore::create`] and never
/// again: the store keeps the secret key but only a hash of the token.
/// `Debug` prints the secrets as `***`.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub access_key: AccessKeyId,
    pub secret_key: SecretKey,
    pub token: BearerToken,
    pub role: Role,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A key as [`KeyStore::list`] shows it: no secret, no token hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyInfo {
    pub access_key: AccessKeyId,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl KeyInfo {
    /// Whether the key still authenticates at `now` (not revoked, not
    /// expired).
    pub fn check(&self, now: DateTime<Utc>) -> Result<(), Refusal> {
        if self.revoked_at.is_some() {
            return Err(Refusal::Unknown);
        }
        match self.expires_at {
            Some(at) if now >= at => Err(Refusal::Expired(at)),
            _ => Ok(()),
        }
    }
}

/// One key, checked and ready for lookups.
struct Entry {
    info: KeyInfo,
    secret_key: SecretKey,
    token_sha256: [u8; 32],
    principal: Principal,
}

/// The keys of one version of the file.
struct Snapshot {
    stamp: Option<FileStamp>,
    entries: Vec<Entry>,
    by_access_key: HashMap<AccessKeyId, usize>,
}

impl Snapshot {
    /// Checks every stored key (unique ids, well-formed token hashes, valid
    /// principals) and indexes them.
    fn build(
        path: &Path,
        contents: &KeyFile,
        stamp: Option<FileStamp>,
    ) -> Result<Self, KeyStoreError> {
        let corrupt = |reason: String| KeyStoreError::Corrupt {
            path: path.to_owned(),
            reason,
        };
        let mut entries = Vec::with_capacity(contents.keys.len());
        let mut by_access_key = HashMap::with_capacity(contents.keys.len());
        for stored in &contents.keys {
            let ak = &stored.access_key;
            if by_access_key.insert(ak.clone(), entries.len()).is_some() {
                return Err(corrupt(format!("access key id {ak} appears twice")));
            }
            if stored.secret_key.is_empty() {
                return Err(corrupt(format!("key {ak} has an empty secret key")));
            }
            let mut token_sha256 = [0u8; 32];
            let lower_hex = stored
                .token_sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            if !lower_hex || hex::decode_to_slice(&stored.token_sha256, &mut token_sha256).is_err()
            {
                return Err(corrupt(format!(
                    "key {ak} has a token_sha256 that is not 64 lower-case hex digits"
                )));
            }
            let principal = Principal::new(ak.clone(), stored.role.clone())
                .map_err(|error| corrupt(format!("key {ak}: {error}")))?;
            entries.push(Entry {
                info: KeyInfo {
                    access_key: ak.clone(),
                    role: stored.role.clone(),
                    created_at: stored.created_at,
                    revoked_at: stored.revoked_at,
                    expires_at: stored.expires_at,
                },
                secret_key: SecretKey::new(stored.secret_key.clone()),
                token_sha256,
                principal,
            });
        }
        Ok(Self {
            stamp,
            entries,
            by_access_key,
        })
    }
}

/// The key store of one file. Share it (`Arc<KeyStore>`): every method
/// takes `&self`.
pub struct KeyStore {
    path: PathBuf,
    snapshot: RwLock<Arc<Snapshot>>,
    /// Serializes reloads, so an older read never replaces a newer one.
    reload: Mutex<()>,
}

impl fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyStore")
            .field("path", &self.path)
            .field("keys", &self.snapshot().entries.len())
            .finish()
    }
}

impl KeyStore {
    /// Opens the store kept in `path` (e.g. `<data-dir>/keys.json`). A
    /// missing file is an empty store; the file is created by the first
    /// [`create`](Self::create). An unreadable or corrupt file is an error.
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, KeyStoreError> {
        let path = path.into();
        let (contents, stamp) = file::read(&path)?;
        let snapshot = Snapshot::build(&path, &contents, stamp)?;
        Ok(Self {
            path,
            snapshot: RwLock::new(Arc::new(snapshot)),
            reload: Mutex::new(()),
        })
    }

    /// The file this store is kept in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reloads the snapshot if the file changed since it was read (one
    /// `stat` when it did not). Returns whether it reloaded. On error the
    /// old snapshot stays, but lookups refuse every key until a reload
    /// succeeds.
    pub fn refresh_if_changed(&self) -> Result<bool, KeyStoreError> {
        let on_disk = file::stat(&self.path)?;
        if on_disk == self.snapshot().stamp {
            return Ok(false);
        }
        let _reloading = self.reload.lock().unwrap_or_else(PoisonError::into_inner);
        let (contents, stamp) = file::read(&self.path)?;
        if stamp == self.snapshot().stamp {
            return Ok(false); // another thread reloaded this very version
        }
        let snapshot = Snapshot::build(&self.path, &contents, stamp)?;
        self.install(snapshot);
        Ok(true)
    }

    /// Creates a key with `role`, created at `now`, living its role's
    /// [default lifetime](Role::default_ttl), and returns its secrets: the
    /// only time they are shown.
    pub fn create(&self, role: Role, now: DateTime<Utc>) -> Result<Credentials, KeyStoreError> {
        let ttl = role.default_ttl();
        self.create_with_ttl(role, now, ttl)
    }

    /// As [`create`](Self::create), living `ttl` (`None`: never expires).
    pub fn create_with_ttl(
        &self,
        role: Role,
        now: DateTime<Utc>,
        ttl: Option<Duration>,
    ) -> Result<Credentials, KeyStoreError> {
        if ttl.is_some_and(|t| t <= Duration::zero() || t > Duration::days(MAX_TTL_DAYS)) {
            return Err(KeyStoreError::InvalidTtl);
        }
        let expires_at = ttl.map(|t| now + t);
        let secret_key = secret::generate_secret_key().map_err(KeyStoreError::Random)?;
        let token = secret::generate_token().map_err(KeyStoreError::Random)?;
        let access_key = self.mutate(|contents| {
            let access_key = unused_access_key(contents)?;
            contents.keys.push(StoredKey {
                access_key: access_key.clone(),
                secret_key: secret_key.expose().to_owned(),
                token_sha256: hex::encode(token.sha256()),
                role: role.clone(),
                created_at: now,
                revoked_at: None,
                expires_at,
            });
            Ok(access_key)
        })?;
        Ok(Credentials {
            access_key,
            secret_key,
            token,
            role,
            expires_at,
        })
    }

    /// Revokes key `access_key` at `now`: from the next lookup on (in any
    /// process), neither its signatures nor its token authenticate. An
    /// unknown key is an error; revoking a revoked key keeps its first
    /// revocation time and succeeds.
    pub fn revoke(&self, access_key: &str, now: DateTime<Utc>) -> Result<(), KeyStoreError> {
        self.mutate(|contents| {
            let stored = contents
                .keys
                .iter_mut()
                .find(|stored| stored.access_key.as_str() == access_key)
                .ok_or_else(|| KeyStoreError::UnknownKey(access_key.to_owned()))?;
            stored.revoked_at.get_or_insert(now);
            Ok(())
        })
    }

    /// Every key, revoked ones included, in creation order, as of the file
    /// now.
    pub fn list(&self) -> Result<Vec<KeyInfo>, KeyStoreError> {
        self.refresh_if_changed()?;
        Ok(self
            .snapshot()
            .entries
            .iter()
            .map(|entry| entry.info.clone())
            .collect())
    }

    /// The secret key and principal of a key that is neither revoked nor
    /// expired at `now`, for verifying a signature made with `access_key`.
    pub fn lookup_access_key(
        &self,
        access_key: &str,
        now: DateTime<Utc>,
    ) -> Result<(SecretKey, Principal), Refusal> {
        let access_key = AccessKeyId::new(access_key).map_err(|_| Refusal::Unknown)?;
        let snapshot = self.current().ok_or(Refusal::Unknown)?;
        let index = snapshot
            .by_access_key
            .get(&access_key)
            .ok_or(Refusal::Unknown)?;
        let entry = &snapshot.entries[*index];
        entry.info.check(now)?;
        Ok((entry.secret_key.clone(), entry.principal.clone()))
    }

    /// The principal whose bearer token is `token`, unless its key is
    /// revoked or expired at `now`. The token's SHA-256 is compared with
    /// every key's in constant time.
    pub fn authenticate_token(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Principal, Refusal> {
        if !token.starts_with(TOKEN_PREFIX) {
            return Err(Refusal::Unknown);
        }
        let presented = secret::token_sha256(token);
        let snapshot = self.current().ok_or(Refusal::Unknown)?;
        let mut found = Err(Refusal::Unknown);
        for entry in &snapshot.entries {
            if bool::from(entry.token_sha256.ct_eq(&presented)) {
                found = entry.info.check(now).map(|()| entry.principal.clone());
            }
        }
        found
    }

    fn snapshot(&self) -> Arc<Snapshot> {
        // A panic cannot leave a half-written `Arc` behind: ignore poison.
        Arc::clone(&self.snapshot.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn install(&self, snapshot: Snapshot) {
        *self
            .snapshot
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(snapshot);
    }

    /// The up-to-date snapshot, or `None` (refuse everything) when the file
    /// cannot be reloaded.
    fn current(&self) -> Option<Arc<Snapshot>> {
        match self.refresh_if_changed() {
            Ok(_) => Some(self.snapshot()),
            Err(error) => {
                tracing::error!(%error, "key store unreadable: refusing every key");
                None
            }
        }
    }

    /// Under the write lock: re-read the file, apply `change`, write it
    /// atomically, and install the result as this store's snapshot.
    fn mutate<T>(
        &self,
        change: impl FnOnce(&mut KeyFile) -> Result<T, KeyStoreError>,
    ) -> Result<T, KeyStoreError> {
        file::with_write_lock(&self.path, || {
            let (mut contents, _) = file::read(&self.path)?;
            let out = change(&mut contents)?;
            let mut snapshot = Snapshot::build(&self.path, &contents, None)?;
            snapshot.stamp = Some(file::write(&self.path, &contents)?);
            let _reloading = self.reload.lock().unwrap_or_else(PoisonError::into_inner);
            self.install(snapshot);
            Ok(out)
        })
    }
}

/// A fresh access key id that no key in `contents` has.
fn unused_access_key(contents: &KeyFile) -> Result<AccessKeyId, KeyStoreError> {
    for _ in 0..MAX_ACCESS_KEY_ATTEMPTS {
        let candidate = secret::generate_access_key().map_err(KeyStoreError::Random)?;
        if !contents.keys.iter().any(|key| key.access_key == candidate) {
            return Ok(candidate);
        }
    }
    Err(KeyStoreError::AccessKeyExhausted)
}
