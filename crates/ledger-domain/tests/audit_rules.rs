//! `audit::check`: every event a decision records passes, and each kind of
//! illegal recorded event is caught with its code.

mod kit;

use ledger_domain::catalog::VoucherKind;

use chrono::{DateTime, Utc};

use kit::*;
use ledger_domain::audit::{self, check, Violation};
use ledger_domain::contract::{ContractKind, ContractOrder};
use ledger_domain::roles::{self, ActorKind};
use ledger_domain::{evolve, Actor, Command, Event, State};

/// An actor the role table lets record `event`: a service where one may,
/// else the first permitted kind (a customer acting for the event's tenant).
fn recorder(state: &State, event: &Event) -> String {
    let kinds: Vec<ActorKind> = roles::recorded_by(event)
        .iter()
        .flat_map(|c| roles::permitted_kind(*c).iter().copied())
        .collect();
    let kind = if kinds.contains(&ActorKind::Service) {
        ActorKind::Service
    } else {
        kinds[0]
    };
    match kind {
        ActorKind::Service => service(),
        ActorKind::Operator => operator(),
        ActorKind::System => system(),
        ActorKind::Customer => as_customer(&audit::tenant(state, event).unwrap_or_else(alice)),
    }
    .to_string()
}

/// Asserts `event` is refused after `history` with `code`; returns the violation.
#[track_caller]
fn refused(history: &[Event], event: Event, code: &str) -> Violation {
    let state = state_of(history);
    let actor = recorder(&state, &event);
    refused_from(&state, event, &actor, code)
}

/// Asserts `event`, recorded by `actor`, is refused from `state` with `code`.
#[track_caller]
fn refused_from(state: &State, event: Event, actor: &str, code: &str) -> Violation {
    match check(state, &event, actor) {
        Ok(()) => panic!("{} was accepted, expected {code}", event.name()),
        Err(v) => {
            assert_eq!(
                v.code(),
                code,
                "{} refused with another violation: {v}",
                event.name()
            );
            let message = v.to_string();
            assert!(
                message.starts_with(|c: char| c.is_lowercase()) && !message.ends_with('.'),
                "{message}"
            );
            v
        }
    }
}

/// Asserts `event` is legal after `history`.
#[track_caller]
fn accepted(history: &[Event], event: Event) {
    let state = state_of(history);
    if let Err(v) = check(&state, &event, &recorder(&state, &event)) {
        panic!("{} refused with {} ({v})", event.name(), v.code());
    }
}

fn concat(parts: &[Vec<Event>]) -> Vec<Event> {
    parts.concat()
}

/// Alice, ready for contracts, with O1 (and `more`) placed at t0.
fn with_orders(orders: &[&str]) -> Vec<Event> {
    let mut h = ready_customer(&alice());
    h.extend(orders.iter().map(|o| placed_subscription(o, &alice())));
    h
}

fn deadline() -> DateTime<Utc> {
    t0() + days(7)
}

// ---- A valid history --------------------------------------------------------

