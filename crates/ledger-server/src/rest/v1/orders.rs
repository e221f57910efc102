//! Order resources: the list, details, deductions, deductions by discount
//! type, the contract-application order picker, cancelling, and (operators
//! and services) voiding.
//!
//! List filters (query parameters, all optional):
//! `order_time_begin`/`order_time_end` (RFC 3339, or `YYYY-MM-DD`: a day of
//! `time_zone`; default the last 7 days of the customer's calendar, all
//! time with a precise search), `time_zone` (IANA, default Asia/Shanghai), `product_name` with
//! `product_name_match=exact|contains` (default exact), `bill_type=
//! prepay|postpay|all`, `status=unpaid|paid|cancelled|voided|all`,
//! `order_type` (repeatable or a comma list of purchase, renewal, upgrade,
//! downgrade, configuration_change, compensation), `service_type_code`,
//! `payment_time_begin`/`payment_time_end`, precise search by `order_id`
//! or `instance_id` (not both), `sort=newest_first|oldest_first`, and
//! paging: `limit` (1–100, default 10), `offset`, `cursor` (the
//! `next_cursor` of the previous page).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State as AxumState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use ledger_domain::contract::ContractKind;
use ledger_domain::ids::{CustomerId, OrderId};
use ledger_domain::order::{CancelOrder, VoidOrder};
use ledger_domain::{AggregateId, Command};
use ledger_projections::calendar::last_days;
use ledger_projections::orders::{
    Cursor, EligibleOrdersQuery, OrderListQuery, TimeRange, DEFAULT_ORDER_WINDOW_DAYS,
};

use super::query::Params;
use super::{body, command_id, command_response, customer, execute, view_response, AppState};
use crate::errors::ApiError;
use crate::grpc::convert::field;
use crate::rest::Authenticated;
use crate::trace::RequestTrace;
use crate::views::aggregate::check_owner;
use crate::views::{self, names, params};

fn window() -> Duration {
    Duration::days(DEFAULT_ORDER_WINDOW_DAYS)
}

