//! HTTP authentication: an SDK-HMAC-SHA256 `Authorization` header, an
//! `X-Auth-Token`, or `Authorization: Bearer <token>` (what Prometheus
//! sends for `/metrics`; the same tokens as `X-Auth-Token`). The authenticated [`Caller`] goes into the request's
//! extensions; handlers take it with the [`Authenticated`] extractor.

use axum::body::{to_bytes, Body};
use axum::extract::{FromRequestParts, Request, State as AxumState};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::auth::{Caller, SignedParts};
use crate::config::MAX_BODY_BYTES;
use crate::errors::ApiError;

/// Paths served without authentication (probes; `/metrics` needs an
/// operator's token).
const PUBLIC_PATHS: [&str; 2] = ["/healthz", "/readyz"];

/// Whether a path is served without authentication: the probes and the
/// console's static files (which read no data: its pages call the API
/// with a token like any client). The router matches the same path, so a
/// path let through here reaches only the console's handlers or the
/// not-found fallback, never an API route.
fn is_public(path: &str) -> bool {
    PUBLIC_PATHS.contains(&path) || ledger_console::is_console_path(path)
}

/// Middleware: authenticates every request but the public paths.
pub async fn authenticate(
    AxumState(state): AxumState<AppState>,
    req: Request,
    next: Next,
) -> Response {
    if is_public(req.uri().path()) {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let bytes = match to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return ApiError::new(
                "body_too_large",
                format!("request body exceeds {MAX_BODY_BYTES} bytes"),
            )
            .into_response()
        }
    };
    let span = crate::auth::auth_span("http");
    let caller = span.in_scope(|| caller_of(&state, &parts, &bytes));
    crate::auth::record_auth(&span, &caller);
    drop(span);
    match caller {
        Ok(caller) => {
            parts.extensions.insert(caller);
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(e) => e.into_response(),
    }
}

fn caller_of(state: &AppState, parts: &Parts, body: &[u8]) -> Result<Caller, ApiError> {
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .map(|v| {
                v.to_str()
                    .map_err(|_| ApiError::unauthenticated(format!("{name} is not ascii")))
            })
            .transpose()
    };
    if let Some(authorization) = header("authorization")? {
        if let Some(token) = authorization.strip_prefix("Bearer ") {
            return state.keys.by_token(token, state.clock.now());
        }
        let headers = parts
            .headers
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect();
        let signed = SignedParts {
            method: parts.method.as_str(),
            raw_path: parts.uri.path(),
            raw_query: parts.uri.query(),
            headers,
            body,
        };
        let caller = state
            .keys
            .by_signature(authorization, &signed, state.clock.now())?;
        // The SDK sends its credentials' domain id; a customer key signs
        // only for its own domain.
        if let (Some(domain), Some(own)) = (header("x-domain-id")?, caller.customer()) {
            if domain != own.as_str() {
                return Err(ApiError::access_denied(format!(
                    "key {} belongs to another domain than {domain}",
                    caller.access_key
                )));
            }
        }
        return Ok(caller);
    }
    if let Some(token) = header("x-auth-token")? {
        return state.keys.by_token(token, state.clock.now());
    }
    Err(ApiError::unauthenticated(
        "missing authorization: sign the request (SDK-HMAC-SHA256) or send X-Auth-Token",
    ))
}

/// The authenticated caller of a request.
pub struct Authenticated(pub Caller);

impl<S: Send + Sync> FromRequestParts<S> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .map(Authenticated)
            .ok_or_else(|| ApiError::unauthenticated("request was not authenticated"))
    }
}
