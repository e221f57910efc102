//! `order-ledger audit verify` over a real sled data directory: a healthy
//! log verifies; each kind of tampering exits 3 and names the position.

mod common;

use std::collections::HashMap;
use std::path::Path;

use common::*;
use ledger_codec::envelope;
use ledger_ops::DataDir;
use ledger_store::{CommandId, Digest, Head, Position, RecordedEvent, StreamId, StreamVersion};
use ledger_store_sled::journal;
use ledger_store_sled::raw::{RawGuard, RawSegment};

/// Runs `audit verify --json` and returns (exit code, JSON).
fn verify(data: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let mut args = vec!["audit", "verify", "--json"];
    args.extend_from_slice(extra);
    let out = order_ledger(data, &args);
    (out.status.code().expect("exit code"), json_of(&out))
}

/// Asserts the audit fails at `position` with `code`, and returns the failure.
fn assert_fails_at(data: &Path, position: u64, code: &str) -> serde_json::Value {
    let (exit, json) = verify(data, &[]);
    assert_eq!(exit, 3, "{json}");
    assert_eq!(json["ok"], false, "{json}");
    let f = json["failure"].clone();
    assert_eq!(f["position"], position, "{json}");
    assert_eq!(f["code"], code, "{json}");
    // The human form names the position too.
    let text = order_ledger(data, &["audit", "verify"]);
    assert_eq!(text.status.code(), Some(3));
    assert!(
        stdout(&text).contains(&format!("position {position}")),
        "{}",
        stdout(&text)
    );
    f
}

