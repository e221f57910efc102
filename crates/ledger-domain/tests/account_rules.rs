//! Accounts and coupons, given/when/then: a top-up credits once, paying from
//! the balance debits in the same decision as the payment, coupons are real
//! and used by Huawei's rules, and legality replay refuses forged money.

mod kit;

use kit::*;
use ledger_domain::audit::{check, check_command};
use ledger_domain::catalog::VoucherKind::{self, Card, CashCoupon, Coupon, DiscountCoupon};
use ledger_domain::order::{Payment, VoucherRedemption};
use ledger_domain::payment::balance_payment_id;
use ledger_domain::{Event, State};

const O: &str = "O1";
/// The kit's subscription order's amount due.
const DUE: &str = "1290.00";

/// Alice registered, with an unpaid order O1 of 1290.00 and 2000.00 on her
/// account.
fn funded() -> Vec<Event> {
    [
        ready_customer(&alice()),
        ready_customer(&bob()),
        vec![placed_subscription(O, &alice())],
        credited(&alice(), "TOP-1", "2000.00", "0", t0()),
    ]
    .concat()
}

fn with_coupon(mut history: Vec<Event>, id: &str, kind: VoucherKind, face: &str) -> Vec<Event> {
    history.push(coupon_issued(coupon_spec(id, &alice(), kind, face), t0()));
    history
}

fn paid_from_balance(order: &str, vouchers: Vec<VoucherRedemption>) -> Event {
    order_paid(
        order,
        Payment {
            payment_id: balance_payment_id(&oid(order)),
            amount: money(DUE),
            vouchers,
        },
        t0(),
    )
}

fn redemption(id: &str, kind: VoucherKind, amount: &str) -> VoucherRedemption {
    VoucherRedemption {
        kind,
        voucher_id: coupon_id(id),
        amount: money(amount),
    }
}

// ---- Top-ups ----------------------------------------------------------------

#[test]
fn a_top_up_credits_the_account_once_per_reference() {
    let history = ready_customer(&alice());
    let state = given(&history)
        .when(credit_account(&alice(), "TOP-1", "100.00"))
        .then(&credited(&alice(), "TOP-1", "100.00", "0", t0()));
    assert_eq!(state.account(&alice()).balance(cny()), money("100.00"));
    // The payment service retries with another command id: nothing new.
    let history = [history, credited(&alice(), "TOP-1", "100.00", "0", t0())].concat();
    given(&history)
        .when(credit_account(&alice(), "TOP-1", "100.00"))
        .then_no_events();
    given(&history)
        .when(credit_account(&alice(), "TOP-1", "999.00"))
        .then_error("top_up_already_recorded");
    given(&history)
        .when(credit_account(&alice(), "TOP-2", "0.50"))
        .then(&credited(&alice(), "TOP-2", "0.50", "100.00", t0()));
}

#[test]
fn a_top_up_is_positive_for_a_registered_customer_and_only_from_the_payment_service() {
    given(&ready_customer(&alice()))
        .when(credit_account(&alice(), "TOP-1", "0"))
        .then_error("invalid_amount");
    given(&[])
        .when(credit_account(&alice(), "TOP-1", "10.00"))
        .then_error("customer_not_found");
    for actor in [as_customer(&alice()), operator(), system()] {
        given(&ready_customer(&alice()))
            .when(credit_account(&alice(), "TOP-1", "10.00"))
            .by(actor)
            .then_error("actor_not_permitted");
    }
}

// ---- Paying from the balance ------------------------------------------------

#[test]
fn paying_from_the_balance_debits_and_pays_in_one_decision() {
    let state = given(&funded())
        .when(pay_from_balance(O, &[]))
        .by(as_customer(&alice()))
        .then(&[
            debited(&alice(), O, DUE, "710.00", t0()),
            paid_from_balance(O, vec![]),
        ]);
    assert_eq!(state.account(&alice()).balance(cny()), money("710.00"));
    assert!(state.order(&oid(O)).placed().unwrap().is_paid());
}

