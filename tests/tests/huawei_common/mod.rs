//! Shared by the Huawei REST and SDK tests: seeding orders through the
//! server's own ledger (waiting for the views to show them), and signed
//! HTTP calls that return status, headers and JSON.

#![allow(dead_code)] // each test file uses its own part

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use ledger_app::CommandMeta;
use ledger_auth::{Credentials, Role};
use ledger_codec::Position;
use ledger_domain::catalog::{
    ChargeType, DiscountType, OrderType, PeriodType, PriceUnit, SourceType,
};
use ledger_domain::ids::OperatorId;
use ledger_domain::money::{Currency, Money};
use ledger_domain::order::{
    CancelOrder, Discount, LineItem, OrderSpec, PayOrder, Payment, Period, PlaceOrder, Pricing,
    UnitPrice, VoidOrder,
};
use ledger_domain::{Actor, Command};
use ledger_projections::ORDERS;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tests::server::{Signer, TestServer};
use tests::{customer_id, money, onboard, order_id, service};

/// Longest a test waits for the views to show a seeded command.
pub const VIEW_WAIT: Duration = Duration::from_secs(10);

static NEXT_COMMAND: AtomicU64 = AtomicU64::new(1);

/// Executes `command` as `actor` through the server's ledger and waits
/// until the order views show it.
pub async fn run_as(server: &TestServer, actor: Actor, command: Command) -> Position {
    let name = command.name();
    let id = format!("seed-{}", NEXT_COMMAND.fetch_add(1, Ordering::Relaxed));
    let state = server.state();
    let outcome = state
        .ledger
        .execute(command, CommandMeta::new(id, actor))
        .await
        .unwrap_or_else(|e| panic!("{name} refused: {e}"));
    state
        .projector
        .wait_for(&[ORDERS], outcome.position, VIEW_WAIT)
        .await
        .expect("views catch up");
    outcome.position
}

pub async fn run(server: &TestServer, command: Command) -> Position {
    run_as(server, service(), command).await
}

pub async fn onboard_customer(server: &TestServer, customer: &str) {
    for c in onboard(customer) {
        run(server, c).await;
    }
}

/// One line: list price, a 301 discount and a coupon (either may be "0").
#[derive(Clone, Copy)]
pub struct Line<'a> {
    pub list: &'a str,
    pub discount: &'a str,
    pub coupon: &'a str,
}

pub const PLAIN: Line<'static> = Line {
    list: "100.00",
    discount: "10.00",
    coupon: "5.00",
};

/// An order of `lines` (amount due computed), of type `order_type`, for
/// service `service_code`, payable until `deadline`.
pub fn order(
    customer: &str,
    id: &str,
    order_type: OrderType,
    service_code: &str,
    lines: &[Line<'_>],
    deadline: DateTime<Utc>,
) -> Command {
    let mut due = Money::ZERO;
    let line_items = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let discounts = if money(l.discount).is_zero() {
                vec![]
            } else {
                vec![Discount {
                    discount_type: DiscountType::new(301).unwrap(),
                    amount: money(l.discount),
                }]
            };
            let pricing = Pricing {
                list_price: money(l.list),
                discounts,
                coupon_amount: money(l.coupon),
                card_amount: Money::ZERO,
                cash_coupon_amount: Money::ZERO,
            };
            due = due.checked_add(pricing.amount_due().unwrap()).unwrap();
            LineItem {
                id: format!("{id}-{:06}", i + 1).parse().unwrap(),
                service_type_code: service_code.parse().unwrap(),
                product_id: "d5d3d24".parse().unwrap(),
                spec: format!("Common I/O, {} GB", 100 * (i + 1)),
                category_code: "hws.resource.storage1.evs".into(),
                count: 1,
                period: Period {
                    period_type: PeriodType::Month,
                    number: 1,
                },
                unit_price: UnitPrice {
                    amount: money(l.list),
                    per: PriceUnit::Month,
                },
                valid_from: None,
                expires_at: None,
                pricing,
            }
        })
        .collect();
    Command::PlaceOrder(PlaceOrder {
        spec: OrderSpec {
            order_id: order_id(id),
            customer_id: customer_id(customer),
            base_order_id: None,
            source_type: SourceType::Customer,
            product_name: "Elastic Volume Service".into(),
            service_type_code: service_code.parse().unwrap(),
            order_type,
            charge_type: ChargeType::Subscription,
            currency: Currency::new("USD").unwrap(),
            line_items,
            instance_ids: vec![format!("vol-{id}").parse().unwrap()],
            amount_due: due,
            sales_contract_id: None,
        },
        payment_deadline: Some(deadline),
    })
}

