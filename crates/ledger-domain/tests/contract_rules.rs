//! One test per electronic-contract rule (ApplyContract, ConvertContract,
//! VoidContract, EditContractRemarks, InvalidateContract), plus valid periods
//! and status names.

mod kit;

use kit::*;
use ledger_domain::contract::{
    ApplyContract, ContractKind, ContractStatus, MAX_CONTRACT_ORDERS, MAX_REMARKS_CHARS,
};
use ledger_domain::{Command, Event, State};

use ContractKind::{Order as OrderContract, PaymentRequest};

const K: &str = "EC-2024-0001";
const K2: &str = "EC-2024-0002";

/// Alice ready, and her subscription orders placed at t0 (deadline t0 + 7d).
fn unpaid_orders(orders: &[&str]) -> Vec<Event> {
    let mut events = ready_customer(&alice());
    events.extend(orders.iter().map(|o| placed_subscription(o, &alice())));
    events
}

/// As [`unpaid_orders`], each paid an hour after t0.
fn paid_orders(orders: &[&str]) -> Vec<Event> {
    let mut events = unpaid_orders(orders);
    events.extend(orders.iter().map(|o| paid_in_full(o, t0() + hours(1))));
    events
}

fn with(mut history: Vec<Event>, more: impl IntoIterator<Item = Event>) -> Vec<Event> {
    history.extend(more);
    history
}

fn contract_status(state: &State, no: &str) -> ContractStatus {
    state
        .contract(&cno(no))
        .applied()
        .expect("applied")
        .status()
        .clone()
}

fn order_contract_of(state: &State, order: &str) -> Option<String> {
    state
        .order(&oid(order))
        .placed()
        .unwrap()
        .contract()
        .map(|c| c.to_string())
}

// ---- ApplyContract ----------------------------------------------------------

#[test]
fn apply_order_contract_with_paid_orders_records_the_draft_and_attaches_each_order() {
    let at = t0() + days(1);
    let state = given(&paid_orders(&["O1", "O2"]))
        .when(apply_contract(K, &alice(), OrderContract, &["O1", "O2"]))
        .by(as_customer(&alice()))
        .at(at)
        .then(&contract_applied_and_attached(
            K,
            &alice(),
            OrderContract,
            &["O1", "O2"],
            at,
        ));
    assert_eq!(contract_status(&state, K), ContractStatus::Draft);
    assert_eq!(order_contract_of(&state, "O1").as_deref(), Some(K));
    assert_eq!(order_contract_of(&state, "O2").as_deref(), Some(K));
}

#[test]
fn apply_payment_request_contract_with_unpaid_orders_carries_the_remittance_account() {
    let at = t0() + days(1);
    let events = contract_applied_and_attached(K, &alice(), PaymentRequest, &["O1"], at);
    match &events[0] {
        Event::ContractApplied(e) => assert_eq!(
            e.terms,
            ledger_domain::contract::ContractTerms::PaymentRequest {
                remittance_account: remittance_account(&alice())
            }
        ),
        other => panic!("unexpected {other:?}"),
    }
    given(&unpaid_orders(&["O1"]))
        .when(apply_contract(K, &alice(), PaymentRequest, &["O1"]))
        .by(as_customer(&alice()))
        .at(at)
        .then(&events);
}

#[test]
fn apply_contract_party_a_is_the_certified_real_name() {
    let state = given(&paid_orders(&["O1"]))
        .when(apply_contract(K, &alice(), OrderContract, &["O1"]))
        .at(t0() + days(1))
        .then(&contract_applied_and_attached(
            K,
            &alice(),
            OrderContract,
            &["O1"],
            t0() + days(1),
        ));
    let c = state.contract(&cno(K)).applied().unwrap().clone();
    assert_eq!(c.subject().party_a, real_name(&alice()));
    assert_eq!(c.subject().party_b, PARTY_B);
    assert_ne!(c.subject().party_a.name, customer_name(&alice()));
}

