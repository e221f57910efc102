//! One test per order rule (PlaceOrder, PayOrder, CancelOrder, VoidOrder,
//! ExpireOrder), plus status names and codes.

mod kit;

use chrono::{DateTime, Utc};
use kit::*;
use ledger_domain::catalog::{ChargeType, OrderType, PriceUnit, VoucherKind};
use ledger_domain::ids::InstanceId;
use ledger_domain::order::{
    OrderSpec, OrderStatus, VoucherRedemption, MAX_INSTANCE_IDS, MAX_LINE_ITEMS,
};
use ledger_domain::{Event, State};

fn with_alice(mut events: Vec<Event>) -> Vec<Event> {
    let mut all = ready_customer(&alice());
    all.append(&mut events);
    all
}

fn spec() -> OrderSpec {
    subscription_order(&oid("CS1906201609KLZ2"), &alice())
}

/// Places `spec` for alice at t0 and expects the given error.
#[track_caller]
fn place_refused(spec: OrderSpec, code: &str) {
    given(&ready_customer(&alice()))
        .when(place(spec))
        .by(service())
        .at(t0())
        .then_error(code);
}

fn order_status(state: &State, order: &str) -> OrderStatus {
    state
        .order(&oid(order))
        .placed()
        .expect("placed")
        .status()
        .clone()
}

// ---- PlaceOrder -------------------------------------------------------------

#[test]
fn place_order_records_it_with_default_deadline_seven_days_after_order_time() {
    let state = given(&ready_customer(&alice()))
        .when(place(spec()))
        .by(service())
        .at(t0())
        .then(&[order_placed_with_deadline(spec(), t0(), t0() + days(7))]);
    let o = state.order(&spec().order_id).placed().unwrap().clone();
    assert_eq!(o.status(), &OrderStatus::Unpaid);
    assert_eq!(o.placed_at(), t0());
    assert_eq!(o.updated_at(), t0());
    assert_eq!(o.contract(), None);
}

#[test]
fn place_order_keeps_an_explicit_payment_deadline() {
    let deadline = t0() + hours(2);
    given(&ready_customer(&alice()))
        .when(place_with_deadline(spec(), deadline))
        .by(service())
        .at(t0())
        .then(&[order_placed_with_deadline(spec(), t0(), deadline)]);
}

#[test]
fn place_order_accepts_a_pay_as_you_go_order_quoted_per_minute() {
    let spec = pay_as_you_go_order(&oid("PAYG1"), &alice());
    given(&ready_customer(&alice()))
        .when(place(spec.clone()))
        .by(service())
        .at(t0())
        .then(&[order_placed(spec, t0())]);
}

#[test]
fn place_order_refuses_a_deadline_at_the_order_time() {
    given(&ready_customer(&alice()))
        .when(place_with_deadline(spec(), t0()))
        .at(t0())
        .then_error("deadline_not_after_order_time");
}

#[test]
fn place_order_refuses_a_deadline_before_the_order_time() {
    given(&ready_customer(&alice()))
        .when(place_with_deadline(spec(), t0() - secs(1)))
        .at(t0())
        .then_error("deadline_not_after_order_time");
}

#[test]
fn place_order_refuses_an_unregistered_customer() {
    given(&[])
        .when(place(spec()))
        .by(service())
        .then_error("customer_not_found");
}

#[test]
fn place_order_refuses_a_customer_even_for_itself() {
    given(&ready_customer(&alice()))
        .when(place(spec()))
        .by(as_customer(&alice()))
        .then_error("actor_not_permitted");
}

#[test]
fn place_order_refuses_the_system_actor() {
    given(&ready_customer(&alice()))
        .when(place(spec()))
        .by(system())
        .then_error("actor_not_permitted");
}

#[test]
fn place_order_refuses_an_order_without_line_items() {
    let mut s = spec();
    s.line_items.clear();
    s.amount_due = money("0");
    place_refused(s, "no_line_items");
}

/// `count` line items of 1.00 each, distinct ids.
fn spec_with_lines(count: usize) -> OrderSpec {
    let mut s = spec();
    let template = s.line_items[1].clone();
    s.line_items = (0..count)
        .map(|i| {
            let mut l = template.clone();
            l.id = line_id(&format!("L{i}"));
            l.pricing.list_price = money("1.00");
            l.pricing.discounts.clear();
            l
        })
        .collect();
    s.amount_due = money(&format!("{count}.00"));
    s
}

