//! The real server on port 0: commands over gRPC with bearer tokens, the
//! error mapping, the log subscription, administration, health and
//! metrics, and a restart that keeps everything.

use ledger_auth::Role;
use ledger_server::pb;
use tests::server::{assert_refused, pb_header, pb_onboard, pb_place_order, TestServer};
use tokio_stream::StreamExt;
use tonic::Code;

const CUSTOMER: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const OTHER_CUSTOMER: &str = "1b2c3d4e5f60718293a4b5c6d7e8f90a";

fn pay(command_id: &str, order: &str, amount: &str) -> pb::PayOrderRequest {
    pb::PayOrderRequest {
        header: Some(pb_header(command_id)),
        order_id: order.into(),
        payment_id: format!("pay-{order}"),
        amount: amount.into(),
        vouchers: vec![],
    }
}

#[tokio::test]
async fn a_service_places_and_pays_an_order_and_a_repeat_is_deduplicated() {
    let server = TestServer::start().await;
    let key = server.create_key(Role::Service);
    let mut commands = server.commands(key.token.expose()).await;
    pb_onboard(&mut commands, CUSTOMER).await;

    let placed = commands
        .place_order(pb_place_order("place-1", CUSTOMER, "CS2411220001"))
        .await
        .expect("placed")
        .into_inner();
    assert_eq!(placed.events, vec!["OrderPlaced".to_owned()]);
    assert!(!placed.deduplicated);

    let paid = commands
        .pay_order(pay("pay-1", "CS2411220001", "85.00"))
        .await
        .expect("paid")
        .into_inner();
    assert_eq!(paid.events, vec!["OrderPaid".to_owned()]);
    assert!(paid.position > placed.position);

    let again = commands
        .pay_order(pay("pay-1", "CS2411220001", "85.00"))
        .await
        .expect("repeat answered")
        .into_inner();
    assert!(again.deduplicated);
    assert_eq!(again.position, paid.position);
    assert_eq!(server.state().store.head().position.0, paid.position);
    server.shutdown().await;
}

