//! The `merkle` view over a real sled log: catch up, prove, verify against
//! a tree built from every record, restart, prove again; no proof reads
//! more than two runs of ≤ 256 records.

use std::sync::Arc;

use ledger_codec::Position;
use ledger_domain::Command;
use ledger_merkle::memory::MemoryTree;
use ledger_merkle::{
    consistency_proof, inclusion_proof, leaf_hash, root, verify_consistency, verify_inclusion,
    TreeHead,
};
use ledger_projections::merkle::{self, with_proof_source, MerkleProjection, MERKLE};
use ledger_projections::Projector;
use ledger_store::{DynStore, MAX_READ_BATCH};
use ledger_store_sled::SledStore;
use tests::*;

async fn all_hashes(store: &DynStore) -> Vec<[u8; 32]> {
    let mut out = Vec::new();
    loop {
        let batch = store
            .read_all(Position(out.len() as u64 + 1), MAX_READ_BATCH)
            .await
            .unwrap();
        if batch.is_empty() {
            return out;
        }
        out.extend(batch.iter().map(|r| r.hash.0));
    }
}

async fn open(dir: &std::path::Path) -> (DynStore, Arc<Projector>) {
    let store: DynStore = SledStore::open(dir.join("log")).unwrap();
    let projector = Projector::open(
        dir.join("projections"),
        store.clone(),
        vec![Arc::new(MerkleProjection)],
    )
    .await
    .unwrap();
    projector.catch_up().await.unwrap();
    (store, projector)
}

async fn check(store: &DynStore, projector: &Projector, reference: &mut MemoryTree) {
    let n = reference.leaves.len() as u64;
    let view = projector.view(MERKLE).unwrap();
    let tip = merkle::tip(&view).unwrap();
    assert_eq!(tip.frontier.root(), root(reference, n).unwrap());
    assert_eq!(tip.last_hash, store.head().hash.0);
    let sizes = [1, 2, 255, 256, 257, 300, 511, 512, 513, n - 1, n];
    for &size in &sizes {
        let expected = root(reference, size).unwrap();
        let (head, reads) = with_proof_source(&view, store, size, |s| {
            Ok((root(s, size)?, s.records_read()))
        })
        .await
        .unwrap();
        assert_eq!(head, expected, "head at {size}");
        assert!(
            reads.0 <= 1 && reads.1 < 256,
            "head at {size} read {reads:?}"
        );
        for m in [0, size / 2, size - 1] {
            let (proof, reads) = with_proof_source(&view, store, size, |s| {
                Ok((inclusion_proof(s, m, size)?, s.records_read()))
            })
            .await
            .unwrap();
            assert!(reads.0 <= 2 && reads.1 <= 512, "{reads:?}");
            assert_eq!(proof, inclusion_proof(reference, m, size).unwrap());
            let leaf = leaf_hash(&reference_data(store, m).await);
            assert_eq!(leaf, reference.leaves[m as usize]);
            verify_inclusion(&leaf, &proof, &expected).unwrap();
        }
        for &first in &sizes {
            if first > size {
                continue;
            }
            let (proof, reads) = with_proof_source(&view, store, size, |s| {
                Ok((consistency_proof(s, first, size)?, s.records_read()))
            })
            .await
            .unwrap();
            assert!(reads.0 <= 2, "{first} -> {size}: {reads:?}");
            let h1: TreeHead = root(reference, first).unwrap();
            verify_consistency(&h1, &expected, &proof).unwrap();
        }
    }
    // Beyond the checkpoint: refused, not guessed.
    assert!(with_proof_source(&view, store, n + 1, |s| root(s, n + 1))
        .await
        .is_err());
}

async fn reference_data(store: &DynStore, index: u64) -> [u8; 32] {
    store.read_all(Position(index + 1), 1).await.unwrap()[0]
        .hash
        .0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proofs_over_a_sled_log_verify_before_and_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut reference = MemoryTree::default();
    {
        let (store, projector) = open(dir.path()).await;
        let (ledger, _) = ledger(store.clone());
        run_all(&ledger, "onboard", onboard("cust1")).await;
        for i in 0..420 {
            let o = format!("O{i}");
            ledger
                .execute(
                    Command::PlaceOrder(place_order("cust1", &o)),
                    meta(&format!("place-{i}"), service()),
                )
                .await
                .unwrap();
            if i % 3 == 0 {
                ledger
                    .execute(
                        Command::PayOrder(pay_order(&o, &format!("PAY-{i}"))),
                        meta(&format!("pay-{i}"), service()),
                    )
                    .await
                    .unwrap();
            }
        }
        projector.catch_up().await.unwrap();
        reference.leaves = all_hashes(&store)
            .await
            .iter()
            .map(|h| leaf_hash(h))
            .collect();
        assert!(reference.leaves.len() > 520, "{}", reference.leaves.len());
        check(&store, &projector, &mut reference).await;
        // Stored: one subtree per complete aligned run of ≥ 256 leaves.
        let view = projector.view(MERKLE).unwrap();
        let n = reference.leaves.len() as u64;
        let expected: u64 = (8..64).map(|l| n >> l).sum();
        assert_eq!(
            view.len() as u64,
            expected + 2,
            "nodes, frontier, checkpoint"
        );
    }
    let (store, projector) = open(dir.path()).await;
    check(&store, &projector, &mut reference).await;
    // A rebuild gives the same view.
    let before = projector.content_digest(MERKLE).unwrap();
    projector.rebuild(MERKLE, |_| {}).await.unwrap();
    assert_eq!(projector.content_digest(MERKLE).unwrap(), before);
}