fn position_of(segments: &[RawSegment], stream: &str, event_type: &str) -> Position {
    for s in segments {
        for (i, e) in s.envelopes.iter().enumerate() {
            let r = envelope::open(e).unwrap();
            if r.stream_id.as_str() == stream && r.event_type == event_type {
                return Position(s.first.0 + i as u64);
            }
        }
    }
    panic!("no {event_type} on {stream}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_healthy_log_verifies_with_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let head = write_history(dir.path()).await;
    let (exit, json) = verify(dir.path(), &[]);
    assert_eq!(exit, 0, "{json}");
    assert_eq!(json["ok"], true);
    assert_eq!(json["head_position"], head.position.0);
    assert_eq!(json["head_hash"], head.hash.to_hex());
    assert_eq!(json["events"], head.position.0);
    // cust1, cust2, O1..O5, HT1, HT2.
    assert_eq!(json["streams"], 9);
    assert!(json["duration_ms"].is_u64() && json["events_per_s"].is_u64());
    let text = order_ledger(dir.path(), &["audit", "verify"]);
    assert!(text.status.success());
    assert!(
        stdout(&text).contains("audit verify: ok"),
        "{}",
        stdout(&text)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flipped_byte_inside_a_batch_names_the_altered_record() {
    let dir = tempfile::tempdir().unwrap();
    write_history(dir.path()).await;
    let log = DataDir::new(dir.path()).log();
    let segs = Segments::open(&log);
    let segments = segs.read();
    // The HT1 application is one batch: the contract, then O1 and O2.
    let target = position_of(&segments, "order-O1", "OrderAttachedToContract");
    let seg = segments
        .iter()
        .find(|s| s.first.0 + 1 == target.0)
        .expect("mid-batch");
    assert_eq!(seg.envelopes.len(), 3);
    let mut seg = seg.clone();
    // Flip a byte of the record's command fingerprint: the record still
    // decodes and is legal, only the hash chain covers it.
    let fingerprint = record_at(&segments, target).metadata.command.fingerprint.0;
    let env = &mut seg.envelopes[1];
    let at = env
        .windows(32)
        .position(|w| w == fingerprint)
        .expect("fingerprint in the envelope");
    env[at] ^= 0x01;
    let t = &segs.tree;
    t.insert(RawSegment::key(seg.first), seg.encode()).unwrap();
    segs.close(&log);
    let f = assert_fails_at(dir.path(), target.0, "altered");
    assert_eq!(f["stream"], "order-O1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flipped_byte_in_the_head_record_fails_its_batch_trailer() {
    let dir = tempfile::tempdir().unwrap();
    let head = write_history(dir.path()).await;
    let log = DataDir::new(dir.path()).log();
    let segs = Segments::open(&log);
    let segments = segs.read();
    let mut last = segments.last().unwrap().clone();
    let env = last.envelopes.last_mut().unwrap();
    let at = env.len() - 33;
    env[at] ^= 0x80;
    let t = &segs.tree;
    t.insert(RawSegment::key(last.first), last.encode())
        .unwrap();
    segs.close(&log);
    // The index vouches for the head with its hash: the damaged head is
    // an acknowledged record that is not as acknowledged.
    let f = assert_fails_at(dir.path(), head.position.0, "acknowledged_missing");
    assert!(f["reason"].as_str().unwrap().contains("hashes"), "{f}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_record_is_a_gap_at_its_position() {
    let dir = tempfile::tempdir().unwrap();
    write_history(dir.path()).await;
    let log = DataDir::new(dir.path()).log();
    let segs = Segments::open(&log);
    let segments = segs.read();
    let paid = position_of(&segments, "order-O2", "OrderPaid");
    assert!(segments
        .iter()
        .any(|s| s.first == paid && s.envelopes.len() == 1));
    let t = &segs.tree;
    t.remove(RawSegment::key(paid)).unwrap().expect("removed");
    segs.close(&log);
    let f = assert_fails_at(dir.path(), paid.0, "gap");
    assert!(f["reason"]
        .as_str()
        .unwrap()
        .contains(&format!("expected position {paid}")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_reordered_records_are_caught_at_the_first() {
    let dir = tempfile::tempdir().unwrap();
    write_history(dir.path()).await;
    let log = DataDir::new(dir.path()).log();
    let segs = Segments::open(&log);
    let segments = segs.read();
    let a = position_of(&segments, "order-O1", "OrderPaid");
    let b = Position(a.0 + 1);
    let sa = segments.iter().find(|s| s.first == a).unwrap().clone();
    let sb = segments.iter().find(|s| s.first == b).unwrap().clone();
    assert_eq!((sa.envelopes.len(), sb.envelopes.len()), (1, 1));
    let t = &segs.tree;
    t.insert(RawSegment::key(a), sb.encode()).unwrap();
    t.insert(RawSegment::key(b), sa.encode()).unwrap();
    segs.close(&log);
    assert_fails_at(dir.path(), a.0, "gap");
}

/// A copy of `template` as another command's record, sealed at `position`
/// after `prev_hash`.
fn forge(
    template: &RecordedEvent,
    position: Position,
    version: StreamVersion,
    prev_hash: Digest,
    command: &str,
) -> (Vec<u8>, RecordedEvent) {
    let mut r = template.clone();
    r.position = position;
    r.stream_version = version;
    r.prev_hash = prev_hash;
    r.metadata.command.command_id = CommandId(command.into());
    r.metadata.event_id = ledger_codec::payload::event_id(command, 0);
    let bytes = envelope::reseal(&r).unwrap();
    r.hash = envelope::chain_hash(&bytes);
    (bytes, r)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_event_chained_to_the_wrong_predecessor_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let head = write_history(dir.path()).await;
    let log = DataDir::new(dir.path()).log();
    let segs = Segments::open(&log);
    let segments = segs.read();
    let before_last = record_at(&segments, Position(head.position.0 - 1));
    // O1 paid again, linked to the record before the head: a
    // valid-looking hash, of the wrong record.
    let template = record_at(&segments, position_of(&segments, "order-O1", "OrderPaid"));
    let o1_events = segments
        .iter()
        .flat_map(|s| s.envelopes.iter())
        .filter(|e| envelope::open(e).unwrap().stream_id.as_str() == "order-O1")
        .count() as u64;
    let (bytes, forged) = forge(
        &template,
        head.position.next(),
        StreamVersion(o1_events + 1),
        before_last.hash,
        "forged-1",
    );
    let seg = RawSegment {
        first: forged.position,
        envelopes: vec![bytes],
        last_hash: forged.hash,
        guards: vec![],
    };
    let t = &segs.tree;
    t.insert(RawSegment::key(seg.first), seg.encode()).unwrap();
    segs.close(&log);
    let f = assert_fails_at(dir.path(), head.position.0 + 1, "broken_chain");
    let reason = f["reason"].as_str().unwrap();
    assert!(
        reason.contains(&format!("hash of position {}", before_last.position)),
        "{reason}"
    );
}

/// Re-chains a log with `extra` inserted after the record at `after`:
/// positions, stream versions, previous hashes and batch trailers are all
/// recomputed, so only the audit of legality can object.
fn rechain_with(segments: &[RawSegment], after: Position, extra: RecordedEvent) -> Vec<RawSegment> {
    let mut batches: Vec<(Vec<RecordedEvent>, Vec<RawGuard>)> = Vec::new();
    for s in segments {
        let records: Vec<RecordedEvent> = s
            .envelopes
            .iter()
            .map(|e| envelope::open(e).unwrap())
            .collect();
        let contains = records.iter().any(|r| r.position == after);
        batches.push((records, s.guards.clone()));
        if contains {
            batches.push((vec![extra.clone()], vec![]));
        }
    }
    let mut versions: HashMap<StreamId, u64> = HashMap::new();
    let mut moved: HashMap<Position, Position> = HashMap::new();
    let mut prev = Digest::ZERO;
    let mut position = 0u64;
    let mut out = Vec::new();
    for (records, guards) in batches {
        let mut envelopes = Vec::new();
        let first = Position(position + 1);
        for mut r in records {
            position += 1;
            let v = versions.entry(r.stream_id.clone()).or_default();
            *v += 1;
            moved.insert(r.position, Position(position));
            r.position = Position(position);
            r.stream_version = StreamVersion(*v);
            r.prev_hash = prev;
            let bytes = envelope::reseal(&r).unwrap();
            prev = envelope::chain_hash(&bytes);
            envelopes.push(bytes);
        }
        let guards = guards
            .into_iter()
            .map(|g| RawGuard {
                command_first: moved[&g.command_first],
                ..g
            })
            .collect();
        out.push(RawSegment {
            first,
            envelopes,
            last_hash: prev,
            guards,
        });
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_illegal_transition_with_a_recomputed_chain_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let head = write_history(dir.path()).await;
    let log = DataDir::new(dir.path()).log();
    let segs = Segments::open(&log);
    let segments = segs.read();
    // O1 paid a second time, right after its payment, the whole rest of
    // the log re-chained after it.
    let paid = position_of(&segments, "order-O1", "OrderPaid");
    let template = record_at(&segments, paid);
    let (_, forged) = forge(
        &template,
        Position(0),
        StreamVersion(0),
        Digest::ZERO,
        "forged-2",
    );
    let rewritten = rechain_with(&segments, paid, forged);
    segs.replace_all(&rewritten);
    segs.close(&log);
    // A forger rewrites the acknowledgement journal too (else the engine
    // refuses: the acknowledged head's hash changed).
    let last = rewritten.last().unwrap();
    let new_head = Head {
        position: Position(last.end().0 - 1),
        hash: last.last_hash,
    };
    journal::write_atomically(&log, &[journal::Entry::Acked(new_head)]).unwrap();
    // The engine accepts the rewritten log: the chain is whole.
    let engine = order_ledger(dir.path(), &["audit", "head", "--json"]);
    assert!(engine.status.success(), "{}", stderr(&engine));
    assert_eq!(json_of(&engine)["position"], head.position.0 + 1);
    let f = assert_fails_at(dir.path(), paid.0 + 1, "illegal");
    assert_eq!(f["stream"], "order-O1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_head_proves_a_truncation_and_a_rewrite() {
    let dir = tempfile::tempdir().unwrap();
    let head = write_history(dir.path()).await;
    let printed = order_ledger(dir.path(), &["audit", "head", "--json"]);
    assert!(printed.status.success(), "{}", stderr(&printed));
    let h = json_of(&printed);
    assert_eq!(h["position"], head.position.0);
    assert_eq!(h["hash"], head.hash.to_hex());
    let recorded = format!("{}:{}", head.position, head.hash);

    let (exit, json) = verify(dir.path(), &["--expect-head", &recorded]);
    assert_eq!(exit, 0, "{json}");
    let wrong = format!("{}:{}", head.position, Digest([7; 32]));
    let (exit, json) = verify(dir.path(), &["--expect-head", &wrong]);
    assert_eq!(exit, 3, "{json}");
    assert_eq!(json["failure"]["code"], "expected_head_mismatch");
    assert_eq!(json["failure"]["position"], head.position.0);

    // Dropping the newest batch leaves a log that chains: only the
    // recorded head shows what is missing.
    let log = DataDir::new(dir.path()).log();
    let segs = Segments::open(&log);
    let last = segs.read().last().unwrap().first;
    let t = &segs.tree;
    t.remove(RawSegment::key(last)).unwrap();
    segs.close(&log);
    // The acknowledgement journal shows it without a recorded head.
    let (exit, json) = verify(dir.path(), &[]);
    assert_eq!(exit, 3, "{json}");
    assert_eq!(json["failure"]["code"], "acknowledged_missing");
    assert_eq!(json["failure"]["position"], last.0);
    let want = format!(
        "positions {last}..={} were acknowledged but are missing from the log",
        head.position
    );
    let reason = json["failure"]["reason"].as_str().unwrap();
    assert!(reason.contains(&want), "{reason}");
    let (exit, json) = verify(dir.path(), &["--expect-head", &recorded]);
    assert_eq!(exit, 3, "{json}");
    assert_eq!(json["failure"]["code"], "acknowledged_missing");
}

#[test]
fn bad_arguments_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = order_ledger(
        dir.path(),
        &["audit", "verify", "--expect-head", "nonsense"],
    );
    assert_eq!(out.status.code(), Some(2));
    let out = order_ledger(dir.path(), &["audit", "verify"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "no log is an error, not a verdict"
    );
    assert!(stderr(&out).contains("no log"), "{}", stderr(&out));
}
