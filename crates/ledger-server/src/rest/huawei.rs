//! Huawei Cloud BSS-intl compatible order API.

use axum::Router;

use super::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