/// A history touching every event type but LossAccepted, as decided.
fn valid_steps() -> Vec<(Command, Actor, DateTime<Utc>)> {
    let alice_acts = as_customer(&alice());
    vec![
        (register_customer(&alice()), service(), t0()),
        (certify(&alice()), service(), t0()),
        (set_remittance(&alice()), operator(), t0()),
        (register_customer(&bob()), service(), t0()),
        (
            issue_coupon("CP-1", &alice(), VoucherKind::Coupon, "20.00"),
            service(),
            t0(),
        ),
        (
            place(subscription_order(&oid("O1"), &alice())),
            service(),
            t0(),
        ),
        (
            place(subscription_order(&oid("O2"), &alice())),
            service(),
            t0(),
        ),
        (
            place(subscription_order(&oid("O3"), &alice())),
            service(),
            t0(),
        ),
        (
            place(subscription_order(&oid("O4"), &alice())),
            service(),
            t0(),
        ),
        (
            place(pay_as_you_go_order(&oid("O5"), &alice())),
            service(),
            t0(),
        ),
        (pay_in_full("O1", "P1"), service(), t0() + hours(1)),
        (
            apply_contract("K1", &alice(), ContractKind::Order, &["O1"]),
            alice_acts.clone(),
            t0() + hours(2),
        ),
        (convert_contract("K1"), alice_acts.clone(), t0() + hours(2)),
        (
            edit_remarks("K1", "archived"),
            alice_acts.clone(),
            t0() + hours(2),
        ),
        (
            apply_contract("K2", &alice(), ContractKind::PaymentRequest, &["O2"]),
            alice_acts.clone(),
            t0() + hours(3),
        ),
        (void_contract("K2"), alice_acts.clone(), t0() + hours(3)),
        (
            apply_contract("K3", &alice(), ContractKind::PaymentRequest, &["O2", "O3"]),
            alice_acts.clone(),
            t0() + hours(4),
        ),
        (convert_contract("K3"), alice_acts.clone(), t0() + hours(4)),
        (cancel("O4"), alice_acts.clone(), t0() + hours(5)),
        (void_order("O1"), operator(), t0() + hours(6)),
        (void_contract_by_ticket("K1"), operator(), t0() + hours(6)),
        (void_order("O5"), operator(), t0() + hours(6)),
        (expire("O2"), system(), deadline()),
        (invalidate_contract("K3"), system(), deadline()),
        (expire("O3"), system(), deadline()),
        (
            place(subscription_order(&oid("O6"), &alice())),
            service(),
            t0(),
        ),
        (
            credit_account(&alice(), "TOP-1", "2000.00"),
            service(),
            t0(),
        ),
        (
            issue_coupon("CP-6", &alice(), VoucherKind::CashCoupon, "100.00"),
            service(),
            t0(),
        ),
        (
            pay_from_balance("O6", &[("CP-6", VoucherKind::CashCoupon)]),
            alice_acts.clone(),
            t0() + hours(1),
        ),
    ]
}

#[test]
fn every_event_of_a_decided_history_passes() {
    let steps = valid_steps();
    let mut state = State::default();
    let mut names = std::collections::BTreeSet::new();
    for (command, actor, time) in steps {
        let name = command.name();
        let actor_text = actor.to_string();
        let events = decide_checked(&state, &command, &ctx(actor, time))
            .unwrap_or_else(|e| panic!("{name} refused: {e}"));
        assert!(!events.is_empty(), "{name} recorded nothing");
        for event in &events {
            if let Err(v) = check(&state, event, &actor_text) {
                panic!(
                    "{} (from {name}) refused by audit: {} ({v})",
                    event.name(),
                    v.code()
                );
            }
            names.insert(event.name());
            state = evolve(state, event);
        }
    }
    // Every event type but LossAccepted (tested on its own) was checked.
    assert_eq!(names.len(), 20, "{names:?}");
}

/// `Event::audit_scope` names everything `check` and the tenant read: by
/// brute force, every event of the history judged on the state before
/// every point of it (legal and illegal pairs alike) gets the same verdict
/// and tenant from the scoped state as from the whole state.
#[test]
fn an_event_judged_on_its_audit_scope_gets_the_verdict_of_the_whole_state() {
    let mut state = State::default();
    let mut states = vec![state.clone()];
    let mut recorded: Vec<(Event, String)> = Vec::new();
    for (command, actor, time) in valid_steps() {
        let name = command.name();
        let events = decide_checked(&state, &command, &ctx(actor.clone(), time))
            .unwrap_or_else(|e| panic!("{name} refused: {e}"));
        for event in events {
            state = evolve(state, &event);
            states.push(state.clone());
            recorded.push((event, actor.to_string()));
        }
    }
    let mut refusals = 0;
    for before in &states {
        for (event, actor) in &recorded {
            let scoped = ledger_domain::audit_scope::scoped_state(before, event);
            let whole = check(before, event, actor);
            assert_eq!(
                check(&scoped, event, actor),
                whole,
                "{} on a scoped state",
                event.name()
            );
            assert_eq!(audit::tenant(&scoped, event), audit::tenant(before, event));
            refusals += usize::from(whole.is_err());
        }
    }
    // Both verdicts were exercised.
    assert!(refusals > 0 && refusals < states.len() * recorded.len());
}

