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
//! - `status`: 4 (cancelled: cancelled, expired and voided orders, one
//!   list answered by the projections with an exact total, any offset), 5
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
    DetailsPage, OrderListQuery, OrderStatusKind, OrdersView, PreciseSearch, SortOrder, TimeRange,
    DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE,
};
use serde::Serialize;

use super::json::CustomerOrderV2;
use super::params::{page_size, row_offset, Params};
use crate::auth::Caller;
use crate::errors::ApiError;
use crate::rest::{AppState, Authenticated};

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

    let orders = match status {
        _ if matches_nothing => DetailsPage::default(),
        StatusFilter::Nothing => DetailsPage::default(),
        StatusFilter::Any => page(&state, &q, offset, limit)?,
        StatusFilter::One(kind) => {
            q.status = Some(kind);
            page(&state, &q, offset, limit)?
        }
        StatusFilter::CancelledOrVoided => {
            q.status_in = vec![OrderStatusKind::Cancelled, OrderStatusKind::Voided];
            page(&state, &q, offset, limit)?
        }
    };
    Ok(Json(Orders {
        total_count: orders.total,
        order_infos: orders.orders.iter().map(CustomerOrderV2::of).collect(),
    })
    .into_response())
}

/// One page of `q` with each order's details, and the total.
fn page(
    state: &AppState,
    q: &OrderListQuery,
    offset: u64,
    limit: u32,
) -> Result<DetailsPage, ApiError> {
    let mut q = q.clone();
    q.offset = offset;
    q.limit = Some(limit);
    Ok(OrdersView::open(&state.projector)?.list_details(&q)?)
}
