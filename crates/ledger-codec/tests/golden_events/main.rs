//! Golden bytes of every stored event type (issue 15).
//!
//! Every event type in `SCHEMA_VERSIONS` has at least one sample here, and
//! between them the samples carry every variant of every enum an event
//! holds and every `Option` both ways. Each sample's payload is compared
//! with `tests/golden/events/<EventType>-v<version>-<case>.hex` and decoded
//! back from it. Changing a stored type's fields or variants changes these
//! bytes and fails the test; a deliberate format change is a new schema
//! version (see `payload.rs`): its cases are new files, pinned with
//! `LEDGER_GOLDEN_BLESS=1`, and the old version's files stay, checked to
//! decode still.

mod contract;
#[allow(dead_code)]
#[path = "../kit/coverage.rs"]
mod coverage;
#[allow(dead_code)]
#[path = "../kit/fixtures.rs"]
mod fixtures;
mod order;
mod party;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use ledger_codec::payload::{decode_event, encode_event, SCHEMA_VERSIONS};
use ledger_domain::catalog::{
    ChargeType, OrderType, PeriodType, PriceUnit, SourceType, VoucherKind,
};
use ledger_domain::contract::ContractTerms;
use ledger_domain::customer::CertificationKind;
use ledger_domain::money::Money;
use ledger_domain::Event;

use coverage::Seen;

pub fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

pub fn money(s: &str) -> Money {
    s.parse().unwrap()
}

/// Every sample as `(<EventType>-<case>, event)`.
fn cases() -> Vec<(String, Event)> {
    let all = order::cases()
        .into_iter()
        .chain(contract::cases())
        .chain(party::cases());
    all.map(|(case, e)| (format!("{}-{case}", e.name()), e))
        .collect()
}

/// The schema version each event type is pinned at, and what it carries.
/// Exhaustive over [`Event`] and over every event struct's fields: a new
/// event type or field fails to compile here until it is pinned.
fn walk(event: &Event, s: &mut Seen) -> u16 {
    use ledger_domain::order::*;
    use ledger_domain::{account::*, contract::*, coupon::*, customer::*, operations::*};
    match event {
        Event::OrderPlaced(OrderPlaced {
            spec,
            placed_at: _,
            payment_deadline: _,
        }) => {
            coverage::spec(s, spec);
            2
        }
        Event::OrderPaid(OrderPaid {
            order_id: _,
            payment,
            paid_at: _,
        }) => {
            coverage::payment(s, payment);
            1
        }
        Event::OrderCancelled(OrderCancelled {
            order_id: _,
            cancelled_at: _,
        })
        | Event::OrderExpired(OrderExpired {
            order_id: _,
            expired_at: _,
        })
        | Event::OrderVoided(OrderVoided {
            order_id: _,
            reason: _,
            voided_at: _,
        })
        | Event::OrderAttachedToContract(OrderAttachedToContract {
            order_id: _,
            contract_no: _,
            attached_at: _,
        })
        | Event::OrderReleasedFromContract(OrderReleasedFromContract {
            order_id: _,
            contract_no: _,
            released_at: _,
        }) => 1,
        Event::ContractApplied(ContractApplied {
            contract_no: _,
            customer_id: _,
            terms,
            orders,
            subject,
            remarks: _,
            applied_at: _,
        }) => {
            coverage::terms(s, terms);
            s.vec("ContractApplied.orders", orders);
            orders.iter().for_each(|o| coverage::contract_order(s, o));
            coverage::subject(s, subject);
            2
        }
        Event::ContractDocumentSealed(ContractDocumentSealed {
            contract_no: _,
            seal,
            sealed_at: _,
        }) => {
            coverage::seal(s, seal);
            1
        }
        Event::ContractVoided(ContractVoided {
            contract_no: _,
            voided_at: _,
            ticket,
        }) => {
            coverage::ticket(s, "ContractVoided.ticket", ticket);
            2
        }
        Event::ContractConverted(ContractConverted {
            contract_no: _,
            converted_at: _,
        })
        | Event::ContractRemarksEdited(ContractRemarksEdited {
            contract_no: _,
            remarks: _,
            edited_at: _,
        })
        | Event::ContractInvalidated(ContractInvalidated {
            contract_no: _,
            overdue_order: _,
            invalidated_at: _,
        })
        | Event::CustomerRegistered(CustomerRegistered {
            customer_id: _,
            name: _,
            registered_at: _,
        }) => 1,
        Event::RealNameCertified(RealNameCertified {
            customer_id: _,
            real_name,
            certified_at: _,
        }) => {
            coverage::real_name(s, real_name);
            1
        }
        Event::RemittanceAccountSet(RemittanceAccountSet {
            customer_id: _,
            account,
            set_at: _,
        }) => {
            coverage::account(s, account);
            1
        }
        Event::LossAccepted(LossAccepted {
            first_position: _,
            last_position: _,
            head_position: _,
            reason: _,
            record_sha256: _,
            accepted_at: _,
        })
        | Event::TopUpReceived(TopUpReceived {
            top_up_id: _,
            customer_id: _,
            amount: _,
            currency: _,
            received_at: _,
        })
        | Event::AccountCredited(AccountCredited {
            customer_id: _,
            top_up_id: _,
            amount: _,
            currency: _,
            balance_after: _,
            credited_at: _,
        })
        | Event::AccountDebited(AccountDebited {
            customer_id: _,
            order_id: _,
            amount: _,
            currency: _,
            balance_after: _,
            debited_at: _,
        })
        | Event::CouponRedeemed(CouponRedeemed {
            coupon_id: _,
            order_id: _,
            amount: _,
            balance_after: _,
            redeemed_at: _,
        }) => 1,
        Event::CouponIssued(CouponIssued {
            coupon,
            issued_at: _,
        }) => {
            coverage::coupon(s, coupon);
            1
        }
    }
}

