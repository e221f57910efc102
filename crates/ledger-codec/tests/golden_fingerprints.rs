//! Golden command fingerprints (issue 15).
//!
//! A reused command id is compared by its fingerprint: SHA-256 over the
//! actor, the command's name and the bincode encoding of its body (the
//! codec's `stored::command` form of it). If that encoding changed, a retry
//! of a command stored before the change would be refused as a different
//! command. Every [`Command`]
//! variant has a sample here; its body bytes are pinned in
//! `tests/golden/commands/<Command>-<case>.hex` (to show where a change
//! is) and its fingerprint in `tests/golden/fingerprints/<Command>-<case>.hex`.
//! Regenerate on purpose only with `LEDGER_GOLDEN_BLESS=1`.

#[allow(dead_code)]
#[path = "kit/coverage.rs"]
mod coverage;
#[allow(dead_code)]
#[path = "kit/fixtures.rs"]
mod fixtures;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use ledger_codec::payload::{command_fingerprint, encode_value};
use ledger_codec::stored::command;
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
use ledger_domain::{Actor, Command, CommandKind};
use sha2::{Digest as _, Sha256};

use coverage::Seen;

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

fn service() -> Actor {
    "service:purchase".parse().unwrap()
}

fn operator() -> Actor {
    "operator:op-7".parse().unwrap()
}

fn customer_actor() -> Actor {
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
fn samples() -> Vec<(&'static str, Actor, Command)> {
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

/// The bincode encoding of a fingerprint body.
fn pin<T: serde::Serialize>(body: &T) -> Result<Vec<u8>, String> {
    encode_value(body).map_err(|e| e.to_string())
}

/// The command's fingerprint body (`ledger_codec::stored::command`), and
/// what the domain command carries. Exhaustive over [`Command`]: a new
/// command fails to compile here until it is pinned.
fn body(command: &Command, s: &mut Seen) -> Result<Vec<u8>, String> {
    match command {
        Command::PlaceOrder(c) => {
            coverage::spec(s, &c.spec);
            s.option("PlaceOrder.payment_deadline", &c.payment_deadline);
            pin(&command::PlaceOrder::from(c))
        }
        Command::PayOrder(c) => {
            coverage::payment(s, &c.payment);
            pin(&command::PayOrder::from(c))
        }
        Command::CancelOrder(c) => pin(&command::CancelOrder::from(c)),
        Command::VoidOrder(c) => pin(&command::VoidOrder::from(c)),
        Command::ExpireOrder(c) => pin(&command::ExpireOrder::from(c)),
        Command::ApplyContract(c) => {
            s.variant(&c.kind);
            s.option("ApplyContract.party_a_kind", &c.party_a_kind);
            if let Some(kind) = &c.party_a_kind {
                s.variant(kind);
            }
            coverage::details(s, &c.party_a_details);
            pin(&command::ApplyContract::from(c))
        }
        Command::ConvertContract(c) => {
            s.option("ConvertContract.document", &c.document);
            if let Some(seal) = &c.document {
                coverage::seal(s, seal);
            }
            // `document` is skipped when absent (so a face's command
            // fingerprints as it did before documents).
            pin(&command::ConvertContract::from(c))
        }
        Command::VoidContract(c) => {
            coverage::ticket(s, "VoidContract.ticket", &c.ticket);
            pin(&command::VoidContract::from(c))
        }
        Command::EditContractRemarks(c) => pin(&command::EditContractRemarks::from(c)),
        Command::InvalidateContract(c) => pin(&command::InvalidateContract::from(c)),
        Command::RegisterCustomer(c) => pin(&command::RegisterCustomer::from(c)),
        Command::CertifyRealName(c) => {
            coverage::real_name(s, &c.real_name);
            pin(&command::CertifyRealName::from(c))
        }
        Command::SetRemittanceAccount(c) => {
            coverage::account(s, &c.account);
            pin(&command::SetRemittanceAccount::from(c))
        }
        Command::AcceptLoss(c) => pin(&command::AcceptLoss::from(c)),
        Command::CreditAccount(c) => pin(&command::CreditAccount::from(c)),
        Command::IssueCoupon(c) => {
            coverage::coupon(s, c);
            pin(&command::IssueCoupon::from(c))
        }
        Command::PayOrderFromBalance(c) => {
            s.vec("PayOrderFromBalance.coupons", &c.coupons);
            c.coupons.iter().for_each(|u| s.variant(&u.kind));
            pin(&command::PayOrderFromBalance::from(c))
        }
    }
}

fn cases() -> Vec<(String, Actor, Command)> {
    samples()
        .into_iter()
        .map(|(case, actor, c)| (format!("{}-{case}", c.name()), actor, c))
        .collect()
}

#[test]
fn every_command_fingerprint_matches_its_golden_value() {
    let bodies = fixtures::dir("commands");
    let prints = fixtures::dir("fingerprints");
    let mut failures = Vec::new();
    let mut names = BTreeSet::new();
    for (name, actor, command) in cases() {
        assert!(names.insert(name.clone()), "two golden cases named {name}");
        let actor = actor.to_string();
        let fingerprint = command_fingerprint(&command, &actor).unwrap();
        let body = match body(&command, &mut Seen::default()) {
            Ok(b) => b,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        // The fingerprint's construction: actor, name, body, 0-separated.
        let mut hasher = Sha256::new();
        hasher.update(actor.as_bytes());
        hasher.update([0]);
        hasher.update(command.name().as_bytes());
        hasher.update([0]);
        hasher.update(&body);
        let recomputed: [u8; 32] = hasher.finalize().into();
        if recomputed != fingerprint.0 {
            failures.push(format!(
                "{name}: the fingerprint is no longer SHA-256(actor 0 name 0 body)"
            ));
        }
        for (dir, bytes) in [(&bodies, &body[..]), (&prints, &fingerprint.0[..])] {
            if let Err(f) = fixtures::check(dir, &name, bytes) {
                failures.push(f);
            }
        }
    }
    for dir in [&bodies, &prints] {
        for stale in fixtures::stale(dir, &names) {
            failures.push(format!("{stale}: a golden file that no case produces"));
        }
    }
    fixtures::report("command fingerprint", &failures);
}

#[test]
fn every_command_has_a_golden_fingerprint() {
    let covered: BTreeSet<CommandKind> = cases().iter().map(|(_, _, c)| c.kind()).collect();
    let missing: Vec<_> = CommandKind::ALL
        .iter()
        .filter(|k| !covered.contains(k))
        .map(|k| k.name())
        .collect();
    assert!(
        missing.is_empty(),
        "commands without a golden fingerprint: {missing:?}"
    );
}

/// Which case carries each kind of actor (the fingerprint's first part).
fn actor_case(actor: &Actor) -> &'static str {
    match actor {
        Actor::Customer(_) => "CancelOrder-customer",
        Actor::Operator(_) => "VoidOrder-operator",
        Actor::Service(_) => "PlaceOrder-deadline",
        Actor::System => "ExpireOrder-timer",
    }
}

fn contract_kind_case(v: &ContractKind) -> &'static str {
    match v {
        ContractKind::Order => "ApplyContract-order",
        ContractKind::PaymentRequest => "ApplyContract-payment-request",
    }
}

fn party_a_kind_case(v: &CertificationKind) -> &'static str {
    match v {
        CertificationKind::Enterprise => "ApplyContract-order",
        CertificationKind::Personal => "ApplyContract-personal",
    }
}

