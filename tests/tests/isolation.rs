//! Issue 9, isolation on every face: a customer key against the real
//! server (port 0), one table row per REST route and per gRPC method. Each
//! row says what the customer may do with its own data and what is refused
//! (another tenant's data, or a command its role may not send), with the
//! status and code. The table must cover the router's route list
//! (`ledger_server::rest::route_table`, which the router is built from) and
//! every `rpc` of proto/ledger/v1/ledger.proto: a new route or RPC without
//! a row fails `every_route_and_rpc_has_a_row`.

use std::collections::BTreeSet;
use std::time::Duration;

use ledger_app::CommandMeta;
use ledger_auth::{Credentials, Role};
use ledger_codec::Position;
use ledger_domain::contract::ContractKind;
use ledger_domain::Command;
use ledger_server::pb;
use ledger_server::rest::{route_table, Route};
use reqwest::Method;
use tests::server::{assert_refused, pb_header, pb_place_order, TestServer};
use tests::{apply_contract, onboard, pay_order, place_order, service};
use tokio_stream::StreamExt;
use tonic::Code;

/// The customer whose key the table uses.
const ME: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
/// Another tenant.
const OTHER: &str = "f9e8d7c6b5a4938271605f4e3d2c1b0a";

/// Orders and contracts, each used by one mutating row so the rows do not
/// depend on one another. `(order, customer, paid)`.
const ORDERS: [(&str, &str, bool); 13] = [
    ("CSME01", ME, true),    // REST: contract HTME01 (remarks, convert)
    ("CSME02", ME, false),   // REST: Huawei cancel
    ("CSME03", ME, false),   // REST: /v1 cancel
    ("CSME04", ME, true),    // REST: /v1 apply
    ("CSME05", ME, true),    // REST: contract HTME05 (void)
    ("CSME11", ME, true),    // gRPC: contract HTME11 (remarks, convert)
    ("CSME12", ME, false),   // gRPC: cancel
    ("CSME14", ME, true),    // gRPC: apply
    ("CSME15", ME, true),    // gRPC: contract HTME15 (void)
    ("CSME06", ME, false),   // REST: Huawei pay from balance
    ("CSME16", ME, false),   // gRPC: pay from balance
    ("CSOT01", OTHER, true), // the other tenant's: contract HTOT01
    ("CSOT02", OTHER, false),
];
const CONTRACTS: [(&str, &str, &str); 5] = [
    ("HTME01", ME, "CSME01"),
    ("HTME05", ME, "CSME05"),
    ("HTME11", ME, "CSME11"),
    ("HTME15", ME, "CSME15"),
    ("HTOT01", OTHER, "CSOT01"),
];

struct World {
    server: TestServer,
    me: Credentials,
}

async fn run(server: &TestServer, id: &str, command: Command) {
    let name = command.name();
    server
        .state()
        .ledger
        .execute(command, CommandMeta::new(id, service()))
        .await
        .unwrap_or_else(|e| panic!("{name} refused: {e}"));
}

async fn world() -> World {
    let server = TestServer::start().await;
    for c in [ME, OTHER] {
        for (i, command) in onboard(c).into_iter().enumerate() {
            run(&server, &format!("onboard-{c}-{i}"), command).await;
        }
    }
    for (order, customer, paid) in ORDERS {
        run(
            &server,
            &format!("place-{order}"),
            Command::PlaceOrder(place_order(customer, order)),
        )
        .await;
        if paid {
            let pay = pay_order(order, &format!("PAY-{order}"));
            run(&server, &format!("pay-{order}"), Command::PayOrder(pay)).await;
        }
    }
    // ME has a balance and a coupon; so has the other tenant.
    let top_up = |c: &str, id: &str| {
        Command::CreditAccount(ledger_domain::account::CreditAccount {
            top_up_id: id.parse().unwrap(),
            customer_id: c.parse().unwrap(),
            amount: "1000.00".parse().unwrap(),
            currency: ledger_domain::money::Currency::new("USD").unwrap(),
        })
    };
    run(&server, "top-up-me", top_up(ME, "TOP-ME")).await;
    run(&server, "top-up-other", top_up(OTHER, "TOP-OT")).await;
    let now = server.state().clock.now();
    for (id, c) in [("CP-ME1", ME), ("CP-OT1", OTHER)] {
        let issue = Command::IssueCoupon(ledger_domain::coupon::IssueCoupon {
            coupon_id: id.parse().unwrap(),
            customer_id: c.parse().unwrap(),
            kind: ledger_domain::catalog::VoucherKind::CashCoupon,
            face_value: "10.00".parse().unwrap(),
            currency: ledger_domain::money::Currency::new("USD").unwrap(),
            valid_from: now - chrono::Duration::days(1),
            valid_until: now + chrono::Duration::days(30),
            min_order_amount: None,
        });
        run(&server, &format!("issue-{id}"), issue).await;
    }
    for (no, customer, order) in CONTRACTS {
        let apply = apply_contract(customer, no, ContractKind::Order, &[order]);
        run(
            &server,
            &format!("apply-{no}"),
            Command::ApplyContract(apply),
        )
        .await;
    }
    let head = server.state().store.head().position;
    let names: Vec<&str> = server.state().projector.names().collect();
    server
        .state()
        .projector
        .wait_for(&names, Position(head.0), Duration::from_secs(10))
        .await
        .expect("read models catch up");
    let me = server.create_key(Role::Customer {
        domain_id: ME.parse().unwrap(),
    });
    World { server, me }
}

