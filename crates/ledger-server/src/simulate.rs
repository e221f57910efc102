//! `order-ledger simulate`: drives a running ledger over gRPC with the
//! workload of `ledger-sim`, as the purchase, payment and identity services
//! would (one service token), from many connections at once, and measures
//! the acknowledgements.
//!
//! Customers are onboarded first (their commands deduplicate on a rerun);
//! then each connection runs whole order lives (place; pay, cancel or leave
//! unpaid; perhaps a contract, converted or voided), until the order count
//! or the duration is reached, at an optional steady rate.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ledger_sim::{onboard, Latencies, Mix, OrderPlan, Step, Summary};
use tonic::metadata::{Ascii, MetadataValue};
use tonic::transport::{Channel, Endpoint};

use crate::grpc::requests::{command_request, send, send_batch, CommandRequest};
use crate::pb;
use crate::pb::ledger_commands_client::LedgerCommandsClient;

/// Most connections one run opens.
pub const MAX_CONNECTIONS: usize = 1024;
/// Longest run.
pub const MAX_DURATION: Duration = Duration::from_secs(24 * 3600);
/// Commands between two progress reports of one connection.
pub const PROGRESS_EVERY_COMMANDS: u64 = 256;

/// What to send, where, and how fast.
#[derive(Clone, Debug)]
pub struct SimulateOptions {
    /// The server's gRPC URL, e.g. `http://127.0.0.1:50051`.
    pub server: String,
    /// A service key's bearer token.
    pub token: String,
    pub mix: Mix,
    /// Connections (HTTP/2), each one order life at a time.
    pub connections: usize,
    /// The first order index to plan: distinct runs into one log use
    /// distinct ranges (or seeds), or their commands deduplicate.
    pub first_order: u64,
    /// Stop after this many orders ...
    pub orders: Option<u64>,
    /// ... or after this long, whichever comes first (one is required).
    pub duration: Option<Duration>,
    /// Commands per second over all connections; `None`: as fast as the
    /// server answers.
    pub rate: Option<u64>,
    /// Commands per call: 1 sends each command with its own RPC; more
    /// sends whole order lives together with `ExecuteBatch`, up to this
    /// many commands a call (at most [`crate::grpc::MAX_BATCH_COMMANDS`]).
    pub batch: usize,
}

/// Where a run is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SimProgress {
    pub commands: u64,
    pub orders: u64,
    pub refused: u64,
    pub elapsed: Duration,
}

/// What a run did.
#[derive(Clone, Debug)]
pub struct SimulateReport {
    pub customers: u64,
    pub orders: u64,
    pub commands: u64,
    pub deduplicated: u64,
    /// Commands the server refused (domain errors), by code, at most
    /// [`MAX_REFUSAL_CODES`] distinct codes.
    pub refused: Vec<(String, u64)>,
    pub elapsed: Duration,
    pub latency: Summary,
    /// The log position of the last acknowledged command.
    pub last_position: u64,
}

/// Most distinct refusal codes a report keeps.
pub const MAX_REFUSAL_CODES: usize = 32;

