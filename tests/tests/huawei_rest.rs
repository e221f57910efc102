//! The Huawei order API on the real server (port 0, temp data dir, manual
//! clock), called with SDK-style signatures: details and their paging, pay
//! and cancel (204, then the new status), the order codes, tenants,
//! unknown orders, exact amounts, request ids, signatures and a restart.

mod huawei_common;

use chrono::Duration;
use huawei_common::*;
use ledger_auth::{Credentials, Role, SecretKey};
use ledger_domain::catalog::OrderType;
use ledger_domain::order::ExpireOrder;
use ledger_domain::{Actor, Command};
use reqwest::Method;
use serde_json::Value;
use tests::server::{Signer, TestServer};
use tests::t0;

const A: &str = "custa0001";
const B: &str = "custb0002";
const EBS: &str = "hws.service.type.ebs";
/// What A's account holds after setup (enough for the huge order too).
const A_FUNDS: &str = "100000000000000000.00";

/// Customers A and B, each with unpaid orders, and a client for each.
/// A's `CSA3LINES` has three lines. A's account holds
/// [`A_FUNDS`]; B's nothing.
async fn setup(server: &TestServer) -> (Signer, Signer) {
    onboard_customer(server, A).await;
    onboard_customer(server, B).await;
    let deadline = t0() + Duration::days(7);
    for (customer, id) in [(A, "CSA0001"), (A, "CSA0002"), (B, "CSB0001")] {
        let o = order(customer, id, OrderType::Purchase, EBS, &[PLAIN], deadline);
        run(server, o).await;
    }
    let three = order(
        A,
        "CSA3LINES",
        OrderType::Renewal,
        EBS,
        &[PLAIN, PLAIN, PLAIN],
        deadline,
    );
    run(server, three).await;
    run(server, credit(A, "TOP-A1", A_FUNDS)).await;
    (customer_client(server, A), customer_client(server, B))
}