#[test]
fn place_order_accepts_exactly_the_maximum_of_line_items() {
    let s = spec_with_lines(MAX_LINE_ITEMS);
    given(&ready_customer(&alice()))
        .when(place(s.clone()))
        .then(&[order_placed(s, t0())]);
}

#[test]
fn place_order_refuses_too_many_line_items() {
    place_refused(spec_with_lines(MAX_LINE_ITEMS + 1), "limit_exceeded");
}

#[test]
fn place_order_refuses_too_many_instance_ids() {
    let mut s = spec();
    s.instance_ids = (0..=MAX_INSTANCE_IDS)
        .map(|i| InstanceId::new(format!("i-{i}")).unwrap())
        .collect();
    place_refused(s, "limit_exceeded");
}

#[test]
fn place_order_refuses_a_duplicate_line_item() {
    let mut s = spec();
    s.line_items[1].id = s.line_items[0].id.clone();
    place_refused(s, "duplicate_line_item");
}

#[test]
fn place_order_refuses_a_line_item_with_count_zero() {
    let mut s = spec();
    s.line_items[0].count = 0;
    place_refused(s, "invalid_line_item");
}

#[test]
fn place_order_refuses_a_line_item_with_period_zero() {
    let mut s = spec();
    s.line_items[0].period.number = 0;
    place_refused(s, "invalid_line_item");
}

#[test]
fn place_order_refuses_a_valid_time_equal_to_the_expire_time() {
    let mut s = spec();
    s.line_items[0].valid_from = s.line_items[0].expires_at;
    place_refused(s, "invalid_line_item");
}

#[test]
fn place_order_refuses_a_valid_time_after_the_expire_time() {
    let mut s = spec();
    s.line_items[0].valid_from = Some(s.line_items[0].expires_at.unwrap() + secs(1));
    place_refused(s, "invalid_line_item");
}

#[test]
fn place_order_refuses_a_per_minute_price_on_a_subscription() {
    let mut s = spec();
    assert_eq!(s.charge_type, ChargeType::Subscription);
    s.line_items[0].unit_price.per = PriceUnit::Minute;
    place_refused(s, "unit_price_unit_mismatch");
}

#[test]
fn place_order_refuses_a_monthly_or_yearly_price_on_pay_as_you_go() {
    for per in [PriceUnit::Month, PriceUnit::Year] {
        let mut s = pay_as_you_go_order(&oid("PAYG1"), &alice());
        s.line_items[0].unit_price.per = per;
        place_refused(s, "unit_price_unit_mismatch");
    }
}

#[test]
fn place_order_refuses_discounts_exceeding_the_list_price() {
    let mut s = spec();
    // 1200.00 list, 1150.01 + 50.00 discounts.
    s.line_items[0].pricing.discounts[0].amount = money("1150.01");
    place_refused(s, "deductions_exceed_price");
}

#[test]
fn place_order_refuses_vouchers_exceeding_the_discounted_price() {
    let mut s = spec();
    // 270.00 after discount, 270.01 coupon.
    s.line_items[1].pricing.coupon_amount = money("270.01");
    place_refused(s, "deductions_exceed_price");
}

#[test]
fn place_order_accepts_deductions_equal_to_the_list_price() {
    let mut s = spec();
    s.line_items[1].pricing.cash_coupon_amount = money("270.00");
    s.amount_due = money("1020.00");
    given(&ready_customer(&alice()))
        .when(place(s.clone()))
        .then(&[order_placed(s, t0())]);
}

#[test]
fn place_order_refuses_too_many_discounts_on_a_line_item() {
    let mut s = spec();
    let d = s.line_items[0].pricing.discounts[0].clone();
    s.line_items[0].pricing.discounts = vec![d; 33];
    place_refused(s, "limit_exceeded");
}

#[test]
fn place_order_refuses_an_amount_due_that_does_not_add_up() {
    let mut s = spec();
    s.amount_due = money("1290.01");
    let e = given(&ready_customer(&alice()))
        .when(place(s))
        .then_error("amount_due_mismatch");
    assert_eq!(
        e.to_string(),
        "amount due 1290.01 does not equal list price less discounts and vouchers (1290.00)"
    );
}

#[test]
fn place_order_refuses_a_base_order_on_anything_but_a_renewal() {
    let mut s = spec();
    s.base_order_id = Some(oid("CS-BASE"));
    for t in [
        OrderType::Purchase,
        OrderType::Upgrade,
        OrderType::Compensation,
    ] {
        s.order_type = t;
        place_refused(s.clone(), "base_order_only_for_renewal");
    }
}

