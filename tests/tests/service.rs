//! The command service over real stores: each case runs on a temp-dir sled
//! store and on the in-memory store.

use std::sync::Arc;

use ledger_app::{AppError, CommandMeta, Ledger, LedgerConfig, ManualClock};
use ledger_codec::payload::decode_event;
use ledger_codec::{Position, Tenant};
use ledger_domain::contract::{ContractKind, ConvertContract, VoidContract};
use ledger_domain::ids::OperatorId;
use ledger_domain::order::{CancelOrder, ExpireOrder, OrderStatus};
use ledger_domain::{Actor, Aggregate, AggregateId, Command, Event};
use ledger_store::{DynStore, EventStore};
use tests::*;

macro_rules! on_every_store {
    ($($case:ident),* $(,)?) => {
        mod sled_store {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let dir = tempfile::tempdir().unwrap();
                    let store = ledger_store_sled::SledStore::open(dir.path()).unwrap();
                    super::$case(store).await;
                }
            )*
        }
        mod memory_store {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::$case(ledger_store_memory::MemoryStore::new()).await;
                }
            )*
        }
    };
}

on_every_store!(
    accepted_commands_are_recorded_with_their_metadata,
    a_repeated_command_id_returns_the_original_position,
    a_reused_command_id_with_another_command_is_refused,
    a_refused_command_writes_nothing,
    an_idempotent_repeat_writes_nothing,
    a_contract_and_its_orders_commit_together,
    racing_contracts_for_one_order_let_exactly_one_win,
    racing_payments_for_one_order_let_exactly_one_win,
    a_second_node_with_a_stale_cache_sees_the_truth,
    the_timer_expires_at_the_deadline_as_the_system,
    bad_metadata_is_refused_and_writes_nothing,
    timer_command_ids_are_reserved_for_the_system,
    concurrent_retries_of_one_command_id_leave_every_node_equal_to_the_log,
    every_event_records_its_customer_as_tenant,
);

async fn setup(store: DynStore) -> (Arc<Ledger>, Arc<ManualClock>) {
    let (ledger, clock) = ledger(store);
    run_all(&ledger, "onboard", onboard("cust1")).await;
    (ledger, clock)
}

fn pay(order: &str, payment: &str) -> Command {
    Command::PayOrder(pay_order(order, payment))
}

fn place(order: &str) -> Command {
    Command::PlaceOrder(place_order("cust1", order))
}

async fn order_status(ledger: &Ledger, order: &str) -> OrderStatus {
    match ledger
        .aggregate(&AggregateId::Order(order_id(order)))
        .await
        .unwrap()
        .1
    {
        Aggregate::Order(o) => o.placed().expect("order placed").status().clone(),
        other => panic!("not an order: {other:?}"),
    }
}

async fn accepted_commands_are_recorded_with_their_metadata(store: DynStore) {
    let (ledger, clock) = setup(store.clone()).await;
    clock.advance(days(1));
    let mut m = meta("place-1", service());
    m.correlation_id = Some("checkout-77".into());
    let out = ledger.execute(place("O1"), m).await.unwrap();
    assert!(!out.deduplicated);
    assert_eq!(out.events.len(), 1);
    assert_eq!(out.position, store.head().position);

    let records = store.read_all(out.position, 10).await.unwrap();
    let record = &records[0];
    assert_eq!(record.stream_id.as_str(), "order-O1");
    assert_eq!(record.event_type, "OrderPlaced");
    assert_eq!(record.metadata.command.command_id.as_str(), "place-1");
    assert_eq!(record.metadata.command.actor, "service:purchase");
    assert_eq!(record.metadata.command.recorded_at, t0() + days(1));
    assert_eq!(
        record.metadata.command.correlation_id.as_deref(),
        Some("checkout-77")
    );
    let event = decode_event(&record.event_type, record.schema_version, &record.payload).unwrap();
    assert_eq!(event, out.events[0]);
    match event {
        Event::OrderPlaced(e) => assert_eq!(e.payment_deadline, t0() + days(8)),
        other => panic!("unexpected {other:?}"),
    }
}

async fn a_repeated_command_id_returns_the_original_position(store: DynStore) {
    let (ledger, clock) = setup(store.clone()).await;
    let first = ledger
        .execute(place("O1"), meta("place-1", service()))
        .await
        .unwrap();
    clock.advance(days(1));
    let head = store.head();
    let again = ledger
        .execute(place("O1"), meta("place-1", service()))
        .await
        .unwrap();
    assert!(again.deduplicated);
    assert_eq!(again.position, first.position);
    assert_eq!(store.head(), head, "a deduplicated command appends nothing");
}

