//! `GET /v2/orders/customer-orders` on the real server: every filter, sort
//! and page, the JSON types the SDK expects, whose orders a key sees, and
//! the CBC codes of bad parameters.

mod huawei_common;

use chrono::{DateTime, Duration, Utc};
use huawei_common::*;
use ledger_auth::Role;
use ledger_domain::catalog::OrderType;
use serde_json::Value;
use tests::server::{Signer, TestServer};
use tests::t0;

const A: &str = "custa0001";
const B: &str = "custb0002";

fn at(days_before_t0: i64) -> DateTime<Utc> {
    t0() - Duration::days(days_before_t0)
}

fn huawei(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Customer A's six orders (newest last) and one of customer B:
///
/// | order | placed | type | service | status |
/// |---|---|---|---|---|
/// | CSA0001 | t0−60d | purchase (1) | ebs | paid at t0−60d+1h |
/// | CSA0002 | t0−30d | renewal (2) | ebs | cancelled |
/// | CSA0003 | t0−20d | upgrade (3) | ecs | voided |
/// | CSA0004 | t0−10d | purchase (1) | ecs | unpaid |
/// | CSA0005 | t0−5d | purchase (1) | ebs | cancelled |
/// | CSA0006 | t0−1d | downgrade (3) | ebs | paid at t0−1d+2h |
/// | CSB0001 | t0−2d | purchase (1) | ebs | unpaid |
async fn seed(server: &TestServer) -> Signer {
    onboard_customer(server, A).await;
    onboard_customer(server, B).await;
    let deadline = t0() + Duration::days(365);
    let ebs = "hws.service.type.ebs";
    let ecs = "hws.service.type.ecs";
    let place = |customer, id, days, kind, service| async move {
        server.clock.set(at(days));
        run(
            server,
            order(customer, id, kind, service, &[PLAIN], deadline),
        )
        .await;
    };
    place(A, "CSA0001", 60, OrderType::Purchase, ebs).await;
    server.clock.set(at(60) + Duration::hours(1));
    run(server, pay("CSA0001", "85.00")).await;
    place(A, "CSA0002", 30, OrderType::Renewal, ebs).await;
    run(server, cancel("CSA0002")).await;
    place(A, "CSA0003", 20, OrderType::Upgrade, ecs).await;
    void(server, "CSA0003").await;
    place(A, "CSA0004", 10, OrderType::Purchase, ecs).await;
    place(A, "CSA0005", 5, OrderType::Purchase, ebs).await;
    run(server, cancel("CSA0005")).await;
    place(A, "CSA0006", 1, OrderType::Downgrade, ebs).await;
    server.clock.set(at(1) + Duration::hours(2));
    run(server, pay("CSA0006", "85.00")).await;
    place(B, "CSB0001", 2, OrderType::Purchase, ebs).await;
    server.clock.set(t0());
    customer_client(server, A)
}

async fn list(server: &TestServer, client: &Signer, query: &str) -> Value {
    let path = format!("/v2/orders/customer-orders{query}");
    get(server, client, &path).await.assert_ok().clone()
}

/// The ids listed for `query`, checking total_count too.
async fn listed(server: &TestServer, client: &Signer, query: &str, total: u64) -> Vec<String> {
    let body = list(server, client, query).await;
    assert_eq!(body["total_count"], total, "{query}: {body}");
    ids(&body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_filter_selects_the_customers_orders() {
    let server = TestServer::start().await;
    let a = seed(&server).await;
    let l = |q: &'static str, total| {
        let (server, a) = (&server, &a);
        async move { listed(server, a, q, total).await }
    };

    // All time by default (CSA0001 is 60 days old), newest first, never B's.
    let all = [
        "CSA0006", "CSA0005", "CSA0004", "CSA0003", "CSA0002", "CSA0001",
    ];
    assert_eq!(l("", 6).await, all);
    assert_eq!(l("?status=6", 1).await, ["CSA0004"]);
    assert_eq!(l("?status=5", 2).await, ["CSA0006", "CSA0001"]);
    assert_eq!(l("?status=4", 3).await, ["CSA0005", "CSA0003", "CSA0002"]);
    assert!(l("?status=1", 0).await.is_empty());
    assert_eq!(
        l("?order_type=1", 3).await,
        ["CSA0005", "CSA0004", "CSA0001"]
    );
    assert_eq!(l("?order_type=2", 1).await, ["CSA0002"]);
    assert_eq!(l("?order_type=3", 2).await, ["CSA0006", "CSA0003"]);
    assert!(l("?order_type=4", 0).await.is_empty());
    assert_eq!(
        l("?service_type_code=hws.service.type.ecs", 2).await,
        ["CSA0004", "CSA0003"]
    );
    assert_eq!(l("?order_id=CSA0004", 1).await, ["CSA0004"]);
    assert!(l("?order_id=CSB0001", 0).await.is_empty());
    assert!(l("?method=sub_customer", 0).await.is_empty());
    assert_eq!(l("?method=oneself&indirect_partner_id=p1", 6).await, all);
    assert_eq!(
        l(
            "?status=5&order_type=3&service_type_code=hws.service.type.ebs",
            1
        )
        .await,
        ["CSA0006"]
    );

    // Windows: whole seconds, the end inclusive; one bound alone.
    let q = format!(
        "?create_time_begin={}&create_time_end={}",
        huawei(at(25)),
        huawei(at(5))
    );
    assert_eq!(
        listed(&server, &a, &q, 3).await,
        ["CSA0005", "CSA0004", "CSA0003"]
    );
    let q = format!("?create_time_end={}", huawei(at(30)));
    assert_eq!(listed(&server, &a, &q, 2).await, ["CSA0002", "CSA0001"]);
    let q = format!("?payment_time_begin={}", huawei(at(2)));
    assert_eq!(listed(&server, &a, &q, 1).await, ["CSA0006"]);
    let q = format!(
        "?payment_time_begin={}&payment_time_end={}",
        huawei(at(61)),
        huawei(t0())
    );
    assert_eq!(listed(&server, &a, &q, 2).await, ["CSA0006", "CSA0001"]);

    // A customer key may name itself, not another customer.
    let q = format!("?customer_id={A}&status=6");
    assert_eq!(listed(&server, &a, &q, 1).await, ["CSA0004"]);
    let path = format!("/v2/orders/customer-orders?customer_id={B}");
    get(&server, &a, &path).await.assert_error(403, "CBC.0151");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sorting_and_paging_are_stable_also_across_merged_statuses() {
    let server = TestServer::start().await;
    let a = seed(&server).await;
    assert_eq!(
        listed(&server, &a, "?order_by=createTime", 6).await,
        ["CSA0001", "CSA0002", "CSA0003", "CSA0004", "CSA0005", "CSA0006"]
    );
    assert_eq!(
        listed(&server, &a, "?limit=2&offset=2", 6).await,
        ["CSA0004", "CSA0003"]
    );
    assert!(listed(&server, &a, "?offset=6", 6).await.is_empty());
    assert_eq!(listed(&server, &a, "?limit=1", 6).await, ["CSA0006"]);

    // Status 4 merges cancelled and voided orders: page by page it is the
    // same sequence, both ways round.
    for (order_by, expected) in [
        ("-createTime", ["CSA0005", "CSA0003", "CSA0002"]),
        ("createTime", ["CSA0002", "CSA0003", "CSA0005"]),
    ] {
        for (offset, id) in expected.iter().enumerate() {
            let q = format!("?status=4&order_by={order_by}&limit=1&offset={offset}");
            assert_eq!(listed(&server, &a, &q, 3).await, [*id], "{q}");
        }
        let q = format!("?status=4&order_by={order_by}&limit=2&offset=1");
        assert_eq!(listed(&server, &a, &q, 3).await, expected[1..], "{q}");
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_have_the_sdk_fields_and_json_types() {
    let server = TestServer::start().await;
    let a = seed(&server).await;
    let body = list(&server, &a, "?order_id=CSA0001").await;
    assert_eq!(body["total_count"], 1);
    let row = &body["order_infos"][0];
    assert_eq!(row["order_id"], "CSA0001");
    assert_eq!(row["customer_id"], A);
    assert_eq!(row["service_type_code"], "hws.service.type.ebs");
    assert_eq!(row["service_type_name"], "Elastic Volume Service");
    assert_eq!(row["source_type"], 1);
    assert_eq!(row["status"], 5);
    assert_eq!(row["order_type"], 1);
    assert_eq!(row["measure_id"], 1);
    assert_eq!(row["currency"], "USD");
    assert_eq!(row["create_time"], huawei(at(60)));
    assert_eq!(row["payment_time"], huawei(at(60) + Duration::hours(1)));
    assert_eq!(row["contract_id"], Value::Null);
    assert_eq!(row["enterprise_projects"], serde_json::json!([]));
    assert_eq!(row["sub_order_infos"], serde_json::json!([]));
    let info = &row["amount_info"];
    assert_eq!(info["discounts"][0]["discount_type"], "301");
    assert!(info["discounts"][0]["discount_amount"].is_number());
    assert_eq!(info["commission_amount"], Value::Null);
    // Amounts are JSON numbers written from the decimal text.
    let text = get(&server, &a, "/v2/orders/customer-orders?order_id=CSA0001")
        .await
        .text;
    for exact in [
        "\"amount_after_discount\":90.00",
        "\"official_amount\":100.00",
        "\"coupon_amount\":5.00",
        "\"discount_amount\":10.00",
        "\"stored_card_amount\":0",
    ] {
        assert!(text.contains(exact), "{exact} in {text}");
    }
    // Unpaid orders have no payment time.
    let body = list(&server, &a, "?order_id=CSA0004").await;
    assert_eq!(body["order_infos"][0]["payment_time"], Value::Null);
    assert_eq!(body["order_infos"][0]["status"], 6);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_and_service_keys_name_the_customer() {
    let server = TestServer::start().await;
    seed(&server).await;
    for role in [Role::Service, Role::Operator] {
        let key = key_client(&server, role);
        get(&server, &key, "/v2/orders/customer-orders")
            .await
            .assert_error(400, "CBC.0100");
        let q = format!("?customer_id={B}");
        assert_eq!(listed(&server, &key, &q, 1).await, ["CSB0001"]);
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_parameters_get_the_seeds_codes() {
    let server = TestServer::start().await;
    let a = seed(&server).await;
    for (query, cbc) in [
        ("limit=abc", "CBC.0100"),
        ("limit=", "CBC.0100"),
        ("limit=1.5", "CBC.0100"),
        ("limit=0", "CBC.0101"),
        ("limit=101", "CBC.0101"),
        ("offset=x", "CBC.0100"),
        ("offset=-1", "CBC.0101"),
        ("status=done", "CBC.0100"),
        ("order_type=new", "CBC.0100"),
        ("order_by=amount", "CBC.0100"),
        ("method=all", "CBC.0100"),
        ("create_time_begin=2024-11-01", "CBC.0100"),
        ("create_time_begin=2024-11-01T00:00:00", "CBC.0100"),
        ("create_time_begin=2024-11-01%2000:00:00Z", "CBC.0100"),
        ("payment_time_end=yesterday", "CBC.0100"),
        (
            "create_time_begin=2024-11-02T00:00:00Z&create_time_end=2024-11-01T00:00:00Z",
            "CBC.0101",
        ),
        ("order_id=CS%2F1", "CBC.0100"),
        ("limit=1&limit=2", "CBC.0100"),
    ] {
        let path = format!("/v2/orders/customer-orders?{query}");
        let answer = get(&server, &a, &path).await;
        assert_eq!(answer.status.as_u16(), 400, "{query}: {}", answer.text);
        assert_eq!(answer.json["error_code"], cbc, "{query}: {}", answer.text);
    }
    server.shutdown().await;
}
