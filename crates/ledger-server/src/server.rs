//! Wiring: open the data directory, start the projections, the timer, the
//! gRPC and HTTP listeners; shut down gracefully.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::serve::ListenerExt as _;
use ledger_app::{Clock, CommandMeta, Ledger, Outcome};
use ledger_domain::Command;
use ledger_ops::{DataDir, OpsError};
use ledger_projections::{Projector, Timer};
use ledger_store::DynStore;
use ledger_store_sled::SledStore;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::{info, warn};

use crate::auth::Keys;
use crate::config::Config;
use crate::errors::ApiError;
use crate::metered::MeteredStore;
use crate::metrics::Metrics;

/// What every handler shares.
pub struct State {
    pub ledger: Arc<Ledger>,
    pub projector: Arc<Projector>,
    pub store: DynStore,
    pub clock: Arc<dyn Clock>,
    pub keys: Keys,
    pub metrics: Arc<Metrics>,
    pub data_dir: DataDir,
    /// Party B of every contract applied for through this node.
    pub party_b: Arc<str>,
    /// Turns true when the server begins to shut down (ends long streams).
    pub stop: watch::Receiver<bool>,
}

impl State {
    /// Executes a command, counting it by outcome.
    pub async fn execute(&self, command: Command, meta: CommandMeta) -> Result<Outcome, ApiError> {
        let name = command.name();
        let started = Instant::now();
        let result = self.ledger.execute(command, meta).await;
        let outcome = match &result {
            Ok(o) if o.deduplicated => "deduplicated",
            Ok(_) => "accepted",
            Err(e) => e.code(),
        };
        self.metrics.command(name, outcome, started.elapsed());
        Ok(result?)
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Ops(#[from] OpsError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("key store: {0}")]
    Keys(#[from] ledger_auth::KeyStoreError),
}

/// The running server.
pub struct Server;

/// A started server: its addresses, and how to stop it.
pub struct ServerHandle {
    pub grpc_addr: SocketAddr,
    pub http_addr: SocketAddr,
    pub state: Arc<State>,
    sled: Arc<SledStore>,
    shutdown: watch::Sender<bool>,
    grpc: JoinHandle<()>,
    http: JoinHandle<()>,
    background: Vec<JoinHandle<()>>,
}

async fn bind(addr: SocketAddr) -> Result<TcpListener, StartError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Bind { addr, source })
}

impl Server {
    /// Opens the data directory and starts serving. Returns once both
    /// listeners are bound.
    pub async fn start(config: &Config, clock: Arc<dyn Clock>) -> Result<ServerHandle, StartError> {
        let data_dir = DataDir::new(&config.data_dir);
        let metrics = Arc::new(Metrics::default());
        let meter = metrics.clone();
        let node = data_dir
            .open_with(
                clock.clone(),
                config.catch_up_before_serving_events,
                |store| MeteredStore::wrap(store, meter),
            )
            .await?;
        let meter = metrics.clone();
        node.sled
            .observe(Arc::new(move |round| meter.store_round(round)));
        let keys = Keys::open(&data_dir.keys())?;
        let grpc_listener = bind(config.grpc_listen).await?;
        let http_listener = bind(config.http_listen).await?;
        let grpc_addr = grpc_listener
            .local_addr()
            .map_err(|source| StartError::Bind {
                addr: config.grpc_listen,
                source,
            })?;
        let http_addr = http_listener
            .local_addr()
            .map_err(|source| StartError::Bind {
                addr: config.http_listen,
                source,
            })?;
        let (shutdown, stop) = watch::channel(false);
        let state = Arc::new(State {
            ledger: node.ledger.clone(),
            projector: node.projector.clone(),
            store: node.store.clone(),
            clock: clock.clone(),
            keys,
            metrics,
            data_dir,
            party_b: Arc::from(config.party_b.as_str()),
            stop,
        });

        let mut background = Vec::new();
        let projector = node.projector.clone();
        background.push(tokio::spawn(async move {
            if let Err(e) = projector.follow().await {
                warn!(error = %e, "projections stopped following the log");
            }
        }));
        let meter = state.metrics.clone();
        let timer = Timer::new(node.projector.clone(), node.ledger.clone(), clock)
            .with_observer(Arc::new(move |fired, lag| meter.timer_fired(fired, lag)));
        background.push(tokio::spawn(timer.run()));

        let grpc = {
            let mut stop = shutdown.subscribe();
            let router = crate::grpc::router(state.clone());
            // Nagle off on every connection: a reply is written at once, not
            // held for the client's delayed ACK (≈ 40 ms per call otherwise
            // for clients that do not set it themselves, e.g. grpcio).
            let incoming = tokio_stream::StreamExt::map(
                tokio_stream::wrappers::TcpListenerStream::new(grpc_listener),
                |conn| {
                    conn.inspect(|tcp| {
                        if let Err(e) = tcp.set_nodelay(true) {
                            warn!(error = %e, "tcp_nodelay not set on a grpc connection");
                        }
                    })
                },
            );
            tokio::spawn(async move {
                let stopped = async move {
                    let _ = stop.wait_for(|s| *s).await;
                };
                if let Err(e) = router.serve_with_incoming_shutdown(incoming, stopped).await {
                    warn!(error = %e, "grpc server failed");
                }
            })
        };
        let http = {
            let mut stop = shutdown.subscribe();
            let app = crate::rest::router(state.clone());
            tokio::spawn(async move {
                let stopped = async move {
                    let _ = stop.wait_for(|s| *s).await;
                };
                let listener = http_listener.tap_io(|tcp| {
                    if let Err(e) = tcp.set_nodelay(true) {
                        warn!(error = %e, "tcp_nodelay not set on an http connection");
                    }
                });
                if let Err(e) = axum::serve(listener, app)
                    .with_graceful_shutdown(stopped)
                    .await
                {
                    warn!(error = %e, "http server failed");
                }
            })
        };
        info!(%grpc_addr, %http_addr, data_dir = %state.data_dir.root().display(), "order-ledger serving");
        Ok(ServerHandle {
            grpc_addr,
            http_addr,
            state,
            sled: node.sled,
            shutdown,
            grpc,
            http,
            background,
        })
    }
}

impl ServerHandle {
    /// Graceful stop: stop accepting, let in-flight requests finish, stop
    /// the timer and projections, flush the projections' checkpoints and
    /// close the log (every acknowledged command is already durable).
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let _ = self.grpc.await;
        let _ = self.http.await;
        for task in &self.background {
            task.abort();
        }
        for task in self.background {
            let _ = task.await;
        }
        if let Err(e) = self.state.projector.flush().await {
            warn!(error = %e, "flushing projections failed");
        }
        if let Err(e) = self.sled.close().await {
            warn!(error = %e, "closing the log failed");
        }
        info!("order-ledger stopped");
    }
}
