//! The `/v1` REST resources end to end: the real server on port 0, keys
//! from its key store, `X-Auth-Token` authentication.

mod v1_support;

use chrono::{TimeZone, Utc};
use ledger_domain::Command;
use serde_json::{json, Value};
use tests::{pay_order, t0};
use v1_support::*;

fn orders_of(customer: &str, query: &str) -> String {
    format!("/v1/customers/{customer}/orders{query}")
}

#[tokio::test]
async fn the_order_list_defaults_to_the_last_seven_days_newest_first() {
    let s = seeded().await;
    let rest = Rest::new(&s.server, &s.customer);
    let page = rest.get(&orders_of(A, "")).await.ok();
    assert_eq!(ids(&page), ["CS0005", "CS0004", "CS0003", "CS0002"]);
    assert_eq!(page["total"], 4);
    assert_eq!(page["next_cursor"], Value::Null);
    // "The last 7 days" of the customer's calendar (Asia/Shanghai unless
    // named): from 15 Nov 00:00 +08:00 through now (22 Nov 16:00 +08:00).
    assert_eq!(page["order_time"]["begin"], "2024-11-14T16:00:00Z");
    assert_eq!(page["order_time"]["end"], "2024-11-22T08:00:00Z");
    assert_eq!(page["time_zone"], "Asia/Shanghai");
    let utc = rest.get(&orders_of(A, "?time_zone=UTC")).await.ok();
    assert_eq!(utc["order_time"]["begin"], "2024-11-15T00:00:00Z");
    assert_eq!(utc["time_zone"], "UTC");
    rest.get(&orders_of(A, "?time_zone=Nowhere/Atlantis"))
        .await
        .assert_refused(400, "CBC.0101", "invalid_parameter");
    let unpaid = &page["orders"][0];
    assert_eq!(unpaid["status"], "unpaid");
    assert_eq!(unpaid["status_name"], "Unpaid");
    assert_eq!(unpaid["status_code"], 6);
    assert_eq!(unpaid["order_amount"], "100.00");
    assert_eq!(unpaid["amount_due"], "85.00");
    assert_eq!(unpaid["cash_payment"], "0");
    assert_eq!(unpaid["order_type"], "purchase");
    assert_eq!(unpaid["order_type_name"], "Purchase");
    assert_eq!(unpaid["bill_type"], "prepay");
    assert_eq!(unpaid["order_time"], "2024-11-21T08:00:00Z");
    assert_eq!(
        unpaid["operations"],
        json!({"view": true, "pay": true, "cancel": true})
    );
    let paid = &page["orders"][3];
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["cash_payment"], "85.00");
    assert_eq!(paid["payment_time"], "2024-11-17T08:00:00Z");
    assert_eq!(paid["operations"]["pay"], false);
    // A service acts for any customer it names.
    let by_service = Rest::new(&s.server, &s.service);
    assert_eq!(by_service.get(&orders_of(A, "")).await.ok()["total"], 4);
    s.server.shutdown().await;
}

#[tokio::test]
async fn each_order_filter_narrows_the_list() {
    let s = seeded().await;
    let rest = Rest::new(&s.server, &s.customer);
    let cases: [(&str, &[&str]); 16] = [
        (
            "?order_time_begin=2024-11-12&order_time_end=2024-11-17",
            &["CS0002", "CS0001"],
        ),
        (
            "?order_time_begin=2024-11-12T08:00:00Z&order_time_end=2024-11-12T08:00:00Z",
            &["CS0001"],
        ),
        (
            "?product_name=Elastic+Volume+Service",
            &["CS0005", "CS0002"],
        ),
        (
            "?product_name=elastic+volume+service",
            &["CS0005", "CS0002"],
        ),
        ("?product_name=Elastic", &[]),
        (
            "?product_name=Elastic&product_name_match=contains",
            &["CS0005", "CS0003", "CS0002"],
        ),
        ("?bill_type=postpay", &["CS0003"]),
        ("?bill_type=prepay", &["CS0005", "CS0004", "CS0002"]),
        ("?bill_type=all&status=paid", &["CS0002"]),
        ("?status=cancelled", &["CS0004"]),
        (
            "?order_type=renewal&order_type=upgrade",
            &["CS0004", "CS0002"],
        ),
        (
            "?order_type=configuration_change,purchase",
            &["CS0005", "CS0003"],
        ),
        // Precise searches span all time unless given a range.
        ("?order_id=CS0001", &["CS0001"]),
        ("?instance_id=vol-1", &["CS0002", "CS0001"]),
        (
            "?instance_id=vol-1&sort=oldest_first",
            &["CS0001", "CS0002"],
        ),
        ("?sort=oldest_first&status=unpaid", &["CS0003", "CS0005"]),
    ];
    for (query, expected) in cases {
        let page = rest.get(&orders_of(A, query)).await.ok();
        assert_eq!(ids(&page), expected, "{query}");
        assert_eq!(page["total"], expected.len(), "{query}");
    }
    // Another customer's order id finds nothing.
    let page = rest.get(&orders_of(A, "?order_id=CS0009")).await.ok();
    assert_eq!(page["total"], 0);
    s.server.shutdown().await;
}