// ---- Existence --------------------------------------------------------------

#[test]
fn an_event_for_an_absent_aggregate_is_illegal() {
    refused(
        &ready_customer(&alice()),
        paid_in_full("O1", t0()),
        "aggregate_absent",
    );
    refused(&[], real_name_certified(&alice(), t0()), "aggregate_absent");
    refused(
        &with_orders(&["O1"]),
        contract_converted("K1", t0()),
        "aggregate_absent",
    );
    // An order placed for an unregistered customer.
    refused(&[], placed_subscription("O1", &alice()), "aggregate_absent");
}

#[test]
fn a_creation_event_for_an_existing_aggregate_is_illegal() {
    refused(
        &with_orders(&["O1"]),
        placed_subscription("O1", &alice()),
        "aggregate_exists",
    );
    refused(
        &ready_customer(&alice()),
        customer_registered(&alice(), t0()),
        "aggregate_exists",
    );
}

// ---- Orders -----------------------------------------------------------------

#[test]
fn an_order_whose_lines_do_not_add_up_is_illegal() {
    let mut spec = subscription_order(&oid("O1"), &alice());
    spec.amount_due = money("1290.01");
    refused(
        &ready_customer(&alice()),
        order_placed(spec, t0()),
        "amount_due_mismatch",
    );
}

#[test]
fn a_line_with_deductions_above_its_list_price_is_illegal() {
    let mut spec = subscription_order(&oid("O1"), &alice());
    spec.line_items[1].pricing.coupon_amount = money("500.00");
    refused(
        &ready_customer(&alice()),
        order_placed(spec, t0()),
        "deductions_exceed_price",
    );
}

#[test]
fn a_deadline_not_after_the_order_time_is_illegal() {
    let spec = subscription_order(&oid("O1"), &alice());
    refused(
        &ready_customer(&alice()),
        order_placed_with_deadline(spec, t0(), t0()),
        "deadline_not_after_order_time",
    );
}

#[test]
fn paying_an_order_that_is_not_unpaid_is_illegal() {
    let h = concat(&[with_orders(&["O1"]), vec![paid_in_full("O1", t0())]]);
    refused(&h, paid_in_full("O1", t0() + hours(1)), "order_not_unpaid");
}

#[test]
fn paying_at_the_deadline_is_illegal() {
    let h = with_orders(&["O1"]);
    accepted(&h, paid_in_full("O1", deadline() - secs(1)));
    refused(
        &h,
        paid_in_full("O1", deadline()),
        "payment_deadline_passed",
    );
}

#[test]
fn paying_another_amount_than_due_is_illegal() {
    refused(
        &with_orders(&["O1"]),
        order_paid("O1", payment("P1", "1289.99"), t0()),
        "payment_amount_mismatch",
    );
}

#[test]
fn vouchers_above_the_payment_are_illegal() {
    let mut p = payment("P1", SUBSCRIPTION_DUE);
    p.vouchers = vec![voucher("CP-1", "1000.00"), voucher("CP-2", "290.01")];
    refused(
        &with_orders(&["O1"]),
        order_paid("O1", p, t0()),
        "vouchers_exceed_payment",
    );
}

#[test]
fn cancelling_an_order_that_is_not_unpaid_is_illegal() {
    let h = concat(&[with_orders(&["O1"]), vec![paid_in_full("O1", t0())]]);
    refused(
        &h,
        order_cancelled("O1", t0() + hours(1)),
        "order_not_unpaid",
    );
    // And an unpaid order past its deadline is the timer's to expire.
    refused(
        &with_orders(&["O1"]),
        order_cancelled("O1", deadline()),
        "payment_deadline_passed",
    );
}