#[test]
fn apply_contract_refuses_zero_orders() {
    given(&paid_orders(&["O1"]))
        .when(apply_contract(K, &alice(), OrderContract, &[]))
        .then_error("contract_order_count");
}

fn many(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("O{i:03}")).collect()
}

#[test]
fn apply_contract_refuses_201_orders() {
    let names = many(MAX_CONTRACT_ORDERS + 1);
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let e = given(&paid_orders(&refs))
        .when(apply_contract(K, &alice(), OrderContract, &refs))
        .then_error("contract_order_count");
    assert_eq!(e.to_string(), "a contract covers 1 to 200 orders, not 201");
}

#[test]
fn apply_contract_accepts_exactly_200_orders() {
    let names = many(MAX_CONTRACT_ORDERS);
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let at = t0() + days(1);
    let state = given(&paid_orders(&refs))
        .when(apply_contract(K, &alice(), OrderContract, &refs))
        .at(at)
        .then(&contract_applied_and_attached(
            K,
            &alice(),
            OrderContract,
            &refs,
            at,
        ));
    assert_eq!(
        state.contract(&cno(K)).applied().unwrap().orders().len(),
        200
    );
}

#[test]
fn apply_contract_refuses_a_duplicate_order() {
    given(&paid_orders(&["O1", "O2"]))
        .when(apply_contract(
            K,
            &alice(),
            OrderContract,
            &["O1", "O2", "O1"],
        ))
        .then_error("duplicate_contract_order");
}

#[test]
fn apply_contract_refuses_an_unknown_order() {
    given(&paid_orders(&["O1"]))
        .when(apply_contract(K, &alice(), OrderContract, &["O1", "O9"]))
        .then_error("order_not_found");
}

#[test]
fn apply_contract_refuses_another_customers_order() {
    let mut history = paid_orders(&["O1"]);
    history.extend(ready_customer(&bob()));
    history.push(placed_subscription("B1", &bob()));
    history.push(paid_in_full("B1", t0()));
    given(&history)
        .when(apply_contract(K, &alice(), OrderContract, &["O1", "B1"]))
        .by(as_customer(&alice()))
        .then_error("order_of_another_customer");
}

#[test]
fn apply_contract_refuses_a_customer_acting_for_another_customer() {
    let history = with(paid_orders(&["O1"]), ready_customer(&bob()));
    given(&history)
        .when(apply_contract(K, &alice(), OrderContract, &["O1"]))
        .by(as_customer(&bob()))
        .then_error("not_permitted");
}

#[test]
fn apply_order_contract_refuses_an_unpaid_order() {
    let history = with(paid_orders(&["O1"]), [placed_subscription("O2", &alice())]);
    let e = given(&history)
        .when(apply_contract(K, &alice(), OrderContract, &["O1", "O2"]))
        .then_error("order_not_paid");
    assert_eq!(
        e.to_string(),
        "order O2 is unpaid: an order contract covers only paid orders"
    );
}

#[test]
fn apply_payment_request_contract_refuses_a_paid_order() {
    let history = with(unpaid_orders(&["O1"]), [paid_in_full("O1", t0())]);
    given(&history)
        .when(apply_contract(K, &alice(), PaymentRequest, &["O1"]))
        .then_error("order_not_unpaid");
}

#[test]
fn apply_payment_request_contract_refuses_an_order_past_its_deadline() {
    given(&unpaid_orders(&["O1"]))
        .when(apply_contract(K, &alice(), PaymentRequest, &["O1"]))
        .at(t0() + days(7))
        .then_error("payment_deadline_passed");
}

#[test]
fn apply_contract_refuses_an_order_already_in_a_live_contract() {
    let history = with(
        paid_orders(&["O1", "O2"]),
        contract_applied_and_attached(K, &alice(), OrderContract, &["O1"], t0() + days(1)),
    );
    let e = given(&history)
        .when(apply_contract(K2, &alice(), OrderContract, &["O2", "O1"]))
        .at(t0() + days(2))
        .then_error("order_in_live_contract");
    assert_eq!(
        e.to_string(),
        format!("order O1 is already in live contract {K}")
    );
}

