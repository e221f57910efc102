//! Shared by the CLI tests: a realistic history written through the
//! library into a real data directory, running the binary, and reading
//! and rewriting the sled engine's segments for tamper tests.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command as Process, Output};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use ledger_app::ManualClock;
use ledger_domain::contract::{ContractKind, ConvertContract, VoidContract};
use ledger_domain::ids::OperatorId;
use ledger_domain::order::CancelOrder;
use ledger_domain::{Actor, Command};
use ledger_ops::{DataDir, Node};
use ledger_store::{Head, Position};
use ledger_store_sled::raw::RawSegment;
use ledger_store_sled::SEGMENTS_TREE;
use tests::*;

/// Runs `order-ledger --data-dir <data> <args>`.
pub fn order_ledger(data: &Path, args: &[&str]) -> Output {
    Process::new(env!("CARGO_BIN_EXE_order-ledger"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env("RUST_LOG", "warn")
        .env_remove("ORDER_LEDGER_TOKEN")
        .output()
        .expect("run order-ledger")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Parses the JSON a command printed.
pub fn json_of(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            stdout(o),
            stderr(o)
        )
    })
}

/// A ledger over a real data directory, with a manual clock.
pub struct Scenario {
    pub node: Node,
    pub clock: Arc<ManualClock>,
    n: u32,
}

pub fn cust(s: &str) -> Actor {
    Actor::Customer(customer_id(s))
}

pub fn operator() -> Actor {
    Actor::Operator(OperatorId::new("ops1").unwrap())
}

impl Scenario {
    pub async fn open(dir: &Path) -> Scenario {
        let clock = Arc::new(ManualClock::new(t0()));
        let node = DataDir::new(dir).open(clock.clone()).await.expect("open");
        Scenario { node, clock, n: 0 }
    }

    /// Executes one command (each a minute after the previous one) and
    /// brings the projections up to date.
    pub async fn exec(&mut self, command: Command, actor: Actor) {
        self.clock.advance(Duration::minutes(1));
        self.n += 1;
        let name = command.name();
        self.node
            .ledger
            .execute(command, meta(&format!("cmd-{}", self.n), actor))
            .await
            .unwrap_or_else(|e| panic!("{name} refused: {e}"));
        self.node.projector.catch_up().await.expect("catch up");
    }

    pub fn now(&self) -> DateTime<Utc> {
        use ledger_app::Clock;
        self.clock.now()
    }

    pub fn head(&self) -> Head {
        self.node.store.head()
    }

    /// Closes the log and the projections, so another process may open them.
    pub async fn close(self) {
        self.node.projector.flush().await.expect("flush");
        let Node {
            sled,
            store,
            ledger,
            projector,
            ..
        } = self.node;
        drop((store, ledger, projector));
        sled.close().await.expect("close");
        let log = sled.path().to_path_buf();
        drop(sled);
        wait_released(&log);
        wait_released(&log.with_file_name("projections"));
    }
}

/// The steps of the realistic history, each one command.
pub fn steps() -> Vec<(Command, Actor)> {
    let mut out: Vec<(Command, Actor)> = Vec::new();
    for c in onboard("cust1").into_iter().chain(onboard("cust2")) {
        out.push((c, service()));
    }
    for o in ["O1", "O2", "O3"] {
        out.push((Command::PlaceOrder(place_order("cust1", o)), service()));
    }
    out.push((Command::PayOrder(pay_order("O1", "PAY1")), service()));
    out.push((Command::PayOrder(pay_order("O2", "PAY2")), service()));
    out.push((
        Command::ApplyContract(apply_contract(
            "cust1",
            "HT1",
            ContractKind::Order,
            &["O1", "O2"],
        )),
        cust("cust1"),
    ));
    out.push((
        Command::ConvertContract(ConvertContract::new("HT1".parse().unwrap())),
        cust("cust1"),
    ));
    out.push((
        Command::CancelOrder(CancelOrder {
            order_id: order_id("O3"),
        }),
        cust("cust1"),
    ));
    out.push((Command::PlaceOrder(place_order("cust2", "O4")), service()));
    out.push((Command::PlaceOrder(place_order("cust1", "O5")), service()));
    out.push((
        Command::ApplyContract(apply_contract(
            "cust1",
            "HT2",
            ContractKind::PaymentRequest,
            &["O5"],
        )),
        cust("cust1"),
    ));
    out.push((
        Command::VoidContract(VoidContract {
            contract_no: "HT2".parse().unwrap(),
            ticket: None,
        }),
        operator(),
    ));
    out.push((Command::PayOrder(pay_order("O5", "PAY5")), service()));
    out.push((Command::PayOrder(pay_order("O4", "PAY4")), service()));
    out
}

/// Writes the whole realistic history into `dir` and closes it.
pub async fn write_history(dir: &Path) -> Head {
    let mut s = Scenario::open(dir).await;
    for (c, a) in steps() {
        s.exec(c, a).await;
    }
    let head = s.head();
    s.close().await;
    head
}

/// A closed log's segments, opened once per test (a sled database
/// dropped in this process may hold its lock a moment longer, so tests
/// never reopen one here; the binary, another process, opens it next).
pub struct Segments {
    db: sled::Db,
    pub tree: sled::Tree,
}

impl Segments {
    pub fn open(log: &Path) -> Segments {
        let db = sled::open(log).expect("sled");
        let tree = db.open_tree(SEGMENTS_TREE).expect("tree");
        Segments { db, tree }
    }

    /// Every segment, in key order.
    pub fn read(&self) -> Vec<RawSegment> {
        self.tree
            .iter()
            .map(|kv| {
                let (k, v) = kv.expect("read");
                let first = RawSegment::parse_key(&k).expect("segment key");
                RawSegment::parse(first, &v).expect("segment")
            })
            .collect()
    }

    /// Replaces every segment.
    pub fn replace_all(&self, segments: &[RawSegment]) {
        self.tree.clear().expect("clear");
        for s in segments {
            self.tree
                .insert(RawSegment::key(s.first), s.encode())
                .expect("insert");
        }
    }

    /// Makes the edits durable and closes the log.
    pub fn close(self, log: &Path) {
        self.db.flush().expect("flush");
        drop(self);
        wait_released(log);
    }
}

/// Waits until no handle of this process holds sled's lock on the
/// database in `dir` (sled lets go once its background i/o of a closed
/// database has finished): blocks on that very lock, then releases it, so
/// the binary, run next, can take it.
pub fn wait_released(dir: &Path) {
    use fs2::FileExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(dir.join("db"))
        .expect("sled's db file");
    FileExt::lock_exclusive(&file).expect("sled's lock");
    FileExt::unlock(&file).expect("unlock");
}

/// The record at `position` as stored (decoding its envelope).
pub fn record_at(segments: &[RawSegment], position: Position) -> ledger_store::RecordedEvent {
    for s in segments {
        let i = position.0.wrapping_sub(s.first.0) as usize;
        if i < s.envelopes.len() {
            return ledger_codec::envelope::open(&s.envelopes[i]).expect("decodes");
        }
    }
    panic!("no record at {position}");
}