#[test]
fn expiring_before_the_deadline_or_a_closed_order_is_illegal() {
    let h = with_orders(&["O1"]);
    accepted(&h, order_expired("O1", deadline()));
    refused(
        &h,
        order_expired("O1", deadline() - secs(1)),
        "payment_deadline_not_reached",
    );
    let paid = concat(&[h, vec![paid_in_full("O1", t0())]]);
    refused(&paid, order_expired("O1", deadline()), "order_not_unpaid");
}

#[test]
fn voiding_a_cancelled_or_voided_order_is_illegal() {
    let h = concat(&[with_orders(&["O1"]), vec![order_cancelled("O1", t0())]]);
    refused(&h, order_voided("O1", t0()), "order_not_voidable");
    let h = concat(&[with_orders(&["O1"]), vec![order_voided("O1", t0())]]);
    refused(&h, order_voided("O1", t0()), "order_not_voidable");
}

// ---- Attach and release -----------------------------------------------------

fn paid_in_k1() -> Vec<Event> {
    concat(&[
        with_orders(&["O1"]),
        vec![paid_in_full("O1", t0())],
        contract_applied_and_attached("K1", &alice(), ContractKind::Order, &["O1"], t0()),
    ])
}

#[test]
fn attaching_an_order_already_in_a_live_contract_is_illegal() {
    let h = concat(&[
        paid_in_k1(),
        vec![contract_applied(
            "K2",
            &alice(),
            ContractKind::Order,
            &["O1"],
            t0(),
        )],
    ]);
    refused(&h, attached("O1", "K2", t0()), "order_in_live_contract");
}

#[test]
fn attaching_to_a_contract_that_is_not_live_is_illegal() {
    // K2 voided: its orders went back; attaching to it again is illegal.
    let h = concat(&[
        with_orders(&["O1"]),
        vec![paid_in_full("O1", t0())],
        vec![contract_applied(
            "K2",
            &alice(),
            ContractKind::Order,
            &["O1"],
            t0(),
        )],
        vec![contract_voided("K2", t0())],
    ]);
    refused(&h, attached("O1", "K2", t0()), "contract_not_live");
    // A contract never applied.
    refused(
        &with_orders(&["O1"]),
        attached("O1", "K9", t0()),
        "aggregate_absent",
    );
}

#[test]
fn attaching_an_order_the_contract_does_not_list_is_illegal() {
    let h = concat(&[
        with_orders(&["O1", "O2"]),
        vec![paid_in_full("O1", t0()), paid_in_full("O2", t0())],
        vec![contract_applied(
            "K1",
            &alice(),
            ContractKind::Order,
            &["O1"],
            t0(),
        )],
    ]);
    refused(&h, attached("O2", "K1", t0()), "order_not_in_contract");
}

#[test]
fn releasing_from_a_contract_the_order_is_not_attached_to_is_illegal() {
    refused(
        &paid_in_k1(),
        released("O1", "K2", t0()),
        "order_not_attached",
    );
    refused(
        &with_orders(&["O1"]),
        released("O1", "K1", t0()),
        "order_not_attached",
    );
}

// ---- Contracts --------------------------------------------------------------

#[test]
fn a_contract_of_no_or_too_many_orders_is_illegal() {
    refused(
        &with_orders(&[]),
        contract_applied("K1", &alice(), ContractKind::Order, &[], t0()),
        "contract_order_count",
    );
    let names: Vec<String> = (0..201).map(|i| format!("O{i}")).collect();
    let orders: Vec<ContractOrder> = names.iter().map(|o| contract_order(o, t0())).collect();
    refused(
        &with_orders(&[]),
        contract_applied_with("K1", &alice(), ContractKind::Order, orders, t0()),
        "contract_order_count",
    );
}