// ---------------------------------------------------------------- REST

/// One request of a REST row and the answer expected.
struct RestCase {
    /// Why: `own` (the customer's own data), `tenant` (another tenant's
    /// data), `role` (refused for the customer's role whatever the data).
    why: &'static str,
    path: String,
    body: Option<String>,
    status: u16,
    /// The Huawei error code of a refusal.
    cbc: Option<&'static str>,
}

fn case(why: &'static str, path: String, status: u16, cbc: Option<&'static str>) -> RestCase {
    RestCase {
        why,
        path,
        body: None,
        status,
        cbc,
    }
}

fn with_body(mut c: RestCase, body: &str) -> RestCase {
    c.body = Some(body.to_owned());
    c
}

const DENIED: Option<&str> = Some("CBC.0151");
const NOT_FOUND: Option<&str> = Some("CBC.0101");
const VOID_ORDER: &str = r#"{"reason":"provisioning failed"}"#;

/// THE REST table: (method, route pattern) → cases.
fn rest_table() -> Vec<(Route, Vec<RestCase>)> {
    let r = |method, path| Route { method, path };
    let v1 = |c: &str, rest: &str| format!("/v1/customers/{c}{rest}");
    let huawei_list = "/v2/orders/customer-orders";
    let details = |o: &str| format!("/v2/orders/customer-orders/details/{o}");
    let discounts = |o: &str| format!("/v2/orders/customer-orders/order-discounts?order_id={o}");
    let old = |d: &str, o: &str| format!("/v1.0/{d}/common/order-mgr/orders/{o}");
    let apply_body = |o: &str| format!(r#"{{"kind":"order","order_ids":["{o}"]}}"#);
    vec![
        (
            r("get", "/healthz"),
            vec![case("own", "/healthz".into(), 200, None)],
        ),
        (
            r("get", "/readyz"),
            vec![case("own", "/readyz".into(), 200, None)],
        ),
        (
            r("get", "/console"),
            vec![case("own", "/console".into(), 200, None)],
        ),
        (
            r("get", "/console/"),
            vec![case("own", "/console/".into(), 200, None)],
        ),
        (
            r("get", "/console/{*file}"),
            vec![
                case("own", "/console/js/app.js".into(), 200, None),
                case("own", "/console/no-such-file.js".into(), 404, None),
            ],
        ),
        (
            r("get", "/metrics"),
            vec![case("role", "/metrics".into(), 403, DENIED)],
        ),
        (
            r("get", "/v2/orders/customer-orders"),
            vec![
                case("own", huawei_list.into(), 200, None),
                case(
                    "tenant",
                    format!("{huawei_list}?customer_id={OTHER}"),
                    403,
                    DENIED,
                ),
            ],
        ),
        (
            r("get", "/v2/orders/customer-orders/details/{order_id}"),
            vec![
                case("own", details("CSME01"), 200, None),
                case("tenant", details("CSOT01"), 403, DENIED),
            ],
        ),
        (
            r("post", "/v3/orders/customer-orders/pay"),
            vec![
                with_body(
                    case(
                        "tenant",
                        "/v3/orders/customer-orders/pay".into(),
                        404,
                        NOT_FOUND,
                    ),
                    r#"{"order_id":"CSME06","use_coupon":"YES","use_discount":"NO","coupon_infos":[{"id":"CP-OT1","type":302}]}"#,
                ),
                with_body(
                    case("own", "/v3/orders/customer-orders/pay".into(), 204, None),
                    r#"{"order_id":"CSME06","use_coupon":"YES","use_discount":"NO","coupon_infos":[{"id":"CP-ME1","type":302}]}"#,
                ),
                with_body(
                    case(
                        "tenant",
                        "/v3/orders/customer-orders/pay".into(),
                        403,
                        DENIED,
                    ),
                    r#"{"order_id":"CSOT02","use_coupon":"NO","use_discount":"NO"}"#,
                ),
            ],
        ),
        (
            r("get", "/v2/accounts/customer-accounts/balances"),
            vec![
                case(
                    "own",
                    "/v2/accounts/customer-accounts/balances".into(),
                    200,
                    None,
                ),
                case(
                    "tenant",
                    format!("/v2/accounts/customer-accounts/balances?customer_id={OTHER}"),
                    403,
                    DENIED,
                ),
            ],
        ),
        (
            r("get", "/v2/promotions/benefits/coupons"),
            vec![
                case("own", "/v2/promotions/benefits/coupons".into(), 200, None),
                case(
                    "tenant",
                    format!("/v2/promotions/benefits/coupons?customer_id={OTHER}"),
                    403,
                    DENIED,
                ),
            ],
        ),
        (
            r("put", "/v2/orders/customer-orders/cancel"),
            vec![
                with_body(
                    case(
                        "tenant",
                        "/v2/orders/customer-orders/cancel".into(),
                        403,
                        DENIED,
                    ),
                    r#"{"order_id":"CSOT02"}"#,
                ),
                with_body(
                    case("own", "/v2/orders/customer-orders/cancel".into(), 204, None),
                    r#"{"order_id":"CSME02"}"#,
                ),
            ],
        ),
        (
            r("get", "/v2/orders/customer-orders/order-discounts"),
            vec![
                case("own", discounts("CSME01"), 200, None),
                case("tenant", discounts("CSOT01"), 403, DENIED),
            ],
        ),
        (
            r(
                "get",
                "/v1.0/{domain_id}/common/order-mgr/orders/{order_id}",
            ),
            vec![
                case("own", old(ME, "CSME01"), 200, None),
                case("tenant", old(OTHER, "CSOT01"), 403, DENIED),
                case("tenant", old(ME, "CSOT01"), 403, DENIED),
            ],
        ),
        (
            r("get", "/v1/customers/{customer_id}/orders"),
            vec![
                case("own", v1(ME, "/orders"), 200, None),
                case("tenant", v1(OTHER, "/orders"), 403, DENIED),
            ],
        ),
        (
            r("get", "/v1/customers/{customer_id}/orders.csv"),
            vec![
                case("own", v1(ME, "/orders.csv"), 200, None),
                case("tenant", v1(OTHER, "/orders.csv"), 403, DENIED),
            ],
        ),
        (
            r("get", "/v1/customers/{customer_id}/orders/{order_id}"),
            vec![
                case("own", v1(ME, "/orders/CSME01"), 200, None),
                case("tenant", v1(OTHER, "/orders/CSOT01"), 403, DENIED),
                case("tenant", v1(ME, "/orders/CSOT01"), 404, NOT_FOUND),
            ],
        ),
        (
            r(
                "get",
                "/v1/customers/{customer_id}/orders/{order_id}/deductions",
            ),
            vec![
                case("own", v1(ME, "/orders/CSME01/deductions"), 200, None),
                case(
                    "tenant",
                    v1(OTHER, "/orders/CSOT01/deductions"),
                    403,
                    DENIED,
                ),
                case(
                    "tenant",
                    v1(ME, "/orders/CSOT01/deductions"),
                    404,
                    NOT_FOUND,
                ),
            ],
        ),
        (
            r(
                "post",
                "/v1/customers/{customer_id}/orders/{order_id}/cancel",
            ),
            vec![
                case("tenant", v1(OTHER, "/orders/CSOT02/cancel"), 403, DENIED),
                case("tenant", v1(ME, "/orders/CSOT02/cancel"), 404, NOT_FOUND),
                case("own", v1(ME, "/orders/CSME03/cancel"), 200, None),
            ],
        ),
        (
            r("post", "/v1/customers/{customer_id}/orders/{order_id}/void"),
            vec![
                with_body(
                    case("tenant", v1(OTHER, "/orders/CSOT02/void"), 403, DENIED),
                    VOID_ORDER,
                ),
                with_body(
                    case("tenant", v1(ME, "/orders/CSOT02/void"), 404, NOT_FOUND),
                    VOID_ORDER,
                ),
                with_body(
                    case("role", v1(ME, "/orders/CSME02/void"), 403, DENIED),
                    VOID_ORDER,
                ),
            ],
        ),
        (
            r("get", "/v1/customers/{customer_id}/deductions"),
            vec![
                case("own", v1(ME, "/deductions"), 200, None),
                case("tenant", v1(OTHER, "/deductions"), 403, DENIED),
            ],
        ),
        (
            r("get", "/v1/customers/{customer_id}/eligible-orders"),
            vec![
                case("own", v1(ME, "/eligible-orders?kind=order"), 200, None),
                case(
                    "tenant",
                    v1(OTHER, "/eligible-orders?kind=order"),
                    403,
                    DENIED,
                ),
            ],
        ),
        (
            r("get", "/v1/customers/{customer_id}/contracts"),
            vec![
                case("own", v1(ME, "/contracts"), 200, None),
                case("tenant", v1(OTHER, "/contracts"), 403, DENIED),
            ],
        ),
        (
            r("post", "/v1/customers/{customer_id}/contracts"),
            vec![
                with_body(
                    case("tenant", v1(OTHER, "/contracts"), 403, DENIED),
                    &apply_body("CSOT02"),
                ),
                with_body(
                    case("tenant", v1(ME, "/contracts"), 403, DENIED),
                    &apply_body("CSOT02"),
                ),
                with_body(
                    case("own", v1(ME, "/contracts"), 201, None),
                    &apply_body("CSME04"),
                ),
            ],
        ),
        (
            r("get", "/v1/customers/{customer_id}/contracts/{contract_no}"),
            vec![
                case("own", v1(ME, "/contracts/HTME01"), 200, None),
                case("tenant", v1(OTHER, "/contracts/HTOT01"), 403, DENIED),
                case("tenant", v1(ME, "/contracts/HTOT01"), 404, NOT_FOUND),
            ],
        ),
        (
            r(
                "get",
                "/v1/customers/{customer_id}/contracts/{contract_no}/document.pdf",
            ),
            vec![
                case("own", v1(ME, "/contracts/HTME01/document.pdf"), 200, None),
                case(
                    "tenant",
                    v1(OTHER, "/contracts/HTOT01/document.pdf"),
                    403,
                    DENIED,
                ),
                case(
                    "tenant",
                    v1(ME, "/contracts/HTOT01/document.pdf"),
                    404,
                    NOT_FOUND,
                ),
            ],
        ),
        (
            r(
                "get",
                "/v1/customers/{customer_id}/contracts/{contract_no}/preview.pdf",
            ),
            vec![
                case("own", v1(ME, "/contracts/HTME01/preview.pdf"), 200, None),
                case(
                    "tenant",
                    v1(OTHER, "/contracts/HTOT01/preview.pdf"),
                    403,
                    DENIED,
                ),
                case(
                    "tenant",
                    v1(ME, "/contracts/HTOT01/preview.pdf"),
                    404,
                    NOT_FOUND,
                ),
            ],
        ),
        (
            r(
                "put",
                "/v1/customers/{customer_id}/contracts/{contract_no}/remarks",
            ),
            vec![
                with_body(
                    case(
                        "tenant",
                        v1(OTHER, "/contracts/HTOT01/remarks"),
                        403,
                        DENIED,
                    ),
                    r#"{"remarks":"mine now"}"#,
                ),
                with_body(
                    case(
                        "tenant",
                        v1(ME, "/contracts/HTOT01/remarks"),
                        404,
                        NOT_FOUND,
                    ),
                    r#"{"remarks":"mine now"}"#,
                ),
                with_body(
                    case("own", v1(ME, "/contracts/HTME01/remarks"), 200, None),
                    r#"{"remarks":"for the auditors"}"#,
                ),
            ],
        ),
        (
            r(
                "post",
                "/v1/customers/{customer_id}/contracts/{contract_no}/convert",
            ),
            vec![
                case(
                    "tenant",
                    v1(OTHER, "/contracts/HTOT01/convert"),
                    403,
                    DENIED,
                ),
                case(
                    "tenant",
                    v1(ME, "/contracts/HTOT01/convert"),
                    404,
                    NOT_FOUND,
                ),
                case("own", v1(ME, "/contracts/HTME01/convert"), 200, None),
            ],
        ),
        (
            r(
                "post",
                "/v1/customers/{customer_id}/contracts/{contract_no}/void",
            ),
            vec![
                case("tenant", v1(OTHER, "/contracts/HTOT01/void"), 403, DENIED),
                case("tenant", v1(ME, "/contracts/HTOT01/void"), 404, NOT_FOUND),
                case("own", v1(ME, "/contracts/HTME05/void"), 200, None),
            ],
        ),
    ]
}

async fn rest_call(w: &World, method: &str, c: &RestCase, n: usize) -> (u16, serde_json::Value) {
    let method: Method = method.to_uppercase().parse().unwrap();
    let mut req = reqwest::Client::new()
        .request(method, format!("{}{}", w.server.http_url(), c.path))
        .header("X-Auth-Token", w.me.token.expose())
        .header("Idempotency-Key", format!("isolation-{n}"));
    if let Some(b) = &c.body {
        req = req
            .header("Content-Type", "application/json")
            .body(b.clone());
    }
    let res = req.send().await.expect("http answers");
    let status = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or_default())
}

