//! Opening a log: sled, the segment scan, and the check against the
//! acknowledgement journal (`crate::journal`, `crate::acks`).
//!
//! The journal's presence is decided so that nothing is accepted silently:
//! - a journal: the log is checked against it;
//! - no journal and an empty log: a new log, its journal is created;
//! - no journal, records, and the log's marker (a key sled holds, written
//!   when the journal was created): the journal was lost — refused;
//! - no journal, records, no marker: a log written before the journal
//!   existed; it is adopted as it stands (its head becomes the first
//!   entry) with a warning saying so.

use std::collections::HashMap;
use std::path::Path;

use ledger_store::{Digest, Head, Position, StoreError};
use tracing::{info, warn};

use crate::index::Index;
use crate::journal::{self, AcceptedLoss, Contents, Entry, Journal, JournalError};
use crate::writer::Durability;
use crate::{acks, io, recovery, Config, JOURNAL_MARKER, META_TREE, SEGMENTS_TREE};

/// What opening found when it checked the log against the journal.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recovery {
    /// The head the journal's last entry vouches for.
    pub acknowledged: Head,
    /// Records after it: written by batches that were never acknowledged
    /// (a crash before their journal entry was durable). Kept.
    pub unacknowledged: u64,
    /// The journal's torn last entry, ignored: `(offset, why)`.
    pub torn_journal_tail: Option<(u64, String)>,
    /// Every loss an operator accepted, oldest first.
    pub losses: Vec<AcceptedLoss>,
    /// The log predates the journal and was adopted as it stood.
    pub adopted: bool,
}

/// An opened, checked log.
pub(crate) struct Opened {
    pub db: sled::Db,
    pub tree: sled::Tree,
    pub index: Index,
    pub head: Head,
    pub durability: Durability,
    pub journal: Journal,
    pub recovery: Recovery,
}

fn journal_error(e: JournalError) -> StoreError {
    StoreError::Journal(e.to_string())
}

fn unreadable(why: String) -> StoreError {
    StoreError::Corrupt {
        position: Position::ORIGIN,
        reason: format!("the storage engine cannot read its files: {why}"),
    }
}

/// The message of a caught panic.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into())
}

/// Runs the opening scan; sled 0.34 also panics on some damage when its
/// trees are read (e.g. "cannot find pid … in view_for_key" while
/// iterating a damaged tree): that is an unreadable log, not a crash. The
/// scan only reads, so unwinding out of it leaves nothing half-written.
fn guarded_scan(
    tree: &sled::Tree,
    index: &Index,
    contents: Option<&Contents>,
) -> Result<Scanned, StoreError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| scan(tree, index, contents))).map_err(
        |panic| {
            unreadable(format!(
                "a read of its trees panicked: {}",
                panic_message(panic.as_ref())
            ))
        },
    )?
}

fn open_sled(path: &Path, cache: u64) -> Result<(sled::Db, sled::Tree), StoreError> {
    // No flusher thread: the writer flushes every round itself, and a
    // flusher that outlives a closed store would hold sled's lock on the
    // directory for a moment after close.
    let config = sled::Config::new()
        .path(path)
        .cache_capacity(cache)
        .flush_every_ms(None);
    // sled 0.34's recovery panics on some damage to its files (e.g. "tried
    // to serialize Uninitialized" after a flipped byte mid-file): that is
    // an unreadable log, reported as one, not a crash of the caller. Its
    // threads hold no state of ours, so unwinding out of it is sound.
    let opened = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| config.open())).map_err(
        |panic| {
            unreadable(format!(
                "its recovery panicked: {}",
                panic_message(panic.as_ref())
            ))
        },
    )?;
    let db = opened.map_err(|e| match e {
        // sled's own recovery cannot read its files (damage it does not
        // truncate away): the log is unreadable, not an i/o hiccup.
        sled::Error::Corruption { .. } | sled::Error::ReportableBug(_) => unreadable(e.to_string()),
        e => io("open sled", e),
    })?;
    let tree = db
        .open_tree(SEGMENTS_TREE)
        .map_err(|e| io("open segment tree", e))?;
    Ok((db, tree))
}

/// The log's head and its check against the journal (`None`: no journal).
struct Scanned {
    head: Head,
    verdict: Result<u64, StoreError>,
}

