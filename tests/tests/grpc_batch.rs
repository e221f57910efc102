//! `ExecuteBatch` on the real server: results in request order, each its
//! own reply or error; a payment in the same batch as its order runs after
//! it; a retried batch answers every accepted command `deduplicated` at its
//! first position and records nothing; bad batches are refused whole; the
//! caller's role and tenant are checked per command.

use std::collections::HashMap;

use ledger_auth::Role;
use ledger_codec::Position;
use ledger_server::pb;
use pb::batch_command::Command as C;
use pb::batch_result::Result as R;
use tests::server::{pb_header, pb_onboard, pb_place_order, TestServer};
use tonic::Code;

const CUSTOMER: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const OTHER: &str = "1a1b2c3d4e5f60718293a4b5c6d7e8f9";

fn place(n: usize) -> pb::BatchCommand {
    pb::BatchCommand {
        command: Some(C::PlaceOrder(pb_place_order(
            &format!("place-{n}"),
            CUSTOMER,
            &format!("CSB{n:04}"),
        ))),
    }
}

fn pay(n: usize) -> pb::BatchCommand {
    pb::BatchCommand {
        command: Some(C::PayOrder(pb::PayOrderRequest {
            header: Some(pb_header(&format!("pay-{n}"))),
            order_id: format!("CSB{n:04}"),
            payment_id: format!("PAY-B{n}"),
            amount: "85.00".into(),
            vouchers: vec![],
        })),
    }
}

fn cancel(n: usize, customer_order: &str) -> pb::BatchCommand {
    pb::BatchCommand {
        command: Some(C::CancelOrder(pb::CancelOrderRequest {
            header: Some(pb_header(&format!("cancel-{n}"))),
            order_id: customer_order.into(),
        })),
    }
}

fn reply(r: &pb::BatchResult) -> &pb::CommandReply {
    match r.result.as_ref() {
        Some(R::Reply(reply)) => reply,
        other => panic!("expected a reply, got {other:?}"),
    }
}

fn error(r: &pb::BatchResult) -> &pb::CommandError {
    match r.result.as_ref() {
        Some(R::Error(e)) => e,
        other => panic!("expected an error, got {other:?}"),
    }
}

