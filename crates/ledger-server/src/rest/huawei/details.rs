//! `show_customer_order_details`
//! (`GET /v2/orders/customer-orders/details/{order_id}`): the order
//! (`CustomerOrderV3`) and one page of its line items.
//!
//! `limit` 1–100 (default 10) and `offset` 0 or more (default 0) page the
//! line items; `total_count` counts them all. `indirect_partner_id` is
//! ignored (the ledger has no partners) and so is `X-Language` (one
//! language).

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State as AxumState};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ledger_projections::orders::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use serde::Serialize;

use super::json::{CustomerOrderV3, OrderLineItemV2};
use super::params::{page_size, row_offset, Params};
use super::{details_for, parse_order_id};
use crate::errors::ApiError;
use crate::rest::{AppState, Authenticated};

#[derive(Serialize)]
struct Details {
    total_count: usize,
    order_info: CustomerOrderV3,
    order_line_items: Vec<OrderLineItemV2>,
}

pub async fn show_customer_order_details(
    AxumState(state): AxumState<AppState>,
    Authenticated(caller): Authenticated,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Path(order_id) = path.map_err(|e| ApiError::bad_parameter(format!("order_id: {e}")))?;
    let order_id = parse_order_id("order_id", &order_id)?;
    let params = Params::new(query)?;
    let limit = page_size(params.int("limit")?, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)?;
    let offset = row_offset(params.int("offset")?)?;

    let d = details_for(&state, &caller, &order_id).await?;
    let order_line_items = d
        .line_items
        .iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(limit as usize)
        .map(|l| OrderLineItemV2::of(&d, l))
        .collect();
    Ok(Json(Details {
        total_count: d.line_items.len(),
        order_info: CustomerOrderV3::of(&d),
        order_line_items,
    })
    .into_response())
}
