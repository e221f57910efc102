//! `LedgerQueries` end to end: typed replies carrying the same values as
//! the `/v1` REST documents (key for key, see `typed_support`), the
//! deprecated `json` compatibility field, the tenant check, bad filters,
//! read-your-writes and the aggregate state straight from the log.

#[macro_use]
mod typed_support;
mod v1_support;

use ledger_server::pb;
use prost::Message as _;
use serde_json::{json, Value};
use tests::server::{assert_refused, pb_header, pb_place_order};
use tonic::Code;
use typed_support::{assert_same, Doc};
use v1_support::*;

/// An aggregate's JSON state (GetAggregate stays a ViewReply).
fn view(reply: pb::ViewReply) -> Value {
    serde_json::from_str(&reply.json).expect("json view")
}

fn list(customer: &str) -> pb::ListOrdersRequest {
    pb::ListOrdersRequest {
        customer_id: customer.into(),
        ..Default::default()
    }
}

fn typed_ids(page: &pb::ListOrdersReply) -> Vec<&str> {
    page.orders.iter().map(|o| o.order_id.as_str()).collect()
}

#[tokio::test]
async fn list_orders_answers_the_rest_documents_values_typed() {
    let s = seeded().await;
    let mut queries = s.server.queries(s.customer.token.expose()).await;
    let rest = Rest::new(&s.server, &s.customer);
    let cases = [
        (list(A), format!("/v1/customers/{A}/orders")),
        (
            pb::ListOrdersRequest {
                order_time_begin: "2024-11-01T00:00:00Z".into(),
                order_types: vec![
                    pb::OrderType::Purchase as i32,
                    pb::OrderType::Renewal as i32,
                ],
                status: "paid".into(),
                oldest_first: true,
                limit: 1,
                ..list(A)
            },
            format!(
                "/v1/customers/{A}/orders?order_time_begin=2024-11-01T00:00:00Z\
                 &order_type=purchase,renewal&status=paid&sort=oldest_first&limit=1"
            ),
        ),
        (
            pb::ListOrdersRequest {
                instance_id: "vol-1".into(),
                ..list(A)
            },
            format!("/v1/customers/{A}/orders?instance_id=vol-1"),
        ),
        (
            pb::ListOrdersRequest {
                product_name: "elastic cloud server".into(),
                bill_type: "postpay".into(),
                ..list(A)
            },
            format!("/v1/customers/{A}/orders?product_name=elastic+cloud+server&bill_type=postpay"),
        ),
        (
            pb::ListOrdersRequest {
                product_name: "volume".into(),
                product_name_match: "contains".into(),
                service_type_code: "hws.service.type.ebs".into(),
                payment_time_begin: "2024-11-01T00:00:00Z".into(),
                payment_time_end: "2024-12-01T00:00:00Z".into(),
                ..list(A)
            },
            format!(
                "/v1/customers/{A}/orders?product_name=volume&product_name_match=contains\
                 &service_type_code=hws.service.type.ebs\
                 &payment_time_begin=2024-11-01T00:00:00Z&payment_time_end=2024-12-01T00:00:00Z"
            ),
        ),
    ];
    for (request, path) in cases {
        let reply = queries
            .list_orders(request)
            .await
            .expect("listed")
            .into_inner();
        assert!(reply.position >= s.position);
        let document = rest.get(&path).await.ok();
        assert!(reply.total_count > 0, "{path} matches nothing");
        assert_eq!(document["total"], reply.total_count, "{path}");
        assert_same(&document, &typed!(reply), Doc::Order);
    }
    // The whole list, row by row: amounts exact, in the row's currency.
    let all = queries.list_orders(list(A)).await.unwrap().into_inner();
    assert_eq!(all.total_count, 4, "the last 7 days: CS0002 to CS0005");
    assert_eq!(all.orders.len(), 4);
    assert!(all.next_cursor.is_empty());
    assert_eq!(all.time_zone, "Asia/Shanghai");
    let window = all.order_time.as_ref().expect("the default window");
    assert_eq!(window.begin, "2024-11-14T16:00:00Z");
    for row in &all.orders {
        assert_eq!(row.currency, "USD");
        assert_eq!(row.amount_due, "85.00", "{}", row.order_id);
        let paid = row.status() == pb::OrderStatus::Paid;
        assert_eq!(row.cash_payment, if paid { "85.00" } else { "0" });
        assert_eq!(paid, !row.payment_time.is_empty());
    }
    let cancelled = all.orders.iter().find(|o| o.order_id == "CS0004").unwrap();
    assert_eq!(cancelled.status(), pb::OrderStatus::Cancelled);
    assert_eq!(cancelled.status_name, "Cancelled");
    assert_eq!(cancelled.order_type(), pb::OrderType::Upgrade);
    assert_eq!(cancelled.bill_type(), pb::BillType::Prepay);
    assert!(!cancelled.operations.as_ref().unwrap().pay);
    // Paging by cursor: the total is exact on every page.
    let page = queries
        .list_orders(pb::ListOrdersRequest {
            order_time_begin: "2024-11-01T00:00:00Z".into(),
            oldest_first: true,
            limit: 2,
            ..list(A)
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(typed_ids(&page), ["CS0001", "CS0002"]);
    assert_eq!(page.total_count, 5);
    assert!(!page.next_cursor.is_empty());
    let next = queries
        .list_orders(pb::ListOrdersRequest {
            order_time_begin: "2024-11-01T00:00:00Z".into(),
            oldest_first: true,
            limit: 2,
            cursor: page.next_cursor.clone(),
            ..list(A)
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(typed_ids(&next), ["CS0003", "CS0004"]);
    assert_eq!(next.total_count, 5);
    s.server.shutdown().await;
}

#[tokio::test]
async fn orders_and_deductions_are_the_rest_documents_values_typed() {
    let s = seeded().await;
    let rest = Rest::new(&s.server, &s.customer);
    let mut queries = s.server.queries(s.customer.token.expose()).await;
    let get = |order: &str| pb::GetOrderRequest {
        customer_id: A.into(),
        order_id: order.into(),
        min_position: 0,
    };
    // Paid, paid, unpaid (pay-as-you-go), cancelled, unpaid.
    for (id, ..) in ORDERS {
        let reply = queries.get_order(get(id)).await.unwrap().into_inner();
        assert!(reply.position >= s.position);
        let order = reply.order.expect("the order");
        let document = rest
            .get(&format!("/v1/customers/{A}/orders/{id}"))
            .await
            .ok();
        assert_same(&document, &typed!(order), Doc::Order);
        assert_eq!(order.currency, "USD");
        assert_eq!(order.amount_due, document["amount_due"].as_str().unwrap());
        assert_eq!(order.line_items.len(), 1, "{id}");
        let reply = queries
            .get_order_deductions(get(id))
            .await
            .unwrap()
            .into_inner();
        let deductions = reply.deductions.expect("the deductions");
        let document = rest
            .get(&format!("/v1/customers/{A}/orders/{id}/deductions"))
            .await
            .ok();
        assert_same(&document, &typed!(deductions), Doc::Order);
    }
    let paid = queries.get_order(get("CS0001")).await.unwrap().into_inner();
    let paid = paid.order.unwrap();
    // The comparison sees a changed amount, enum, null or missing field.
    let document = rest
        .get(&format!("/v1/customers/{A}/orders/CS0001"))
        .await
        .ok();
    let good = typed!(paid);
    assert_same(&document, &good, Doc::Order);
    let changes: [fn(&mut Value); 6] = [
        |o| o["amount_due"] = json!("85.0"),
        |o| o["line_items"][0]["amount_info"]["coupon_amount"] = json!("0.00"),
        |o| o["status"] = json!(pb::OrderStatus::Unpaid as i32),
        |o| o["contract_no"] = json!("EC1"),
        |o| {
            o.as_object_mut().unwrap().remove("currency");
        },
        |o| {
            o.as_object_mut().unwrap().insert("extra".into(), json!(""));
        },
    ];
    for change in changes {
        let mut wrong = good.clone();
        change(&mut wrong);
        let caught = std::panic::catch_unwind(|| assert_same(&document, &wrong, Doc::Order));
        assert!(caught.is_err(), "a difference unseen: {wrong}");
    }
    assert_eq!(paid.status(), pb::OrderStatus::Paid);
    assert_eq!(paid.payment.as_ref().unwrap().amount, "85.00");
    assert_eq!(paid.payment.as_ref().unwrap().cash_amount, "85.00");
    assert_eq!(paid.cancel_reason(), pb::CancelReason::Unspecified);
    let line = &paid.line_items[0];
    assert_eq!(line.charge_type(), pb::ChargeType::Subscription);
    assert!(line.duration.is_some());
    let cancelled = queries.get_order(get("CS0004")).await.unwrap().into_inner();
    let cancelled = cancelled.order.unwrap();
    assert_eq!(cancelled.status(), pb::OrderStatus::Cancelled);
    assert_eq!(cancelled.cancel_reason(), pb::CancelReason::Requested);
    assert!(!cancelled.cancelled_at.is_empty());
    assert!(cancelled.payment.is_none());
    let usage = queries.get_order(get("CS0003")).await.unwrap().into_inner();
    let line = &usage.order.unwrap().line_items[0];
    assert_eq!(line.unit_price_per(), pb::PriceUnit::Minute);
    assert_eq!(
        line.duration.as_ref().unwrap().period_type(),
        pb::PeriodType::PayPerUse
    );
    s.server.shutdown().await;
}

/// Applies for a contract of A's: its number.
async fn apply(rest: &Rest, key: &str, body: Value) -> String {
    let applied = rest
        .post(
            &format!("/v1/customers/{A}/contracts"),
            Some(key),
            Some(body),
        )
        .await;
    assert_eq!(applied.status, 201, "{}", applied.text);
    applied.json()["contract"]["contract_no"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn contracts_are_the_rest_documents_values_typed_and_aggregates_stay_json() {
    let s = seeded().await;
    let rest = Rest::new(&s.server, &s.customer);
    let contracts = format!("/v1/customers/{A}/contracts");
    let no = apply(
        &rest,
        "apply-grpc",
        json!({"kind": "order", "order_ids": ["CS0001"]}),
    )
    .await;
    let request = apply(
        &rest,
        "apply-grpc-pr",
        json!({"kind": "payment_request", "order_ids": ["CS0003", "CS0005"]}),
    )
    .await;
    let voided = rest
        .post(&format!("{contracts}/{request}/void"), None, None)
        .await;
    assert_eq!(voided.status, 200, "{}", voided.text);
    let mut queries = s.server.queries(s.customer.token.expose()).await;
    let order = queries
        .get_order(pb::GetOrderRequest {
            customer_id: A.into(),
            order_id: "CS0001".into(),
            min_position: voided.position(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(order.order.unwrap().contract_no, no);
    let filters = [
        (pb::ListContractsRequest::default(), String::new()),
        (
            pb::ListContractsRequest {
                status: "draft".into(),
                kind: pb::ContractKind::Order as i32,
                ..Default::default()
            },
            "?status=draft&kind=order".to_owned(),
        ),
        (
            pb::ListContractsRequest {
                limit: 1,
                offset: 1,
                ..Default::default()
            },
            "?limit=1&offset=1".to_owned(),
        ),
    ];
    for (request, query) in filters {
        let listed = queries
            .list_contracts(pb::ListContractsRequest {
                customer_id: A.into(),
                min_position: voided.position(),
                ..request
            })
            .await
            .unwrap()
            .into_inner();
        let document = rest.get(&format!("{contracts}{query}")).await.ok();
        assert_eq!(document["total"], listed.total_count, "{query}");
        assert_same(&document, &typed!(listed), Doc::Contract);
    }
    let all = queries
        .list_contracts(pb::ListContractsRequest {
            customer_id: A.into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(all.total_count, 2);
    for no in [&no, &request] {
        let reply = queries
            .get_contract(pb::GetContractRequest {
                customer_id: A.into(),
                contract_no: no.clone(),
                min_position: 0,
            })
            .await
            .unwrap()
            .into_inner();
        let contract = reply.contract.expect("the contract");
        let document = rest.get(&format!("{contracts}/{no}")).await.ok();
        assert_same(&document, &typed!(contract), Doc::Contract);
    }
    let typed_request = queries
        .get_contract(pb::GetContractRequest {
            customer_id: A.into(),
            contract_no: request.clone(),
            min_position: 0,
        })
        .await
        .unwrap()
        .into_inner()
        .contract
        .unwrap();
    assert_eq!(typed_request.kind(), pb::ContractKind::PaymentRequest);
    assert_eq!(typed_request.status(), pb::ContractStatus::Voided);
    assert!(!typed_request.voided_at.is_empty());
    assert_eq!(typed_request.orders[0].amount_due, "85.00");
    assert_eq!(
        typed_request.remittance_account.unwrap().bank_name,
        "China Merchants Bank"
    );
    let party_a = typed_request.subject.unwrap().party_a.unwrap();
    assert_eq!(party_a.kind(), pb::CertificationKind::Enterprise);

    let aggregate = |kind: &str, id: &str| pb::GetAggregateRequest {
        kind: kind.into(),
        id: id.into(),
    };
    let o = queries
        .get_aggregate(aggregate("order", "CS0001"))
        .await
        .unwrap()
        .into_inner();
    assert!(o.position >= s.position);
    let o = view(o);
    assert_eq!(o["kind"], "order");
    assert_eq!(o["version"], 3, "placed, paid, attached: {o}");
    assert_eq!(o["state"]["spec"]["order_id"], "CS0001");
    assert_eq!(o["state"]["contract"], no.as_str());
    let c = view(
        queries
            .get_aggregate(aggregate("contract", &no))
            .await
            .unwrap()
            .into_inner(),
    );
    assert_eq!(c["state"]["status"], "Draft");
    let me = view(
        queries
            .get_aggregate(aggregate("customer", A))
            .await
            .unwrap()
            .into_inner(),
    );
    assert_eq!(me["state"]["real_name"]["kind"], "enterprise");
    assert_eq!(
        me["state"]["remittance_account"]["bank_name"],
        "China Merchants Bank"
    );
    s.server.shutdown().await;
}

/// The compatibility path: a client built against `ViewReply` decodes the
/// typed replies (same field numbers for `json` and `position`), and the
/// deprecated `json` is still the REST document in this release.
#[tokio::test]
#[allow(deprecated)]
async fn a_view_reply_client_still_reads_the_rest_document() {
    let s = seeded().await;
    let rest = Rest::new(&s.server, &s.customer);
    let mut queries = s.server.queries(s.customer.token.expose()).await;
    let old = |bytes: Vec<u8>| pb::ViewReply::decode(bytes.as_slice()).expect("a ViewReply");
    let listed = queries.list_orders(list(A)).await.unwrap().into_inner();
    let as_old = old(listed.encode_to_vec());
    assert_eq!(as_old.position, listed.position);
    assert_eq!(as_old.json, listed.json);
    let document = rest.get(&format!("/v1/customers/{A}/orders")).await.ok();
    assert_eq!(view(as_old), document);
    let get = pb::GetOrderRequest {
        customer_id: A.into(),
        order_id: "CS0002".into(),
        min_position: 0,
    };
    let order = queries.get_order(get.clone()).await.unwrap().into_inner();
    let document = rest
        .get(&format!("/v1/customers/{A}/orders/CS0002"))
        .await
        .ok();
    assert_eq!(view(old(order.encode_to_vec())), document);
    let deductions = queries
        .get_order_deductions(get)
        .await
        .unwrap()
        .into_inner();
    let document = rest
        .get(&format!("/v1/customers/{A}/orders/CS0002/deductions"))
        .await
        .ok();
    assert_eq!(view(old(deductions.encode_to_vec())), document);
    let contracts = queries
        .list_contracts(pb::ListContractsRequest {
            customer_id: A.into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let document = rest.get(&format!("/v1/customers/{A}/contracts")).await.ok();
    assert_eq!(view(old(contracts.encode_to_vec())), document);
    s.server.shutdown().await;
}

#[tokio::test]
async fn another_tenant_is_permission_denied() {
    let s = seeded().await;
    let mut queries = s.server.queries(s.customer.token.expose()).await;
    let err = queries.list_orders(list(B)).await.unwrap_err();
    assert_refused(&err, Code::PermissionDenied, "access_denied");
    let err = queries
        .get_order(pb::GetOrderRequest {
            customer_id: B.into(),
            order_id: B_ORDER.into(),
            min_position: 0,
        })
        .await
        .unwrap_err();
    assert_refused(&err, Code::PermissionDenied, "access_denied");
    let err = queries
        .list_contracts(pb::ListContractsRequest {
            customer_id: B.into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_refused(&err, Code::PermissionDenied, "access_denied");
    for (kind, id) in [("order", B_ORDER), ("customer", B)] {
        let err = queries
            .get_aggregate(pb::GetAggregateRequest {
                kind: kind.into(),
                id: id.into(),
            })
            .await
            .unwrap_err();
        assert_refused(&err, Code::PermissionDenied, "access_denied");
    }
    // Under its own customer id, another tenant's order does not exist.
    let err = queries
        .get_order(pb::GetOrderRequest {
            customer_id: A.into(),
            order_id: B_ORDER.into(),
            min_position: 0,
        })
        .await
        .unwrap_err();
    assert_refused(&err, Code::NotFound, "order_not_found");
    // An operator reads any customer.
    let mut operator = s.server.queries(s.operator.token.expose()).await;
    let page = operator.list_orders(list(B)).await.unwrap().into_inner();
    assert_eq!(typed_ids(&page), [B_ORDER]);
    s.server.shutdown().await;
}

#[tokio::test]
async fn bad_filters_are_invalid_arguments() {
    let s = seeded().await;
    let mut queries = s.server.queries(s.customer.token.expose()).await;
    let bad = [
        (
            pb::ListOrdersRequest {
                status: "refunded".into(),
                ..list(A)
            },
            "invalid_parameter",
        ),
        (
            pb::ListOrdersRequest {
                limit: 500,
                ..list(A)
            },
            "invalid_parameter",
        ),
        (
            pb::ListOrdersRequest {
                order_types: vec![99],
                ..list(A)
            },
            "invalid_parameter",
        ),
        (
            pb::ListOrdersRequest {
                order_time_begin: "last week".into(),
                ..list(A)
            },
            "invalid_parameter",
        ),
        (
            pb::ListOrdersRequest {
                cursor: "zz".into(),
                ..list(A)
            },
            "invalid_parameter",
        ),
        (
            pb::ListOrdersRequest {
                min_position: 1_000_000,
                ..list(A)
            },
            "invalid_parameter",
        ),
        (list(""), "bad_parameter"),
    ];
    for (request, code) in bad {
        let err = queries.list_orders(request.clone()).await.unwrap_err();
        assert_refused(&err, Code::InvalidArgument, code);
    }
    let err = queries
        .get_aggregate(pb::GetAggregateRequest {
            kind: "invoice".into(),
            id: "x".into(),
        })
        .await
        .unwrap_err();
    assert_refused(&err, Code::InvalidArgument, "invalid_parameter");
    let err = queries
        .get_contract(pb::GetContractRequest {
            customer_id: A.into(),
            contract_no: "EC404".into(),
            min_position: 0,
        })
        .await
        .unwrap_err();
    assert_refused(&err, Code::NotFound, "contract_not_found");
    s.server.shutdown().await;
}

#[tokio::test]
async fn a_query_naming_a_commands_position_sees_it() {
    let s = seeded().await;
    let mut commands = s.server.commands(s.service.token.expose()).await;
    let placed = commands
        .place_order(pb_place_order("place-grpc", A, "CS0007"))
        .await
        .expect("placed")
        .into_inner();
    let mut queries = s.server.queries(s.customer.token.expose()).await;
    let reply = queries
        .list_orders(pb::ListOrdersRequest {
            min_position: placed.position,
            ..list(A)
        })
        .await
        .unwrap()
        .into_inner();
    assert!(reply.position >= placed.position);
    assert_eq!(typed_ids(&reply)[0], "CS0007");
    let cancelled = commands
        .cancel_order(pb::CancelOrderRequest {
            header: Some(pb_header("cancel-grpc")),
            order_id: "CS0007".into(),
        })
        .await
        .unwrap()
        .into_inner();
    let order = queries
        .get_order(pb::GetOrderRequest {
            customer_id: A.into(),
            order_id: "CS0007".into(),
            min_position: cancelled.position,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(order.position >= cancelled.position);
    let order = order.order.expect("the order");
    assert_eq!(order.status(), pb::OrderStatus::Cancelled);
    assert_eq!(order.cancel_reason(), pb::CancelReason::Requested);
    s.server.shutdown().await;
}
