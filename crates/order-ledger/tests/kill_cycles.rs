//! Crash, restart, repeat: the real `serve` under load from several gRPC
//! writers is killed with SIGKILL at a seeded random moment, restarted on
//! the same data directory, and loaded again, [`CYCLES`] times. Each
//! restart first retries what the previous run left unanswered and a few
//! acknowledged commands (a caller that did not see, or doubts, its reply).
//! At the end:
//! - every acknowledged command is in the log exactly once (one
//!   `OrderPlaced` per placed order, one `OrderCancelled` per cancellation),
//!   and every retry of an acknowledged command answered `deduplicated`
//!   with its first position;
//! - `audit verify` passes;
//! - every projection, caught up after the last kill, equals a fresh
//!   rebuild of it from the log (content digest of each view).
//!
//! More cycles: `KILL_CYCLES=200 cargo test -p order-ledger --test kill_cycles`.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command as Process, Stdio};
use std::sync::{Arc, Mutex};

use common::*;
use ledger_app::SystemClock;
use ledger_ops::{DataDir, Node};
use ledger_server::pb;
use ledger_server::pb::ledger_commands_client::LedgerCommandsClient;
use tests::server::{pb_header, pb_onboard, pb_place_order, Bearer};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

const CUSTOMER: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
/// Kill-restart cycles in CI (`KILL_CYCLES` overrides).
const CYCLES: u64 = 20;
/// Concurrent writers per run.
const WRITERS: usize = 4;
/// Most acknowledgements a run waits for before its kill (the kill comes
/// after a seeded random number of them in `0..=MAX_ACKS_BEFORE_KILL`).
const MAX_ACKS_BEFORE_KILL: u64 = 120;
/// Acknowledged commands each restart retries.
const RETRIED_PER_RESTART: usize = 8;

type Client = LedgerCommandsClient<InterceptedService<Channel, Bearer>>;

/// One command a writer sends: its id and what it asks.
#[derive(Clone, Debug)]
enum Sent {
    Place { command_id: String, order: String },
    Cancel { command_id: String, order: String },
}

impl Sent {
    fn command_id(&self) -> &str {
        match self {
            Sent::Place { command_id, .. } | Sent::Cancel { command_id, .. } => command_id,
        }
    }

    async fn send(&self, client: &mut Client) -> Result<pb::CommandReply, tonic::Status> {
        let reply = match self {
            Sent::Place { command_id, order } => {
                client
                    .place_order(pb_place_order(command_id, CUSTOMER, order))
                    .await
            }
            Sent::Cancel { command_id, order } => {
                client
                    .cancel_order(pb::CancelOrderRequest {
                        header: Some(pb_header(command_id)),
                        order_id: order.clone(),
                    })
                    .await
            }
        };
        reply.map(tonic::Response::into_inner)
    }
}

/// What the writers saw, shared across runs.
#[derive(Default)]
struct Seen {
    /// Sent, by command id, and not yet answered.
    in_flight: HashMap<String, Sent>,
    /// Acknowledged: command id → (command, position of its last event).
    acked: BTreeMap<String, (Sent, u64)>,
}

/// xorshift64*: the kill moments, reproducible from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

fn spawn_serve(data: &Path) -> (Child, String) {
    let mut child = Process::new(env!("CARGO_BIN_EXE_order-ledger"))
        .arg("--data-dir")
        .arg(data)
        .args([
            "serve",
            "--grpc-listen",
            "127.0.0.1:0",
            "--http-listen",
            "127.0.0.1:0",
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn serve");
    let out = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if let Some(url) = line.trim().strip_prefix("gRPC  ") {
                if let Some(tx) = tx.take() {
                    tx.send(url.to_string()).ok();
                }
            }
        }
    });
    let url = rx.recv().expect("serve starts on the data directory");
    (child, url)
}

async fn client(url: &str, token: &str) -> Client {
    let channel = Channel::from_shared(url.to_owned())
        .unwrap()
        .connect()
        .await
        .expect("connect");
    LedgerCommandsClient::with_interceptor(channel, Bearer::new(token))
}

/// One writer: places orders and cancels every third one it placed, until
/// the server goes away. Every command is in `in_flight` before it is
/// sent and moves to `acked` with its answer.
async fn writer(
    url: String,
    token: String,
    name: String,
    seen: Arc<Mutex<Seen>>,
    acks: tokio::sync::watch::Sender<u64>,
) {
    let mut client = client(&url, &token).await;
    for i in 0u64.. {
        let order = format!("CS{name}{i:05}");
        let mut commands = vec![Sent::Place {
            command_id: format!("place-{order}"),
            order: order.clone(),
        }];
        if i % 3 == 0 {
            commands.push(Sent::Cancel {
                command_id: format!("cancel-{order}"),
                order,
            });
        }
        for command in commands {
            let id = command.command_id().to_owned();
            seen.lock()
                .unwrap()
                .in_flight
                .insert(id.clone(), command.clone());
            let Ok(reply) = command.send(&mut client).await else {
                return;
            };
            {
                let mut seen = seen.lock().unwrap();
                seen.in_flight.remove(&id);
                seen.acked.insert(id, (command, reply.position));
            }
            acks.send_modify(|n| *n += 1);
        }
    }
}

/// The digest of every projection's view.
fn digests(node: &Node) -> BTreeMap<&'static str, String> {
    node.projector
        .names()
        .map(|name| {
            let digest = node.projector.content_digest(name).expect("digest");
            (name, hex::encode(digest))
        })
        .collect()
}

