//! The timer, driven by a manual clock: flips happen exactly at deadlines,
//! paying first prevents them, and downtime catches up in deadline order.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use ledger_app::{Ledger, ManualClock};
use ledger_domain::contract::{ContractKind, ContractStatus};
use ledger_domain::order::{CancelReason, OrderStatus};
use ledger_domain::{Aggregate, AggregateId, Command, Event};
use ledger_projections::deadlines::{Deadlines, Target};
use ledger_projections::{Fired, Projector, Timer};
use ledger_store::DynStore;
use tests::*;

struct World {
    store: DynStore,
    ledger: Arc<Ledger>,
    clock: Arc<ManualClock>,
    projector: Arc<Projector>,
    timer: Timer,
    _dir: tempfile::TempDir,
}

async fn world() -> World {
    let store: DynStore = ledger_store_memory::MemoryStore::new();
    let (ledger, clock) = ledger(store.clone());
    run_all(&ledger, "onboard", onboard("cust1")).await;
    let dir = tempfile::tempdir().unwrap();
    let projector = Projector::open(dir.path(), store.clone(), vec![Arc::new(Deadlines)])
        .await
        .unwrap();
    let timer = Timer::new(projector.clone(), ledger.clone(), clock.clone());
    World {
        store,
        ledger,
        clock,
        projector,
        timer,
        _dir: dir,
    }
}

async fn place_due(w: &World, order: &str, deadline: DateTime<Utc>) {
    let mut p = place_order("cust1", order);
    p.payment_deadline = Some(deadline);
    w.ledger
        .execute(
            Command::PlaceOrder(p),
            meta(&format!("place-{order}"), service()),
        )
        .await
        .unwrap();
}

async fn payment_request(w: &World, contract: &str, orders: &[&str]) {
    let apply = apply_contract("cust1", contract, ContractKind::PaymentRequest, orders);
    w.ledger
        .execute(
            Command::ApplyContract(apply),
            meta(&format!("apply-{contract}"), service()),
        )
        .await
        .unwrap();
}

async fn contract_status(w: &World, no: &str) -> ContractStatus {
    match w
        .ledger
        .aggregate(&AggregateId::Contract(no.parse().unwrap()))
        .await
        .unwrap()
        .1
    {
        Aggregate::Contract(c) => c.applied().unwrap().status().clone(),
        other => panic!("{other:?}"),
    }
}

async fn order_status(w: &World, id: &str) -> OrderStatus {
    match w
        .ledger
        .aggregate(&AggregateId::Order(order_id(id)))
        .await
        .unwrap()
        .1
    {
        Aggregate::Order(o) => o.placed().unwrap().status().clone(),
        other => panic!("{other:?}"),
    }
}

fn recorded(fired: &[Fired]) -> Vec<(DateTime<Utc>, Target)> {
    fired
        .iter()
        .filter_map(|f| match f {
            Fired::Recorded { deadline, .. } => Some((deadline.due, deadline.target.clone())),
            Fired::Refused { .. } => None,
        })
        .collect()
}

fn d1() -> DateTime<Utc> {
    t0() + days(3)
}

fn d2() -> DateTime<Utc> {
    t0() + days(5)
}

#[tokio::test]
async fn a_payment_request_contract_flips_to_invalid_exactly_at_the_earlier_deadline() {
    let w = world().await;
    place_due(&w, "O1", d1()).await;
    place_due(&w, "O2", d2()).await;
    payment_request(&w, "HT1", &["O1", "O2"]).await;

    w.clock.set(d1() - Duration::seconds(1));
    assert!(
        w.timer.tick().await.unwrap().is_empty(),
        "nothing is due a second early"
    );
    assert_eq!(contract_status(&w, "HT1").await, ContractStatus::Draft);

    w.clock.set(d1());
    let fired = w.timer.tick().await.unwrap();
    assert_eq!(
        recorded(&fired),
        vec![
            (d1(), Target::ExpireOrder(order_id("O1"))),
            (d1(), Target::InvalidateContract("HT1".parse().unwrap()))
        ]
    );
    assert_eq!(
        contract_status(&w, "HT1").await,
        ContractStatus::Invalid {
            invalidated_at: d1(),
            converted_at: None
        }
    );
    // The flip is an event in the log, recorded at the deadline itself.
    let head = w.store.head().position;
    let records = w
        .store
        .read_all(ledger_codec::Position(1), 1000)
        .await
        .unwrap();
    let invalidated = records
        .iter()
        .find(|r| r.event_type == "ContractInvalidated")
        .unwrap();
    assert_eq!(invalidated.metadata.command.recorded_at, d1());
    assert_eq!(invalidated.metadata.command.actor, "system");
    let event =
        ledger_codec::payload::decode_event(&invalidated.event_type, 1, &invalidated.payload)
            .unwrap();
    match event {
        Event::ContractInvalidated(e) => assert_eq!(e.overdue_order, order_id("O1")),
        other => panic!("{other:?}"),
    }
    // Ticking again fires nothing: the view moved on.
    assert!(w.timer.tick().await.unwrap().is_empty());
    assert_eq!(w.store.head().position, head);
}

