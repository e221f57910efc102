//! Full rebuild throughput: events/s replayed from a durable sled log into
//! a fresh generation of each projection.
//!
//! `cargo bench -p ledger-projections --bench rebuild`
//! (`LEDGER_BENCH_EVENTS` sets the log size; default 1,000,000 events:
//! 500,000 orders, each placed then paid.)

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

mod common;

use common::{events_wanted, generated_log, runtime};
use ledger_projections::deadlines::Deadlines;
use ledger_projections::{ContractsProjection, OrdersProjection, Projection, Projector};

fn rebuild(c: &mut Criterion) {
    let rt = runtime();
    let (dir, store) = generated_log(&rt);

    let projections: Vec<(&str, Arc<dyn Projection>)> = vec![
        ("orders", Arc::new(OrdersProjection)),
        ("deadlines", Arc::new(Deadlines)),
        ("contracts", Arc::new(ContractsProjection)),
    ];
    let mut group = c.benchmark_group("rebuild");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(60))
        .throughput(Throughput::Elements(events_wanted() as u64));
    for (name, projection) in projections {
        let projector = rt
            .block_on(Projector::open(
                dir.path().join(format!("views-{name}")),
                store.clone(),
                vec![projection],
            ))
            .unwrap();
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    rt.block_on(projector.rebuild(name, |_| {})).unwrap();
                }
                start.elapsed()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, rebuild);
criterion_main!(benches);
