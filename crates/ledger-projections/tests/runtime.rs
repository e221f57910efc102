//! The projection runtime: crash safety, blue-green rebuilds under load,
//! version changes, read-your-writes and lag.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;

use ledger_codec::{Position, RecordedEvent};
use ledger_domain::contract::ContractKind;
use ledger_domain::{Command, Event};
use ledger_projections::deadlines::Deadlines;
use ledger_projections::{Projection, ProjectionError, Projector, Tx};
use ledger_store::DynStore;
use tests::*;

/// Every (key, value) of a projection's active tree.
fn dump(projector: &Projector, name: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    projector
        .view(name)
        .unwrap()
        .iter()
        .map(|kv| {
            let (k, v) = kv.unwrap();
            (k.to_vec(), v.to_vec())
        })
        .collect()
}

/// A log of `orders` orders, some paid, some in contracts.
async fn history(orders: usize) -> DynStore {
    let store: DynStore = ledger_store_memory::MemoryStore::new();
    let (ledger, _) = ledger(store.clone());
    run_all(&ledger, "onboard", onboard("cust1")).await;
    for i in 0..orders {
        let o = format!("O{i}");
        ledger
            .execute(
                Command::PlaceOrder(place_order("cust1", &o)),
                meta(&format!("place-{i}"), service()),
            )
            .await
            .unwrap();
        if i % 3 == 0 {
            let pay = Command::PayOrder(pay_order(&o, &format!("PAY-{i}")));
            ledger
                .execute(pay, meta(&format!("pay-{i}"), service()))
                .await
                .unwrap();
        }
        if i % 5 == 4 {
            let kind = if i % 3 == 0 {
                ContractKind::Order
            } else {
                ContractKind::PaymentRequest
            };
            let apply = apply_contract("cust1", &format!("HT{i}"), kind, &[&o]);
            ledger
                .execute(
                    Command::ApplyContract(apply),
                    meta(&format!("apply-{i}"), service()),
                )
                .await
                .unwrap();
        }
    }
    store
}

/// The deadlines projection, failing (as a crash would interrupt it) at one position.
struct CrashingAt {
    at: Position,
    crashed: AtomicBool,
}

impl Projection for CrashingAt {
    fn name(&self) -> &'static str {
        "deadlines"
    }
    fn version(&self) -> u32 {
        Deadlines.version()
    }
    fn apply(
        &self,
        tx: &mut Tx<'_>,
        record: &RecordedEvent,
        event: &Event,
    ) -> Result<(), ProjectionError> {
        if record.position == self.at {
            self.crashed.store(true, Ordering::SeqCst);
            return Err(ProjectionError::Corrupt("simulated crash".into()));
        }
        Deadlines.apply(tx, record, event)
    }
}

async fn fresh(store: &DynStore) -> (tempfile::TempDir, Arc<Projector>) {
    let dir = tempfile::tempdir().unwrap();
    let p = Projector::open(dir.path(), store.clone(), vec![Arc::new(Deadlines)])
        .await
        .unwrap();
    p.catch_up().await.unwrap();
    (dir, p)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// Stop abruptly at a random event, restart: the view equals a fresh build.
    #[test]
    fn a_crash_at_any_event_then_restart_equals_a_fresh_build(crash_at in 1u64..80) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let store = history(40).await;
            let head = store.head().position;
            let crash_at = Position(crash_at.min(head.0));
            let dir = tempfile::tempdir().unwrap();
            {
                let crashing = Arc::new(CrashingAt { at: crash_at, crashed: AtomicBool::new(false) });
                let p = Projector::open(dir.path(), store.clone(), vec![crashing.clone()]).await.unwrap();
                assert!(p.catch_up().await.is_err());
                assert!(crashing.crashed.load(Ordering::SeqCst));
                let status = &p.status()[0];
                assert!(status.checkpoint < crash_at, "nothing at or after the crash is checkpointed");
            }
            let restarted = Projector::open(dir.path(), store.clone(), vec![Arc::new(Deadlines)]).await.unwrap();
            restarted.catch_up().await.unwrap();
            let (_fresh_dir, fresh) = fresh(&store).await;
            assert_eq!(dump(&restarted, "deadlines"), dump(&fresh, "deadlines"));
            assert_eq!(restarted.status()[0].checkpoint, head);
        });
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebuild_while_commands_arrive_never_shows_a_partial_view() {
    let store = history(1500).await; // several apply batches
    let dir = tempfile::tempdir().unwrap();
    let projector = Projector::open(dir.path(), store.clone(), vec![Arc::new(Deadlines)])
        .await
        .unwrap();
    projector.catch_up().await.unwrap();
    let follower = tokio::spawn(projector.clone().follow());
    let (ledger, _) = ledger(store.clone());

    // Entries are only ever added by the commands below, so a query that saw
    // fewer than before the rebuild would have seen a partial view.
    let floor = dump(&projector, "deadlines").len();
    let mut queries = 0;
    let mut arriving = Vec::new();
    let status = projector
        .rebuild("deadlines", |progress| {
            // A query between every batch of the rebuild...
            let served = projector.view("deadlines").unwrap().len();
            assert!(
                served >= floor,
                "a query saw {served} entries, fewer than the {floor} before the rebuild"
            );
            assert!(progress.done <= progress.total);
            queries += 1;
            // ...and a command arriving while it runs.
            let (ledger, i) = (ledger.clone(), arriving.len());
            arriving.push(tokio::spawn(async move {
                let o = format!("N{i}");
                ledger
                    .execute(
                        Command::PlaceOrder(place_order("cust1", &o)),
                        meta(&format!("new-{i}"), service()),
                    )
                    .await
            }));
        })
        .await
        .unwrap();
    assert!(queries >= 3, "the rebuild took {queries} batches");
    assert_eq!(status.generation, 2);
    for a in arriving {
        a.await.unwrap().unwrap();
    }
    let head = store.head().position;
    projector
        .wait_for(&["deadlines"], head, Duration::from_secs(5))
        .await
        .unwrap();
    let (_d, fresh) = fresh(&store).await;
    assert_eq!(dump(&projector, "deadlines"), dump(&fresh, "deadlines"));
    assert!(
        dump(&projector, "deadlines").len() > floor,
        "the arriving commands are in the rebuilt view"
    );
    follower.abort();
}

