//! Shared test setup: a real ledger over a memory store with a manual
//! clock, realistic commands, and a projector over both read models.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};

use ledger_app::{CommandMeta, Ledger, LedgerConfig, ManualClock};
use ledger_domain::catalog::{
    ChargeType, DiscountType, OrderType, PeriodType, PriceUnit, SourceType,
};
use ledger_domain::contract::{ApplyContract, ContractKind};
use ledger_domain::customer::{
    CertificationKind, CertifyRealName, RealName, RegisterCustomer, RemittanceAccount,
    SetRemittanceAccount,
};
use ledger_domain::ids::{CustomerId, OperatorId, OrderId, ServiceName};
use ledger_domain::money::{Currency, Money};
use ledger_domain::order::{
    Discount, LineItem, OrderSpec, PayOrder, Payment, Period, PlaceOrder, Pricing, UnitPrice,
    VoucherRedemption,
};
use ledger_domain::{Actor, Command};
use ledger_projections::{ContractsProjection, OrdersProjection, Projector};
use ledger_store::DynStore;
use ledger_store_memory::MemoryStore;

/// 2024-11-22T08:00:00Z.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 11, 22, 8, 0, 0).unwrap()
}

pub fn days(n: i64) -> Duration {
    Duration::days(n)
}

pub fn money(s: &str) -> Money {
    s.parse().unwrap()
}

pub fn cid(s: &str) -> CustomerId {
    s.parse().unwrap()
}

pub fn oid(s: &str) -> OrderId {
    s.parse().unwrap()
}

pub fn service() -> Actor {
    Actor::Service(ServiceName::new("purchase").unwrap())
}

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

    /// Runs a command at `at` as `actor`; panics if refused.
    pub async fn run_as(&self, at: DateTime<Utc>, actor: Actor, command: Command) {
        self.clock.set(at);
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
            vec![Arc::new(OrdersProjection), Arc::new(ContractsProjection)],
        )
        .await
        .unwrap();
        p.catch_up().await.unwrap();
        p
    }
}

pub fn onboard(customer: &str) -> Vec<Command> {
    let id = cid(customer);
    vec![
        Command::RegisterCustomer(RegisterCustomer {
            customer_id: id.clone(),
            name: format!("{customer} ltd"),
        }),
        Command::CertifyRealName(CertifyRealName {
            customer_id: id.clone(),
            real_name: RealName {
                name: format!("{customer} Technology Co., Ltd."),
                kind: CertificationKind::Enterprise,
            },
        }),
        Command::SetRemittanceAccount(SetRemittanceAccount {
            customer_id: id,
            account: RemittanceAccount {
                bank_name: "China Merchants Bank".into(),
                account_name: "Cloud Billing".into(),
                account_number: "6214 8300 0000 0001".into(),
            },
        }),
    ]
}

pub fn discount(code: u16, amount: &str) -> Discount {
    Discount {
        discount_type: DiscountType::new(code).unwrap(),
        amount: money(amount),
    }
}

/// A one-line monthly subscription: list 100.00, discount 301 of 10.00,
/// coupon 5.00, so 85.00 due; instance `vol-<order>`.
pub fn order(customer: &str, order: &str) -> PlaceOrder {
    let pricing = Pricing {
        list_price: money("100.00"),
        discounts: vec![discount(301, "10.00")],
        coupon_amount: money("5.00"),
        card_amount: Money::ZERO,
        cash_coupon_amount: Money::ZERO,
    };
    PlaceOrder {
        spec: OrderSpec {
            order_id: oid(order),
            customer_id: cid(customer),
            base_order_id: None,
            source_type: SourceType::Customer,
            product_name: "Elastic Volume Service".into(),
            service_type_code: "hws.service.type.ebs".parse().unwrap(),
            order_type: OrderType::Purchase,
            charge_type: ChargeType::Subscription,
            currency: Currency::new("USD").unwrap(),
            line_items: vec![LineItem {
                id: format!("{order}-000001").parse().unwrap(),
                service_type_code: "hws.service.type.ebs".parse().unwrap(),
                product_id: "d5d3d24".parse().unwrap(),
                spec: "Common I/O, 100 GB".into(),
                category_code: "hws.resource.storage1.evs".into(),
                count: 1,
                period: Period {
                    period_type: PeriodType::Month,
                    number: 1,
                },
                unit_price: UnitPrice {
                    amount: money("100.00"),
                    per: PriceUnit::Month,
                },
                valid_from: None,
                expires_at: None,
                pricing,
            }],
            instance_ids: vec![format!("vol-{order}").parse().unwrap()],
            amount_due: money("85.00"),
        },
        payment_deadline: None,
    }
}

/// The same order as pay-as-you-go (postpay, priced per minute).
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
    Command::ApplyContract(ApplyContract {
        contract_no: contract.parse().unwrap(),
        customer_id: cid(customer),
        kind,
        order_ids: orders.iter().map(|o| oid(o)).collect(),
        party_b: "Cloud Computing (Singapore) Pte. Ltd.".into(),
        remarks: String::new(),
    })
}