/// Opens the data directory in-process (projections caught up), reads
/// every view's digest, and closes it for the next process.
async fn view_digests(data: &Path) -> BTreeMap<&'static str, String> {
    let node = DataDir::new(data)
        .open(Arc::new(SystemClock))
        .await
        .expect("open");
    node.projector.flush().await.expect("flush");
    let digests = digests(&node);
    let Node {
        sled,
        store,
        ledger,
        projector,
        ..
    } = node;
    drop((store, ledger, projector));
    sled.close().await.expect("close");
    drop(sled);
    wait_released(&data.join("log"));
    wait_released(&data.join("projections"));
    digests
}

/// How many times each (event type, stream) occurs in the log.
fn events_in_log(data: &Path, scratch: &Path) -> HashMap<(String, String), usize> {
    let file = scratch.join("export.jsonl");
    let out = order_ledger(
        data,
        &["events", "export", "--output", file.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let mut counts = HashMap::new();
    for line in std::fs::read_to_string(&file).unwrap().lines() {
        let r: serde_json::Value = serde_json::from_str(line).unwrap();
        let key = (
            r["event_type"].as_str().unwrap().to_owned(),
            r["stream_id"].as_str().unwrap().to_owned(),
        );
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_and_restarted_again_and_again_the_ledger_keeps_every_acknowledged_command_once() {
    let cycles = std::env::var("KILL_CYCLES")
        .ok()
        .map(|v| v.parse::<u64>().expect("KILL_CYCLES is a number"))
        .unwrap_or(CYCLES);
    let scratch = tempfile::tempdir().unwrap();
    let data = scratch.path().join("data");
    let keys = order_ledger(&data, &["keys", "create", "--role", "service", "--json"]);
    assert!(keys.status.success(), "{}", stderr(&keys));
    let token = json_of(&keys)["token"].as_str().unwrap().to_string();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let mut rng = Rng(0x005e_ed0f_c4a5);
    let mut retried_acked = 0usize;

    for cycle in 0..cycles {
        let (mut child, url) = spawn_serve(&data);
        let mut retry = client(&url, &token).await;
        if cycle == 0 {
            pb_onboard(&mut retry, CUSTOMER).await;
        }
        // What the last run left unanswered: sent again, each must now be
        // answered (recorded now, or found recorded before the kill).
        let unanswered: Vec<Sent> = seen.lock().unwrap().in_flight.values().cloned().collect();
        for command in unanswered {
            let reply = command
                .send(&mut retry)
                .await
                .unwrap_or_else(|e| panic!("retry of {command:?} refused: {e}"));
            let mut seen = seen.lock().unwrap();
            seen.in_flight.remove(command.command_id());
            seen.acked
                .insert(command.command_id().to_owned(), (command, reply.position));
        }
        // A few acknowledged ones: deduplicated, same position.
        let acked: Vec<(Sent, u64)> = {
            let seen = seen.lock().unwrap();
            let n = seen.acked.len();
            (0..RETRIED_PER_RESTART.min(n))
                .map(|_| {
                    let at = (rng.next() % n as u64) as usize;
                    seen.acked.values().nth(at).cloned().unwrap()
                })
                .collect()
        };
        for (command, position) in acked {
            let reply = command.send(&mut retry).await.expect("retry answered");
            assert!(reply.deduplicated, "{command:?} executed twice");
            assert_eq!(reply.position, position, "{command:?}");
            retried_acked += 1;
        }

        let kill_after = rng.next() % (MAX_ACKS_BEFORE_KILL + 1);
        let (acks, mut acked_now) = tokio::sync::watch::channel(0u64);
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                tokio::spawn(writer(
                    url.clone(),
                    token.clone(),
                    format!("{cycle:02}{w}"),
                    seen.clone(),
                    acks.clone(),
                ))
            })
            .collect();
        drop(acks);
        // Waits on acknowledgements, not on time.
        acked_now
            .wait_for(|n| *n >= kill_after)
            .await
            .expect("the writers run until the kill");
        child.kill().expect("SIGKILL");
        child.wait().expect("wait");
        for w in writers {
            w.await.unwrap();
        }
    }

    let counts = events_in_log(&data, scratch.path());
    let seen = std::mem::take(&mut *seen.lock().unwrap());
    let mut placed = HashSet::new();
    for (command, _) in seen.acked.values() {
        let (event, order) = match command {
            Sent::Place { order, .. } => {
                placed.insert(order.clone());
                ("OrderPlaced", order)
            }
            Sent::Cancel { order, .. } => ("OrderCancelled", order),
        };
        let n = counts
            .get(&(event.to_owned(), format!("order-{order}")))
            .copied()
            .unwrap_or(0);
        assert_eq!(
            n, 1,
            "{event} of acknowledged {order} is in the log {n} times"
        );
    }
    let placed_in_log = counts.keys().filter(|(e, _)| e == "OrderPlaced").count();
    assert!(
        placed_in_log >= placed.len(),
        "{placed_in_log} orders in the log, {} acknowledged",
        placed.len()
    );
    eprintln!(
        "{cycles} cycles: {} commands acknowledged, {retried_acked} acknowledged ones retried, {placed_in_log} orders in the log",
        seen.acked.len()
    );

    let verify = order_ledger(&data, &["audit", "verify", "--json"]);
    assert_eq!(verify.status.code(), Some(0), "{}", stdout(&verify));

    let caught_up = view_digests(&data).await;
    let rebuild = order_ledger(&data, &["projections", "rebuild", "all"]);
    assert!(rebuild.status.success(), "{}", stderr(&rebuild));
    let rebuilt = view_digests(&data).await;
    assert_eq!(caught_up.len(), DataDir::projections_list().len());
    assert_eq!(
        caught_up, rebuilt,
        "a projection caught up after the kills differs from its fresh rebuild"
    );
}
