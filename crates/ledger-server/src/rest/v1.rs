//! `/v1` resources: the Baidu-style order list, contracts, CSV download.

use axum::Router;

use super::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