#[tokio::test]
async fn pages_follow_limit_offset_and_cursor() {
    let s = seeded().await;
    let rest = Rest::new(&s.server, &s.customer);
    let first = rest.get(&orders_of(A, "?limit=3")).await.ok();
    assert_eq!(ids(&first), ["CS0005", "CS0004", "CS0003"]);
    assert_eq!(first["total"], 4);
    assert_eq!(first["limit"], 3);
    let cursor = first["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_owned();
    let second = rest
        .get(&orders_of(A, &format!("?limit=3&cursor={cursor}")))
        .await
        .ok();
    assert_eq!(ids(&second), ["CS0002"]);
    assert_eq!(second["next_cursor"], Value::Null);
    let offset = rest.get(&orders_of(A, "?limit=2&offset=1")).await.ok();
    assert_eq!(ids(&offset), ["CS0004", "CS0003"]);
    assert_eq!(offset["offset"], 1);
    s.server.shutdown().await;
}

#[tokio::test]
async fn the_csv_download_has_the_seeds_columns_and_every_matching_order() {
    let s = seeded().await;
    let rest = Rest::new(&s.server, &s.customer);
    let csv = rest
        .get(&format!(
            "/v1/customers/{A}/orders.csv?order_time_begin=2024-11-01"
        ))
        .await;
    assert_eq!(csv.status, 200, "{}", csv.text);
    assert_eq!(
        csv.headers["content-type"].to_str().unwrap(),
        "text/csv; charset=utf-8"
    );
    assert!(csv.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains(&format!("orders-{A}.csv")));
    assert!(csv.position() >= s.position);
    let lines: Vec<&str> = csv.text.lines().collect();
    assert_eq!(
        lines,
        [
            "Order ID,Product name,Status,Order amount,Cash payment,Order type,Order time",
            "CS0005,Elastic Volume Service,Unpaid,100.00,0,Purchase,2024-11-21 08:00",
            "CS0004,Object Storage Service,Cancelled,100.00,0,Upgrade,2024-11-20 08:00",
            "CS0003,Elastic Cloud Server,Unpaid,100.00,0,Configuration change,2024-11-19 08:00",
            "CS0002,Elastic Volume Service,Paid,100.00,85.00,Renewal,2024-11-17 08:00",
            "CS0001,Elastic Volume Service,Paid,100.00,85.00,Purchase,2024-11-12 08:00",
        ]
    );
    let paid = rest
        .get(&format!(
            "/v1/customers/{A}/orders.csv?status=paid&order_time_begin=2024-11-01"
        ))
        .await;
    assert_eq!(paid.text.lines().count(), 3, "{}", paid.text);
    // Paging belongs to the list, not the download.
    rest.get(&format!("/v1/customers/{A}/orders.csv?limit=1"))
        .await
        .assert_refused(400, "CBC.0100", "bad_parameter");
    s.server.shutdown().await;
}

#[tokio::test]
async fn another_tenant_is_refused_with_cbc_0151() {
    let s = seeded().await;
    let rest = Rest::new(&s.server, &s.customer);
    for path in [
        orders_of(B, ""),
        format!("/v1/customers/{B}/orders.csv"),
        format!("/v1/customers/{B}/orders/{B_ORDER}"),
        format!("/v1/customers/{B}/orders/{B_ORDER}/deductions"),
        format!("/v1/customers/{B}/deductions"),
        format!("/v1/customers/{B}/eligible-orders?kind=order"),
        format!("/v1/customers/{B}/contracts"),
        format!("/v1/customers/{B}/contracts/EC1"),
    ] {
        rest.get(&path)
            .await
            .assert_refused(403, "CBC.0151", "access_denied");
    }
    rest.post(
        &format!("/v1/customers/{B}/orders/{B_ORDER}/cancel"),
        None,
        None,
    )
    .await
    .assert_refused(403, "CBC.0151", "access_denied");
    let apply = json!({"kind": "payment_request", "order_ids": [B_ORDER], "party_b": "Cloud"});
    rest.post(
        &format!("/v1/customers/{B}/contracts"),
        Some("k1"),
        Some(apply),
    )
    .await
    .assert_refused(403, "CBC.0151", "access_denied");
    // Under its own path, another tenant's order does not exist.
    rest.get(&format!("/v1/customers/{A}/orders/{B_ORDER}"))
        .await
        .assert_refused(404, "CBC.0101", "order_not_found");
    rest.post(
        &format!("/v1/customers/{A}/orders/{B_ORDER}/cancel"),
        None,
        None,
    )
    .await
    .assert_refused(404, "CBC.0101", "order_not_found");
    // And without a token nobody gets in.
    let anonymous = reqwest::get(format!("{}{}", s.server.http_url(), orders_of(A, "")))
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 403);
    let body: Value = anonymous.json().await.unwrap();
    assert_eq!(body["error_code"], "CBC.0155");
    s.server.shutdown().await;
}

