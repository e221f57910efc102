//! Commands/s through the real server: gRPC (HTTP/2, bearer token), the
//! command service, a durable sled append (fdatasync) and the reply.
//!
//! `cargo bench -p tests --bench grpc`
//!
//! Each iteration places one new order (one event, two streams read) from
//! N concurrent callers, each on its own HTTP/2 connection.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ledger_auth::Role;
use tests::server::{pb_onboard, pb_place_order, TestServer};

const CUSTOMER: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

fn grpc(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (server, token) = rt.block_on(async {
        let server = TestServer::start().await;
        let key = server.create_key(Role::Service);
        let token = key.token.expose().to_owned();
        pb_onboard(&mut server.commands(&token).await, CUSTOMER).await;
        (server, token)
    });
    let next = AtomicU64::new(0);
    let mut group = c.benchmark_group("grpc_place_order");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Elements(1));
    for callers in [1u64, 16, 64] {
        let clients = rt.block_on(async {
            let mut clients = Vec::new();
            for _ in 0..callers {
                clients.push(server.commands(&token).await);
            }
            clients
        });
        group.bench_with_input(BenchmarkId::from_parameter(callers), &callers, |b, _| {
            b.iter_custom(|iters| {
                let base = next.fetch_add(iters, Ordering::SeqCst);
                let start = Instant::now();
                rt.block_on(async {
                    let tasks: Vec<_> = clients
                        .iter()
                        .cloned()
                        .enumerate()
                        .map(|(t, mut client)| {
                            let n = callers;
                            tokio::spawn(async move {
                                for i in (t as u64..iters).step_by(n as usize) {
                                    let id = base + i;
                                    client
                                        .place_order(pb_place_order(
                                            &format!("bench-{id}"),
                                            CUSTOMER,
                                            &format!("CSB{id}"),
                                        ))
                                        .await
                                        .expect("placed");
                                }
                            })
                        })
                        .collect();
                    for t in tasks {
                        t.await.unwrap();
                    }
                });
                start.elapsed()
            })
        });
    }
    group.finish();
    rt.block_on(server.shutdown());
}

criterion_group!(benches, grpc);
criterion_main!(benches);
