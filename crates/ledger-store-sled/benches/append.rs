//! Durable append throughput: one ~200-byte event per command, with 1, 16 and
//! 64 concurrent writers, each on its own streams (NoStream, then Exact).
//!
//! `cargo bench -p ledger-store-sled --bench append`

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ledger_store::conformance::request;
use ledger_store::{EventStore, ExpectedVersion, StreamVersion};
use ledger_store_sled::SledStore;

/// Commands each writer sends per measured iteration.
const COMMANDS_PER_WRITER: usize = 256;
/// Streams each writer rotates over (so versions stay small but real).
const STREAMS_PER_WRITER: usize = 16;

fn append(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut group = c.benchmark_group("durable_append");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    for writers in [1usize, 16, 64] {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = SledStore::open(dir.path()).expect("open");
        let round = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let commands = (writers * COMMANDS_PER_WRITER) as u64;
        group.throughput(Throughput::Elements(commands));
        group.bench_with_input(
            BenchmarkId::from_parameter(writers),
            &writers,
            |b, &writers| {
                b.to_async(&rt).iter_custom(|iters| {
                    let store = store.clone();
                    let round = round.clone();
                    async move {
                        let mut elapsed = Duration::ZERO;
                        for _ in 0..iters {
                            let r = round.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let started = Instant::now();
                            let tasks: Vec<_> = (0..writers)
                                .map(|w| {
                                    let store = store.clone();
                                    tokio::spawn(async move { writer(&store, r, w).await })
                                })
                                .collect();
                            for t in tasks {
                                t.await.expect("join");
                            }
                            elapsed += started.elapsed();
                        }
                        elapsed
                    }
                });
            },
        );
        drop(store);
    }
    group.finish();
}

/// One writer's share of a round: NoStream on first use of a stream, Exact after.
async fn writer(store: &SledStore, round: u64, w: usize) {
    let payload = vec![0x5a_u8; 200];
    for n in 0..COMMANDS_PER_WRITER {
        let s = n % STREAMS_PER_WRITER;
        let stream = format!("bench-w{w}-s{s}");
        // Versions before this command: all earlier rounds plus this round so far.
        let before = round * (COMMANDS_PER_WRITER / STREAMS_PER_WRITER) as u64
            + (n / STREAMS_PER_WRITER) as u64;
        let expected = if before == 0 {
            ExpectedVersion::NoStream
        } else {
            ExpectedVersion::Exact(StreamVersion(before))
        };
        let id = format!("bench-{round}-{w}-{n}");
        let mut req = request(&id, &[(&stream, expected, 1)]);
        req.writes[0].events[0].payload.clone_from(&payload);
        store.append(req).await.expect("append");
    }
}

criterion_group!(benches, append);
criterion_main!(benches);
