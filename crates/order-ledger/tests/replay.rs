//! `audit replay` equals what the live views showed: during a scenario on
//! a manual clock, record the states and the list views after every
//! command, then replay at each position and time and compare, through
//! the library and through the binary.

mod common;

use chrono::Duration;

use common::*;
use ledger_domain::contract::AppliedContract;
use ledger_domain::ids::{ContractNo, CustomerId, OrderId};
use ledger_domain::order::PlacedOrder;
use ledger_domain::{Aggregate, AggregateId};
use ledger_ops::replay::{
    all_contracts, all_orders, contract_list_query, order_list_query, replay, AsOf, Replay,
    ReplayRequest,
};
use ledger_projections::{CONTRACTS, ORDERS};
use ledger_store::{DynStore, Position};

fn orders() -> Vec<OrderId> {
    ["O1", "O2", "O3", "O4", "O5"]
        .iter()
        .map(|o| o.parse().unwrap())
        .collect()
}

fn contracts() -> Vec<ContractNo> {
    ["HT1", "HT2"].iter().map(|c| c.parse().unwrap()).collect()
}

/// What the live ledger and projections show now.
async fn live(s: &Scenario, customer: &CustomerId) -> Replay {
    let now = s.now();
    let head = s.head();
    let mut os: Vec<(OrderId, Option<PlacedOrder>)> = Vec::new();
    for id in orders() {
        let (_, a) = s
            .node
            .ledger
            .aggregate(&AggregateId::Order(id.clone()))
            .await
            .unwrap();
        let Aggregate::Order(o) = a else {
            unreachable!()
        };
        os.push((id, o.placed().cloned()));
    }
    let mut cs: Vec<(ContractNo, Option<AppliedContract>)> = Vec::new();
    for no in contracts() {
        let (_, a) = s
            .node
            .ledger
            .aggregate(&AggregateId::Contract(no.clone()))
            .await
            .unwrap();
        let Aggregate::Contract(c) = a else {
            unreachable!()
        };
        cs.push((no, c.applied().cloned()));
    }
    let p = &s.node.projector;
    Replay {
        position: head.position,
        hash: head.hash,
        recorded_at: Some(now),
        now,
        orders: os,
        contracts: cs,
        order_list: Some(
            all_orders(&p.view(ORDERS).unwrap(), &order_list_query(customer, now)).unwrap(),
        ),
        contract_list: Some(
            all_contracts(
                &p.view(CONTRACTS).unwrap(),
                &contract_list_query(customer, now),
            )
            .unwrap(),
        ),
    }
}