async fn a_reused_command_id_with_another_command_is_refused(store: DynStore) {
    let (ledger, _) = setup(store.clone()).await;
    ledger
        .execute(place("O1"), meta("cmd-1", service()))
        .await
        .unwrap();
    let head = store.head();
    let err = ledger
        .execute(place("O2"), meta("cmd-1", service()))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "command_id_reused");
    assert_eq!(store.head(), head);
}

async fn a_refused_command_writes_nothing(store: DynStore) {
    let (ledger, _) = setup(store.clone()).await;
    ledger
        .execute(place("O1"), meta("place", service()))
        .await
        .unwrap();
    let head = store.head();
    let mut wrong = pay_order("O1", "PAY-1");
    wrong.payment.amount = money("84.99");
    let err = ledger
        .execute(Command::PayOrder(wrong), meta("pay", service()))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "payment_amount_mismatch");
    let err = ledger
        .execute(pay("NOPE", "PAY-2"), meta("pay-2", service()))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "order_not_found");
    assert_eq!(store.head(), head);
    assert_eq!(order_status(&ledger, "O1").await, OrderStatus::Unpaid);
    assert!(store
        .command(&ledger_codec::CommandId("pay".into()))
        .await
        .unwrap()
        .is_none());
}

async fn an_idempotent_repeat_writes_nothing(store: DynStore) {
    let (ledger, _) = setup(store.clone()).await;
    ledger
        .execute(place("O1"), meta("place", service()))
        .await
        .unwrap();
    ledger
        .execute(pay("O1", "PAY-1"), meta("pay-a", service()))
        .await
        .unwrap();
    let head = store.head();
    let out = ledger
        .execute(pay("O1", "PAY-1"), meta("pay-b", service()))
        .await
        .unwrap();
    assert!(out.events.is_empty());
    assert!(!out.deduplicated);
    assert_eq!(out.position, head.position);
    assert_eq!(store.head(), head);
}

async fn a_contract_and_its_orders_commit_together(store: DynStore) {
    let (ledger, _) = setup(store.clone()).await;
    for o in ["O1", "O2"] {
        ledger
            .execute(place(o), meta(&format!("place-{o}"), service()))
            .await
            .unwrap();
        ledger
            .execute(
                pay(o, &format!("PAY-{o}")),
                meta(&format!("pay-{o}"), service()),
            )
            .await
            .unwrap();
    }
    let apply = apply_contract("cust1", "HT1", ContractKind::Order, &["O1", "O2"]);
    let before = store.head().position;
    let out = ledger
        .execute(Command::ApplyContract(apply), meta("apply", service()))
        .await
        .unwrap();
    assert_eq!(out.position, Position(before.0 + 3));
    let records = store.read_all(before.next(), 10).await.unwrap();
    let streams: Vec<&str> = records.iter().map(|r| r.stream_id.as_str()).collect();
    assert_eq!(streams, ["contract-HT1", "order-O1", "order-O2"]);
    assert!(records
        .iter()
        .all(|r| r.metadata.command.command_id.as_str() == "apply"));

    let customer = Actor::Customer(customer_id("cust1"));
    let void = Command::VoidContract(VoidContract {
        contract_no: "HT1".parse().unwrap(),
        ticket: None,
    });
    ledger.execute(void, meta("void", customer)).await.unwrap();
    let again = apply_contract("cust1", "HT2", ContractKind::Order, &["O1"]);
    ledger
        .execute(Command::ApplyContract(again), meta("apply-2", service()))
        .await
        .unwrap();
}

async fn racing_contracts_for_one_order_let_exactly_one_win(store: DynStore) {
    let (ledger, _) = setup(store.clone()).await;
    ledger
        .execute(place("O1"), meta("place", service()))
        .await
        .unwrap();
    ledger
        .execute(pay("O1", "PAY-1"), meta("pay", service()))
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..8 {
        let ledger = ledger.clone();
        tasks.push(tokio::spawn(async move {
            let apply = apply_contract("cust1", &format!("HT{i}"), ContractKind::Order, &["O1"]);
            ledger
                .execute(
                    Command::ApplyContract(apply),
                    meta(&format!("apply-{i}"), service()),
                )
                .await
        }));
    }
    let mut wins = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => wins += 1,
            Err(e) => assert_eq!(e.code(), "order_in_live_contract", "{e}"),
        }
    }
    assert_eq!(wins, 1);
    let attached = store
        .read_stream(
            &ledger_codec::StreamId("order-O1".into()),
            ledger_codec::StreamVersion(1),
            100,
        )
        .await
        .unwrap()
        .iter()
        .filter(|r| r.event_type == "OrderAttachedToContract")
        .count();
    assert_eq!(attached, 1);
}