/// Brings the index up to the log and checks the log against its journal.
///
/// The index is trusted only as far as the log holds its last record with
/// the same hash; otherwise (a log cut short, other records, a damaged
/// index) it is cleared and rebuilt from the log, after the journal check
/// of the log as it stands (a log missing acknowledged records is refused
/// before anything is rebuilt).
fn scan(
    tree: &sled::Tree,
    index: &Index,
    contents: Option<&Contents>,
) -> Result<Scanned, StoreError> {
    let wanted = contents.map(acks::wanted).unwrap_or_default();
    let hashes_up_to = |limit: Position| {
        wanted
            .iter()
            .filter(|p| **p <= limit && **p > Position::ORIGIN)
            .filter_map(|p| recovery::hash_at(tree, *p).ok().map(|h| (*p, h)))
            .collect::<HashMap<_, _>>()
    };
    let start = match index.through() {
        Ok(None) => Head::default(),
        Ok(Some(through)) => match recovery::hash_at(tree, through.position) {
            Ok(hash) if hash == through.hash => through,
            found => {
                if let Some(c) = contents {
                    // Refused as it stands, before anything is rebuilt.
                    let head = recovery::last_head(tree)?;
                    if let Err(e) = acks::check(c, head, &hashes_up_to(head.position)) {
                        return Ok(Scanned {
                            head,
                            verdict: Err(e),
                        });
                    }
                }
                warn!(
                    indexed_through = through.position.0,
                    found = ?found.map(|h| h.to_string()),
                    "the log's index covers a record the log does not hold as indexed: rebuilding the index from the log"
                );
                index.clear()?;
                Head::default()
            }
        },
        Err(e) => {
            warn!(error = %e, "the log's index cannot be read: rebuilding it from the log");
            index.clear()?;
            Head::default()
        }
    };
    let caught = recovery::catch_up(tree, index, start, &wanted)?;
    let mut hashes = hashes_up_to(start.position);
    hashes.extend(caught.hashes);
    if caught.indexed > 0 {
        info!(
            from = start.position.next().0,
            to = caught.head.position.0,
            records = caught.indexed,
            whole_log = start.position == Position::ORIGIN,
            "indexed the log after the index's last record"
        );
    }
    let verdict = match contents {
        Some(c) => acks::check(c, caught.head, &hashes),
        None => Ok(caught.head.position.0),
    };
    Ok(Scanned {
        head: caught.head,
        verdict,
    })
}

pub(crate) fn open(path: &Path, config: &Config) -> Result<Opened, StoreError> {
    let (db, tree) = open_sled(path, config.cache_capacity_bytes)?;
    let contents = journal::read(path).map_err(journal_error)?;
    let index = Index::open(path)?;
    let Scanned { head, verdict } = guarded_scan(&tree, &index, contents.as_ref())?;
    let meta = db
        .open_tree(META_TREE)
        .map_err(|e| io("open meta tree", e))?;
    let marked = meta
        .get(JOURNAL_MARKER)
        .map_err(|e| io("read meta tree", e))?
        .is_some();
    let journal_io = |e| io("acknowledgement journal", e);
    let max = config.journal_max_bytes.max(journal::ENTRY_LEN as u64);
    let (journal, recovery) = match contents {
        Some(c) => {
            if let Some((offset, why)) = &c.torn_tail {
                warn!(
                    offset,
                    why = why.as_str(),
                    "the acknowledgement journal's last entry is torn: a journal write that never completed, so nothing it covered was acknowledged; ignored"
                );
            }
            let unacknowledged = verdict?;
            let acknowledged = c.active().last().map(Entry::head).unwrap_or_default();
            if unacknowledged > 0 {
                warn!(
                    unacknowledged,
                    first = acknowledged.position.next().0,
                    last = head.position.0,
                    "{unacknowledged} unacknowledged records found after the last acknowledged position {}: written by a batch whose acknowledgement never became durable (a crash); they are durable and chained, and kept",
                    acknowledged.position
                );
            }
            let journal = Journal::open(path, &c, max).map_err(journal_io)?;
            let recovery = Recovery {
                acknowledged,
                unacknowledged,
                torn_journal_tail: c.torn_tail.clone(),
                losses: c.losses(),
                adopted: false,
            };
            (journal, recovery)
        }
        None if head.position == Position::ORIGIN => {
            let journal = Journal::create(path, max).map_err(journal_io)?;
            (journal, Recovery::default())
        }
        None if marked => {
            return Err(StoreError::Journal(format!(
                "{} is missing, but this log was created with one: its {} records cannot be shown to hold everything that was acknowledged; restore the data directory from a backup",
                journal::path(path).display(),
                head.position
            )))
        }
        None => {
            warn!(
                records = head.position.0,
                "this log was written before the acknowledgement journal existed: adopting its {} records as acknowledged, as they stand",
                head.position
            );
            let mut journal = Journal::create(path, max).map_err(journal_io)?;
            journal.append(Entry::Acked(head)).map_err(journal_io)?;
            let recovery = Recovery {
                acknowledged: head,
                adopted: true,
                ..Recovery::default()
            };
            (journal, recovery)
        }
    };
    if !marked {
        // Made durable by Durability::open's first sync, below.
        meta.insert(JOURNAL_MARKER, &b"1"[..])
            .map_err(|e| io("write meta tree", e))?;
        db.flush().map_err(|e| io("sled flush", e))?;
    }
    let durability = Durability::open(path, config.fail_syncs_after)
        .map_err(|e| io("sync store directory", e))?;
    Ok(Opened {
        db,
        tree,
        index,
        head,
        durability,
        journal,
        recovery,
    })
}