#[test]
fn paying_twice_from_the_balance_is_never_a_double_debit() {
    let history = [
        funded(),
        vec![
            debited(&alice(), O, DUE, "710.00", t0()),
            paid_from_balance(O, vec![]),
        ],
    ]
    .concat();
    // A retry with a new command id (no idempotency header) records nothing.
    given(&history)
        .when(pay_from_balance(O, &[]))
        .by(as_customer(&alice()))
        .then_no_events();
    given(&history)
        .when(pay_from_balance(O, &[]))
        .by(service())
        .then_no_events();
}

#[test]
fn an_insufficient_balance_is_refused_and_nothing_is_recorded() {
    let history = [
        ready_customer(&alice()),
        vec![placed_subscription(O, &alice())],
        credited(&alice(), "TOP-1", "1289.99", "0", t0()),
    ]
    .concat();
    given(&history)
        .when(pay_from_balance(O, &[]))
        .by(as_customer(&alice()))
        .then_error("insufficient_balance");
    // No account at all.
    given(
        &[
            ready_customer(&alice()),
            vec![placed_subscription(O, &alice())],
        ]
        .concat(),
    )
    .when(pay_from_balance(O, &[]))
    .by(as_customer(&alice()))
    .then_error("insufficient_balance");
}

#[test]
fn a_customer_pays_only_its_own_orders_and_an_operator_never_spends_a_balance() {
    given(&funded())
        .when(pay_from_balance(O, &[]))
        .by(as_customer(&bob()))
        .then_error("not_permitted");
    given(&funded())
        .when(pay_from_balance(O, &[]))
        .by(operator())
        .then_error("actor_not_permitted");
}

#[test]
fn paying_from_the_balance_keeps_the_order_rules() {
    given(&funded())
        .when(pay_from_balance(O, &[]))
        .by(as_customer(&alice()))
        .at(t0() + days(7))
        .then_error("payment_deadline_passed");
    given(&funded())
        .when(pay_from_balance("NOPE", &[]))
        .by(as_customer(&alice()))
        .then_error("order_not_found");
    let cancelled = [funded(), vec![order_cancelled(O, t0())]].concat();
    given(&cancelled)
        .when(pay_from_balance(O, &[]))
        .by(as_customer(&alice()))
        .then_error("order_not_unpaid");
}

// ---- Coupons ----------------------------------------------------------------

#[test]
fn a_cash_coupon_covers_part_and_the_balance_the_rest() {
    let history = with_coupon(funded(), "CP-1", Coupon, "90.00");
    let state = given(&history)
        .when(pay_from_balance(O, &[("CP-1", Coupon)]))
        .by(as_customer(&alice()))
        .then(&[
            coupon_redeemed("CP-1", O, "90.00", "0", t0()),
            debited(&alice(), O, "1200.00", "800.00", t0()),
            paid_from_balance(O, vec![redemption("CP-1", Coupon, "90.00")]),
        ]);
    let coupon = state.coupon(&coupon_id("CP-1")).issued().unwrap().clone();
    assert!(coupon.is_used_up());
    assert_eq!(coupon.status(t0()).huawei_code(), 3);
}

#[test]
fn coupons_covering_the_whole_amount_leave_the_balance_untouched() {
    // Huawei 99003112: a single-use coupon's unused rest is forfeit; a
    // flexi-purchase coupon keeps its rest as its balance.
    let history = with_coupon(
        [
            ready_customer(&alice()),
            vec![placed_subscription(O, &alice())],
        ]
        .concat(),
        "CP-9",
        CashCoupon,
        "1500.00",
    );
    given(&history)
        .when(pay_from_balance(O, &[("CP-9", CashCoupon)]))
        .by(as_customer(&alice()))
        .then(&[
            coupon_redeemed("CP-9", O, DUE, "210.00", t0()),
            paid_from_balance(O, vec![redemption("CP-9", CashCoupon, DUE)]),
        ]);
}