#[tokio::test]
async fn calls_without_a_valid_token_are_unauthenticated() {
    let server = TestServer::start().await;
    let mut wrong = server.commands("olt_not-a-token").await;
    let err = wrong
        .place_order(pb_place_order("place-1", CUSTOMER, "CS1"))
        .await
        .expect_err("refused");
    assert_refused(&err, Code::Unauthenticated, "unauthenticated");

    let key = server.create_key(Role::Service);
    let mut ok = server.commands(key.token.expose()).await;
    pb_onboard(&mut ok, CUSTOMER).await;
    ledger_auth::KeyStore::open(server.dir.path().join("keys.json"))
        .unwrap()
        .revoke(key.access_key.as_str(), chrono::Utc::now())
        .unwrap();
    let err = ok
        .place_order(pb_place_order("place-2", CUSTOMER, "CS2"))
        .await
        .expect_err("revoked key refused");
    assert_refused(&err, Code::Unauthenticated, "unauthenticated");
    assert_eq!(
        server.state().store.head().position.0,
        3,
        "nothing recorded"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn domain_refusals_carry_their_stable_code_and_change_nothing() {
    let server = TestServer::start().await;
    let service = server.create_key(Role::Service);
    let mut commands = server.commands(service.token.expose()).await;
    pb_onboard(&mut commands, CUSTOMER).await;
    commands
        .place_order(pb_place_order("place-1", CUSTOMER, "CS1"))
        .await
        .unwrap();
    let head = server.state().store.head();

    let err = commands
        .pay_order(pay("pay-1", "CS1", "84.99"))
        .await
        .expect_err("wrong amount");
    assert_refused(&err, Code::InvalidArgument, "payment_amount_mismatch");

    let err = commands
        .pay_order(pay("pay-2", "CS-none", "85.00"))
        .await
        .expect_err("unknown order");
    assert_refused(&err, Code::NotFound, "order_not_found");

    let mut bad = pb_place_order("place-2", CUSTOMER, "CS2");
    bad.amount_due = "85.001.0".into();
    let err = commands.place_order(bad).await.expect_err("bad decimal");
    assert_refused(&err, Code::InvalidArgument, "invalid_parameter");

    let mut no_header = pb_place_order("place-3", CUSTOMER, "CS3");
    no_header.header = None;
    let err = commands.place_order(no_header).await.expect_err("no id");
    assert_refused(&err, Code::InvalidArgument, "bad_parameter");

    let customer = server.create_key(Role::Customer {
        domain_id: CUSTOMER.parse().unwrap(),
    });
    let mut as_customer = server.commands(customer.token.expose()).await;
    let err = as_customer
        .place_order(pb_place_order(
            "place-4",
            "ffffffffffffffffffffffffffffffff",
            "CS4",
        ))
        .await
        .expect_err("customers do not place orders");
    assert_refused(&err, Code::PermissionDenied, "actor_not_permitted");

    let err = as_customer
        .void_order(pb::VoidOrderRequest {
            header: Some(pb_header("void-1")),
            order_id: "CS1".into(),
            reason: "provisioning failed".into(),
        })
        .await
        .expect_err("customers do not void");
    assert_eq!(err.code(), Code::PermissionDenied);
    assert_eq!(server.state().store.head(), head, "refusals record nothing");
    server.shutdown().await;
}

#[tokio::test]
async fn subscribe_streams_the_log_with_its_hash_chain_then_live_events() {
    let server = TestServer::start().await;
    let key = server.create_key(Role::Service);
    let mut commands = server.commands(key.token.expose()).await;
    pb_onboard(&mut commands, CUSTOMER).await;
    let mut queries = server.queries(key.token.expose()).await;
    let mut stream = queries
        .subscribe(pb::SubscribeRequest { from_position: 1 })
        .await
        .expect("subscribed")
        .into_inner();
    let mut seen = Vec::new();
    for _ in 0..3 {
        seen.push(stream.next().await.expect("an event").expect("ok"));
    }
    commands
        .place_order(pb_place_order("place-1", CUSTOMER, "CS1"))
        .await
        .unwrap();
    seen.push(stream.next().await.expect("live event").expect("ok"));

    let types: Vec<&str> = seen.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "CustomerRegistered",
            "RealNameCertified",
            "RemittanceAccountSet",
            "OrderPlaced"
        ]
    );
    for (i, pair) in seen.windows(2).enumerate() {
        assert_eq!(pair[0].position + 1, pair[1].position, "contiguous at {i}");
        assert_eq!(pair[0].hash, pair[1].prev_hash, "chained at {i}");
    }
    let placed: serde_json::Value = serde_json::from_str(&seen[3].json).unwrap();
    assert_eq!(
        placed["OrderPlaced"]["spec"]["amount_due"],
        serde_json::json!("85.00"),
        "money travels as a decimal string"
    );
    assert_eq!(seen[3].command_id, "place-1");
    assert!(seen[3].actor.starts_with("service:"));
    server.shutdown().await;
}

/// The hole issue 9 names: a customer token streamed every tenant's events
/// (other customers' orders, certified names and bank accounts). Now a
/// customer key follows only its own tenant's records, from history and
/// live; a service key still sees everything.
#[tokio::test]
async fn a_customer_subscription_streams_only_its_own_tenants_events() {
    let server = TestServer::start().await;
    let service = server.create_key(Role::Service);
    let mut commands = server.commands(service.token.expose()).await;
    pb_onboard(&mut commands, CUSTOMER).await;
    pb_onboard(&mut commands, OTHER_CUSTOMER).await;
    let place = |id: &str, customer: &str, order: &str| pb_place_order(id, customer, order);
    commands
        .place_order(place("p-mine-1", CUSTOMER, "CS24MINE0001"))
        .await
        .expect("placed");
    commands
        .place_order(place("p-other-1", OTHER_CUSTOMER, "CS24OTHR0001"))
        .await
        .expect("placed");

    let key = server.create_key(Role::Customer {
        domain_id: CUSTOMER.parse().unwrap(),
    });
    let mut queries = server.queries(key.token.expose()).await;
    let mut mine = queries
        .subscribe(pb::SubscribeRequest { from_position: 1 })
        .await
        .expect("a customer subscribes")
        .into_inner();
    // Live: another tenant's event, then one of ours that ends the read.
    commands
        .place_order(place("p-other-2", OTHER_CUSTOMER, "CS24OTHR0002"))
        .await
        .expect("placed");
    commands
        .place_order(place("p-mine-2", CUSTOMER, "CS24MINE0002"))
        .await
        .expect("placed");
    let mut seen = Vec::new();
    loop {
        let r = mine.next().await.expect("an event").expect("ok");
        let last = r.stream_id == "order-CS24MINE0002";
        seen.push(r);
        if last {
            break;
        }
    }
    let streams: Vec<&str> = seen.iter().map(|r| r.stream_id.as_str()).collect();
    let own = format!("customer-{CUSTOMER}");
    assert_eq!(
        streams,
        [
            own.as_str(),
            own.as_str(),
            own.as_str(),
            "order-CS24MINE0001",
            "order-CS24MINE0002"
        ]
    );
    assert!(seen.iter().all(|r| !r.json.contains(OTHER_CUSTOMER)));
    // Positions are the log's: the other tenant's records are gaps.
    assert!(seen.windows(2).any(|w| w[1].position > w[0].position + 1));

    let mut all = server
        .queries(service.token.expose())
        .await
        .subscribe(pb::SubscribeRequest { from_position: 1 })
        .await
        .expect("a service subscribes")
        .into_inner();
    let mut others = 0;
    loop {
        let r = all.next().await.expect("an event").expect("ok");
        others += usize::from(r.json.contains(OTHER_CUSTOMER) || r.stream_id.contains("OTHR"));
        if r.stream_id == "order-CS24MINE0002" {
            break;
        }
    }
    assert_eq!(others, 5, "a service sees the other tenant's 3 + 2 events");
    server.shutdown().await;
}

