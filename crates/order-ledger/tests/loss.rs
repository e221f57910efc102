//! `order-ledger audit accept-loss`: the way back from a log that lacks
//! acknowledged records when no backup holds them. Refused input changes
//! nothing; an accepted loss is recorded in the engine's journal and in the
//! log, `audit verify` lists it, and a run interrupted between the two is
//! reported and completed by running it again.

mod common;

use std::path::Path;

use common::*;
use ledger_domain::ids::OperatorId;
use ledger_ops::loss::loss_note;
use ledger_ops::DataDir;
use ledger_store::Position;
use ledger_store_sled::raw::RawSegment;

const REASON: &str = "tail lost in the crash of node-1; no backup holds it; INC-4711";

fn verify(data: &Path) -> (i32, serde_json::Value) {
    let out = order_ledger(data, &["audit", "verify", "--json"]);
    (out.status.code().expect("exit code"), json_of(&out))
}

fn accept(data: &Path, first: u64, last: u64, reason: &str) -> std::process::Output {
    order_ledger(
        data,
        &[
            "audit",
            "accept-loss",
            "--first",
            &first.to_string(),
            "--last",
            &last.to_string(),
            "--operator",
            "ops-7",
            "--reason",
            reason,
            "--json",
        ],
    )
}

/// Writes the realistic history and drops its newest batch, as a damaged
/// tail would: returns the lost range.
async fn lose_the_tail(data: &Path) -> (u64, u64) {
    let head = write_history(data).await;
    let log = DataDir::new(data).log();
    let segs = Segments::open(&log);
    let last = segs.read().last().unwrap().first;
    segs.tree.remove(RawSegment::key(last)).unwrap();
    segs.close(&log);
    (last.0, head.position.0)
}

fn assert_missing(data: &Path, first: u64) {
    let (exit, json) = verify(data);
    assert_eq!(exit, 3, "{json}");
    assert_eq!(json["failure"]["code"], "acknowledged_missing", "{json}");
    assert_eq!(json["failure"]["position"], first, "{json}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_accepted_loss_is_recorded_twice_listed_and_opens_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let (first, last) = lose_the_tail(dir.path()).await;
    assert_missing(dir.path(), first);
    let serve = order_ledger(dir.path(), &["projections", "status"]);
    assert!(
        !serve.status.success(),
        "a log missing acknowledged records must not open"
    );

    // Refused input changes nothing.
    for (f, l, reason) in [
        (first + 1, last + 1, REASON),
        (first, last + 1, REASON),
        (first, last, ""),
        (0, last, REASON),
    ] {
        let out = accept(dir.path(), f, l, reason);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{f}..={l} {reason:?}: {}",
            stdout(&out)
        );
        assert_missing(dir.path(), first);
    }
    let out = accept(dir.path(), first, last + 1, REASON);
    let said = stderr(&out);
    assert!(
        said.contains(&format!("positions {first}..={last} are what is missing")),
        "{said}"
    );

    let out = accept(dir.path(), first, last, REASON);
    assert!(out.status.success(), "{}", stderr(&out));
    let done = json_of(&out);
    assert_eq!(done["first_position"], first);
    assert_eq!(done["last_position"], last);
    assert_eq!(done["head_position"], first - 1);
    assert_eq!(done["journal_recorded"], true);
    // The log goes on from its head: the event is the next record.
    assert_eq!(done["event_position"], first);
    let note = loss_note(first, last, &OperatorId::new("ops-7").unwrap(), REASON);
    assert_eq!(done["record_sha256"], note.to_hex());

    // Running it again records nothing twice.
    let again = accept(dir.path(), first, last, REASON);
    assert!(again.status.success(), "{}", stderr(&again));
    let again = json_of(&again);
    assert_eq!(again["journal_recorded"], false);
    assert_eq!(again["event_position"], first);

    let (exit, json) = verify(dir.path());
    assert_eq!(exit, 0, "{json}");
    assert_eq!(json["head_position"], first);
    let losses = json["accepted_losses"].as_array().unwrap();
    assert_eq!(losses.len(), 1, "{json}");
    assert_eq!(losses[0]["first_position"], first);
    assert_eq!(losses[0]["last_position"], last);
    assert_eq!(losses[0]["reason"], REASON);
    assert_eq!(losses[0]["accepted_by"], "operator:ops-7");
    assert_eq!(losses[0]["event_position"], first);
    let text = order_ledger(dir.path(), &["audit", "verify"]);
    assert!(
        stdout(&text).contains(&format!(
            "loss     positions {first}..={last} accepted by operator:ops-7"
        )),
        "{}",
        stdout(&text)
    );
    let status = order_ledger(dir.path(), &["projections", "status"]);
    assert!(status.status.success(), "{}", stderr(&status));
    // With nothing lost any more, there is nothing to accept.
    let out = accept(dir.path(), first + 5, first + 6, REASON);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no loss to accept"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_interrupted_after_the_journal_is_reported_and_completed_by_a_rerun() {
    let dir = tempfile::tempdir().unwrap();
    let (first, last) = lose_the_tail(dir.path()).await;
    let operator = OperatorId::new("ops-7").unwrap();
    // What accept-loss does first, and nothing after: the crash.
    ledger_store_sled::accept_loss(
        &DataDir::new(dir.path()).log(),
        Position(first),
        Position(last),
        loss_note(first, last, &operator, REASON),
    )
    .unwrap();
    let (exit, json) = verify(dir.path());
    assert_eq!(exit, 3, "{json}");
    assert_eq!(json["failure"]["code"], "loss_unrecorded", "{json}");
    assert_eq!(json["failure"]["position"], first);

    // Another reason is another record: refused, nothing changes.
    let out = accept(dir.path(), first, last, "something else");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("with a different record"),
        "{}",
        stderr(&out)
    );

    let out = accept(dir.path(), first, last, REASON);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json_of(&out)["journal_recorded"], false);
    let (exit, json) = verify(dir.path());
    assert_eq!(exit, 0, "{json}");
    assert_eq!(json["accepted_losses"].as_array().unwrap().len(), 1);
}