#[test]
fn place_order_accepts_a_renewal_with_its_base_order() {
    let mut s = spec();
    s.base_order_id = Some(oid("CS-BASE"));
    s.order_type = OrderType::Renewal;
    given(&ready_customer(&alice()))
        .when(place(s.clone()))
        .then(&[order_placed(s, t0())]);
}

#[test]
fn place_order_refuses_a_blank_product_name() {
    let mut s = spec();
    s.product_name = "   ".into();
    place_refused(s, "invalid_text");
}

#[test]
fn place_order_refuses_control_characters_in_a_line_configuration() {
    let mut s = spec();
    s.line_items[0].spec = "2vCPUs\n4GiB".into();
    place_refused(s, "invalid_text");
}

#[test]
fn place_order_identical_repeat_records_nothing() {
    let history = with_alice(vec![order_placed(spec(), t0())]);
    given(&history)
        .when(place(spec()))
        .by(service())
        .at(t0() + hours(1))
        .then_no_events();
    // Naming the deadline it got is the same order too.
    given(&history)
        .when(place_with_deadline(spec(), t0() + days(7)))
        .at(t0() + hours(1))
        .then_no_events();
}

#[test]
fn place_order_same_id_with_different_details_is_order_already_exists() {
    let history = with_alice(vec![order_placed(spec(), t0())]);
    let mut other = spec();
    other.product_name = "Elastic Volume Service".into();
    given(&history)
        .when(place(other))
        .then_error("order_already_exists");
    given(&history)
        .when(place_with_deadline(spec(), t0() + days(3)))
        .then_error("order_already_exists");
}

// ---- PayOrder ---------------------------------------------------------------

const O: &str = "CS1906201609KLZ2";

/// Alice's unpaid order, and the 20.00 cash coupon CP-1 the kit's payment
/// redeems.
fn unpaid() -> Vec<Event> {
    with_alice(vec![
        placed_subscription(O, &alice()),
        coupon_issued(
            coupon_spec("CP-1", &alice(), VoucherKind::Coupon, "20.00"),
            t0(),
        ),
    ])
}

fn cp1_redeemed(at: DateTime<Utc>) -> Event {
    coupon_redeemed("CP-1", O, "20.00", "0", at)
}

#[test]
fn pay_order_records_the_payment() {
    let p = payment("PAY-1", SUBSCRIPTION_DUE);
    let state = given(&unpaid())
        .when(pay(O, p.clone()))
        .by(service())
        .at(t0() + days(1))
        .then(&[
            cp1_redeemed(t0() + days(1)),
            order_paid(O, p.clone(), t0() + days(1)),
        ]);
    assert_eq!(
        order_status(&state, O),
        OrderStatus::Paid {
            payment: p.clone(),
            paid_at: t0() + days(1)
        }
    );
    assert_eq!(p.cash_amount(), Some(money("1270.00")));
}

#[test]
fn pay_order_refuses_an_unknown_order() {
    given(&ready_customer(&alice()))
        .when(pay_in_full("NOPE", "PAY-1"))
        .then_error("order_not_found");
}

#[test]
fn pay_order_accepts_payment_one_second_before_the_deadline() {
    given(&unpaid())
        .when(pay_in_full(O, "PAY-1"))
        .at(t0() + days(7) - secs(1))
        .then(&[
            cp1_redeemed(t0() + days(7) - secs(1)),
            order_paid(
                O,
                payment("PAY-1", SUBSCRIPTION_DUE),
                t0() + days(7) - secs(1),
            ),
        ]);
}

#[test]
fn pay_order_refuses_payment_exactly_at_the_deadline() {
    given(&unpaid())
        .when(pay_in_full(O, "PAY-1"))
        .at(t0() + days(7))
        .then_error("payment_deadline_passed");
}

#[test]
fn pay_order_refuses_payment_after_the_deadline() {
    given(&unpaid())
        .when(pay_in_full(O, "PAY-1"))
        .at(t0() + days(8))
        .then_error("payment_deadline_passed");
}

#[test]
fn pay_order_refuses_an_amount_other_than_the_amount_due() {
    for amount in ["1289.99", "1290.01", "0"] {
        given(&unpaid())
            .when(pay(O, payment("PAY-1", amount)))
            .then_error("payment_amount_mismatch");
    }
}

#[test]
fn pay_order_refuses_vouchers_exceeding_the_payment() {
    let mut p = payment("PAY-1", SUBSCRIPTION_DUE);
    p.vouchers = vec![voucher("CP-1", "1000.00"), voucher("CP-2", "290.01")];
    given(&unpaid())
        .when(pay(O, p))
        .then_error("vouchers_exceed_payment");
}