#[tokio::test]
async fn administration_is_for_operators_and_rebuilds_report_progress() {
    let server = TestServer::start().await;
    let service = server.create_key(Role::Service);
    let operator = server.create_key(Role::Operator);
    let mut commands = server.commands(service.token.expose()).await;
    pb_onboard(&mut commands, CUSTOMER).await;

    let err = server
        .admin(service.token.expose())
        .await
        .head(pb::HeadRequest {})
        .await
        .expect_err("services do not administer");
    assert_eq!(err.code(), Code::PermissionDenied);
    let err = server
        .admin(service.token.expose())
        .await
        .signed_head(pb::SignedHeadRequest {})
        .await
        .expect_err("services do not administer");
    assert_eq!(err.code(), Code::PermissionDenied);

    let mut admin = server.admin(operator.token.expose()).await;
    let head = admin.head(pb::HeadRequest {}).await.unwrap().into_inner();
    let store_head = server.state().store.head();
    assert_eq!(head.position, store_head.position.0);
    assert_eq!(head.hash, store_head.hash.to_hex());

    // The signed tree head, once the merkle view has the whole log.
    server
        .state()
        .projector
        .wait_for(
            &["merkle"],
            store_head.position,
            std::time::Duration::from_secs(5),
        )
        .await
        .unwrap();
    let signed = admin
        .signed_head(pb::SignedHeadRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(signed.tree_size, head.position);
    assert_eq!(signed.log_position, head.position);
    assert_eq!(signed.log_hash, head.hash);
    let as_file = serde_json::json!({
        "format": ledger_ops::proofs::HEAD_FORMAT,
        "tree_size": signed.tree_size,
        "root": signed.root,
        "log_position": signed.log_position,
        "log_hash": signed.log_hash,
        "timestamp_ms": signed.timestamp_ms,
        "key_id": signed.key_id,
        "public_key": signed.public_key,
        "signature": signed.signature,
    });
    let key = server.state().data_dir.log_key().unwrap().verifying_key();
    ledger_ops::proofs::check_proof(as_file.to_string().as_bytes(), &[key])
        .expect("the server's signed head verifies under its log key");

    let status = admin
        .projection_status(pb::ProjectionStatusRequest {})
        .await
        .unwrap()
        .into_inner();
    let names: Vec<&str> = status.projections.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["contracts", "coupons", "deadlines", "merkle", "orders"]
    );

    let mut progress = admin
        .rebuild_projection(pb::RebuildProjectionRequest { name: "all".into() })
        .await
        .unwrap()
        .into_inner();
    let mut finished = Vec::new();
    while let Some(p) = progress.next().await {
        let p = p.expect("rebuild step");
        if p.finished {
            assert_eq!(p.done, head.position);
            finished.push(p.name);
        }
    }
    assert_eq!(
        finished,
        ["contracts", "coupons", "deadlines", "merkle", "orders"]
    );

    let err = admin
        .rebuild_projection(pb::RebuildProjectionRequest {
            name: "nope".into(),
        })
        .await
        .expect_err("unknown projection");
    assert_eq!(err.code(), Code::NotFound);
    server.shutdown().await;
}