#[test]
fn apply_contract_accepts_orders_released_by_voiding_their_contract() {
    let at = t0() + days(1);
    let history = with(
        paid_orders(&["O1"]),
        contract_applied_and_attached(K, &alice(), OrderContract, &["O1"], at)
            .into_iter()
            .chain([
                contract_voided(K, at + hours(1)),
                released("O1", K, at + hours(1)),
            ]),
    );
    let state = given(&history)
        .when(apply_contract(K2, &alice(), OrderContract, &["O1"]))
        .at(at + hours(2))
        .then(&contract_applied_and_attached(
            K2,
            &alice(),
            OrderContract,
            &["O1"],
            at + hours(2),
        ));
    assert_eq!(order_contract_of(&state, "O1").as_deref(), Some(K2));
}

#[test]
fn apply_contract_refuses_an_unregistered_customer() {
    given(&[])
        .when(apply_contract(K, &alice(), OrderContract, &["O1"]))
        .then_error("customer_not_found");
}

#[test]
fn apply_contract_refuses_a_customer_without_real_name_certification() {
    let history = vec![
        customer_registered(&alice(), t0()),
        placed_subscription("O1", &alice()),
        paid_in_full("O1", t0()),
    ];
    given(&history)
        .when(apply_contract(K, &alice(), OrderContract, &["O1"]))
        .then_error("customer_not_certified");
}

#[test]
fn apply_payment_request_contract_refuses_a_customer_without_remittance_account() {
    let history = vec![
        customer_registered(&alice(), t0()),
        real_name_certified(&alice(), t0()),
        placed_subscription("O1", &alice()),
    ];
    given(&history)
        .when(apply_contract(K, &alice(), PaymentRequest, &["O1"]))
        .then_error("remittance_account_missing");
    // An order contract does not need one.
    let history = with(history, [paid_in_full("O1", t0())]);
    given(&history)
        .when(apply_contract(K, &alice(), OrderContract, &["O1"]))
        .then(&contract_applied_and_attached(
            K,
            &alice(),
            OrderContract,
            &["O1"],
            t0(),
        ));
}

#[test]
fn apply_contract_refuses_a_blank_party_b_and_overlong_remarks() {
    let base = |f: fn(&mut ApplyContract)| {
        let mut cmd = match apply_contract(K, &alice(), OrderContract, &["O1"]) {
            Command::ApplyContract(c) => c,
            _ => unreachable!(),
        };
        f(&mut cmd);
        Command::ApplyContract(cmd)
    };
    given(&paid_orders(&["O1"]))
        .when(base(|c| c.party_b = String::new()))
        .then_error("invalid_text");
    given(&paid_orders(&["O1"]))
        .when(base(|c| c.remarks = "x".repeat(MAX_REMARKS_CHARS + 1)))
        .then_error("invalid_text");
}

#[test]
fn apply_contract_identical_repeat_records_nothing() {
    let history = with(
        paid_orders(&["O1", "O2"]),
        contract_applied_and_attached(K, &alice(), OrderContract, &["O1", "O2"], t0()),
    );
    given(&history)
        .when(apply_contract(K, &alice(), OrderContract, &["O1", "O2"]))
        .by(as_customer(&alice()))
        .at(t0() + hours(1))
        .then_no_events();
}

#[test]
fn apply_contract_same_number_with_different_details_is_contract_already_exists() {
    let history = with(
        paid_orders(&["O1", "O2"]),
        contract_applied_and_attached(K, &alice(), OrderContract, &["O1"], t0()),
    );
    given(&history)
        .when(apply_contract(K, &alice(), OrderContract, &["O1", "O2"]))
        .then_error("contract_already_exists");
    given(&history)
        .when(apply_contract(K, &alice(), PaymentRequest, &["O1"]))
        .then_error("contract_already_exists");
}

// ---- ConvertContract --------------------------------------------------------

fn draft_order_contract() -> Vec<Event> {
    with(
        paid_orders(&["O1"]),
        contract_applied_and_attached(K, &alice(), OrderContract, &["O1"], t0() + days(1)),
    )
}

