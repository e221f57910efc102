//! The `orders` read model: commands through the real ledger → views.

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};

use common::*;
use ledger_domain::catalog::{BillType, ChargeType, OrderType, PeriodType, PriceUnit, VoucherKind};
use ledger_domain::contract::{ContractKind, VoidContract};
use ledger_domain::order::{
    CancelOrder, ExpireOrder, LineItem, OrderStatus, Period, Pricing, UnitPrice, VoidOrder,
    VoucherRedemption,
};
use ledger_domain::{Actor, Command};
use ledger_projections::orders::*;
use ledger_projections::ORDERS;

fn ids(page: &OrderPage) -> Vec<String> {
    page.rows.iter().map(|r| r.order_id.to_string()).collect()
}

fn nov(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 11, day, hour, 0, 0).unwrap()
}

fn voucher(kind: VoucherKind, id: &str, amount: &str) -> VoucherRedemption {
    VoucherRedemption {
        kind,
        voucher_id: id.parse().unwrap(),
        amount: money(amount),
    }
}

fn query(customer: &str) -> OrderListQuery {
    OrderListQuery::new(cid(customer), t0())
}

#[tokio::test]
async fn list_defaults_to_the_last_seven_days_newest_first() {
    let env = Env::new();
    env.onboard("c1").await;
    env.onboard("c2").await;
    env.place(t0() - days(8), order("c1", "o-old")).await;
    env.place(t0() - days(6), order("c1", "o-a")).await;
    env.place(t0() - days(1) + Duration::seconds(37), order("c1", "o-b"))
        .await;
    env.place(t0() - Duration::hours(2), order("c1", "o-c"))
        .await;
    env.place(t0() - days(1), order("c2", "o-x")).await;
    let p = env.projector().await;
    let tree = p.view(ORDERS).unwrap();

    let page = list_orders(&tree, &query("c1")).unwrap();
    assert_eq!(ids(&page), ["o-c", "o-b", "o-a"]);
    assert_eq!(page.total, 3);
    assert_eq!(page.next_cursor, None);
    let b = &page.rows[1];
    assert_eq!(b.product_name, "Elastic Volume Service");
    assert_eq!(b.status, OrderStatusKind::Unpaid);
    assert_eq!(b.status_code, 6);
    assert_eq!(
        b.order_amount,
        money("100.00"),
        "list price before discounts"
    );
    assert_eq!(b.amount_due, money("85.00"));
    assert_eq!(b.cash_payment, money("0"));
    assert_eq!(b.order_type, OrderType::Purchase);
    assert_eq!(b.charge_type, ChargeType::Subscription);
    assert_eq!(b.order_time, t0() - days(1), "truncated to the minute");
    assert_eq!(b.payment_time, None);
    assert_eq!(
        b.operations,
        Operations {
            view: true,
            pay: true,
            cancel: true
        }
    );

    let mut q = query("c1");
    q.sort = SortOrder::OldestFirst;
    assert_eq!(ids(&list_orders(&tree, &q).unwrap()), ["o-a", "o-b", "o-c"]);

    // The default window follows the caller's now, not a clock.
    let q = OrderListQuery::new(cid("c1"), t0() - days(3));
    assert_eq!(ids(&list_orders(&tree, &q).unwrap()), ["o-a", "o-old"]);
}

