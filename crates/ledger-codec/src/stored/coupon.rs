//! The coupon aggregate's events as stored.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use ledger_domain::coupon as domain;

use super::catalog::VoucherKind;
use super::{currency, parse, parse_opt};
use crate::CodecError;

/// A coupon as issued (the domain's `IssueCoupon` command, recorded whole).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponSpec {
    pub coupon_id: String,
    pub customer_id: String,
    pub kind: VoucherKind,
    pub face_value: String,
    pub currency: String,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub min_order_amount: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponIssuedV1 {
    pub coupon: CouponSpec,
    pub issued_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponRedeemedV1 {
    pub coupon_id: String,
    pub order_id: String,
    pub amount: String,
    pub balance_after: String,
    pub redeemed_at: DateTime<Utc>,
}

impl From<&domain::IssueCoupon> for CouponSpec {
    fn from(c: &domain::IssueCoupon) -> Self {
        let domain::IssueCoupon {
            coupon_id,
            customer_id,
            kind,
            face_value,
            currency,
            valid_from,
            valid_until,
            min_order_amount,
        } = c;
        CouponSpec {
            coupon_id: coupon_id.to_string(),
            customer_id: customer_id.to_string(),
            kind: kind.into(),
            face_value: face_value.to_string(),
            currency: currency.to_string(),
            valid_from: *valid_from,
            valid_until: *valid_until,
            min_order_amount: min_order_amount.as_ref().map(ToString::to_string),
        }
    }
}

impl From<&domain::CouponIssued> for CouponIssuedV1 {
    fn from(e: &domain::CouponIssued) -> Self {
        let domain::CouponIssued { coupon, issued_at } = e;
        CouponIssuedV1 {
            coupon: coupon.into(),
            issued_at: *issued_at,
        }
    }
}

impl From<&domain::CouponRedeemed> for CouponRedeemedV1 {
    fn from(e: &domain::CouponRedeemed) -> Self {
        let domain::CouponRedeemed {
            coupon_id,
            order_id,
            amount,
            balance_after,
            redeemed_at,
        } = e;
        CouponRedeemedV1 {
            coupon_id: coupon_id.to_string(),
            order_id: order_id.to_string(),
            amount: amount.to_string(),
            balance_after: balance_after.to_string(),
            redeemed_at: *redeemed_at,
        }
    }
}

impl TryFrom<CouponSpec> for domain::IssueCoupon {
    type Error = CodecError;
    fn try_from(c: CouponSpec) -> Result<Self, CodecError> {
        Ok(domain::IssueCoupon {
            coupon_id: parse(&c.coupon_id)?,
            customer_id: parse(&c.customer_id)?,
            kind: c.kind.into(),
            face_value: parse(&c.face_value)?,
            currency: currency(&c.currency)?,
            valid_from: c.valid_from,
            valid_until: c.valid_until,
            min_order_amount: parse_opt(&c.min_order_amount)?,
        })
    }
}

impl TryFrom<CouponIssuedV1> for domain::CouponIssued {
    type Error = CodecError;
    fn try_from(e: CouponIssuedV1) -> Result<Self, CodecError> {
        Ok(domain::CouponIssued {
            coupon: e.coupon.try_into()?,
            issued_at: e.issued_at,
        })
    }
}

impl TryFrom<CouponRedeemedV1> for domain::CouponRedeemed {
    type Error = CodecError;
    fn try_from(e: CouponRedeemedV1) -> Result<Self, CodecError> {
        Ok(domain::CouponRedeemed {
            coupon_id: parse(&e.coupon_id)?,
            order_id: parse(&e.order_id)?,
            amount: parse(&e.amount)?,
            balance_after: parse(&e.balance_after)?,
            redeemed_at: e.redeemed_at,
        })
    }
}
