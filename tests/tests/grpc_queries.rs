//! `LedgerQueries` end to end: the same JSON views as the `/v1` REST
//! resources, the tenant check, bad filters, read-your-writes and the
//! aggregate state straight from the log.

mod v1_support;

use ledger_server::pb;
use serde_json::{json, Value};
use tests::server::{assert_refused, pb_header, pb_place_order};
use tonic::Code;
use v1_support::*;

fn view(reply: pb::ViewReply) -> Value {
    serde_json::from_str(&reply.json).expect("json view")
}

fn list(customer: &str) -> pb::ListOrdersRequest {
    pb::ListOrdersRequest {
        customer_id: customer.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn list_orders_answers_the_rest_document() {
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
        let view = view(reply);
        assert!(view["total"].as_u64() > Some(0), "{path} matches nothing");
        assert_eq!(view, rest.get(&path).await.ok(), "{path}");
    }
    let page = view(
        queries
            .list_orders(pb::ListOrdersRequest {
                order_time_begin: "2024-11-01T00:00:00Z".into(),
                oldest_first: true,
                limit: 2,
                ..list(A)
            })
            .await
            .unwrap()
            .into_inner(),
    );
    assert_eq!(ids(&page), ["CS0001", "CS0002"]);
    let next = view(
        queries
            .list_orders(pb::ListOrdersRequest {
                order_time_begin: "2024-11-01T00:00:00Z".into(),
                oldest_first: true,
                limit: 2,
                cursor: page["next_cursor"].as_str().unwrap().into(),
                ..list(A)
            })
            .await
            .unwrap()
            .into_inner(),
    );
    assert_eq!(ids(&next), ["CS0003", "CS0004"]);
    s.server.shutdown().await;
}

#[tokio::test]
async fn orders_contracts_and_aggregates_are_the_rest_documents() {
    let s = seeded().await;
    let rest = Rest::new(&s.server, &s.customer);
    let contracts = format!("/v1/customers/{A}/contracts");
    let applied = rest
        .post(
            &contracts,
            Some("apply-grpc"),
            Some(json!({
                "kind": "order",
                "order_ids": ["CS0001"],
            })),
        )
        .await;
    assert_eq!(applied.status, 201, "{}", applied.text);
    let no = applied.json()["contract"]["contract_no"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut queries = s.server.queries(s.customer.token.expose()).await;
    let get = |order: &str| pb::GetOrderRequest {
        customer_id: A.into(),
        order_id: order.into(),
        min_position: 0,
    };
    let order = view(queries.get_order(get("CS0001")).await.unwrap().into_inner());
    assert_eq!(
        order,
        rest.get(&format!("/v1/customers/{A}/orders/CS0001"))
            .await
            .ok()
    );
    assert_eq!(order["contract_no"], no.as_str());
    let deductions = view(
        queries
            .get_order_deductions(get("CS0001"))
            .await
            .unwrap()
            .into_inner(),
    );
    assert_eq!(
        deductions,
        rest.get(&format!("/v1/customers/{A}/orders/CS0001/deductions"))
            .await
            .ok()
    );
    let listed = view(
        queries
            .list_contracts(pb::ListContractsRequest {
                customer_id: A.into(),
                status: "draft".into(),
                kind: pb::ContractKind::Order as i32,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner(),
    );
    assert_eq!(
        listed,
        rest.get(&format!("{contracts}?status=draft&kind=order"))
            .await
            .ok()
    );
    assert_eq!(listed["total"], 1);
    let contract = view(
        queries
            .get_contract(pb::GetContractRequest {
                customer_id: A.into(),
                contract_no: no.clone(),
                min_position: 0,
            })
            .await
            .unwrap()
            .into_inner(),
    );
    assert_eq!(contract, rest.get(&format!("{contracts}/{no}")).await.ok());

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
    let page = view(operator.list_orders(list(B)).await.unwrap().into_inner());
    assert_eq!(ids(&page), [B_ORDER]);
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
    assert_eq!(ids(&view(reply))[0], "CS0007");
    let cancelled = commands
        .cancel_order(pb::CancelOrderRequest {
            header: Some(pb_header("cancel-grpc")),
            order_id: "CS0007".into(),
        })
        .await
        .unwrap()
        .into_inner();
    let order = view(
        queries
            .get_order(pb::GetOrderRequest {
                customer_id: A.into(),
                order_id: "CS0007".into(),
                min_position: cancelled.position,
            })
            .await
            .unwrap()
            .into_inner(),
    );
    assert_eq!(order["status"], "cancelled");
    s.server.shutdown().await;
}
