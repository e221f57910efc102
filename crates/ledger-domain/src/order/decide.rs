//! The order rules. Each function is one command's decision.

use std::collections::HashSet;

use chrono::Duration;

use super::types::*;
use crate::context::Context;
use crate::customer::Customer;
use crate::error::{check_optional_text, check_text, DomainError};
use crate::ids::OrderId;
use crate::money::Money;
use crate::{catalog::ChargeType, catalog::OrderType, catalog::SourceType, Event};

/// Most line items one order may carry.
pub const MAX_LINE_ITEMS: usize = 100;
/// Most instance ids one order may name.
pub const MAX_INSTANCE_IDS: usize = 1000;
/// Most discounts one line item may carry.
pub const MAX_DISCOUNTS_PER_LINE: usize = 32;
/// Most vouchers one payment may redeem (Huawei: at most three coupons).
pub const MAX_VOUCHERS: usize = 3;
/// Default payment window: the order time plus seven days.
pub const DEFAULT_PAYMENT_WINDOW_DAYS: i64 = 7;

const MAX_NAME_CHARS: usize = 256;
const MAX_SPEC_CHARS: usize = 2048;
const MAX_REASON_CHARS: usize = 512;

fn placed<'a>(order: &'a Order, id: &OrderId) -> Result<&'a PlacedOrder, DomainError> {
    order
        .placed()
        .ok_or_else(|| DomainError::OrderNotFound(id.clone()))
}

fn not_permitted(ctx: &Context, action: &'static str) -> DomainError {
    DomainError::NotPermitted {
        actor: ctx.actor.to_string(),
        action,
    }
}

/// PlaceOrder: a new, well-formed order for a registered customer.
pub fn place(
    order: &Order,
    customer: &Customer,
    cmd: &PlaceOrder,
    ctx: &Context,
) -> Result<Vec<Event>, DomainError> {
    let spec = &cmd.spec;
    if !ctx.actor.may_act_for(&spec.customer_id) {
        return Err(not_permitted(ctx, "place orders for this customer"));
    }
    if let Order::Placed(existing) = order {
        // An idempotent repeat: same order, same explicit deadline if any.
        let same_deadline = cmd
            .payment_deadline
            .is_none_or(|d| d == existing.payment_deadline);
        return if existing.spec == *spec && same_deadline {
            Ok(vec![])
        } else {
            Err(DomainError::OrderAlreadyExists(spec.order_id.clone()))
        };
    }
    if customer.registered().is_none() {
        return Err(DomainError::CustomerNotFound(spec.customer_id.clone()));
    }
    check_spec(spec)?;
    let payment_deadline = cmd
        .payment_deadline
        .unwrap_or(ctx.time + Duration::days(DEFAULT_PAYMENT_WINDOW_DAYS));
    if payment_deadline <= ctx.time {
        return Err(DomainError::DeadlineNotAfterOrderTime);
    }
    Ok(vec![Event::OrderPlaced(OrderPlaced {
        spec: spec.clone(),
        placed_at: ctx.time,
        payment_deadline,
    })])
}

fn check_spec(spec: &OrderSpec) -> Result<(), DomainError> {
    check_text("product name", &spec.product_name, MAX_NAME_CHARS)?;
    if spec.base_order_id.is_some() && spec.order_type != OrderType::Renewal {
        return Err(DomainError::BaseOrderOnlyForRenewal);
    }
    // Huawei marks compensation by its source type 7, both ways.
    let required = spec.order_type.required_source();
    if required.is_some_and(|source| source != spec.source_type) {
        return Err(DomainError::SourceTypeMismatch {
            order_type: "compensation",
            expected: "compensation",
        });
    }
    if spec.source_type == SourceType::Compensation && required.is_none() {
        return Err(DomainError::SourceTypeMismatch {
            order_type: "non-compensation",
            expected: "other than compensation",
        });
    }
    if spec.line_items.is_empty() {
        return Err(DomainError::NoLineItems);
    }
    if spec.line_items.len() > MAX_LINE_ITEMS {
        return Err(DomainError::LimitExceeded {
            what: "line items",
            limit: MAX_LINE_ITEMS,
        });
    }
    if spec.instance_ids.len() > MAX_INSTANCE_IDS {
        return Err(DomainError::LimitExceeded {
            what: "instance ids",
            limit: MAX_INSTANCE_IDS,
        });
    }
    let mut seen = HashSet::new();
    let mut due = Money::ZERO;
    for line in &spec.line_items {
        if !seen.insert(&line.id) {
            return Err(DomainError::DuplicateLineItem(line.id.clone()));
        }
        let line_due = check_line(spec.charge_type, line)?;
        due = due
            .checked_add(line_due)
            .ok_or(DomainError::AmountOverflow)?;
    }
    if due != spec.amount_due {
        return Err(DomainError::AmountDueMismatch {
            expected: due,
            given: spec.amount_due,
        });
    }
    Ok(())
}