async fn racing_payments_for_one_order_let_exactly_one_win(store: DynStore) {
    let (ledger, _) = setup(store.clone()).await;
    ledger
        .execute(place("O1"), meta("place", service()))
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..8 {
        let ledger = ledger.clone();
        tasks.push(tokio::spawn(async move {
            ledger
                .execute(
                    pay("O1", &format!("PAY-{i}")),
                    meta(&format!("pay-{i}"), service()),
                )
                .await
        }));
    }
    let mut wins = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(out) => {
                assert_eq!(out.events.len(), 1);
                wins += 1
            }
            Err(e) => assert_eq!(e.code(), "order_not_unpaid", "{e}"),
        }
    }
    assert_eq!(wins, 1);
}

async fn a_second_node_with_a_stale_cache_sees_the_truth(store: DynStore) {
    let (node_a, _) = setup(store.clone()).await;
    node_a
        .execute(place("O1"), meta("place", service()))
        .await
        .unwrap();
    let clock = Arc::new(ManualClock::new(t0()));
    let node_b = Ledger::new(store.clone(), clock, LedgerConfig::default());
    assert_eq!(order_status(&node_b, "O1").await, OrderStatus::Unpaid); // warms b's cache
    node_a
        .execute(pay("O1", "PAY-1"), meta("pay", service()))
        .await
        .unwrap();
    let customer = Actor::Customer(customer_id("cust1"));
    let cancel = Command::CancelOrder(CancelOrder {
        order_id: order_id("O1"),
    });
    let err = node_b
        .execute(cancel, meta("cancel", customer))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "cancel_not_allowed");
    assert!(matches!(
        order_status(&node_b, "O1").await,
        OrderStatus::Paid { .. }
    ));
}

async fn the_timer_expires_at_the_deadline_as_the_system(store: DynStore) {
    let (ledger, clock) = setup(store.clone()).await;
    ledger
        .execute(place("O1"), meta("place", service()))
        .await
        .unwrap();
    let deadline = t0() + days(7);
    clock.set(deadline + days(3)); // the timer was down for three days
    let expire = || {
        Command::ExpireOrder(ExpireOrder {
            order_id: order_id("O1"),
        })
    };
    let mut m = meta("expire-O1", Actor::System);
    m.effective_time = Some(deadline);
    let out = ledger.execute(expire(), m).await.unwrap();
    match &out.events[..] {
        [Event::OrderExpired(e)] => assert_eq!(e.expired_at, deadline),
        other => panic!("unexpected {other:?}"),
    }
    let records = store.read_all(out.position, 1).await.unwrap();
    assert_eq!(records[0].metadata.command.recorded_at, deadline);

    let mut m = meta(
        "expire-by-operator",
        Actor::Operator(OperatorId::new("ops1").unwrap()),
    );
    m.effective_time = Some(deadline);
    assert!(matches!(
        ledger.execute(expire(), m).await,
        Err(AppError::InvalidMetadata(_))
    ));
}

async fn bad_metadata_is_refused_and_writes_nothing(store: DynStore) {
    let (ledger, _) = setup(store.clone()).await;
    let head = store.head();
    for bad in ["", "has space", &"x".repeat(129)] {
        let err = ledger
            .execute(place("O1"), CommandMeta::new(bad, service()))
            .await
            .unwrap_err();
        assert_eq!(err.code(), "invalid_metadata");
    }
    let convert = Command::ConvertContract(ConvertContract::new("NOPE".parse().unwrap()));
    let err = ledger
        .execute(convert, meta("convert", service()))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "contract_not_found");
    assert_eq!(store.head(), head);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everything_acknowledged_survives_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let (head, position) = {
        let store = ledger_store_sled::SledStore::open(dir.path()).unwrap();
        let (ledger, _) = setup(store.clone()).await;
        ledger
            .execute(place("O1"), meta("place", service()))
            .await
            .unwrap();
        let out = ledger
            .execute(pay("O1", "PAY-1"), meta("pay", service()))
            .await
            .unwrap();
        store.close().await.unwrap();
        (store.head(), out.position)
    };
    let store = ledger_store_sled::SledStore::open(dir.path()).unwrap();
    assert_eq!(store.head(), head);
    let (ledger, _) = ledger(store.clone());
    assert!(matches!(
        order_status(&ledger, "O1").await,
        OrderStatus::Paid { .. }
    ));
    let again = ledger
        .execute(pay("O1", "PAY-1"), meta("pay", service()))
        .await
        .unwrap();
    assert!(again.deduplicated);
    assert_eq!(again.position, position);
    let apply = apply_contract("cust1", "HT1", ContractKind::Order, &["O1"]);
    ledger
        .execute(Command::ApplyContract(apply), meta("apply", service()))
        .await
        .unwrap();
}

