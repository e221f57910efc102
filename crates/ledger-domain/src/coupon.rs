//! Coupons: issued by a service or an operator to one customer, redeemed
//! when an order is paid.
//!
//! Huawei's four kinds ([`VoucherKind`], codes 300–303) and how they are
//! used here:
//!
//! | kind | code | uses | what is left after a use |
//! |---|---|---|---|
//! | discount coupon | 300 | once (coupon version 1) | nothing |
//! | cash coupon (代金券) | 301 | once (coupon version 1) | nothing: an unused rest is forfeit |
//! | flexi-purchase coupon (现金券) | 302 | until spent (coupon version 2) | the rest, as its balance |
//! | stored-value card | 303 | until spent (coupon version 2) | the rest, as its balance |
//!
//! Rules of a redemption ([`available`]), each with its own code:
//! the coupon exists and belongs to the order's customer (else
//! `coupon_not_found`, so one customer cannot probe another's coupons), its
//! kind is the one named, its currency is the order's, the payment time is
//! within its validity, it is not used up (`coupon_already_used`,
//! CBC.99003112), and the order's amount reaches its minimum. A payment
//! redeems at most [`crate::order::MAX_VOUCHERS`] coupons, each once, and at
//! most one single-use coupon (300 or 301): Huawei does not stack them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::catalog::VoucherKind;
use crate::context::Context;
use crate::customer::Customer;
use crate::error::DomainError;
use crate::ids::{CustomerId, OrderId, VoucherId};
use crate::money::{Currency, Money};
use crate::Event;

// ---- Commands ---------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueCoupon {
    pub coupon_id: VoucherId,
    pub customer_id: CustomerId,
    pub kind: VoucherKind,
    pub face_value: Money,
    pub currency: Currency,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    /// The least order amount the coupon applies to (a "threshold" use limit).
    pub min_order_amount: Option<Money>,
}

// ---- Events -----------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponIssued {
    pub coupon: IssueCoupon,
    pub issued_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponRedeemed {
    pub coupon_id: VoucherId,
    pub order_id: OrderId,
    pub amount: Money,
    /// What the coupon still holds: zero for single-use kinds.
    pub balance_after: Money,
    pub redeemed_at: DateTime<Utc>,
}

// ---- State ------------------------------------------------------------------

/// Whether a coupon of this kind is used once (Huawei coupon version 1) or
/// until its balance is spent (version 2).
pub fn is_single_use(kind: VoucherKind) -> bool {
    matches!(kind, VoucherKind::DiscountCoupon | VoucherKind::Coupon)
}

/// Whether a coupon with this balance and number of uses is spent.
pub fn is_used_up(spec: &IssueCoupon, balance: Money, redemptions: u32) -> bool {
    balance.is_zero() || (is_single_use(spec.kind) && redemptions > 0)
}

/// A coupon's status at `now` (used up wins over expired): the one rule the
/// decider and the views share.
pub fn status(
    spec: &IssueCoupon,
    balance: Money,
    redemptions: u32,
    now: DateTime<Utc>,
) -> CouponStatus {
    if is_used_up(spec, balance, redemptions) {
        CouponStatus::Used
    } else if now >= spec.valid_until {
        CouponStatus::Expired
    } else if now < spec.valid_from {
        CouponStatus::Inactive
    } else {
        CouponStatus::Usable
    }
}

/// A coupon's state. `Absent` is the initial state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Coupon {
    #[default]
    Absent,
    Issued(IssuedCoupon),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedCoupon {
    spec: IssueCoupon,
    issued_at: DateTime<Utc>,
    balance: Money,
    redemptions: u32,
    last_order_id: Option<OrderId>,
    last_redeemed_at: Option<DateTime<Utc>>,
}

/// Huawei's customer-coupon status codes (list_sub_customer_coupons).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CouponStatus {
    /// 1: not active yet.
    Inactive,
    /// 2: ready to use.
    Usable,
    /// 3: used up.
    Used,
    /// 4: past its validity.
    Expired,
}

impl CouponStatus {
    pub fn huawei_code(self) -> u8 {
        match self {
            CouponStatus::Inactive => 1,
            CouponStatus::Usable => 2,
            CouponStatus::Used => 3,
            CouponStatus::Expired => 4,
        }
    }
}