#[tokio::test]
async fn bad_parameters_are_refused_with_cbc_0100_or_0101() {
    let s = seeded().await;
    let rest = Rest::new(&s.server, &s.customer);
    let invalid = [
        "?limit=0",
        "?limit=101",
        "?limit=ten",
        "?status=refunded",
        "?bill_type=credit",
        "?order_type=refund",
        "?sort=cheapest",
        "?order_time_begin=yesterday",
        "?order_time_begin=2024-11-20&order_time_end=2024-11-10",
        "?order_id=CS0001&instance_id=vol-1",
        "?cursor=not-a-cursor",
        "?product_name_match=prefix&product_name=x",
        "?order_id=bad%20id",
    ];
    for query in invalid {
        rest.get(&orders_of(A, query))
            .await
            .assert_refused(400, "CBC.0101", "invalid_parameter");
    }
    for query in ["?colour=red", "?limit=1&limit=2"] {
        rest.get(&orders_of(A, query))
            .await
            .assert_refused(400, "CBC.0100", "bad_parameter");
    }
    rest.get(&format!("/v1/customers/{A}/eligible-orders"))
        .await
        .assert_refused(400, "CBC.0100", "bad_parameter");
    rest.get(&format!("/v1/customers/{A}/contracts?status=signed"))
        .await
        .assert_refused(400, "CBC.0101", "invalid_parameter");
    let contracts = format!("/v1/customers/{A}/contracts");
    let apply = json!({"kind": "order", "order_ids": ["CS0001"]});
    rest.post(&contracts, None, Some(apply))
        .await
        .assert_refused(400, "CBC.0100", "bad_parameter");
    rest.post(&contracts, Some("k1"), Some(json!({"kind": "order"})))
        .await
        .assert_refused(400, "CBC.0100", "bad_parameter");
    let unknown_kind = json!({"kind": "lease", "order_ids": ["CS0001"]});
    rest.post(&contracts, Some("k2"), Some(unknown_kind))
        .await
        .assert_refused(400, "CBC.0101", "invalid_parameter");
    s.server.shutdown().await;
}