fn pay_body(order: &str) -> String {
    format!(r#"{{"order_id":"{order}","use_coupon":"NO","use_discount":"NO"}}"#)
}

fn cancel_body(order: &str) -> String {
    format!(r#"{{"order_id":"{order}"}}"#)
}

const PAY: &str = "/v3/orders/customer-orders/pay";
const BALANCES: &str = "/v2/accounts/customer-accounts/balances";
const COUPONS: &str = "/v2/promotions/benefits/coupons";
const CANCEL: &str = "/v2/orders/customer-orders/cancel";

/// The payment service: the only actor the role table lets record a
/// payment through the channel (`PayOrder`).
fn payer(server: &TestServer) -> Signer {
    key_client(server, Role::Service)
}

async fn pay_over_rest(server: &TestServer, c: &Signer, body: &str) -> Answer {
    call(server, c, Method::POST, PAY, Some(body)).await
}

async fn cancel_over_rest(server: &TestServer, c: &Signer, order: &str) -> Answer {
    call(server, c, Method::PUT, CANCEL, Some(&cancel_body(order))).await
}

async fn details(server: &TestServer, c: &Signer, order: &str) -> Value {
    let path = format!("/v2/orders/customer-orders/details/{order}");
    get(server, c, &path).await.assert_ok().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn details_show_the_order_and_page_its_line_items() {
    let server = TestServer::start().await;
    let (a, _) = setup(&server).await;
    let d = details(&server, &a, "CSA3LINES").await;
    assert_eq!(d["total_count"], 3);
    let info = &d["order_info"];
    assert_eq!(info["order_id"], "CSA3LINES");
    assert_eq!(info["status"], 6);
    assert_eq!(info["order_type"], 2);
    assert_eq!(info["official_amount"], 300.0);
    assert_eq!(info["pending_payment_end_time"], "2024-11-29T08:00:00Z");
    assert_eq!(info["create_time"], "2024-11-22T08:00:00Z");
    assert_eq!(info["user_name"], Value::Null);
    let lines = d["order_line_items"].as_array().unwrap();
    assert_eq!(lines.len(), 3);
    let first = &lines[0];
    assert_eq!(first["order_line_item_id"], "CSA3LINES-000001");
    assert_eq!(first["order_id"], "CSA3LINES");
    assert_eq!(first["period_type"], 2);
    assert_eq!(first["period_num"], 1);
    assert_eq!(first["subscription_num"], 1);
    assert_eq!(first["product_spec_desc"], "Common I/O, 100 GB");
    assert_eq!(first["amount_info"]["coupon_amount"], 5.0);

    let path = "/v2/orders/customer-orders/details/CSA3LINES";
    let page = get(&server, &a, &format!("{path}?limit=2&offset=1"))
        .await
        .assert_ok()
        .clone();
    assert_eq!(page["total_count"], 3);
    let ids: Vec<&str> = page["order_line_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["order_line_item_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["CSA3LINES-000002", "CSA3LINES-000003"]);
    for (query, cbc) in [
        ("limit=0", "CBC.0101"),
        ("limit=101", "CBC.0101"),
        ("limit=ten", "CBC.0100"),
        ("offset=-1", "CBC.0101"),
    ] {
        let answer = get(&server, &a, &format!("{path}?{query}")).await;
        answer.assert_error(400, cbc);
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pay_answers_204_and_the_order_is_then_completed() {
    let server = TestServer::start().await;
    let (a, _) = setup(&server).await;
    let paid = pay_over_rest(&server, &payer(&server), &pay_body("CSA0001")).await;
    assert_eq!(paid.status.as_u16(), 204, "{}", paid.text);
    assert!(paid.text.is_empty());
    let d = details(&server, &a, "CSA0001").await;
    assert_eq!(d["order_info"]["status"], 5);
    assert_eq!(d["order_info"]["payment_time"], "2024-11-22T08:00:00Z");
    assert_eq!(d["order_info"]["pending_payment_end_time"], Value::Null);

    // Another payment of an order paid from the balance is the same
    // payment: 204, and nothing is debited again.
    let head = server.state().store.head().position;
    let again = pay_over_rest(&server, &payer(&server), &pay_body("CSA0001")).await;
    assert_eq!(again.status.as_u16(), 204, "{}", again.text);
    assert_eq!(
        server.state().store.head().position,
        head,
        "no double debit"
    );

    // A retry with the same idempotency key is recorded once.
    let p = payer(&server);
    for _ in 0..2 {
        let res = send(
            p.request(Method::POST, PAY, Some(&pay_body("CSA0002")), now(&server))
                .header("X-Idempotency-Key", "retry-1"),
        )
        .await;
        assert_eq!(res.status.as_u16(), 204, "{}", res.text);
    }
    // The key may come as X-Request-Id too: the same key, the same command.
    let head = server.state().store.head().position;
    let again = send(
        p.request(Method::POST, PAY, Some(&pay_body("CSA0002")), now(&server))
            .header("X-Request-Id", "retry-1"),
    )
    .await;
    assert_eq!(again.status.as_u16(), 204, "{}", again.text);
    assert_eq!(
        server.state().store.head().position,
        head,
        "nothing written"
    );
    // Without a key it is a new command, and still no second debit.
    let res = pay_over_rest(&server, &payer(&server), &pay_body("CSA0002")).await;
    assert_eq!(res.status.as_u16(), 204, "{}", res.text);
    assert_eq!(
        server.state().store.head().position,
        head,
        "nothing written"
    );
    let balances = get(&server, &a, BALANCES).await;
    assert_eq!(balances.status.as_u16(), 200, "{}", balances.text);
    assert!(
        balances.text.contains("\"amount\":99999999999999830.00,"),
        "two orders of 85.00 debited once each: {}",
        balances.text
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_pays_only_with_its_own_money() {
    let server = TestServer::start().await;
    let (a, b) = setup(&server).await;
    let head = server.state().store.head().position;
    // Issue 9: the pay route marked an order paid for any customer that
    // asked, with no money moving. Now it pays from the customer's balance:
    // B has none.
    let answer = pay_over_rest(&server, &b, &pay_body("CSB0001")).await;
    answer.assert_error(400, "CBC.99005003");
    assert_eq!(answer.json["code"], "insufficient_balance");
    assert_eq!(
        server.state().store.head().position,
        head,
        "nothing written"
    );
    assert_eq!(
        details(&server, &b, "CSB0001").await["order_info"]["status"],
        6
    );
    // Nor may B spend A's balance on A's order.
    pay_over_rest(&server, &b, &pay_body("CSA0001"))
        .await
        .assert_error(403, "CBC.0151");
    // A pays its own order from its own balance.
    let paid = pay_over_rest(&server, &a, &pay_body("CSA0001")).await;
    assert_eq!(paid.status.as_u16(), 204, "{}", paid.text);
    assert_eq!(
        details(&server, &a, "CSA0001").await["order_info"]["status"],
        5
    );
    let balances = get(&server, &a, BALANCES).await;
    let account = &balances.json["account_balances"][0];
    assert_eq!(account["account_type"], 1);
    assert_eq!(account["currency"], "USD");
    assert!(
        balances.text.contains("\"amount\":99999999999999915.00,"),
        "{}",
        balances.text
    );
    let b_balances = get(&server, &b, BALANCES).await;
    assert!(
        b_balances.text.contains("\"amount\":0,"),
        "{}",
        b_balances.text
    );
    assert_eq!(b_balances.json["debt_amount"], 0);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coupons_are_listed_used_once_and_paid_with() {
    use ledger_domain::catalog::VoucherKind;
    let server = TestServer::start().await;
    let (a, b) = setup(&server).await;
    run(&server, coupon("CP-A1", A, VoucherKind::Coupon, "20.00")).await;
    run(
        &server,
        coupon("CP-A2", A, VoucherKind::CashCoupon, "100.00"),
    )
    .await;
    let list = get(&server, &a, COUPONS).await;
    assert_eq!(list.status.as_u16(), 200, "{}", list.text);
    assert_eq!(list.json["count"], 2);
    let first = &list.json["user_coupons"][0];
    assert_eq!(first["coupon_id"], "CP-A1");
    assert_eq!(
        (first["status"].clone(), first["coupon_type"].clone()),
        (2.into(), 1.into())
    );
    assert_eq!(first["coupon_version"], 1);
    assert_eq!(first["balance"], Value::Null);
    assert_eq!(list.json["user_coupons"][1]["coupon_version"], 2);
    // B sees none of A's coupons, and may not ask for A's.
    assert_eq!(get(&server, &b, COUPONS).await.json["count"], 0);
    get(&server, &b, &format!("{COUPONS}?customer_id={A}"))
        .await
        .assert_error(403, "CBC.0151");

    let with = |order: &str, id: &str, kind: u16| {
        format!(
            r#"{{"order_id":"{order}","use_coupon":"YES","use_discount":"NO","coupon_infos":[{{"id":"{id}","type":{kind}}}]}}"#
        )
    };
    let paid = pay_over_rest(&server, &a, &with("CSA0001", "CP-A1", 301)).await;
    assert_eq!(paid.status.as_u16(), 204, "{}", paid.text);
    let used = get(&server, &a, &format!("{COUPONS}?status=3")).await;
    assert_eq!(used.json["count"], 1, "{}", used.text);
    assert_eq!(used.json["user_coupons"][0]["order_id"], "CSA0001");
    // A single-use coupon twice: Huawei's 99003112, nothing written.
    let head = server.state().store.head().position;
    pay_over_rest(&server, &a, &with("CSA0002", "CP-A1", 301))
        .await
        .assert_error(400, "CBC.99003112");
    // Another customer's coupon is unknown to B.
    pay_over_rest(&server, &b, &with("CSB0001", "CP-A2", 302))
        .await
        .assert_error(404, "CBC.0101");
    assert_eq!(
        server.state().store.head().position,
        head,
        "nothing written"
    );
    // A flexi-purchase coupon keeps its rest.
    let paid = pay_over_rest(&server, &a, &with("CSA0002", "CP-A2", 302)).await;
    assert_eq!(paid.status.as_u16(), 204, "{}", paid.text);
    let flexi = get(&server, &a, &format!("{COUPONS}?coupon_id=CP-A2")).await;
    assert!(flexi.text.contains("\"balance\":15.00"), "{}", flexi.text);
    // The balance paid 85.00 - 20.00 for the first order, nothing for the second.
    let balances = get(&server, &a, BALANCES).await;
    assert!(
        balances.text.contains("\"amount\":99999999999999935.00,"),
        "{}",
        balances.text
    );
    for (query, cbc) in [
        ("coupon_type=9", "CBC.0101"),
        ("status=0", "CBC.0101"),
        ("limit=101", "CBC.0101"),
        ("offset=x", "CBC.0100"),
    ] {
        get(&server, &a, &format!("{COUPONS}?{query}"))
            .await
            .assert_error(400, cbc);
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_answers_204_and_a_paid_order_cannot_be_cancelled() {
    let server = TestServer::start().await;
    let (a, _) = setup(&server).await;
    let res = cancel_over_rest(&server, &a, "CSA0001").await;
    assert_eq!(res.status.as_u16(), 204, "{}", res.text);
    assert!(res.text.is_empty());
    assert_eq!(
        details(&server, &a, "CSA0001").await["order_info"]["status"],
        4
    );
    // Cancelling again changes nothing.
    let res = cancel_over_rest(&server, &a, "CSA0001").await;
    assert_eq!(res.status.as_u16(), 204, "{}", res.text);
    // Paying a cancelled order: status changed.
    pay_over_rest(&server, &payer(&server), &pay_body("CSA0001"))
        .await
        .assert_error(400, "CBC.99003106");

    run(&server, pay("CSA0002", "85.00")).await;
    cancel_over_rest(&server, &a, "CSA0002")
        .await
        .assert_error(400, "CBC.99005010");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paying_after_the_deadline_is_refused() {
    let server = TestServer::start().await;
    let (a, _) = setup(&server).await;
    let deadline = t0() + Duration::hours(1);
    let o = order(A, "CSADUE", OrderType::Purchase, EBS, &[PLAIN], deadline);
    run(&server, o).await;
    server.clock.set(deadline + Duration::minutes(1));
    // Whether or not the timer has expired it yet, the answer is the same.
    pay_over_rest(&server, &payer(&server), &pay_body("CSADUE"))
        .await
        .assert_error(400, "CBC.99003110");
    // Once expired (by the timer or here, whichever comes first), too.
    let expire = Command::ExpireOrder(ExpireOrder {
        order_id: "CSADUE".parse().unwrap(),
    });
    run_as(&server, Actor::System, expire).await;
    assert_eq!(
        details(&server, &a, "CSADUE").await["order_info"]["status"],
        4
    );
    pay_over_rest(&server, &payer(&server), &pay_body("CSADUE"))
        .await
        .assert_error(400, "CBC.99003110");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_tenants_orders_are_forbidden_and_unknown_ones_not_found() {
    let server = TestServer::start().await;
    let (a, b) = setup(&server).await;
    let head = server.state().store.head().position;
    for (client, order) in [(&a, "CSB0001"), (&b, "CSA0001")] {
        for path in [
            format!("/v2/orders/customer-orders/details/{order}"),
            format!("/v2/orders/customer-orders/order-discounts?order_id={order}"),
            format!("/v1.0/{A}/common/order-mgr/orders/{order}"),
        ] {
            get(&server, client, &path)
                .await
                .assert_error(403, "CBC.0151");
        }
        pay_over_rest(&server, client, &pay_body(order))
            .await
            .assert_error(403, "CBC.0151");
        cancel_over_rest(&server, client, order)
            .await
            .assert_error(403, "CBC.0151");
    }
    assert_eq!(
        server.state().store.head().position,
        head,
        "nothing written"
    );

    for path in [
        "/v2/orders/customer-orders/details/CSNONE".to_owned(),
        "/v2/orders/customer-orders/order-discounts?order_id=CSNONE".to_owned(),
        format!("/v1.0/{A}/common/order-mgr/orders/CSNONE"),
    ] {
        get(&server, &a, &path).await.assert_error(404, "CBC.0101");
    }
    pay_over_rest(&server, &a, &pay_body("CSNONE"))
        .await
        .assert_error(404, "CBC.0101");
    cancel_over_rest(&server, &a, "CSNONE")
        .await
        .assert_error(404, "CBC.0101");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_bodies_and_coupons_are_refused() {
    let server = TestServer::start().await;
    let (a, _) = setup(&server).await;
    for (body, cbc) in [
        ("not json", "CBC.0100"),
        (r#"{"use_coupon":"NO","use_discount":"NO"}"#, "CBC.0100"),
        (r#"{"order_id":"CSA0001","use_discount":"NO"}"#, "CBC.0100"),
        (
            r#"{"order_id":"CSA0001","use_coupon":"MAYBE","use_discount":"NO"}"#,
            "CBC.0100",
        ),
        (
            r#"{"order_id":"CSA0001","use_coupon":"YES","use_discount":"NO"}"#,
            "CBC.0100",
        ),
        (
            r#"{"order_id":"CSA0001","use_coupon":"NO","use_discount":"NO","coupon_infos":[{"id":"c1","type":301}]}"#,
            "CBC.0100",
        ),
        (
            r#"{"order_id":"CSA0001","use_coupon":"YES","use_discount":"NO","coupon_infos":[{"id":"c1","type":299}]}"#,
            "CBC.0100",
        ),
        (
            r#"{"order_id":"CSA0001","use_coupon":"NO","use_discount":"YES","discount_infos":[{"id":"d1","type":0}]}"#,
            "CBC.0101",
        ),
        (
            r#"{"order_id":"CS 1","use_coupon":"NO","use_discount":"NO"}"#,
            "CBC.0100",
        ),
    ] {
        let answer = pay_over_rest(&server, &a, body).await;
        assert_eq!(answer.status.as_u16(), 400, "{body}: {}", answer.text);
        assert_eq!(answer.json["error_code"], cbc, "{body}: {}", answer.text);
    }
    call(&server, &a, Method::PUT, CANCEL, Some("{}"))
        .await
        .assert_error(400, "CBC.0100");
    assert_eq!(
        details(&server, &a, "CSA0001").await["order_info"]["status"],
        6
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn order_discounts_are_the_recorded_ones_and_pay_accepts_them() {
    let server = TestServer::start().await;
    let (a, _) = setup(&server).await;
    let path = "/v2/orders/customer-orders/order-discounts?order_id=CSA3LINES";
    let body = get(&server, &a, path).await.assert_ok().clone();
    let discounts = body["discounts"].as_array().unwrap();
    assert_eq!(discounts.len(), 1, "{body}");
    let d = &discounts[0];
    assert_eq!(d["discount_id"], "CSA3LINES.301");
    assert_eq!(d["discount_type"], 0);
    assert_eq!(d["discount_value"], "30.00");
    let line = &d["orders"][0]["order_line_items"][0];
    assert_eq!(d["orders"][0]["order_id"], "CSA3LINES");
    assert_eq!(line["order_line_item_ids"].as_array().unwrap().len(), 3);
    assert_eq!(line["discount_mode"], 2);
    assert_eq!(line["discount_amount"], 30.0);
    get(&server, &a, "/v2/orders/customer-orders/order-discounts")
        .await
        .assert_error(400, "CBC.0100");

    let body = r#"{"order_id":"CSA3LINES","use_coupon":"NO","use_discount":"YES","discount_infos":[{"id":"CSA3LINES.301","type":0}]}"#;
    let res = pay_over_rest(&server, &payer(&server), body).await;
    assert_eq!(res.status.as_u16(), 204, "{}", res.text);
    assert_eq!(
        details(&server, &a, "CSA3LINES").await["order_info"]["status"],
        5
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amounts_are_exact_decimals_never_floats() {
    let server = TestServer::start().await;
    let (a, _) = setup(&server).await;
    let deadline = t0() + Duration::days(7);
    let tiny = Line {
        list: "0.1",
        discount: "0",
        coupon: "0",
    };
    let small = Line {
        list: "0.2",
        discount: "0.00000001",
        coupon: "0",
    };
    let huge = Line {
        list: "12345678901234567.12345678",
        discount: "0",
        coupon: "0.00000001",
    };
    let o = order(
        A,
        "CSAEXACT",
        OrderType::Purchase,
        EBS,
        &[tiny, small],
        deadline,
    );
    run(&server, o).await;
    let o = order(A, "CSAHUGE", OrderType::Purchase, EBS, &[huge], deadline);
    run(&server, o).await;

    let text = get(&server, &a, "/v2/orders/customer-orders/details/CSAEXACT")
        .await
        .text;
    for exact in [
        "\"official_amount\":0.3,",
        "\"amount_after_discount\":0.29999999,",
        "\"official_amount\":0.1,",
        "\"discount_amount\":0.00000001",
    ] {
        assert!(text.contains(exact), "{exact} in {text}");
    }
    let text = get(&server, &a, "/v2/orders/customer-orders?order_id=CSAHUGE")
        .await
        .text;
    assert!(
        text.contains("\"official_amount\":12345678901234567.12345678,"),
        "{text}"
    );
    assert!(text.contains("\"coupon_amount\":0.00000001,"), "{text}");
    let text = get(
        &server,
        &a,
        &format!("/v1.0/{A}/common/order-mgr/orders/CSAEXACT"),
    )
    .await
    .text;
    assert!(text.contains("\"currencyOfficial\":0.3,"), "{text}");
    // Paying pays the exact amount due.
    let res = pay_over_rest(&server, &payer(&server), &pay_body("CSAHUGE")).await;
    assert_eq!(res.status.as_u16(), 204, "{}", res.text);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_carries_a_request_id() {
    let server = TestServer::start().await;
    let (a, _) = setup(&server).await;
    let ok = get(&server, &a, "/v2/orders/customer-orders").await;
    assert!(!ok.headers["x-request-id"].is_empty());
    let refused = get(&server, &a, "/v2/orders/customer-orders?limit=0").await;
    assert!(!refused.headers["x-request-id"].is_empty());
    assert_ne!(ok.headers["x-request-id"], refused.headers["x-request-id"]);
    let paid = send(
        payer(&server)
            .request(Method::POST, PAY, Some(&pay_body("CSA0001")), now(&server))
            .header("X-Request-Id", "req-42"),
    )
    .await;
    assert_eq!(paid.status.as_u16(), 204, "{}", paid.text);
    assert_eq!(paid.headers["x-request-id"], "req-42");
    server.shutdown().await;
}

fn with_secret(c: &Signer, secret: &str) -> Signer {
    let creds = Credentials {
        secret_key: SecretKey::new(secret),
        ..c.creds.clone()
    };
    Signer::new(c.base_url.clone(), creds, &c.domain_id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_signatures_stale_dates_and_no_credentials_are_refused() {
    let server = TestServer::start().await;
    let (a, _) = setup(&server).await;
    let list = "/v2/orders/customer-orders";
    let wrong = with_secret(&a, "not-the-secret");
    get(&server, &wrong, list)
        .await
        .assert_error(403, "CBC.0155");
    let stale = a.request(
        Method::GET,
        list,
        None,
        now(&server) - Duration::minutes(16),
    );
    send(stale).await.assert_error(403, "CBC.0155");
    // A signed body that is then changed.
    let signed = a.request(Method::POST, PAY, Some(&pay_body("CSA0002")), now(&server));
    let tampered = signed.body(pay_body("CSA0001"));
    send(tampered).await.assert_error(403, "CBC.0155");
    let anonymous = a.client.get(format!("{}{list}", a.base_url));
    send(anonymous).await.assert_error(403, "CBC.0155");
    assert_eq!(
        details(&server, &a, "CSA0001").await["order_info"]["status"],
        6
    );

    // The key's bearer token works as X-Auth-Token.
    let by_token = a
        .client
        .get(format!("{}{list}?status=6", a.base_url))
        .header("X-Auth-Token", a.creds.token.expose());
    let answer = send(by_token).await;
    assert_eq!(answer.assert_ok()["total_count"], 3);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_old_v1_0_details_follow_the_seed() {
    let server = TestServer::start().await;
    let (a, b) = setup(&server).await;
    let path = format!("/v1.0/{A}/common/order-mgr/orders/CSA3LINES");
    let page1 = get(&server, &a, &path).await.assert_ok().clone();
    assert_eq!(page1["error_code"], "CBC.0000");
    assert_eq!(page1["error_msg"], "success");
    assert_eq!(page1["count"], 3);
    let info = &page1["orderInfo"];
    assert_eq!(info["orderId"], "CSA3LINES");
    assert_eq!(info["customerId"], A);
    assert_eq!(info["status"], 6);
    assert_eq!(info["orderType"], 2);
    assert_eq!(info["sourceType"], 1);
    assert_eq!(info["currency"], 300.0);
    assert_eq!(info["currencyOfficial"], 300.0);
    assert_eq!(info["currencyAfterDiscount"], 270.0);
    assert_eq!(info["currencyType"], "USD");
    assert_eq!(info["measureId"], 1);
    assert_eq!(info["needAudit"], false);
    assert_eq!(info["serviceType"], EBS);
    assert_eq!(info["createTime"], "2024-11-22T08:00:00Z");
    assert_eq!(info["paymentTime"], Value::Null);
    assert_eq!(info["amountInfo"]["discountList"][0]["discountType"], "301");
    assert_eq!(info["amountInfo"]["couponAmount"], 15.0);
    let items = page1["orderlineItems"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["orderLineItemId"], "CSA3LINES-000001");
    assert_eq!(items[0]["cloudServiceType"], EBS);
    assert_eq!(items[0]["periodType"], 2);
    assert_eq!(items[0]["currencyType"], "USD");

    let item_ids = |v: &Value| -> Vec<String> {
        v["orderlineItems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["orderLineItemId"].as_str().unwrap().to_owned())
            .collect()
    };
    // offset is a page number; orderInfo only on page 1.
    let page2 = get(&server, &a, &format!("{path}?offset=2&limit=2"))
        .await
        .assert_ok()
        .clone();
    assert_eq!(page2["orderInfo"], Value::Null);
    assert_eq!(page2["count"], 3);
    assert_eq!(item_ids(&page2), ["CSA3LINES-000003"]);
    let big = get(&server, &a, &format!("{path}?offset=1000001&limit=1"))
        .await
        .assert_ok()
        .clone();
    assert_eq!(big["orderInfo"]["orderId"], "CSA3LINES");
    assert_eq!(item_ids(&big), ["CSA3LINES-000001"]);
    let null = get(&server, &a, &format!("{path}?offset=null&limit=null"))
        .await
        .assert_ok()
        .clone();
    assert_eq!(null["orderInfo"], Value::Null);
    assert_eq!(item_ids(&null).len(), 3);
    // Seed: "If this parameter is left empty or is set to null, the value
    // of orderInfo in the response is null" (offset); "is left empty, or is
    // set to null, the value 10 is used" (limit).
    let empty = get(&server, &a, &format!("{path}?offset=&limit="))
        .await
        .assert_ok()
        .clone();
    assert_eq!(empty["orderInfo"], Value::Null);
    assert_eq!(empty["count"], 3);
    assert_eq!(item_ids(&empty).len(), 3);
    let empty_limit = get(&server, &a, &format!("{path}?offset=1&limit="))
        .await
        .assert_ok()
        .clone();
    assert_eq!(empty_limit["orderInfo"]["orderId"], "CSA3LINES");
    // "It cannot be set to \"\"": the two quote characters as the value.
    for (query, cbc) in [
        ("offset=%22%22", "CBC.0100"),
        ("offset=first", "CBC.0100"),
        ("offset=0", "CBC.0101"),
        ("limit=%22%22", "CBC.0100"),
        ("limit=101", "CBC.0101"),
    ] {
        get(&server, &a, &format!("{path}?{query}"))
            .await
            .assert_error(400, cbc);
    }
    // Another domain in the path.
    get(&server, &b, &path).await.assert_error(403, "CBC.0151");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_keeps_orders_payments_and_keys() {
    let mut server = TestServer::start().await;
    let (a, _) = setup(&server).await;
    let res = pay_over_rest(&server, &payer(&server), &pay_body("CSA0001")).await;
    assert_eq!(res.status.as_u16(), 204);
    let res = cancel_over_rest(&server, &a, "CSA0002").await;
    assert_eq!(res.status.as_u16(), 204);
    let before = get(&server, &a, "/v2/orders/customer-orders").await.text;

    server.restart().await;
    let a = Signer::new(server.http_url(), a.creds.clone(), A);
    let after = get(&server, &a, "/v2/orders/customer-orders").await;
    assert_eq!(after.assert_ok()["total_count"], 3);
    assert_eq!(after.text, before);
    assert_eq!(
        details(&server, &a, "CSA0001").await["order_info"]["status"],
        5
    );
    assert_eq!(
        details(&server, &a, "CSA0002").await["order_info"]["status"],
        4
    );
    server.shutdown().await;
}
