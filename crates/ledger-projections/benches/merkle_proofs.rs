//! Merkle proofs over a durable sled log: the `merkle` view's build rate
//! and size, proof sizes, and the time to compute an inclusion or a
//! consistency proof (stored subtrees from the view, ≤ 2 runs of ≤ 256
//! records from the log, the hashing) and to verify one.
//!
//! `cargo bench -p ledger-projections --bench merkle_proofs`
//! (`LEDGER_BENCH_EVENTS` sets the log size; default 1,000,000 events.)

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};

mod common;

use common::{generated_log, runtime};
use ledger_merkle::{
    consistency_proof, inclusion_proof, leaf_hash, root, verify_consistency, verify_inclusion,
};
use ledger_projections::merkle::{self, need_record, with_proof_source, MerkleProjection, MERKLE};
use ledger_projections::Projector;
use ledger_store::Position;

/// A deterministic spread of positions (an LCG).
struct Spread(u64);

impl Spread {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) % below
    }
}

fn proofs(c: &mut Criterion) {
    let rt = runtime();
    let (dir, store) = generated_log(&rt);
    let n = store.head().position.0;

    let projector = rt
        .block_on(Projector::open(
            dir.path().join("views"),
            store.clone(),
            vec![Arc::new(MerkleProjection)],
        ))
        .unwrap();
    let started = Instant::now();
    rt.block_on(projector.catch_up()).unwrap();
    let took = started.elapsed();
    let view = projector.view(MERKLE).unwrap();
    let tip = merkle::tip(&view).unwrap();
    assert_eq!(tip.frontier.size(), n);
    let stored = view.len() - 2;
    eprintln!(
        "merkle view: {n} leaves in {took:.1?} ({} events/s); {stored} stored subtrees = {} B of hashes (+ 10 B of key each)",
        u128::from(n) * 1_000_000 / took.as_micros().max(1),
        stored * 32,
    );

    // Proof sizes and what each proof reads, at a few places.
    for m in [0, n / 3, n / 2 + 77, n - 1] {
        let (p, reads, nodes) = rt
            .block_on(with_proof_source(&view, &store, n, |s| {
                let p = inclusion_proof(s, m, n)?;
                need_record(s, Position(m + 1))?;
                Ok((p, s.records_read(), s.nodes_read))
            }))
            .unwrap();
        eprintln!(
            "inclusion of leaf {m} in {n}: {} hashes = {} B; read {nodes} stored subtrees, {} runs / {} records",
            p.path.len(),
            p.path.len() * 32,
            reads.0,
            reads.1
        );
    }
    for m in [1, n / 2 + 77, n - 1000] {
        let (p, reads, nodes) = rt
            .block_on(with_proof_source(&view, &store, n, |s| {
                let p = consistency_proof(s, m, n)?;
                Ok((p, s.records_read(), s.nodes_read))
            }))
            .unwrap();
        eprintln!(
            "consistency {m} -> {n}: {} hashes = {} B; read {nodes} stored subtrees, {} runs / {} records",
            p.path.len(),
            p.path.len() * 32,
            reads.0,
            reads.1
        );
    }

    let head = tip.frontier.root();
    let mut group = c.benchmark_group("merkle");
    group
        .sample_size(50)
        .measurement_time(Duration::from_secs(10));
    let mut spread = Spread(1);
    group.bench_function("inclusion_proof", |b| {
        b.iter(|| {
            let m = spread.next(n);
            rt.block_on(with_proof_source(&view, &store, n, |s| {
                let p = inclusion_proof(s, m, n)?;
                Ok((p, need_record(s, Position(m + 1))?))
            }))
            .unwrap()
        })
    });
    let mut spread = Spread(2);
    group.bench_function("consistency_proof", |b| {
        b.iter(|| {
            let m = 1 + spread.next(n - 1);
            rt.block_on(with_proof_source(&view, &store, n, |s| {
                Ok((consistency_proof(s, m, n)?, root(s, m)?))
            }))
            .unwrap()
        })
    });
    let m = n / 3;
    let (p, record) = rt
        .block_on(with_proof_source(&view, &store, n, |s| {
            Ok((inclusion_proof(s, m, n)?, need_record(s, Position(m + 1))?))
        }))
        .unwrap();
    group.bench_function("verify_inclusion", |b| {
        b.iter(|| verify_inclusion(&leaf_hash(&record), &p, &head).unwrap())
    });
    let m = n / 2 + 77;
    let (cp, h1) = rt
        .block_on(with_proof_source(&view, &store, n, |s| {
            Ok((consistency_proof(s, m, n)?, root(s, m)?))
        }))
        .unwrap();
    group.bench_function("verify_consistency", |b| {
        b.iter(|| verify_consistency(&h1, &head, &cp).unwrap())
    });
    group.finish();
}

criterion_group!(benches, proofs);
criterion_main!(benches);
