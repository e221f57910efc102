//! Shared fixtures for the workspace's cross-crate tests: realistic valid
//! commands, and ledgers over each store engine.

pub mod server;

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
use ledger_domain::ids::{CustomerId, OrderId, ServiceName};
use ledger_domain::money::{Currency, Money};
use ledger_domain::order::{
    Discount, LineItem, OrderSpec, PayOrder, Payment, Period, PlaceOrder, Pricing, UnitPrice,
};
use ledger_domain::{Actor, Command};
use ledger_store::DynStore;

/// 2024-11-22T08:00:00Z: the fixtures' "now".
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 11, 22, 8, 0, 0).unwrap()
}

pub fn money(s: &str) -> Money {
    s.parse().expect("valid amount")
}

pub fn customer_id(s: &str) -> CustomerId {
    s.parse().expect("valid customer id")
}

pub fn order_id(s: &str) -> OrderId {
    s.parse().expect("valid order id")
}

pub fn service() -> Actor {
    Actor::Service(ServiceName::new("purchase").unwrap())
}

pub fn meta(command_id: &str, actor: Actor) -> CommandMeta {
    CommandMeta::new(command_id, actor)
}

/// Commands that register, certify and give a remittance account to a customer.
pub fn onboard(customer: &str) -> Vec<Command> {
    let id = customer_id(customer);
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

/// A one-line monthly subscription: list 100.00, discount 301 of 10.00,
/// coupon 5.00, so 85.00 due.
pub fn place_order(customer: &str, order: &str) -> PlaceOrder {
    let pricing = Pricing {
        list_price: money("100.00"),
        discounts: vec![Discount {
            discount_type: DiscountType::new(301).unwrap(),
            amount: money("10.00"),
        }],
        coupon_amount: money("5.00"),
        card_amount: Money::ZERO,
        cash_coupon_amount: Money::ZERO,
    };
    PlaceOrder {
        spec: OrderSpec {
            order_id: order_id(order),
            customer_id: customer_id(customer),
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
            sales_contract_id: None,
        },
        payment_deadline: None,
    }
}

pub fn pay_order(order: &str, payment: &str) -> PayOrder {
    PayOrder {
        order_id: order_id(order),
        payment: Payment {
            payment_id: payment.parse().unwrap(),
            amount: money("85.00"),
            vouchers: vec![],
        },
    }
}

pub fn apply_contract(
    customer: &str,
    contract: &str,
    kind: ContractKind,
    orders: &[&str],
) -> ApplyContract {
    ApplyContract {
        contract_no: contract.parse().unwrap(),
        customer_id: customer_id(customer),
        kind,
        order_ids: orders.iter().map(|o| order_id(o)).collect(),
        party_a_kind: None,
        party_a_details: Default::default(),
        party_b: ledger_domain::contract::DEFAULT_PARTY_B.into(),
        remarks: String::new(),
    }
}

/// A ledger over any store, with a manual clock at [`t0`].
pub fn ledger(store: DynStore) -> (Arc<Ledger>, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(t0()));
    (
        Arc::new(Ledger::new(store, clock.clone(), LedgerConfig::default())),
        clock,
    )
}

/// Runs commands as the purchase service, each with a fresh command id.
pub async fn run_all(ledger: &Ledger, prefix: &str, commands: Vec<Command>) {
    for (i, c) in commands.into_iter().enumerate() {
        let name = c.name();
        ledger
            .execute(c, meta(&format!("{prefix}-{i}"), service()))
            .await
            .unwrap_or_else(|e| panic!("{name} refused: {e}"));
    }
}

/// One day, for moving clocks.
pub fn days(n: i64) -> Duration {
    Duration::days(n)
}
