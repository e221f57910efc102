//! The ledger's Merkle tree over its records, as transparency logs keep
//! one (RFC 6962, RFC 9162 §2.1).
//!
//! - a leaf is `SHA-256(0x00 ‖ leaf data)`, a node `SHA-256(0x01 ‖ left ‖
//!   right)`, the empty tree's root `SHA-256("")`; the ledger's leaf data is
//!   each record's 32-byte chain hash, so the tree commits to every chained
//!   record;
//! - [`root`], [`inclusion_proof`] and [`consistency_proof`] compute from
//!   any [`Subtrees`]: something that gives the hash of a complete, aligned
//!   subtree (`level`, `index`: leaves `index·2^level .. (index+1)·2^level`);
//! - [`verify_inclusion`] and [`verify_consistency`] are RFC 9162's
//!   §2.1.3.2 and §2.1.4.2 algorithms, step by step;
//! - [`Frontier`] appends leaves one at a time, keeping one hash per set bit
//!   of the size (O(log n)), and reports every subtree it completes, so a
//!   store can keep just the levels it wants ([`STORED_LEVEL`] and up).
//!
//! Pure: no I/O, no clock.

use sha2::{Digest, Sha256};

pub mod memory;

/// A SHA-256 hash.
pub type Hash = [u8; 32];

/// The lowest level of subtree the ledger stores: complete, aligned
/// subtrees of 256 leaves and up. Anything below is recomputed from at
/// most [`CHUNK`] consecutive leaves.
pub const STORED_LEVEL: u32 = 8;
/// Leaves in one subtree of [`STORED_LEVEL`].
pub const CHUNK: u64 = 1 << STORED_LEVEL;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MerkleError {
    #[error("leaf index {index} is not below tree size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("tree size {first} is larger than tree size {second}")]
    SizesOutOfOrder { first: u64, second: u64 },
    #[error("tree size {size} is beyond the {available} leaves available")]
    SizeBeyondTree { size: u64, available: u64 },
    #[error("the proof has {0} hashes, more than any tree of its size needs")]
    PathTooLong(usize),
    #[error("the proof has too few hashes")]
    PathTooShort,
    #[error("the proof does not lead to the tree head's root")]
    RootMismatch,
    #[error("a consistency proof between equal sizes must be empty")]
    NonEmptyProof,
    #[error("a consistency proof between different sizes cannot be empty")]
    EmptyProof,
    #[error("the first tree head's root does not match")]
    FirstRootMismatch,
    #[error("the second tree head's root does not match")]
    SecondRootMismatch,
    #[error("frontier bytes are malformed")]
    MalformedFrontier,
}

/// `SHA-256(0x00 ‖ data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

/// `SHA-256(0x01 ‖ left ‖ right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of the empty tree: `SHA-256("")`.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// A tree's size and root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeHead {
    pub size: u64,
    pub root: Hash,
}

/// "Leaf `leaf_index` is in the tree of `tree_size` leaves": the audit
/// path, leaf side first (RFC 9162 §2.1.3.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionProof {
    pub leaf_index: u64,
    pub tree_size: u64,
    pub path: Vec<Hash>,
}

/// "The tree of `size2` leaves extends the tree of `size1`" (RFC 9162
/// §2.1.4.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsistencyProof {
    pub size1: u64,
    pub size2: u64,
    pub path: Vec<Hash>,
}

/// The hashes of complete, aligned subtrees of one tree.
pub trait Subtrees {
    type Error: From<MerkleError>;
    /// The hash of the subtree over leaves `index·2^level ..
    /// (index+1)·2^level` (level 0: a leaf's hash). Only asked for
    /// subtrees inside the sizes the caller works with.
    fn subtree(&mut self, level: u32, index: u64) -> Result<Hash, Self::Error>;
}

/// The largest power of two below `n` (n ≥ 2).
fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// MTH of leaves `start..end` where `start` is a multiple of the largest
/// power of two not above `end - start` (every range RFC 9162's
/// recursions ask for is): the descending powers of two that make up the
/// length are each an aligned subtree, folded from the right.
pub fn range_hash<S: Subtrees>(s: &mut S, start: u64, end: u64) -> Result<Hash, S::Error> {
    if start == end {
        return Ok(empty_root());
    }
    let mut parts = Vec::with_capacity(64);
    let mut at = start;
    let mut left = end - start;
    while left > 0 {
        let level = 63 - left.leading_zeros();
        let size = 1u64 << level;
        debug_assert_eq!(at % size, 0, "range start not aligned");
        parts.push(s.subtree(level, at >> level)?);
        at += size;
        left -= size;
    }
    let mut h = parts.pop().expect("non-empty");
    while let Some(l) = parts.pop() {
        h = node_hash(&l, &h);
    }
    Ok(h)
}