#[test]
fn a_used_coupon_is_refused_with_99003112_and_a_flexi_coupon_spends_its_rest() {
    let history = [
        with_coupon(
            with_coupon(funded(), "CP-1", Coupon, "20.00"),
            "CP-2",
            CashCoupon,
            "30.00",
        ),
        vec![placed_subscription("O2", &alice())],
        vec![
            coupon_redeemed("CP-1", O, "20.00", "0", t0()),
            coupon_redeemed("CP-2", O, "10.00", "20.00", t0()),
        ],
    ]
    .concat();
    given(&history)
        .when(pay_from_balance("O2", &[("CP-1", Coupon)]))
        .by(as_customer(&alice()))
        .then_error("coupon_already_used");
    given(&history)
        .when(pay_from_balance("O2", &[("CP-2", CashCoupon)]))
        .by(as_customer(&alice()))
        .then(&[
            coupon_redeemed("CP-2", "O2", "20.00", "0", t0()),
            debited(&alice(), "O2", "1270.00", "730.00", t0()),
            paid_from_balance("O2", vec![redemption("CP-2", CashCoupon, "20.00")]),
        ]);
}

#[test]
fn a_coupon_is_used_by_its_own_rules() {
    let history = with_coupon(funded(), "CP-1", Coupon, "20.00");
    let refuse = |coupons: &[(&str, VoucherKind)], code: &str| {
        given(&history)
            .when(pay_from_balance(O, coupons))
            .by(as_customer(&alice()))
            .then_error(code);
    };
    refuse(&[("CP-1", DiscountCoupon)], "coupon_kind_mismatch");
    refuse(&[("NO-SUCH", Coupon)], "coupon_not_found");
    refuse(&[("CP-1", Coupon), ("CP-1", Coupon)], "duplicate_coupon");
    let more = with_coupon(
        with_coupon(history.clone(), "CP-2", DiscountCoupon, "5.00"),
        "CP-3",
        Card,
        "5.00",
    );
    given(&more)
        .when(pay_from_balance(
            O,
            &[("CP-1", Coupon), ("CP-2", DiscountCoupon)],
        ))
        .by(as_customer(&alice()))
        .then_error("coupons_not_combinable");
    let four = with_coupon(more, "CP-4", CashCoupon, "5.00");
    given(&four)
        .when(pay_from_balance(
            O,
            &[
                ("CP-1", Coupon),
                ("CP-3", Card),
                ("CP-4", CashCoupon),
                ("CP-2", DiscountCoupon),
            ],
        ))
        .by(as_customer(&alice()))
        .then_error("limit_exceeded");
}

#[test]
fn a_coupon_outside_its_validity_below_its_threshold_or_of_another_customer_is_refused() {
    let mut spec = coupon_spec("CP-1", &alice(), Coupon, "20.00");
    spec.min_order_amount = Some(money("2000.00"));
    let history = [funded(), vec![coupon_issued(spec, t0())]].concat();
    given(&history)
        .when(pay_from_balance(O, &[("CP-1", Coupon)]))
        .by(as_customer(&alice()))
        .then_error("coupon_threshold_not_met");
    let history = with_coupon(funded(), "CP-1", Coupon, "20.00");
    given(&history)
        .when(pay_from_balance(O, &[("CP-1", Coupon)]))
        .by(as_customer(&alice()))
        .at(t0() - days(2))
        .then_error("coupon_not_valid_now");
    let mut bobs = coupon_spec("CP-B", &bob(), Coupon, "20.00");
    bobs.valid_from = t0() - days(1);
    let history = [funded(), vec![coupon_issued(bobs, t0())]].concat();
    given(&history)
        .when(pay_from_balance(O, &[("CP-B", Coupon)]))
        .by(as_customer(&alice()))
        .then_error("coupon_not_found");
}

