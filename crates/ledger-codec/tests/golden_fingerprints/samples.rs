//! The fixed sample of every command the fingerprint goldens pin: between
//! them every command, every kind of actor, every contract kind and every
//! `Option` and `Vec` of a command both ways.

use chrono::{DateTime, Utc};
use ledger_domain::account::CreditAccount;
use ledger_domain::catalog::{
    ChargeType, DiscountType, OrderType, PeriodType, PriceUnit, SourceType, VoucherKind,
};
use ledger_domain::contract::{
    ApplyContract, ContractKind, ConvertContract, DocumentSeal, EditContractRemarks,
    InvalidateContract, PartyADetails, VoidContract, VoidTicket,
};
use ledger_domain::coupon::IssueCoupon;
use ledger_domain::customer::{
    CertificationKind, CertifyRealName, RealName, RegisterCustomer, RemittanceAccount,
    SetRemittanceAccount,
};
use ledger_domain::ids::{ContractNo, CustomerId, OrderId};
use ledger_domain::money::{Currency, Money};
use ledger_domain::operations::AcceptLoss;
use ledger_domain::order::{
    CancelOrder, Discount, ExpireOrder, LineItem, OrderSpec, PayOrder, Payment, Period, PlaceOrder,
    Pricing, UnitPrice, VoidOrder, VoucherRedemption,
};
use ledger_domain::payment::{CouponUse, PayOrderFromBalance};
use ledger_domain::{Actor, Command};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn money(s: &str) -> Money {
    s.parse().unwrap()
}

fn order_id() -> OrderId {
    "CS2411220001".parse().unwrap()
}

fn customer() -> CustomerId {
    "0a1b2c3d4e5f60718293a4b5c6d7e8f9".parse().unwrap()
}

fn contract_no() -> ContractNo {
    "EC0123456789ABCDEF0123".parse().unwrap()
}

pub fn service() -> Actor {
    "service:purchase".parse().unwrap()
}

pub fn operator() -> Actor {
    "operator:op-7".parse().unwrap()
}

pub fn customer_actor() -> Actor {
    Actor::Customer(customer())
}

fn spec() -> OrderSpec {
    OrderSpec {
        order_id: order_id(),
        customer_id: customer(),
        base_order_id: None,
        source_type: SourceType::Customer,
        product_name: "Elastic Cloud Server".into(),
        service_type_code: "hws.service.type.ec2".parse().unwrap(),
        order_type: OrderType::Purchase,
        charge_type: ChargeType::Subscription,
        currency: Currency::new("USD").unwrap(),
        line_items: vec![LineItem {
            id: "L1".parse().unwrap(),
            service_type_code: "hws.service.type.ec2".parse().unwrap(),
            product_id: "OFFI-740586".parse().unwrap(),
            spec: "s6.small.1".into(),
            category_code: "hws.resource.type.vm".into(),
            count: 1,
            period: Period {
                period_type: PeriodType::Month,
                number: 1,
            },
            unit_price: UnitPrice {
                amount: money("10.00"),
                per: PriceUnit::Month,
            },
            valid_from: None,
            expires_at: None,
            pricing: Pricing {
                list_price: money("10.00"),
                discounts: vec![],
                coupon_amount: money("0"),
                card_amount: money("0"),
                cash_coupon_amount: money("0"),
            },
        }],
        instance_ids: vec![],
        amount_due: money("10.00"),
        sales_contract_id: None,
    }
}

/// The other shape of every `Option` and `Vec` in an order spec.
fn renewal(spec: OrderSpec) -> OrderSpec {
    let mut line = spec.line_items[0].clone();
    line.valid_from = Some(at("2024-11-22T08:06:00Z"));
    line.expires_at = Some(at("2024-12-22T08:06:00Z"));
    line.pricing.discounts = vec![Discount {
        discount_type: DiscountType::new(301).unwrap(),
        amount: money("1.00"),
    }];
    OrderSpec {
        order_id: "CS2411220002".parse().unwrap(),
        base_order_id: Some(order_id()),
        order_type: OrderType::Renewal,
        line_items: vec![line],
        instance_ids: vec!["i-1".parse().unwrap()],
        sales_contract_id: Some("SC-42".parse().unwrap()),
        ..spec
    }
}

fn apply(kind: ContractKind, party_a_kind: Option<CertificationKind>) -> Command {
    Command::ApplyContract(ApplyContract {
        contract_no: contract_no(),
        customer_id: customer(),
        kind,
        order_ids: vec![order_id()],
        party_a_kind,
        party_a_details: PartyADetails {
            address: "1 Example Road".into(),
            ..PartyADetails::default()
        },
        party_b: "Cloud Computing (Singapore) Pte. Ltd.".into(),
        remarks: "remarks".into(),
    })
}

