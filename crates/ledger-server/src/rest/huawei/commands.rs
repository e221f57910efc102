//! `pay_orders` (`POST /v3/orders/customer-orders/pay`) and
//! `cancel_customer_order` (`PUT /v2/orders/customer-orders/cancel`): both
//! answer 204 with no body, once the order views show the change.
//!
//! Paying pays the order's whole amount due from the customer's own coupons
//! and balance (`PayOrderFromBalance`): the coupons named cover what they
//! can, in the order given, and the balance pays the rest, in one atomic
//! append with the payment.
//! - **Coupons.** `use_coupon: "YES"` with 1–3 `coupon_infos` (`id`, `type`
//!   300–303) of the customer's coupons (`list_sub_customer_coupons`); a
//!   used coupon is 400 CBC.99003112, an unknown one (or another
//!   customer's) 404 CBC.0101, and the domain's other coupon rules apply.
//! - **Balance.** Too little is 400 CBC.99005003; nothing is recorded.
//! - **Discounts.** The discounts an order may use are those recorded on it
//!   (see `list_order_discounts`), already part of its amount due.
//!   `use_discount: "YES"` with one of their ids pays as usual; any other id
//!   is refused with 400 CBC.0101.
//! - **Expired orders.** Paying an order the timer has expired at its
//!   deadline answers CBC.99003110 (payment deadline passed), as does paying
//!   an unpaid order past its deadline, not the generic CBC.99003106.
//! - **Tracing.** The command's correlation id is `X-Correlation-Id`, else
//!   the `traceparent`'s trace id, else `X-Request-Id`; its causation id is
//!   the request id (`crate::trace`).

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use ledger_app::{CommandMeta, Outcome};
use ledger_domain::catalog::VoucherKind;
use ledger_domain::ids::OrderId;
use ledger_domain::order::{CancelOrder, CancelReason, OrderStatus};
use ledger_domain::payment::{CouponUse, PayOrderFromBalance};
use ledger_domain::Command;
use ledger_projections::ORDERS;
use serde::Deserialize;
use tracing::warn;

use super::discounts::discount_id;
use super::{command_token, parse_order_id, placed_order, read_wait};
use crate::errors::ApiError;
use crate::rest::{AppState, Authenticated};
use crate::server::State;
use crate::trace::RequestTrace;

/// Most coupons one payment may name (Huawei: at most three).
pub const MAX_COUPONS: usize = 3;
/// Discounts one payment must name when it uses one (Huawei: only one).
pub const DISCOUNTS_PER_PAYMENT: usize = 1;

#[derive(Deserialize)]
struct IdAndType {
    id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<i64>,
}

/// `PayCustomerOrderV3Req`.
#[derive(Deserialize)]
struct PayBody {
    order_id: Option<String>,
    use_coupon: Option<String>,
    use_discount: Option<String>,
    coupon_infos: Option<Vec<IdAndType>>,
    discount_infos: Option<Vec<IdAndType>>,
}

/// `CancelCustomerOrderReq`.
#[derive(Deserialize)]
struct CancelBody {
    order_id: Option<String>,
}

fn parse_body<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_parameter(format!("malformed request body: {e}")))
}

fn required_order_id(v: Option<String>) -> Result<OrderId, ApiError> {
    let v = v.ok_or_else(|| ApiError::bad_parameter("order_id is required"))?;
    parse_order_id("order_id", &v)
}

/// `YES` or `NO`.
fn yes_no(name: &str, v: Option<&str>) -> Result<bool, ApiError> {
    match v {
        Some("YES") => Ok(true),
        Some("NO") => Ok(false),
        Some(other) => Err(ApiError::bad_parameter(format!(
            "{name} must be YES or NO, got {other:?}"
        ))),
        None => Err(ApiError::bad_parameter(format!("{name} is required"))),
    }
}

/// The list a YES asks for: 1..=max entries, each with an id and a type.
/// After a NO the list must be absent or empty.
fn infos<'a>(
    name: &str,
    used: bool,
    list: &'a Option<Vec<IdAndType>>,
    max: usize,
) -> Result<Vec<(&'a str, i64)>, ApiError> {
    let list = list.as_deref().unwrap_or_default();
    if !used {
        return if list.is_empty() {
            Ok(Vec::new())
        } else {
            Err(ApiError::bad_parameter(format!(
                "{name} must not be given when not used"
            )))
        };
    }
    if list.is_empty() || list.len() > max {
        return Err(ApiError::bad_parameter(format!(
            "{name} must hold 1 to {max} entries"
        )));
    }
    list.iter()
        .map(|i| match (i.id.as_deref(), i.kind) {
            (Some(id), Some(kind)) if !id.is_empty() => Ok((id, kind)),
            _ => Err(ApiError::bad_parameter(format!(
                "every entry of {name} needs an id and a type"
            ))),
        })
        .collect()
}

