//! What an operator really meets after a crash: the real `serve` process,
//! several writers placing orders over gRPC, `kill -9` in the middle of the
//! load, then the real files damaged the way a failing disk or a torn write
//! damages them. Whatever the damage, an acknowledged order is never lost
//! in silence: `audit verify` either exits 0 and the log holds every
//! acknowledged order, or exits 3 naming positions, and `serve` refuses
//! a log missing acknowledged records until an operator restores it or
//! accepts the loss.

mod common;

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};

use common::*;
use ledger_server::pb::ledger_commands_client::LedgerCommandsClient;
use ledger_store_sled::JOURNAL_FILE;
use tests::server::{pb_onboard, pb_place_order, Bearer};
use tokio::sync::mpsc;
use tonic::transport::Channel;

const CUSTOMER: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
/// Writers placing orders at once.
const WRITERS: usize = 4;
/// Orders acknowledged before the kill.
const ACKED_BEFORE_KILL: usize = 1500;

/// `order-ledger serve` on ports the OS picks.
fn spawn_serve(data: &Path) -> Child {
    Process::new(env!("CARGO_BIN_EXE_order-ledger"))
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
        .expect("spawn serve")
}

/// Reads the server's banner: its gRPC URL once it serves, `None` if it
/// exits first (it refused the data directory). The rest of its output is
/// drained by a thread, so the server never writes into a closed pipe.
fn served_url(child: &mut Child) -> Option<String> {
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
    rx.recv().ok()
}

/// `serve` must refuse this data directory: it exits, non-zero, without
/// ever serving.
fn assert_serve_refuses(data: &Path) {
    let mut child = spawn_serve(data);
    let url = served_url(&mut child);
    if url.is_some() {
        child.kill().ok();
    }
    let status = child.wait().expect("wait");
    assert!(
        url.is_none(),
        "serve started on a log missing acknowledged orders"
    );
    assert!(!status.success());
}

/// `serve` starts on this data directory.
fn assert_serve_starts(data: &Path) {
    let mut child = spawn_serve(data);
    let url = served_url(&mut child);
    child.kill().ok();
    child.wait().expect("wait");
    assert!(url.is_some(), "serve did not start");
}

/// Places orders from one writer until the server goes away; sends each
/// acknowledged order id.
async fn writer(url: String, token: String, w: usize, acked: mpsc::UnboundedSender<String>) {
    let Ok(channel) = Channel::from_shared(url).expect("url").connect().await else {
        return;
    };
    let mut commands = LedgerCommandsClient::with_interceptor(channel, Bearer::new(&token));
    for i in 0.. {
        let order = format!("CS{w}{i:06}");
        let request = pb_place_order(&format!("place-{order}"), CUSTOMER, &order);
        match commands.place_order(request).await {
            Ok(_) => {
                if acked.send(order).is_err() {
                    return;
                }
            }
            Err(_) => return,
        }
    }
}

/// Writes orders through a real server and kills it with SIGKILL while
/// writers are busy. Returns the acknowledged order ids.
async fn crash_under_load(data: &Path) -> Vec<String> {
    let keys = order_ledger(data, &["keys", "create", "--role", "service", "--json"]);
    assert!(keys.status.success(), "{}", stderr(&keys));
    let token = json_of(&keys)["token"].as_str().unwrap().to_string();
    let mut child = spawn_serve(data);
    let url = served_url(&mut child).expect("serve starts");
    let channel = Channel::from_shared(url.clone())
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut commands = LedgerCommandsClient::with_interceptor(channel, Bearer::new(&token));
    pb_onboard(&mut commands, CUSTOMER).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| tokio::spawn(writer(url.clone(), token.clone(), w, tx.clone())))
        .collect();
    drop(tx);
    let mut acked = Vec::new();
    while acked.len() < ACKED_BEFORE_KILL {
        let order = rx.recv().await.expect("writers stopped before the kill");
        acked.push(order);
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("wait");
    for w in writers {
        w.await.unwrap();
    }
    // Acknowledgements that arrived while the process died.
    while let Ok(order) = rx.try_recv() {
        acked.push(order);
    }
    acked
}

fn copy_of(data: &Path, scratch: &Path, name: &str) -> PathBuf {
    let to = scratch.join(name);
    let out = Process::new("cp")
        .arg("-a")
        .arg(data)
        .arg(&to)
        .output()
        .expect("cp");
    assert!(out.status.success());
    to
}