#[tokio::test]
async fn list_filters_each_narrow_the_result() {
    let env = Env::new();
    env.onboard("c1").await;
    let ecs = |o| named(o, "Elastic Cloud Server", "hws.service.type.ec2");
    env.place(t0() - days(5), order("c1", "e1")).await;
    env.pay(t0() - days(5) + Duration::hours(1), "e1", vec![])
        .await;
    env.place(t0() - days(4), postpay(ecs(order("c1", "e2"))))
        .await;
    env.pay(t0() - days(1), "e2", vec![]).await;
    env.place(
        t0() - days(3),
        of_type(ecs(order("c1", "e3")), OrderType::Renewal, "vm-e3"),
    )
    .await;
    env.place(
        t0() - days(2),
        of_type(order("c1", "e4"), OrderType::Upgrade, "vol-e4"),
    )
    .await;
    env.run(
        t0() - days(2) + Duration::hours(1),
        Command::CancelOrder(CancelOrder {
            order_id: oid("e4"),
        }),
    )
    .await;
    let obs = of_type(
        postpay(named(
            order("c1", "e5"),
            "Object Storage",
            "hws.service.type.obs",
        )),
        OrderType::ConfigurationChange,
        "bucket-e5",
    );
    env.place(t0() - days(1), obs).await;
    env.run_as(
        t0() - days(1) + Duration::hours(1),
        operator(),
        Command::VoidOrder(VoidOrder {
            order_id: oid("e5"),
            reason: "provisioning failed".into(),
        }),
    )
    .await;
    let p = env.projector().await;
    let tree = p.view(ORDERS).unwrap();
    let run = |f: &dyn Fn(&mut OrderListQuery)| {
        let mut q = query("c1");
        f(&mut q);
        let page = list_orders(&tree, &q).unwrap();
        assert_eq!(page.total as usize, page.rows.len());
        ids(&page)
    };

    assert_eq!(run(&|_| {}), ["e5", "e4", "e3", "e2", "e1"]);
    assert_eq!(
        run(&|q| q.product_name = Some(ProductNameFilter::Exact("elastic VOLUME service".into()))),
        ["e4", "e1"]
    );
    assert_eq!(
        run(&|q| q.product_name = Some(ProductNameFilter::Exact("Elastic".into()))),
        Vec::<String>::new()
    );
    assert_eq!(
        run(&|q| q.product_name = Some(ProductNameFilter::Contains("ELASTIC".into()))),
        ["e4", "e3", "e2", "e1"]
    );
    assert_eq!(
        run(&|q| q.product_name = Some(ProductNameFilter::Contains("cloud".into()))),
        ["e3", "e2"]
    );
    assert_eq!(
        run(&|q| q.bill_type = Some(BillType::Postpay)),
        ["e5", "e2"]
    );
    assert_eq!(
        run(&|q| q.bill_type = Some(BillType::Prepay)),
        ["e4", "e3", "e1"]
    );
    assert_eq!(
        run(&|q| q.status = Some(OrderStatusKind::Paid)),
        ["e2", "e1"]
    );
    assert_eq!(run(&|q| q.status = Some(OrderStatusKind::Unpaid)), ["e3"]);
    assert_eq!(
        run(&|q| q.status = Some(OrderStatusKind::Cancelled)),
        ["e4"]
    );
    assert_eq!(run(&|q| q.status = Some(OrderStatusKind::Voided)), ["e5"]);
    assert_eq!(
        run(&|q| q.order_types = vec![OrderType::Renewal, OrderType::Upgrade]),
        ["e4", "e3"]
    );
    assert_eq!(
        run(&|q| q.order_types = OrderType::from_huawei_code(3)),
        ["e5", "e4"]
    );
    assert_eq!(
        run(&|q| q.service_type_code = Some("hws.service.type.obs".parse().unwrap())),
        ["e5"]
    );
    // Payment time: the shorter range reads the payment-time index.
    assert_eq!(
        run(&|q| q.payment_time = Some(TimeRange::new(t0() - days(2), t0()))),
        ["e2"]
    );
    assert_eq!(
        run(&|q| q.payment_time = Some(TimeRange::new(t0() - days(6), t0()))),
        ["e2", "e1"]
    );
    // A payment range longer than the order range reads the order index.
    assert_eq!(
        run(&|q| q.payment_time = Some(TimeRange::new(t0() - days(30), t0()))),
        ["e2", "e1"]
    );
    // Explicit order time, inclusive at both ends.
    assert_eq!(
        run(&|q| q.order_time = Some(TimeRange::new(t0() - days(4), t0() - days(2)))),
        ["e4", "e3", "e2"]
    );
    assert_eq!(
        run(&|q| {
            q.product_name = Some(ProductNameFilter::Contains("elastic".into()));
            q.bill_type = Some(BillType::Prepay);
            q.status = Some(OrderStatusKind::Paid);
        }),
        ["e1"]
    );

    let e2 = list_orders(&tree, &query("c1"))
        .unwrap()
        .rows
        .into_iter()
        .find(|r| r.order_id == oid("e2"))
        .unwrap();
    assert_eq!(e2.payment_time, Some(t0() - days(1)));
    assert_eq!(e2.cash_payment, money("85.00"));
    assert_eq!(e2.charge_type, ChargeType::PayAsYouGo);
}

#[tokio::test]
async fn bad_queries_are_refused_with_typed_errors() {
    let env = Env::new();
    let p = env.projector().await;
    let tree = p.view(ORDERS).unwrap();
    let err = |f: &dyn Fn(&mut OrderListQuery)| {
        let mut q = query("c1");
        f(&mut q);
        list_orders(&tree, &q).unwrap_err()
    };
    assert!(matches!(
        err(&|q| q.limit = Some(0)),
        QueryError::LimitOutOfRange { given: 0, max: 100 }
    ));
    assert!(matches!(
        err(&|q| q.limit = Some(101)),
        QueryError::LimitOutOfRange { given: 101, .. }
    ));
    assert!(matches!(
        err(&|q| q.order_time = Some(TimeRange::new(t0(), t0() - days(1)))),
        QueryError::RangeReversed {
            what: "order time",
            ..
        }
    ));
    assert!(matches!(
        err(&|q| q.payment_time = Some(TimeRange::new(t0(), t0() - days(1)))),
        QueryError::RangeReversed {
            what: "payment time",
            ..
        }
    ));
    assert!(matches!(
        err(&|q| q.cursor = Some(Cursor::from_client("not-a-cursor"))),
        QueryError::BadCursor
    ));
    assert!(matches!(
        err(&|q| q.product_name = Some(ProductNameFilter::Contains("  ".into()))),
        QueryError::InvalidFilter {
            what: "product name",
            ..
        }
    ));
    let mut q = query("c1");
    q.limit = Some(MAX_PAGE_SIZE);
    assert_eq!(list_orders(&tree, &q).unwrap().total, 0);
}

