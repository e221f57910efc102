//! Shared test setup: a real ledger over a memory store with a manual
//! clock, realistic commands, and a projector over both read models.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use ledger_app::{CommandMeta, Ledger, LedgerConfig, ManualClock};
use ledger_domain::catalog::{ChargeType, DiscountType, OrderType, PeriodType, PriceUnit};
use ledger_domain::contract::ContractKind;
use ledger_domain::coupon::IssueCoupon;
use ledger_domain::ids::OperatorId;
use ledger_domain::order::{Discount, PayOrder, Payment, Period, PlaceOrder, VoucherRedemption};
use ledger_domain::{Actor, Aggregate, AggregateId, Command};
use ledger_projections::{ContractsProjection, CouponsProjection, OrdersProjection, Projector};
use ledger_store::DynStore;
use ledger_store_memory::MemoryStore;

// The workspace's shared fixtures, under the names these tests use.
pub use tests::place_order as order;
pub use tests::{customer_id as cid, days, money, onboard, order_id as oid, service, t0};

pub fn operator() -> Actor {
    Actor::Operator(OperatorId::new("ops-1").unwrap())
}

pub struct Env {
    pub ledger: Ledger,
    pub clock: Arc<ManualClock>,
    pub store: DynStore,
    pub dir: tempfile::TempDir,
    seq: AtomicU64,
}

impl Env {
    pub fn new() -> Env {
        let store: DynStore = MemoryStore::new();
        let clock = Arc::new(ManualClock::new(t0()));
        Env {
            ledger: Ledger::new(store.clone(), clock.clone(), LedgerConfig::default()),
            clock,
            store,
            dir: tempfile::tempdir().unwrap(),
            seq: AtomicU64::new(0),
        }
    }

    /// Runs a command at `at` as `actor`; panics if refused. The vouchers
    /// of a PayOrder are real coupons: each is issued to the order's
    /// customer first, for exactly its amount.
    pub async fn run_as(&self, at: DateTime<Utc>, actor: Actor, command: Command) {
        self.clock.set(at);
        if let Command::PayOrder(p) = &command {
            let (_, order) = self
                .ledger
                .aggregate(&AggregateId::Order(p.order_id.clone()))
                .await
                .unwrap();
            let customer = order.owner().expect("a placed order").clone();
            let currency = match &order {
                Aggregate::Order(o) => o.placed().unwrap().spec().currency,
                _ => unreachable!("an order id loads an order"),
            };
            for v in &p.payment.vouchers {
                let issue = Command::IssueCoupon(IssueCoupon {
                    coupon_id: v.voucher_id.clone(),
                    customer_id: customer.clone(),
                    kind: v.kind,
                    face_value: v.amount,
                    currency,
                    valid_from: at - chrono::Duration::days(1),
                    valid_until: at + chrono::Duration::days(30),
                    min_order_amount: None,
                });
                let n = self.seq.fetch_add(1, Ordering::Relaxed);
                self.ledger
                    .execute(issue, CommandMeta::new(format!("cmd-{n}"), service()))
                    .await
                    .unwrap_or_else(|e| panic!("IssueCoupon refused: {e}"));
            }
        }
        let n = self.seq.fetch_add(1, Ordering::Relaxed);
        let name = command.name();
        self.ledger
            .execute(command, CommandMeta::new(format!("cmd-{n}"), actor))
            .await
            .unwrap_or_else(|e| panic!("{name} refused: {e}"));
    }

    pub async fn run(&self, at: DateTime<Utc>, command: Command) {
        self.run_as(at, service(), command).await
    }

    pub async fn onboard(&self, customer: &str) {
        for c in onboard(customer) {
            self.run(t0() - days(400), c).await;
        }
    }

    pub async fn place(&self, at: DateTime<Utc>, order: PlaceOrder) {
        self.run(at, Command::PlaceOrder(order)).await
    }

    pub async fn pay(&self, at: DateTime<Utc>, order: &str, vouchers: Vec<VoucherRedemption>) {
        self.run(at, Command::PayOrder(pay(order, "85.00", vouchers)))
            .await
    }

    /// A projector over both read models, caught up.
    pub async fn projector(&self) -> Arc<Projector> {
        let p = Projector::open(
            self.dir.path(),
            self.store.clone(),
            vec![
                Arc::new(OrdersProjection),
                Arc::new(ContractsProjection),
                Arc::new(CouponsProjection),
            ],
        )
        .await
        .unwrap();
        p.catch_up().await.unwrap();
        p
    }
}

pub fn discount(code: u16, amount: &str) -> Discount {
    Discount {
        discount_type: DiscountType::new(code).unwrap(),
        amount: money(amount),
    }
}

/// A one-line monthly subscription: list 100.00, discount 301 of 10.00,
/// coupon 5.00, so 85.00 due; instance `vol-<order>`.
pub fn postpay(mut o: PlaceOrder) -> PlaceOrder {
    o.spec.charge_type = ChargeType::PayAsYouGo;
    for l in &mut o.spec.line_items {
        l.unit_price.per = PriceUnit::Minute;
        l.period = Period {
            period_type: PeriodType::PayPerUse,
            number: 1,
        };
    }
    o
}

pub fn named(mut o: PlaceOrder, product: &str, service_type: &str) -> PlaceOrder {
    o.spec.product_name = product.into();
    o.spec.service_type_code = service_type.parse().unwrap();
    o
}

pub fn of_type(mut o: PlaceOrder, t: OrderType, instance: &str) -> PlaceOrder {
    o.spec.order_type = t;
    o.spec.instance_ids = vec![instance.parse().unwrap()];
    o
}

pub fn pay(order: &str, amount: &str, vouchers: Vec<VoucherRedemption>) -> PayOrder {
    PayOrder {
        order_id: oid(order),
        payment: Payment {
            payment_id: format!("pay-{order}").parse().unwrap(),
            amount: money(amount),
            vouchers,
        },
    }
}

pub fn apply_contract(
    customer: &str,
    contract: &str,
    kind: ContractKind,
    orders: &[&str],
) -> Command {
    Command::ApplyContract(tests::apply_contract(customer, contract, kind, orders))
}
