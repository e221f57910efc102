//! The `merkle` view: the log's Merkle tree (RFC 9162, `ledger-merkle`),
//! bounded. The leaf of position `p` (leaf index `p - 1`) is
//! `SHA-256(0x00 ‖ record.hash)`: the record's chain hash, so the tree
//! commits to every chained record.
//!
//! | table | key                        | value                                   |
//! |-------|----------------------------|-----------------------------------------|
//! | 1     | level (u8), index (u64 BE) | the subtree's hash (32 bytes, raw)      |
//! | 2     | (none)                     | last record's chain hash ‖ [`Frontier`] |
//!
//! Only complete, aligned subtrees of 256 leaves and up
//! ([`STORED_LEVEL`]) are kept: ≈ 2n/256 hashes (≈ 2.5 MB at 10M
//! records), plus the frontier (one hash per set bit of the size). Anything
//! below level 8 is recomputed from at most 256 consecutive records read
//! from the log ([`ProofSource`]): a tree head at any size N up to the
//! checkpoint is the fold of the stored subtrees N's high bits name plus
//! one read of the `N mod 256` records at its end; an inclusion or a
//! consistency proof reads O(log n) stored subtrees and at most two such
//! runs of records (the leaf's chunk, or the first size's last chunk, and
//! the last size's last chunk).

use std::collections::BTreeMap;

use ledger_codec::{Position, RecordedEvent};
use ledger_domain::Event;
use ledger_merkle::{leaf_hash, Frontier, Hash, MerkleError, Subtrees, CHUNK, STORED_LEVEL};
use ledger_store::DynStore;

use crate::tx::checkpoint;
use crate::{KeyBuilder, Projection, ProjectionError, Tx};

pub const MERKLE: &str = "merkle";

const NODE: u8 = 1;
const FRONTIER: u8 = 2;

/// Most runs of ≤ 256 records one proof reads from the log.
pub const MAX_CHUNK_READS: usize = 2;

fn node_key(level: u32, index: u64) -> Vec<u8> {
    let mut k = KeyBuilder::new(NODE).build();
    k.push(level as u8);
    k.extend_from_slice(&index.to_be_bytes());
    k
}

fn frontier_key() -> Vec<u8> {
    KeyBuilder::new(FRONTIER).build()
}

/// Keeps the `merkle` view.
#[derive(Clone, Copy, Debug, Default)]
pub struct MerkleProjection;

/// The tree as the view holds it at its checkpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tip {
    pub frontier: Frontier,
    /// The chain hash of the last record in the tree (zero when empty).
    pub last_hash: Hash,
}

fn decode_tip(v: &[u8]) -> Result<Tip, ProjectionError> {
    if v.len() < 32 {
        return Err(ProjectionError::Corrupt("merkle: short frontier".into()));
    }
    let frontier = Frontier::from_bytes(&v[32..])
        .map_err(|e| ProjectionError::Corrupt(format!("merkle: {e}")))?;
    Ok(Tip {
        frontier,
        last_hash: v[..32].try_into().expect("32 bytes"),
    })
}

impl Projection for MerkleProjection {
    fn name(&self) -> &'static str {
        MERKLE
    }

    fn version(&self) -> u32 {
        1
    }

    fn apply(
        &self,
        tx: &mut Tx<'_>,
        record: &RecordedEvent,
        _event: &Event,
    ) -> Result<(), ProjectionError> {
        let mut tip = match tx.get_raw(&frontier_key())? {
            Some(v) => decode_tip(&v)?,
            None => Tip {
                frontier: Frontier::new(),
                last_hash: [0; 32],
            },
        };
        if tip.frontier.size() + 1 != record.position.0 {
            return Err(ProjectionError::Corrupt(format!(
                "merkle: tree of {} leaves given position {}",
                tip.frontier.size(),
                record.position
            )));
        }
        let mut completed = Vec::new();
        tip.frontier
            .push(leaf_hash(&record.hash.0), |level, index, h| {
                if level >= STORED_LEVEL {
                    completed.push((level, index, *h));
                }
            });
        for (level, index, h) in completed {
            tx.put_raw(node_key(level, index), h.to_vec());
        }
        let mut v = record.hash.0.to_vec();
        v.extend_from_slice(&tip.frontier.to_bytes());
        tx.put_raw(frontier_key(), v);
        Ok(())
    }
}

/// The view's tree at its checkpoint (empty before the first record).
pub fn tip(view: &sled::Tree) -> Result<Tip, ProjectionError> {
    match view.get(frontier_key())? {
        Some(v) => decode_tip(&v),
        None => Ok(Tip {
            frontier: Frontier::new(),
            last_hash: [0; 32],
        }),
    }
}

