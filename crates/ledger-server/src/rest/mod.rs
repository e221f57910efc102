//! The HTTP face (axum): the Huawei Cloud BSS-intl compatible API at the
//! root, the `/v1` resources (Baidu-style order list, contracts, CSV),
//! health, readiness and metrics, and the web console at `/console/`. Every response carries `X-Request-Id`.

/// Declares a module's routes once: the `ROUTES` table (method, path) and
/// the `routes()` router built from it, so the list tests check is the
/// list served.
macro_rules! route_table {
    ($($method:ident $path:literal => $handler:path),* $(,)?) => {
        /// Every route of this module, as served.
        pub const ROUTES: &[$crate::rest::Route] = &[
            $($crate::rest::Route { method: stringify!($method), path: $path }),*
        ];

        pub fn routes() -> axum::Router<$crate::rest::AppState> {
            axum::Router::new()
                $(.route($path, axum::routing::$method($handler)))*
        }
    };
}

mod auth;
mod console_files;
mod huawei;
mod v1;

use std::sync::Arc;

use axum::extract::{FromRequestParts, MatchedPath, Request, State as AxumState};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;

use std::time::Duration;

use tower::limit::ConcurrencyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tracing::Instrument;

use crate::config::{MAX_CONCURRENT_REQUESTS, REQUEST_TIMEOUT_MS};
use crate::errors::ApiError;

use crate::server::State;
use crate::trace::RequestTrace;

pub use auth::Authenticated;

pub type AppState = Arc<State>;

/// The response header naming the request.
pub use crate::trace::REQUEST_ID_HEADER;

/// One HTTP route: its method (lower case, as axum names it) and its path
/// pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
}

mod health {
    use super::{healthz, metrics, readyz};

    route_table! {
        get "/healthz" => healthz,
        get "/readyz" => readyz,
        get "/metrics" => metrics,
    }
}

/// The web console (`ledger_console`): static files only, served without
/// credentials; its pages call the API with the signed-in caller's token.
mod console {
    use super::console_files::{file, index, redirect};

    route_table! {
        get "/console" => redirect,
        get "/console/" => index,
        get "/console/{*file}" => file,
    }
}

/// Every route the HTTP face serves, health, Huawei, `/v1` and the
/// console: the router is built from exactly these tables.
pub fn route_table() -> Vec<Route> {
    [health::ROUTES, huawei::ROUTES, v1::ROUTES, console::ROUTES].concat()
}

/// Every route.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(health::routes())
        .merge(huawei::routes())
        .merge(v1::routes())
        .merge(console::routes())
        .fallback(no_route)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), request_id))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_millis(REQUEST_TIMEOUT_MS),
        ))
        .layer(ConcurrencyLimitLayer::new(MAX_CONCURRENT_REQUESTS))
        .with_state(state)
}

/// Unknown paths answer in the API's error shape.
async fn no_route(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!("no resource at {}", uri.path()))
}

/// Live: the process answers.
async fn healthz() -> &'static str {
    "ok"
}

/// Ready: the log is open and every projection is caught up with it.
async fn readyz(AxumState(state): AxumState<AppState>) -> Response {
    let behind: Vec<String> = state
        .projector
        .status()
        .into_iter()
        .filter(|s| s.lag > 0)
        .map(|s| format!("{} lags {} events", s.name, s.lag))
        .collect();
    if behind.is_empty() {
        "ready".into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, behind.join("\n")).into_response()
    }
}

/// Prometheus text, for operators only: the counters name commands,
/// routes and volumes of every tenant together, so neither customers nor
/// services read them.
async fn metrics(
    AxumState(state): AxumState<AppState>,
    Authenticated(caller): Authenticated,
) -> Result<Response, ApiError> {
    if !caller.is_operator() {
        return Err(ApiError::access_denied("metrics are for operators only"));
    }
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state
            .metrics
            .render(&state.projector, &state.ledger, state.clock.now()),
    )
        .into_response())
}

/// Names each request (`X-Request-Id`, kept if the client sent one that is
/// short and printable), reads its trace context (`traceparent`,
/// `X-Correlation-Id`: [`RequestTrace`], put into the request's extensions
/// for the command handlers), runs it in the request's span and counts it
/// by route and status.
async fn request_id(
    AxumState(state): AxumState<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let id = req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.chars().all(|c| c.is_ascii_graphic()))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let mut trace = RequestTrace::from_headers(req.headers());
    trace.request_id = Some(id.clone());
    let span = tracing::info_span!(
        "http",
        request_id = %id,
        method = %req.method(),
        route = %route,
        trace_id = trace.trace_id(),
        parent_span_id = trace.parent_span_id(),
        correlation_id = trace.correlation(None),
        status = tracing::field::Empty,
    );
    crate::trace::continue_caller_trace(&span, &trace);
    req.extensions_mut().insert(trace);
    let mut res = next.run(req).instrument(span.clone()).await;
    span.record("status", res.status().as_u16());
    state.metrics.http_request(&route, res.status().as_u16());
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
    res
}

/// The handlers' view of the request's trace context (set by the request
/// id middleware; empty when a router is used without it).
impl<S: Send + Sync> FromRequestParts<S> for RequestTrace {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<RequestTrace>()
            .cloned()
            .unwrap_or_default())
    }
}