#[test]
fn every_event_payload_matches_its_golden_bytes_and_decodes_back() {
    let dir = fixtures::dir("events");
    let mut failures = Vec::new();
    let mut names = BTreeSet::new();
    let mut files = BTreeSet::new();
    for (name, event) in cases() {
        assert!(names.insert(name.clone()), "two golden cases named {name}");
        let (event_type, version, payload) = encode_event(&event).unwrap();
        let pinned = walk(&event, &mut Seen::default());
        if version != pinned {
            failures.push(format!(
                "{name}: encoded as schema version {version}, pinned at {pinned}"
            ));
        }
        let file = name.replacen('-', &format!("-v{pinned}-"), 1);
        assert!(files.insert(file.clone()));
        match fixtures::check(&dir, &file, &payload) {
            Ok(expected) => match decode_event(event_type, version, &expected) {
                Ok(decoded) if decoded == event => {}
                Ok(decoded) => failures.push(format!(
                    "{name}: the golden bytes decode to another value:\n  {decoded:?}"
                )),
                Err(e) => failures.push(format!("{name}: the golden bytes do not decode: {e}")),
            },
            Err(f) => failures.push(f),
        }
    }
    for other in fixtures::stale(&dir, &files) {
        match old_version(&other) {
            // The bytes of a version no longer written: they stay, and
            // stay readable (upcast), as the records written with them do.
            Some((event_type, version)) => {
                let read = fixtures::read(&dir, &other)
                    .and_then(|b| decode_event(event_type, version, &b).map_err(|e| e.to_string()));
                if let Err(e) = read {
                    failures.push(format!(
                        "{other}: old-version golden bytes no longer decode: {e}"
                    ));
                }
            }
            None => failures.push(format!("{other}: a golden file that no case produces")),
        }
    }
    fixtures::report("event", &failures);
}

/// `<EventType>-v<N>-<case>` of a version older than the current one.
fn old_version(file: &str) -> Option<(&str, u16)> {
    let (event_type, rest) = file.split_once('-')?;
    let version: u16 = rest.strip_prefix('v')?.split_once('-')?.0.parse().ok()?;
    let current = SCHEMA_VERSIONS.iter().find(|(t, _)| *t == event_type)?.1;
    (version < current).then_some((event_type, version))
}

#[test]
fn every_stored_event_type_has_a_golden_case() {
    let covered: BTreeSet<String> = cases().iter().map(|(_, e)| e.name().to_owned()).collect();
    let missing: Vec<_> = SCHEMA_VERSIONS
        .iter()
        .filter(|(name, _)| !covered.contains(*name))
        .collect();
    assert!(
        missing.is_empty(),
        "event types without golden bytes: {missing:?}"
    );
    assert_eq!(covered.len(), SCHEMA_VERSIONS.len());
}

// Which golden case carries each variant. Exhaustive: a new variant of an
// enum that events carry does not compile until a case is named here, and
// the test below checks that the named case really carries it.

fn source_type_case(v: &SourceType) -> &'static str {
    match v {
        SourceType::Customer => "OrderPlaced-purchase",
        SourceType::Agent => "OrderPlaced-renewal",
        SourceType::Contract => "OrderPlaced-upgrade",
        SourceType::Distributor => "OrderPlaced-downgrade",
        SourceType::DeletedResources => "OrderPlaced-configuration-change",
        SourceType::Supplement => "OrderPlaced-supplement",
        SourceType::Compensation => "OrderPlaced-compensation",
        SourceType::AutoCreated => "OrderPlaced-auto-created",
    }
}

fn order_type_case(v: &OrderType) -> &'static str {
    match v {
        OrderType::Purchase => "OrderPlaced-purchase",
        OrderType::Renewal => "OrderPlaced-renewal",
        OrderType::Upgrade => "OrderPlaced-upgrade",
        OrderType::Downgrade => "OrderPlaced-downgrade",
        OrderType::ConfigurationChange => "OrderPlaced-configuration-change",
        OrderType::Compensation => "OrderPlaced-compensation",
    }
}