#[tokio::test]
async fn paying_the_earlier_order_first_prevents_the_flip_until_the_later_deadline() {
    let w = world().await;
    place_due(&w, "O1", d1()).await;
    place_due(&w, "O2", d2()).await;
    payment_request(&w, "HT1", &["O1", "O2"]).await;
    w.ledger
        .execute(
            Command::PayOrder(pay_order("O1", "PAY-1")),
            meta("pay-1", service()),
        )
        .await
        .unwrap();

    w.clock.set(d1());
    assert!(w.timer.tick().await.unwrap().is_empty());
    assert_eq!(contract_status(&w, "HT1").await, ContractStatus::Draft);

    w.clock.set(d2());
    let fired = w.timer.tick().await.unwrap();
    assert_eq!(
        recorded(&fired),
        vec![
            (d2(), Target::ExpireOrder(order_id("O2"))),
            (d2(), Target::InvalidateContract("HT1".parse().unwrap()))
        ]
    );
}

#[tokio::test]
async fn paying_every_order_means_the_contract_never_flips() {
    let w = world().await;
    place_due(&w, "O1", d1()).await;
    place_due(&w, "O2", d2()).await;
    payment_request(&w, "HT1", &["O1", "O2"]).await;
    for o in ["O1", "O2"] {
        let pay = Command::PayOrder(pay_order(o, &format!("PAY-{o}")));
        w.ledger
            .execute(pay, meta(&format!("pay-{o}"), service()))
            .await
            .unwrap();
    }
    w.clock.set(d2() + days(30));
    assert!(w.timer.tick().await.unwrap().is_empty());
    assert_eq!(contract_status(&w, "HT1").await, ContractStatus::Draft);
}

#[tokio::test]
async fn after_downtime_every_missed_deadline_fires_in_deadline_order() {
    let w = world().await;
    let deadlines: Vec<DateTime<Utc>> = (1..=4).map(|i| t0() + days(i)).collect();
    // Placed out of order: the timer still fires by deadline.
    for (name, due) in [
        ("O3", deadlines[2]),
        ("O1", deadlines[0]),
        ("O4", deadlines[3]),
        ("O2", deadlines[1]),
    ] {
        place_due(&w, name, due).await;
    }
    w.clock.set(t0() + days(40)); // the timer was down for weeks
    let fired = w.timer.tick().await.unwrap();
    let expected: Vec<(DateTime<Utc>, Target)> = ["O1", "O2", "O3", "O4"]
        .iter()
        .zip(&deadlines)
        .map(|(o, d)| (*d, Target::ExpireOrder(order_id(o))))
        .collect();
    assert_eq!(recorded(&fired), expected);
    let positions: Vec<_> = fired
        .iter()
        .map(|f| match f {
            Fired::Recorded { position, .. } => *position,
            Fired::Refused { .. } => panic!("refused"),
        })
        .collect();
    assert!(
        positions.windows(2).all(|p| p[0] < p[1]),
        "recorded in deadline order"
    );
    for (o, d) in ["O1", "O2", "O3", "O4"].iter().zip(&deadlines) {
        assert_eq!(
            order_status(&w, o).await,
            OrderStatus::Cancelled {
                reason: CancelReason::Expired,
                cancelled_at: *d
            }
        );
    }
}

#[tokio::test]
async fn a_second_timer_or_a_replayed_command_never_doubles_a_flip() {
    let w = world().await;
    place_due(&w, "O1", d1()).await;
    w.clock.set(d1());
    let fired = w.timer.tick().await.unwrap();
    assert_eq!(recorded(&fired).len(), 1);
    let head = w.store.head();

    // A second node with its own view and ledger over the same log.
    let dir = tempfile::tempdir().unwrap();
    let projector = Projector::open(dir.path(), w.store.clone(), vec![Arc::new(Deadlines)])
        .await
        .unwrap();
    let (other_ledger, other_clock) = ledger(w.store.clone());
    other_clock.set(d1());
    let other = Timer::new(projector, other_ledger.clone(), other_clock);
    assert!(other.tick().await.unwrap().is_empty());

    // The same deadline's command sent again is deduplicated by its id.
    let Fired::Recorded { deadline, position } = &fired[0] else {
        panic!("refused")
    };
    let mut m = meta(
        &ledger_projections::timer::command_id(deadline),
        ledger_domain::Actor::System,
    );
    m.effective_time = Some(deadline.due);
    let expire = Command::ExpireOrder(ledger_domain::order::ExpireOrder {
        order_id: order_id("O1"),
    });
    let again = other_ledger.execute(expire, m).await.unwrap();
    assert!(again.deduplicated);
    assert_eq!(again.position, *position);
    assert_eq!(w.store.head(), head);
}