// ---------------------------------------------------------------- gRPC

/// Whose data a gRPC case names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    /// The customer's own id and objects.
    Own,
    /// The other tenant's id and objects.
    Other,
    /// The customer's own id with the other tenant's object.
    Mixed,
}

type Expect = Result<(), (Code, &'static str)>;

const ROLE: Expect = Err((Code::PermissionDenied, "actor_not_permitted"));
const TENANT: Expect = Err((Code::PermissionDenied, "not_permitted"));
const ACCESS: Expect = Err((Code::PermissionDenied, "access_denied"));
const ADMIN: Expect = Err((Code::PermissionDenied, "access_denied"));

/// THE gRPC table: method → cases.
fn grpc_table() -> Vec<(&'static str, Vec<(Who, Expect)>)> {
    use Who::*;
    vec![
        ("PlaceOrder", vec![(Own, ROLE), (Other, ROLE)]),
        ("PayOrder", vec![(Own, ROLE), (Other, ROLE)]),
        ("CancelOrder", vec![(Other, TENANT), (Own, Ok(()))]),
        ("VoidOrder", vec![(Own, ROLE), (Other, ROLE)]),
        (
            "ApplyContract",
            vec![
                (Other, TENANT),
                (
                    Mixed,
                    Err((Code::PermissionDenied, "order_of_another_customer")),
                ),
                (Own, Ok(())),
            ],
        ),
        ("EditContractRemarks", vec![(Other, TENANT), (Own, Ok(()))]),
        ("ConvertContract", vec![(Other, TENANT), (Own, Ok(()))]),
        ("VoidContract", vec![(Other, TENANT), (Own, Ok(()))]),
        ("RegisterCustomer", vec![(Own, ROLE), (Other, ROLE)]),
        ("CertifyRealName", vec![(Own, ROLE), (Other, ROLE)]),
        ("SetRemittanceAccount", vec![(Own, ROLE), (Other, ROLE)]),
        ("CreditAccount", vec![(Own, ROLE), (Other, ROLE)]),
        ("IssueCoupon", vec![(Own, ROLE), (Other, ROLE)]),
        (
            "PayOrderFromBalance",
            vec![
                (Other, TENANT),
                (Mixed, Err((Code::NotFound, "coupon_not_found"))),
                (Own, Ok(())),
            ],
        ),
        // Role and tenant are checked per command of the batch (more in
        // grpc_batch.rs); here the batch holds one EditContractRemarks.
        ("ExecuteBatch", vec![(Other, TENANT), (Own, Ok(()))]),
        ("ListOrders", vec![(Own, Ok(())), (Other, ACCESS)]),
        (
            "GetOrder",
            vec![
                (Own, Ok(())),
                (Other, ACCESS),
                (Mixed, Err((Code::NotFound, "order_not_found"))),
            ],
        ),
        (
            "GetOrderDeductions",
            vec![
                (Own, Ok(())),
                (Other, ACCESS),
                (Mixed, Err((Code::NotFound, "order_not_found"))),
            ],
        ),
        ("ListContracts", vec![(Own, Ok(())), (Other, ACCESS)]),
        (
            "GetContract",
            vec![
                (Own, Ok(())),
                (Other, ACCESS),
                (Mixed, Err((Code::NotFound, "contract_not_found"))),
            ],
        ),
        (
            "GetContractDocument",
            vec![
                (Own, Ok(())),
                (Other, ACCESS),
                (Mixed, Err((Code::NotFound, "contract_not_found"))),
            ],
        ),
        ("GetAggregate", vec![(Own, Ok(())), (Other, ACCESS)]),
        // Other tenants' records are filtered out, not refused: see
        // server_grpc's a_customer_subscription_streams_only_its_own_tenants_events.
        ("Subscribe", vec![(Own, Ok(()))]),
        ("Head", vec![(Own, ADMIN)]),
        ("SignedHead", vec![(Own, ADMIN)]),
        ("ProjectionStatus", vec![(Own, ADMIN)]),
        ("RebuildProjection", vec![(Own, ADMIN)]),
        ("Backup", vec![(Own, ADMIN)]),
    ]
}

fn customer_of(who: Who) -> String {
    match who {
        Who::Own | Who::Mixed => ME.into(),
        Who::Other => OTHER.into(),
    }
}

/// `own` for the customer's own object, `other` for the other tenant's.
fn object(who: Who, own: &str, other: &str) -> String {
    match who {
        Who::Own => own.into(),
        Who::Other | Who::Mixed => other.into(),
    }
}

/// Calls `rpc` with the customer's key, naming `who`'s data.
async fn grpc_call(w: &World, rpc: &str, who: Who, n: usize) -> Result<(), tonic::Status> {
    let token = w.me.token.expose();
    let header = Some(pb_header(&format!("isolation-grpc-{n}")));
    let customer = customer_of(who);
    let mut c = w.server.commands(token).await;
    let mut q = w.server.queries(token).await;
    let mut a = w.server.admin(token).await;
    let order = |own: &str, other: &str| object(who, own, other);
    match rpc {
        "PlaceOrder" => {
            let mut r = pb_place_order("x", &customer, &format!("CSNEW{n}"));
            r.header = header;
            c.place_order(r).await.map(drop)
        }
        "PayOrder" => c
            .pay_order(pb::PayOrderRequest {
                header,
                order_id: order("CSME12", "CSOT02"),
                payment_id: format!("PAY-X{n}"),
                amount: "85.00".into(),
                vouchers: vec![],
            })
            .await
            .map(drop),
        "CancelOrder" => c
            .cancel_order(pb::CancelOrderRequest {
                header,
                order_id: order("CSME12", "CSOT02"),
            })
            .await
            .map(drop),
        "VoidOrder" => c
            .void_order(pb::VoidOrderRequest {
                header,
                order_id: order("CSME11", "CSOT01"),
                reason: "mine".into(),
            })
            .await
            .map(drop),
        "ApplyContract" => c
            .apply_contract(pb::ApplyContractRequest {
                header,
                customer_id: customer,
                kind: pb::ContractKind::Order as i32,
                order_ids: vec![order("CSME14", "CSOT02")],
                remarks: String::new(),
                party_a_kind: 0,
                party_a: None,
            })
            .await
            .map(drop),
        "ConvertContract" => c
            .convert_contract(pb::ConvertContractRequest {
                header,
                contract_no: order("HTME11", "HTOT01"),
            })
            .await
            .map(drop),
        "VoidContract" => c
            .void_contract(pb::VoidContractRequest {
                header,
                contract_no: order("HTME15", "HTOT01"),
                ticket_id: String::new(),
                void_reason: String::new(),
            })
            .await
            .map(drop),
        "EditContractRemarks" => c
            .edit_contract_remarks(pb::EditContractRemarksRequest {
                header,
                contract_no: order("HTME11", "HTOT01"),
                remarks: "mine".into(),
            })
            .await
            .map(drop),
        "RegisterCustomer" => c
            .register_customer(pb::RegisterCustomerRequest {
                header,
                customer_id: customer,
                name: "renamed".into(),
            })
            .await
            .map(drop),
        "CertifyRealName" => c
            .certify_real_name(pb::CertifyRealNameRequest {
                header,
                customer_id: customer,
                name: "Someone Else Ltd.".into(),
                kind: pb::CertificationKind::Enterprise as i32,
            })
            .await
            .map(drop),
        "SetRemittanceAccount" => c
            .set_remittance_account(pb::SetRemittanceAccountRequest {
                header,
                customer_id: customer,
                bank_name: "Elsewhere Bank".into(),
                account_name: "mine".into(),
                account_number: "0000".into(),
            })
            .await
            .map(drop),
        "CreditAccount" => c
            .credit_account(pb::CreditAccountRequest {
                header,
                top_up_id: format!("TOP-X{n}"),
                customer_id: customer,
                amount: "1000000.00".into(),
                currency: "USD".into(),
            })
            .await
            .map(drop),
        "IssueCoupon" => c
            .issue_coupon(pb::IssueCouponRequest {
                header,
                coupon_id: format!("CP-X{n}"),
                customer_id: customer,
                kind: 301,
                face_value: "1000.00".into(),
                currency: "USD".into(),
                valid_from: "2020-01-01T00:00:00Z".into(),
                valid_until: "2099-01-01T00:00:00Z".into(),
                min_order_amount: String::new(),
            })
            .await
            .map(drop),
        "ExecuteBatch" => {
            use pb::batch_result::Result as R;
            let results = c
                .execute_batch(pb::ExecuteBatchRequest {
                    commands: vec![pb::BatchCommand {
                        command: Some(pb::batch_command::Command::EditContractRemarks(
                            pb::EditContractRemarksRequest {
                                header,
                                contract_no: order("HTME11", "HTOT01"),
                                remarks: "batched".into(),
                            },
                        )),
                    }],
                })
                .await?
                .into_inner()
                .results;
            match results.into_iter().next().and_then(|r| r.result) {
                Some(R::Reply(_)) => Ok(()),
                Some(R::Error(e)) => {
                    // The status the command's own RPC would have answered.
                    let code: &'static str = Box::leak(e.code.into_boxed_str());
                    let status: tonic::Status =
                        ledger_server::errors::ApiError::new(code, e.message).into();
                    assert_eq!(status.code() as i32, e.grpc_code);
                    Err(status)
                }
                None => panic!("a batch of one answered no result"),
            }
        }
        "PayOrderFromBalance" => c
            .pay_order_from_balance(pb::PayOrderFromBalanceRequest {
                header,
                order_id: match who {
                    Who::Own | Who::Mixed => "CSME16".into(),
                    Who::Other => "CSOT02".into(),
                },
                coupons: vec![pb::CouponUse {
                    kind: 302,
                    coupon_id: match who {
                        Who::Own => "CP-ME1".into(),
                        Who::Other | Who::Mixed => "CP-OT1".into(),
                    },
                }],
            })
            .await
            .map(drop),
        "ListOrders" => q
            .list_orders(pb::ListOrdersRequest {
                customer_id: customer,
                ..Default::default()
            })
            .await
            .map(drop),
        "GetOrder" => q
            .get_order(pb::GetOrderRequest {
                customer_id: customer,
                order_id: order("CSME01", "CSOT01"),
                min_position: 0,
            })
            .await
            .map(drop),
        "GetOrderDeductions" => q
            .get_order_deductions(pb::GetOrderRequest {
                customer_id: customer,
                order_id: order("CSME01", "CSOT01"),
                min_position: 0,
            })
            .await
            .map(drop),
        "ListContracts" => q
            .list_contracts(pb::ListContractsRequest {
                customer_id: customer,
                ..Default::default()
            })
            .await
            .map(drop),
        "GetContract" => q
            .get_contract(pb::GetContractRequest {
                customer_id: customer,
                contract_no: order("HTME01", "HTOT01"),
                min_position: 0,
            })
            .await
            .map(drop),
        "GetContractDocument" => q
            .get_contract_document(pb::GetContractDocumentRequest {
                customer_id: customer,
                contract_no: order("HTME01", "HTOT01"),
                kind: pb::ContractDocumentKind::Preview as i32,
            })
            .await
            .map(|r| assert!(r.into_inner().pdf.starts_with(b"%PDF-"))),
        "GetAggregate" => q
            .get_aggregate(pb::GetAggregateRequest {
                kind: "customer".into(),
                id: customer,
            })
            .await
            .map(drop),
        "Subscribe" => {
            let mut stream = q
                .subscribe(pb::SubscribeRequest { from_position: 1 })
                .await?
                .into_inner();
            let first = stream.next().await.expect("a record")?;
            assert_eq!(first.stream_id, format!("customer-{ME}"));
            Ok(())
        }
        "Head" => a.head(pb::HeadRequest {}).await.map(drop),
        "SignedHead" => a.signed_head(pb::SignedHeadRequest {}).await.map(drop),
        "ProjectionStatus" => a
            .projection_status(pb::ProjectionStatusRequest {})
            .await
            .map(drop),
        "RebuildProjection" => a
            .rebuild_projection(pb::RebuildProjectionRequest { name: "all".into() })
            .await
            .map(drop),
        "Backup" => a
            .backup(pb::BackupRequest {
                dir: w.server.dir.path().join("stolen").display().to_string(),
            })
            .await
            .map(drop),
        other => panic!("the test has no call for rpc {other}"),
    }
}

// ---------------------------------------------------------------- tests

/// The `rpc` names of every service in the proto, as the server serves.
fn proto_rpcs() -> BTreeSet<String> {
    let proto = include_str!("../../proto/ledger/v1/ledger.proto");
    proto
        .lines()
        .filter_map(|l| l.trim().strip_prefix("rpc "))
        .map(|l| l.split('(').next().unwrap_or("").trim().to_owned())
        .collect()
}

#[test]
fn every_route_and_rpc_has_a_row() {
    let served: BTreeSet<Route> = route_table().into_iter().collect();
    let rows: BTreeSet<Route> = rest_table().into_iter().map(|(r, _)| r).collect();
    assert!(served.len() >= 20, "only {} routes found", served.len());
    let missing: Vec<_> = served.difference(&rows).collect();
    assert!(missing.is_empty(), "routes without a row: {missing:?}");
    let stale: Vec<_> = rows.difference(&served).collect();
    assert!(stale.is_empty(), "rows for no route: {stale:?}");

    let rpcs = proto_rpcs();
    assert!(rpcs.len() >= 20, "only {} rpcs found", rpcs.len());
    let rows: BTreeSet<String> = grpc_table().iter().map(|(n, _)| n.to_string()).collect();
    let missing: Vec<_> = rpcs.difference(&rows).collect();
    assert!(missing.is_empty(), "rpcs without a row: {missing:?}");
    let stale: Vec<_> = rows.difference(&rpcs).collect();
    assert!(stale.is_empty(), "rows for no rpc: {stale:?}");

    // Every row says what is refused, except the two public probes and
    // the console's static files.
    for (route, cases) in rest_table() {
        let public = ["/healthz", "/readyz", "/console", "/console/"].contains(&route.path);
        assert!(
            public || cases.iter().any(|c| c.status >= 400),
            "{route:?} has no refused case"
        );
    }
    for (rpc, cases) in grpc_table() {
        assert!(
            rpc == "Subscribe" || cases.iter().any(|(_, e)| e.is_err()),
            "{rpc} has no refused case"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_key_on_every_rest_route() {
    let w = world().await;
    let mut n = 0;
    for (route, cases) in rest_table() {
        for c in &cases {
            n += 1;
            let (status, body) = rest_call(&w, route.method, c, n).await;
            let at = format!("{} {} ({}): {body}", route.method, c.path, c.why);
            assert_eq!(status, c.status, "{at}");
            if let Some(cbc) = c.cbc {
                assert_eq!(body["error_code"], cbc, "{at}");
            }
            if c.why == "tenant" {
                let text = body.to_string();
                assert!(
                    !text.contains("CSOT0") || text.contains("error_code"),
                    "{at}"
                );
            }
        }
    }
    // Nothing of the other tenant changed.
    let log = w
        .server
        .state()
        .store
        .read_all(Position(1), 1000)
        .await
        .unwrap();
    for r in &log {
        if r.metadata.command.actor.starts_with("customer:") {
            assert!(r.metadata.tenant.is(&ME.parse().unwrap()), "{r:?}");
        }
    }
    w.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_key_on_every_grpc_method() {
    let w = world().await;
    let before = w.server.state().store.head().position;
    let mut n = 0;
    for (rpc, cases) in grpc_table() {
        for (who, expect) in cases {
            n += 1;
            let got = grpc_call(&w, rpc, who, n).await;
            match (expect, got) {
                (Ok(()), Ok(())) => {}
                (Err((code, stable)), Err(status)) => assert_refused(&status, code, stable),
                (expect, got) => panic!("{rpc} as {who:?}: expected {expect:?}, got {got:?}"),
            }
        }
    }
    // Every record the customer's key wrote is its own tenant's.
    let log = w
        .server
        .state()
        .store
        .read_all(before.next(), 1000)
        .await
        .unwrap();
    assert!(!log.is_empty());
    for r in &log {
        assert!(r.metadata.tenant.is(&ME.parse().unwrap()), "{r:?}");
    }
    w.server.shutdown().await;
}
