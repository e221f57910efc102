//! One test per customer rule (RegisterCustomer, CertifyRealName,
//! SetRemittanceAccount), and the shape of every error message.

mod kit;

use kit::*;
use ledger_domain::customer::{
    CertificationKind, CertifyRealName, RealName, RegisterCustomer, RemittanceAccount,
    SetRemittanceAccount,
};
use ledger_domain::ids::{ContractNo, CustomerId, LineItemId, OrderId};
use ledger_domain::money::Money;
use ledger_domain::{Command, DomainError, ErrorClass, Event};

fn registered() -> Vec<Event> {
    vec![customer_registered(&alice(), t0())]
}

fn register_named(name: &str) -> Command {
    Command::RegisterCustomer(RegisterCustomer {
        customer_id: alice(),
        name: name.into(),
    })
}

fn set_account(account: RemittanceAccount) -> Command {
    Command::SetRemittanceAccount(SetRemittanceAccount {
        customer_id: alice(),
        account,
    })
}

// ---- RegisterCustomer -------------------------------------------------------

#[test]
fn register_customer_records_the_customer() {
    let state = given(&[])
        .when(register_customer(&alice()))
        .by(service())
        .at(t0())
        .then(&[customer_registered(&alice(), t0())]);
    let c = state.customer(&alice()).registered().unwrap().clone();
    assert_eq!(c.name(), customer_name(&alice()));
    assert_eq!(c.registered_at(), t0());
    assert_eq!(c.real_name(), None);
    assert_eq!(c.remittance_account(), None);
}

#[test]
fn register_customer_by_an_operator_is_allowed() {
    given(&[])
        .when(register_customer(&alice()))
        .by(operator())
        .then(&[customer_registered(&alice(), t0())]);
}

#[test]
fn register_customer_repeat_records_nothing() {
    given(&registered())
        .when(register_customer(&alice()))
        .at(t0() + days(1))
        .then_no_events();
}

#[test]
fn register_customer_with_different_details_is_customer_already_registered() {
    given(&registered())
        .when(register_named("someone else"))
        .then_error("customer_already_registered");
}

#[test]
fn register_customer_refuses_a_customer_or_system_actor() {
    for actor in [as_customer(&alice()), system()] {
        given(&[])
            .when(register_customer(&alice()))
            .by(actor)
            .then_error("actor_not_permitted");
    }
}

#[test]
fn register_customer_refuses_a_blank_name() {
    given(&[])
        .when(register_named("  "))
        .then_error("invalid_text");
}

// ---- CertifyRealName --------------------------------------------------------

#[test]
fn certify_real_name_records_the_certification() {
    let state = given(&registered())
        .when(certify(&alice()))
        .by(service())
        .at(t0() + hours(1))
        .then(&[real_name_certified(&alice(), t0() + hours(1))]);
    assert_eq!(
        state.customer(&alice()).registered().unwrap().real_name(),
        Some(&real_name(&alice()))
    );
}

#[test]
fn certify_real_name_requires_registration() {
    given(&[])
        .when(certify(&alice()))
        .then_error("customer_not_found");
}

#[test]
fn certify_real_name_repeat_records_nothing() {
    let history = vec![
        customer_registered(&alice(), t0()),
        real_name_certified(&alice(), t0()),
    ];
    given(&history)
        .when(certify(&alice()))
        .at(t0() + days(1))
        .then_no_events();
}

#[test]
fn certify_real_name_again_with_another_name_replaces_it() {
    let history = vec![
        customer_registered(&alice(), t0()),
        real_name_certified(&alice(), t0()),
    ];
    let personal = RealName {
        name: "Zhang San".into(),
        kind: CertificationKind::Personal,
    };
    let state = given(&history)
        .when(Command::CertifyRealName(CertifyRealName {
            customer_id: alice(),
            real_name: personal.clone(),
        }))
        .at(t0() + days(1))
        .then(&[Event::RealNameCertified(
            ledger_domain::customer::RealNameCertified {
                customer_id: alice(),
                real_name: personal.clone(),
                certified_at: t0() + days(1),
            },
        )]);
    assert_eq!(
        state.customer(&alice()).registered().unwrap().real_name(),
        Some(&personal)
    );
}

#[test]
fn certify_real_name_refuses_a_blank_name_and_a_customer_actor() {
    given(&registered())
        .when(Command::CertifyRealName(CertifyRealName {
            customer_id: alice(),
            real_name: RealName {
                name: String::new(),
                kind: CertificationKind::Personal,
            },
        }))
        .then_error("invalid_text");
    given(&registered())
        .when(certify(&alice()))
        .by(as_customer(&alice()))
        .then_error("actor_not_permitted");
}

// ---- SetRemittanceAccount ---------------------------------------------------

#[test]
fn set_remittance_account_records_the_account() {
    let state = given(&registered())
        .when(set_remittance(&alice()))
        .by(operator())
        .at(t0() + hours(2))
        .then(&[remittance_account_set(&alice(), t0() + hours(2))]);
    assert_eq!(
        state
            .customer(&alice())
            .registered()
            .unwrap()
            .remittance_account(),
        Some(&remittance_account(&alice()))
    );
}

#[test]
fn set_remittance_account_repeat_records_nothing() {
    let history = vec![
        customer_registered(&alice(), t0()),
        remittance_account_set(&alice(), t0()),
    ];
    given(&history)
        .when(set_remittance(&alice()))
        .then_no_events();
}

#[test]
fn set_remittance_account_requires_registration() {
    given(&[])
        .when(set_remittance(&alice()))
        .then_error("customer_not_found");
}

#[test]
fn set_remittance_account_refuses_a_customer_actor() {
    given(&registered())
        .when(set_remittance(&alice()))
        .by(as_customer(&alice()))
        .then_error("actor_not_permitted");
}

