//! Golden samples of the order aggregate's events. Between them they carry
//! every source type, order type, charge type, period type, price unit and
//! voucher kind, and every `Option` both ways.

use chrono::{DateTime, Utc};
use ledger_domain::catalog::{
    ChargeType, DiscountType, OrderType, PeriodType, PriceUnit, SourceType, VoucherKind,
};
use ledger_domain::order::{
    Discount, LineItem, OrderAttachedToContract, OrderCancelled, OrderExpired, OrderPaid,
    OrderPlaced, OrderReleasedFromContract, OrderSpec, OrderVoided, Payment, Period, Pricing,
    UnitPrice, VoucherRedemption,
};
use ledger_domain::Event;

use crate::{at, money};

fn line(
    id: &str,
    period_type: PeriodType,
    per: PriceUnit,
    valid: Option<(DateTime<Utc>, DateTime<Utc>)>,
    discounts: &[(u16, &str)],
) -> LineItem {
    LineItem {
        id: id.parse().unwrap(),
        service_type_code: "hws.service.type.ec2".parse().unwrap(),
        product_id: "OFFI-740586".parse().unwrap(),
        spec: "s6.small.1 | 1vCPUs | 1GB".into(),
        category_code: "hws.resource.type.vm".into(),
        count: 2,
        period: Period {
            period_type,
            number: 3,
        },
        unit_price: UnitPrice {
            amount: money("0.00012500"),
            per,
        },
        valid_from: valid.map(|v| v.0),
        expires_at: valid.map(|v| v.1),
        pricing: Pricing {
            list_price: money("100.00"),
            discounts: discounts
                .iter()
                .map(|(code, amount)| Discount {
                    discount_type: DiscountType::new(*code).unwrap(),
                    amount: money(amount),
                })
                .collect(),
            coupon_amount: money("5.00"),
            card_amount: money("0"),
            cash_coupon_amount: money("1.5"),
        },
    }
}

fn spec(
    order_id: &str,
    source_type: SourceType,
    order_type: OrderType,
    charge_type: ChargeType,
    line_items: Vec<LineItem>,
) -> OrderSpec {
    OrderSpec {
        order_id: order_id.parse().unwrap(),
        customer_id: "0a1b2c3d4e5f60718293a4b5c6d7e8f9".parse().unwrap(),
        base_order_id: None,
        source_type,
        product_name: "Elastic Cloud Server".into(),
        service_type_code: "hws.service.type.ec2".parse().unwrap(),
        order_type,
        charge_type,
        currency: ledger_domain::money::Currency::new("USD").unwrap(),
        line_items,
        instance_ids: vec![],
        amount_due: money("187.00"),
        sales_contract_id: None,
    }
}

fn placed(spec: OrderSpec) -> Event {
    Event::OrderPlaced(OrderPlaced {
        spec,
        placed_at: at("2024-11-22T08:05:00Z"),
        payment_deadline: at("2024-11-29T08:05:00Z"),
    })
}