fn draft_payment_request() -> Vec<Event> {
    with(
        unpaid_orders(&["O1"]),
        contract_applied_and_attached(K, &alice(), PaymentRequest, &["O1"], t0() + days(1)),
    )
}

#[test]
fn convert_contract_makes_a_draft_official_with_its_conversion_time() {
    let at = t0() + days(2);
    let state = given(&draft_order_contract())
        .when(convert_contract(K))
        .by(as_customer(&alice()))
        .at(at)
        .then(&[contract_converted(K, at)]);
    assert_eq!(
        contract_status(&state, K),
        ContractStatus::Official { converted_at: at }
    );
}

#[test]
fn convert_contract_with_its_document_records_the_seal_in_the_same_decision() {
    let at = t0() + days(2);
    let state = given(&draft_order_contract())
        .when(convert_contract_sealed(K, a_seal()))
        .by(as_customer(&alice()))
        .at(at)
        .then(&[contract_converted(K, at), document_sealed(K, a_seal(), at)]);
    let c = state.contract(&cno(K)).applied().unwrap().clone();
    let sealed = c.document().expect("the seal is kept");
    assert_eq!(sealed.seal, a_seal());
    assert_eq!(sealed.sealed_at, at);
    // Remarks edited after conversion leave the sealed document's own.
    let before = sealed.remarks.clone();
    let edited = given(&with(
        draft_order_contract(),
        [contract_converted(K, at), document_sealed(K, a_seal(), at)],
    ))
    .when(edit_remarks(K, "changed later"))
    .by(as_customer(&alice()))
    .at(at + hours(1))
    .then(&[remarks_edited(K, "changed later", at + hours(1))]);
    let c = edited.contract(&cno(K)).applied().unwrap();
    assert_eq!(c.remarks(), "changed later");
    assert_eq!(c.document().unwrap().remarks, before);
}

#[test]
fn convert_contract_refuses_a_malformed_document_seal() {
    let mut seal = a_seal();
    seal.sha256 = "AB".repeat(32);
    let e = given(&draft_order_contract())
        .when(convert_contract_sealed(K, seal))
        .by(as_customer(&alice()))
        .at(t0() + days(2))
        .then_error("malformed_document_seal");
    assert!(e
        .to_string()
        .starts_with(&format!("contract {K}: the document seal")));
}

#[test]
fn convert_contract_repeat_with_a_document_records_nothing() {
    let at = t0() + days(2);
    let history = with(
        draft_order_contract(),
        [contract_converted(K, at), document_sealed(K, a_seal(), at)],
    );
    given(&history)
        .when(convert_contract_sealed(K, a_seal()))
        .by(as_customer(&alice()))
        .at(at + days(1))
        .then_no_events();
}

#[test]
fn convert_contract_repeat_records_nothing() {
    let history = with(
        draft_order_contract(),
        [contract_converted(K, t0() + days(2))],
    );
    given(&history)
        .when(convert_contract(K))
        .by(as_customer(&alice()))
        .at(t0() + days(3))
        .then_no_events();
}

#[test]
fn convert_contract_refuses_a_voided_contract() {
    let history = with(
        draft_order_contract(),
        [
            contract_voided(K, t0() + days(2)),
            released("O1", K, t0() + days(2)),
        ],
    );
    let e = given(&history)
        .when(convert_contract(K))
        .by(as_customer(&alice()))
        .then_error("contract_not_draft");
    assert_eq!(
        e.to_string(),
        format!("contract {K} is voided, not a draft")
    );
}

#[test]
fn convert_contract_refuses_an_invalid_contract() {
    let at = t0() + days(7);
    let history = with(
        draft_payment_request(),
        [contract_invalidated(K, "O1", at), released("O1", K, at)],
    );
    given(&history)
        .when(convert_contract(K))
        .at(at)
        .then_error("contract_not_draft");
}

#[test]
fn convert_payment_request_contract_refuses_when_an_order_is_overdue() {
    given(&draft_payment_request())
        .when(convert_contract(K))
        .by(as_customer(&alice()))
        .at(t0() + days(7))
        .then_error("contract_overdue");
}