async fn timer_command_ids_are_reserved_for_the_system(store: DynStore) {
    let (ledger, _) = setup(store.clone()).await;
    ledger
        .execute(place("O1"), meta("place", service()))
        .await
        .unwrap();
    let head = store.head();
    let customer = Actor::Customer(customer_id("cust1"));
    let cancel = Command::CancelOrder(CancelOrder {
        order_id: order_id("O1"),
    });
    let err = ledger
        .execute(cancel.clone(), meta("timer:expire:O1", customer.clone()))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_metadata");
    // The same id and command from another actor is another command.
    ledger
        .execute(cancel.clone(), meta("cancel-1", customer))
        .await
        .unwrap();
    let err = ledger
        .execute(cancel, meta("cancel-1", service()))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "command_id_reused");
    assert_eq!(store.head().position, head.position.next());
}

async fn concurrent_retries_of_one_command_id_leave_every_node_equal_to_the_log(store: DynStore) {
    let (setup_node, _) = setup(store.clone()).await;
    drop(setup_node);
    // Eight nodes with clocks minutes apart retry the same PlaceOrder: the
    // decisions differ (placed_at, default deadline), exactly one is recorded.
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (node, clock) = ledger(store.clone());
        clock.advance(chrono::Duration::minutes(i));
        tasks.push(tokio::spawn(async move {
            let out = node
                .execute(place("O1"), meta("place-once", service()))
                .await
                .unwrap();
            (node, out)
        }));
    }
    let mut recorded = 0;
    for t in tasks {
        let (node, out) = t.await.unwrap();
        recorded += usize::from(!out.deduplicated);
        let from_log = {
            let fresh = Ledger::new(
                store.clone(),
                Arc::new(ManualClock::new(t0())),
                LedgerConfig::default(),
            );
            fresh
                .aggregate(&AggregateId::Order(order_id("O1")))
                .await
                .unwrap()
        };
        assert_eq!(
            node.aggregate(&AggregateId::Order(order_id("O1")))
                .await
                .unwrap(),
            from_log
        );
    }
    assert_eq!(recorded, 1);
}

/// Issue 9: each event's metadata names the customer it concerns (format
/// 2), for every kind of event and with two customers in one log, so a
/// reader can filter by tenant without decoding payloads.
async fn every_event_records_its_customer_as_tenant(store: DynStore) {
    let (ledger, _) = setup(store.clone()).await;
    run_all(&ledger, "onboard-2", onboard("cust2")).await;
    let commands = vec![
        place("O1"),
        pay("O1", "PAY-O1"),
        Command::PlaceOrder(place_order("cust2", "O2")),
        Command::CancelOrder(CancelOrder {
            order_id: order_id("O2"),
        }),
        Command::ApplyContract(apply_contract("cust1", "HT1", ContractKind::Order, &["O1"])),
        Command::VoidContract(VoidContract {
            contract_no: "HT1".parse().unwrap(),
            ticket: None,
        }),
    ];
    run_all(&ledger, "flow", commands).await;
    let records = store.read_all(Position(1), 100).await.unwrap();
    let mut types = std::collections::BTreeSet::new();
    for r in &records {
        let owner = match r.stream_id.as_str() {
            "customer-cust1" | "order-O1" | "contract-HT1" => "cust1",
            "customer-cust2" | "order-O2" => "cust2",
            other => panic!("unexpected stream {other}"),
        };
        assert_eq!(
            r.metadata.tenant,
            Tenant::Customer(customer_id(owner)),
            "{} at {}",
            r.event_type,
            r.position
        );
        types.insert(r.event_type.as_str());
    }
    // Events that name their customer and events that take it from their
    // aggregate's state are both covered.
    for t in [
        "CustomerRegistered",
        "RemittanceAccountSet",
        "OrderPlaced",
        "OrderPaid",
        "OrderCancelled",
        "ContractApplied",
        "OrderAttachedToContract",
        "ContractVoided",
        "OrderReleasedFromContract",
    ] {
        assert!(types.contains(t), "{t} not recorded: {types:?}");
    }
}