/// Every sample as `(case, actor, command)`.
pub fn samples() -> Vec<(&'static str, Actor, Command)> {
    let spec = spec();
    vec![
        (
            "deadline",
            service(),
            Command::PlaceOrder(PlaceOrder {
                spec: spec.clone(),
                payment_deadline: Some(at("2024-11-29T08:05:00Z")),
            }),
        ),
        (
            "default-deadline",
            operator(),
            Command::PlaceOrder(PlaceOrder {
                spec: renewal(spec.clone()),
                payment_deadline: None,
            }),
        ),
        (
            "no-lines",
            service(),
            Command::PlaceOrder(PlaceOrder {
                spec: OrderSpec {
                    line_items: vec![],
                    ..spec.clone()
                },
                payment_deadline: None,
            }),
        ),
        (
            "cash",
            "service:payment".parse().unwrap(),
            Command::PayOrder(PayOrder {
                order_id: order_id(),
                payment: Payment {
                    payment_id: "PAY-2".parse().unwrap(),
                    amount: money("10.00"),
                    vouchers: vec![],
                },
            }),
        ),
        (
            "coupon",
            "service:payment".parse().unwrap(),
            Command::PayOrder(PayOrder {
                order_id: order_id(),
                payment: Payment {
                    payment_id: "PAY-1".parse().unwrap(),
                    amount: money("10.00"),
                    vouchers: vec![VoucherRedemption {
                        kind: VoucherKind::Coupon,
                        voucher_id: "CP-9".parse().unwrap(),
                        amount: money("2.00"),
                    }],
                },
            }),
        ),
        (
            "customer",
            customer_actor(),
            Command::CancelOrder(CancelOrder {
                order_id: order_id(),
            }),
        ),
        (
            "operator",
            operator(),
            Command::VoidOrder(VoidOrder {
                order_id: order_id(),
                reason: "provisioning failed".into(),
            }),
        ),
        (
            "timer",
            Actor::System,
            Command::ExpireOrder(ExpireOrder {
                order_id: order_id(),
            }),
        ),
        (
            "order",
            customer_actor(),
            apply(ContractKind::Order, Some(CertificationKind::Enterprise)),
        ),
        (
            "payment-request",
            service(),
            apply(ContractKind::PaymentRequest, None),
        ),
        (
            "personal",
            customer_actor(),
            apply(ContractKind::Order, Some(CertificationKind::Personal)),
        ),
        (
            "face",
            customer_actor(),
            Command::ConvertContract(ConvertContract::new(contract_no())),
        ),
        (
            "sealed",
            customer_actor(),
            Command::ConvertContract(ConvertContract {
                contract_no: contract_no(),
                document: Some(DocumentSeal {
                    sha256: "ab".repeat(32),
                    key_id: "cd".repeat(32),
                    signature: "ef".repeat(64),
                }),
            }),
        ),
        (
            "ticket",
            operator(),
            Command::VoidContract(VoidContract {
                contract_no: contract_no(),
                ticket: Some(VoidTicket {
                    ticket_id: "T-4711".parse().unwrap(),
                    reason: "duplicate".into(),
                }),
            }),
        ),
        (
            "draft",
            customer_actor(),
            Command::VoidContract(VoidContract {
                contract_no: contract_no(),
                ticket: None,
            }),
        ),
        (
            "remarks",
            customer_actor(),
            Command::EditContractRemarks(EditContractRemarks {
                contract_no: contract_no(),
                remarks: "new remarks".into(),
            }),
        ),
        (
            "timer",
            Actor::System,
            Command::InvalidateContract(InvalidateContract {
                contract_no: contract_no(),
            }),
        ),
        (
            "identity",
            "service:identity".parse().unwrap(),
            Command::RegisterCustomer(RegisterCustomer {
                customer_id: customer(),
                name: "example".into(),
            }),
        ),
        (
            "enterprise",
            "service:identity".parse().unwrap(),
            Command::CertifyRealName(CertifyRealName {
                customer_id: customer(),
                real_name: RealName {
                    name: "Example Co., Ltd.".into(),
                    kind: CertificationKind::Enterprise,
                },
            }),
        ),
        (
            "bank",
            operator(),
            Command::SetRemittanceAccount(SetRemittanceAccount {
                customer_id: customer(),
                account: RemittanceAccount {
                    bank_name: "Example Bank".into(),
                    account_name: "Cloud Computing".into(),
                    account_number: "0012-3456-7890".into(),
                },
            }),
        ),
        (
            "no-backup",
            operator(),
            Command::AcceptLoss(AcceptLoss {
                first_position: 41,
                last_position: 57,
                head_position: 40,
                reason: "no backup".into(),
                record_sha256: "ab".repeat(32),
            }),
        ),
        (
            "top-up",
            "service:payment".parse().unwrap(),
            Command::CreditAccount(CreditAccount {
                top_up_id: "TOPUP-1".parse().unwrap(),
                customer_id: customer(),
                amount: money("500.00"),
                currency: Currency::new("USD").unwrap(),
            }),
        ),
        (
            "threshold",
            operator(),
            Command::IssueCoupon(IssueCoupon {
                coupon_id: "DC-1".parse().unwrap(),
                customer_id: customer(),
                kind: VoucherKind::DiscountCoupon,
                face_value: money("20.00"),
                currency: Currency::new("USD").unwrap(),
                valid_from: at("2024-11-01T00:00:00Z"),
                valid_until: at("2025-11-01T00:00:00Z"),
                min_order_amount: Some(money("100.00")),
            }),
        ),
        (
            "card",
            service(),
            Command::IssueCoupon(IssueCoupon {
                coupon_id: "CARD-1".parse().unwrap(),
                customer_id: customer(),
                kind: VoucherKind::Card,
                face_value: money("50.00"),
                currency: Currency::new("USD").unwrap(),
                valid_from: at("2024-11-01T00:00:00Z"),
                valid_until: at("2025-11-01T00:00:00Z"),
                min_order_amount: None,
            }),
        ),
        (
            "coupons",
            customer_actor(),
            Command::PayOrderFromBalance(PayOrderFromBalance {
                order_id: order_id(),
                coupons: vec![
                    CouponUse {
                        kind: VoucherKind::CashCoupon,
                        coupon_id: "CC-1".parse().unwrap(),
                    },
                    CouponUse {
                        kind: VoucherKind::Coupon,
                        coupon_id: "CP-9".parse().unwrap(),
                    },
                ],
            }),
        ),
        (
            "balance-only",
            customer_actor(),
            Command::PayOrderFromBalance(PayOrderFromBalance {
                order_id: order_id(),
                coupons: vec![],
            }),
        ),
    ]
}
