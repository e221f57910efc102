//! A log for the benches: placed-then-paid orders appended straight to
//! the store (`LEDGER_BENCH_EVENTS`, default 1,000,000 events).

#![allow(dead_code)]

use ledger_codec::payload::{encode_event, event_id};
use ledger_codec::{CommandId, CommandMetadata, Digest, EventData, StreamId};
use ledger_domain::order::{OrderPaid, OrderPlaced};
use ledger_domain::Event;
use ledger_store::{AppendRequest, DynStore, ExpectedVersion, StreamWrite};

const ORDERS_PER_APPEND: usize = 256;

/// The benches' runtime: two workers, as the machine has two cores.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A durable sled log in a fresh temporary directory holding
/// [`events_wanted`] events of [`generate`]'s orders; prints how long it
/// took. The directory lives as long as the returned guard.
pub fn generated_log(rt: &tokio::runtime::Runtime) -> (tempfile::TempDir, DynStore) {
    let dir = tempfile::tempdir().unwrap();
    let store: DynStore = ledger_store_sled::SledStore::open(dir.path().join("log")).unwrap();
    let started = std::time::Instant::now();
    rt.block_on(generate(&store, events_wanted() / 2));
    eprintln!(
        "generated {} events in {:.1?}",
        store.head().position,
        started.elapsed()
    );
    (dir, store)
}

pub fn events_wanted() -> usize {
    std::env::var("LEDGER_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

/// One event of `command` (its `index`-th), encoded as stored.
pub fn data(command: &str, index: u32, event: &Event) -> EventData {
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
pub async fn generate(store: &DynStore, orders: usize) {
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
        append(store, command, t0, writes).await;
    }
}

/// Appends `writes` as one command of the system, recorded at `at`.
pub async fn append(
    store: &DynStore,
    command: String,
    at: chrono::DateTime<chrono::Utc>,
    writes: Vec<StreamWrite>,
) {
    let meta = CommandMetadata {
        command_id: CommandId(command),
        fingerprint: Digest::ZERO,
        recorded_at: at,
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