#[test]
fn pay_order_accepts_three_vouchers_covering_the_whole_amount() {
    let mut p = payment("PAY-1", SUBSCRIPTION_DUE);
    let kinds = [
        VoucherKind::Coupon,
        VoucherKind::CashCoupon,
        VoucherKind::Card,
    ];
    let amounts = ["1000.00", "200.00", "90.00"];
    p.vouchers = (0..3)
        .map(|i| VoucherRedemption {
            kind: kinds[i],
            voucher_id: coupon_id(&format!("CP-{}", i + 1)),
            amount: money(amounts[i]),
        })
        .collect();
    assert_eq!(p.cash_amount(), Some(money("0")));
    let mut history = unpaid();
    history.pop();
    history.push(coupon_issued(
        coupon_spec("CP-1", &alice(), kinds[0], "1000.00"),
        t0(),
    ));
    history.push(coupon_issued(
        coupon_spec("CP-2", &alice(), kinds[1], "250.00"),
        t0(),
    ));
    history.push(coupon_issued(
        coupon_spec("CP-3", &alice(), kinds[2], "90.00"),
        t0(),
    ));
    given(&history).when(pay(O, p.clone())).then(&[
        coupon_redeemed("CP-1", O, "1000.00", "0", t0()),
        // A flexi-purchase coupon keeps its rest; a card spent to zero.
        coupon_redeemed("CP-2", O, "200.00", "50.00", t0()),
        coupon_redeemed("CP-3", O, "90.00", "0", t0()),
        order_paid(O, p, t0()),
    ]);
}

#[test]
fn pay_order_refuses_more_than_three_vouchers() {
    let mut p = payment("PAY-1", SUBSCRIPTION_DUE);
    p.vouchers = (1..=4)
        .map(|i| voucher(&format!("CP-{i}"), "1.00"))
        .collect();
    given(&unpaid())
        .when(pay(O, p))
        .then_error("limit_exceeded");
}

#[test]
fn pay_order_repeat_with_the_same_payment_id_records_nothing() {
    let mut history = unpaid();
    history.push(order_paid(O, payment("PAY-1", SUBSCRIPTION_DUE), t0()));
    // Even after the deadline: the payment already happened.
    given(&history)
        .when(pay_in_full(O, "PAY-1"))
        .at(t0() + days(30))
        .then_no_events();
}

#[test]
fn pay_order_repeat_of_a_payment_id_with_other_vouchers_is_order_not_unpaid() {
    let mut history = unpaid();
    history.push(order_paid(O, payment("PAY-1", SUBSCRIPTION_DUE), t0()));
    let mut other = payment("PAY-1", SUBSCRIPTION_DUE);
    other.vouchers = vec![voucher("CP-1", "1.00")];
    given(&history)
        .when(pay(O, other))
        .then_error("order_not_unpaid");
}

#[test]
fn pay_order_with_another_payment_id_after_payment_is_order_not_unpaid() {
    let mut history = unpaid();
    history.push(order_paid(O, payment("PAY-1", SUBSCRIPTION_DUE), t0()));
    given(&history)
        .when(pay_in_full(O, "PAY-2"))
        .then_error("order_not_unpaid");
}

#[test]
fn pay_order_refuses_a_cancelled_order() {
    let mut history = unpaid();
    history.push(order_cancelled(O, t0()));
    let e = given(&history)
        .when(pay_in_full(O, "PAY-1"))
        .then_error("order_not_unpaid");
    assert_eq!(e.to_string(), format!("order {O} is cancelled, not unpaid"));
}

#[test]
fn pay_order_refuses_an_expired_order() {
    let mut history = unpaid();
    history.push(order_expired(O, t0() + days(7)));
    given(&history)
        .when(pay_in_full(O, "PAY-1"))
        .at(t0() + days(7))
        .then_error("order_not_unpaid");
}

#[test]
fn pay_order_refuses_a_voided_order() {
    let mut history = unpaid();
    history.push(order_voided(O, t0()));
    given(&history)
        .when(pay_in_full(O, "PAY-1"))
        .then_error("order_not_unpaid");
}

#[test]
fn pay_order_through_the_channel_refuses_customers_and_operators() {
    for actor in [
        as_customer(&alice()),
        as_customer(&bob()),
        operator(),
        system(),
    ] {
        given(&unpaid())
            .when(pay_in_full(O, "PAY-1"))
            .by(actor)
            .then_error("actor_not_permitted");
    }
}

