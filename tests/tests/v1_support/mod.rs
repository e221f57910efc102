//! Shared by the `/v1` REST and gRPC query tests: a server with two
//! customers' orders placed at known times, and a REST client that
//! authenticates with `X-Auth-Token`.

#![allow(dead_code)]

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use ledger_app::CommandMeta;
use ledger_auth::{Credentials, Role};
use ledger_codec::Position;
use ledger_domain::catalog::{ChargeType, OrderType, PeriodType, PriceUnit};
use ledger_domain::order::{CancelOrder, PlaceOrder};
use ledger_domain::Command;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tests::server::TestServer;
use tests::{onboard, pay_order, place_order, service, t0};

/// Customer A: the one whose data the tests read.
pub const A: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
/// Customer B: another tenant.
pub const B: &str = "f9e8d7c6b5a4938271605f4e3d2c1b0a";

/// A started server with [`ORDERS`] placed, and one key of each kind.
pub struct Seeded {
    pub server: TestServer,
    pub customer: Credentials,
    pub other: Credentials,
    pub service: Credentials,
    pub operator: Credentials,
    /// The log position after seeding.
    pub position: u64,
}

/// What happens to a seeded order after it is placed.
pub enum Then {
    Pay,
    Leave,
    Cancel,
}

/// A's orders, oldest first: (order id, days before t0, product, order
/// type, charge type, instance, then).
pub const ORDERS: [(&str, i64, &str, OrderType, ChargeType, &str, Then); 5] = [
    (
        "CS0001",
        10,
        "Elastic Volume Service",
        OrderType::Purchase,
        ChargeType::Subscription,
        "vol-1",
        Then::Pay,
    ),
    (
        "CS0002",
        5,
        "Elastic Volume Service",
        OrderType::Renewal,
        ChargeType::Subscription,
        "vol-1",
        Then::Pay,
    ),
    (
        "CS0003",
        3,
        "Elastic Cloud Server",
        OrderType::ConfigurationChange,
        ChargeType::PayAsYouGo,
        "ecs-1",
        Then::Leave,
    ),
    (
        "CS0004",
        2,
        "Object Storage Service",
        OrderType::Upgrade,
        ChargeType::Subscription,
        "obs-1",
        Then::Cancel,
    ),
    (
        "CS0005",
        1,
        "Elastic Volume Service",
        OrderType::Purchase,
        ChargeType::Subscription,
        "vol-5",
        Then::Leave,
    ),
];

/// B's one order, placed a day before t0.
pub const B_ORDER: &str = "CS0009";

pub fn order(
    customer: &str,
    id: &str,
    product: &str,
    order_type: OrderType,
    charge: ChargeType,
    instance: &str,
) -> PlaceOrder {
    let mut p = place_order(customer, id);
    p.spec.product_name = product.into();
    p.spec.order_type = order_type;
    p.spec.charge_type = charge;
    p.spec.instance_ids = vec![instance.parse().unwrap()];
    if charge == ChargeType::PayAsYouGo {
        let line = &mut p.spec.line_items[0];
        line.unit_price.per = PriceUnit::Minute;
        line.period.period_type = PeriodType::PayPerUse;
    }
    p
}

pub async fn run(server: &TestServer, id: &str, command: Command) -> u64 {
    let name = command.name();
    server
        .state()
        .ledger
        .execute(command, CommandMeta::new(id, service()))
        .await
        .unwrap_or_else(|e| panic!("{name} refused: {e}"))
        .position
        .0
}

/// Waits until the read models include `position`.
pub async fn caught_up(server: &TestServer, position: u64) {
    server
        .state()
        .projector
        .wait_for(
            &["orders", "contracts"],
            Position(position),
            StdDuration::from_secs(10),
        )
        .await
        .expect("read models catch up");
}

pub fn at(days_before_t0: i64) -> DateTime<Utc> {
    t0() - Duration::days(days_before_t0)
}

