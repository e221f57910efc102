//! `GET /v1/customers/{customer_id}/orders.csv`: the filtered order list
//! as CSV (see [`crate::views::csv`]). Takes the list's filters (not its
//! paging) and `min_position`; more than
//! [`crate::views::csv::MAX_CSV_ROWS`] matching orders
//! is 400 CBC.0101 (narrow the filters). Order times are UTC, to the
//! minute. The file is built off the async runtime.

use axum::extract::{Path, RawQuery, State as AxumState};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use ledger_projections::ORDERS;

use super::orders::order_filters;
use super::query::Params;
use super::{customer, position_header, AppState};
use crate::errors::ApiError;
use crate::rest::Authenticated;
use crate::views;
use crate::views::csv::orders_csv;

/// `GET /v1/customers/{customer_id}/orders.csv`
pub async fn download(
    AxumState(state): AxumState<AppState>,
    Authenticated(caller): Authenticated,
    Path(customer_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let customer = customer(&caller, &customer_id)?;
    let mut p = Params::parse(raw.as_deref())?;
    let min = p.parsed("min_position")?.unwrap_or(0);
    let q = order_filters(&mut p, customer.clone(), state.clock.now())?;
    p.finish()?;
    views::wait(&state, &[ORDERS], min).await?;
    let position = views::checkpoint(&state, ORDERS)?;
    let tree = state.projector.view(ORDERS)?;
    let bytes = tokio::task::spawn_blocking(move || orders_csv(&tree, q))
        .await
        .map_err(|e| ApiError::internal(format!("csv task failed: {e}")))??;
    let disposition = format!("attachment; filename=\"orders-{customer}.csv\"");
    Ok((
        position_header(position),
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}