fn charge_type_case(v: &ChargeType) -> &'static str {
    match v {
        ChargeType::Subscription => "OrderPlaced-purchase",
        ChargeType::PayAsYouGo => "OrderPlaced-configuration-change",
    }
}

fn period_type_case(v: &PeriodType) -> &'static str {
    match v {
        PeriodType::Day => "OrderPlaced-renewal",
        PeriodType::Week => "OrderPlaced-upgrade",
        PeriodType::Month | PeriodType::Year => "OrderPlaced-purchase",
        PeriodType::Hour => "OrderPlaced-downgrade",
        PeriodType::OneOff => "OrderPlaced-compensation",
        PeriodType::PayPerUse | PeriodType::ByUsageReport => "OrderPlaced-configuration-change",
    }
}

fn price_unit_case(v: &PriceUnit) -> &'static str {
    match v {
        PriceUnit::Month | PriceUnit::Year => "OrderPlaced-purchase",
        PriceUnit::Minute | PriceUnit::Gigabyte => "OrderPlaced-configuration-change",
        PriceUnit::Request | PriceUnit::TenThousandRequests => "OrderPlaced-supplement",
    }
}

fn voucher_kind_case(v: &VoucherKind) -> &'static str {
    match v {
        VoucherKind::Coupon => "OrderPaid-coupon",
        VoucherKind::DiscountCoupon | VoucherKind::CashCoupon | VoucherKind::Card => {
            "OrderPaid-vouchers"
        }
    }
}

fn issued_kind_case(v: &VoucherKind) -> &'static str {
    match v {
        VoucherKind::DiscountCoupon => "CouponIssued-discount-coupon",
        VoucherKind::Coupon => "CouponIssued-coupon",
        VoucherKind::CashCoupon => "CouponIssued-cash-coupon",
        VoucherKind::Card => "CouponIssued-card",
    }
}

fn contract_terms_case(v: &ContractTerms) -> &'static str {
    match v {
        ContractTerms::Order => "ContractApplied-order",
        ContractTerms::PaymentRequest { .. } => "ContractApplied-payment-request",
    }
}

fn certification_kind_case(v: &CertificationKind) -> &'static str {
    match v {
        CertificationKind::Personal => "RealNameCertified-personal",
        CertificationKind::Enterprise => "RealNameCertified-enterprise",
    }
}

fn contract_party_kind_case(v: &CertificationKind) -> &'static str {
    match v {
        CertificationKind::Personal => "ContractApplied-payment-request",
        CertificationKind::Enterprise => "ContractApplied-order",
    }
}

#[test]
fn every_enum_variant_and_option_events_carry_has_a_golden_case() {
    let seen: BTreeMap<String, Seen> = cases()
        .into_iter()
        .map(|(name, e)| {
            let mut s = Seen::default();
            walk(&e, &mut s);
            (name, s)
        })
        .collect();
    let mut failures = Vec::new();
    coverage::check_enum(&seen, source_type_case, &mut failures);
    coverage::check_enum(&seen, order_type_case, &mut failures);
    coverage::check_enum(&seen, charge_type_case, &mut failures);
    coverage::check_enum(&seen, period_type_case, &mut failures);
    coverage::check_enum(&seen, price_unit_case, &mut failures);
    coverage::check_enum(&seen, voucher_kind_case, &mut failures);
    coverage::check_enum(&seen, issued_kind_case, &mut failures);
    coverage::check_enum(&seen, contract_terms_case, &mut failures);
    coverage::check_enum(&seen, certification_kind_case, &mut failures);
    coverage::check_enum(&seen, contract_party_kind_case, &mut failures);
    coverage::check_shapes(&seen, &mut failures);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn enumerating_variants_from_their_encoding_finds_them_all() {
    // The coverage checks above read variants from bincode; if that ever
    // stopped finding them, they would pass vacuously.
    assert_eq!(coverage::all_variants::<SourceType>().len(), 8);
    assert_eq!(coverage::all_variants::<PeriodType>().len(), 8);
    assert_eq!(coverage::all_variants::<VoucherKind>().len(), 4);
    assert_eq!(coverage::all_variants::<ContractTerms>().len(), 2);
}

#[test]
fn old_version_golden_bytes_upcast_to_todays_samples() {
    // Records written before a field was added: each is today's sample
    // without that field, so it upcasts to the sample (the field's default).
    let dir = fixtures::dir("events");
    let samples: BTreeMap<String, Event> = cases().into_iter().collect();
    for (file, event_type, version, sample) in [
        (
            "OrderPlaced-v1-auto-created",
            "OrderPlaced",
            1,
            "OrderPlaced-auto-created",
        ),
        (
            "ContractApplied-v1-payment-request",
            "ContractApplied",
            1,
            "ContractApplied-payment-request",
        ),
        (
            "ContractVoided-v1-draft",
            "ContractVoided",
            1,
            "ContractVoided-draft",
        ),
    ] {
        let bytes = fixtures::read(&dir, file).unwrap();
        assert_eq!(
            decode_event(event_type, version, &bytes).unwrap(),
            samples[sample],
            "{file}"
        );
    }
}