impl IssuedCoupon {
    pub fn spec(&self) -> &IssueCoupon {
        &self.spec
    }
    pub fn issued_at(&self) -> DateTime<Utc> {
        self.issued_at
    }
    /// What is left to redeem.
    pub fn balance(&self) -> Money {
        self.balance
    }
    pub fn redemptions(&self) -> u32 {
        self.redemptions
    }
    /// The order that redeemed it last.
    pub fn last_order_id(&self) -> Option<&OrderId> {
        self.last_order_id.as_ref()
    }
    pub fn last_redeemed_at(&self) -> Option<DateTime<Utc>> {
        self.last_redeemed_at
    }
    pub fn is_used_up(&self) -> bool {
        is_used_up(&self.spec, self.balance, self.redemptions)
    }
    /// The status at `now` (used up wins over expired).
    pub fn status(&self, now: DateTime<Utc>) -> CouponStatus {
        status(&self.spec, self.balance, self.redemptions, now)
    }
}

impl Coupon {
    pub fn issued(&self) -> Option<&IssuedCoupon> {
        match self {
            Coupon::Absent => None,
            Coupon::Issued(c) => Some(c),
        }
    }

    pub fn evolve(self, event: &Event) -> Coupon {
        match (self, event) {
            (Coupon::Absent, Event::CouponIssued(e)) => Coupon::Issued(IssuedCoupon {
                spec: e.coupon.clone(),
                issued_at: e.issued_at,
                balance: e.coupon.face_value,
                redemptions: 0,
                last_order_id: None,
                last_redeemed_at: None,
            }),
            (Coupon::Issued(mut c), Event::CouponRedeemed(e)) => {
                c.balance = e.balance_after;
                c.redemptions = c.redemptions.saturating_add(1);
                c.last_order_id = Some(e.order_id.clone());
                c.last_redeemed_at = Some(e.redeemed_at);
                Coupon::Issued(c)
            }
            (c, _) => c,
        }
    }
}

// ---- Decisions --------------------------------------------------------------

/// IssueCoupon: a positive face value, a real validity window, to a
/// registered customer; the same coupon again is a no-op.
pub fn issue(
    coupon: &Coupon,
    customer: &Customer,
    cmd: &IssueCoupon,
    ctx: &Context,
) -> Result<Vec<Event>, DomainError> {
    if let Some(c) = coupon.issued() {
        return if c.spec == *cmd {
            Ok(vec![])
        } else {
            Err(DomainError::CouponAlreadyExists(cmd.coupon_id.clone()))
        };
    }
    if customer.registered().is_none() {
        return Err(DomainError::CustomerNotFound(cmd.customer_id.clone()));
    }
    if cmd.face_value.is_zero() {
        return Err(DomainError::InvalidAmount {
            reason: "a coupon's face value must be positive",
        });
    }
    if cmd.valid_from >= cmd.valid_until {
        return Err(DomainError::InvalidCouponValidity);
    }
    if cmd.valid_until <= ctx.time {
        return Err(DomainError::InvalidCouponValidity);
    }
    Ok(vec![Event::CouponIssued(CouponIssued {
        coupon: cmd.clone(),
        issued_at: ctx.time,
    })])
}

/// The amount a coupon can still cover for an order of `customer` in
/// `currency` whose amount is `order_amount`, paid at `now`; or why not.
pub fn available(
    id: &VoucherId,
    coupon: &Coupon,
    kind: VoucherKind,
    customer: &CustomerId,
    currency: Currency,
    order_amount: Money,
    now: DateTime<Utc>,
) -> Result<Money, DomainError> {
    let c = coupon
        .issued()
        .filter(|c| c.spec.customer_id == *customer)
        .ok_or_else(|| DomainError::CouponNotFound(id.clone()))?;
    if c.spec.kind != kind {
        return Err(DomainError::CouponKindMismatch(id.clone()));
    }
    if c.spec.currency != currency {
        return Err(DomainError::CouponCurrencyMismatch(id.clone()));
    }
    if c.is_used_up() {
        return Err(DomainError::CouponAlreadyUsed(id.clone()));
    }
    if now < c.spec.valid_from || now >= c.spec.valid_until {
        return Err(DomainError::CouponNotValidNow(id.clone()));
    }
    if c.spec.min_order_amount.is_some_and(|m| order_amount < m) {
        return Err(DomainError::CouponThresholdNotMet(id.clone()));
    }
    Ok(c.balance)
}

/// The redemption event of `amount` of a coupon (checked by [`available`]).
pub(crate) fn redeemed(
    id: &VoucherId,
    coupon: &Coupon,
    order_id: &OrderId,
    amount: Money,
    ctx: &Context,
) -> Event {
    let c = coupon.issued().expect("checked by available");
    let balance_after = if is_single_use(c.spec.kind) {
        Money::ZERO
    } else {
        c.balance
            .checked_sub(amount)
            .expect("checked by available: a redemption never exceeds the balance")
    };
    Event::CouponRedeemed(CouponRedeemed {
        coupon_id: id.clone(),
        order_id: order_id.clone(),
        amount,
        balance_after,
        redeemed_at: ctx.time,
    })
}