#[test]
fn a_coupon_after_the_amount_is_covered_is_refused() {
    let history = with_coupon(
        with_coupon(funded(), "CP-1", CashCoupon, "2000.00"),
        "CP-2",
        Card,
        "10.00",
    );
    given(&history)
        .when(pay_from_balance(O, &[("CP-1", CashCoupon), ("CP-2", Card)]))
        .by(as_customer(&alice()))
        .then_error("coupon_not_needed");
}

#[test]
fn the_payment_service_may_name_only_real_coupons_holding_the_amount() {
    // The hole: `{"kind":301,"voucher_id":"made-up"}` covering everything.
    let made_up = Payment {
        payment_id: pid("PAY-1"),
        amount: money(DUE),
        vouchers: vec![redemption("made-up", Coupon, DUE)],
    };
    given(&funded())
        .when(pay(O, made_up))
        .by(service())
        .then_error("coupon_not_found");
    let history = with_coupon(funded(), "CP-1", Coupon, "20.00");
    let too_much = Payment {
        payment_id: pid("PAY-1"),
        amount: money(DUE),
        vouchers: vec![redemption("CP-1", Coupon, "20.01")],
    };
    given(&history)
        .when(pay(O, too_much))
        .by(service())
        .then_error("voucher_exceeds_coupon");
}

#[test]
fn issuing_a_coupon_needs_a_customer_a_face_value_and_a_real_window() {
    given(&[])
        .when(issue_coupon("CP-1", &alice(), Coupon, "20.00"))
        .then_error("customer_not_found");
    given(&ready_customer(&alice()))
        .when(issue_coupon("CP-1", &alice(), Coupon, "0"))
        .then_error("invalid_amount");
    given(&ready_customer(&alice()))
        .when(issue_coupon("CP-1", &alice(), Coupon, "20.00"))
        .at(t0() + days(31))
        .then_error("invalid_coupon_validity");
    let issued = with_coupon(ready_customer(&alice()), "CP-1", Coupon, "20.00");
    given(&issued)
        .when(issue_coupon("CP-1", &alice(), Coupon, "20.00"))
        .then_no_events();
    given(&issued)
        .when(issue_coupon("CP-1", &alice(), Coupon, "25.00"))
        .then_error("coupon_already_exists");
    given(&ready_customer(&alice()))
        .when(issue_coupon("CP-1", &alice(), Coupon, "20.00"))
        .by(as_customer(&alice()))
        .then_error("actor_not_permitted");
}

// ---- Legality replay ----------------------------------------------------------

#[test]
fn replay_refuses_forged_money() {
    let state: State = state_of(&funded());
    // A debit that does not leave the balance it says.
    let forged = debited(&alice(), O, DUE, "2000.00", t0());
    assert_eq!(
        check(&state, &forged, &format!("customer:{}", alice()))
            .map_err(|v| v.code())
            .err(),
        Some("balance_mismatch")
    );
    // A customer crediting itself.
    let credit = credited(&alice(), "TOP-9", "5.00", "2000.00", t0());
    let state = state_of(&ready_customer(&alice()));
    assert_eq!(
        check(&state, &credit[0], &format!("customer:{}", alice()))
            .map_err(|v| v.code())
            .err(),
        Some("actor_not_permitted")
    );
    // A payment naming a voucher that no redemption in its command backs.
    let paid = paid_from_balance(O, vec![redemption("made-up", Coupon, DUE)]);
    assert_eq!(
        check_command(&[paid]).map_err(|v| v.code()).err(),
        Some("voucher_not_redeemed")
    );
    // A debit that is not the payment's cash part.
    let events = [
        debited(&alice(), O, "1.00", "1999.00", t0()),
        paid_from_balance(O, vec![]),
    ];
    assert_eq!(
        check_command(&events).map_err(|v| v.code()).err(),
        Some("debit_not_cash_part")
    );
}