fn range(
    p: &mut Params,
    prefix: &str,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<Option<TimeRange>, ApiError> {
    let begin = p.one(&format!("{prefix}_begin"))?;
    let end = p.one(&format!("{prefix}_end"))?;
    params::time_range(prefix, begin.as_deref(), end.as_deref(), now, window(), tz)
}

fn time_zone(p: &mut Params) -> Result<Tz, ApiError> {
    params::time_zone(p.one("time_zone")?.as_deref())
}

/// The list's filters (everything but paging) from the query string.
pub(super) fn order_filters(
    p: &mut Params,
    customer: CustomerId,
    now: DateTime<Utc>,
) -> Result<OrderListQuery, ApiError> {
    let mut q = OrderListQuery::new(customer, now);
    q.time_zone = time_zone(p)?;
    q.order_time = range(p, "order_time", now, q.time_zone)?;
    q.payment_time = range(p, "payment_time", now, q.time_zone)?;
    let product = p.one("product_name")?.unwrap_or_default();
    let mode = p.one("product_name_match")?;
    q.product_name = params::product_name(&product, mode.as_deref())?;
    if let Some(b) = p.one("bill_type")? {
        q.bill_type = names::filter3("bill_type", &names::BILL_TYPES, &b)?;
    }
    if let Some(s) = p.one("status")? {
        q.status = names::filter3("status", &names::ORDER_STATUSES, &s)?;
    }
    let types = p.all("order_type");
    q.order_types = params::order_types(types.iter().map(String::as_str))?;
    q.service_type_code = p.parsed("service_type_code")?;
    q.search = params::precise_search(p.parsed("order_id")?, p.parsed("instance_id")?)?;
    if let Some(s) = p.one("sort")? {
        q.sort = names::parse("sort", &names::SORT_ORDERS, &s)?;
    }
    Ok(q)
}

fn min_position(p: &mut Params) -> Result<u64, ApiError> {
    Ok(p.parsed("min_position")?.unwrap_or(0))
}

/// `GET /v1/customers/{customer_id}/orders`
pub async fn list(
    AxumState(state): AxumState<AppState>,
    Authenticated(caller): Authenticated,
    Path(customer_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let customer = customer(&caller, &customer_id)?;
    let mut p = Params::parse(raw.as_deref())?;
    let min = min_position(&mut p)?;
    let mut q = order_filters(&mut p, customer, state.clock.now())?;
    q.limit = p.parsed("limit")?;
    q.offset = p.parsed("offset")?.unwrap_or(0);
    q.cursor = p.one("cursor")?.map(Cursor::from_client);
    p.finish()?;
    Ok(view_response(views::orders::list(&state, &q, min).await?))
}

fn no_params(raw: Option<&str>) -> Result<u64, ApiError> {
    let mut p = Params::parse(raw)?;
    let min = min_position(&mut p)?;
    p.finish()?;
    Ok(min)
}

/// `GET /v1/customers/{customer_id}/orders/{order_id}`
pub async fn details(
    AxumState(state): AxumState<AppState>,
    Authenticated(caller): Authenticated,
    Path((customer_id, order_id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let customer = customer(&caller, &customer_id)?;
    let order: OrderId = field("order_id", &order_id)?;
    let min = no_params(raw.as_deref())?;
    let now = state.clock.now();
    let view = views::orders::details(&state, &customer, &order, now, min).await?;
    Ok(view_response(view))
}

/// `GET /v1/customers/{customer_id}/orders/{order_id}/deductions`
pub async fn deductions(
    AxumState(state): AxumState<AppState>,
    Authenticated(caller): Authenticated,
    Path((customer_id, order_id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let customer = customer(&caller, &customer_id)?;
    let order: OrderId = field("order_id", &order_id)?;
    let min = no_params(raw.as_deref())?;
    let view = views::orders::deductions(&state, &customer, &order, min).await?;
    Ok(view_response(view))
}

/// `GET /v1/customers/{customer_id}/deductions?begin&end`: totals by
/// discount type of the paid orders placed in the range (default the last
/// 7 days).
pub async fn by_discount_type(
    AxumState(state): AxumState<AppState>,
    Authenticated(caller): Authenticated,
    Path(customer_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let customer = customer(&caller, &customer_id)?;
    let mut p = Params::parse(raw.as_deref())?;
    let min = min_position(&mut p)?;
    let now = state.clock.now();
    let (begin, end) = (p.one("begin")?, p.one("end")?);
    let tz = time_zone(&mut p)?;
    p.finish()?;
    let range = params::named_time_range(
        ("begin", "end"),
        begin.as_deref(),
        end.as_deref(),
        now,
        window(),
        tz,
    )?
    .unwrap_or_else(|| last_days(now, tz, DEFAULT_ORDER_WINDOW_DAYS.unsigned_abs()));
    let view = views::orders::by_discount_type(&state, &customer, range, min).await?;
    Ok(view_response(view))
}

/// `GET /v1/customers/{customer_id}/eligible-orders?kind=order|payment_request`:
/// the orders a new contract of that kind may take. Default (seed: "orders
/// Paid for in the Current Month" / "Unpaid for in the Current Month"): an
/// order contract's are the orders *paid* in the current month of the
/// customer's calendar, a payment request's the unpaid orders *placed* in
/// it. `order_time_begin`/`_end`, `payment_time_begin`/`_end` override the
/// default; `time_zone` (IANA, default Asia/Shanghai), `product_name`,
/// `product_name_match`, `limit` 1–200, `offset`.
pub async fn eligible(
    AxumState(state): AxumState<AppState>,
    Authenticated(caller): Authenticated,
    Path(customer_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let customer = customer(&caller, &customer_id)?;
    let mut p = Params::parse(raw.as_deref())?;
    let min = min_position(&mut p)?;
    let kind: ContractKind = match p.one("kind")? {
        None => return Err(ApiError::bad_parameter("kind is required")),
        Some(k) => names::parse3("kind", &names::CONTRACT_KINDS, &k)?,
    };
    let now = state.clock.now();
    let mut q = EligibleOrdersQuery::new(customer, kind, now);
    q.time_zone = time_zone(&mut p)?;
    q.order_time = range(&mut p, "order_time", now, q.time_zone)?;
    q.payment_time = range(&mut p, "payment_time", now, q.time_zone)?;
    let product = p.one("product_name")?.unwrap_or_default();
    let mode = p.one("product_name_match")?;
    q.product_name = params::product_name(&product, mode.as_deref())?;
    q.limit = p.parsed("limit")?;
    q.offset = p.parsed("offset")?.unwrap_or(0);
    p.finish()?;
    Ok(view_response(
        views::orders::eligible(&state, &q, min).await?,
    ))
}

/// `POST /v1/customers/{customer_id}/orders/{order_id}/cancel`: cancels an
/// unpaid order; answers `{..., "order": <details>}`.
pub async fn cancel(
    AxumState(state): AxumState<AppState>,
    Authenticated(caller): Authenticated,
    Path((customer_id, order_id)): Path<(String, String)>,
    trace: RequestTrace,
    headers: HeaderMap,
    _body: Bytes,
) -> Result<Response, ApiError> {
    let customer = customer(&caller, &customer_id)?;
    let order: OrderId = field("order_id", &order_id)?;
    let key = command_id(&headers, false)?;
    check_owner(&state, &customer, AggregateId::Order(order.clone())).await?;
    let command = Command::CancelOrder(CancelOrder {
        order_id: order.clone(),
    });
    let outcome = execute(&state, &caller, &trace, key, command).await?;
    let now = state.clock.now();
    let view = views::orders::details(&state, &customer, &order, now, 0).await?;
    Ok(command_response(StatusCode::OK, &outcome, "order", view))
}

/// The body of an order void: why (e.g. "provisioning failed", a ticket).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct VoidBody {
    reason: String,
}

/// `POST /v1/customers/{customer_id}/orders/{order_id}/void` with
/// `{"reason": "..."}`: voids an order (`VoidOrder`: operators and
/// services; a customer is refused by the role table); answers
/// `{..., "order": <details>}`.
pub async fn void(
    AxumState(state): AxumState<AppState>,
    Authenticated(caller): Authenticated,
    Path((customer_id, order_id)): Path<(String, String)>,
    trace: RequestTrace,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let customer = customer(&caller, &customer_id)?;
    let order: OrderId = field("order_id", &order_id)?;
    let key = command_id(&headers, false)?;
    let v: VoidBody = body(&bytes)?;
    check_owner(&state, &customer, AggregateId::Order(order.clone())).await?;
    let command = Command::VoidOrder(VoidOrder {
        order_id: order.clone(),
        reason: v.reason,
    });
    let outcome = execute(&state, &caller, &trace, key, command).await?;
    let now = state.clock.now();
    let view = views::orders::details(&state, &customer, &order, now, 0).await?;
    Ok(command_response(StatusCode::OK, &outcome, "order", view))
}
