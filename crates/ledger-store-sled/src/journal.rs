//! The acknowledgement journal: the engine's own proof of what it
//! acknowledged, kept outside sled's log.
//!
//! sled's recovery takes a damaged message at the end of its log for a torn
//! write and cuts the log there, so a log can reopen shorter than what was
//! acknowledged with an intact hash chain. The journal makes that visible:
//! after each sync round has made its batches durable in sled, the syncer
//! appends ONE entry — the last position of the round and that record's
//! chain hash — to `<log>/acked.journal` and fdatasyncs it; only then are
//! the round's appends acknowledged. On open the log is checked against
//! the journal (see `crate::acks`).
//!
//! Format: fixed-size entries of [`ENTRY_LEN`] bytes, each checking itself:
//!
//! ```text
//! [8  magic "OLACKJ01"]
//! [u8 kind: 1 acknowledged, 2 loss accepted][7 zero]
//! [u64 LE position][32 chain hash of the record at position]
//! [u64 LE lost first][u64 LE lost last]          (kind 2; zero for kind 1)
//! [32 SHA-256 of the operator's loss record]      (kind 2; zero for kind 1)
//! [8  zero]
//! [32 SHA-256 of the 112 bytes above]
//! ```
//!
//! A "loss accepted" entry says an operator accepted that `first..=last`
//! are gone and the log's head was then `position` with `hash`: entries
//! before it describe a history that no longer applies.
//!
//! The file is bounded: an append that would take it past
//! [`JOURNAL_MAX_BYTES`] first compacts it to every loss entry plus the new
//! entry (written to a temporary file, fsynced, renamed over, directory
//! fsynced).

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use ledger_store::{Digest, Head, Position};
use sha2::{Digest as _, Sha256};

/// The journal's file name inside the log directory.
pub const JOURNAL_FILE: &str = "acked.journal";
/// Bytes of one entry.
pub const ENTRY_LEN: usize = 144;
/// Past this size the journal is compacted before the next append.
pub const JOURNAL_MAX_BYTES: u64 = 1024 * 1024;
/// Most accepted losses one journal records (each survives compaction).
pub const MAX_ACCEPTED_LOSSES: usize = 256;

const MAGIC: &[u8; 8] = b"OLACKJ01";
const BODY_LEN: usize = ENTRY_LEN - 32;
const KIND_ACKED: u8 = 1;
const KIND_LOSS: u8 = 2;

/// An operator's acceptance that acknowledged positions are lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AcceptedLoss {
    pub first: Position,
    pub last: Position,
    /// The log's head when the loss was accepted.
    pub head: Head,
    /// SHA-256 of the operator's record of it (reason, operator, time).
    pub note: Digest,
}

/// One journal entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    /// Every position up to `head.position` was acknowledged; that record
    /// hashes `head.hash`.
    Acked(Head),
    LossAccepted(AcceptedLoss),
}

impl Entry {
    /// The head this entry vouches for.
    pub fn head(&self) -> Head {
        match self {
            Entry::Acked(h) => *h,
            Entry::LossAccepted(l) => l.head,
        }
    }

    pub fn encode(&self) -> [u8; ENTRY_LEN] {
        let mut b = [0u8; ENTRY_LEN];
        b[..8].copy_from_slice(MAGIC);
        let head = self.head();
        b[16..24].copy_from_slice(&head.position.0.to_le_bytes());
        b[24..56].copy_from_slice(&head.hash.0);
        match self {
            Entry::Acked(_) => b[8] = KIND_ACKED,
            Entry::LossAccepted(l) => {
                b[8] = KIND_LOSS;
                b[56..64].copy_from_slice(&l.first.0.to_le_bytes());
                b[64..72].copy_from_slice(&l.last.0.to_le_bytes());
                b[72..104].copy_from_slice(&l.note.0);
            }
        }
        let sum = Sha256::digest(&b[..BODY_LEN]);
        b[BODY_LEN..].copy_from_slice(&sum);
        b
    }

    /// Decodes one entry; the error says what is wrong with it.
    pub fn decode(b: &[u8]) -> Result<Entry, &'static str> {
        if b.len() != ENTRY_LEN {
            return Err("entry is not whole");
        }
        if Sha256::digest(&b[..BODY_LEN])[..] != b[BODY_LEN..] {
            return Err("entry checksum does not match");
        }
        if &b[..8] != MAGIC {
            return Err("entry has an unknown magic or format");
        }
        let u64_at = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"));
        let digest_at = |at: usize| Digest(b[at..at + 32].try_into().expect("32 bytes"));
        let head = Head {
            position: Position(u64_at(16)),
            hash: digest_at(24),
        };
        match b[8] {
            KIND_ACKED => Ok(Entry::Acked(head)),
            KIND_LOSS => Ok(Entry::LossAccepted(AcceptedLoss {
                first: Position(u64_at(56)),
                last: Position(u64_at(64)),
                head,
                note: digest_at(72),
            })),
            _ => Err("entry has an unknown kind"),
        }
    }
}

