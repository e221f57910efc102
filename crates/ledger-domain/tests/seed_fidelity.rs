//! Rules the seeds state in so many words (issue 17), each test quoting its
//! seed line. Decider level: given events, when a command, then events or
//! an error code.

mod kit;

use kit::*;
use ledger_domain::catalog::{ChargeType, OrderType, PriceUnit, SourceType, ORDER_TYPES};
use ledger_domain::contract::{ApplyContract, ContractKind, PartyADetails};
use ledger_domain::customer::{CertificationKind, CertifyRealName, RealName, RealNameCertified};
use ledger_domain::ids::{ContractNo, SalesContractId};
use ledger_domain::{Command, Event};

const K: &str = "EC-2024-0001";

fn paid_orders(orders: &[&str]) -> Vec<Event> {
    let mut events = ready_customer(&alice());
    events.extend(orders.iter().map(|o| placed_subscription(o, &alice())));
    events.extend(orders.iter().map(|o| paid_in_full(o, t0() + hours(1))));
    events
}

/// Alice's history with her certification replaced by a personal one.
fn personally_certified(mut history: Vec<Event>) -> Vec<Event> {
    history.push(Event::RealNameCertified(RealNameCertified {
        customer_id: alice(),
        real_name: RealName {
            name: "Zhang San".into(),
            kind: CertificationKind::Personal,
        },
        certified_at: t0() - hours(12),
    }));
    history
}

fn application(f: impl FnOnce(&mut ApplyContract)) -> Command {
    let Command::ApplyContract(mut cmd) = apply_contract(K, &alice(), ContractKind::Order, &["O1"])
    else {
        unreachable!()
    };
    f(&mut cmd);
    Command::ApplyContract(cmd)
}

// ---- 1. Party B and the contract number belong to the provider -------------

/// Seed: "Contract subject information: ... If you are applying for an
/// electronic contract online for the first time, you need to manually
/// supplement some information": Party A's details are kept on the contract.
#[test]
fn party_a_details_the_customer_manually_supplements_are_kept_on_the_contract() {
    let details = PartyADetails {
        address: "No. 10 Shangdi 10th Street, Haidian, Beijing".into(),
        contact_name: "Li Si".into(),
        contact_phone: "+86 10 5992 8888".into(),
        tax_id: "91110108MA01ABCD2X".into(),
    };
    let state = given(&paid_orders(&["O1"]))
        .when(application(|c| c.party_a_details = details.clone()))
        .at(t0() + hours(2))
        .then_events_count(2);
    let c = state.contract(&cno(K));
    let subject = c.applied().unwrap().subject();
    assert_eq!(subject.party_a_details, details);
    assert_eq!(subject.party_a, real_name(&alice()));
    assert_eq!(subject.party_b, PARTY_B);
}

/// Seed: "Party A's name cannot be modified": a detail field is checked
/// like every free text (length, control characters).
#[test]
fn party_a_details_are_bounded_text() {
    given(&paid_orders(&["O1"]))
        .when(application(|c| c.party_a_details.address = "x".repeat(257)))
        .then_error("invalid_text");
    given(&paid_orders(&["O1"]))
        .when(application(|c| {
            c.party_a_details.contact_phone = "1\n2".into()
        }))
        .then_error("invalid_text");
}

/// The contract number is the ledger's: one command id, one number, the
/// same on a retry; another command (or customer) gets another number.
#[test]
fn the_ledger_assigns_the_contract_number_from_the_command() {
    let a = ContractNo::assigned(&alice(), "cmd-1");
    assert_eq!(a, ContractNo::assigned(&alice(), "cmd-1"));
    assert_ne!(a, ContractNo::assigned(&alice(), "cmd-2"));
    assert_ne!(a, ContractNo::assigned(&bob(), "cmd-1"));
    assert!(a.as_str().starts_with("EC"));
    assert_eq!(a.as_str().len(), 22);
    assert!(a.as_str()[2..]
        .bytes()
        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_lowercase()));
}

// ---- 2. Enterprise real-name certification ----------------------------------

/// Seed: "If Party A is a company name, please first complete Enterprise
/// Real-name Certification."
#[test]
fn if_party_a_is_a_company_name_please_first_complete_enterprise_certification() {
    let history = personally_certified(paid_orders(&["O1"]));
    let e = given(&history)
        .when(application(|c| {
            c.party_a_kind = Some(CertificationKind::Enterprise)
        }))
        .at(t0() + hours(2))
        .then_error("enterprise_certification_required");
    assert_eq!(
        e.to_string(),
        format!(
            "party a of customer {} is a company: complete enterprise real-name certification first",
            alice()
        )
    );
    // A tax id names a company too.
    given(&history)
        .when(application(|c| {
            c.party_a_details.tax_id = "91110108MA01ABCD2X".into()
        }))
        .at(t0() + hours(2))
        .then_error("enterprise_certification_required");
    // As a person, the personally certified customer is Party A.
    let state = given(&history)
        .when(application(|c| {
            c.party_a_kind = Some(CertificationKind::Personal)
        }))
        .at(t0() + hours(2))
        .then_events_count(2);
    let subject = state.contract(&cno(K)).applied().unwrap().subject().clone();
    assert_eq!(subject.party_a.kind, CertificationKind::Personal);
    assert_eq!(subject.party_a.name, "Zhang San");
}

