//! `list_customer_orders` (`GET /v2/orders/customer-orders`).
//!
//! Parameters and how this ledger reads them:
//! - `customer_id`: a customer key may give only its own (else 403
//!   CBC.0151) or none; operator and service keys must give one.
//! - `create_time_begin`/`_end`, `payment_time_begin`/`_end`:
//!   `yyyy-MM-ddTHH:mm:ssZ`; an end includes its whole second; one bound
//!   alone leaves the other open. **Without a create-time window every
//!   order is listed** (Huawei's behaviour; the Baidu list's 7-day default
//!   does not apply here).
//! - `status`: 4 (cancelled: cancelled, expired and voided orders), 5
//!   (completed), 6 (pending payment); the other Huawei codes name states
//!   this ledger has no order in, so they list nothing.
//! - `order_type`: 1 purchase, 2 renewal and compensation, 3 upgrade,
//!   downgrade and configuration change; other codes list nothing.
//! - `order_id`, `service_type_code`: exact matches.
//! - `order_by`: `-createTime` (default, newest first) or `createTime`.
//! - `limit` 1–100 (default 10), `offset` 0 or more (default 0).
//! - `method`: `oneself` (default); `sub_customer` lists nothing (the
//!   ledger has no enterprise sub-accounts). `indirect_partner_id` is
//!   ignored (no partners).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State as AxumState};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Duration, TimeZone, Utc};
use ledger_domain::catalog::OrderType;
use ledger_domain::ids::{CustomerId, OrderId};
use ledger_projections::orders::{
    list_orders, order_details, OrderListQuery, OrderStatusKind, PreciseSearch, SortOrder,
    TimeRange, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE,
};
use ledger_projections::ORDERS;
use serde::Serialize;

use super::json::CustomerOrderV2;
use super::params::{page_size, row_offset, Params};
use crate::auth::Caller;
use crate::errors::ApiError;
use crate::rest::{AppState, Authenticated};

/// With `status=4` and voided orders present, the cancelled and the voided
/// lists are merged: each is read up to `offset + limit` rows, at most this.
pub const MAX_MERGED_ROWS: u64 = 10_000;

/// The earliest and latest times an open-ended window reaches.
fn earliest() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0)
        .single()
        .expect("year 1 exists")
}

fn latest() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59)
        .single()
        .expect("year 9999 exists")
}

/// A window of whole seconds: the end includes its second.
fn window(
    what: &str,
    begin: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
) -> Result<Option<TimeRange>, ApiError> {
    if begin.is_none() && end.is_none() {
        return Ok(None);
    }
    let begin = begin.unwrap_or_else(earliest);
    let end = end.unwrap_or_else(latest);
    if begin > end {
        return Err(ApiError::invalid_parameter(format!(
            "{what}: begin {begin} is after end {end}"
        )));
    }
    Ok(Some(TimeRange::new(
        begin,
        end + Duration::nanoseconds(999_999_999),
    )))
}

/// Whose orders: the caller's own, or the named customer's if allowed.
pub(super) fn customer_of(
    caller: &Caller,
    asked: Option<CustomerId>,
) -> Result<CustomerId, ApiError> {
    match (caller.customer(), asked) {
        (Some(me), None) => Ok(me.clone()),
        (_, Some(c)) => {
            caller.check_access(&c)?;
            Ok(c)
        }
        (None, None) => Err(ApiError::bad_parameter(
            "customer_id is required with an operator or service key",
        )),
    }
}

/// What the `status` filter asks for.
enum StatusFilter {
    Any,
    One(OrderStatusKind),
    CancelledOrVoided,
    Nothing,
}

fn status_filter(code: Option<i64>) -> StatusFilter {
    match code {
        None => StatusFilter::Any,
        Some(4) => StatusFilter::CancelledOrVoided,
        Some(5) => StatusFilter::One(OrderStatusKind::Paid),
        Some(6) => StatusFilter::One(OrderStatusKind::Unpaid),
        Some(_) => StatusFilter::Nothing,
    }
}

#[derive(Serialize)]
struct Orders {
    total_count: u64,
    order_infos: Vec<CustomerOrderV2>,
}