/// What a journal file holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Contents {
    pub entries: Vec<Entry>,
    /// Bytes at the end that are not a whole, valid entry: the torn write
    /// of an entry whose fdatasync never returned (so nothing it covered
    /// was acknowledged). Ignored; `(offset, why)`.
    pub torn_tail: Option<(u64, String)>,
}

impl Contents {
    /// The entries that still apply: from the last accepted loss on.
    pub fn active(&self) -> &[Entry] {
        let from = self
            .entries
            .iter()
            .rposition(|e| matches!(e, Entry::LossAccepted(_)))
            .unwrap_or(0);
        &self.entries[from..]
    }

    /// Every accepted loss, oldest first.
    pub fn losses(&self) -> Vec<AcceptedLoss> {
        self.entries
            .iter()
            .filter_map(|e| match e {
                Entry::LossAccepted(l) => Some(*l),
                Entry::Acked(_) => None,
            })
            .collect()
    }

    /// Bytes of the valid entries.
    fn valid_len(&self) -> u64 {
        (self.entries.len() * ENTRY_LEN) as u64
    }
}

/// Why a journal cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A bad entry with valid entries after it: not a torn write.
    #[error("{path}: entry {index} (offset {offset}) is damaged ({why}) and entries follow it")]
    Damaged {
        path: PathBuf,
        index: u64,
        offset: u64,
        why: &'static str,
    },
    #[error("{path}: larger than {limit} bytes")]
    TooLarge { path: PathBuf, limit: u64 },
}

/// The journal's path in the log directory `dir`.
pub fn path(dir: &Path) -> PathBuf {
    dir.join(JOURNAL_FILE)
}

/// Reads the journal in `dir`; `None` if there is none.
pub fn read(dir: &Path) -> Result<Option<Contents>, JournalError> {
    let path = path(dir);
    let io = |source| JournalError::Io {
        path: path.clone(),
        source,
    };
    let mut file = match File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
    };
    // Room for a full file, the entry that triggers compaction and every
    // loss entry a compaction keeps.
    let limit = JOURNAL_MAX_BYTES + ((MAX_ACCEPTED_LOSSES + 2) * ENTRY_LEN) as u64;
    let len = file.metadata().map_err(io)?.len();
    if len > limit {
        return Err(JournalError::TooLarge { path, limit });
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.read_to_end(&mut bytes).map_err(io)?;
    Ok(Some(parse(&path, &bytes)?))
}

fn parse(path: &Path, bytes: &[u8]) -> Result<Contents, JournalError> {
    let mut contents = Contents::default();
    let whole = bytes.len() / ENTRY_LEN;
    for (index, chunk) in bytes.chunks(ENTRY_LEN).enumerate() {
        let offset = (index * ENTRY_LEN) as u64;
        let why = match Entry::decode(chunk) {
            Ok(entry) => {
                contents.entries.push(entry);
                continue;
            }
            Err(why) => why,
        };
        // Only the very last entry may be torn.
        let last = (index + 1 == whole && bytes.len() % ENTRY_LEN == 0) || index == whole;
        if !last {
            return Err(JournalError::Damaged {
                path: path.to_owned(),
                index: index as u64,
                offset,
                why,
            });
        }
        contents.torn_tail = Some((offset, why.to_string()));
    }
    Ok(contents)
}