#[tokio::test]
async fn health_readiness_and_metrics_answer_over_http() {
    let server = TestServer::start().await;
    let key = server.create_key(Role::Service);
    let mut commands = server.commands(key.token.expose()).await;
    pb_onboard(&mut commands, CUSTOMER).await;
    let _ = commands.pay_order(pay("pay-x", "CS-none", "1.00")).await;
    // A repeated command id: a dedup hit, no append.
    let again = commands
        .register_customer(pb::RegisterCustomerRequest {
            header: Some(pb_header(&format!("register-{CUSTOMER}"))),
            customer_id: CUSTOMER.into(),
            name: format!("{CUSTOMER} ltd"),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(again.deduplicated);
    let http = reqwest::Client::new();
    let base = server.http_url();

    let health = http.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert!(health.headers().contains_key("x-request-id"));
    server
        .state()
        .projector
        .wait_for(
            &["orders", "contracts", "deadlines"],
            server.state().store.head().position,
            std::time::Duration::from_secs(5),
        )
        .await
        .unwrap();
    let ready = http.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);

    // Issue 9: /metrics is behind an operator token. No token, a
    // service's or a customer's: refused; an operator's, as Prometheus
    // sends it (`Authorization: Bearer`) or as `X-Auth-Token`: answered.
    let anonymous = http.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(anonymous.status(), 403);
    let body: serde_json::Value = anonymous.json().await.unwrap();
    assert_eq!(body["error_code"], "CBC.0155");
    let customer = server.create_key(Role::Customer {
        domain_id: CUSTOMER.parse().unwrap(),
    });
    for refused in [&key, &customer] {
        let res = http
            .get(format!("{base}/metrics"))
            .bearer_auth(refused.token.expose())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error_code"], "CBC.0151");
    }
    let operator = server.create_key(Role::Operator);
    let by_header = http
        .get(format!("{base}/metrics"))
        .header("X-Auth-Token", operator.token.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(by_header.status(), 200);
    let metrics = http
        .get(format!("{base}/metrics"))
        .bearer_auth(operator.token.expose())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        r#"order_ledger_commands_total{command="RegisterCustomer",outcome="accepted"} 1"#,
        r#"order_ledger_commands_total{command="PayOrder",outcome="order_not_found"} 1"#,
        r#"order_ledger_projection_lag_events{projection="orders"} 0"#,
        "order_ledger_command_duration_seconds_bucket",
        r#"order_ledger_append_duration_seconds_count{result="ok"} 3"#,
        "order_ledger_log_head_position 3",
        "order_ledger_command_dedup_hits_total 1",
        "order_ledger_command_conflicts_total 0",
        // Each of the three appends waited for its own sync round.
        "order_ledger_store_fsync_duration_seconds_count 3",
        "order_ledger_store_round_appends_sum 3",
        "order_ledger_store_queue_wait_seconds_bucket",
        "order_ledger_timer_overdue_seconds 0",
        "order_ledger_state_cache_misses_total",
        "order_ledger_process_resident_memory_bytes ",
    ] {
        assert!(metrics.contains(line), "metrics lack {line}:\n{metrics}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn a_restart_keeps_the_log_keys_and_command_ids() {
    let mut server = TestServer::start().await;
    let key = server.create_key(Role::Service);
    let mut commands = server.commands(key.token.expose()).await;
    pb_onboard(&mut commands, CUSTOMER).await;
    let placed = commands
        .place_order(pb_place_order("place-1", CUSTOMER, "CS1"))
        .await
        .unwrap()
        .into_inner();
    let head = server.state().store.head();
    drop(commands);

    server.restart().await;
    assert_eq!(server.state().store.head(), head);
    let mut commands = server.commands(key.token.expose()).await;
    let again = commands
        .place_order(pb_place_order("place-1", CUSTOMER, "CS1"))
        .await
        .expect("same key still works")
        .into_inner();
    assert!(again.deduplicated, "command ids survive a restart");
    assert_eq!(again.position, placed.position);
    server.shutdown().await;
}

#[tokio::test]
async fn rest_requests_without_credentials_are_refused_in_the_huawei_error_shape() {
    let server = TestServer::start().await;
    let http = reqwest::Client::new();
    let base = server.http_url();

    let res = http
        .get(format!("{base}/v2/orders/customer-orders"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.headers().contains_key("x-request-id"));
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error_code"], "CBC.0155");

    let res = http
        .get(format!("{base}/v2/orders/customer-orders"))
        .header("X-Auth-Token", "olt_wrong")
        .header("X-Request-Id", "req-42")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(
        res.headers()["x-request-id"],
        "req-42",
        "a client's id is kept"
    );

    let key = server.create_key(Role::Service);
    let res = http
        .get(format!("{base}/no/such/resource"))
        .header("X-Auth-Token", key.token.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], "not_found");
    server.shutdown().await;
}