/// Executes a command and waits until the order views show it.
async fn execute(state: &State, command: Command, meta: CommandMeta) -> Result<Outcome, ApiError> {
    let outcome = state.execute(command, meta).await?;
    if let Err(e) = state
        .projector
        .wait_for(&[ORDERS], outcome.position, read_wait())
        .await
    {
        // The command is durable; only the views are slow.
        warn!(error = %e, "order views did not show an accepted command in time");
    }
    Ok(outcome)
}

pub async fn pay_orders(
    AxumState(state): AxumState<AppState>,
    Authenticated(caller): Authenticated,
    trace: RequestTrace,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body: PayBody = parse_body(&body)?;
    let order_id = required_order_id(body.order_id)?;
    let use_coupon = yes_no("use_coupon", body.use_coupon.as_deref())?;
    let use_discount = yes_no("use_discount", body.use_discount.as_deref())?;
    let coupons = infos("coupon_infos", use_coupon, &body.coupon_infos, MAX_COUPONS)?;
    let discounts = infos(
        "discount_infos",
        use_discount,
        &body.discount_infos,
        DISCOUNTS_PER_PAYMENT,
    )?;

    let order = placed_order(&state, &order_id).await?;
    caller.check_access(&order.spec().customer_id)?;
    let coupons = coupons
        .into_iter()
        .map(|(id, kind)| {
            let coupon_id = id
                .parse()
                .map_err(|e| ApiError::bad_parameter(format!("coupon_infos id: {e}")))?;
            let kind = u16::try_from(kind)
                .ok()
                .and_then(|k| VoucherKind::from_huawei_code(k).ok())
                .ok_or_else(|| {
                    ApiError::bad_parameter(format!(
                        "coupon_infos type must be 300, 301, 302 or 303, got {kind}"
                    ))
                })?;
            Ok(CouponUse { kind, coupon_id })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let recorded = order.spec().pricing().discounts;
    for (id, kind) in discounts {
        let known = recorded.iter().any(|d| {
            discount_id(&order_id, d.discount_type) == id
                && i64::from(super::discounts::huawei_kind(d.discount_type)) == kind
        });
        if !known {
            return Err(ApiError::invalid_parameter(format!(
                "discount {id} of type {kind} does not apply to order {order_id}"
            )));
        }
    }

    // A retry without an idempotency header is safe too: the order can be
    // paid from the balance once, and a repeat records nothing.
    let (command_id, _) = command_token("pay", &caller, &order_id, &headers);
    let command = Command::PayOrderFromBalance(PayOrderFromBalance {
        order_id: order_id.clone(),
        coupons,
    });
    match execute(
        &state,
        command,
        trace.command_meta(command_id, caller.actor.clone()),
    )
    .await
    {
        Ok(_) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(e) if e.code == "order_not_unpaid" => Err(expired_or(&state, &order_id, e).await),
        Err(e) => Err(e),
    }
}

/// `e`, or "payment deadline passed" when the order expired at it.
async fn expired_or(state: &State, order_id: &OrderId, e: ApiError) -> ApiError {
    match placed_order(state, order_id).await {
        Ok(o)
            if matches!(
                o.status(),
                OrderStatus::Cancelled {
                    reason: CancelReason::Expired,
                    ..
                }
            ) =>
        {
            ApiError::new(
                "payment_deadline_passed",
                format!(
                    "order {order_id} expired unpaid at its payment deadline {}",
                    o.payment_deadline()
                ),
            )
        }
        _ => e,
    }
}

pub async fn cancel_customer_order(
    AxumState(state): AxumState<AppState>,
    Authenticated(caller): Authenticated,
    trace: RequestTrace,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body: CancelBody = parse_body(&body)?;
    let order_id = required_order_id(body.order_id)?;
    let (command_id, _) = command_token("cancel", &caller, &order_id, &headers);
    let command = Command::CancelOrder(CancelOrder { order_id });
    execute(
        &state,
        command,
        trace.command_meta(command_id, caller.actor.clone()),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