/// Writes `entries` as a whole new journal in `dir`, atomically: a
/// temporary file, fsynced, renamed over the journal, the directory fsynced.
pub fn write_atomically(dir: &Path, entries: &[Entry]) -> std::io::Result<()> {
    let target = path(dir);
    let tmp = dir.join(format!("{JOURNAL_FILE}.tmp"));
    let written = (|| {
        let mut file = File::create(&tmp)?;
        let mut bytes = Vec::with_capacity(entries.len() * ENTRY_LEN);
        for e in entries {
            bytes.extend_from_slice(&e.encode());
        }
        file.write_all(&bytes)?;
        file.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, &target)?;
    File::open(dir)?.sync_all()
}

/// The open journal the syncer appends to.
pub(crate) struct Journal {
    dir: PathBuf,
    file: File,
    len: u64,
    /// Kept through compaction.
    losses: Vec<Entry>,
    max_bytes: u64,
}

impl Journal {
    /// Opens the journal whose `contents` were read from `dir`, cutting a
    /// torn tail off first (fsynced) so new entries follow the valid ones.
    pub fn open(dir: &Path, contents: &Contents, max_bytes: u64) -> std::io::Result<Journal> {
        let file = OpenOptions::new().read(true).write(true).open(path(dir))?;
        let len = contents.valid_len();
        if contents.torn_tail.is_some() {
            file.set_len(len)?;
            file.sync_all()?;
        }
        Ok(Journal {
            dir: dir.to_owned(),
            file,
            len,
            losses: contents
                .entries
                .iter()
                .copied()
                .filter(|e| matches!(e, Entry::LossAccepted(_)))
                .collect(),
            max_bytes,
        })
    }

    /// Creates an empty journal in `dir` (the file and the directory fsynced).
    pub fn create(dir: &Path, max_bytes: u64) -> std::io::Result<Journal> {
        write_atomically(dir, &[])?;
        Journal::open(dir, &Contents::default(), max_bytes)
    }

    /// Appends `entry` and fdatasyncs it (compacting first when the file
    /// would pass its limit). When this returns Ok the entry is durable.
    pub fn append(&mut self, entry: Entry) -> std::io::Result<()> {
        if let Entry::LossAccepted(_) = entry {
            self.losses.push(entry);
        }
        if self.len + ENTRY_LEN as u64 > self.max_bytes {
            return self.compact(entry);
        }
        self.file.seek(SeekFrom::Start(self.len))?;
        self.file.write_all(&entry.encode())?;
        self.file.sync_data()?;
        self.len += ENTRY_LEN as u64;
        Ok(())
    }

    fn compact(&mut self, last: Entry) -> std::io::Result<()> {
        let mut entries = self.losses.clone();
        if !matches!(last, Entry::LossAccepted(_)) {
            entries.push(last);
        }
        write_atomically(&self.dir, &entries)?;
        self.file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path(&self.dir))?;
        self.len = (entries.len() * ENTRY_LEN) as u64;
        tracing::debug!(entries = entries.len(), "acknowledgement journal compacted");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acked(p: u64) -> Entry {
        Entry::Acked(Head {
            position: Position(p),
            hash: Digest([p as u8; 32]),
        })
    }

    fn loss(p: u64) -> Entry {
        Entry::LossAccepted(AcceptedLoss {
            first: Position(p + 1),
            last: Position(p + 3),
            head: Head {
                position: Position(p),
                hash: Digest([7; 32]),
            },
            note: Digest([9; 32]),
        })
    }

    #[test]
    fn entries_round_trip_and_check_themselves() {
        for e in [acked(5090), loss(12)] {
            let mut b = e.encode();
            assert_eq!(Entry::decode(&b), Ok(e));
            b[20] ^= 1;
            assert_eq!(Entry::decode(&b), Err("entry checksum does not match"));
        }
    }

    #[test]
    fn a_torn_tail_is_ignored_and_cut_but_damage_before_an_entry_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::create(dir.path(), JOURNAL_MAX_BYTES).unwrap();
        for p in 1..=3 {
            j.append(acked(p)).unwrap();
        }
        drop(j);
        let file = path(dir.path());
        let whole = std::fs::read(&file).unwrap();
        // A partial entry after the valid ones.
        let mut torn = whole.clone();
        torn.extend_from_slice(&acked(4).encode()[..50]);
        std::fs::write(&file, &torn).unwrap();
        let c = read(dir.path()).unwrap().unwrap();
        assert_eq!(c.entries, vec![acked(1), acked(2), acked(3)]);
        assert_eq!(c.torn_tail.as_ref().unwrap().0, 3 * ENTRY_LEN as u64);
        // Reopening cuts it and appends after the valid entries.
        let mut j = Journal::open(dir.path(), &c, JOURNAL_MAX_BYTES).unwrap();
        j.append(acked(4)).unwrap();
        let c = read(dir.path()).unwrap().unwrap();
        assert_eq!(c.entries.len(), 4);
        assert_eq!(c.torn_tail, None);
        // A whole last entry with a bad checksum is torn too.
        let mut bad = std::fs::read(&file).unwrap();
        let at = bad.len() - 10;
        bad[at] ^= 0xff;
        std::fs::write(&file, &bad).unwrap();
        let c = read(dir.path()).unwrap().unwrap();
        assert_eq!(c.entries.len(), 3);
        assert!(c.torn_tail.is_some());
        // The same damage with an entry after it is refused.
        let mut mid = whole.clone();
        mid[ENTRY_LEN + 3] ^= 0xff;
        std::fs::write(&file, &mid).unwrap();
        let err = read(dir.path()).unwrap_err();
        assert!(
            err.to_string().contains("entry 1 (offset 144) is damaged"),
            "{err}"
        );
    }

    #[test]
    fn compaction_keeps_every_loss_and_the_last_entry() {
        let dir = tempfile::tempdir().unwrap();
        let limit = (4 * ENTRY_LEN) as u64;
        let mut j = Journal::create(dir.path(), limit).unwrap();
        j.append(acked(1)).unwrap();
        j.append(loss(1)).unwrap();
        for p in 2..=20 {
            j.append(acked(p)).unwrap();
        }
        let c = read(dir.path()).unwrap().unwrap();
        assert!(c.entries.len() <= 4, "{:?}", c.entries);
        assert_eq!(c.entries[0], loss(1));
        assert_eq!(*c.entries.last().unwrap(), acked(20));
        assert_eq!(c.losses().len(), 1);
        assert!(!dir.path().join("acked.journal.tmp").exists());
    }

    #[test]
    fn the_active_entries_start_at_the_last_loss() {
        let c = Contents {
            entries: vec![acked(1), loss(1), acked(2), acked(3)],
            torn_tail: None,
        };
        assert_eq!(c.active(), &c.entries[1..]);
    }
}
