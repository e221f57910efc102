//! order-ledger's network face. Only this crate knows HTTP and gRPC: the
//! gRPC services for upstream services (tonic, definitions in proto/), the
//! Huawei Cloud BSS-intl compatible REST API and the `/v1` resources
//! (axum), authentication, the one error table, and metrics.

mod auth;
pub mod config;
pub mod errors;
pub mod grpc;
mod metered;
pub mod metrics;
pub mod rest;
mod server;
pub mod simulate;
pub mod trace;
pub mod views;

pub use config::Config;
pub use server::{Server, ServerHandle, State};

/// The generated gRPC types of `proto/ledger/v1/ledger.proto`.
pub mod pb {
    #![allow(clippy::all, missing_docs)]
    tonic::include_proto!("ledger.v1");
}