/// Starts a server and places A's [`ORDERS`] and B's order, each at its
/// time; the clock ends at t0.
pub async fn seeded() -> Seeded {
    let server = TestServer::start().await;
    for (i, c) in onboard(A).into_iter().chain(onboard(B)).enumerate() {
        server.clock.set(at(20));
        run(&server, &format!("onboard-{i}"), c).await;
    }
    for (id, days, product, t, charge, instance, then) in ORDERS {
        server.clock.set(at(days));
        let placed = order(A, id, product, t, charge, instance);
        run(&server, &format!("place-{id}"), Command::PlaceOrder(placed)).await;
        match then {
            Then::Pay => {
                let pay = Command::PayOrder(pay_order(id, &format!("pay-{id}")));
                run(&server, &format!("pay-{id}"), pay).await;
            }
            Then::Cancel => {
                let cancel = Command::CancelOrder(CancelOrder {
                    order_id: id.parse().unwrap(),
                });
                run(&server, &format!("cancel-{id}"), cancel).await;
            }
            Then::Leave => {}
        }
    }
    server.clock.set(at(1));
    let b = order(
        B,
        B_ORDER,
        "Elastic Volume Service",
        OrderType::Purchase,
        ChargeType::Subscription,
        "vol-9",
    );
    let position = run(&server, "place-b", Command::PlaceOrder(b)).await;
    server.clock.set(t0());
    caught_up(&server, position).await;
    let customer = server.create_key(Role::Customer {
        domain_id: A.parse().unwrap(),
    });
    let other = server.create_key(Role::Customer {
        domain_id: B.parse().unwrap(),
    });
    let service = server.create_key(Role::Service);
    let operator = server.create_key(Role::Operator);
    Seeded {
        server,
        customer,
        other,
        service,
        operator,
        position,
    }
}

/// A REST client authenticating with one key's `X-Auth-Token`.
pub struct Rest {
    client: reqwest::Client,
    base: String,
    token: String,
}

/// An answer: status, headers, body text.
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Answer {
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not json ({e}): {}", self.text))
    }

    /// The `X-Ledger-Position` header.
    pub fn position(&self) -> u64 {
        self.headers
            .get("x-ledger-position")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .expect("x-ledger-position header")
    }

    /// Asserts a Huawei-style refusal.
    #[track_caller]
    pub fn assert_refused(&self, status: u16, cbc: &str, code: &str) {
        assert_eq!(self.status.as_u16(), status, "{}", self.text);
        let body = self.json();
        assert_eq!(body["error_code"], cbc, "{}", self.text);
        assert_eq!(body["code"], code, "{}", self.text);
        assert!(body["error_msg"].as_str().is_some_and(|m| !m.is_empty()));
    }

    #[track_caller]
    pub fn ok(&self) -> Value {
        assert_eq!(self.status, StatusCode::OK, "{}", self.text);
        self.json()
    }
}

impl Rest {
    pub fn new(server: &TestServer, creds: &Credentials) -> Rest {
        Rest {
            client: reqwest::Client::new(),
            base: server.http_url(),
            token: creds.token.expose().to_owned(),
        }
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        idempotency_key: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("X-Auth-Token", &self.token);
        if let Some(k) = idempotency_key {
            req = req.header("Idempotency-Key", k);
        }
        if let Some(b) = body {
            req = req
                .header("Content-Type", "application/json")
                .body(b.to_string());
        }
        let res = req.send().await.expect("request answered");
        Answer {
            status: res.status(),
            headers: res.headers().clone(),
            text: res.text().await.expect("body"),
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None, None).await
    }

    pub async fn post(&self, path: &str, key: Option<&str>, body: Option<Value>) -> Answer {
        self.send(Method::POST, path, key, body).await
    }
}

/// The order ids of a list page, in order.
pub fn ids(page: &Value) -> Vec<String> {
    page["orders"]
        .as_array()
        .expect("orders")
        .iter()
        .map(|o| o["order_id"].as_str().expect("order_id").to_owned())
        .collect()
}
