//! Huawei Cloud BSS-intl compatible order API, served at the root so the
//! official SDK works unchanged with only its endpoint set:
//!
//! | route | SDK method |
//! |---|---|
//! | `GET /v2/orders/customer-orders` | `list_customer_orders` |
//! | `GET /v2/orders/customer-orders/details/{order_id}` | `show_customer_order_details` |
//! | `POST /v3/orders/customer-orders/pay` | `pay_orders` (204) |
//! | `PUT /v2/orders/customer-orders/cancel` | `cancel_customer_order` (204) |
//! | `GET /v2/orders/customer-orders/order-discounts` | `list_order_discounts` |
//! | `GET /v1.0/{domain_id}/common/order-mgr/orders/{order_id}` | none (the old API, camelCase) |
//! | `GET /v2/accounts/customer-accounts/balances` | `show_customer_account_balances` |
//! | `GET /v2/promotions/benefits/coupons` | `list_sub_customer_coupons` |
//!
//! Where the API is silent, this server decides (and the tests pin it):
//!
//! - **Whose orders.** A customer key sees and acts on its own domain's
//!   orders only: another customer's order is 403 CBC.0151. An order id
//!   that names no order is 404 CBC.0101 (`order_not_found`). Operator and
//!   service keys reach every customer; the list then needs `customer_id`.
//! - **Reads follow writes.** Pay and cancel answer only once the order
//!   views show their effect, so a list or details call right after sees
//!   it. A details call for an order the views do not show yet (placed an
//!   instant ago over gRPC) waits for the views to reach the log's head.
//! - **Idempotency.** The Huawei API has no idempotency key. Pay and cancel
//!   derive their command id from the caller's access key, the order and the
//!   request's `X-Idempotency-Key` header (else its `X-Request-Id`), so a
//!   retried request is recorded once; without either header every request
//!   is a new command, and still a repeat changes nothing: an order is paid
//!   from the balance once (a second pay answers 204 and debits nothing),
//!   a second cancel of a cancelled order is a no-op.

mod accounts;
mod commands;
mod details;
mod discounts;
mod json;
mod list;
mod params;
mod v1_0;

use std::time::Duration;

use axum::http::HeaderMap;
use ledger_domain::ids::{CustomerId, OrderId};
use ledger_domain::order::{Order, PlacedOrder};
use ledger_domain::DomainError;
use ledger_domain::{Aggregate, AggregateId};
use ledger_projections::orders::{OrderDetails, OrdersView};
use ledger_projections::ORDERS;
use sha2::{Digest, Sha256};

use crate::auth::Caller;
use crate::config::MAX_READ_WAIT_MS;
use crate::errors::ApiError;
use crate::server::State;

route_table! {
    get "/v2/orders/customer-orders" => list::list_customer_orders,
    get "/v2/orders/customer-orders/details/{order_id}" => details::show_customer_order_details,
    post "/v3/orders/customer-orders/pay" => commands::pay_orders,
    put "/v2/orders/customer-orders/cancel" => commands::cancel_customer_order,
    get "/v2/orders/customer-orders/order-discounts" => discounts::list_order_discounts,
    get "/v1.0/{domain_id}/common/order-mgr/orders/{order_id}" => v1_0::show_order,
    get "/v2/accounts/customer-accounts/balances" => accounts::show_customer_account_balances,
    get "/v2/promotions/benefits/coupons" => accounts::list_sub_customer_coupons,
}

/// The header a client may send to make pay and cancel idempotent.
pub const IDEMPOTENCY_KEY_HEADER: &str = "x-idempotency-key";

/// How long a write waits for the views to show it, and a read for the
/// views to catch up with the log.
fn read_wait() -> Duration {
    Duration::from_millis(MAX_READ_WAIT_MS)
}

/// Parses an order id from a path or body: malformed → 400 CBC.0100.
fn parse_order_id(name: &str, v: &str) -> Result<OrderId, ApiError> {
    v.parse()
        .map_err(|e| ApiError::bad_parameter(format!("{name}: {e}")))
}

/// The order as the log has it now (authoritative, unlike the views).
async fn placed_order(state: &State, id: &OrderId) -> Result<PlacedOrder, ApiError> {
    let (_, aggregate) = state
        .ledger
        .aggregate(&AggregateId::Order(id.clone()))
        .await?;
    match aggregate {
        Aggregate::Order(Order::Placed(p)) => Ok(p),
        Aggregate::Order(Order::Absent) => Err(DomainError::OrderNotFound(id.clone()).into()),
        _ => Err(ApiError::internal(format!(
            "aggregate of order {id} is not an order"
        ))),
    }
}

/// The details of an order the caller may see: 404 if there is no such
/// order, 403 if it is another customer's.
async fn details_for(
    state: &State,
    caller: &Caller,
    id: &OrderId,
) -> Result<OrderDetails, ApiError> {
    let now = state.clock.now();
    if let Some(me) = caller.customer() {
        if let Some(d) = OrdersView::open(&state.projector)?.details(me, id, now)? {
            return Ok(d);
        }
    }
    // Not in the caller's view: ask the log whose it is.
    let owner: CustomerId = placed_order(state, id).await?.spec().customer_id.clone();
    caller.check_access(&owner)?;
    if let Some(d) = OrdersView::open(&state.projector)?.details(&owner, id, now)? {
        return Ok(d);
    }
    // The log has it but the views do not yet: let them reach the head.
    let head = state.store.head().position;
    state
        .projector
        .wait_for(&[ORDERS], head, read_wait())
        .await?;
    OrdersView::open(&state.projector)?
        .details(&owner, id, now)?
        .ok_or_else(|| ApiError::internal(format!("order {id} is missing from the views")))
}

/// A command's id and a 32-hex-digit token unique to it (payment ids are
/// made from the token). With an idempotency key the token is a hash of the
/// operation, the caller's access key, the order and the key; without one
/// it is random.
fn command_token(
    op: &str,
    caller: &Caller,
    order: &OrderId,
    headers: &HeaderMap,
) -> (String, String) {
    let key = [IDEMPOTENCY_KEY_HEADER, crate::rest::REQUEST_ID_HEADER]
        .iter()
        .find_map(|h| headers.get(*h).and_then(|v| v.to_str().ok()))
        .filter(|v| !v.is_empty());
    let token = match key {
        Some(key) => {
            let mut h = Sha256::new();
            for part in [op, caller.access_key.as_str(), order.as_str(), key] {
                h.update(part.as_bytes());
                h.update([0]);
            }
            hex::encode(&h.finalize()[..16])
        }
        None => uuid::Uuid::new_v4().simple().to_string(),
    };
    (format!("huawei:{op}:{token}"), token)
}