fn placed_cases() -> Vec<(&'static str, Event)> {
    let service = Some((at("2024-11-22T08:06:00Z"), at("2025-02-22T08:06:00Z")));
    let mut purchase = spec(
        "CS2411220001",
        SourceType::Customer,
        OrderType::Purchase,
        ChargeType::Subscription,
        vec![
            line(
                "L1",
                PeriodType::Month,
                PriceUnit::Month,
                service,
                &[(200, "1.00"), (301, "2.50")],
            ),
            line("L2", PeriodType::Year, PriceUnit::Year, None, &[]),
        ],
    );
    purchase.instance_ids = vec!["i-1".parse().unwrap(), "i-2".parse().unwrap()];
    purchase.sales_contract_id = Some("SC-42".parse().unwrap());

    let mut renewal = spec(
        "CS2411220002",
        SourceType::Agent,
        OrderType::Renewal,
        ChargeType::Subscription,
        vec![line("L1", PeriodType::Day, PriceUnit::Month, service, &[])],
    );
    renewal.base_order_id = Some("CS2411220001".parse().unwrap());

    let upgrade = spec(
        "CS2411220003",
        SourceType::Contract,
        OrderType::Upgrade,
        ChargeType::Subscription,
        vec![line(
            "L1",
            PeriodType::Week,
            PriceUnit::Year,
            None,
            &[(610, "3")],
        )],
    );
    let downgrade = spec(
        "CS2411220004",
        SourceType::Distributor,
        OrderType::Downgrade,
        ChargeType::Subscription,
        vec![line("L1", PeriodType::Hour, PriceUnit::Month, None, &[])],
    );
    let change = spec(
        "CS2411220005",
        SourceType::DeletedResources,
        OrderType::ConfigurationChange,
        ChargeType::PayAsYouGo,
        vec![
            line("L1", PeriodType::PayPerUse, PriceUnit::Minute, None, &[]),
            line(
                "L2",
                PeriodType::ByUsageReport,
                PriceUnit::Gigabyte,
                None,
                &[],
            ),
        ],
    );
    let compensation = spec(
        "CS2411220006",
        SourceType::Compensation,
        OrderType::Compensation,
        ChargeType::Subscription,
        vec![line(
            "L1",
            PeriodType::OneOff,
            PriceUnit::Month,
            service,
            &[],
        )],
    );
    let supplement = spec(
        "CS2411220007",
        SourceType::Supplement,
        OrderType::Purchase,
        ChargeType::PayAsYouGo,
        vec![
            line("L1", PeriodType::PayPerUse, PriceUnit::Request, None, &[]),
            line(
                "L2",
                PeriodType::PayPerUse,
                PriceUnit::TenThousandRequests,
                None,
                &[(800, "0.5")],
            ),
        ],
    );
    let auto = spec(
        "CS2411220008",
        SourceType::AutoCreated,
        OrderType::Renewal,
        ChargeType::Subscription,
        vec![],
    );
    vec![
        ("purchase", placed(purchase)),
        ("renewal", placed(renewal)),
        ("upgrade", placed(upgrade)),
        ("downgrade", placed(downgrade)),
        ("configuration-change", placed(change)),
        ("compensation", placed(compensation)),
        ("supplement", placed(supplement)),
        ("auto-created", placed(auto)),
    ]
}

fn paid(vouchers: &[(VoucherKind, &str, &str)]) -> Event {
    Event::OrderPaid(OrderPaid {
        order_id: "CS2411220001".parse().unwrap(),
        payment: Payment {
            payment_id: "PAY-1".parse().unwrap(),
            amount: money("120.50"),
            vouchers: vouchers
                .iter()
                .map(|(kind, id, amount)| VoucherRedemption {
                    kind: *kind,
                    voucher_id: id.parse().unwrap(),
                    amount: money(amount),
                })
                .collect(),
        },
        paid_at: at("2024-11-22T08:30:00Z"),
    })
}

pub fn cases() -> Vec<(&'static str, Event)> {
    let order_id = || "CS2411220001".parse().unwrap();
    let contract_no = || "EC0123456789ABCDEF0123".parse().unwrap();
    let mut cases = placed_cases();
    cases.extend([
        // The value tests/golden.rs pins inline since before issue 15.
        ("coupon", paid(&[(VoucherKind::Coupon, "CP-9", "20.00")])),
        (
            "vouchers",
            paid(&[
                (VoucherKind::DiscountCoupon, "DC-1", "1.00"),
                (VoucherKind::CashCoupon, "CC-1", "2.00"),
                (VoucherKind::Card, "CARD-1", "3.00"),
            ]),
        ),
        ("cash", paid(&[])),
        (
            "requested",
            Event::OrderCancelled(OrderCancelled {
                order_id: order_id(),
                cancelled_at: at("2024-11-23T10:00:00Z"),
            }),
        ),
        (
            "deadline",
            Event::OrderExpired(OrderExpired {
                order_id: order_id(),
                expired_at: at("2024-11-29T08:05:00Z"),
            }),
        ),
        (
            "operator",
            Event::OrderVoided(OrderVoided {
                order_id: order_id(),
                reason: "provisioning failed".into(),
                voided_at: at("2024-11-24T09:00:00Z"),
            }),
        ),
        (
            "contract",
            Event::OrderAttachedToContract(OrderAttachedToContract {
                order_id: order_id(),
                contract_no: contract_no(),
                attached_at: at("2024-11-22T09:00:00Z"),
            }),
        ),
        (
            "contract",
            Event::OrderReleasedFromContract(OrderReleasedFromContract {
                order_id: order_id(),
                contract_no: contract_no(),
                released_at: at("2024-11-25T09:00:00Z"),
            }),
        ),
    ]);
    cases
}
