//! Commands/s through `Ledger::execute` on a durable sled store: decide,
//! encode, group-committed append, fdatasync, acknowledge.
//!
//! `cargo bench -p ledger-app --bench execute`
//!
//! Each iteration pays one order that was placed beforehand (one event,
//! one stream, cache warm), from N concurrent tasks.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use ledger_app::Ledger;
use ledger_domain::Command;

const ORDERS: u64 = 500_000;

fn execute(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = ledger_store_sled::SledStore::open(dir.path()).unwrap();
    let (ledger, _) = tests::ledger(store);
    rt.block_on(async {
        tests::run_all(&ledger, "onboard", tests::onboard("cust1")).await;
        let tasks: Vec<_> = (0..64)
            .map(|t| {
                let ledger = ledger.clone();
                tokio::spawn(async move {
                    for i in (t..ORDERS).step_by(64) {
                        let place =
                            Command::PlaceOrder(tests::place_order("cust1", &format!("O{i}")));
                        ledger
                            .execute(place, tests::meta(&format!("place-{i}"), tests::service()))
                            .await
                            .unwrap();
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
    });
    let next = Arc::new(AtomicU64::new(0));

    let mut group = c.benchmark_group("execute_pay_order");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(1));
    for writers in [1u64, 16, 64] {
        group.bench_with_input(
            BenchmarkId::from_parameter(writers),
            &writers,
            |b, &writers| {
                b.iter_custom(|iters| {
                    let start = Instant::now();
                    rt.block_on(run(&ledger, &next, writers, iters));
                    start.elapsed()
                })
            },
        );
    }
    group.finish();
}

/// Pays `iters` distinct placed orders from `writers` tasks.
async fn run(ledger: &Arc<Ledger>, next: &Arc<AtomicU64>, writers: u64, iters: u64) {
    let base = next.fetch_add(iters, Ordering::SeqCst);
    assert!(
        base + iters <= ORDERS,
        "the bench ran out of placed orders; raise ORDERS"
    );
    let tasks: Vec<_> = (0..writers)
        .map(|t| {
            let ledger = ledger.clone();
            tokio::spawn(async move {
                for i in (base + t..base + iters).step_by(writers as usize) {
                    let pay =
                        Command::PayOrder(tests::pay_order(&format!("O{i}"), &format!("PAY-{i}")));
                    ledger
                        .execute(pay, tests::meta(&format!("pay-{i}"), tests::service()))
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
}

criterion_group!(benches, execute);
criterion_main!(benches);