pub async fn list_customer_orders(
    AxumState(state): AxumState<AppState>,
    Authenticated(caller): Authenticated,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let p = Params::new(query)?;
    let customer = customer_of(&caller, p.parsed("customer_id")?)?;
    let limit = page_size(p.int("limit")?, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)?;
    let offset = row_offset(p.int("offset")?)?;
    let now = state.clock.now();
    let mut q = OrderListQuery::new(customer.clone(), now);
    let created = window(
        "create time",
        p.time("create_time_begin")?,
        p.time("create_time_end")?,
    )?;
    q.order_time = Some(created.unwrap_or_else(|| TimeRange::new(earliest(), latest())));
    q.payment_time = window(
        "payment time",
        p.time("payment_time_begin")?,
        p.time("payment_time_end")?,
    )?;
    q.service_type_code = p.parsed("service_type_code")?;
    q.search = p.parsed::<OrderId>("order_id")?.map(PreciseSearch::OrderId);
    q.sort = match p.text("order_by")? {
        None | Some("-createTime") => SortOrder::NewestFirst,
        Some("createTime") => SortOrder::OldestFirst,
        Some(other) => {
            return Err(ApiError::bad_parameter(format!(
                "order_by must be createTime or -createTime, got {other:?}"
            )))
        }
    };
    let mut matches_nothing = match p.text("method")? {
        None | Some("oneself") => false,
        Some("sub_customer") => true,
        Some(other) => {
            return Err(ApiError::bad_parameter(format!(
                "method must be oneself or sub_customer, got {other:?}"
            )))
        }
    };
    if let Some(code) = p.int("order_type")? {
        q.order_types = u8::try_from(code)
            .map(OrderType::from_huawei_code)
            .unwrap_or_default();
        matches_nothing |= q.order_types.is_empty();
    }
    let status = status_filter(p.int("status")?);

    let tree = state.projector.view(ORDERS)?;
    let (ids, total) = match status {
        _ if matches_nothing => (Vec::new(), 0),
        StatusFilter::Nothing => (Vec::new(), 0),
        StatusFilter::Any => page(&tree, &q, offset, limit)?,
        StatusFilter::One(kind) => {
            q.status = Some(kind);
            page(&tree, &q, offset, limit)?
        }
        StatusFilter::CancelledOrVoided => cancelled_or_voided(&tree, &q, offset, limit)?,
    };
    let order_infos = ids
        .iter()
        .map(|id| {
            order_details(&tree, &customer, id, now)?
                .map(|d| CustomerOrderV2::of(&d))
                .ok_or_else(|| ApiError::internal(format!("listed order {id} has no details")))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(Json(Orders {
        total_count: total,
        order_infos,
    })
    .into_response())
}

/// One page of `q`: the order ids and the total.
fn page(
    tree: &sled::Tree,
    q: &OrderListQuery,
    offset: u64,
    limit: u32,
) -> Result<(Vec<OrderId>, u64), ApiError> {
    let mut q = q.clone();
    q.offset = offset;
    q.limit = Some(limit);
    let page = list_orders(tree, &q)?;
    Ok((
        page.rows.into_iter().map(|r| r.order_id).collect(),
        page.total,
    ))
}

/// A list's sort key: (order time, order id).
type Key = (DateTime<Utc>, OrderId);

/// The keys of the first `n` rows of `q` (or all, if fewer), and the total.
fn first_keys(tree: &sled::Tree, q: &OrderListQuery, n: u64) -> Result<(Vec<Key>, u64), ApiError> {
    let mut q = q.clone();
    q.offset = 0;
    q.limit = Some(MAX_PAGE_SIZE);
    q.cursor = None;
    let mut keys = Vec::new();
    loop {
        let page = list_orders(tree, &q)?;
        for row in &page.rows {
            let d =
                order_details(tree, &q.customer_id, &row.order_id, q.now)?.ok_or_else(|| {
                    ApiError::internal(format!("listed order {} has no details", row.order_id))
                })?;
            keys.push((d.placed_at, row.order_id.clone()));
        }
        match page.next_cursor {
            Some(c) if (keys.len() as u64) < n => q.cursor = Some(c),
            _ => return Ok((keys, page.total)),
        }
    }
}

/// Huawei status 4 covers two of the ledger's statuses: cancelled (also
/// expired) and voided. Voided orders are rare; when there are none this
/// is one query, otherwise the two lists' first `offset + limit` rows are
/// merged in list order.
fn cancelled_or_voided(
    tree: &sled::Tree,
    q: &OrderListQuery,
    offset: u64,
    limit: u32,
) -> Result<(Vec<OrderId>, u64), ApiError> {
    let mut cancelled = q.clone();
    cancelled.status = Some(OrderStatusKind::Cancelled);
    let mut voided = q.clone();
    voided.status = Some(OrderStatusKind::Voided);
    if page(tree, &voided, 0, 1)?.1 == 0 {
        return page(tree, &cancelled, offset, limit);
    }
    let n = offset.saturating_add(u64::from(limit));
    if n > MAX_MERGED_ROWS {
        return Err(ApiError::invalid_parameter(format!(
            "with status 4, offset + limit may be at most {MAX_MERGED_ROWS}: narrow the create time window"
        )));
    }
    let (mut keys, c_total) = first_keys(tree, &cancelled, n)?;
    let (v_keys, v_total) = first_keys(tree, &voided, n)?;
    keys.extend(v_keys);
    keys.sort();
    if q.sort == SortOrder::NewestFirst {
        keys.reverse();
    }
    let ids = keys
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(limit as usize)
        .map(|k| k.1)
        .collect();
    Ok((ids, c_total + v_total))
}
