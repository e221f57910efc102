//! Proofs against a brute-force recursive MTH (RFC 9162 §2.1.1), over
//! random leaf counts and sizes around powers of two.

use ledger_merkle::memory::{Layered, MemoryTree};
use ledger_merkle::{
    consistency_proof, empty_root, inclusion_proof, leaf_hash, node_hash, root, verify_consistency,
    verify_inclusion, Frontier, Hash, TreeHead, CHUNK,
};
use proptest::prelude::*;

/// MTH(D[n]) straight from the RFC's definition.
fn mth(data: &[Hash]) -> Hash {
    match data.len() {
        0 => empty_root(),
        1 => leaf_hash(&data[0]),
        n => {
            let mut k = 1;
            while k * 2 < n {
                k *= 2;
            }
            node_hash(&mth(&data[..k]), &mth(&data[k..]))
        }
    }
}

fn data(n: u64, seed: u8) -> Vec<Hash> {
    (0..n)
        .map(|i| {
            let mut h = [seed; 32];
            h[..8].copy_from_slice(&i.to_be_bytes());
            h
        })
        .collect()
}

fn tree(data: &[Hash]) -> MemoryTree {
    MemoryTree {
        leaves: data.iter().map(|d| leaf_hash(d)).collect(),
    }
}

fn head(data: &[Hash], size: u64) -> TreeHead {
    TreeHead {
        size,
        root: mth(&data[..size as usize]),
    }
}

fn sizes() -> impl Strategy<Value = u64> {
    prop_oneof![
        0u64..300,
        prop::sample::select(vec![
            1u64, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256,
            257, 511, 512, 513, 1023, 1024, 1025,
        ]),
    ]
}

fn flip(h: &mut Hash, byte: usize) {
    h[byte % 32] ^= 1 << (byte % 8);
}