#[tokio::test]
async fn pages_by_offset_and_by_a_cursor_that_survives_newer_orders() {
    let env = Env::new();
    env.onboard("c1").await;
    for i in 0..25 {
        env.place(t0() - Duration::hours(i), order("c1", &format!("p-{i:02}")))
            .await;
    }
    let p = env.projector().await;
    let tree = p.view(ORDERS).unwrap();
    let expect = |from: usize, to: usize| -> Vec<String> {
        (from..to).map(|i| format!("p-{i:02}")).collect()
    };

    let mut q = query("c1");
    let first = list_orders(&tree, &q).unwrap();
    assert_eq!(first.total, 25);
    assert_eq!(ids(&first), expect(0, 10), "default limit 10");
    q.offset = 20;
    let last = list_orders(&tree, &q).unwrap();
    assert_eq!(ids(&last), expect(20, 25));
    assert_eq!(last.next_cursor, None);
    q.offset = 30;
    let past = list_orders(&tree, &q).unwrap();
    assert!(past.rows.is_empty());
    assert_eq!(past.total, 25);
    q.offset = 5;
    q.limit = Some(3);
    assert_eq!(ids(&list_orders(&tree, &q).unwrap()), expect(5, 8));

    // Cursor paging, with newer orders arriving between pages.
    let cursor = first.next_cursor.clone().expect("more pages");
    for i in 0..3 {
        env.place(
            t0() + Duration::minutes(10 + i),
            order("c1", &format!("n-{i}")),
        )
        .await;
    }
    p.catch_up().await.unwrap();
    let mut q = OrderListQuery::new(cid("c1"), t0() + Duration::hours(1));
    q.cursor = Some(cursor);
    let second = list_orders(&tree, &q).unwrap();
    assert_eq!(ids(&second), expect(10, 20));
    assert_eq!(second.total, 28, "the total counts the new orders");
    q.cursor = second.next_cursor.clone();
    let third = list_orders(&tree, &q).unwrap();
    assert_eq!(ids(&third), expect(20, 25));
    assert_eq!(third.next_cursor, None);
    // Without a cursor the newest come first.
    q.cursor = None;
    assert_eq!(
        ids(&list_orders(&tree, &q).unwrap())[..4],
        ["n-2", "n-1", "n-0", "p-00"]
    );

    // Oldest first by cursor.
    let mut q = OrderListQuery::new(cid("c1"), t0() + Duration::hours(1));
    q.sort = SortOrder::OldestFirst;
    q.limit = Some(20);
    let a = list_orders(&tree, &q).unwrap();
    assert_eq!(ids(&a)[..2], ["p-24", "p-23"]);
    q.cursor = a.next_cursor;
    let b = list_orders(&tree, &q).unwrap();
    assert_eq!(
        ids(&b),
        ["p-04", "p-03", "p-02", "p-01", "p-00", "n-0", "n-1", "n-2"]
    );
    assert_eq!(b.next_cursor, None);
}

