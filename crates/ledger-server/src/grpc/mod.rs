//! The gRPC services (tonic): commands for upstream services, queries over
//! the read models, the log subscription, and administration.

mod admin;
mod batch;
pub use batch::MAX_BATCH_COMMANDS;
mod commands;
pub mod convert;
mod queries;
pub mod requests;
mod subscribe;
pub mod views;

use std::sync::Arc;

use tonic::service::interceptor::InterceptedService;
use tonic::transport::server::Router;
use tonic::{Request, Status};

use crate::auth::Caller;
use crate::config::MAX_CONCURRENT_REQUESTS;
use crate::errors::ApiError;
use crate::pb::ledger_admin_server::LedgerAdminServer;
use crate::pb::ledger_commands_server::LedgerCommandsServer;
use crate::pb::ledger_queries_server::LedgerQueriesServer;
use crate::server::State;
use crate::trace::RequestTrace;

/// Largest gRPC message accepted (a PlaceOrder with every line item fits).
pub const MAX_GRPC_MESSAGE_BYTES: usize = 4 << 20;

/// Authenticates a call from its `authorization: Bearer <token>` metadata
/// and puts the [`Caller`] into the request's extensions.
fn authenticate(state: &State, mut req: Request<()>) -> Result<Request<()>, Status> {
    let span = crate::auth::auth_span("grpc");
    let _entered = span.enter();
    let caller = caller_of(state, &req);
    crate::auth::record_auth(&span, &caller);
    req.extensions_mut().insert(caller?);
    Ok(req)
}

fn caller_of(state: &State, req: &Request<()>) -> Result<Caller, ApiError> {
    let header = req
        .metadata()
        .get("authorization")
        .ok_or_else(|| ApiError::unauthenticated("missing authorization metadata"))?
        .to_str()
        .map_err(|_| ApiError::unauthenticated("authorization metadata is not ascii"))?;
    let token = header
        .strip_prefix("Bearer ")
        .ok_or_else(|| ApiError::unauthenticated("authorization must be a bearer token"))?;
    state.keys.by_token(token, state.clock.now())
}

/// The authenticated caller of a request (set by [`authenticate`]).
pub(crate) fn caller<T>(req: &Request<T>) -> Result<Caller, Status> {
    req.extensions()
        .get::<Caller>()
        .cloned()
        .ok_or_else(|| ApiError::unauthenticated("no caller").into())
}

fn interceptor(
    state: Arc<State>,
) -> impl FnMut(Request<()>) -> Result<Request<()>, Status> + Clone {
    move |req| authenticate(&state, req)
}

/// The span of one gRPC call (tonic runs the whole call in it): the
/// service and method (`rpc.service`, `rpc.method`, as OpenTelemetry names
/// them), the caller's `x-request-id`, and the caller's trace
/// (`traceparent`: `trace_id`, `parent_span_id`) continued.
pub(crate) fn call_span(req: &axum::http::Request<()>) -> tracing::Span {
    let trace = RequestTrace::from_headers(req.headers());
    let path = req.uri().path().trim_start_matches('/');
    let (service, method) = path.split_once('/').unwrap_or((path, ""));
    let span = tracing::info_span!(
        "grpc",
        rpc.system = "grpc",
        rpc.service = service,
        rpc.method = method,
        request_id = trace.request_id.as_deref(),
        trace_id = trace.trace_id(),
        parent_span_id = trace.parent_span_id(),
        correlation_id = trace.correlation(None),
    );
    crate::trace::continue_caller_trace(&span, &trace);
    span
}

/// Every gRPC service, authenticated, on one router.
pub fn router(state: Arc<State>) -> Router {
    let commands = LedgerCommandsServer::new(commands::Commands::new(state.clone()))
        .max_decoding_message_size(MAX_GRPC_MESSAGE_BYTES);
    let queries = LedgerQueriesServer::new(queries::Queries::new(state.clone()))
        .max_decoding_message_size(MAX_GRPC_MESSAGE_BYTES);
    let admin = LedgerAdminServer::new(admin::Admin::new(state.clone()));
    tonic::transport::Server::builder()
        .trace_fn(call_span)
        .concurrency_limit_per_connection(MAX_CONCURRENT_REQUESTS)
        .add_service(InterceptedService::new(
            commands,
            interceptor(state.clone()),
        ))
        .add_service(InterceptedService::new(queries, interceptor(state.clone())))
        .add_service(InterceptedService::new(admin, interceptor(state)))
}
