//! Order list at scale (issue 11): the first page and a page at offset
//! 10,000 for one customer holding `LEDGER_BENCH_ORDERS` orders (default
//! 1,000,000) vs one holding 1,000, in-process through [`OrdersView`].
//!
//! `cargo bench -p ledger-projections --bench order_list`
//!
//! The orders are appended straight to a sled log (placed over about a
//! year, one every 30 s; every other one paid, one in ten cancelled, every fourth a renewal,
//! every third on a second service type), then the `orders` projection
//! catches up. Prints the projection's bytes on disk per order, then copies
//! the projection's keys and values, as they are, into a fresh sled tree
//! and into a fresh fjall keyspace (the read-model store the issue asks to
//! pick by measurement) and prints, for each, the write rate and the bytes
//! on disk per order, and the logical bytes (keys + values).

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::TimeZone;
use criterion::{criterion_group, criterion_main, Criterion};

use common::data;
use ledger_codec::StreamId;
use ledger_domain::catalog::OrderType;
use ledger_domain::order::{OrderCancelled, OrderPaid, OrderPlaced};
use ledger_domain::Event;
use ledger_projections::orders::{
    OrderListQuery, OrderStatusKind, OrdersView, SortOrder, TimeRange,
};
use ledger_projections::{OrdersProjection, Projector};
use ledger_store::{DynStore, ExpectedVersion, StreamWrite};

const ORDERS_PER_APPEND: usize = 256;
const SMALL_ORDERS: usize = 1_000;
const DEEP_OFFSET: u64 = 10_000;
const PAGE: u32 = 10;
const SECONDS_APART: i64 = 30;