#[tokio::test]
async fn order_details_and_deductions_carry_lines_amounts_and_operations() {
    let s = seeded().await;
    let rest = Rest::new(&s.server, &s.customer);
    let d = rest
        .get(&format!("/v1/customers/{A}/orders/CS0002"))
        .await
        .ok();
    assert_eq!(d["order_id"], "CS0002");
    assert_eq!(d["customer_id"], A);
    assert_eq!(d["order_type"], "renewal");
    assert_eq!(d["order_type_code"], 2);
    assert_eq!(d["status"], "paid");
    assert_eq!(d["status_code"], 5);
    assert_eq!(d["currency"], "USD");
    assert_eq!(d["order_amount"], "100.00");
    assert_eq!(d["currency_after_discount"], "90.00");
    assert_eq!(d["amount_due"], "85.00");
    assert_eq!(d["payment"]["cash_amount"], "85.00");
    assert_eq!(d["payment_deadline"], "2024-11-24T08:00:00Z");
    assert_eq!(d["contract_no"], Value::Null);
    assert_eq!(d["instance_ids"], json!(["vol-1"]));
    assert_eq!(d["amount_info"]["discounts"][0]["discount_type"], 301);
    assert_eq!(d["amount_info"]["discounts"][0]["amount"], "10.00");
    let line = &d["line_items"][0];
    assert_eq!(line["configuration"], "Common I/O, 100 GB");
    assert_eq!(line["count"], 1);
    assert_eq!(
        line["duration"],
        json!({"period_type": "month", "period_type_code": 2, "number": 1})
    );
    assert_eq!(line["unit_price"], "100.00");
    assert_eq!(line["unit_price_per"], "month");
    assert_eq!(line["charge_type"], "subscription");
    assert_eq!(line["product_amount"], "100.00");
    assert_eq!(
        d["operations"],
        json!({"view": true, "pay": false, "cancel": false})
    );
    let cancelled = rest
        .get(&format!("/v1/customers/{A}/orders/CS0004"))
        .await
        .ok();
    assert_eq!(cancelled["cancel_reason"], "requested");
    assert_eq!(cancelled["cancelled_at"], "2024-11-20T08:00:00Z");
    assert_eq!(cancelled["payment"], Value::Null);

    let x = rest
        .get(&format!("/v1/customers/{A}/orders/CS0002/deductions"))
        .await
        .ok();
    assert_eq!(x["currency_official"], "100.00");
    assert_eq!(x["amount_info"]["coupon_amount"], "5.00");
    assert_eq!(x["line_items"][0]["amount_due"], "85.00");
    assert_eq!(x["cash_amount"], "85.00");
    assert_eq!(x["vouchers"], json!([]));
    rest.get(&format!("/v1/customers/{A}/orders/CS0404"))
        .await
        .assert_refused(404, "CBC.0101", "order_not_found");
    s.server.shutdown().await;
}

#[tokio::test]
async fn deductions_by_discount_type_total_the_paid_orders_of_the_range() {
    let s = seeded().await;
    let rest = Rest::new(&s.server, &s.customer);
    let all = rest
        .get(&format!(
            "/v1/customers/{A}/deductions?begin=2024-11-01&end=2024-11-30"
        ))
        .await
        .ok();
    let usd = &all["totals"][0];
    assert_eq!(usd["currency"], "USD");
    assert_eq!(usd["order_count"], 2);
    assert_eq!(usd["currency_official"], "200.00");
    assert_eq!(usd["discounts"][0]["discount_type"], 301);
    assert_eq!(usd["discounts"][0]["amount"], "20.00");
    assert_eq!(usd["discounts"][0]["order_count"], 2);
    assert_eq!(usd["coupon_amount"], "10.00");
    assert_eq!(usd["cash_amount"], "170.00");
    // The default range (the last 7 days) holds only CS0002.
    let recent = rest
        .get(&format!("/v1/customers/{A}/deductions"))
        .await
        .ok();
    assert_eq!(recent["totals"][0]["order_count"], 1);
    s.server.shutdown().await;
}