/// What the acknowledgement journal of the log in `path` vouches for, read
/// without opening the log (for a report on a log the engine cannot read):
/// the last acknowledged head and every accepted loss. `None`: no journal.
pub fn journal_summary(path: &Path) -> Result<Option<(Head, Vec<AcceptedLoss>)>, StoreError> {
    let Some(c) = journal::read(path).map_err(journal_error)? else {
        return Ok(None);
    };
    let acknowledged = c.active().last().map(Entry::head).unwrap_or_default();
    Ok(Some((acknowledged, c.losses())))
}

/// Why [`accept_loss`] recorded nothing.
#[derive(Debug, thiserror::Error)]
pub enum AcceptLossError {
    /// The log cannot be read or checked (damage in the middle of the
    /// log, a missing journal: restore from a backup).
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the log holds every acknowledged record: there is no loss to accept")]
    NothingLost,
    #[error(
        "positions {first}..={last} are what is missing: accept exactly that range, not {asked_first}..={asked_last}"
    )]
    WrongRange {
        first: Position,
        last: Position,
        asked_first: Position,
        asked_last: Position,
    },
    #[error("the journal already records {0} accepted losses, the most it keeps")]
    TooMany(usize),
}

impl AcceptLossError {
    /// A stable code.
    pub fn code(&self) -> &'static str {
        match self {
            AcceptLossError::Store(_) => "store",
            AcceptLossError::NothingLost => "nothing_lost",
            AcceptLossError::WrongRange { .. } => "wrong_range",
            AcceptLossError::TooMany(_) => "too_many_losses",
        }
    }
}

/// Records in the journal of the log in `path` (which must not be open)
/// that an operator accepts the loss of the acknowledged positions
/// `first..=last` — exactly the range opening refuses — with `note` the
/// SHA-256 of the operator's record of it. Afterwards the log opens at
/// the head it has. The entry is fdatasynced before this returns.
pub fn accept_loss(
    path: &Path,
    first: Position,
    last: Position,
    note: Digest,
) -> Result<AcceptedLoss, AcceptLossError> {
    let (db, tree) = open_sled(path, Config::default().cache_capacity_bytes)?;
    let contents = journal::read(path)
        .map_err(journal_error)?
        .ok_or(AcceptLossError::NothingLost)?;
    let losses = contents.losses().len();
    if losses >= journal::MAX_ACCEPTED_LOSSES {
        return Err(AcceptLossError::TooMany(losses));
    }
    let index = Index::open(path)?;
    let Scanned { head, verdict } = guarded_scan(&tree, &index, Some(&contents))?;
    drop((index, tree, db));
    match verdict {
        Ok(_) => Err(AcceptLossError::NothingLost),
        Err(StoreError::AcknowledgedMissing {
            first: f, last: l, ..
        }) if (f, l) == (first, last) => {
            let loss = AcceptedLoss {
                first,
                last,
                head,
                note,
            };
            let mut journal = Journal::open(path, &contents, journal::JOURNAL_MAX_BYTES)
                .map_err(|e| io("acknowledgement journal", e))?;
            journal
                .append(Entry::LossAccepted(loss))
                .map_err(|e| io("acknowledgement journal", e))?;
            warn!(
                first = first.0,
                last = last.0,
                head = loss.head.position.0,
                "loss of acknowledged positions {first}..={last} accepted by the operator"
            );
            Ok(loss)
        }
        Err(StoreError::AcknowledgedMissing {
            first: f, last: l, ..
        }) => Err(AcceptLossError::WrongRange {
            first: f,
            last: l,
            asked_first: first,
            asked_last: last,
        }),
        Err(e) => Err(e.into()),
    }
}