#[test]
fn convert_payment_request_contract_before_the_deadline() {
    let at = t0() + days(7) - secs(1);
    given(&draft_payment_request())
        .when(convert_contract(K))
        .by(as_customer(&alice()))
        .at(at)
        .then(&[contract_converted(K, at)]);
}

#[test]
fn convert_contract_refuses_an_unknown_contract() {
    given(&[])
        .when(convert_contract(K))
        .then_error("contract_not_found");
}

#[test]
fn convert_contract_refuses_another_customers_actor() {
    given(&draft_order_contract())
        .when(convert_contract(K))
        .by(as_customer(&bob()))
        .then_error("not_permitted");
}

// ---- VoidContract -----------------------------------------------------------

#[test]
fn void_draft_contract_by_its_customer_releases_its_orders() {
    let at = t0() + days(1);
    let history = with(
        paid_orders(&["O1", "O2"]),
        contract_applied_and_attached(K, &alice(), OrderContract, &["O1", "O2"], at),
    );
    let state = given(&history)
        .when(void_contract(K))
        .by(as_customer(&alice()))
        .at(at + hours(1))
        .then(&[
            contract_voided(K, at + hours(1)),
            released("O1", K, at + hours(1)),
            released("O2", K, at + hours(1)),
        ]);
    assert_eq!(
        contract_status(&state, K),
        ContractStatus::Voided {
            voided_at: at + hours(1),
            converted_at: None,
            ticket: None,
        }
    );
    assert_eq!(order_contract_of(&state, "O1"), None);
    assert_eq!(order_contract_of(&state, "O2"), None);
}

#[test]
fn void_official_contract_by_its_customer_needs_an_operator() {
    let history = with(
        draft_order_contract(),
        [contract_converted(K, t0() + days(2))],
    );
    let e = given(&history)
        .when(void_contract(K))
        .by(as_customer(&alice()))
        .at(t0() + days(3))
        .then_error("official_contract_needs_operator");
    assert_eq!(
        e.to_string(),
        "an official contract is voided only by an operator (submit a ticket)"
    );
    given(&history)
        .when(void_contract(K))
        .by(service())
        .at(t0() + days(3))
        .then_error("official_contract_needs_operator");
}

/// Seed: "Official contracts do not support self-service voiding. If there
/// is a need for voiding, please submit a ticket": the operator's void
/// carries the ticket id and the reason, kept in the contract's state.
#[test]
fn void_official_contract_by_an_operator_with_a_ticket_releases_its_orders() {
    let converted = t0() + days(2);
    let history = with(draft_order_contract(), [contract_converted(K, converted)]);
    let state = given(&history)
        .when(void_contract_by_ticket(K))
        .by(operator())
        .at(t0() + days(3))
        .then(&[
            contract_voided_by_ticket(K, t0() + days(3)),
            released("O1", K, t0() + days(3)),
        ]);
    assert_eq!(
        contract_status(&state, K),
        ContractStatus::Voided {
            voided_at: t0() + days(3),
            converted_at: Some(converted),
            ticket: Some(ticket()),
        }
    );
}

/// Seed: "If you void it, please submit a ticket for processing": an
/// operator's void of an official contract without the ticket is refused.
#[test]
fn void_official_contract_without_a_ticket_is_refused_please_submit_a_ticket() {
    let history = with(
        draft_order_contract(),
        [contract_converted(K, t0() + days(2))],
    );
    let e = given(&history)
        .when(void_contract(K))
        .by(operator())
        .at(t0() + days(3))
        .then_error("void_ticket_required");
    assert_eq!(
        e.to_string(),
        format!("voiding official contract {K} needs the ticket id and a reason")
    );
    let blank = Command::VoidContract(ledger_domain::contract::VoidContract {
        contract_no: K.parse().unwrap(),
        ticket: Some(ledger_domain::contract::VoidTicket {
            ticket_id: "TK-1".parse().unwrap(),
            reason: "  ".into(),
        }),
    });
    given(&history)
        .when(blank)
        .by(operator())
        .at(t0() + days(3))
        .then_error("invalid_text");
}