// ---- CancelOrder ------------------------------------------------------------

#[test]
fn cancel_order_cancels_an_unpaid_order() {
    let state = given(&unpaid())
        .when(cancel(O))
        .by(as_customer(&alice()))
        .at(t0() + hours(3))
        .then(&[order_cancelled(O, t0() + hours(3))]);
    assert_eq!(order_status(&state, O).name(), "cancelled");
}

#[test]
fn cancel_order_refuses_an_unpaid_order_at_its_deadline() {
    given(&unpaid())
        .when(cancel(O))
        .by(as_customer(&alice()))
        .at(t0() + days(7))
        .then_error("payment_deadline_passed");
}

#[test]
fn cancel_order_repeat_records_nothing() {
    let mut history = unpaid();
    history.push(order_cancelled(O, t0()));
    given(&history)
        .when(cancel(O))
        .by(as_customer(&alice()))
        .then_no_events();
}

#[test]
fn cancel_order_refuses_a_paid_order() {
    let mut history = unpaid();
    history.push(paid_in_full(O, t0()));
    given(&history)
        .when(cancel(O))
        .then_error("cancel_not_allowed");
}

#[test]
fn cancel_order_refuses_an_expired_order() {
    let mut history = unpaid();
    history.push(order_expired(O, t0() + days(7)));
    given(&history)
        .when(cancel(O))
        .at(t0() + days(8))
        .then_error("cancel_not_allowed");
}

#[test]
fn cancel_order_refuses_a_voided_order() {
    let mut history = unpaid();
    history.push(order_voided(O, t0()));
    given(&history)
        .when(cancel(O))
        .then_error("cancel_not_allowed");
}

#[test]
fn cancel_order_refuses_an_unknown_order() {
    given(&[]).when(cancel(O)).then_error("order_not_found");
}

#[test]
fn cancel_order_refuses_another_customers_actor() {
    given(&unpaid())
        .when(cancel(O))
        .by(as_customer(&bob()))
        .then_error("not_permitted");
}

// ---- VoidOrder --------------------------------------------------------------

#[test]
fn void_order_is_for_services_and_operators_only() {
    for actor in [as_customer(&alice()), system()] {
        given(&unpaid())
            .when(void_order(O))
            .by(actor)
            .then_error("actor_not_permitted");
    }
}

#[test]
fn void_order_voids_an_unpaid_order() {
    let state = given(&unpaid())
        .when(void_order(O))
        .by(operator())
        .at(t0() + hours(1))
        .then(&[order_voided(O, t0() + hours(1))]);
    assert_eq!(
        order_status(&state, O),
        OrderStatus::Voided {
            reason: VOID_REASON.into(),
            voided_at: t0() + hours(1),
            payment: None
        }
    );
}

#[test]
fn void_order_voids_a_paid_order_keeping_its_payment() {
    let mut history = unpaid();
    history.push(paid_in_full(O, t0()));
    let state = given(&history)
        .when(void_order(O))
        .by(operator())
        .at(t0() + days(20))
        .then(&[order_voided(O, t0() + days(20))]);
    assert_eq!(
        order_status(&state, O),
        OrderStatus::Voided {
            reason: VOID_REASON.into(),
            voided_at: t0() + days(20),
            payment: Some(payment(&format!("P-{O}"), SUBSCRIPTION_DUE)),
        }
    );
}

#[test]
fn void_order_repeat_records_nothing() {
    let mut history = unpaid();
    history.push(order_voided(O, t0()));
    given(&history)
        .when(void_order(O))
        .by(operator())
        .then_no_events();
}

#[test]
fn void_order_refuses_a_cancelled_order() {
    for ended in [order_cancelled(O, t0()), order_expired(O, t0() + days(7))] {
        let mut history = unpaid();
        history.push(ended);
        given(&history)
            .when(void_order(O))
            .by(operator())
            .at(t0() + days(8))
            .then_error("order_not_voidable");
    }
}

#[test]
fn void_order_refuses_a_blank_reason() {
    let cmd = ledger_domain::Command::VoidOrder(ledger_domain::order::VoidOrder {
        order_id: oid(O),
        reason: " ".into(),
    });
    given(&unpaid())
        .when(cmd)
        .by(operator())
        .then_error("invalid_text");
}

#[test]
fn void_order_refuses_an_unknown_order() {
    given(&[])
        .when(void_order(O))
        .by(operator())
        .then_error("order_not_found");
}