#[test]
fn a_contract_listing_an_order_twice_is_illegal() {
    let h = concat(&[with_orders(&["O1"]), vec![paid_in_full("O1", t0())]]);
    refused(
        &h,
        contract_applied("K1", &alice(), ContractKind::Order, &["O1", "O1"], t0()),
        "duplicate_contract_order",
    );
}

#[test]
fn a_contract_with_another_customers_order_is_illegal() {
    let h = concat(&[
        with_orders(&[]),
        ready_customer(&bob()),
        vec![placed_subscription("O1", &bob()), paid_in_full("O1", t0())],
    ]);
    refused(
        &h,
        contract_applied("K1", &alice(), ContractKind::Order, &["O1"], t0()),
        "order_of_another_customer",
    );
}

#[test]
fn an_order_contract_with_an_unpaid_order_is_illegal() {
    refused(
        &with_orders(&["O1"]),
        contract_applied("K1", &alice(), ContractKind::Order, &["O1"], t0()),
        "order_not_paid",
    );
}

#[test]
fn a_payment_request_contract_with_a_paid_or_overdue_order_is_illegal() {
    let h = concat(&[with_orders(&["O1"]), vec![paid_in_full("O1", t0())]]);
    refused(
        &h,
        contract_applied("K1", &alice(), ContractKind::PaymentRequest, &["O1"], t0()),
        "order_not_unpaid",
    );
    refused(
        &with_orders(&["O1"]),
        contract_applied(
            "K1",
            &alice(),
            ContractKind::PaymentRequest,
            &["O1"],
            deadline(),
        ),
        "payment_deadline_passed",
    );
}

#[test]
fn converting_a_contract_that_is_not_a_draft_is_illegal() {
    let h = concat(&[paid_in_k1(), vec![contract_converted("K1", t0())]]);
    refused(&h, contract_converted("K1", t0()), "contract_not_draft");
}

#[test]
fn a_document_seal_belongs_right_after_its_conversion() {
    let at = t0() + hours(1);
    let converted = concat(&[paid_in_k1(), vec![contract_converted("K1", at)]]);
    accepted(&converted, document_sealed("K1", a_seal(), at));
    // On a draft, or with another time than the conversion's.
    refused(
        &paid_in_k1(),
        document_sealed("K1", a_seal(), at),
        "document_seal_out_of_place",
    );
    refused(
        &converted,
        document_sealed("K1", a_seal(), at + secs(1)),
        "document_seal_out_of_place",
    );
    // Twice.
    let sealed = concat(&[converted.clone(), vec![document_sealed("K1", a_seal(), at)]]);
    let v = refused(
        &sealed,
        document_sealed("K1", a_seal(), at),
        "document_seal_out_of_place",
    );
    assert_eq!(
        v.to_string(),
        "contract K1: document sealed out of place (already sealed)"
    );
    // A malformed seal.
    let mut bad = a_seal();
    bad.signature.pop();
    refused(
        &converted,
        document_sealed("K1", bad, at),
        "document_seal_out_of_place",
    );
}

#[test]
fn converting_an_overdue_payment_request_contract_is_illegal() {
    let h = concat(&[
        with_orders(&["O1"]),
        contract_applied_and_attached("K1", &alice(), ContractKind::PaymentRequest, &["O1"], t0()),
    ]);
    accepted(&h, contract_converted("K1", deadline() - secs(1)));
    refused(&h, contract_converted("K1", deadline()), "contract_overdue");
}

#[test]
fn voiding_a_contract_that_is_not_live_is_illegal() {
    let h = concat(&[
        paid_in_k1(),
        vec![contract_voided("K1", t0()), released("O1", "K1", t0())],
    ]);
    refused(&h, contract_voided("K1", t0()), "contract_not_live");
}

#[test]
fn invalidating_an_order_contract_is_illegal() {
    refused(
        &paid_in_k1(),
        contract_invalidated("K1", "O1", deadline()),
        "not_payment_request_contract",
    );
}

