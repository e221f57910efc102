//! The old "Querying Order Details" API,
//! `GET /v1.0/{domain_id}/common/order-mgr/orders/{order_id}`, exactly as
//! the seed documents it: camelCase, `"error_code": "CBC.0000"` and
//! `"error_msg": "success"` on success, `count` (all line items) and one
//! page of `orderlineItems`.
//!
//! Paging, from the seed's table (where it is ambiguous, as decided here):
//! - `offset` is a page number, 1 or more; absent → 1; above 1,000,000 → 1;
//!   `orderInfo` is given on page 1 only (`null` on later pages);
//!   "left empty or set to null" (`offset=` or `offset=null`) → page 1 with
//!   `orderInfo` `null`; 0 or negative → 400 CBC.0101; not an integer →
//!   400 CBC.0100.
//! - `limit` 1–100; absent, "left empty" (`limit=`) or `null` → 10; out of
//!   range → 400 CBC.0101; not an integer → 400 CBC.0100.
//! - The seed says of both "it cannot be set to \"\"" next to "left empty …
//!   the value 10 is used". Read together: a parameter *left empty* is the
//!   key with no value (`limit=`), which follows the "left empty" sentence;
//!   *set to ""* is the two quote characters as the value (`limit=%22%22`),
//!   which is refused with 400 CBC.0100.
//!
//! `domain_id` must be the caller's own domain (403 CBC.0151 otherwise) and
//! the order must be that domain's (403 CBC.0151); an unknown order is 404
//! CBC.0101.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State as AxumState};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ledger_domain::ids::CustomerId;
use ledger_projections::orders::{AmountInfo, LineItemDetails, OrderDetails};
use serde::Serialize;

use super::json::{time, Amount, Time, MEASURE_ID_MAIN_UNIT};
use super::params::{integer, page_size, Params};
use super::{details_for, parse_order_id};
use crate::errors::ApiError;
use crate::rest::{AppState, Authenticated};

/// Page size when none is given.
pub const DEFAULT_LIMIT: u32 = 10;
/// Largest page size.
pub const MAX_LIMIT: u32 = 100;
/// A page number above this reads as page 1.
pub const MAX_PAGE_NUMBER: i64 = 1_000_000;
/// The success code and message of every answer.
pub const SUCCESS_CODE: &str = "CBC.0000";
pub const SUCCESS_MSG: &str = "success";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DiscountItem {
    discount_type: String,
    discount_amount: Amount,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AmountInfoV1 {
    discount_list: Vec<DiscountItem>,
    cashcoupon_amount: Amount,
    coupon_amount: Amount,
    card_amount: Amount,
    commission_amount: Option<Amount>,
    consumed_amount: Option<Amount>,
}

impl AmountInfoV1 {
    fn of(a: &AmountInfo) -> AmountInfoV1 {
        AmountInfoV1 {
            discount_list: a
                .discounts
                .iter()
                .map(|d| DiscountItem {
                    discount_type: d.code.to_string(),
                    discount_amount: Amount(d.amount),
                })
                .collect(),
            cashcoupon_amount: Amount(a.cash_coupon_amount),
            coupon_amount: Amount(a.coupon_amount),
            card_amount: Amount(a.card_amount),
            commission_amount: a.commission_amount.map(Amount),
            consumed_amount: a.consumed_amount.map(Amount),
        }
    }
}

/// `CustomerOrderEntity`, in the seed's example order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CustomerOrderEntity {
    order_id: String,
    base_order_id: Option<String>,
    /// The ledger has no business entities.
    be_id: Option<String>,
    customer_id: String,
    source_type: u8,
    status: u8,
    order_type: u8,
    /// The order amount (list price), as the old API names it.
    currency: Amount,
    currency_after_discount: Amount,
    measure_id: u8,
    measure_name: Option<String>,
    create_time: Time,
    payment_time: Option<Time>,
    last_update_time: Time,
    need_audit: bool,
    contract_id: Option<String>,
    currency_type: String,
    currency_official: Amount,
    amount_info: AmountInfoV1,
    service_type: String,
}

impl CustomerOrderEntity {
    fn of(d: &OrderDetails) -> CustomerOrderEntity {
        CustomerOrderEntity {
            order_id: d.order_id.to_string(),
            base_order_id: d.base_order_id.as_ref().map(ToString::to_string),
            be_id: None,
            customer_id: d.customer_id.to_string(),
            source_type: d.source_type_code,
            status: d.status_code,
            order_type: d.order_type_code,
            currency: Amount(d.currency_official),
            currency_after_discount: Amount(d.currency_after_discount),
            measure_id: MEASURE_ID_MAIN_UNIT,
            measure_name: None,
            create_time: Time(d.placed_at),
            payment_time: time(d.payment_time),
            last_update_time: Time(d.updated_at),
            need_audit: false,
            contract_id: d.sales_contract_id.as_ref().map(ToString::to_string),
            currency_type: d.currency.to_string(),
            currency_official: Amount(d.currency_official),
            amount_info: AmountInfoV1::of(&d.amount_info),
            service_type: d.service_type_code.to_string(),
        }
    }
}

/// `OrderLineItemEntity`, in the seed's example order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OrderLineItemEntity {
    order_line_item_id: String,
    cloud_service_type: String,
    product_id: String,
    product_spec_desc: String,
    category_code: String,
    period_type: u8,
    period_num: u32,
    valid_time: Option<Time>,
    expire_time: Option<Time>,
    subscription_num: u32,
    currency: Amount,
    currency_after_discount: Amount,
    currency_official: Amount,
    amount_info: AmountInfoV1,
    currency_type: String,
}