#[tokio::test]
async fn rebuilding_the_deadlines_view_fires_nothing() {
    let w = world().await;
    place_due(&w, "O1", d1()).await;
    place_due(&w, "O2", d2()).await;
    w.clock.set(d1());
    w.timer.tick().await.unwrap();
    let head = w.store.head();
    let status = w.projector.rebuild("deadlines", |_| {}).await.unwrap();
    assert_eq!(status.checkpoint, head.position);
    assert_eq!(status.generation, 2);
    assert_eq!(w.store.head(), head, "a rebuild appends nothing");
    assert!(w.timer.tick().await.unwrap().is_empty());
    w.clock.set(d2());
    assert_eq!(
        recorded(&w.timer.tick().await.unwrap()),
        vec![(d2(), Target::ExpireOrder(order_id("O2")))]
    );
}

#[tokio::test]
async fn a_deadline_that_is_refused_never_blocks_the_ones_after_it() {
    let w = world().await;
    place_due(&w, "O0", d1() - Duration::hours(1)).await;
    place_due(&w, "O1", d1()).await;
    place_due(&w, "O2", d2()).await;
    // O1's deterministic id gets used up by another (system) command first.
    let mut m = meta("timer:expire:O1", ledger_domain::Actor::System);
    m.effective_time = Some(d1() - Duration::hours(1));
    let expire_o0 = Command::ExpireOrder(ledger_domain::order::ExpireOrder {
        order_id: order_id("O0"),
    });
    w.ledger.execute(expire_o0, m).await.unwrap();

    w.clock.set(d2());
    let fired = w.timer.tick().await.unwrap();
    assert!(matches!(
        &fired[0],
        Fired::Refused { deadline, code: "command_id_reused" } if deadline.target == Target::ExpireOrder(order_id("O1"))
    ));
    assert_eq!(
        recorded(&fired),
        vec![(d2(), Target::ExpireOrder(order_id("O2")))]
    );
}

#[tokio::test]
async fn voiding_a_paid_order_after_its_deadline_never_invalidates_its_contract() {
    let w = world().await;
    place_due(&w, "O1", d1()).await;
    payment_request(&w, "HT1", &["O1"]).await;
    w.ledger
        .execute(
            Command::PayOrder(pay_order("O1", "PAY-1")),
            meta("pay", service()),
        )
        .await
        .unwrap();
    w.clock.set(d1() + days(1));
    let void = Command::VoidOrder(ledger_domain::order::VoidOrder {
        order_id: order_id("O1"),
        reason: "provisioning failed".into(),
    });
    let operator = ledger_domain::Actor::Operator("ops1".parse().unwrap());
    w.ledger
        .execute(void, meta("void", operator))
        .await
        .unwrap();
    assert!(w.timer.tick().await.unwrap().is_empty());
    assert_eq!(contract_status(&w, "HT1").await, ContractStatus::Draft);
}

#[tokio::test]
async fn a_query_holding_the_old_generation_still_reads_after_a_rebuild() {
    let w = world().await;
    place_due(&w, "O1", d1()).await;
    w.projector.catch_up().await.unwrap();
    let old = w.projector.view("deadlines").unwrap();
    let before = old.len();
    w.projector.rebuild("deadlines", |_| {}).await.unwrap();
    assert_eq!(
        old.iter().count(),
        before,
        "the replaced generation stays readable"
    );
    assert_eq!(w.projector.view("deadlines").unwrap().len(), before);
    w.projector.rebuild("deadlines", |_| {}).await.unwrap();
    assert_eq!(w.projector.status()[0].generation, 3);
}