#[test]
fn roots_match_the_definition_for_every_small_size() {
    let d = data(300, 7);
    let mut t = tree(&d);
    let mut f = Frontier::new();
    for n in 0..=300u64 {
        assert_eq!(root(&mut t, n).unwrap(), head(&d, n), "size {n}");
        assert_eq!(f.root(), head(&d, n), "frontier at {n}");
        let back = Frontier::from_bytes(&f.to_bytes()).unwrap();
        assert_eq!(back, f);
        if n < 300 {
            f.push(leaf_hash(&d[n as usize]), |_, _, _| {});
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_inclusion_proof_verifies_and_tampering_fails(
        n in sizes().prop_filter("non-empty", |n| *n > 0),
        pick in any::<u64>(),
        byte in 0usize..256,
    ) {
        let d = data(n, 3);
        let mut t = tree(&d);
        let h = head(&d, n);
        let m = pick % n;
        let p = inclusion_proof(&mut t, m, n).unwrap();
        let leaf = leaf_hash(&d[m as usize]);
        prop_assert_eq!(verify_inclusion(&leaf, &p, &h), Ok(()));

        // Every leaf of the tree (small trees: all of them).
        if n <= 40 {
            for i in 0..n {
                let p = inclusion_proof(&mut t, i, n).unwrap();
                prop_assert!(verify_inclusion(&leaf_hash(&d[i as usize]), &p, &h).is_ok());
            }
        }

        // A flipped byte in the path, the leaf, or the root.
        if !p.path.is_empty() {
            let mut bad = p.clone();
            let at = byte % bad.path.len();
            flip(&mut bad.path[at], byte);
            prop_assert!(verify_inclusion(&leaf, &bad, &h).is_err());
        }
        let mut bad_leaf = leaf;
        flip(&mut bad_leaf, byte);
        prop_assert!(verify_inclusion(&bad_leaf, &p, &h).is_err());
        let mut bad_root = h;
        flip(&mut bad_root.root, byte);
        prop_assert!(verify_inclusion(&leaf, &p, &bad_root).is_err());

        // A wrong index.
        if n > 1 {
            let mut bad = p.clone();
            bad.leaf_index = (m + 1 + pick % (n - 1)) % n;
            prop_assert_ne!(bad.leaf_index, m);
            prop_assert!(verify_inclusion(&leaf, &bad, &h).is_err());
        }
        let mut bad = p.clone();
        bad.leaf_index = n;
        prop_assert!(verify_inclusion(&leaf, &bad, &h).is_err());

        // A wrong size: with that size's true head, and with the head of
        // the proof's own size.
        for other in [n + 1, n - 1, n * 2] {
            if other == n || m >= other {
                continue;
            }
            let mut bad = p.clone();
            bad.tree_size = other;
            let hh = head(&data(other, 3), other);
            prop_assert!(verify_inclusion(&leaf, &bad, &hh).is_err(), "size {} for {}", other, n);
            prop_assert!(verify_inclusion(&leaf, &bad, &h).is_err());
        }

        // An extra or a missing hash.
        let mut longer = p.clone();
        longer.path.push([9; 32]);
        prop_assert!(verify_inclusion(&leaf, &longer, &h).is_err());
        if !p.path.is_empty() {
            let mut shorter = p.clone();
            shorter.path.pop();
            prop_assert!(verify_inclusion(&leaf, &shorter, &h).is_err());
        }
    }

    #[test]
    fn every_consistency_proof_verifies_and_tampering_fails(
        n2 in sizes(),
        pick in any::<u64>(),
        byte in 0usize..256,
    ) {
        let d = data(n2, 5);
        let mut t = tree(&d);
        let n1 = pick % (n2 + 1);
        let h1 = head(&d, n1);
        let h2 = head(&d, n2);
        let p = consistency_proof(&mut t, n1, n2).unwrap();
        prop_assert_eq!(verify_consistency(&h1, &h2, &p), Ok(()));

        if n2 <= 40 {
            for m in 0..=n2 {
                let p = consistency_proof(&mut t, m, n2).unwrap();
                prop_assert!(verify_consistency(&head(&d, m), &h2, &p).is_ok(), "{} -> {}", m, n2);
            }
        }

        if !p.path.is_empty() {
            let mut bad = p.clone();
            let at = byte % bad.path.len();
            flip(&mut bad.path[at], byte);
            prop_assert!(verify_consistency(&h1, &h2, &bad).is_err());
        }
        if n1 > 0 {
            let mut bad1 = h1;
            flip(&mut bad1.root, byte);
            prop_assert!(verify_consistency(&bad1, &h2, &p).is_err());
        }
        // (The empty tree is extended by every tree: no second root fails.)
        if n1 > 0 {
            let mut bad2 = h2;
            flip(&mut bad2.root, byte);
            prop_assert!(verify_consistency(&h1, &bad2, &p).is_err());
        }
        // A wrong first size (its own true head, the same path).
        if n1 > 0 && n1 < n2 {
            let other = if n1 + 1 < n2 { n1 + 1 } else { n1 - 1 };
            if other > 0 {
                let mut bad = p.clone();
                bad.size1 = other;
                prop_assert!(verify_consistency(&head(&d, other), &h2, &bad).is_err(), "{} as {} -> {}", n1, other, n2);
            }
        }
        // A second tree that does not extend the first.
        if n1 > 0 && n1 < n2 {
            let mut forked = d.clone();
            forked[(pick % n1) as usize][31] ^= 1;
            let hf = head(&forked, n2);
            prop_assert!(verify_consistency(&h1, &hf, &p).is_err());
        }
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The stored layout (levels ≥ 8 and leaves) answers the same proofs,
    /// and none reads more than two chunks of leaves.
    #[test]
    fn the_layered_layout_answers_the_same_and_reads_at_most_two_chunks(
        n in prop_oneof![0u64..3000, Just(4096u64), Just(4097u64), Just(16_384u64), Just(16_385u64)],
        a in any::<u64>(),
        b in any::<u64>(),
    ) {
        let d = data(n, 1);
        let mut layered = Layered::new();
        for x in &d {
            layered.push(leaf_hash(x));
        }
        let size = if n == 0 { 0 } else { 1 + a % n };
        layered.reset_reads();
        let h = root(&mut layered, size).unwrap();
        prop_assert!(layered.chunks_read.len() <= 1);
        prop_assert_eq!(h, head(&d, size));
        if size > 0 {
            let m = b % size;
            layered.reset_reads();
            let p = inclusion_proof(&mut layered, m, size).unwrap();
            prop_assert!(layered.chunks_read.len() <= 2, "{:?}", layered.chunks_read);
            prop_assert!(verify_inclusion(&leaf_hash(&d[m as usize]), &p, &h).is_ok());
        }
        let m = if size == 0 { 0 } else { b % (size + 1) };
        layered.reset_reads();
        let p = consistency_proof(&mut layered, m, size).unwrap();
        prop_assert!(layered.chunks_read.len() <= 2, "{:?}", layered.chunks_read);
        prop_assert!(verify_consistency(&head(&d, m), &h, &p).is_ok());
        // Stored: one node per complete aligned subtree of ≥ 256 leaves.
        let expected: u64 = (8..64).map(|l| n >> l).sum();
        prop_assert_eq!(layered.stored.len() as u64, expected);
        prop_assert!(expected <= 2 * n / CHUNK);
    }
}