/// The tree head at `size`.
pub fn root<S: Subtrees>(s: &mut S, size: u64) -> Result<TreeHead, S::Error> {
    Ok(TreeHead {
        size,
        root: range_hash(s, 0, size)?,
    })
}

/// PATH(m, D[lo:hi]) with absolute indices.
fn path<S: Subtrees>(
    s: &mut S,
    m: u64,
    lo: u64,
    hi: u64,
    out: &mut Vec<Hash>,
) -> Result<(), S::Error> {
    if hi - lo <= 1 {
        return Ok(());
    }
    let k = split(hi - lo);
    if m < lo + k {
        path(s, m, lo, lo + k, out)?;
        out.push(range_hash(s, lo + k, hi)?);
    } else {
        path(s, m, lo + k, hi, out)?;
        out.push(range_hash(s, lo, lo + k)?);
    }
    Ok(())
}

/// The inclusion proof of leaf `index` in the tree of `size` leaves.
pub fn inclusion_proof<S: Subtrees>(
    s: &mut S,
    index: u64,
    size: u64,
) -> Result<InclusionProof, S::Error> {
    if index >= size {
        return Err(MerkleError::IndexOutOfRange { index, size }.into());
    }
    let mut out = Vec::new();
    path(s, index, 0, size, &mut out)?;
    Ok(InclusionProof {
        leaf_index: index,
        tree_size: size,
        path: out,
    })
}

/// SUBPROOF(m, D[lo:hi], b) with absolute indices (`m` is the first tree's
/// size).
fn subproof<S: Subtrees>(
    s: &mut S,
    m: u64,
    lo: u64,
    hi: u64,
    complete: bool,
    out: &mut Vec<Hash>,
) -> Result<(), S::Error> {
    if m == hi {
        if !complete {
            out.push(range_hash(s, lo, hi)?);
        }
        return Ok(());
    }
    let k = split(hi - lo);
    if m - lo <= k {
        subproof(s, m, lo, lo + k, complete, out)?;
        out.push(range_hash(s, lo + k, hi)?);
    } else {
        subproof(s, m, lo + k, hi, false, out)?;
        out.push(range_hash(s, lo, lo + k)?);
    }
    Ok(())
}

/// The consistency proof that the tree of `size2` leaves extends the tree
/// of `size1` (empty when `size1` is 0 or equal to `size2`).
pub fn consistency_proof<S: Subtrees>(
    s: &mut S,
    size1: u64,
    size2: u64,
) -> Result<ConsistencyProof, S::Error> {
    if size1 > size2 {
        return Err(MerkleError::SizesOutOfOrder {
            first: size1,
            second: size2,
        }
        .into());
    }
    let mut out = Vec::new();
    if size1 > 0 && size1 < size2 {
        subproof(s, size1, 0, size2, true, &mut out)?;
    }
    Ok(ConsistencyProof {
        size1,
        size2,
        path: out,
    })
}