fn request(as_of: AsOf, customer: &CustomerId) -> ReplayRequest {
    ReplayRequest {
        as_of,
        customer: Some(customer.clone()),
        orders: orders(),
        contracts: contracts(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_as_of_equals_what_the_live_views_showed() {
    let dir = tempfile::tempdir().unwrap();
    let customer: CustomerId = "cust1".parse().unwrap();
    let mut s = Scenario::open(dir.path()).await;
    let mut seen: Vec<Replay> = Vec::new();
    for (c, a) in steps() {
        s.exec(c, a).await;
        seen.push(live(&s, &customer).await);
    }
    // The views did change along the way (the comparison can fail).
    assert_ne!(seen[9].order_list, seen.last().unwrap().order_list);
    assert_ne!(seen[12].contracts, seen.last().unwrap().contracts);

    let store: DynStore = s.node.store.clone();
    for was in &seen {
        let by_position = replay(&store, &request(AsOf::Position(was.position), &customer))
            .await
            .unwrap();
        assert_eq!(&by_position, was, "as of position {}", was.position);
        let by_time = replay(&store, &request(AsOf::Time(was.now), &customer))
            .await
            .unwrap();
        assert_eq!(&by_time, was, "as of {}", was.now);
        // Between two commands: the earlier one's log.
        let between = replay(
            &store,
            &request(AsOf::Time(was.now + Duration::seconds(30)), &customer),
        )
        .await
        .unwrap();
        assert_eq!((between.position, between.hash), (was.position, was.hash));
    }
    // Before the first record: nothing.
    let origin = replay(&store, &request(AsOf::Position(Position(0)), &customer))
        .await
        .unwrap();
    assert!(origin.orders.iter().all(|(_, o)| o.is_none()));
    assert_eq!(origin.order_list.unwrap().total, 0);
    let beyond = replay(&store, &request(AsOf::Position(Position(1000)), &customer)).await;
    assert!(beyond.is_err());
    drop(store);
    s.close().await;

    // The binary prints the same as JSON.
    for i in [8, 12, 13, seen.len() - 1] {
        let was = &seen[i];
        let mut args: Vec<String> = vec![
            "audit".into(),
            "replay".into(),
            "--customer".into(),
            "cust1".into(),
        ];
        for o in orders() {
            args.extend(["--order".into(), o.to_string()]);
        }
        for c in contracts() {
            args.extend(["--contract".into(), c.to_string()]);
        }
        for as_of in [was.position.to_string(), was.now.to_rfc3339()] {
            let mut a = args.clone();
            a.extend(["--as-of".into(), as_of.clone()]);
            let refs: Vec<&str> = a.iter().map(String::as_str).collect();
            let out = order_ledger(dir.path(), &refs);
            assert!(out.status.success(), "{}", stderr(&out));
            assert_eq!(json_of(&out), was.to_json(), "as of {as_of}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_lists_every_event_of_a_stream_with_its_metadata() {
    let dir = tempfile::tempdir().unwrap();
    write_history(dir.path()).await;
    let out = order_ledger(dir.path(), &["audit", "history", "--order", "O5", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let events = json_of(&out);
    let types: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "OrderPlaced",
            "OrderAttachedToContract",
            "OrderReleasedFromContract",
            "OrderPaid"
        ]
    );
    let paid = &events[3];
    assert_eq!(paid["actor"], "service:purchase");
    assert_eq!(paid["stream_version"], 4);
    assert_eq!(paid["event"]["payment"]["amount"], "85.00");
    assert_eq!(events[2]["actor"], "operator:ops1");
    assert_eq!(events[1]["prev_hash"].as_str().unwrap().len(), 64);

    let text = order_ledger(dir.path(), &["audit", "history", "--contract", "HT2"]);
    assert!(text.status.success());
    let t = stdout(&text);
    assert!(
        t.contains("ContractApplied") && t.contains("ContractVoided"),
        "{t}"
    );
    let none = order_ledger(dir.path(), &["audit", "history", "--order", "O99"]);
    assert!(stdout(&none).contains("no events"), "{}", stdout(&none));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_shows_the_causation_and_correlation_of_every_event() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Scenario::open(dir.path()).await;
    for c in tests::onboard("cust1") {
        s.exec(c, tests::service()).await;
    }
    let mut placing = tests::meta("place-O1", tests::service());
    placing.causation_id = Some("cart-1".into());
    placing.correlation_id = Some("checkout-1".into());
    let placed = s
        .node
        .ledger
        .execute(
            ledger_domain::Command::PlaceOrder(tests::place_order("cust1", "O1")),
            placing,
        )
        .await
        .unwrap();
    s.node.projector.catch_up().await.unwrap();
    // Long past the payment deadline: the timer expires the order.
    s.clock.advance(Duration::days(60));
    let timer = ledger_projections::Timer::new(
        s.node.projector.clone(),
        s.node.ledger.clone(),
        s.clock.clone(),
    );
    assert_eq!(timer.tick().await.unwrap().len(), 1);
    // The timer holds the projector and the ledger: let go before closing.
    drop(timer);
    s.close().await;

    let out = order_ledger(dir.path(), &["audit", "history", "--order", "O1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("command place-O1  causation cart-1  correlation checkout-1"),
        "{text}"
    );
    let cause = format!(
        "command timer:expire:O1  causation position:{}  correlation checkout-1",
        placed.position.0
    );
    assert!(text.contains(&cause), "{cause} not in:\n{text}");

    let json = json_of(&order_ledger(
        dir.path(),
        &["audit", "history", "--order", "O1", "--json"],
    ));
    let expired = &json[1];
    assert_eq!(expired["event_type"], "OrderExpired");
    assert_eq!(
        expired["causation_id"],
        format!("position:{}", placed.position.0)
    );
    assert_eq!(expired["correlation_id"], "checkout-1");
}
