//! `GET /v1/customers/{customer_id}/orders.csv`: the filtered order list
//! as CSV (see [`crate::views::csv`]). Takes the list's filters (not its
//! paging) and `min_position`. Every matching order is in the file: the
//! body is streamed page by page, read off the async runtime, with at most
//! [`CSV_QUEUE_CHUNKS`] chunks buffered, so memory stays bounded whatever
//! the selection's size. Order times are UTC, to the minute. A read error
//! once streaming has begun ends the body early (the status is already
//! sent): a client sees a truncated transfer, never a silently short file.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State as AxumState};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use ledger_projections::orders::OrdersView;
use ledger_projections::ORDERS;
use tokio_stream::wrappers::ReceiverStream;

use super::orders::order_filters;
use super::query::Params;
use super::{customer, position_header, AppState};
use crate::errors::ApiError;
use crate::rest::Authenticated;
use crate::views;
use crate::views::csv::orders_csv;

/// CSV chunks (one page of orders each) buffered between the reader and
/// the connection.
pub const CSV_QUEUE_CHUNKS: usize = 4;

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
    let view = OrdersView::open(&state.projector)?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(CSV_QUEUE_CHUNKS);
    tokio::task::spawn_blocking(move || {
        for chunk in orders_csv(&view, &q) {
            let chunk = chunk.map_err(|e| std::io::Error::other(e.to_string()));
            let failed = chunk.is_err();
            // The client went away: stop reading.
            if tx.blocking_send(chunk).is_err() || failed {
                return;
            }
        }
    });
    let disposition = format!("attachment; filename=\"orders-{customer}.csv\"");
    Ok((
        position_header(position),
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        Body::from_stream(ReceiverStream::new(rx)),
    )
        .into_response())
}
