//! `serve`: load settings, start the server, stop on SIGINT/SIGTERM.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use clap::Args;
use ledger_app::SystemClock;
use ledger_server::{Config, Server};

#[derive(Args)]
pub struct ServeArgs {
    /// gRPC listen address [default: 127.0.0.1:50051].
    #[arg(long)]
    grpc_listen: Option<SocketAddr>,
    /// HTTP listen address [default: 127.0.0.1:8080].
    #[arg(long)]
    http_listen: Option<SocketAddr>,
    /// Load the demo sample first if the data directory is new.
    #[arg(long)]
    demo: bool,
}

/// Defaults, then the file, then the environment, then `--data-dir`.
pub fn load_config(file: Option<&Path>, data_dir: Option<PathBuf>) -> anyhow::Result<Config> {
    let base = match file {
        Some(path) => Config::from_file(path)?,
        None => Config::default(),
    };
    let mut config = base.apply_env(|k| std::env::var(k).ok())?;
    if let Some(dir) = data_dir {
        config.data_dir = dir;
    }
    Ok(config)
}

pub async fn run(mut config: Config, args: ServeArgs) -> anyhow::Result<()> {
    if let Some(a) = args.grpc_listen {
        config.grpc_listen = a;
    }
    if let Some(a) = args.http_listen {
        config.http_listen = a;
    }
    if args.demo {
        if let Some(report) = crate::demo::load_if_empty(&config).await? {
            crate::demo::print(&report);
        }
    }
    let server = Server::start(&config, Arc::new(SystemClock))
        .await
        .context("starting the server")?;
    println!("order-ledger is serving");
    println!("  gRPC  http://{}", server.grpc_addr);
    println!("  REST  http://{}", server.http_addr);
    println!("  data  {}", config.data_dir.display());
    println!(
        "credentials: order-ledger --data-dir {} keys create --role service",
        config.data_dir.display()
    );
    shutdown_signal().await;
    println!("shutting down: finishing in-flight requests");
    server.shutdown().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