#[test]
fn void_contract_repeat_records_nothing() {
    let history = with(
        draft_order_contract(),
        [
            contract_voided(K, t0() + days(2)),
            released("O1", K, t0() + days(2)),
        ],
    );
    given(&history)
        .when(void_contract(K))
        .by(as_customer(&alice()))
        .at(t0() + days(3))
        .then_no_events();
}

#[test]
fn void_contract_refuses_an_invalid_contract() {
    let at = t0() + days(7);
    let history = with(
        draft_payment_request(),
        [contract_invalidated(K, "O1", at), released("O1", K, at)],
    );
    given(&history)
        .when(void_contract(K))
        .by(operator())
        .at(at)
        .then_error("contract_not_live");
}

#[test]
fn void_contract_releases_only_orders_it_still_holds() {
    // O1 was released from K by voiding it and then attached to K2: voiding
    // K again records nothing, and voiding K2 releases O1 from K2 only.
    let at = t0() + days(1);
    let history = with(
        draft_payment_request(),
        [
            contract_voided(K, at + hours(1)),
            released("O1", K, at + hours(1)),
        ],
    );
    let history = with(
        history,
        contract_applied_and_attached(K2, &alice(), PaymentRequest, &["O1"], at + hours(2)),
    );
    given(&history)
        .when(void_contract(K))
        .by(as_customer(&alice()))
        .at(at + hours(3))
        .then_no_events();
    given(&history)
        .when(void_contract(K2))
        .by(as_customer(&alice()))
        .at(at + hours(3))
        .then(&[
            contract_voided(K2, at + hours(3)),
            released("O1", K2, at + hours(3)),
        ]);
}

// ---- EditContractRemarks ----------------------------------------------------

#[test]
fn edit_contract_remarks_records_the_new_remarks() {
    let state = given(&draft_order_contract())
        .when(edit_remarks(K, "archived with invoice 2024-118"))
        .by(as_customer(&alice()))
        .at(t0() + days(2))
        .then(&[remarks_edited(
            K,
            "archived with invoice 2024-118",
            t0() + days(2),
        )]);
    let c = state.contract(&cno(K)).applied().unwrap().clone();
    assert_eq!(c.remarks(), "archived with invoice 2024-118");
    // The application keeps what was applied for.
    assert_eq!(c.application().remarks, REMARKS);
}

#[test]
fn edit_contract_remarks_to_the_same_text_records_nothing() {
    given(&draft_order_contract())
        .when(edit_remarks(K, REMARKS))
        .by(as_customer(&alice()))
        .then_no_events();
}

#[test]
fn edit_contract_remarks_refuses_remarks_over_200_characters() {
    given(&draft_order_contract())
        .when(edit_remarks(K, &"x".repeat(MAX_REMARKS_CHARS + 1)))
        .by(as_customer(&alice()))
        .then_error("invalid_text");
    given(&draft_order_contract())
        .when(edit_remarks(K, &"备".repeat(MAX_REMARKS_CHARS)))
        .by(as_customer(&alice()))
        .then(&[remarks_edited(K, &"备".repeat(MAX_REMARKS_CHARS), t0())]);
}

#[test]
fn edit_contract_remarks_refuses_another_customers_actor() {
    given(&draft_order_contract())
        .when(edit_remarks(K, "mine now"))
        .by(as_customer(&bob()))
        .then_error("not_permitted");
}

// ---- InvalidateContract -----------------------------------------------------

/// A payment-request draft over O1 (placed t0, deadline t0 + 7d) and O2
/// (placed t0 + 2d, deadline t0 + 9d), applied at t0 + 3d.
fn two_deadline_payment_request() -> Vec<Event> {
    let mut history = ready_customer(&alice());
    history.push(placed_subscription("O1", &alice()));
    history.push(order_placed(
        subscription_order(&oid("O2"), &alice()),
        t0() + days(2),
    ));
    let at = t0() + days(3);
    history.push(contract_applied_with(
        K,
        &alice(),
        PaymentRequest,
        vec![
            contract_order("O1", t0()),
            contract_order("O2", t0() + days(2)),
        ],
        at,
    ));
    history.push(attached("O1", K, at));
    history.push(attached("O2", K, at));
    history
}