/// Event type → count over the log after `from`.
async fn events_since(server: &TestServer, from: Position) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for r in server
        .state()
        .store
        .read_all(from.next(), 10_000)
        .await
        .unwrap()
    {
        *counts.entry(r.event_type.clone()).or_insert(0) += 1;
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_answers_each_command_in_order_and_a_retry_records_nothing() {
    let server = TestServer::start().await;
    let key = server.create_key(Role::Service);
    let mut commands = server.commands(key.token.expose()).await;
    pb_onboard(&mut commands, CUSTOMER).await;
    let start = server.state().store.head().position;

    // 100 orders; orders 0..10 paid in the same batch, after their
    // placing; order 10 cancelled; one malformed; one refused by the
    // domain (paying an unknown order).
    let mut batch: Vec<pb::BatchCommand> = (0..100).map(place).collect();
    batch.extend((0..10).map(pay));
    batch.push(cancel(10, "CSB0010"));
    let mut malformed = pb_place_order("bad", CUSTOMER, "CSBBAD");
    malformed.amount_due = "eighty-five".into();
    batch.push(pb::BatchCommand {
        command: Some(C::PlaceOrder(malformed)),
    });
    batch.push(pay(999));
    let request = pb::ExecuteBatchRequest { commands: batch };
    let first = commands
        .execute_batch(request.clone())
        .await
        .expect("batch accepted")
        .into_inner()
        .results;
    assert_eq!(first.len(), 113);
    for (n, r) in first[..100].iter().enumerate() {
        let r = reply(r);
        assert!(!r.deduplicated, "place {n}");
        assert_eq!(r.events, ["OrderPlaced"], "place {n}");
    }
    for n in 0..10 {
        let paid = reply(&first[100 + n]);
        assert_eq!(paid.events, ["OrderPaid"]);
        assert!(
            paid.position > reply(&first[n]).position,
            "paid before placed"
        );
    }
    assert_eq!(reply(&first[110]).events, ["OrderCancelled"]);
    let bad = error(&first[111]);
    assert_eq!(bad.grpc_code, Code::InvalidArgument as i32, "{bad:?}");
    let unknown = error(&first[112]);
    assert_eq!(unknown.code, "order_not_found", "{unknown:?}");
    assert_eq!(unknown.grpc_code, Code::NotFound as i32);
    assert!(!unknown.cbc_code.is_empty());

    let recorded = events_since(&server, start).await;
    assert_eq!(recorded.get("OrderPlaced"), Some(&100));
    assert_eq!(recorded.get("OrderPaid"), Some(&10));
    assert_eq!(recorded.get("OrderCancelled"), Some(&1));
    assert_eq!(recorded.values().sum::<usize>(), 111, "{recorded:?}");

    // The same batch again: every accepted command deduplicated at its
    // first position, the refused ones refused again, nothing recorded.
    let head = server.state().store.head().position;
    let again = commands
        .execute_batch(request)
        .await
        .expect("batch accepted")
        .into_inner()
        .results;
    for (n, (a, b)) in first.iter().zip(&again).enumerate().take(111) {
        let (a, b) = (reply(a), reply(b));
        assert!(b.deduplicated, "command {n}");
        assert_eq!(a.position, b.position, "command {n}");
    }
    assert_eq!(error(&again[111]).code, bad.code);
    assert_eq!(error(&again[112]).code, "order_not_found");
    assert_eq!(server.state().store.head().position, head);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_or_oversized_batch_is_refused_whole() {
    let server = TestServer::start().await;
    let key = server.create_key(Role::Service);
    let mut commands = server.commands(key.token.expose()).await;
    pb_onboard(&mut commands, CUSTOMER).await;
    let head = server.state().store.head().position;
    for n in [0, 1_001] {
        let refused = commands
            .execute_batch(pb::ExecuteBatchRequest {
                commands: (0..n).map(place).collect(),
            })
            .await
            .expect_err("refused");
        assert_eq!(refused.code(), Code::InvalidArgument, "{n}: {refused:?}");
    }
    let empty_entry = commands
        .execute_batch(pb::ExecuteBatchRequest {
            commands: vec![place(0), pb::BatchCommand { command: None }],
        })
        .await
        .unwrap()
        .into_inner()
        .results;
    assert_eq!(reply(&empty_entry[0]).events, ["OrderPlaced"]);
    assert_eq!(
        error(&empty_entry[1]).grpc_code,
        Code::InvalidArgument as i32
    );
    assert_eq!(
        server.state().store.head().position.0,
        head.0 + 1,
        "only the well-formed command was recorded"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_key_batch_is_checked_command_by_command() {
    let server = TestServer::start().await;
    let service = server.create_key(Role::Service);
    let mut commands = server.commands(service.token.expose()).await;
    pb_onboard(&mut commands, CUSTOMER).await;
    pb_onboard(&mut commands, OTHER).await;
    for (customer, order) in [(CUSTOMER, "CSMINE"), (OTHER, "CSTHEIRS")] {
        commands
            .place_order(pb_place_order(&format!("p-{order}"), customer, order))
            .await
            .unwrap();
    }
    let me = server.create_key(Role::Customer {
        domain_id: CUSTOMER.parse().unwrap(),
    });
    let mut mine = server.commands(me.token.expose()).await;
    let head = server.state().store.head().position;
    let results = mine
        .execute_batch(pb::ExecuteBatchRequest {
            commands: vec![place(0), cancel(1, "CSTHEIRS"), cancel(2, "CSMINE")],
        })
        .await
        .unwrap()
        .into_inner()
        .results;
    // A customer may not place orders (its role), nor cancel another
    // tenant's (its tenant); it may cancel its own.
    assert_eq!(error(&results[0]).code, "actor_not_permitted");
    assert_eq!(error(&results[0]).grpc_code, Code::PermissionDenied as i32);
    assert_eq!(error(&results[1]).code, "not_permitted");
    assert_eq!(reply(&results[2]).events, ["OrderCancelled"]);
    let log = server
        .state()
        .store
        .read_all(head.next(), 100)
        .await
        .unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].stream_id.0, "order-CSMINE");
    server.shutdown().await;
}