fn coupon_use_case(v: &VoucherKind) -> &'static str {
    match v {
        VoucherKind::Coupon | VoucherKind::CashCoupon => "PayOrderFromBalance-coupons",
        VoucherKind::DiscountCoupon => "IssueCoupon-threshold",
        VoucherKind::Card => "IssueCoupon-card",
    }
}

#[test]
fn every_actor_kind_enum_variant_and_option_commands_carry_has_a_case() {
    let cases = cases();
    let mut failures = Vec::new();
    let by_name: BTreeMap<&str, &Actor> = cases.iter().map(|(n, a, _)| (n.as_str(), a)).collect();
    let actors = [customer_actor(), operator(), service(), Actor::System];
    for actor in &actors {
        let case = actor_case(actor);
        let same_kind = by_name
            .get(case)
            .is_some_and(|a| std::mem::discriminant(*a) == std::mem::discriminant(actor));
        if !same_kind {
            failures.push(format!("{case} is not sent by a {actor}-like actor"));
        }
    }
    let seen: BTreeMap<String, Seen> = cases
        .iter()
        .map(|(name, _, c)| {
            let mut s = Seen::default();
            body(c, &mut s).unwrap();
            (name.clone(), s)
        })
        .collect();
    coverage::check_enum(&seen, contract_kind_case, &mut failures);
    coverage::check_enum(&seen, party_a_kind_case, &mut failures);
    coverage::check_enum(&seen, coupon_use_case, &mut failures);
    coverage::check_shapes(&seen, &mut failures);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