/// Why a proof could not be computed from the view.
#[derive(Debug, thiserror::Error)]
pub enum ProofSourceError {
    #[error(transparent)]
    Merkle(#[from] MerkleError),
    #[error(transparent)]
    Projection(#[from] ProjectionError),
    /// The leaves of this chunk are needed from the log (internal: the
    /// driver reads them and retries).
    #[error("chunk {0} not read")]
    NeedChunk(u64),
}

/// [`Subtrees`] over the view's stored subtrees and runs of at most 256
/// records read from the log. Built by [`with_proof_source`].
pub struct ProofSource<'a> {
    view: &'a sled::Tree,
    /// Chunk number → the chain hashes of its records read (a prefix of
    /// the chunk when it is the tree's last).
    chunks: BTreeMap<u64, Vec<Hash>>,
    /// Stored subtrees read so far: a retry after a chunk read reads none
    /// twice.
    nodes: BTreeMap<(u32, u64), Hash>,
    /// Stored subtrees read from the view (for measuring).
    pub nodes_read: usize,
}

impl ProofSource<'_> {
    /// The chain hash of the record at `position`, if its chunk was read.
    pub fn record_hash(&self, position: Position) -> Option<Hash> {
        let i = position.0.checked_sub(1)?;
        self.chunks
            .get(&(i / CHUNK))
            .and_then(|c| c.get((i % CHUNK) as usize))
            .copied()
    }

    /// The chunks read from the log, and the records in them.
    pub fn records_read(&self) -> (usize, usize) {
        (self.chunks.len(), self.chunks.values().map(Vec::len).sum())
    }
}

impl Subtrees for ProofSource<'_> {
    type Error = ProofSourceError;

    fn subtree(&mut self, level: u32, index: u64) -> Result<Hash, ProofSourceError> {
        if level >= STORED_LEVEL {
            if let Some(h) = self.nodes.get(&(level, index)) {
                return Ok(*h);
            }
            self.nodes_read += 1;
            let v = self
                .view
                .get(node_key(level, index))
                .map_err(ProjectionError::from)?;
            let v = v.ok_or_else(|| {
                ProjectionError::Corrupt(format!("merkle: subtree {level}/{index} not stored"))
            })?;
            let h = <[u8; 32]>::try_from(v.as_ref()).map_err(|_| {
                ProjectionError::Corrupt("merkle: a subtree is not 32 bytes".into())
            })?;
            self.nodes.insert((level, index), h);
            return Ok(h);
        }
        let start = index << level;
        let chunk = start / CHUNK;
        let Some(records) = self.chunks.get(&chunk) else {
            return Err(ProofSourceError::NeedChunk(chunk));
        };
        let from = (start % CHUNK) as usize;
        let to = from + (1usize << level);
        let Some(run) = records.get(from..to) else {
            return Err(ProjectionError::Corrupt(format!(
                "merkle: subtree {level}/{index} beyond the records read"
            ))
            .into());
        };
        let leaves: Vec<Hash> = run.iter().map(|h| leaf_hash(h)).collect();
        Ok(ledger_merkle::memory::hash_leaves(&leaves))
    }
}

/// Runs `f` over a [`ProofSource`] for trees of at most `max_size` leaves
/// (which must not be beyond the view's checkpoint), reading from the log
/// the chunks it asks for, at most [`MAX_CHUNK_READS`], each once.
pub async fn with_proof_source<T>(
    view: &sled::Tree,
    store: &DynStore,
    max_size: u64,
    mut f: impl FnMut(&mut ProofSource<'_>) -> Result<T, ProofSourceError>,
) -> Result<T, ProofSourceError> {
    let at = checkpoint(view)?;
    if max_size > at.0 {
        return Err(ProjectionError::NotCaughtUp {
            projection: MERKLE.to_owned(),
            checkpoint: at,
            wanted: Position(max_size),
        }
        .into());
    }
    let mut source = ProofSource {
        view,
        chunks: BTreeMap::new(),
        nodes: BTreeMap::new(),
        nodes_read: 0,
    };
    loop {
        match f(&mut source) {
            Err(ProofSourceError::NeedChunk(chunk)) => {
                if source.chunks.len() >= MAX_CHUNK_READS || source.chunks.contains_key(&chunk) {
                    return Err(ProjectionError::Corrupt(format!(
                        "merkle: a proof asked for chunk {chunk} after {} others",
                        source.chunks.len()
                    ))
                    .into());
                }
                let first = chunk * CHUNK + 1;
                let last = ((chunk + 1) * CHUNK).min(max_size);
                let want = (last + 1 - first) as usize;
                let records = store
                    .read_all(Position(first), want)
                    .await
                    .map_err(ProjectionError::from)?;
                if records.len() != want
                    || records
                        .iter()
                        .zip(first..)
                        .any(|(r, p)| r.position != Position(p))
                {
                    return Err(ProjectionError::Corrupt(format!(
                        "merkle: the log gave {} records from position {first}, not {want}",
                        records.len()
                    ))
                    .into());
                }
                source
                    .chunks
                    .insert(chunk, records.iter().map(|r| r.hash.0).collect());
            }
            other => return other,
        }
    }
}

/// Reads the chunk holding `position` into `source`'s driver: asks for it
/// as a subtree lookup would. For [`with_proof_source`] closures that need
/// a record's chain hash.
pub fn need_record(source: &ProofSource<'_>, position: Position) -> Result<Hash, ProofSourceError> {
    match source.record_hash(position) {
        Some(h) => Ok(h),
        None => Err(ProofSourceError::NeedChunk((position.0 - 1) / CHUNK)),
    }
}
