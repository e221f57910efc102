//! `keys.json` on disk: the format, consistent reads, and atomic writes
//! under an advisory lock on `<path>.lock`.

use std::ffi::OsString;
use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::principal::{AccessKeyId, Role};
use super::KeyStoreError;

/// The format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// Largest key file read (about 30,000 keys): a bigger one is refused.
pub const MAX_KEY_FILE_LEN: u64 = 16 * 1024 * 1024;

/// Permissions of the key file, its temporary file and its lock file.
#[cfg(unix)]
const PRIVATE_MODE: u32 = 0o600;

/// The whole file.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct KeyFile {
    pub version: u32,
    pub keys: Vec<StoredKey>,
}

impl Default for KeyFile {
    fn default() -> Self {
        Self {
            version: FORMAT_VERSION,
            keys: Vec::new(),
        }
    }
}

/// One key as stored. No `Debug`: it holds the secret key.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StoredKey {
    pub access_key: AccessKeyId,
    /// In clear: HMAC verification needs it (hence the file's mode 0600).
    pub secret_key: String,
    /// Lower-case hex SHA-256 of the bearer token; the token is not kept.
    pub token_sha256: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// When the key stops authenticating; absent (files written before
    /// expiry existed, and keys made without one) is never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
}

/// What identifies one version of the file. Every write renames a new file
/// over the old one, so the inode changes on each write; length and times
/// catch the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FileStamp {
    len: u64,
    modified: Option<SystemTime>,
    inode: u64,
    ctime_ns: i128,
}

impl FileStamp {
    fn of(meta: &Metadata) -> Self {
        #[cfg(unix)]
        let (inode, ctime_ns) = {
            use std::os::unix::fs::MetadataExt;
            (
                meta.ino(),
                i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
            )
        };
        #[cfg(not(unix))]
        let (inode, ctime_ns) = (0, 0);
        Self {
            len: meta.len(),
            modified: meta.modified().ok(),
            inode,
            ctime_ns,
        }
    }
}

/// `<path><suffix>`, e.g. `keys.json.lock`.
pub(crate) fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(suffix);
    PathBuf::from(name)
}

fn io_error<'a>(
    action: &'static str,
    path: &'a Path,
) -> impl FnOnce(io::Error) -> KeyStoreError + 'a {
    move |error| KeyStoreError::Io {
        action,
        path: path.to_owned(),
        error,
    }
}

fn corrupt(path: &Path, reason: impl Into<String>) -> KeyStoreError {
    KeyStoreError::Corrupt {
        path: path.to_owned(),
        reason: reason.into(),
    }
}

/// The file's current stamp, `None` when it does not exist.
pub(crate) fn stat(path: &Path) -> Result<Option<FileStamp>, KeyStoreError> {
    match fs::metadata(path) {
        Ok(meta) => Ok(Some(FileStamp::of(&meta))),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(io_error("stat", path)(error)),
    }
}

/// Reads and parses the file; a missing file is an empty store. The stamp
/// is taken from the handle read, so it matches the content exactly.
pub(crate) fn read(path: &Path) -> Result<(KeyFile, Option<FileStamp>), KeyStoreError> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            return Ok((KeyFile::default(), None));
        }
        Err(error) => return Err(io_error("open", path)(error)),
    };
    let meta = file.metadata().map_err(io_error("stat", path))?;
    warn_if_exposed(path, &meta);
    if meta.len() > MAX_KEY_FILE_LEN {
        return Err(corrupt(path, "larger than 16 MiB"));
    }
    let mut bytes = Vec::new();
    (&mut file)
        .take(MAX_KEY_FILE_LEN + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error("read", path))?;
    if bytes.len() as u64 > MAX_KEY_FILE_LEN {
        return Err(corrupt(path, "larger than 16 MiB"));
    }
    let parsed: KeyFile =
        serde_json::from_slice(&bytes).map_err(|error| corrupt(path, error.to_string()))?;
    if parsed.version != FORMAT_VERSION {
        return Err(corrupt(
            path,
            format!("format version {} is not {FORMAT_VERSION}", parsed.version),
        ));
    }
    Ok((parsed, Some(FileStamp::of(&meta))))
}

/// A key file readable by group or others is reported, not refused.
fn warn_if_exposed(path: &Path, meta: &Metadata) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            tracing::warn!(path = %path.display(), mode = format!("{mode:o}"), "key file is readable by others; it should be mode 0600");
        }
    }
    #[cfg(not(unix))]
    let _ = (path, meta);
}

fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(PRIVATE_MODE);
    }
    options
}

/// Runs `write` while holding an exclusive advisory lock on `<path>.lock`
/// (created mode 0600 if missing), so concurrent writers in any process
/// take turns. Readers never lock: they see one whole file or the other.
pub(crate) fn with_write_lock<T>(
    path: &Path,
    write: impl FnOnce() -> Result<T, KeyStoreError>,
) -> Result<T, KeyStoreError> {
    let lock_path = sibling(path, ".lock");
    let file = private_options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .map_err(io_error("open lock file", &lock_path))?;
    let mut lock = fd_lock::RwLock::new(file);
    let _guard = lock.write().map_err(io_error("lock", &lock_path))?;
    write()
}

/// Replaces the file atomically: write `<path>.tmp` (mode 0600), fsync it,
/// rename it over `path`, fsync the directory. Returns the new stamp.
/// Call under [`with_write_lock`].
pub(crate) fn write(path: &Path, contents: &KeyFile) -> Result<FileStamp, KeyStoreError> {
    let tmp_path = sibling(path, ".tmp");
    let mut json = serde_json::to_vec_pretty(contents)
        .map_err(|error| corrupt(path, format!("cannot serialize: {error}")))?;
    json.push(b'\n');
    let mut tmp = private_options()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&tmp_path)
        .map_err(io_error("create", &tmp_path))?;
    // A leftover temporary file keeps its old mode through `open`.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.set_permissions(fs::Permissions::from_mode(PRIVATE_MODE))
            .map_err(io_error("chmod", &tmp_path))?;
    }
    tmp.write_all(&json).map_err(io_error("write", &tmp_path))?;
    tmp.sync_all().map_err(io_error("fsync", &tmp_path))?;
    drop(tmp);
    fs::rename(&tmp_path, path).map_err(io_error("rename into place", path))?;
    sync_parent_dir(path)?;
    stat(path)?.ok_or_else(|| corrupt(path, "vanished right after it was written"))
}

/// Makes the rename durable.
fn sync_parent_dir(path: &Path) -> Result<(), KeyStoreError> {
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        File::open(dir)
            .and_then(|dir_file| dir_file.sync_all())
            .map_err(io_error("fsync directory", dir))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