impl SimulateReport {
    pub fn commands_per_second(&self) -> u64 {
        let ms = self.elapsed.as_millis().max(1) as u64;
        self.commands.saturating_mul(1000) / ms
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    #[error("connections must be 1 to {MAX_CONNECTIONS}")]
    Connections,
    #[error("give --orders or --duration (at most 24 hours)")]
    Bounds,
    #[error("rate must be at least 1 command per second")]
    Rate,
    #[error("batch must be 1 to {} commands", crate::grpc::MAX_BATCH_COMMANDS)]
    Batch,
    #[error("the token must be ascii")]
    Token,
    #[error(transparent)]
    Mix(#[from] ledger_sim::MixError),
    #[error("connecting to {server}: {source}")]
    Connect {
        server: String,
        source: tonic::transport::Error,
    },
    /// Not a domain refusal: the server is unreachable, or refused the
    /// token, or failed. The run stops.
    #[error("{command_id}: {status}")]
    Failed {
        command_id: String,
        status: tonic::Status,
    },
    #[error("a connection task failed: {0}")]
    Task(String),
}

#[derive(Default)]
struct Shared {
    commands: AtomicU64,
    orders: AtomicU64,
    deduplicated: AtomicU64,
    last_position: AtomicU64,
    refused: std::sync::Mutex<Vec<(String, u64)>>,
    refused_total: AtomicU64,
    stop: AtomicBool,
}

struct Run {
    options: SimulateOptions,
    token: MetadataValue<Ascii>,
    shared: Shared,
    started: Instant,
    progress: Box<dyn Fn(SimProgress) + Send + Sync>,
}

/// A refusal the workload may meet now and then (a rule of the domain, a
/// conflict), counted, not fatal: the code from the status's
/// `x-error-code`. Authentication and permission failures, and the
/// server's own, stop the run: the token or the server is wrong.
fn refusal_code(status: &tonic::Status) -> Option<String> {
    use tonic::Code;
    match status.code() {
        Code::InvalidArgument
        | Code::FailedPrecondition
        | Code::AlreadyExists
        | Code::NotFound
        | Code::Aborted => Some(
            status
                .metadata()
                .get("x-error-code")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("unknown")
                .to_owned(),
        ),
        _ => None,
    }
}

impl Run {
    fn progress(&self) -> SimProgress {
        SimProgress {
            commands: self.shared.commands.load(Ordering::Relaxed),
            orders: self.shared.orders.load(Ordering::Relaxed),
            refused: self.shared.refused_total.load(Ordering::Relaxed),
            elapsed: self.started.elapsed(),
        }
    }

    /// Waits for the command's turn under `--rate`.
    async fn pace(&self, n: u64) {
        if let Some(rate) = self.options.rate {
            let due = self.started + Duration::from_micros(n.saturating_mul(1_000_000) / rate);
            tokio::time::sleep_until(due.into()).await;
        }
    }

    async fn send_all(
        &self,
        client: &mut LedgerCommandsClient<Channel>,
        steps: Vec<Step>,
        latencies: &mut Latencies,
    ) -> Result<(), SimulateError> {
        for step in steps {
            let n = self.shared.commands.fetch_add(1, Ordering::Relaxed);
            self.pace(n).await;
            let Some(request) = command_request(&step.command, &step.command_id) else {
                continue;
            };
            let sent = Instant::now();
            match send(client, &self.token, request).await {
                Ok(reply) => {
                    latencies.record(sent.elapsed());
                    if reply.deduplicated {
                        self.shared.deduplicated.fetch_add(1, Ordering::Relaxed);
                    }
                    self.shared
                        .last_position
                        .fetch_max(reply.position, Ordering::Relaxed);
                }
                Err(status) => match refusal_code(&status) {
                    Some(code) => {
                        latencies.record(sent.elapsed());
                        self.refused(code);
                        // The rest of this order's life depends on this step.
                        break;
                    }
                    None => {
                        self.shared.stop.store(true, Ordering::Relaxed);
                        return Err(SimulateError::Failed {
                            command_id: step.command_id,
                            status,
                        });
                    }
                },
            }
            if (n + 1) % PROGRESS_EVERY_COMMANDS == 0 {
                (self.progress)(self.progress());
            }
        }
        Ok(())
    }

    /// Sends `steps` (whole order lives) in `ExecuteBatch` calls of at most
    /// `options.batch` commands; each command's latency is its call's.
    async fn send_batched(
        &self,
        client: &mut LedgerCommandsClient<Channel>,
        steps: Vec<Step>,
        latencies: &mut Latencies,
    ) -> Result<(), SimulateError> {
        let requests: Vec<(String, CommandRequest)> = steps
            .into_iter()
            .filter_map(|s| command_request(&s.command, &s.command_id).map(|r| (s.command_id, r)))
            .collect();
        let mut requests = requests.into_iter().peekable();
        while requests.peek().is_some() {
            let chunk: Vec<(String, CommandRequest)> =
                requests.by_ref().take(self.options.batch).collect();
            let n = self
                .shared
                .commands
                .fetch_add(chunk.len() as u64, Ordering::Relaxed);
            self.pace(n + chunk.len() as u64 - 1).await;
            let first_id = chunk[0].0.clone();
            let count = chunk.len();
            let sent = Instant::now();
            let results = send_batch(
                client,
                &self.token,
                chunk.into_iter().map(|c| c.1).collect(),
            )
            .await
            .map_err(|status| {
                self.shared.stop.store(true, Ordering::Relaxed);
                SimulateError::Failed {
                    command_id: first_id,
                    status,
                }
            })?;
            let took = sent.elapsed();
            for _ in 0..count {
                latencies.record(took);
            }
            for r in results {
                match r.result {
                    Some(pb::batch_result::Result::Reply(reply)) => {
                        if reply.deduplicated {
                            self.shared.deduplicated.fetch_add(1, Ordering::Relaxed);
                        }
                        self.shared
                            .last_position
                            .fetch_max(reply.position, Ordering::Relaxed);
                    }
                    Some(pb::batch_result::Result::Error(e)) => self.refused(e.code),
                    None => {}
                }
            }
            if (n / PROGRESS_EVERY_COMMANDS) != ((n + count as u64) / PROGRESS_EVERY_COMMANDS) {
                (self.progress)(self.progress());
            }
        }
        Ok(())
    }

    fn refused(&self, code: String) {
        self.shared.refused_total.fetch_add(1, Ordering::Relaxed);
        let mut refused = self.shared.refused.lock().expect("refusals lock");
        if let Some(i) = refused.iter().position(|(c, _)| *c == code) {
            refused[i].1 += 1;
        } else if refused.len() < MAX_REFUSAL_CODES {
            refused.push((code, 1));
        }
    }

    fn out_of_time(&self) -> bool {
        self.shared.stop.load(Ordering::Relaxed)
            || self
                .options
                .duration
                .is_some_and(|d| self.started.elapsed() >= d)
    }
}

async fn connect(server: &str) -> Result<LedgerCommandsClient<Channel>, SimulateError> {
    let failed = |source| SimulateError::Connect {
        server: server.to_owned(),
        source,
    };
    let channel = Endpoint::from_shared(server.to_owned())
        .map_err(failed)?
        .tcp_nodelay(true)
        .connect()
        .await
        .map_err(failed)?;
    Ok(LedgerCommandsClient::new(channel))
}

/// Runs a task per connection, each taking the next of `count` indices
/// from `first`.
async fn fan_out(
    run: &Arc<Run>,
    clients: &[LedgerCommandsClient<Channel>],
    first: u64,
    count: u64,
    plan: fn(&Mix, u64) -> (Vec<Step>, bool),
) -> Result<Latencies, SimulateError> {
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for client in clients {
        let (run, next, mut client) = (run.clone(), next.clone(), client.clone());
        tasks.spawn(async move {
            let mut latencies = Latencies::default();
            let batch = run.options.batch;
            while !run.out_of_time() {
                if batch <= 1 {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= count {
                        break;
                    }
                    let (steps, is_order) = plan(&run.options.mix, first.saturating_add(n));
                    run.send_all(&mut client, steps, &mut latencies).await?;
                    if is_order {
                        run.shared.orders.fetch_add(1, Ordering::Relaxed);
                    }
                    continue;
                }
                // Whole lives until the batch is full.
                let mut steps = Vec::with_capacity(batch);
                let mut orders = 0;
                while steps.len() < batch {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= count {
                        break;
                    }
                    let (life, is_order) = plan(&run.options.mix, first.saturating_add(n));
                    steps.extend(life);
                    orders += u64::from(is_order);
                }
                if steps.is_empty() {
                    break;
                }
                run.send_batched(&mut client, steps, &mut latencies).await?;
                run.shared.orders.fetch_add(orders, Ordering::Relaxed);
            }
            Ok::<_, SimulateError>(latencies)
        });
    }
    let mut merged = Latencies::default();
    while let Some(joined) = tasks.join_next().await {
        merged.merge(&joined.map_err(|e| SimulateError::Task(e.to_string()))??);
    }
    Ok(merged)
}

/// Runs a simulation against `options.server`.
pub async fn simulate(
    options: SimulateOptions,
    progress: impl Fn(SimProgress) + Send + Sync + 'static,
) -> Result<SimulateReport, SimulateError> {
    options.mix.validate()?;
    if options.connections == 0 || options.connections > MAX_CONNECTIONS {
        return Err(SimulateError::Connections);
    }
    if options.orders.is_none() && options.duration.is_none()
        || options.duration.is_some_and(|d| d > MAX_DURATION)
    {
        return Err(SimulateError::Bounds);
    }
    if options.rate == Some(0) {
        return Err(SimulateError::Rate);
    }
    if options.batch == 0 || options.batch > crate::grpc::MAX_BATCH_COMMANDS {
        return Err(SimulateError::Batch);
    }
    let token: MetadataValue<Ascii> = format!("Bearer {}", options.token)
        .parse()
        .map_err(|_| SimulateError::Token)?;
    let mut clients = Vec::with_capacity(options.connections);
    for _ in 0..options.connections {
        clients.push(connect(&options.server).await?);
    }
    let customers = options.mix.customer_count();
    let run = Arc::new(Run {
        options,
        token,
        shared: Shared::default(),
        started: Instant::now(),
        progress: Box::new(progress),
    });

    let mut latencies = fan_out(&run, &clients, 0, customers, |mix, i| {
        (onboard(mix, i), false)
    })
    .await?;
    let orders = run.options.orders.unwrap_or(u64::MAX);
    latencies.merge(
        &fan_out(&run, &clients, run.options.first_order, orders, |mix, i| {
            (OrderPlan::new(mix, i).steps(), true)
        })
        .await?,
    );
    (run.progress)(run.progress());

    let s = &run.shared;
    let report = SimulateReport {
        customers,
        orders: s.orders.load(Ordering::Relaxed),
        commands: s.commands.load(Ordering::Relaxed),
        deduplicated: s.deduplicated.load(Ordering::Relaxed),
        refused: s.refused.lock().expect("refusals lock").clone(),
        elapsed: run.started.elapsed(),
        latency: latencies.summary(),
        last_position: s.last_position.load(Ordering::Relaxed),
    };
    Ok(report)
}