/// The deadlines projection under the next version number.
struct DeadlinesV2;

impl Projection for DeadlinesV2 {
    fn name(&self) -> &'static str {
        "deadlines"
    }
    fn version(&self) -> u32 {
        Deadlines.version() + 1
    }
    fn apply(
        &self,
        tx: &mut Tx<'_>,
        record: &RecordedEvent,
        event: &Event,
    ) -> Result<(), ProjectionError> {
        Deadlines.apply(tx, record, event)
    }
}

#[tokio::test]
async fn a_changed_version_rebuilds_on_open() {
    let store = history(20).await;
    let dir = tempfile::tempdir().unwrap();
    let before = {
        let p = Projector::open(dir.path(), store.clone(), vec![Arc::new(Deadlines)])
            .await
            .unwrap();
        p.catch_up().await.unwrap();
        assert_eq!(
            (p.status()[0].version, p.status()[0].generation),
            (Deadlines.version(), 1)
        );
        dump(&p, "deadlines")
    };
    let p = Projector::open(dir.path(), store.clone(), vec![Arc::new(DeadlinesV2)])
        .await
        .unwrap();
    let status = &p.status()[0];
    assert_eq!(
        (status.version, status.generation, status.checkpoint),
        (Deadlines.version() + 1, 2, store.head().position)
    );
    assert_eq!(dump(&p, "deadlines"), before);
    // And the same version again does not rebuild.
    drop(p);
    let p = Projector::open(dir.path(), store.clone(), vec![Arc::new(DeadlinesV2)])
        .await
        .unwrap();
    assert_eq!(p.status()[0].generation, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_can_wait_to_read_its_own_write() {
    let store = history(2).await;
    let dir = tempfile::tempdir().unwrap();
    let projector = Projector::open(dir.path(), store.clone(), vec![Arc::new(Deadlines)])
        .await
        .unwrap();
    let follower = tokio::spawn(projector.clone().follow());
    let (ledger, _) = ledger(store.clone());
    let out = ledger
        .execute(
            Command::PlaceOrder(place_order("cust1", "RYW")),
            meta("ryw", service()),
        )
        .await
        .unwrap();
    projector
        .wait_for(&["deadlines"], out.position, Duration::from_secs(5))
        .await
        .unwrap();
    assert!(projector.status()[0].checkpoint >= out.position);

    let beyond = out.position.next();
    let err = projector
        .wait_for(&["deadlines"], beyond, Duration::from_millis(20))
        .await
        .unwrap_err();
    assert!(matches!(err, ProjectionError::NotCaughtUp { wanted, .. } if wanted == beyond));
    assert!(matches!(
        projector
            .wait_for(&["nope"], out.position, Duration::from_millis(1))
            .await,
        Err(ProjectionError::UnknownProjection(_))
    ));
    follower.abort();
}

#[tokio::test]
async fn lag_is_head_minus_checkpoint() {
    let store = history(5).await;
    let dir = tempfile::tempdir().unwrap();
    let projector = Projector::open(dir.path(), store.clone(), vec![Arc::new(Deadlines)])
        .await
        .unwrap();
    let head = store.head().position.0;
    assert_eq!(projector.status()[0].lag, head);
    projector.catch_up().await.unwrap();
    assert_eq!(projector.status()[0].lag, 0);
    assert_eq!(projector.status()[0].checkpoint.0, head);
}