#[tokio::test]
async fn eligible_orders_are_this_months_paid_or_unpaid_orders() {
    let s = seeded().await;
    // Placed in October, paid at 31 Oct 17:00 UTC: already 1 November in
    // Shanghai.
    let utc = |d: u32, m: u32, h: u32| Utc.with_ymd_and_hms(2024, m, d, h, 0, 0).unwrap();
    s.server.clock.set(utc(30, 10, 8));
    let october = order(
        A,
        "CS0100",
        "Elastic Volume Service",
        ledger_domain::catalog::OrderType::Purchase,
        ledger_domain::catalog::ChargeType::Subscription,
        "vol-100",
    );
    run(&s.server, "place-CS0100", Command::PlaceOrder(october)).await;
    s.server.clock.set(utc(31, 10, 17));
    let pay = Command::PayOrder(pay_order("CS0100", "pay-CS0100"));
    run(&s.server, "pay-CS0100", pay).await;
    s.server.clock.set(t0());
    let rest = Rest::new(&s.server, &s.customer);
    let path = format!("/v1/customers/{A}/eligible-orders");
    // Seed: "We will default to filtering the list of orders Paid for in
    // the Current Month": by payment time, in the customer's calendar
    // month; newest payment first.
    let paid = rest.get(&format!("{path}?kind=order")).await.ok();
    assert_eq!(ids(&paid), ["CS0002", "CS0001", "CS0100"]);
    assert_eq!(paid["kind"], "order");
    assert_eq!(paid["order_time"], Value::Null);
    assert_eq!(paid["payment_time"]["begin"], "2024-10-31T16:00:00Z");
    assert_eq!(paid["payment_time"]["end"], "2024-11-30T15:59:59.999Z");
    assert_eq!(paid["orders"][0]["unpaid_amount"], Value::Null);
    // In UTC, 31 Oct 17:00 is October.
    let in_utc = rest
        .get(&format!("{path}?kind=order&time_zone=UTC"))
        .await
        .ok();
    assert_eq!(ids(&in_utc), ["CS0002", "CS0001"]);
    // Naming an order-time range picks by order time instead.
    let placed = rest
        .get(&format!("{path}?kind=order&order_time_begin=2024-10-01"))
        .await
        .ok();
    assert_eq!(ids(&placed), ["CS0002", "CS0001", "CS0100"]);
    assert_eq!(placed["payment_time"], Value::Null);
    // "Unpaid for in the Current Month": unpaid orders placed this month.
    let unpaid = rest.get(&format!("{path}?kind=payment_request")).await.ok();
    assert_eq!(ids(&unpaid), ["CS0005", "CS0003"]);
    assert_eq!(unpaid["order_time"]["begin"], "2024-10-31T16:00:00Z");
    assert_eq!(
        unpaid["orders"][0]["payment_deadline"],
        "2024-11-28T08:00:00Z"
    );
    assert_eq!(unpaid["orders"][0]["unpaid_amount"], "85.00");
    let filtered = rest
        .get(&format!(
            "{path}?kind=payment_request&product_name=Cloud&product_name_match=contains"
        ))
        .await
        .ok();
    assert_eq!(ids(&filtered), ["CS0003"]);
    s.server.shutdown().await;
}

#[tokio::test]
async fn a_write_is_visible_to_the_read_that_names_its_position() {
    let s = seeded().await;
    let rest = Rest::new(&s.server, &s.customer);
    // Cancelling over REST answers the order as it is after the cancel.
    let cancelled = rest
        .post(
            &format!("/v1/customers/{A}/orders/CS0005/cancel"),
            None,
            None,
        )
        .await
        .ok();
    assert_eq!(cancelled["order"]["status"], "cancelled");
    assert_eq!(cancelled["events"][0], "OrderCancelled");
    // A command sent elsewhere, then a read naming its position.
    s.server.clock.set(t0());
    let placed = order(
        A,
        "CS0006",
        "Elastic Volume Service",
        ledger_domain::catalog::OrderType::Purchase,
        ledger_domain::catalog::ChargeType::Subscription,
        "vol-6",
    );
    let position = run(
        &s.server,
        "place-CS0006",
        ledger_domain::Command::PlaceOrder(placed),
    )
    .await;
    let read = rest
        .get(&orders_of(A, &format!("?min_position={position}")))
        .await;
    assert_eq!(ids(&read.ok())[0], "CS0006");
    assert!(read.position() >= position);
    // A position beyond the log's head was never returned: refused at once.
    let ahead = position + 1_000;
    rest.get(&orders_of(A, &format!("?min_position={ahead}")))
        .await
        .assert_refused(400, "CBC.0101", "invalid_parameter");
    s.server.shutdown().await;
}