pub fn pay(id: &str, amount: &str) -> Command {
    Command::PayOrder(PayOrder {
        order_id: order_id(id),
        payment: Payment {
            payment_id: format!("pay-{id}").parse().unwrap(),
            amount: money(amount),
            vouchers: vec![],
        },
    })
}

pub fn cancel(id: &str) -> Command {
    Command::CancelOrder(CancelOrder {
        order_id: order_id(id),
    })
}

pub async fn void(server: &TestServer, id: &str) -> Position {
    let command = Command::VoidOrder(VoidOrder {
        order_id: order_id(id),
        reason: "provisioning failed".into(),
    });
    run_as(
        server,
        Actor::Operator(OperatorId::new("ops-1").unwrap()),
        command,
    )
    .await
}

/// A customer key and a client that signs as the SDK does.
pub fn customer_client(server: &TestServer, customer: &str) -> Signer {
    let creds = server.create_key(Role::Customer {
        domain_id: customer_id(customer),
    });
    Signer::new(server.http_url(), creds, customer)
}

pub fn key_client(server: &TestServer, role: Role) -> Signer {
    let creds: Credentials = server.create_key(role);
    Signer::new(server.http_url(), creds, "")
}

/// An answer: status, headers, body text and the body as JSON (`Null` if
/// empty or not JSON).
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Answer {
    /// Asserts a Huawei error answer.
    #[track_caller]
    pub fn assert_error(&self, status: u16, cbc: &str) {
        assert_eq!(self.status.as_u16(), status, "{}", self.text);
        assert_eq!(self.json["error_code"], cbc, "{}", self.text);
        assert!(self.json["error_msg"].is_string(), "{}", self.text);
        assert!(self.headers.contains_key("x-request-id"));
    }

    #[track_caller]
    pub fn assert_ok(&self) -> &Value {
        assert_eq!(self.status, StatusCode::OK, "{}", self.text);
        &self.json
    }
}

/// Sends a request signed at the server's clock.
pub async fn call(
    server: &TestServer,
    client: &Signer,
    method: Method,
    path: &str,
    body: Option<&str>,
) -> Answer {
    let builder = client.request(method, path, body, now(server));
    send(builder).await
}

pub async fn send(builder: reqwest::RequestBuilder) -> Answer {
    let res = builder.send().await.expect("http answers");
    let status = res.status();
    let headers = res.headers().clone();
    let text = res.text().await.expect("body");
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        text,
        json,
    }
}

pub async fn get(server: &TestServer, client: &Signer, path: &str) -> Answer {
    call(server, client, Method::GET, path, None).await
}

/// The order ids of a list answer, in order.
pub fn ids(list: &Value) -> Vec<String> {
    list["order_infos"]
        .as_array()
        .expect("order_infos")
        .iter()
        .map(|o| o["order_id"].as_str().expect("order_id").to_owned())
        .collect()
}

/// The server's (manual) clock.
pub fn now(server: &TestServer) -> DateTime<Utc> {
    use ledger_app::Clock;
    server.clock.now()
}

/// The payment service tops up a customer's account (USD).
pub fn credit(customer: &str, top_up: &str, amount: &str) -> Command {
    Command::CreditAccount(ledger_domain::account::CreditAccount {
        top_up_id: top_up.parse().unwrap(),
        customer_id: customer_id(customer),
        amount: money(amount),
        currency: Currency::new("USD").unwrap(),
    })
}

/// A coupon for `customer` (USD), valid around the test clock's t0.
pub fn coupon(
    id: &str,
    customer: &str,
    kind: ledger_domain::catalog::VoucherKind,
    face: &str,
) -> Command {
    Command::IssueCoupon(ledger_domain::coupon::IssueCoupon {
        coupon_id: id.parse().unwrap(),
        customer_id: customer_id(customer),
        kind,
        face_value: money(face),
        currency: Currency::new("USD").unwrap(),
        valid_from: tests::t0() - chrono::Duration::days(30),
        valid_until: tests::t0() + chrono::Duration::days(30),
        min_order_amount: None,
    })
}