/// The orders the log holds, by its export.
fn orders_in_log(data: &Path) -> HashSet<String> {
    let file = data.join("export.jsonl");
    let out = order_ledger(
        data,
        &["events", "export", "--output", file.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&file).unwrap();
    text.lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|r| r["event_type"] == "OrderPlaced")
        .map(|r| {
            r["stream_id"]
                .as_str()
                .unwrap()
                .trim_start_matches("order-")
                .to_string()
        })
        .collect()
}

/// What `audit verify` said about a damaged copy.
#[derive(Debug)]
enum Verdict {
    /// Exit 0, and every acknowledged order is in the log.
    Whole,
    /// Exit 3 with this failure code and position.
    Refused(String, u64, String),
}

/// The one property: never exit 0 with an acknowledged order missing,
/// never an unexplained error; a refusal names a position and `serve`
/// refuses too.
fn check(data: &Path, acked: &[String], case: &str) -> Verdict {
    let verdict = verdict_of(data, acked, case);
    eprintln!("{case}: {verdict:?}");
    verdict
}

fn verdict_of(data: &Path, acked: &[String], case: &str) -> Verdict {
    let out = order_ledger(data, &["audit", "verify", "--json"]);
    let exit = out.status.code();
    match exit {
        Some(0) => {
            let present = orders_in_log(data);
            let missing: Vec<_> = acked.iter().filter(|o| !present.contains(*o)).collect();
            assert!(
                missing.is_empty(),
                "{case}: audit verify said ok, but {} acknowledged orders are gone: {:?}",
                missing.len(),
                &missing[..missing.len().min(5)]
            );
            assert_serve_starts(data);
            Verdict::Whole
        }
        Some(3) => {
            let json = json_of(&out);
            let f = &json["failure"];
            let position = f["position"].as_u64().expect("a position");
            let code = f["code"].as_str().unwrap().to_string();
            let reason = f["reason"].as_str().unwrap_or_default();
            // A refusal names the position it refuses at, except when
            // nothing on the node can know it: the journal itself is what
            // is damaged, or the log is unreadable and no journal vouches
            // for a head; then the report must send the operator to a
            // backup.
            assert!(
                position > 0
                    || code == "journal"
                    || (code == "unreadable" && reason.contains("restore the data directory")),
                "{case}: {json}"
            );
            // What the head, the journal or sled's own recovery show is
            // refused at open. Damage further back (a record that does not
            // decode or chain) is found by reads and by this full check:
            // the engine opens reading only the tail after its index, and
            // refuses to serve the damaged record when it is read.
            if matches!(
                code.as_str(),
                "acknowledged_missing" | "journal" | "unreadable"
            ) {
                assert_serve_refuses(data);
            }
            Verdict::Refused(code, position, f["reason"].as_str().unwrap().to_string())
        }
        other => panic!(
            "{case}: audit verify exited {other:?}: {}{}",
            stdout(&out),
            stderr(&out)
        ),
    }
}

