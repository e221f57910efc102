//! Paying an order: through the payment channel ([`PayOrder`], a service
//! names an external payment and the coupons it redeemed) or from the
//! customer's own balance ([`PayOrderFromBalance`]). Either way every coupon
//! named must exist, belong to the customer and hold what it is said to
//! cover, and its redemption is recorded in the same atomic append as the
//! order's payment.
//!
//! A payment from the balance: the coupons (in the order given) cover what
//! they can of the amount due, the balance pays the rest; the events are
//! the coupons' redemptions, the account's debit (when the rest is not
//! zero) and the order's payment, whose payment id is the order id. A
//! repeat of a payment from the balance that already happened records
//! nothing (no double debit, whatever its command id).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::account::Account;
use crate::catalog::VoucherKind;
use crate::context::Context;
use crate::coupon::{self, is_single_use};
use crate::error::DomainError;
use crate::ids::{OrderId, PaymentId, VoucherId};
use crate::money::Money;
use crate::order::{self, OrderPaid, OrderStatus, PayOrder, Payment, VoucherRedemption};
use crate::order::{PlacedOrder, MAX_VOUCHERS};
use crate::state::State;
use crate::Event;

/// One coupon a customer asks to use (Huawei `coupon_infos`: id and type).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponUse {
    pub kind: VoucherKind,
    pub coupon_id: VoucherId,
}

/// Pays an unpaid order with the customer's coupons and balance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayOrderFromBalance {
    pub order_id: OrderId,
    pub coupons: Vec<CouponUse>,
}

/// The payment id of a payment from the balance: the order id itself.
pub fn balance_payment_id(order_id: &OrderId) -> PaymentId {
    PaymentId::new(order_id.as_str()).expect("an order id is a valid payment id")
}

fn check_coupon_set<'a>(
    coupons: impl ExactSizeIterator<Item = (&'a VoucherId, VoucherKind)>,
) -> Result<(), DomainError> {
    if coupons.len() > MAX_VOUCHERS {
        return Err(DomainError::LimitExceeded {
            what: "vouchers",
            limit: MAX_VOUCHERS,
        });
    }
    let mut seen = HashSet::new();
    let mut single_use = 0;
    for (id, kind) in coupons {
        if !seen.insert(id) {
            return Err(DomainError::DuplicateCoupon(id.clone()));
        }
        if is_single_use(kind) {
            single_use += 1;
        }
    }
    if single_use > 1 {
        return Err(DomainError::CouponsNotCombinable);
    }
    Ok(())
}

/// PayOrder: the order rules ([`order::pay`]) and then each voucher named
/// must be a real coupon of the customer holding at least its amount.
pub fn pay(state: &State, cmd: &PayOrder, ctx: &Context) -> Result<Vec<Event>, DomainError> {
    let order_state = state.order(&cmd.order_id);
    let mut events = order::pay(order_state, cmd, ctx)?;
    if events.is_empty() {
        return Ok(events);
    }
    let o = order_state.placed().expect("paid by order::pay");
    let vouchers = &cmd.payment.vouchers;
    check_coupon_set(vouchers.iter().map(|v| (&v.voucher_id, v.kind)))?;
    let mut redemptions = Vec::with_capacity(vouchers.len());
    for v in vouchers {
        if v.amount.is_zero() {
            return Err(DomainError::InvalidAmount {
                reason: "a voucher must cover a positive amount",
            });
        }
        let coupon = state.coupon(&v.voucher_id);
        let left = coupon::available(
            &v.voucher_id,
            coupon,
            v.kind,
            &o.spec().customer_id,
            o.spec().currency,
            o.spec().amount_due,
            ctx.time,
        )?;
        if v.amount > left {
            return Err(DomainError::VoucherExceedsCoupon(v.voucher_id.clone()));
        }
        redemptions.push(coupon::redeemed(
            &v.voucher_id,
            coupon,
            &cmd.order_id,
            v.amount,
            ctx,
        ));
    }
    redemptions.append(&mut events);
    Ok(redemptions)
}

fn same_coupons(payment: &Payment, coupons: &[CouponUse]) -> bool {
    payment.vouchers.len() == coupons.len()
        && payment
            .vouchers
            .iter()
            .zip(coupons)
            .all(|(v, c)| v.voucher_id == c.coupon_id && v.kind == c.kind)
}

/// PayOrderFromBalance: see the module documentation.
pub fn pay_from_balance(
    state: &State,
    cmd: &PayOrderFromBalance,
    ctx: &Context,
) -> Result<Vec<Event>, DomainError> {
    let o: &PlacedOrder = state
        .order(&cmd.order_id)
        .placed()
        .ok_or_else(|| DomainError::OrderNotFound(cmd.order_id.clone()))?;
    let customer = &o.spec().customer_id;
    if !ctx.actor.may_act_for(customer) {
        return Err(DomainError::NotPermitted {
            actor: ctx.actor.to_string(),
            action: "pay this order",
        });
    }
    let payment_id = balance_payment_id(&cmd.order_id);
    match o.status() {
        OrderStatus::Unpaid => {}
        OrderStatus::Paid { payment, .. }
            if payment.payment_id == payment_id && same_coupons(payment, &cmd.coupons) =>
        {
            return Ok(vec![]);
        }
        other => {
            return Err(DomainError::OrderNotUnpaid {
                order_id: cmd.order_id.clone(),
                status: other.name(),
            })
        }
    }
    if ctx.time >= o.payment_deadline() {
        return Err(DomainError::PaymentDeadlinePassed(cmd.order_id.clone()));
    }
    check_coupon_set(cmd.coupons.iter().map(|c| (&c.coupon_id, c.kind)))?;
    let due = o.spec().amount_due;
    let currency = o.spec().currency;
    let mut rest = due;
    let mut events = Vec::with_capacity(cmd.coupons.len() + 2);
    let mut vouchers = Vec::with_capacity(cmd.coupons.len());
    for c in &cmd.coupons {
        let coupon = state.coupon(&c.coupon_id);
        let left = coupon::available(
            &c.coupon_id,
            coupon,
            c.kind,
            customer,
            currency,
            due,
            ctx.time,
        )?;
        let amount = left.min(rest);
        if amount.is_zero() {
            return Err(DomainError::CouponNotNeeded(c.coupon_id.clone()));
        }
        rest = rest.checked_sub(amount).expect("amount is at most rest");
        events.push(coupon::redeemed(
            &c.coupon_id,
            coupon,
            &cmd.order_id,
            amount,
            ctx,
        ));
        vouchers.push(VoucherRedemption {
            kind: c.kind,
            voucher_id: c.coupon_id.clone(),
            amount,
        });
    }
    if !rest.is_zero() {
        let account: &Account = state.account(customer);
        events.push(account.debit(customer, &cmd.order_id, rest, currency, ctx)?);
    }
    events.push(Event::OrderPaid(OrderPaid {
        order_id: cmd.order_id.clone(),
        payment: Payment {
            payment_id,
            amount: due,
            vouchers,
        },
        paid_at: ctx.time,
    }));
    // An invariant of the write path: a broken one is a crash.
    assert_eq!(
        Money::sum(events.iter().filter_map(|e| match e {
            Event::CouponRedeemed(r) => Some(&r.amount),
            Event::AccountDebited(d) => Some(&d.amount),
            _ => None,
        })),
        Some(due),
        "coupons and balance cover exactly the amount due"
    );
    Ok(events)
}