fn orders_wanted() -> usize {
    std::env::var("LEDGER_BENCH_ORDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

/// Appends `orders` orders of `customer` to the store.
async fn generate(store: &DynStore, customer: &str, orders: usize) {
    let t0 = chrono::Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let mut n = 0;
    while n < orders {
        let command = format!("gen-{customer}-{n}");
        let mut writes = Vec::with_capacity(ORDERS_PER_APPEND);
        for i in n..(n + ORDERS_PER_APPEND).min(orders) {
            let id = format!("{customer}-{i:08}");
            let mut place = tests::place_order(customer, &id);
            place.spec.instance_ids = vec![format!("vol-{i}").parse().unwrap()];
            if i % 4 == 1 {
                place.spec.order_type = OrderType::Renewal;
            }
            if i % 3 == 2 {
                place.spec.service_type_code = "hws.service.type.ec2".parse().unwrap();
            }
            let at = t0 + chrono::Duration::seconds(i as i64 * SECONDS_APART);
            let mut events = vec![Event::OrderPlaced(OrderPlaced {
                spec: place.spec,
                placed_at: at,
                payment_deadline: at + chrono::Duration::days(7),
            })];
            if i % 2 == 0 {
                events.push(Event::OrderPaid(OrderPaid {
                    order_id: id.parse().unwrap(),
                    payment: tests::pay_order(&id, &format!("PAY-{id}")).payment,
                    paid_at: at + chrono::Duration::minutes(5),
                }));
            } else if i % 10 == 3 {
                events.push(Event::OrderCancelled(OrderCancelled {
                    order_id: id.parse().unwrap(),
                    cancelled_at: at + chrono::Duration::minutes(5),
                }));
            }
            let k = (2 * (i - n)) as u32;
            writes.push(StreamWrite {
                stream_id: StreamId(format!("order-{id}")),
                expected: ExpectedVersion::NoStream,
                events: events
                    .iter()
                    .enumerate()
                    .map(|(j, e)| data(&command, k + j as u32, e))
                    .collect(),
            });
        }
        n += writes.len();
        common::append(store, command, t0, writes).await;
    }
}

fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_bytes(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

fn per_second(n: u64, took: Duration) -> u128 {
    u128::from(n) * 1_000_000 / took.as_micros().max(1)
}

/// Keys and values written per batch in the engine comparison.
const COPY_BATCH: usize = 10_000;

/// Copies `tree` (key order) into a fresh sled tree and a fresh fjall
/// keyspace in batches of [`COPY_BATCH`], each made durable at the end,
/// and prints the write rate and the bytes on disk per order of each.
fn compare_engines(tree: &sled::Tree, orders: u64) {
    let (mut keys, mut logical) = (0u64, 0u64);
    for kv in tree.iter() {
        let (k, v) = kv.unwrap();
        keys += 1;
        logical += (k.len() + v.len()) as u64;
    }
    eprintln!(
        "orders projection: {keys} keys, logical {logical} bytes = {} B/order ({}.{} keys/order)",
        logical / orders,
        keys / orders,
        keys * 10 / orders % 10
    );

    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let db = sled::open(dir.path().join("sled")).unwrap();
    let copy = db.open_tree("orders").unwrap();
    let mut batch = sled::Batch::default();
    let mut n = 0;
    for kv in tree.iter() {
        let (k, v) = kv.unwrap();
        batch.insert(k, v);
        n += 1;
        if n % COPY_BATCH == 0 {
            copy.apply_batch(std::mem::take(&mut batch)).unwrap();
        }
    }
    copy.apply_batch(batch).unwrap();
    db.flush().unwrap();
    let took = started.elapsed();
    drop(copy);
    drop(db);
    let bytes = dir_bytes(&dir.path().join("sled"));
    eprintln!(
        "sled 0.34 copy: {} keys/s ({took:.1?}); on disk {bytes} bytes = {} B/order",
        per_second(keys, took),
        bytes / orders
    );

    let started = Instant::now();
    let db = fjall::Database::builder(dir.path().join("fjall"))
        .worker_threads(1)
        .open()
        .unwrap();
    let copy = db
        .keyspace("orders", fjall::KeyspaceCreateOptions::default)
        .unwrap();
    let mut batch = db.batch();
    let mut n = 0;
    for kv in tree.iter() {
        let (k, v) = kv.unwrap();
        batch.insert(&copy, k.to_vec(), v.to_vec());
        n += 1;
        if n % COPY_BATCH == 0 {
            std::mem::replace(&mut batch, db.batch()).commit().unwrap();
        }
    }
    batch.commit().unwrap();
    db.persist(fjall::PersistMode::SyncData).unwrap();
    let took = started.elapsed();
    copy.rotate_memtable_and_wait().unwrap();
    copy.major_compact().unwrap();
    let bytes = copy.disk_space();
    eprintln!(
        "fjall 3 copy: {} keys/s ({took:.1?}); on disk {bytes} bytes = {} B/order (after a flush and a major compaction)",
        per_second(keys, took),
        bytes / orders
    );
    // Reads of the copy: a row by id and a first page of index keys.
    let sample: Vec<sled::IVec> = tree
        .iter()
        .keys()
        .step_by(997)
        .take(1_000)
        .map(Result::unwrap)
        .collect();
    let started = Instant::now();
    for k in &sample {
        assert!(copy.get(k.as_ref()).unwrap().is_some());
    }
    let fjall_get = started.elapsed() / sample.len() as u32;
    let started = Instant::now();
    for k in &sample {
        assert!(tree.get(k).unwrap().is_some());
    }
    let sled_get = started.elapsed() / sample.len() as u32;
    eprintln!("point read of a sampled key: sled {sled_get:.1?}, fjall {fjall_get:.1?} (1,000 keys, warm)");
}

fn huawei_query(customer: &str) -> OrderListQuery {
    let now = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let mut q = OrderListQuery::new(customer.parse().unwrap(), now);
    // The Huawei list without a window: all time.
    q.order_time = Some(TimeRange::new(
        chrono::Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).unwrap(),
        chrono::Utc
            .with_ymd_and_hms(9999, 12, 31, 23, 59, 59)
            .unwrap(),
    ));
    q.sort = SortOrder::NewestFirst;
    q.limit = Some(PAGE);
    q
}

fn order_list(c: &mut Criterion) {
    let rt = common::runtime();
    let big = orders_wanted();
    let dir = tempfile::tempdir().unwrap();
    let store: DynStore = ledger_store_sled::SledStore::open(dir.path().join("log")).unwrap();
    let started = Instant::now();
    rt.block_on(generate(&store, "small", SMALL_ORDERS));
    rt.block_on(generate(&store, "big", big));
    eprintln!(
        "generated {} events in {:.1?}",
        store.head().position,
        started.elapsed()
    );
    let views = dir.path().join("views");
    let started = Instant::now();
    let projector = rt
        .block_on(Projector::open(
            &views,
            store.clone(),
            vec![Arc::new(OrdersProjection)],
        ))
        .unwrap();
    rt.block_on(projector.catch_up()).unwrap();
    rt.block_on(projector.flush()).unwrap();
    let orders = (big + SMALL_ORDERS) as u64;
    eprintln!(
        "projected in {:.1?}; orders projection on disk: {} bytes = {} B/order",
        started.elapsed(),
        dir_bytes(&views),
        dir_bytes(&views) / orders
    );
    compare_engines(&projector.view("orders").unwrap(), orders);
    let view = OrdersView::open(&projector).unwrap();

    let mut group = c.benchmark_group("order_list");
    group
        .sample_size(100)
        .measurement_time(Duration::from_secs(5));
    for (customer, n) in [("small", SMALL_ORDERS), ("big", big)] {
        let first = huawei_query(customer);
        let mut deep = first.clone();
        deep.offset = DEEP_OFFSET;
        let mut paid = first.clone();
        paid.status = Some(OrderStatusKind::Paid);
        let mut status_4 = first.clone();
        status_4.status_in = vec![OrderStatusKind::Cancelled, OrderStatusKind::Voided];
        let mut week = first.clone();
        week.order_time = None; // the default window: the last 7 days
        week.now = chrono::Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap()
            + chrono::Duration::seconds(n as i64 * SECONDS_APART);
        let cases = [
            ("first_page", first),
            ("offset_10000", deep),
            ("paid_first_page", paid),
            ("status_4_first_page", status_4),
            ("last_7_days_first_page", week),
        ];
        for (name, q) in cases {
            let page = view.list(&q).unwrap();
            eprintln!(
                "{customer} ({n} orders) {name}: {} rows of total {}",
                page.rows.len(),
                page.total
            );
            group.bench_function(format!("{customer}_{n}/{name}"), |b| {
                b.iter(|| view.list(&q).unwrap())
            });
        }
    }
    group.finish();
}

criterion_group!(benches, order_list);
criterion_main!(benches);
