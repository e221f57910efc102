//! `/v1` resources: the Baidu-style order list (every filter of the seed,
//! offset and cursor paging), CSV download, order details and deductions,
//! deductions by discount type, the contract-application order picker, the
//! contract list and details, and the contract and order operations as
//! commands.
//!
//! Every route is under `/v1/customers/{customer_id}`: a customer may use
//! only its own domain id (another is 403 CBC.0151); operators and services
//! name the customer they act for. Reads accept `min_position` (wait until
//! the read models include that log position, read-your-writes) and answer
//! with the `X-Ledger-Position` header: the position the view reflects.
//!
//! Commands take an `Idempotency-Key` header as their command id (1–128
//! printable ASCII characters): the same key again answers the first
//! result and changes nothing. It is required to apply for a contract
//! (a retried application must not create a second contract); elsewhere a
//! missing key gets a fresh one (those operations are idempotent anyway).
//! The answer is `{"position","deduplicated","events",<resource>}` with the
//! resource as it is once the command is visible. A 503 `not_caught_up`
//! after a command means it was recorded but the read models did not show
//! it in time: resend it with the same `Idempotency-Key` to read it.
//!
//! A command's correlation id is the request's `X-Correlation-Id`, else
//! its `traceparent`'s trace id, else its `X-Request-Id`; its causation id
//! is the request id (`crate::trace`).

mod contracts;
mod csv;
mod documents;
mod orders;
mod query;

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ledger_app::Outcome;
use ledger_domain::ids::CustomerId;
use ledger_domain::Command;
use serde_json::json;

use super::AppState;
use crate::auth::Caller;
use crate::errors::ApiError;
use crate::grpc::convert::field;
use crate::server::State;
use crate::trace::RequestTrace;
use crate::views::{self, View};

/// The response header carrying the log position a view reflects.
pub const POSITION_HEADER: &str = "x-ledger-position";
/// The request header carrying a command's id.
pub const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";

route_table! {
    get "/v1/customers/{customer_id}/orders" => orders::list,
    get "/v1/customers/{customer_id}/orders.csv" => csv::download,
    get "/v1/customers/{customer_id}/orders/{order_id}" => orders::details,
    get "/v1/customers/{customer_id}/orders/{order_id}/deductions" => orders::deductions,
    post "/v1/customers/{customer_id}/orders/{order_id}/cancel" => orders::cancel,
    post "/v1/customers/{customer_id}/orders/{order_id}/void" => orders::void,
    get "/v1/customers/{customer_id}/deductions" => orders::by_discount_type,
    get "/v1/customers/{customer_id}/eligible-orders" => orders::eligible,
    get "/v1/customers/{customer_id}/contracts" => contracts::list,
    post "/v1/customers/{customer_id}/contracts" => contracts::apply,
    get "/v1/customers/{customer_id}/contracts/{contract_no}" => contracts::detail,
    get "/v1/customers/{customer_id}/contracts/{contract_no}/document.pdf" => documents::download,
    get "/v1/customers/{customer_id}/contracts/{contract_no}/preview.pdf" => documents::preview,
    post "/v1/customers/{customer_id}/contracts/{contract_no}/convert" => contracts::convert,
    post "/v1/customers/{customer_id}/contracts/{contract_no}/void" => contracts::void,
    put "/v1/customers/{customer_id}/contracts/{contract_no}/remarks" => contracts::remarks,
}

/// The customer of the path, if the caller may act for it.
fn customer(caller: &Caller, raw: &str) -> Result<CustomerId, ApiError> {
    let customer: CustomerId = field("customer_id", raw)?;
    caller.check_access(&customer)?;
    Ok(customer)
}

fn position_header(position: u64) -> [(&'static str, HeaderValue); 1] {
    [(POSITION_HEADER, HeaderValue::from(position))]
}

/// A view as a JSON response with its position.
fn view_response(view: View) -> Response {
    (position_header(view.position), Json(view.json)).into_response()
}

/// The command id of a request: its `Idempotency-Key`, or a fresh one.
fn command_id(headers: &HeaderMap, required: bool) -> Result<String, ApiError> {
    match headers.get(IDEMPOTENCY_KEY_HEADER) {
        Some(v) => v
            .to_str()
            .map(str::to_owned)
            .map_err(|_| ApiError::bad_parameter("Idempotency-Key must be printable ascii")),
        None if required => Err(ApiError::bad_parameter(
            "Idempotency-Key header is required",
        )),
        None => Ok(format!("rest-{}", uuid::Uuid::new_v4().simple())),
    }
}

/// Executes a command as the caller and waits until the read models
/// include it (read-your-writes).
async fn execute(
    state: &State,
    caller: &Caller,
    trace: &RequestTrace,
    command_id: String,
    command: Command,
) -> Result<Outcome, ApiError> {
    let name = command.name();
    let outcome = state
        .execute(
            command,
            trace.command_meta(command_id.clone(), caller.actor.clone()),
        )
        .await?;
    tracing::info!(
        command = name,
        command_id = %command_id,
        actor = %caller.actor,
        position = outcome.position.0,
        deduplicated = outcome.deduplicated,
        "command accepted"
    );
    views::wait(
        state,
        &[ledger_projections::ORDERS, ledger_projections::CONTRACTS],
        outcome.position.0,
    )
    .await?;
    Ok(outcome)
}

/// `{"position","deduplicated","events",<resource>: view}`.
fn command_response(status: StatusCode, outcome: &Outcome, resource: &str, view: View) -> Response {
    let mut body = json!({
        "position": outcome.position.0,
        "deduplicated": outcome.deduplicated,
        "events": outcome.events.iter().map(|e| e.name()).collect::<Vec<_>>(),
    });
    body[resource] = view.json;
    (status, position_header(view.position), Json(body)).into_response()
}

/// A JSON request body; a malformed one is a bad parameter.
fn body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.is_empty() {
        return Err(ApiError::bad_parameter("a JSON request body is required"));
    }
    serde_json::from_slice(bytes).map_err(|e| ApiError::bad_parameter(format!("body: {e}")))
}