#[test]
fn set_remittance_account_refuses_odd_characters_in_the_account_number() {
    for number in ["1109/0833", "1109_0833", "1109\t0833", "账号1109"] {
        let mut a = remittance_account(&alice());
        a.account_number = number.into();
        given(&registered())
            .when(set_account(a))
            .then_error("invalid_text");
    }
    let mut a = remittance_account(&alice());
    a.account_number = "6225 8801-2345 abc".into();
    given(&registered())
        .when(set_account(a.clone()))
        .then(&[Event::RemittanceAccountSet(
            ledger_domain::customer::RemittanceAccountSet {
                customer_id: alice(),
                account: a,
                set_at: t0(),
            },
        )]);
}

#[test]
fn set_remittance_account_refuses_blank_or_overlong_fields() {
    let cases: [fn(&mut RemittanceAccount); 4] = [
        |a| a.bank_name = " ".into(),
        |a| a.account_name = String::new(),
        |a| a.account_number = String::new(),
        |a| a.bank_name = "b".repeat(129),
    ];
    for f in cases {
        let mut a = remittance_account(&alice());
        f(&mut a);
        given(&registered())
            .when(set_account(a))
            .then_error("invalid_text");
    }
}

// ---- Error messages ---------------------------------------------------------

fn one_of_each_error() -> Vec<DomainError> {
    use DomainError::*;
    let o = OrderId::new("CS1906201609KLZ2").unwrap();
    let k = ContractNo::new("EC-1").unwrap();
    let c = CustomerId::new("d75298ab").unwrap();
    let l = LineItemId::new("L1").unwrap();
    let m: Money = "12.50".parse().unwrap();
    vec![
        InvalidId {
            kind: "order id",
            reason: "must not be empty",
        },
        InvalidAmount {
            reason: "must not be negative",
        },
        InvalidCurrency,
        UnknownCode {
            table: "discount type",
            code: 608,
        },
        InvalidText {
            field: "remarks",
            reason: "is too long",
        },
        LimitExceeded {
            what: "vouchers",
            limit: 3,
        },
        AmountOverflow,
        NotPermitted {
            actor: "customer:e1190c7f".into(),
            action: "pay this order",
        },
        OrderNotFound(o.clone()),
        OrderAlreadyExists(o.clone()),
        CustomerNotFound(c.clone()),
        NoLineItems,
        DuplicateLineItem(l.clone()),
        InvalidLineItem {
            line: l.clone(),
            reason: "count must be at least 1",
        },
        UnitPriceUnitMismatch {
            line: l.clone(),
            charge: "subscription",
            expected: "month or year",
        },
        DeductionsExceedPrice { line: l },
        AmountDueMismatch {
            expected: m,
            given: m,
        },
        BaseOrderOnlyForRenewal,
        DeadlineNotAfterOrderTime,
        OrderNotUnpaid {
            order_id: o.clone(),
            status: "paid",
        },
        PaymentDeadlinePassed(o.clone()),
        PaymentAmountMismatch { due: m, paid: m },
        VouchersExceedPayment,
        CancelNotAllowed {
            order_id: o.clone(),
            status: "paid",
        },
        OrderNotVoidable {
            order_id: o.clone(),
            status: "cancelled",
        },
        PaymentDeadlineNotReached(o.clone()),
        ContractNotFound(k.clone()),
        ContractAlreadyExists(k.clone()),
        ContractOrderCount { count: 0 },
        DuplicateContractOrder(o.clone()),
        OrderOfAnotherCustomer(o.clone()),
        OrderNotPaid {
            order_id: o.clone(),
            status: "unpaid",
        },
        OrderInLiveContract {
            order_id: o,
            contract_no: k.clone(),
        },
        CustomerNotCertified(c.clone()),
        RemittanceAccountMissing(c.clone()),
        ContractNotDraft {
            contract_no: k.clone(),
            status: "voided",
        },
        ContractNotLive {
            contract_no: k.clone(),
            status: "invalid",
        },
        OfficialContractNeedsOperator(k.clone()),
        NotPaymentRequestContract(k.clone()),
        ContractNotOverdue(k.clone()),
        ContractOverdue(k),
        CustomerAlreadyRegistered(c),
    ]
}

#[test]
fn error_messages_are_lowercase_without_a_trailing_period() {
    for e in one_of_each_error() {
        let msg = e.to_string();
        let first = msg.chars().next().expect("a message");
        assert!(
            !first.is_uppercase(),
            "{}: message starts upper-case: {msg}",
            e.code()
        );
        assert!(!msg.ends_with('.'), "{}: trailing period: {msg}", e.code());
        assert_eq!(msg.trim(), msg, "{}: stray whitespace", e.code());
    }
}

#[test]
fn error_codes_are_distinct_snake_case() {
    let errors = one_of_each_error();
    let mut codes: Vec<_> = errors.iter().map(DomainError::code).collect();
    assert!(codes
        .iter()
        .all(|c| c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')));
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), errors.len(), "every variant has its own code");
}

#[test]
fn error_classes_follow_the_kind_of_refusal() {
    let class = |code: &str| {
        one_of_each_error()
            .into_iter()
            .find(|e| e.code() == code)
            .unwrap()
            .class()
    };
    assert_eq!(class("not_permitted"), ErrorClass::PermissionDenied);
    assert_eq!(class("order_not_found"), ErrorClass::NotFound);
    assert_eq!(class("order_already_exists"), ErrorClass::AlreadyExists);
    assert_eq!(class("amount_due_mismatch"), ErrorClass::InvalidInput);
    assert_eq!(
        class("payment_deadline_passed"),
        ErrorClass::FailedPrecondition
    );
}