#[tokio::test]
async fn the_deadlines_view_keeps_only_pending_work() {
    let w = world().await;
    for i in 0..6 {
        place_due(&w, &format!("O{i}"), d1()).await;
    }
    for i in 0..3 {
        let pay = Command::PayOrder(pay_order(&format!("O{i}"), &format!("PAY-{i}")));
        w.ledger
            .execute(pay, meta(&format!("pay-{i}"), service()))
            .await
            .unwrap();
    }
    let cancel = Command::CancelOrder(ledger_domain::order::CancelOrder {
        order_id: order_id("O3"),
    });
    w.ledger
        .execute(cancel, meta("cancel", service()))
        .await
        .unwrap();
    payment_request(&w, "HT1", &["O4"]).await;
    w.projector.catch_up().await.unwrap();
    // Pending: O4 (expiry, row, contract member), O5 (expiry, row), HT1
    // (invalidation, row), plus the checkpoint. Settled orders leave nothing.
    assert_eq!(w.projector.view("deadlines").unwrap().len(), 2 + 2 + 2 + 1);

    w.clock.set(d1());
    w.timer.tick().await.unwrap();
    w.projector.catch_up().await.unwrap();
    assert_eq!(
        w.projector.view("deadlines").unwrap().len(),
        1,
        "only the checkpoint is left"
    );
}

/// The records of the log of this event type, with their order or
/// contract named in the payload (`OrderExpired`, `ContractInvalidated`...).
async fn records_of(w: &World, event_type: &str) -> Vec<ledger_store::RecordedEvent> {
    w.store
        .read_all(ledger_codec::Position(1), 1_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.event_type == event_type)
        .collect()
}

#[tokio::test]
async fn each_flip_names_the_event_that_scheduled_it_and_its_correlation() {
    let w = world().await;
    let mut placing = meta("place-O1", service());
    placing.correlation_id = Some("checkout-O1".into());
    let mut p = place_order("cust1", "O1");
    p.payment_deadline = Some(d1());
    let placed = w
        .ledger
        .execute(Command::PlaceOrder(p), placing)
        .await
        .unwrap();
    place_due(&w, "O2", d2()).await;
    let d3 = d2() + days(1);
    place_due(&w, "O3", d3).await;
    // HT1's due time is O2's deadline, set when it was applied; paying O2
    // moves it to O3's: the payment is what scheduled the invalidation.
    payment_request(&w, "HT1", &["O2", "O3"]).await;
    let mut paying = meta("pay-O2", service());
    paying.correlation_id = Some("payment-O2".into());
    let paid = w
        .ledger
        .execute(Command::PayOrder(pay_order("O2", "PAY-2")), paying)
        .await
        .unwrap();

    let seen: Arc<std::sync::Mutex<Vec<(Target, std::time::Duration)>>> = Arc::default();
    let sink = seen.clone();
    let timer = Timer::new(w.projector.clone(), w.ledger.clone(), w.clock.clone()).with_observer(
        Arc::new(move |fired, lag| {
            let Fired::Recorded { deadline, .. } = fired else {
                panic!("refused: {fired:?}")
            };
            sink.lock().unwrap().push((deadline.target.clone(), lag));
        }),
    );
    w.clock.set(d3 + Duration::seconds(90));
    let fired = timer.tick().await.unwrap();
    assert_eq!(fired.len(), 3, "{fired:?}");

    let expired = records_of(&w, "OrderExpired").await;
    let causes: Vec<(Option<&str>, Option<&str>)> = expired
        .iter()
        .map(|r| {
            let c = &r.metadata.command;
            (c.causation_id.as_deref(), c.correlation_id.as_deref())
        })
        .collect();
    let o1 = format!("position:{}", placed.position.0);
    let o3_placed = records_of(&w, "OrderPlaced").await[2].position.0;
    let o3 = format!("position:{o3_placed}");
    assert_eq!(
        causes,
        [
            (Some(o1.as_str()), Some("checkout-O1")),
            (Some(o3.as_str()), None)
        ]
    );
    let invalidated = records_of(&w, "ContractInvalidated").await;
    assert_eq!(invalidated.len(), 1);
    let c = &invalidated[0].metadata.command;
    assert_eq!(
        c.causation_id.as_deref(),
        Some(format!("position:{}", paid.position.0).as_str())
    );
    assert_eq!(c.correlation_id.as_deref(), Some("payment-O2"));

    let lags = seen.lock().unwrap().clone();
    assert_eq!(
        lags,
        [
            (
                Target::ExpireOrder(order_id("O1")),
                (d3 + Duration::seconds(90) - d1()).to_std().unwrap()
            ),
            (
                Target::ExpireOrder(order_id("O3")),
                std::time::Duration::from_secs(90)
            ),
            (
                Target::InvalidateContract("HT1".parse().unwrap()),
                std::time::Duration::from_secs(90)
            ),
        ]
    );
}