impl OrderLineItemEntity {
    fn of(d: &OrderDetails, l: &LineItemDetails) -> OrderLineItemEntity {
        OrderLineItemEntity {
            order_line_item_id: l.line_item_id.to_string(),
            cloud_service_type: l.service_type_code.to_string(),
            product_id: l.product_id.to_string(),
            product_spec_desc: l.configuration.clone(),
            category_code: l.category_code.clone(),
            period_type: l.period_type_code,
            period_num: l.duration.number,
            valid_time: time(l.valid_from),
            expire_time: time(l.expires_at),
            subscription_num: l.count,
            currency: Amount(l.currency_official),
            currency_after_discount: Amount(l.currency_after_discount),
            currency_official: Amount(l.currency_official),
            amount_info: AmountInfoV1::of(&l.amount_info),
            currency_type: d.currency.to_string(),
        }
    }
}

#[derive(Serialize)]
struct Answer {
    error_code: &'static str,
    error_msg: &'static str,
    #[serde(rename = "orderInfo")]
    order_info: Option<CustomerOrderEntity>,
    count: usize,
    #[serde(rename = "orderlineItems")]
    orderline_items: Vec<OrderLineItemEntity>,
}

/// The literal the seed calls "set to null".
const NULL: &str = "null";
/// The literal the seed says a parameter "cannot be set to".
const QUOTES: &str = "\"\"";

/// The page number, and whether `orderInfo` is wanted.
fn page_number(raw: Option<&str>) -> Result<(u64, bool), ApiError> {
    match raw {
        None => Ok((1, true)),
        Some(NULL | "") => Ok((1, false)),
        Some(QUOTES) => Err(ApiError::bad_parameter("offset cannot be set to \"\"")),
        Some(v) => match integer("offset", v)? {
            n if n < 1 => Err(ApiError::invalid_parameter(format!(
                "offset is a page number, 1 or more, got {n}"
            ))),
            n if n > MAX_PAGE_NUMBER => Ok((1, true)),
            n => Ok((n as u64, n == 1)),
        },
    }
}

fn limit(raw: Option<&str>) -> Result<u32, ApiError> {
    match raw {
        None | Some(NULL | "") => Ok(DEFAULT_LIMIT),
        Some(QUOTES) => Err(ApiError::bad_parameter("limit cannot be set to \"\"")),
        Some(v) => page_size(Some(integer("limit", v)?), DEFAULT_LIMIT, MAX_LIMIT),
    }
}

pub async fn show_order(
    AxumState(state): AxumState<AppState>,
    Authenticated(caller): Authenticated,
    path: Result<Path<(String, String)>, PathRejection>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Path((domain_id, order_id)) =
        path.map_err(|e| ApiError::bad_parameter(format!("path: {e}")))?;
    let domain: CustomerId = domain_id
        .parse()
        .map_err(|e| ApiError::bad_parameter(format!("domain_id: {e}")))?;
    let order_id = parse_order_id("order_id", &order_id)?;
    let params = Params::new(query)?;
    let (page, with_order) = page_number(params.raw("offset")?)?;
    let limit = limit(params.raw("limit")?)?;
    caller.check_access(&domain)?;

    let d = details_for(&state, &caller, &order_id).await?;
    if d.customer_id != domain {
        return Err(ApiError::access_denied(format!(
            "order {order_id} is not of domain {domain}"
        )));
    }
    let skip = (page - 1).saturating_mul(u64::from(limit));
    let orderline_items = d
        .line_items
        .iter()
        .skip(usize::try_from(skip).unwrap_or(usize::MAX))
        .take(limit as usize)
        .map(|l| OrderLineItemEntity::of(&d, l))
        .collect();
    Ok(Json(Answer {
        error_code: SUCCESS_CODE,
        error_msg: SUCCESS_MSG,
        order_info: with_order.then(|| CustomerOrderEntity::of(&d)),
        count: d.line_items.len(),
        orderline_items,
    })
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Seed: "If this parameter is left empty or is set to null, the value
    /// of orderInfo in the response is null."
    #[test]
    fn offsets_follow_the_seed() {
        assert_eq!(page_number(None).unwrap(), (1, true));
        assert_eq!(page_number(Some("1")).unwrap(), (1, true));
        assert_eq!(page_number(Some("2")).unwrap(), (2, false));
        assert_eq!(page_number(Some("1000000")).unwrap(), (1_000_000, false));
        assert_eq!(page_number(Some("1000001")).unwrap(), (1, true));
        assert_eq!(page_number(Some("null")).unwrap(), (1, false));
        assert_eq!(page_number(Some("")).unwrap(), (1, false));
        assert_eq!(page_number(Some("\"\"")).unwrap_err().code, "bad_parameter");
        assert_eq!(page_number(Some("x")).unwrap_err().code, "bad_parameter");
        assert_eq!(
            page_number(Some("0")).unwrap_err().code,
            "invalid_parameter"
        );
    }

    /// Seed: "If this parameter is not included in the request parameters,
    /// is left empty, or is set to null, the value 10 is used."
    #[test]
    fn limits_follow_the_seed() {
        assert_eq!(limit(None).unwrap(), 10);
        assert_eq!(limit(Some("null")).unwrap(), 10);
        assert_eq!(limit(Some("100")).unwrap(), 100);
        assert_eq!(limit(Some("")).unwrap(), 10);
        assert_eq!(limit(Some("\"\"")).unwrap_err().code, "bad_parameter");
        assert_eq!(limit(Some("1.5")).unwrap_err().code, "bad_parameter");
        assert_eq!(limit(Some("101")).unwrap_err().code, "invalid_parameter");
    }
}