#[tokio::test]
async fn precise_search_by_instance_spans_the_lifecycle_and_by_order_id_the_owner_only() {
    let env = Env::new();
    env.onboard("c1").await;
    env.onboard("c2").await;
    env.place(
        t0() - days(60),
        of_type(order("c1", "life-1"), OrderType::Purchase, "vm-1"),
    )
    .await;
    env.pay(t0() - days(60) + Duration::hours(1), "life-1", vec![])
        .await;
    let mut renewal = of_type(order("c1", "life-2"), OrderType::Renewal, "vm-1");
    renewal.spec.base_order_id = Some(oid("life-1"));
    env.place(t0() - days(30), renewal).await;
    env.place(
        t0() - days(1),
        of_type(order("c1", "life-3"), OrderType::Upgrade, "vm-1"),
    )
    .await;
    env.place(
        t0() - days(1),
        of_type(order("c1", "other-1"), OrderType::Purchase, "vm-2"),
    )
    .await;
    env.place(
        t0() - days(2),
        of_type(order("c2", "c2-1"), OrderType::Purchase, "vm-1"),
    )
    .await;
    let p = env.projector().await;
    let tree = p.view(ORDERS).unwrap();

    let mut q = query("c1");
    q.search = Some(PreciseSearch::InstanceId("vm-1".parse().unwrap()));
    let page = list_orders(&tree, &q).unwrap();
    assert_eq!(ids(&page), ["life-3", "life-2", "life-1"]);
    assert_eq!(page.total, 3);
    assert_eq!(
        page.rows.iter().map(|r| r.order_type).collect::<Vec<_>>(),
        [OrderType::Upgrade, OrderType::Renewal, OrderType::Purchase]
    );
    q.order_time = Some(TimeRange::new(t0() - days(40), t0()));
    assert_eq!(ids(&list_orders(&tree, &q).unwrap()), ["life-3", "life-2"]);
    q.order_time = None;
    q.status = Some(OrderStatusKind::Paid);
    assert_eq!(ids(&list_orders(&tree, &q).unwrap()), ["life-1"]);

    let mut q = query("c1");
    q.search = Some(PreciseSearch::OrderId(oid("life-1")));
    let page = list_orders(&tree, &q).unwrap();
    assert_eq!(ids(&page), ["life-1"], "found although older than 7 days");
    assert_eq!(page.total, 1);
    q.search = Some(PreciseSearch::OrderId(oid("c2-1")));
    let page = list_orders(&tree, &q).unwrap();
    assert!(page.rows.is_empty(), "another customer's order");
    assert_eq!(page.total, 0);
    q.search = Some(PreciseSearch::OrderId(oid("nope")));
    assert_eq!(list_orders(&tree, &q).unwrap().total, 0);
    assert!(order_details(&tree, &cid("c1"), &oid("c2-1"), t0())
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn operations_and_payment_columns_follow_the_status() {
    let env = Env::new();
    env.onboard("c1").await;
    env.place(t0() - days(1), order("c1", "unpaid")).await;
    env.place(t0() - days(1), order("c1", "paid")).await;
    env.pay(
        t0() - days(1) + Duration::minutes(90),
        "paid",
        vec![voucher(VoucherKind::Coupon, "cp-1", "20.00")],
    )
    .await;
    env.place(t0() - days(1), order("c1", "cancelled")).await;
    env.run(
        t0() - days(1) + Duration::hours(1),
        Command::CancelOrder(CancelOrder {
            order_id: oid("cancelled"),
        }),
    )
    .await;
    let mut short = order("c1", "expired");
    short.payment_deadline = Some(t0() - days(2));
    env.place(t0() - days(3), short).await;
    env.run_as(
        t0() - days(2),
        Actor::System,
        Command::ExpireOrder(ExpireOrder {
            order_id: oid("expired"),
        }),
    )
    .await;
    env.place(t0() - days(1), order("c1", "voided")).await;
    env.pay(t0() - days(1) + Duration::hours(2), "voided", vec![])
        .await;
    env.run_as(
        t0() - days(1) + Duration::hours(3),
        operator(),
        Command::VoidOrder(VoidOrder {
            order_id: oid("voided"),
            reason: "provisioning failed".into(),
        }),
    )
    .await;
    let p = env.projector().await;
    let tree = p.view(ORDERS).unwrap();
    let rows = |now| {
        let mut q = OrderListQuery::new(cid("c1"), now);
        q.order_time = Some(TimeRange::new(t0() - days(7), t0()));
        list_orders(&tree, &q).unwrap().rows
    };
    let row = |now, id: &str| {
        rows(now)
            .into_iter()
            .find(|r| r.order_id == oid(id))
            .unwrap()
    };
    let view_only = Operations {
        view: true,
        pay: false,
        cancel: false,
    };
    let open = Operations {
        view: true,
        pay: true,
        cancel: true,
    };

    assert_eq!(row(t0(), "unpaid").operations, open);
    assert_eq!(
        row(t0() + days(6), "unpaid").operations,
        view_only,
        "deadline passed"
    );
    let paid = row(t0(), "paid");
    assert_eq!(
        (paid.status, paid.status_code, paid.operations),
        (OrderStatusKind::Paid, 5, view_only)
    );
    assert_eq!(
        paid.cash_payment,
        money("65.00"),
        "85.00 less a 20.00 coupon"
    );
    assert_eq!(
        paid.payment_time,
        Some(t0() - days(1) + Duration::minutes(90))
    );
    assert_eq!(paid.order_time, t0() - days(1));
    let cancelled = row(t0(), "cancelled");
    assert_eq!(
        (
            cancelled.status,
            cancelled.status_code,
            cancelled.operations
        ),
        (OrderStatusKind::Cancelled, 4, view_only)
    );
    let expired = row(t0(), "expired");
    assert_eq!(
        (expired.status, expired.operations),
        (OrderStatusKind::Cancelled, view_only)
    );
    let voided = row(t0(), "voided");
    assert_eq!(
        (voided.status, voided.status_code, voided.operations),
        (OrderStatusKind::Voided, 4, view_only)
    );
    // Seed: "Cash payment: display the amount of money that has been paid
    // for the order" — a paid order voided later still shows it.
    assert_eq!(voided.cash_payment, money("85.00"));
    assert_eq!(voided.payment_time, None);

    // The voided order left the payment-time index.
    let mut q = query("c1");
    q.payment_time = Some(TimeRange::new(t0() - days(2), t0()));
    assert_eq!(ids(&list_orders(&tree, &q).unwrap()), ["paid"]);

    let d = order_details(&tree, &cid("c1"), &oid("expired"), t0())
        .unwrap()
        .unwrap();
    assert!(matches!(
        d.status,
        OrderStatus::Cancelled {
            reason: ledger_domain::order::CancelReason::Expired,
            ..
        }
    ));
    assert_eq!(d.updated_at, t0() - days(2));
    let d = order_details(&tree, &cid("c1"), &oid("voided"), t0())
        .unwrap()
        .unwrap();
    assert!(
        matches!(d.status, OrderStatus::Voided { ref reason, .. } if reason == "provisioning failed")
    );
}

/// Two lines: A = list 100, 301 of 10, coupon 5 (85 due); B = list 50,
/// 200 of 5 and 301 of 2, card 3, cash coupon 1 (39 due). 124 due.
fn two_line_order(customer: &str, id: &str) -> ledger_domain::order::PlaceOrder {
    let mut o = of_type(order(customer, id), OrderType::Upgrade, "vm-9");
    let b = LineItem {
        id: format!("{id}-000002").parse().unwrap(),
        service_type_code: "hws.service.type.ec2".parse().unwrap(),
        product_id: "ecs-c6".parse().unwrap(),
        spec: "c6.large.2, 2 vCPUs, 4 GB".into(),
        category_code: "hws.resource.computing.ecs".into(),
        count: 2,
        period: Period {
            period_type: PeriodType::Year,
            number: 1,
        },
        unit_price: UnitPrice {
            amount: money("25.00"),
            per: PriceUnit::Year,
        },
        valid_from: Some(t0()),
        expires_at: Some(t0() + days(365)),
        pricing: Pricing {
            list_price: money("50.00"),
            discounts: vec![discount(301, "2.00"), discount(200, "5.00")],
            coupon_amount: money("0"),
            card_amount: money("3.00"),
            cash_coupon_amount: money("1.00"),
        },
    };
    o.spec.line_items.push(b);
    o.spec.amount_due = money("124.00");
    o
}

#[tokio::test]
async fn order_details_show_line_items_and_huawei_amounts() {
    let env = Env::new();
    env.onboard("c1").await;
    env.onboard("c2").await;
    env.place(t0() - days(1), two_line_order("c1", "d-1")).await;
    let p = env.projector().await;
    let tree = p.view(ORDERS).unwrap();

    let d = order_details(&tree, &cid("c1"), &oid("d-1"), t0())
        .unwrap()
        .unwrap();
    assert_eq!(d.product_name, "Elastic Volume Service");
    assert_eq!((d.order_type_code, d.order_type_name), (3, "Upgrade"));
    assert_eq!((d.status_code, d.source_type_code), (6, 1));
    assert_eq!(d.bill_type, BillType::Prepay);
    assert_eq!(d.currency.as_str(), "USD");
    assert_eq!(d.payment_deadline, t0() + days(6));
    assert_eq!(d.currency_official, money("150.00"));
    assert_eq!(d.currency_after_discount, money("133.00"));
    assert_eq!(d.amount_due, money("124.00"));
    let codes: Vec<_> = d
        .amount_info
        .discounts
        .iter()
        .map(|x| (x.code, x.amount))
        .collect();
    assert_eq!(codes, [(200, money("5.00")), (301, money("12.00"))]);
    assert_eq!(d.amount_info.discounts[1].description, "Promotion coupon");
    assert_eq!(
        (
            d.amount_info.coupon_amount,
            d.amount_info.card_amount,
            d.amount_info.cash_coupon_amount
        ),
        (money("5.00"), money("3.00"), money("1.00"))
    );
    assert_eq!(d.amount_info.commission_amount, None);
    assert_eq!(d.amount_info.consumed_amount, None);
    assert_eq!(d.line_items.len(), 2);
    let b = &d.line_items[1];
    assert_eq!(b.configuration, "c6.large.2, 2 vCPUs, 4 GB");
    assert_eq!(b.count, 2);
    assert_eq!(
        (
            b.duration.period_type,
            b.duration.number,
            b.period_type_code
        ),
        (PeriodType::Year, 1, 3)
    );
    assert_eq!(
        (b.unit_price, b.unit_price_per),
        (money("25.00"), PriceUnit::Year)
    );
    assert_eq!(b.charge_type, ChargeType::Subscription);
    assert_eq!(b.product_amount, money("50.00"));
    assert_eq!(b.currency_after_discount, money("43.00"));
    assert_eq!(b.amount_due, money("39.00"));
    assert_eq!(
        b.amount_info
            .discounts
            .iter()
            .map(|x| x.code)
            .collect::<Vec<_>>(),
        [200, 301]
    );
    assert_eq!(b.valid_from, Some(t0()));
    assert_eq!(d.line_items[0].amount_due, money("85.00"));
    assert!(d.operations.pay && d.operations.cancel);
    // The list's order amount is the details' product amount.
    let mut q = query("c1");
    q.search = Some(PreciseSearch::OrderId(oid("d-1")));
    assert_eq!(
        list_orders(&tree, &q).unwrap().rows[0].order_amount,
        d.currency_official
    );
    assert!(order_details(&tree, &cid("c2"), &oid("d-1"), t0())
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn deduction_details_per_order_and_by_discount_type() {
    let env = Env::new();
    env.onboard("c1").await;
    env.place(t0() - days(3), order("c1", "d-1")).await;
    env.pay(
        t0() - days(3) + Duration::hours(1),
        "d-1",
        vec![voucher(VoucherKind::Coupon, "cp-1", "20.00")],
    )
    .await;
    env.place(t0() - days(2), two_line_order("c1", "d-2")).await;
    env.run(
        t0() - days(2) + Duration::hours(1),
        Command::PayOrder(pay(
            "d-2",
            "124.00",
            vec![voucher(VoucherKind::CashCoupon, "cc-1", "24.00")],
        )),
    )
    .await;
    env.place(t0() - days(1), order("c1", "d-3")).await; // unpaid
    env.place(t0() - days(20), order("c1", "d-4")).await; // out of range
    env.pay(t0() - days(20) + Duration::hours(1), "d-4", vec![])
        .await;
    let p = env.projector().await;
    let tree = p.view(ORDERS).unwrap();

    let d = order_deductions(&tree, &cid("c1"), &oid("d-2"))
        .unwrap()
        .unwrap();
    assert_eq!(d.currency_official, money("150.00"));
    assert_eq!(d.currency_after_discount, money("133.00"));
    assert_eq!(d.amount_due, money("124.00"));
    assert_eq!(d.line_items.len(), 2);
    assert_eq!(d.line_items[1].amount_info.card_amount, money("3.00"));
    assert_eq!(d.line_items[1].amount_due, money("39.00"));
    assert_eq!(d.vouchers.len(), 1);
    assert_eq!(d.vouchers[0].kind, VoucherKind::CashCoupon);
    assert_eq!(d.cash_amount, Some(money("100.00")));
    assert_eq!(d.balance_amount, Some(money("0")));
    assert_eq!(d.channel_amount, Some(money("100.00")));
    assert_eq!(d.payment_time, Some(t0() - days(2) + Duration::hours(1)));
    let unpaid = order_deductions(&tree, &cid("c1"), &oid("d-3"))
        .unwrap()
        .unwrap();
    assert_eq!((unpaid.cash_amount, unpaid.vouchers.len()), (None, 0));
    assert_eq!((unpaid.balance_amount, unpaid.channel_amount), (None, None));
    assert!(order_deductions(&tree, &cid("c2"), &oid("d-1"))
        .unwrap()
        .is_none());

    let range = TimeRange::new(t0() - days(7), t0());
    let by = deductions_by_discount_type(&tree, &cid("c1"), range).unwrap();
    assert_eq!(by.totals.len(), 1);
    let t = &by.totals[0];
    assert_eq!(t.currency.as_str(), "USD");
    assert_eq!(t.order_count, 2, "paid orders placed in the range");
    assert_eq!(t.currency_official, money("250.00"));
    let per_type: Vec<_> = t
        .discounts
        .iter()
        .map(|x| (x.code, x.amount, x.order_count))
        .collect();
    assert_eq!(
        per_type,
        [(200, money("5.00"), 1), (301, money("22.00"), 2)]
    );
    assert_eq!(t.coupon_amount, money("10.00"));
    assert_eq!(t.card_amount, money("3.00"));
    assert_eq!(t.cash_coupon_amount, money("1.00"));
    assert_eq!(t.voucher_amount, money("44.00"));
    assert_eq!(t.cash_amount, money("165.00"));

    let wide = TimeRange::new(t0() - days(30), t0());
    let by = deductions_by_discount_type(&tree, &cid("c1"), wide).unwrap();
    assert_eq!(by.totals[0].order_count, 3);
    assert_eq!(by.totals[0].discounts[1].amount, money("32.00"));
    assert!(matches!(
        deductions_by_discount_type(&tree, &cid("c1"), TimeRange::new(t0(), t0() - days(1))),
        Err(QueryError::RangeReversed { .. })
    ));
}

#[tokio::test]
async fn eligible_orders_for_both_contract_kinds() {
    let env = Env::new();
    env.onboard("c1").await;
    let now = nov(22, 8);
    let paid = |id: &'static str, at: DateTime<Utc>| {
        let env = &env;
        async move {
            env.place(at, order("c1", id)).await;
            env.pay(at + Duration::hours(1), id, vec![]).await;
        }
    };
    paid("g1", nov(5, 8)).await;
    paid("g2", Utc.with_ymd_and_hms(2024, 10, 28, 8, 0, 0).unwrap()).await;
    paid("g3", nov(6, 8)).await;
    paid("g4", nov(7, 8)).await;
    env.place(
        nov(12, 8),
        named(order("c1", "g9"), "Object Storage", "hws.service.type.obs"),
    )
    .await;
    env.pay(nov(12, 9), "g9", vec![]).await;
    env.run(
        nov(8, 8),
        apply_contract("c1", "K1", ContractKind::Order, &["g3"]),
    )
    .await;
    env.run(
        nov(8, 9),
        apply_contract("c1", "K2", ContractKind::Order, &["g4"]),
    )
    .await;
    env.run(
        nov(9, 8),
        Command::VoidContract(VoidContract {
            contract_no: "K2".parse().unwrap(),
            ticket: None,
        }),
    )
    .await;
    env.place(nov(20, 8), order("c1", "g5")).await;
    env.place(nov(10, 8), order("c1", "g6")).await; // deadline Nov 17: passed
    env.place(nov(21, 8), order("c1", "g7")).await;
    env.run(
        nov(21, 9),
        apply_contract("c1", "K3", ContractKind::PaymentRequest, &["g7"]),
    )
    .await;
    env.place(nov(15, 8), order("c1", "g8")).await;
    env.run(
        nov(15, 9),
        Command::CancelOrder(CancelOrder {
            order_id: oid("g8"),
        }),
    )
    .await;
    let p = env.projector().await;
    let tree = p.view(ORDERS).unwrap();
    let ids = |page: &EligiblePage| -> Vec<String> {
        page.rows.iter().map(|r| r.order_id.to_string()).collect()
    };

    let q = EligibleOrdersQuery::new(cid("c1"), ContractKind::Order, now);
    let page = eligible_orders(&tree, &q).unwrap();
    assert_eq!(ids(&page), ["g9", "g4", "g1"], "g4 released by voiding K2");
    assert_eq!(page.total, 3);
    assert_eq!(page.rows[0].payment_deadline, None);
    assert_eq!(page.rows[0].payment_time, Some(nov(12, 9)));

    let mut q2 = q.clone();
    q2.product_name = Some(ProductNameFilter::Contains("object".into()));
    assert_eq!(ids(&eligible_orders(&tree, &q2).unwrap()), ["g9"]);
    let mut q2 = q.clone();
    q2.order_time = Some(TimeRange::new(
        Utc.with_ymd_and_hms(2024, 10, 1, 0, 0, 0).unwrap(),
        nov(30, 23),
    ));
    assert_eq!(
        ids(&eligible_orders(&tree, &q2).unwrap()),
        ["g9", "g4", "g1", "g2"]
    );
    let mut q2 = q.clone();
    q2.limit = Some(1);
    q2.offset = 1;
    let page = eligible_orders(&tree, &q2).unwrap();
    assert_eq!((ids(&page), page.total), (vec!["g4".to_string()], 3));
    q2.limit = Some(MAX_ELIGIBLE_PAGE_SIZE + 1);
    assert!(matches!(
        eligible_orders(&tree, &q2),
        Err(QueryError::LimitOutOfRange { .. })
    ));
    // In December, November's orders are no longer "this month".
    let dec = EligibleOrdersQuery::new(
        cid("c1"),
        ContractKind::Order,
        Utc.with_ymd_and_hms(2024, 12, 2, 0, 0, 0).unwrap(),
    );
    assert_eq!(eligible_orders(&tree, &dec).unwrap().total, 0);

    let q = EligibleOrdersQuery::new(cid("c1"), ContractKind::PaymentRequest, now);
    let page = eligible_orders(&tree, &q).unwrap();
    assert_eq!(
        ids(&page),
        ["g5"],
        "g6 past its deadline, g7 in K3, g8 cancelled"
    );
    assert_eq!(page.rows[0].payment_deadline, Some(nov(27, 8)));
    assert_eq!(page.rows[0].unpaid_amount, Some(money("85.00")));
    assert_eq!(page.rows[0].order_amount, money("100.00"));
    let early = EligibleOrdersQuery::new(cid("c1"), ContractKind::PaymentRequest, nov(16, 0));
    assert_eq!(
        ids(&eligible_orders(&tree, &early).unwrap()),
        ["g5", "g6"],
        "judged at the caller's now"
    );
}

#[tokio::test]
async fn a_rebuild_yields_the_same_views_and_no_stale_index_entries() {
    let env = Env::new();
    env.onboard("c1").await;
    env.place(t0() - days(2), order("c1", "r-1")).await;
    env.pay(t0() - days(2) + Duration::hours(1), "r-1", vec![])
        .await;
    env.place(t0() - days(1), order("c1", "r-2")).await;
    env.pay(t0() - days(1) + Duration::hours(1), "r-2", vec![])
        .await;
    env.run_as(
        t0() - days(1) + Duration::hours(2),
        operator(),
        Command::VoidOrder(VoidOrder {
            order_id: oid("r-2"),
            reason: "duplicate".into(),
        }),
    )
    .await;
    let p = env.projector().await;
    let mut q = query("c1");
    q.payment_time = Some(TimeRange::new(t0() - days(3), t0()));
    let before = list_orders(&p.view(ORDERS).unwrap(), &q).unwrap();
    assert_eq!(ids(&before), ["r-1"]);
    let entries_before = p.view(ORDERS).unwrap().len();
    p.rebuild(ORDERS, |_| {}).await.unwrap();
    let tree = p.view(ORDERS).unwrap();
    assert_eq!(list_orders(&tree, &q).unwrap(), before);
    // Per order: row, order-time, instance, status, order-type, bill-type
    // and service-type entries (2 × 7); 1 payment-time entry (r-2 was
    // voided); count buckets: one per day and one all-time per status
    // (r-1 paid, r-2 voided: 2 + 2, none left behind by r-2's moves from
    // unpaid and paid); checkpoint.
    assert_eq!(tree.len(), 2 * 7 + 1 + 4 + 1);
    assert_eq!(entries_before, tree.len());
}

/// Deduction details show what the balance, the channel and each coupon
/// paid (issue: "what was paid by cash, balance and each coupon").
#[tokio::test]
async fn deductions_split_balance_channel_and_coupons() {
    use ledger_domain::account::CreditAccount;
    use ledger_domain::payment::{CouponUse, PayOrderFromBalance};
    let env = Env::new();
    env.onboard("c1").await;
    env.place(t0() - days(2), order("c1", "b-1")).await;
    env.run(
        t0() - days(2),
        Command::CreditAccount(CreditAccount {
            top_up_id: "TOP-1".parse().unwrap(),
            customer_id: cid("c1"),
            amount: money("100.00"),
            currency: ledger_domain::money::Currency::new("USD").unwrap(),
        }),
    )
    .await;
    env.run(
        t0() - days(2),
        Command::IssueCoupon(ledger_domain::coupon::IssueCoupon {
            coupon_id: "cc-9".parse().unwrap(),
            customer_id: cid("c1"),
            kind: VoucherKind::CashCoupon,
            face_value: money("30.00"),
            currency: ledger_domain::money::Currency::new("USD").unwrap(),
            valid_from: t0() - days(3),
            valid_until: t0() + days(3),
            min_order_amount: None,
        }),
    )
    .await;
    env.run_as(
        t0() - days(2) + Duration::hours(1),
        ledger_domain::Actor::Customer(cid("c1")),
        Command::PayOrderFromBalance(PayOrderFromBalance {
            order_id: oid("b-1"),
            coupons: vec![CouponUse {
                kind: VoucherKind::CashCoupon,
                coupon_id: "cc-9".parse().unwrap(),
            }],
        }),
    )
    .await;
    let p = env.projector().await;
    let tree = p.view(ORDERS).unwrap();
    let d = order_deductions(&tree, &cid("c1"), &oid("b-1"))
        .unwrap()
        .unwrap();
    assert_eq!(d.amount_due, money("85.00"));
    assert_eq!(
        d.vouchers,
        vec![voucher(VoucherKind::CashCoupon, "cc-9", "30.00")]
    );
    assert_eq!(d.cash_amount, Some(money("55.00")));
    assert_eq!(d.balance_amount, Some(money("55.00")));
    assert_eq!(d.channel_amount, Some(money("0.00")));
    let by = deductions_by_discount_type(&tree, &cid("c1"), TimeRange::new(t0() - days(7), t0()))
        .unwrap();
    assert_eq!(by.totals[0].balance_amount, money("55.00"));
    assert_eq!(by.totals[0].voucher_amount, money("30.00"));

    let coupons = p.view(ledger_projections::COUPONS).unwrap();
    let page = ledger_projections::coupons::list_coupons(
        &coupons,
        &cid("c1"),
        &ledger_projections::coupons::CouponQuery {
            limit: 10,
            ..Default::default()
        },
        t0(),
    )
    .unwrap();
    assert_eq!(page.count, 1);
    assert_eq!(page.coupons[0].balance, money("0.00"));
    assert_eq!(page.coupons[0].last_order_id, Some(oid("b-1")));
}