/// Seed: Party A "needs to be consistent with your real-name certification
/// name": an enterprise-certified customer cannot make a person Party A.
#[test]
fn party_a_must_be_consistent_with_the_certification() {
    given(&paid_orders(&["O1"]))
        .when(application(|c| {
            c.party_a_kind = Some(CertificationKind::Personal)
        }))
        .at(t0() + hours(2))
        .then_error("party_a_not_a_person");
    // Re-certifying as an enterprise lifts the enterprise refusal.
    let history = personally_certified(paid_orders(&["O1"]));
    let certify = Command::CertifyRealName(CertifyRealName {
        customer_id: alice(),
        real_name: real_name(&alice()),
    });
    given(&history)
        .when(certify)
        .by(service())
        .then_events_count(1);
    let events: Vec<Event> = history
        .iter()
        .cloned()
        .chain([real_name_certified(&alice(), t0() - hours(1))])
        .collect();
    given(&events)
        .when(application(|c| {
            c.party_a_kind = Some(CertificationKind::Enterprise)
        }))
        .at(t0() + hours(2))
        .then_events_count(2);
}

// ---- 6. Order types and sources in Huawei's codes ---------------------------

/// Seed (Huawei sourceType): "7: Compensation"; (Baidu) "Compensation
/// duration: Indicate the service failure compensation promised".
/// Compensation is source 7 and a new purchase (1) in Huawei's order types,
/// never a renewal (2).
#[test]
fn compensation_is_huawei_source_type_7_and_not_a_renewal() {
    assert_eq!(OrderType::Compensation.huawei_code(), 1);
    assert_ne!(
        OrderType::Compensation.huawei_code(),
        OrderType::Renewal.huawei_code()
    );
    assert_eq!(SourceType::Compensation.huawei_code(), 7);
    assert_eq!(
        OrderType::Compensation.required_source(),
        Some(SourceType::Compensation)
    );

    let mut spec = subscription_order(&oid("O9"), &alice());
    spec.order_type = OrderType::Compensation;
    spec.source_type = SourceType::Customer;
    given(&ready_customer(&alice()))
        .when(place(spec.clone()))
        .then_error("source_type_mismatch");
    spec.source_type = SourceType::Compensation;
    given(&ready_customer(&alice()))
        .when(place(spec.clone()))
        .then_events_count(1);
    // And only compensation orders come from source 7.
    spec.order_type = OrderType::Purchase;
    given(&ready_customer(&alice()))
        .when(place(spec))
        .then_error("source_type_mismatch");
}

/// Seed (Baidu order types): "Upgrade", "Downgrade" and "Configuration
/// change" are three kinds; Huawei's orderType "3: Change" covers all
/// three, and the order keeps which it was.
#[test]
fn configuration_change_upgrade_and_downgrade_stay_distinct_and_are_huawei_3() {
    let changes = [
        OrderType::Upgrade,
        OrderType::Downgrade,
        OrderType::ConfigurationChange,
    ];
    let names: Vec<_> = changes.iter().map(|t| t.baidu_name()).collect();
    assert_eq!(names, ["Upgrade", "Downgrade", "Configuration change"]);
    assert!(changes.iter().all(|t| t.huawei_code() == 3));
    assert_eq!(OrderType::from_huawei_code(3), changes.to_vec());
    assert_eq!(ORDER_TYPES.len(), 6);
    for kind in changes {
        let mut spec = subscription_order(&oid("O7"), &alice());
        spec.order_type = kind;
        let state = given(&ready_customer(&alice()))
            .when(place(spec))
            .then_events_count(1);
        assert_eq!(
            state.order(&oid("O7")).placed().unwrap().spec().order_type,
            kind
        );
    }
}

// ---- 8. contractId: the sales contract of PlaceOrder ------------------------

/// Seed (Huawei contractId): "when an account manager places an order on
/// behalf of the customer in accordance with the contract, the contract
/// information will be displayed": PlaceOrder carries the sales contract.
#[test]
fn an_order_placed_under_a_sales_contract_keeps_it() {
    let mut spec = subscription_order(&oid("O1"), &alice());
    spec.source_type = SourceType::Contract;
    spec.sales_contract_id = Some(SalesContractId::new("SC-2024-88").unwrap());
    let state = given(&ready_customer(&alice()))
        .when(place(spec))
        .by(service())
        .then_events_count(1);
    let placed = state.order(&oid("O1"));
    assert_eq!(
        placed.placed().unwrap().spec().sales_contract_id,
        Some(SalesContractId::new("SC-2024-88").unwrap())
    );
}

// ---- 9. Unit price of pay-as-you-go and by quantity -------------------------

/// Seed: "The unit time for pay-as-you-go billing is 1 minute" and
/// "'Pay-as-you-go' (or 'by quantity', etc.)": a postpaid line billed by
/// quantity is recorded with its unit; a subscription still is not.
#[test]
fn a_postpaid_line_billed_by_quantity_is_recorded_with_its_unit() {
    assert!(ChargeType::PayAsYouGo.admits(PriceUnit::Minute));
    for unit in [
        PriceUnit::Gigabyte,
        PriceUnit::Request,
        PriceUnit::TenThousandRequests,
    ] {
        assert!(ChargeType::PayAsYouGo.admits(unit));
        assert!(!ChargeType::Subscription.admits(unit));
        let mut spec = pay_as_you_go_order(&oid("P1"), &alice());
        spec.line_items[0].unit_price.per = unit;
        let state = given(&ready_customer(&alice()))
            .when(place(spec))
            .then_events_count(1);
        let o = state.order(&oid("P1"));
        assert_eq!(
            o.placed().unwrap().spec().line_items[0].unit_price.per,
            unit
        );
    }
    let mut spec = pay_as_you_go_order(&oid("P2"), &alice());
    spec.line_items[0].unit_price.per = PriceUnit::Month;
    given(&ready_customer(&alice()))
        .when(place(spec))
        .then_error("unit_price_unit_mismatch");
}
