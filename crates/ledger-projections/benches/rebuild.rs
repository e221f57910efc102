//! Full rebuild throughput: events/s replayed from a durable sled log into
//! a fresh generation of each projection.
//!
//! `cargo bench -p ledger-projections --bench rebuild`
//! (`LEDGER_BENCH_EVENTS` sets the log size; default 1,000,000 events:
//! 500,000 orders, each placed then paid.)

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use ledger_codec::payload::{encode_event, event_id};
use ledger_codec::{CommandId, CommandMetadata, Digest, EventData, StreamId};
use ledger_domain::order::{OrderPaid, OrderPlaced};
use ledger_domain::Event;
use ledger_projections::deadlines::Deadlines;
use ledger_projections::{ContractsProjection, OrdersProjection, Projection, Projector};
use ledger_store::{AppendRequest, DynStore, ExpectedVersion, StreamWrite};

const ORDERS_PER_APPEND: usize = 256;

fn events_wanted() -> usize {
    std::env::var("LEDGER_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

fn data(command: &str, index: u32, event: &Event) -> EventData {
    let (name, version, payload) = encode_event(event).unwrap();
    EventData {
        event_type: name.into(),
        schema_version: version,
        event_id: event_id(command, index),
        payload,
        tenant: ledger_codec::Tenant::Nobody,
    }
}

/// Appends `orders` placed-then-paid orders straight to the store.
async fn generate(store: &DynStore, orders: usize) {
    let t0 = tests::t0();
    let mut n = 0;
    while n < orders {
        let command = format!("gen-{n}");
        let mut writes = Vec::with_capacity(ORDERS_PER_APPEND);
        for i in n..(n + ORDERS_PER_APPEND).min(orders) {
            let id = format!("O{i:08}");
            let mut place = tests::place_order(&format!("cust{}", i % 1000), &id);
            place.spec.instance_ids = vec![format!("vol-{i}").parse().unwrap()];
            let at = t0 + chrono::Duration::seconds(i as i64);
            let placed = Event::OrderPlaced(OrderPlaced {
                spec: place.spec,
                placed_at: at,
                payment_deadline: at + chrono::Duration::days(7),
            });
            let paid = Event::OrderPaid(OrderPaid {
                order_id: id.parse().unwrap(),
                payment: tests::pay_order(&id, &format!("PAY-{i}")).payment,
                paid_at: at + chrono::Duration::minutes(5),
            });
            let k = (2 * (i - n)) as u32;
            writes.push(StreamWrite {
                stream_id: StreamId(format!("order-{id}")),
                expected: ExpectedVersion::NoStream,
                events: vec![data(&command, k, &placed), data(&command, k + 1, &paid)],
            });
        }
        n += writes.len();
        let meta = CommandMetadata {
            command_id: CommandId(command),
            fingerprint: Digest::ZERO,
            recorded_at: t0,
            causation_id: None,
            correlation_id: None,
            actor: "system".into(),
        };
        store
            .append(AppendRequest {
                command: meta,
                writes,
            })
            .await
            .unwrap();
    }
}

fn rebuild(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let events = events_wanted();
    let dir = tempfile::tempdir().unwrap();
    let store: DynStore = ledger_store_sled::SledStore::open(dir.path().join("log")).unwrap();
    let started = Instant::now();
    rt.block_on(generate(&store, events / 2));
    eprintln!(
        "generated {} events in {:.1?}",
        store.head().position,
        started.elapsed()
    );

    let projections: Vec<(&str, Arc<dyn Projection>)> = vec![
        ("orders", Arc::new(OrdersProjection)),
        ("deadlines", Arc::new(Deadlines)),
        ("contracts", Arc::new(ContractsProjection)),
    ];
    let mut group = c.benchmark_group("rebuild");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(60))
        .throughput(Throughput::Elements(events as u64));
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