#[test]
fn two_deadline_history_is_what_apply_records() {
    // The fixture above is exactly what ApplyContract decides.
    let mut history = two_deadline_payment_request();
    let expected = history.split_off(history.len() - 3);
    given(&history)
        .when(apply_contract(K, &alice(), PaymentRequest, &["O1", "O2"]))
        .at(t0() + days(3))
        .then(&expected);
}

#[test]
fn invalidate_contract_is_for_the_system_only() {
    for actor in [as_customer(&alice()), operator(), service()] {
        given(&two_deadline_payment_request())
            .when(invalidate_contract(K))
            .by(actor)
            .at(t0() + days(7))
            .then_error("actor_not_permitted");
    }
}

#[test]
fn invalidate_contract_refuses_an_order_contract() {
    given(&draft_order_contract())
        .when(invalidate_contract(K))
        .by(system())
        .at(t0() + days(30))
        .then_error("not_payment_request_contract");
}

#[test]
fn invalidate_contract_refuses_before_the_earliest_deadline() {
    given(&two_deadline_payment_request())
        .when(invalidate_contract(K))
        .by(system())
        .at(t0() + days(7) - secs(1))
        .then_error("contract_not_overdue");
}

#[test]
fn invalidate_contract_at_the_earlier_deadline_names_that_order_and_releases_all() {
    let at = t0() + days(7);
    let state = given(&two_deadline_payment_request())
        .when(invalidate_contract(K))
        .by(system())
        .at(at)
        .then(&[
            contract_invalidated(K, "O1", at),
            released("O1", K, at),
            released("O2", K, at),
        ]);
    assert_eq!(
        contract_status(&state, K),
        ContractStatus::Invalid {
            invalidated_at: at,
            converted_at: None
        }
    );
    assert_eq!(order_contract_of(&state, "O1"), None);
    assert_eq!(order_contract_of(&state, "O2"), None);
}

#[test]
fn invalidate_contract_with_the_earlier_order_paid_waits_for_the_later_deadline() {
    let history = with(
        two_deadline_payment_request(),
        [paid_in_full("O1", t0() + days(4))],
    );
    given(&history)
        .when(invalidate_contract(K))
        .by(system())
        .at(t0() + days(7))
        .then_error("contract_not_overdue");
    let at = t0() + days(9);
    given(&history)
        .when(invalidate_contract(K))
        .by(system())
        .at(at)
        .then(&[
            contract_invalidated(K, "O2", at),
            released("O1", K, at),
            released("O2", K, at),
        ]);
}

#[test]
fn invalidate_contract_with_every_order_paid_is_never_overdue() {
    let history = with(
        two_deadline_payment_request(),
        [
            paid_in_full("O1", t0() + days(4)),
            paid_in_full("O2", t0() + days(4)),
        ],
    );
    given(&history)
        .when(invalidate_contract(K))
        .by(system())
        .at(t0() + days(60))
        .then_error("contract_not_overdue");
}

#[test]
fn invalidate_contract_counts_an_order_voided_after_payment_as_paid() {
    let history = with(
        two_deadline_payment_request(),
        [
            paid_in_full("O1", t0() + days(4)),
            paid_in_full("O2", t0() + days(4)),
            // Voided after its deadline (e.g. provisioning failed): it was
            // still paid in time, so the contract did not become overdue.
            order_voided("O1", t0() + days(10)),
        ],
    );
    given(&history)
        .when(invalidate_contract(K))
        .by(system())
        .at(t0() + days(60))
        .then_error("contract_not_overdue");
}