// ---- ExpireOrder ------------------------------------------------------------

#[test]
fn expire_order_is_for_the_system_only() {
    for actor in [as_customer(&alice()), operator(), service()] {
        given(&unpaid())
            .when(expire(O))
            .by(actor)
            .at(t0() + days(7))
            .then_error("actor_not_permitted");
    }
}

#[test]
fn expire_order_refuses_before_the_deadline() {
    given(&unpaid())
        .when(expire(O))
        .by(system())
        .at(t0() + days(7) - secs(1))
        .then_error("payment_deadline_not_reached");
}

#[test]
fn expire_order_at_the_deadline_cancels_the_order() {
    let state = given(&unpaid())
        .when(expire(O))
        .by(system())
        .at(t0() + days(7))
        .then(&[order_expired(O, t0() + days(7))]);
    assert_eq!(order_status(&state, O).name(), "cancelled");
    assert_eq!(order_status(&state, O).huawei_code(), 4);
}

#[test]
fn expire_order_after_the_deadline_cancels_the_order() {
    given(&unpaid())
        .when(expire(O))
        .by(system())
        .at(t0() + days(9))
        .then(&[order_expired(O, t0() + days(9))]);
}

#[test]
fn expire_order_repeat_records_nothing() {
    let mut history = unpaid();
    history.push(order_expired(O, t0() + days(7)));
    given(&history)
        .when(expire(O))
        .by(system())
        .at(t0() + days(8))
        .then_no_events();
}

#[test]
fn expire_order_refuses_a_paid_order() {
    let mut history = unpaid();
    history.push(paid_in_full(O, t0()));
    given(&history)
        .when(expire(O))
        .by(system())
        .at(t0() + days(7))
        .then_error("order_not_unpaid");
}

#[test]
fn expire_order_refuses_an_order_cancelled_on_request() {
    let mut history = unpaid();
    history.push(order_cancelled(O, t0()));
    given(&history)
        .when(expire(O))
        .by(system())
        .at(t0() + days(7))
        .then_error("order_not_unpaid");
}

// ---- Status names and codes -------------------------------------------------

#[test]
fn order_statuses_have_baidu_names_and_huawei_codes() {
    let p = payment("PAY-1", SUBSCRIPTION_DUE);
    let cases = [
        (OrderStatus::Unpaid, "unpaid", 6),
        (
            OrderStatus::Paid {
                payment: p.clone(),
                paid_at: t0(),
            },
            "paid",
            5,
        ),
        (
            OrderStatus::Cancelled {
                reason: ledger_domain::order::CancelReason::Requested,
                cancelled_at: t0(),
            },
            "cancelled",
            4,
        ),
        (
            OrderStatus::Cancelled {
                reason: ledger_domain::order::CancelReason::Expired,
                cancelled_at: t0(),
            },
            "cancelled",
            4,
        ),
        (
            OrderStatus::Voided {
                reason: VOID_REASON.into(),
                voided_at: t0(),
                payment: Some(p),
            },
            "voided",
            4,
        ),
    ];
    for (status, name, code) in cases {
        assert_eq!(status.name(), name);
        assert_eq!(status.huawei_code(), code, "{name}");
    }
}

#[test]
fn order_types_have_baidu_names_and_huawei_codes() {
    let cases = [
        (OrderType::Purchase, "Purchase", 1),
        (OrderType::Renewal, "Renewal", 2),
        (OrderType::Upgrade, "Upgrade", 3),
        (OrderType::Downgrade, "Downgrade", 3),
        (OrderType::ConfigurationChange, "Configuration change", 3),
        (OrderType::Compensation, "Compensation duration", 1),
    ];
    for (t, name, code) in cases {
        assert_eq!(t.baidu_name(), name);
        assert_eq!(t.huawei_code(), code);
    }
}

#[test]
fn order_pricing_sums_line_items_and_merges_discounts_by_type() {
    let p = spec().pricing();
    assert_eq!(p.list_price, money("1500.00"));
    let codes: Vec<_> = p
        .discounts
        .iter()
        .map(|d| (d.discount_type.code(), d.amount))
        .collect();
    assert_eq!(
        codes,
        vec![
            (200, money("100.00")),
            (609, money("50.00")),
            (700, money("30.00"))
        ]
    );
    assert_eq!(p.amount_due(), Some(money(SUBSCRIPTION_DUE)));
    assert_eq!(
        spec().service_period(),
        (Some(t0() + days(1)), Some(t0() + days(366)))
    );
}