/// RFC 9162 §2.1.3.2: verifies that `leaf` (a leaf hash, see
/// [`leaf_hash`]) is at `proof.leaf_index` in the tree whose head is
/// `head` (`head.size` must be the proof's tree size).
pub fn verify_inclusion(
    leaf: &Hash,
    proof: &InclusionProof,
    head: &TreeHead,
) -> Result<(), MerkleError> {
    if proof.tree_size != head.size {
        return Err(MerkleError::RootMismatch);
    }
    let (index, size) = (proof.leaf_index, proof.tree_size);
    // 1. The index must be inside the tree.
    if index >= size {
        return Err(MerkleError::IndexOutOfRange { index, size });
    }
    if proof.path.len() > 64 {
        return Err(MerkleError::PathTooLong(proof.path.len()));
    }
    // 2. fn, sn.
    let mut fnn = index;
    let mut sn = size - 1;
    // 3.
    let mut r = *leaf;
    // 4.
    for p in &proof.path {
        // a.
        if sn == 0 {
            return Err(MerkleError::PathTooLong(proof.path.len()));
        }
        // b.
        if fnn & 1 == 1 || fnn == sn {
            r = node_hash(p, &r);
            if fnn & 1 == 0 {
                while fnn & 1 == 0 && fnn != 0 {
                    fnn >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        // c.
        fnn >>= 1;
        sn >>= 1;
    }
    // 5.
    if sn != 0 {
        return Err(MerkleError::PathTooShort);
    }
    if r != head.root {
        return Err(MerkleError::RootMismatch);
    }
    Ok(())
}

/// RFC 9162 §2.1.4.2: verifies that `second` extends `first`. Outside the
/// RFC's `0 < first < second`: equal sizes need an empty proof and equal
/// roots; the empty tree is extended by every tree (empty proof).
pub fn verify_consistency(
    first: &TreeHead,
    second: &TreeHead,
    proof: &ConsistencyProof,
) -> Result<(), MerkleError> {
    if proof.size1 != first.size || proof.size2 != second.size {
        return Err(MerkleError::RootMismatch);
    }
    if first.size > second.size {
        return Err(MerkleError::SizesOutOfOrder {
            first: first.size,
            second: second.size,
        });
    }
    if first.size == second.size || first.size == 0 {
        if !proof.path.is_empty() {
            return Err(MerkleError::NonEmptyProof);
        }
        if first.size == 0 && first.root != empty_root() {
            return Err(MerkleError::FirstRootMismatch);
        }
        if first.size == second.size && first.root != second.root {
            return Err(MerkleError::SecondRootMismatch);
        }
        return Ok(());
    }
    if proof.path.len() > 128 {
        return Err(MerkleError::PathTooLong(proof.path.len()));
    }
    // 1.
    if proof.path.is_empty() {
        return Err(MerkleError::EmptyProof);
    }
    // 2.
    let mut path: Vec<Hash> = Vec::with_capacity(proof.path.len() + 1);
    if first.size.is_power_of_two() {
        path.push(first.root);
    }
    path.extend_from_slice(&proof.path);
    // 3.
    let mut fnn = first.size - 1;
    let mut sn = second.size - 1;
    // 4.
    while fnn & 1 == 1 {
        fnn >>= 1;
        sn >>= 1;
    }
    // 5.
    let mut fr = path[0];
    let mut sr = path[0];
    // 6.
    for c in &path[1..] {
        // a.
        if sn == 0 {
            return Err(MerkleError::PathTooLong(proof.path.len()));
        }
        // b.
        if fnn & 1 == 1 || fnn == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fnn & 1 == 0 {
                while fnn & 1 == 0 && fnn != 0 {
                    fnn >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        // c.
        fnn >>= 1;
        sn >>= 1;
    }
    // 7.
    if sn != 0 {
        return Err(MerkleError::PathTooShort);
    }
    if fr != first.root {
        return Err(MerkleError::FirstRootMismatch);
    }
    if sr != second.root {
        return Err(MerkleError::SecondRootMismatch);
    }
    Ok(())
}

/// The right edge of a tree being appended to: one hash per set bit of the
/// size, the largest (leftmost) subtree first. O(log n) hashes, whatever
/// the size.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    hashes: Vec<Hash>,
}

impl Frontier {
    pub fn new() -> Frontier {
        Frontier::default()
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf hash. `completed(level, index, hash)` is told of
    /// every subtree the leaf completes, the leaf itself (level 0) first.
    pub fn push(&mut self, leaf: Hash, mut completed: impl FnMut(u32, u64, &Hash)) {
        let mut h = leaf;
        completed(0, self.size, &h);
        let merges = self.size.trailing_ones();
        self.size += 1;
        for level in 1..=merges {
            let left = self.hashes.pop().expect("one hash per set bit");
            h = node_hash(&left, &h);
            completed(level, (self.size >> level) - 1, &h);
        }
        self.hashes.push(h);
    }

    /// The root of the tree so far.
    pub fn root(&self) -> TreeHead {
        let mut it = self.hashes.iter().rev();
        let root = match it.next() {
            None => empty_root(),
            Some(last) => it.fold(*last, |acc, l| node_hash(l, &acc)),
        };
        TreeHead {
            size: self.size,
            root,
        }
    }

    /// `size` (big-endian u64) then the hashes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + 32 * self.hashes.len());
        out.extend_from_slice(&self.size.to_be_bytes());
        for h in &self.hashes {
            out.extend_from_slice(h);
        }
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Frontier, MerkleError> {
        if bytes.len() < 8 || (bytes.len() - 8) % 32 != 0 {
            return Err(MerkleError::MalformedFrontier);
        }
        let size = u64::from_be_bytes(bytes[..8].try_into().expect("8 bytes"));
        let hashes: Vec<Hash> = bytes[8..]
            .chunks_exact(32)
            .map(|c| c.try_into().expect("32 bytes"))
            .collect();
        if hashes.len() != size.count_ones() as usize {
            return Err(MerkleError::MalformedFrontier);
        }
        Ok(Frontier { size, hashes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_empty_root_is_the_hash_of_nothing() {
        assert_eq!(
            hex(&empty_root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    fn hex(h: &Hash) -> String {
        h.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn split_is_the_largest_power_below() {
        assert_eq!(split(2), 1);
        assert_eq!(split(3), 2);
        assert_eq!(split(4), 2);
        assert_eq!(split(5), 4);
        assert_eq!(split(257), 256);
    }
}
