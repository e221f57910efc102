//! The `coupons` read model: every coupon a customer holds, for Huawei's
//! `list_sub_customer_coupons` and the console's account page.
//!
//! | table | key                      | value         |
//! |-------|--------------------------|---------------|
//! | 1     | customer id, coupon id   | [`CouponRow`] |
//!
//! A page is a range scan over the customer's prefix; the filters (coupon
//! id, order id, type, status) are checked per row, and a scan reads at
//! most [`MAX_COUPON_SCAN`] rows: a customer holds few coupons, and the
//! limit makes a pathological one cost a bounded read, not the whole table.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use ledger_codec::payload::decode_value;
use ledger_codec::RecordedEvent;
use ledger_domain::catalog::VoucherKind;
use ledger_domain::coupon::{self, CouponStatus, IssueCoupon};
use ledger_domain::ids::{CustomerId, OrderId, VoucherId};
use ledger_domain::money::Money;
use ledger_domain::Event;

use crate::orders::QueryError;
use crate::{KeyBuilder, Projection, ProjectionError, Tx};

/// The projection's name.
pub const COUPONS: &str = "coupons";
/// Largest page of coupons.
pub const MAX_COUPON_PAGE_SIZE: u32 = 100;
/// Most coupon rows one query reads.
pub const MAX_COUPON_SCAN: usize = 10_000;

const ROW: u8 = 1;

/// One coupon as the views show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponRow {
    pub spec: IssueCoupon,
    pub issued_at: DateTime<Utc>,
    pub balance: Money,
    pub redemptions: u32,
    pub last_order_id: Option<OrderId>,
    pub last_redeemed_at: Option<DateTime<Utc>>,
}

impl CouponRow {
    pub fn is_used_up(&self) -> bool {
        coupon::is_used_up(&self.spec, self.balance, self.redemptions)
    }

    /// The status at `now`, by the domain's rule.
    pub fn status(&self, now: DateTime<Utc>) -> CouponStatus {
        coupon::status(&self.spec, self.balance, self.redemptions, now)
    }
}

fn customer_prefix(customer: &CustomerId) -> KeyBuilder {
    KeyBuilder::new(ROW).text(customer.as_str())
}

fn row_key(customer: &CustomerId, id: &VoucherId) -> Vec<u8> {
    customer_prefix(customer).text(id.as_str()).build()
}

/// The `coupons` projection. Coupon redemptions name only the coupon, so an
/// id → customer entry (table 2) finds the row.
#[derive(Clone, Copy, Debug, Default)]
pub struct CouponsProjection;

const OWNER: u8 = 2;

fn owner_key(id: &VoucherId) -> Vec<u8> {
    KeyBuilder::new(OWNER).text(id.as_str()).build()
}

impl Projection for CouponsProjection {
    fn name(&self) -> &'static str {
        COUPONS
    }

    fn version(&self) -> u32 {
        1
    }

    fn apply(
        &self,
        tx: &mut Tx<'_>,
        _record: &RecordedEvent,
        event: &Event,
    ) -> Result<(), ProjectionError> {
        match event {
            Event::CouponIssued(e) => {
                let c = &e.coupon;
                tx.put(owner_key(&c.coupon_id), &c.customer_id)?;
                tx.put(
                    row_key(&c.customer_id, &c.coupon_id),
                    &CouponRow {
                        spec: c.clone(),
                        issued_at: e.issued_at,
                        balance: c.face_value,
                        redemptions: 0,
                        last_order_id: None,
                        last_redeemed_at: None,
                    },
                )
            }
            Event::CouponRedeemed(e) => {
                let customer: CustomerId = tx.get(&owner_key(&e.coupon_id))?.ok_or_else(|| {
                    ProjectionError::Corrupt(format!(
                        "coupon {} redeemed before issued",
                        e.coupon_id
                    ))
                })?;
                let key = row_key(&customer, &e.coupon_id);
                let mut row: CouponRow = tx.get(&key)?.ok_or_else(|| {
                    ProjectionError::Corrupt(format!("coupon {} has no row", e.coupon_id))
                })?;
                row.balance = e.balance_after;
                row.redemptions = row.redemptions.saturating_add(1);
                row.last_order_id = Some(e.order_id.clone());
                row.last_redeemed_at = Some(e.redeemed_at);
                tx.put(key, &row)
            }
            _ => Ok(()),
        }
    }
}

/// Filters of the coupon list (Huawei `ListSubCustomerCouponsRequest`).
#[derive(Clone, Debug, Default)]
pub struct CouponQuery {
    pub coupon_id: Option<VoucherId>,
    /// The order that redeemed it last.
    pub order_id: Option<OrderId>,
    pub kinds: Option<Vec<VoucherKind>>,
    pub status: Option<CouponStatus>,
    /// Only coupons whose validity overlaps `[from, to)`.
    pub active_from: Option<DateTime<Utc>>,
    pub active_to: Option<DateTime<Utc>>,
    pub offset: u32,
    pub limit: u32,
}

/// A page of a customer's coupons and the exact count of matches (within
/// [`MAX_COUPON_SCAN`] rows).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CouponPage {
    pub count: u64,
    pub coupons: Vec<CouponRow>,
}

/// The customer's coupons matching `q`, in coupon id order, at `now`.
pub fn list_coupons(
    tree: &sled::Tree,
    customer: &CustomerId,
    q: &CouponQuery,
    now: DateTime<Utc>,
) -> Result<CouponPage, QueryError> {
    if q.limit == 0 || q.limit > MAX_COUPON_PAGE_SIZE {
        return Err(QueryError::LimitOutOfRange {
            given: q.limit,
            max: MAX_COUPON_PAGE_SIZE,
        });
    }
    let mut count = 0u64;
    let mut coupons = Vec::new();
    let rows: Box<dyn Iterator<Item = sled::Result<(sled::IVec, sled::IVec)>>> = match &q.coupon_id
    {
        Some(id) => Box::new(
            tree.get(row_key(customer, id))?
                .map(|v| Ok((sled::IVec::from(row_key(customer, id)), v)))
                .into_iter(),
        ),
        None => Box::new(tree.scan_prefix(customer_prefix(customer).build())),
    };
    for item in rows.take(MAX_COUPON_SCAN) {
        let (_, v) = item?;
        let row: CouponRow = decode_value(&v).map_err(ProjectionError::from)?;
        let keep = q
            .order_id
            .as_ref()
            .is_none_or(|o| row.last_order_id.as_ref() == Some(o))
            && q.kinds.as_ref().is_none_or(|k| k.contains(&row.spec.kind))
            && q.status.is_none_or(|s| row.status(now) == s)
            && q.active_from.is_none_or(|f| row.spec.valid_until > f)
            && q.active_to.is_none_or(|t| row.spec.valid_from < t);
        if !keep {
            continue;
        }
        if count >= u64::from(q.offset) && coupons.len() < q.limit as usize {
            coupons.push(row);
        }
        count += 1;
    }
    Ok(CouponPage { count, coupons })
}
