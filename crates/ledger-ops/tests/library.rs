//! The library's own checks: the raw segment reader agrees with the
//! engine, copies are engine-independent, arguments parse strictly.

use std::sync::Arc;

use ledger_app::{Ledger, LedgerConfig, ManualClock};
use ledger_domain::contract::ContractKind;
use ledger_domain::Command;
use ledger_ops::copy::{copy_log, export_jsonl, import_jsonl, Appender};
use ledger_ops::forensic::RawLog;
use ledger_ops::replay::AsOf;
use ledger_ops::{verify_store, DataDir, ExpectedHead};
use ledger_store::{DynStore, Position, RecordedEvent, MAX_READ_BATCH};
use ledger_store_memory::MemoryStore;
use ledger_store_sled::raw::RawSegment;
use ledger_store_sled::{SledStore, SEGMENTS_TREE};
use tests::*;

/// Blocks until no handle of this process holds sled's lock on `dir`
/// (sled lets go once a closed database's background i/o has finished).
fn wait_released(dir: &std::path::Path) {
    use fs2::FileExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(dir.join("db"))
        .unwrap();
    FileExt::lock_exclusive(&file).unwrap();
    FileExt::unlock(&file).unwrap();
}

async fn all(store: &DynStore) -> Vec<RecordedEvent> {
    let mut out: Vec<RecordedEvent> = Vec::new();
    loop {
        let from = Position(out.len() as u64 + 1);
        let batch = store.read_all(from, MAX_READ_BATCH).await.unwrap();
        if batch.is_empty() {
            return out;
        }
        out.extend(batch);
    }
}

/// A short history with a multi-record command and guards.
async fn history(store: DynStore) {
    let clock = Arc::new(ManualClock::new(t0()));
    let ledger = Ledger::new(store, clock, LedgerConfig::default());
    let mut commands = onboard("cust1");
    for o in ["O1", "O2"] {
        commands.push(Command::PlaceOrder(place_order("cust1", o)));
        commands.push(Command::PayOrder(pay_order(o, &format!("P{o}"))));
    }
    commands.push(Command::ApplyContract(apply_contract(
        "cust1",
        "HT1",
        ContractKind::Order,
        &["O1", "O2"],
    )));
    run_all(&ledger, "c", commands).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_raw_reader_reads_what_the_engine_reads() {
    let dir = tempfile::tempdir().unwrap();
    let log = DataDir::new(dir.path()).log();
    let sled = SledStore::open(&log).unwrap();
    let store: DynStore = sled.clone();
    history(store.clone()).await;
    let (records, head) = (all(&store).await, store.head());
    assert_eq!(records.len(), 10);
    drop(store);
    sled.close().await.unwrap();
    drop(sled);
    wait_released(&log);

    {
        // Every segment re-encodes to its stored bytes.
        let db = sled::open(&log).unwrap();
        let tree = db.open_tree(SEGMENTS_TREE).unwrap();
        for kv in tree.iter() {
            let (k, v) = kv.unwrap();
            let first = RawSegment::parse_key(&k).unwrap();
            assert_eq!(RawSegment::parse(first, &v).unwrap().encode(), v.to_vec());
        }
    }
    wait_released(&log);
    let raw: DynStore = RawLog::open(&log).unwrap();
    assert_eq!(raw.head(), head);
    assert_eq!(all(&raw).await, records);
    let report = verify_store(&raw, None, |_, _| {}).await.unwrap();
    assert_eq!(report.head_hash, head.hash);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_come_out_identical_on_another_engine() {
    let source: DynStore = MemoryStore::new();
    history(source.clone()).await;
    let head = source.head();

    let copy: DynStore = MemoryStore::new();
    let copied = copy_log(&source, head, copy.clone(), |_, _| {})
        .await
        .unwrap();
    assert_eq!(copied, head);
    assert_eq!(all(&copy).await, all(&source).await);
    assert!(
        Appender::new(copy.clone()).is_err(),
        "a non-empty target is refused"
    );

    let mut lines = Vec::new();
    let report = export_jsonl(&source, Position(1), None, &mut lines, |_, _| {})
        .await
        .unwrap();
    assert_eq!(report.events, head.position.0);
    let imported: DynStore = MemoryStore::new();
    let got = import_jsonl(&lines[..], imported.clone(), |_| {})
        .await
        .unwrap();
    assert_eq!(got, head);
    for r in all(&source).await {
        let id = &r.metadata.command.command_id;
        assert_eq!(
            source.command(id).await.unwrap(),
            imported.command(id).await.unwrap()
        );
    }
}

#[test]
fn points_and_heads_parse_strictly() {
    assert_eq!("12".parse::<AsOf>(), Ok(AsOf::Position(Position(12))));
    assert!(matches!(
        "2024-11-22T16:00:00+08:00".parse::<AsOf>(),
        Ok(AsOf::Time(t)) if t == t0()
    ));
    assert!("yesterday".parse::<AsOf>().is_err());
    let hash = "ab".repeat(32);
    let e: ExpectedHead = format!("7:{hash}").parse().unwrap();
    assert_eq!(
        (e.position, e.to_string()),
        (Position(7), format!("7:{hash}"))
    );
    for bad in [
        "7".to_owned(),
        format!("0:{hash}"),
        format!("x:{hash}"),
        "7:abc".to_owned(),
    ] {
        assert!(bad.parse::<ExpectedHead>().is_err(), "{bad}");
    }
}

/// Opening to serve catches the projections up first only within its
/// limit: beyond it the node opens at once (the server's follower catches
/// up while `/readyz` says not ready), so a rebuild never holds a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opening_to_serve_waits_for_the_projections_only_within_its_limit() {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::new(dir.path());
    let log = data.log();
    let sled = SledStore::open(&log).unwrap();
    let store: DynStore = sled.clone();
    history(store.clone()).await;
    let head = store.head().position.0;
    assert_eq!(head, 10);
    drop(store);
    sled.close().await.unwrap();
    drop(sled);
    wait_released(&log);
    let clock = || Arc::new(ManualClock::new(t0())) as Arc<dyn ledger_app::Clock>;

    let lags = |node: &ledger_ops::Node| {
        node.projector
            .status()
            .iter()
            .map(|s| s.lag)
            .collect::<Vec<_>>()
    };
    // No projections yet, a limit below the lag: open without waiting.
    let node = data.open_with(clock(), head - 1, |s| s).await.unwrap();
    assert!(
        lags(&node).iter().all(|lag| *lag == head),
        "{:?}",
        lags(&node)
    );
    node.projector.catch_up().await.unwrap();
    assert!(lags(&node).iter().all(|lag| *lag == 0));
    node.sled.close().await.unwrap();
    drop(node);
    wait_released(&log);

    // Within the limit: caught up before the node is handed over.
    std::fs::remove_dir_all(data.projections()).unwrap();
    let node = data.open_with(clock(), head, |s| s).await.unwrap();
    assert!(lags(&node).iter().all(|lag| *lag == 0), "{:?}", lags(&node));
    node.sled.close().await.unwrap();
}