/// Every offset of `needle` in the files under `dir` (sled's own files).
fn occurrences(dir: &Path, needle: &[u8]) -> Vec<(PathBuf, usize)> {
    let mut out = Vec::new();
    for entry in walk(dir) {
        if entry.file_name().is_some_and(|n| n == JOURNAL_FILE) {
            continue;
        }
        let bytes = std::fs::read(&entry).unwrap();
        let mut from = 0;
        while let Some(i) = find(&bytes[from..], needle) {
            out.push((entry.clone(), from + i));
            from += i + 1;
        }
    }
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn flip(file: &Path, offset: usize) {
    let mut bytes = std::fs::read(file).unwrap();
    bytes[offset] ^= 0x5a;
    std::fs::write(file, bytes).unwrap();
}

fn truncate_by(file: &Path, by: u64) {
    let f = std::fs::OpenOptions::new().write(true).open(file).unwrap();
    let len = f.metadata().unwrap().len();
    f.set_len(len.saturating_sub(by)).unwrap();
    f.sync_all().unwrap();
}

/// A fixed pseudo-random sequence (xorshift), so every run damages the
/// same offsets of a given log.
struct Seeded(u64);

impl Seeded {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn lost_range(reason: &str) -> (u64, u64) {
    let range = reason
        .split("positions ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .expect("a range");
    let (first, last) = range.split_once("..=").expect("first..=last");
    (first.parse().unwrap(), last.parse().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_with_damaged_files_never_loses_an_acknowledged_order_in_silence() {
    let scratch = tempfile::tempdir().unwrap();
    let crashed = scratch.path().join("crashed");
    std::fs::create_dir(&crashed).unwrap();
    let acked = crash_under_load(&crashed).await;
    // The newest acknowledged order of writer 0 (each writer's orders are
    // acknowledged in order).
    let last = acked
        .iter()
        .rfind(|o| o.starts_with("CS0"))
        .unwrap()
        .clone();

    // As the crash left it: whole.
    let as_is = copy_of(&crashed, scratch.path(), "as-is");
    assert!(matches!(
        check(&as_is, &acked, "as crashed"),
        Verdict::Whole
    ));

    // The case: every copy of the newest acknowledged order id
    // damaged (sled's recovery then drops the tail that holds it).
    let hit = copy_of(&crashed, scratch.path(), "last-order");
    let log = hit.join("log");
    let spots = occurrences(&log, last.as_bytes());
    assert!(!spots.is_empty(), "{last} is not in sled's files");
    for (file, offset) in &spots {
        flip(file, *offset + 2);
    }
    match check(&hit, &acked, "last acknowledged order damaged") {
        Verdict::Refused(code, first, reason) if code == "acknowledged_missing" => {
            // The way back when no backup holds them: accept the loss.
            let (f, l) = lost_range(&reason);
            assert_eq!(f, first);
            let out = order_ledger(
                &hit,
                &[
                    "audit",
                    "accept-loss",
                    "--first",
                    &f.to_string(),
                    "--last",
                    &l.to_string(),
                    "--operator",
                    "ops-1",
                    "--reason",
                    "disk damage after a crash; INC-1",
                ],
            );
            assert!(out.status.success(), "{}", stderr(&out));
            let out = order_ledger(&hit, &["audit", "verify", "--json"]);
            assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
            let losses = json_of(&out)["accepted_losses"].clone();
            assert_eq!(losses[0]["first_position"], f, "{losses}");
            assert_eq!(losses[0]["last_position"], l, "{losses}");
            assert_serve_starts(&hit);
        }
        Verdict::Refused(..) => {}
        Verdict::Whole => panic!("damage to every copy of {last} cannot leave it whole"),
    }

    // Bytes flipped at fixed pseudo-random offsets near the end of sled's
    // log file, and anywhere in it; the file cut short.
    let db = Path::new("log").join("db");
    let len = std::fs::metadata(crashed.join(&db)).unwrap().len();
    let mut rng = Seeded(0x9e37_79b9_7f4a_7c15);
    for case in 0..6 {
        let copy = copy_of(&crashed, scratch.path(), &format!("tail-{case}"));
        let offset = len - 1 - rng.next() % len.min(64 * 1024);
        flip(&copy.join(&db), offset as usize);
        check(&copy, &acked, &format!("byte flipped at {offset} of {len}"));
    }
    for case in 0..8 {
        let copy = copy_of(&crashed, scratch.path(), &format!("anywhere-{case}"));
        let offset = rng.next() % len;
        flip(&copy.join(&db), offset as usize);
        check(&copy, &acked, &format!("byte flipped at {offset} of {len}"));
    }
    for case in 0..3 {
        let copy = copy_of(&crashed, scratch.path(), &format!("short-{case}"));
        let by = 1 + rng.next() % 8192;
        truncate_by(&copy.join(&db), by);
        check(&copy, &acked, &format!("db cut short by {by} bytes"));
    }

    // A torn journal write (its last entry cut short) loses nothing: the
    // records it would have vouched for were never acknowledged by it.
    let journal = Path::new("log").join(JOURNAL_FILE);
    for by in [1, 71, 143] {
        let copy = copy_of(&crashed, scratch.path(), &format!("journal-{by}"));
        truncate_by(&copy.join(&journal), by);
        let verdict = check(&copy, &acked, &format!("journal cut short by {by} bytes"));
        assert!(matches!(verdict, Verdict::Whole), "{verdict:?}");
    }
}