/// Checks one line item and returns its amount due.
fn check_line(charge: ChargeType, line: &LineItem) -> Result<Money, DomainError> {
    let invalid = |reason| DomainError::InvalidLineItem {
        line: line.id.clone(),
        reason,
    };
    check_optional_text("configuration", &line.spec, MAX_SPEC_CHARS)?;
    check_optional_text("category code", &line.category_code, MAX_NAME_CHARS)?;
    if line.count == 0 {
        return Err(invalid("count must be at least 1"));
    }
    if line.period.number == 0 {
        return Err(invalid("period number must be at least 1"));
    }
    if let (Some(from), Some(to)) = (line.valid_from, line.expires_at) {
        if from >= to {
            return Err(invalid("valid time must be before expire time"));
        }
    }
    if !charge.admits(line.unit_price.per) {
        let (charge, expected) = match charge {
            ChargeType::PayAsYouGo => ("pay-as-you-go", "minute or a quantity"),
            ChargeType::Subscription => ("subscription", "month or year"),
        };
        return Err(DomainError::UnitPriceUnitMismatch {
            line: line.id.clone(),
            charge,
            expected,
        });
    }
    if line.pricing.discounts.len() > MAX_DISCOUNTS_PER_LINE {
        return Err(DomainError::LimitExceeded {
            what: "discounts on a line item",
            limit: MAX_DISCOUNTS_PER_LINE,
        });
    }
    line.pricing
        .amount_due()
        .ok_or_else(|| DomainError::DeductionsExceedPrice {
            line: line.id.clone(),
        })
}

/// PayOrder: only while unpaid and before the deadline; the amount must equal
/// the amount due.
pub fn pay(order: &Order, cmd: &PayOrder, ctx: &Context) -> Result<Vec<Event>, DomainError> {
    let o = placed(order, &cmd.order_id)?;
    if !ctx.actor.may_act_for(&o.spec.customer_id) {
        return Err(not_permitted(ctx, "pay this order"));
    }
    match &o.status {
        OrderStatus::Unpaid => {}
        // Only the very same payment is a repeat; another payment of a paid order is refused.
        OrderStatus::Paid { payment, .. } if *payment == cmd.payment => return Ok(vec![]),
        other => {
            return Err(DomainError::OrderNotUnpaid {
                order_id: cmd.order_id.clone(),
                status: other.name(),
            })
        }
    }
    if ctx.time >= o.payment_deadline {
        return Err(DomainError::PaymentDeadlinePassed(cmd.order_id.clone()));
    }
    if cmd.payment.amount != o.spec.amount_due {
        return Err(DomainError::PaymentAmountMismatch {
            due: o.spec.amount_due,
            paid: cmd.payment.amount,
        });
    }
    if cmd.payment.vouchers.len() > MAX_VOUCHERS {
        return Err(DomainError::LimitExceeded {
            what: "vouchers",
            limit: MAX_VOUCHERS,
        });
    }
    if cmd.payment.cash_amount().is_none() {
        return Err(DomainError::VouchersExceedPayment);
    }
    Ok(vec![Event::OrderPaid(OrderPaid {
        order_id: cmd.order_id.clone(),
        payment: cmd.payment.clone(),
        paid_at: ctx.time,
    })])
}

/// CancelOrder: only while unpaid and before the payment deadline.
pub fn cancel(order: &Order, cmd: &CancelOrder, ctx: &Context) -> Result<Vec<Event>, DomainError> {
    let o = placed(order, &cmd.order_id)?;
    if !ctx.actor.may_act_for(&o.spec.customer_id) {
        return Err(not_permitted(ctx, "cancel this order"));
    }
    if o.is_unpaid() && ctx.time >= o.payment_deadline {
        // Past the deadline the order is the timer's to expire.
        return Err(DomainError::PaymentDeadlinePassed(cmd.order_id.clone()));
    }
    match &o.status {
        OrderStatus::Unpaid => Ok(vec![Event::OrderCancelled(OrderCancelled {
            order_id: cmd.order_id.clone(),
            cancelled_at: ctx.time,
        })]),
        OrderStatus::Cancelled {
            reason: CancelReason::Requested,
            ..
        } => Ok(vec![]),
        other => Err(DomainError::CancelNotAllowed {
            order_id: cmd.order_id.clone(),
            status: other.name(),
        }),
    }
}

/// VoidOrder: a service or an operator (e.g. provisioning failed), unpaid or
/// paid (who may send it is [`crate::roles`]' business).
pub fn void(order: &Order, cmd: &VoidOrder, ctx: &Context) -> Result<Vec<Event>, DomainError> {
    let o = placed(order, &cmd.order_id)?;
    check_text("void reason", &cmd.reason, MAX_REASON_CHARS)?;
    match &o.status {
        OrderStatus::Unpaid | OrderStatus::Paid { .. } => {
            Ok(vec![Event::OrderVoided(OrderVoided {
                order_id: cmd.order_id.clone(),
                reason: cmd.reason.clone(),
                voided_at: ctx.time,
            })])
        }
        OrderStatus::Voided { .. } => Ok(vec![]),
        other => Err(DomainError::OrderNotVoidable {
            order_id: cmd.order_id.clone(),
            status: other.name(),
        }),
    }
}

/// ExpireOrder: the system (see [`crate::roles`]), at or after the deadline,
/// of a still-unpaid order.
pub fn expire(order: &Order, cmd: &ExpireOrder, ctx: &Context) -> Result<Vec<Event>, DomainError> {
    let o = placed(order, &cmd.order_id)?;
    match &o.status {
        OrderStatus::Unpaid if ctx.time >= o.payment_deadline => {
            Ok(vec![Event::OrderExpired(OrderExpired {
                order_id: cmd.order_id.clone(),
                expired_at: ctx.time,
            })])
        }
        OrderStatus::Unpaid => Err(DomainError::PaymentDeadlineNotReached(cmd.order_id.clone())),
        OrderStatus::Cancelled {
            reason: CancelReason::Expired,
            ..
        } => Ok(vec![]),
        other => Err(DomainError::OrderNotUnpaid {
            order_id: cmd.order_id.clone(),
            status: other.name(),
        }),
    }
}
