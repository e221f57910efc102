//! The sample covers every order type, order status and contract status,
//! through the real command service and timer.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use ledger_app::{Clock, Ledger, LedgerConfig, ManualClock};
use ledger_demo::{load, DemoError};
use ledger_domain::contract::{Contract, ContractStatus};
use ledger_domain::order::{CancelReason, Order, OrderStatus};
use ledger_domain::{Aggregate, AggregateId};
use ledger_projections::contracts::ContractsProjection;
use ledger_projections::deadlines::Deadlines;
use ledger_projections::{OrdersProjection, Projector};
use ledger_store::DynStore;
use ledger_store_memory::MemoryStore;

async fn loaded() -> (
    Arc<Ledger>,
    Arc<Projector>,
    Arc<ManualClock>,
    tempfile::TempDir,
) {
    let store: DynStore = MemoryStore::new();
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 9, 30, 0).unwrap();
    let clock = Arc::new(ManualClock::new(now));
    let ledger = Arc::new(Ledger::new(
        store.clone(),
        clock.clone(),
        LedgerConfig::default(),
    ));
    let dir = tempfile::tempdir().unwrap();
    let projector = Projector::open(
        dir.path(),
        store,
        vec![
            Arc::new(OrdersProjection),
            Arc::new(ContractsProjection),
            Arc::new(Deadlines),
        ],
    )
    .await
    .unwrap();
    let report = load(ledger.clone(), projector.clone(), clock.clone(), now)
        .await
        .expect("the sample loads");
    assert_eq!(report.customers, 3);
    assert_eq!(report.orders, 11);
    assert_eq!(report.contracts, 4);
    assert_eq!(clock.now(), now, "the story ends now");
    (ledger, projector, clock, dir)
}

#[tokio::test]
async fn the_sample_has_every_order_type_and_status() {
    let (ledger, _projector, _clock, _dir) = loaded().await;
    let mut types = BTreeSet::new();
    let mut statuses = BTreeSet::new();
    for n in 1..=11 {
        let id = format!("CS24DEMO{n:04}").parse().unwrap();
        let (_, aggregate) = ledger.aggregate(&AggregateId::Order(id)).await.unwrap();
        let Aggregate::Order(Order::Placed(order)) = aggregate else {
            panic!("order {n} missing");
        };
        types.insert(format!("{:?}", order.spec().order_type));
        statuses.insert(match order.status() {
            OrderStatus::Cancelled {
                reason: CancelReason::Expired,
                ..
            } => "expired".to_owned(),
            other => other.name().to_owned(),
        });
    }
    assert_eq!(types.len(), 6, "{types:?}");
    assert_eq!(
        statuses,
        ["cancelled", "expired", "paid", "unpaid", "voided"]
            .into_iter()
            .map(str::to_owned)
            .collect()
    );
}

#[tokio::test]
async fn the_sample_has_every_contract_status() {
    let (ledger, _projector, _clock, _dir) = loaded().await;
    let mut statuses = BTreeSet::new();
    for n in 1..=4 {
        let no = format!("HT-DEMO-{n:04}").parse().unwrap();
        let (_, aggregate) = ledger.aggregate(&AggregateId::Contract(no)).await.unwrap();
        let Aggregate::Contract(Contract::Applied(c)) = aggregate else {
            panic!("contract {n} missing");
        };
        statuses.insert(match c.status() {
            ContractStatus::Draft => "Draft",
            ContractStatus::Official { .. } => "Official",
            ContractStatus::Voided { .. } => "Voided",
            ContractStatus::Invalid { .. } => "Invalid",
        });
    }
    assert_eq!(
        statuses,
        ["Draft", "Invalid", "Official", "Voided"]
            .into_iter()
            .collect()
    );
}

#[tokio::test]
async fn the_sample_goes_only_into_an_empty_log() {
    let (ledger, projector, clock, _dir) = loaded().await;
    let now = clock.now();
    assert!(matches!(
        load(ledger, projector, clock, now).await,
        Err(DemoError::NotEmpty)
    ));
}