#[test]
fn invalidating_without_an_overdue_order_is_illegal() {
    let h = concat(&[
        with_orders(&["O1"]),
        contract_applied_and_attached("K1", &alice(), ContractKind::PaymentRequest, &["O1"], t0()),
    ]);
    accepted(&h, contract_invalidated("K1", "O1", deadline()));
    refused(
        &h,
        contract_invalidated("K1", "O1", deadline() - secs(1)),
        "contract_not_overdue",
    );
    // Paid in time: never overdue, even once voided later.
    let paid = concat(&[
        h,
        vec![
            paid_in_full("O1", t0()),
            order_voided("O1", t0() + hours(1)),
        ],
    ]);
    refused(
        &paid,
        contract_invalidated("K1", "O1", deadline()),
        "contract_not_overdue",
    );
}

#[test]
fn invalidating_a_contract_that_is_not_live_is_illegal() {
    let h = concat(&[
        with_orders(&["O1"]),
        contract_applied_and_attached("K1", &alice(), ContractKind::PaymentRequest, &["O1"], t0()),
        vec![
            contract_invalidated("K1", "O1", deadline()),
            released("O1", "K1", deadline()),
        ],
    ]);
    refused(
        &h,
        contract_invalidated("K1", "O1", deadline()),
        "contract_not_live",
    );
}

// ---- One command's events together --------------------------------------

#[test]
fn a_contract_applied_without_its_attach_events_is_illegal() {
    use ledger_domain::audit::check_command;
    // A decided application passes: one attach per order, same contract.
    let applied = contract_applied_and_attached("K1", &alice(), ContractKind::Order, &["O1"], t0());
    assert_eq!(check_command(&applied), Ok(()));

    // The forged second live contract over O1: it passes `check` event by
    // event (the live-contract rule sits on the attach event) ...
    let forged = contract_applied("K2", &alice(), ContractKind::Order, &["O1"], t0());
    accepted(&paid_in_k1(), forged.clone());
    // ... and is caught as a command.
    let v = check_command(std::slice::from_ref(&forged)).expect_err("forged contract caught");
    assert_eq!(v.code(), "contract_order_not_attached");
    assert!(v.to_string().contains("K2"), "{v}");

    // An attach to another contract, or of another order, does not count.
    let two = contract_applied("K3", &alice(), ContractKind::Order, &["O1", "O2"], t0());
    let partial = vec![
        two.clone(),
        attached("O1", "K3", t0()),
        attached("O2", "K9", t0()),
    ];
    let v = check_command(&partial).expect_err("missing attach caught");
    assert_eq!(v.code(), "contract_order_not_attached");
    assert!(v.to_string().contains("O2"), "{v}");
    let full = vec![two, attached("O1", "K3", t0()), attached("O2", "K3", t0())];
    assert_eq!(check_command(&full), Ok(()));
}

#[test]
fn an_accepted_loss_passes_only_by_an_operator_and_with_a_real_range() {
    let ok = loss_accepted(41, 57, "no backup holds them", t0());
    accepted(&[], ok.clone());
    refused_from(
        &State::default(),
        ok,
        &service().to_string(),
        "actor_not_permitted",
    );
    refused(
        &[],
        loss_accepted(1, 1, "x", t0()).with_range(0, 3),
        "invalid_lost_range",
    );
    refused(
        &[],
        loss_accepted(1, 1, "x", t0()).with_range(9, 8),
        "invalid_lost_range",
    );
}

trait WithRange {
    fn with_range(self, first: u64, last: u64) -> Event;
}

impl WithRange for Event {
    fn with_range(self, first: u64, last: u64) -> Event {
        match self {
            Event::LossAccepted(mut e) => {
                e.first_position = first;
                e.last_position = last;
                Event::LossAccepted(e)
            }
            other => other,
        }
    }
}
