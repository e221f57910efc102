//! In-memory [`Subtrees`]: the reference a store is checked against, and
//! the layout the ledger stores, for measuring.

use std::collections::{BTreeMap, BTreeSet};

use crate::{Frontier, Hash, MerkleError, Subtrees, CHUNK, STORED_LEVEL};

/// Every leaf hash; subtrees computed from them on demand (O(2^level)).
#[derive(Debug, Clone, Default)]
pub struct MemoryTree {
    pub leaves: Vec<Hash>,
}

impl Subtrees for MemoryTree {
    type Error = MerkleError;
    fn subtree(&mut self, level: u32, index: u64) -> Result<Hash, MerkleError> {
        let start = index << level;
        let end = start + (1u64 << level);
        if end > self.leaves.len() as u64 {
            return Err(MerkleError::SizeBeyondTree {
                size: end,
                available: self.leaves.len() as u64,
            });
        }
        Ok(hash_leaves(&self.leaves[start as usize..end as usize]))
    }
}

/// The hash of a complete subtree given its leaf hashes (a power of two of
/// them).
pub fn hash_leaves(leaves: &[Hash]) -> Hash {
    if leaves.len() == 1 {
        return leaves[0];
    }
    let (l, r) = leaves.split_at(leaves.len() / 2);
    crate::node_hash(&hash_leaves(l), &hash_leaves(r))
}

/// The ledger's layout in memory: the subtrees of [`STORED_LEVEL`] and up,
/// kept as they complete, and the leaves, of which a proof reads whole
/// [`CHUNK`]s, counted in [`Layered::chunks_read`].
#[derive(Debug, Clone, Default)]
pub struct Layered {
    leaves: Vec<Hash>,
    frontier: Frontier,
    /// (level, index) → hash, levels ≥ [`STORED_LEVEL`].
    pub stored: BTreeMap<(u32, u64), Hash>,
    /// The chunks read since the last [`Layered::reset_reads`].
    pub chunks_read: BTreeSet<u64>,
    /// Stored nodes read since the last [`Layered::reset_reads`].
    pub nodes_read: usize,
}

impl Layered {
    pub fn new() -> Layered {
        Layered::default()
    }

    pub fn push(&mut self, leaf: Hash) {
        self.leaves.push(leaf);
        let stored = &mut self.stored;
        self.frontier.push(leaf, |level, index, h| {
            if level >= STORED_LEVEL {
                stored.insert((level, index), *h);
            }
        });
    }

    pub fn len(&self) -> u64 {
        self.leaves.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.leaves.is_empty()
    }

    pub fn frontier(&self) -> &Frontier {
        &self.frontier
    }

    pub fn reset_reads(&mut self) {
        self.chunks_read.clear();
        self.nodes_read = 0;
    }
}

impl Subtrees for Layered {
    type Error = MerkleError;
    fn subtree(&mut self, level: u32, index: u64) -> Result<Hash, MerkleError> {
        if level >= STORED_LEVEL {
            self.nodes_read += 1;
            return self
                .stored
                .get(&(level, index))
                .copied()
                .ok_or(MerkleError::SizeBeyondTree {
                    size: (index + 1) << level,
                    available: self.leaves.len() as u64,
                });
        }
        let start = index << level;
        let end = start + (1u64 << level);
        if end > self.leaves.len() as u64 {
            return Err(MerkleError::SizeBeyondTree {
                size: end,
                available: self.leaves.len() as u64,
            });
        }
        self.chunks_read.insert(start / CHUNK);
        Ok(hash_leaves(&self.leaves[start as usize..end as usize]))
    }
}