#[test]
fn invalidate_official_payment_request_contract_keeps_its_conversion_time() {
    let converted = t0() + days(4);
    let history = with(
        two_deadline_payment_request(),
        [contract_converted(K, converted)],
    );
    let at = t0() + days(7);
    let state = given(&history)
        .when(invalidate_contract(K))
        .by(system())
        .at(at)
        .then(&[
            contract_invalidated(K, "O1", at),
            released("O1", K, at),
            released("O2", K, at),
        ]);
    assert_eq!(
        contract_status(&state, K),
        ContractStatus::Invalid {
            invalidated_at: at,
            converted_at: Some(converted)
        }
    );
}

#[test]
fn invalidate_contract_repeat_records_nothing() {
    let at = t0() + days(7);
    let history = with(
        two_deadline_payment_request(),
        [
            contract_invalidated(K, "O1", at),
            released("O1", K, at),
            released("O2", K, at),
        ],
    );
    given(&history)
        .when(invalidate_contract(K))
        .by(system())
        .at(at + days(2))
        .then_no_events();
}

#[test]
fn invalidate_contract_refuses_a_voided_contract() {
    let at = t0() + days(4);
    let history = with(
        two_deadline_payment_request(),
        [
            contract_voided(K, at),
            released("O1", K, at),
            released("O2", K, at),
        ],
    );
    given(&history)
        .when(invalidate_contract(K))
        .by(system())
        .at(t0() + days(7))
        .then_error("contract_not_live");
}

// ---- Valid period -----------------------------------------------------------

#[test]
fn order_contract_valid_period_is_the_service_period_of_its_orders() {
    let mut history = paid_orders(&["O1"]);
    let mut spec = subscription_order(&oid("O2"), &alice());
    spec.line_items[0].valid_from = Some(t0() - days(10));
    spec.line_items[0].expires_at = Some(t0() + days(500));
    history.push(order_placed(spec.clone(), t0()));
    history.push(paid_in_full("O2", t0()));
    let at = t0() + days(1);
    let (start, end) = spec.service_period();
    let state = given(&history)
        .when(apply_contract(K, &alice(), OrderContract, &["O1", "O2"]))
        .at(at)
        .then(&[
            contract_applied_with(
                K,
                &alice(),
                OrderContract,
                vec![
                    contract_order("O1", t0()),
                    ledger_domain::contract::ContractOrder {
                        order_id: oid("O2"),
                        amount_due: money(SUBSCRIPTION_DUE),
                        payment_deadline: t0() + days(7),
                        service_start: start,
                        service_end: end,
                    },
                ],
                at,
            ),
            attached("O1", K, at),
            attached("O2", K, at),
        ]);
    assert_eq!(
        state.contract(&cno(K)).applied().unwrap().valid_period(),
        (Some(t0() - days(10)), Some(t0() + days(500)))
    );
}

#[test]
fn payment_request_valid_period_runs_from_conversion_to_the_earliest_deadline() {
    let history = two_deadline_payment_request();
    let draft = state_of(&history);
    assert_eq!(
        draft.contract(&cno(K)).applied().unwrap().valid_period(),
        (None, Some(t0() + days(7)))
    );
    let converted = t0() + days(4);
    let state = given(&history)
        .when(convert_contract(K))
        .by(as_customer(&alice()))
        .at(converted)
        .then(&[contract_converted(K, converted)]);
    assert_eq!(
        state.contract(&cno(K)).applied().unwrap().valid_period(),
        (Some(converted), Some(t0() + days(7)))
    );
}

#[test]
fn contract_statuses_have_names_and_only_draft_and_official_are_live() {
    let cases = [
        (ContractStatus::Draft, "draft", true),
        (
            ContractStatus::Official { converted_at: t0() },
            "official",
            true,
        ),
        (
            ContractStatus::Voided {
                voided_at: t0(),
                converted_at: None,
                ticket: None,
            },
            "voided",
            false,
        ),
        (
            ContractStatus::Invalid {
                invalidated_at: t0(),
                converted_at: None,
            },
            "invalid",
            false,
        ),
    ];
    for (status, name, live) in cases {
        assert_eq!(status.name(), name);
        assert_eq!(status.is_live(), live, "{name}");
    }
}
