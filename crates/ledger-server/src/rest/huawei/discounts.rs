//! `list_order_discounts` (`GET /v2/orders/customer-orders/order-discounts`).
//!
//! What the ledger can honestly say: the discounts *recorded on the order*
//! (its price-level discounts, whatever its status), one entry per discount
//! type code, already part of the order's amount due. The ledger has no
//! discount catalogue to offer others. Each entry:
//! - `discount_id`: `<order_id>.<type code>`, accepted by `pay_orders`;
//! - `discount_type`: the payment-side kind of the type code
//!   ([`DISCOUNT_KINDS`]);
//! - `discount_value`: the discounted amount (the ledger records amounts,
//!   not rates), and `discount_mode` 2 (fixed reduction);
//! - `discount_ratio`: 0, since a fixed reduction has no ratio (the ledger
//!   never divides money);
//! - one `orders` entry (this order) whose line-item entry merges the lines
//!   carrying this discount type and sums their amounts.

use std::collections::BTreeMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State as AxumState};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ledger_domain::catalog::DiscountType;
use ledger_domain::ids::OrderId;
use ledger_domain::money::Money;
use serde::Serialize;

use super::json::Amount;
use super::params::Params;
use super::{details_for, parse_order_id};
use crate::errors::ApiError;
use crate::rest::{AppState, Authenticated};

/// Huawei `discount_mode` 2: a fixed reduction (满减).
pub const DISCOUNT_MODE_REDUCTION: u8 = 2;

/// Payment-side discount kinds (`DiscountInfoV3.discount_type`: 0 promotion,
/// 1 contract, 2 commercial, 3 partner-granted, 609 order price adjustment)
/// of the recorded discount type codes, by code range.
pub const DISCOUNT_KINDS: [(u16, u16, u16); 7] = [
    (200, 200, 0),
    (300, 302, 0),
    (500, 502, 3),
    (600, 606, 1),
    (607, 607, 3),
    (609, 609, 609),
    (700, 700, 0),
];
/// The kind of every other code (610 discount amount, 800 top-up account).
pub const DISCOUNT_KIND_COMMERCIAL: u16 = 2;

pub fn huawei_kind(t: DiscountType) -> u16 {
    DISCOUNT_KINDS
        .iter()
        .find(|(from, to, _)| (*from..=*to).contains(&t.code()))
        .map_or(DISCOUNT_KIND_COMMERCIAL, |r| r.2)
}

/// The id under which a recorded discount is offered and accepted.
pub fn discount_id(order: &OrderId, t: DiscountType) -> String {
    format!("{order}.{}", t.code())
}

#[derive(Serialize)]
struct Discounts {
    discounts: Vec<DiscountInfoV3>,
}

#[derive(Serialize)]
struct DiscountInfoV3 {
    discount_id: String,
    discount_value: String,
    discount_type: u16,
    orders: Vec<OrderV3>,
}

#[derive(Serialize)]
struct OrderV3 {
    order_id: String,
    order_line_items: Vec<OrderLineItemV3>,
}

#[derive(Serialize)]
struct OrderLineItemV3 {
    order_line_item_ids: Vec<String>,
    discount_mode: u8,
    discount_amount: Amount,
    discount_ratio: Amount,
}

pub async fn list_order_discounts(
    AxumState(state): AxumState<AppState>,
    Authenticated(caller): Authenticated,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let params = Params::new(query)?;
    let order_id = params
        .text("order_id")?
        .ok_or_else(|| ApiError::bad_parameter("order_id is required"))?;
    let order_id = parse_order_id("order_id", order_id)?;
    let details = details_for(&state, &caller, &order_id).await?;

    // Type code → (line item ids, total amount), in code order.
    let mut by_type: BTreeMap<DiscountType, (Vec<String>, Money)> = BTreeMap::new();
    for line in &details.line_items {
        for d in &line.amount_info.discounts {
            let (lines, total) = by_type
                .entry(d.discount_type)
                .or_insert_with(|| (Vec::new(), Money::ZERO));
            lines.push(line.line_item_id.to_string());
            *total = total
                .checked_add(d.amount)
                .ok_or_else(|| ApiError::internal("discount total overflows"))?;
        }
    }
    let discounts = by_type
        .into_iter()
        .map(|(t, (lines, total))| DiscountInfoV3 {
            discount_id: discount_id(&order_id, t),
            discount_value: total.to_string(),
            discount_type: huawei_kind(t),
            orders: vec![OrderV3 {
                order_id: order_id.to_string(),
                order_line_items: vec![OrderLineItemV3 {
                    order_line_item_ids: lines,
                    discount_mode: DISCOUNT_MODE_REDUCTION,
                    discount_amount: Amount(total),
                    discount_ratio: Amount(Money::ZERO),
                }],
            }],
        })
        .collect();
    Ok(Json(Discounts { discounts }).into_response())
}
