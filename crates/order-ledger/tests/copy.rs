//! Export → import and backup → restore give the same log: the same head,
//! the same records, the same command index; a doctored export is refused.

mod common;

use std::path::Path;

use common::*;
use ledger_ops::DataDir;
use ledger_store::{DynStore, Position, RecordedEvent, MAX_READ_BATCH};
use ledger_store_sled::SledStore;

async fn records(store: &DynStore) -> Vec<RecordedEvent> {
    let mut out = Vec::new();
    loop {
        let batch = store
            .read_all(Position(out.len() as u64 + 1), MAX_READ_BATCH)
            .await
            .unwrap();
        if batch.is_empty() {
            return out;
        }
        out.extend(batch);
    }
}

/// Asserts two closed data directories hold the same log: records, head
/// and every command's committed record (guards included).
async fn assert_same_log(a: &Path, b: &Path) {
    let sa = SledStore::open(DataDir::new(a).log()).unwrap();
    let sb = SledStore::open(DataDir::new(b).log()).unwrap();
    let (da, db): (DynStore, DynStore) = (sa.clone(), sb.clone());
    assert_eq!(da.head(), db.head());
    let ra = records(&da).await;
    assert_eq!(ra, records(&db).await);
    for r in &ra {
        let id = &r.metadata.command.command_id;
        assert_eq!(
            da.command(id).await.unwrap(),
            db.command(id).await.unwrap(),
            "{id}"
        );
    }
    drop((da, db));
    sa.close().await.unwrap();
    sb.close().await.unwrap();
    drop((sa, sb));
    wait_released(&DataDir::new(a).log());
    wait_released(&DataDir::new(b).log());
}

fn verified_head(data: &Path) -> (String, u64) {
    let out = order_ledger(data, &["audit", "verify", "--json"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let j = json_of(&out);
    (
        j["head_hash"].as_str().unwrap().to_owned(),
        j["head_position"].as_u64().unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_then_import_then_verify_gives_the_same_head() {
    let tmp = tempfile::tempdir().unwrap();
    let (src, dst) = (tmp.path().join("src"), tmp.path().join("dst"));
    let head = write_history(&src).await;
    let file = tmp.path().join("log.jsonl");
    let out = order_ledger(
        &src,
        &[
            "events",
            "export",
            "--format",
            "jsonl",
            "--output",
            file.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.lines().count() as u64, head.position.0);
    // Amounts are decimal strings in the event JSON.
    assert!(text.contains(r#""amount_due":"85.00""#), "{text}");

    let out = order_ledger(&dst, &["events", "import", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&head.hash.to_hex()),
        "{}",
        stdout(&out)
    );
    assert_eq!(verified_head(&dst), (head.hash.to_hex(), head.position.0));
    assert_eq!(verified_head(&src), verified_head(&dst));
    assert_same_log(&src, &dst).await;

    // Importing again is refused: the directory is no longer empty.
    let again = order_ledger(&dst, &["events", "import", file.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("not empty"), "{}", stderr(&again));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_ranges_go_to_stdout() {
    let tmp = tempfile::tempdir().unwrap();
    write_history(tmp.path()).await;
    let out = order_ledger(
        tmp.path(),
        &["events", "export", "--from", "5", "--to", "7"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let positions: Vec<u64> = lines
        .iter()
        .map(|l| l["position"].as_u64().unwrap())
        .collect();
    assert_eq!(positions, vec![5, 6, 7]);
    for l in &lines {
        for key in [
            "stream_id",
            "event_type",
            "command_id",
            "recorded_at",
            "actor",
            "hash",
            "prev_hash",
            "payload",
        ] {
            assert!(l.get(key).is_some(), "{key} missing: {l}");
        }
        assert!(l["event"].is_object(), "{l}");
    }
    let beyond = order_ledger(tmp.path(), &["events", "export", "--to", "1000"]);
    assert_eq!(beyond.status.code(), Some(1));
    assert!(
        stderr(&beyond).contains("beyond the head"),
        "{}",
        stderr(&beyond)
    );
}

/// Rewrites one field of one line of an export.
fn doctor(file: &Path, position: u64, edit: impl Fn(&mut serde_json::Value)) {
    let text = std::fs::read_to_string(file).unwrap();
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            if v["position"] == position {
                edit(&mut v);
            }
            v.to_string()
        })
        .collect();
    std::fs::write(file, lines.join("\n") + "\n").unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_doctored_export_is_refused_naming_the_record() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    write_history(&src).await;
    let file = tmp.path().join("log.jsonl");
    let out = order_ledger(&src, &["events", "export", "-o", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));

    // Another actor, with the hash left as exported: the recomputed hash
    // of record 6 differs.
    let actor = tmp.path().join("actor.jsonl");
    std::fs::copy(&file, &actor).unwrap();
    doctor(&actor, 6, |v| v["actor"] = "operator:mallory".into());
    let out = order_ledger(
        &tmp.path().join("a"),
        &["events", "import", actor.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("position 6"), "{}", stderr(&out));

    // An event that is not what the payload says.
    let event = tmp.path().join("event.jsonl");
    std::fs::copy(&file, &event).unwrap();
    doctor(&event, 8, |v| v["event"]["order_id"] = "O9".into());
    let out = order_ledger(
        &tmp.path().join("b"),
        &["events", "import", event.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("line 8"), "{}", stderr(&out));

    // A part of the log that does not start at position 1.
    let part = tmp.path().join("part.jsonl");
    let out = order_ledger(
        &src,
        &[
            "events",
            "export",
            "--from",
            "3",
            "-o",
            part.to_str().unwrap(),
        ],
    );
    assert!(out.status.success());
    let out = order_ledger(
        &tmp.path().join("c"),
        &["events", "import", part.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("expected position 1, found 3"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_then_restore_then_verify_gives_the_same_head() {
    let tmp = tempfile::tempdir().unwrap();
    let (src, dst, backup) = (
        tmp.path().join("src"),
        tmp.path().join("dst"),
        tmp.path().join("backup"),
    );
    let head = write_history(&src).await;
    let out = order_ledger(&src, &["backup", backup.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let b = json_of(&out);
    assert_eq!(b["position"], head.position.0);
    assert_eq!(b["hash"], head.hash.to_hex());
    assert!(backup.join("backup.json").is_file());

    let out = order_ledger(&dst, &["restore", backup.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r = json_of(&out);
    assert_eq!(r["head_position"], head.position.0);
    assert_eq!(r["head_hash"], head.hash.to_hex());
    assert_eq!(verified_head(&dst), (head.hash.to_hex(), head.position.0));
    assert_same_log(&src, &dst).await;

    // A second backup into the same directory, and a restore over a
    // restored directory, are refused.
    let out = order_ledger(&src, &["backup", backup.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = order_ledger(&dst, &["restore", backup.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not empty"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_whose_manifest_disagrees_is_not_restored() {
    let tmp = tempfile::tempdir().unwrap();
    let (src, backup) = (tmp.path().join("src"), tmp.path().join("backup"));
    write_history(&src).await;
    assert!(order_ledger(&src, &["backup", backup.to_str().unwrap()])
        .status
        .success());
    let manifest = backup.join("backup.json");
    let mut m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
    m["hash"] = "00".repeat(32).into();
    std::fs::write(&manifest, m.to_string()).unwrap();
    let dst = tmp.path().join("dst");
    let out = order_ledger(&dst, &["restore", backup.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("its manifest says"),
        "{}",
        stderr(&out)
    );
    assert!(!DataDir::new(&dst).log().exists(), "nothing restored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_library_backup_copies_a_store_in_use() {
    // The server calls `ledger_ops::backup` on its open store.
    let tmp = tempfile::tempdir().unwrap();
    let mut s = Scenario::open(&tmp.path().join("live")).await;
    for (c, a) in steps() {
        s.exec(c, a).await;
    }
    let head = s.head();
    let report = ledger_ops::backup(&s.node.store, &tmp.path().join("b"))
        .await
        .unwrap();
    assert_eq!(
        (report.position, report.hash, report.events),
        (head.position, head.hash, head.position.0)
    );
    s.close().await;
    wait_released(&tmp.path().join("b").join("log"));
    let restored = ledger_ops::restore(
        &tmp.path().join("b"),
        &DataDir::new(tmp.path().join("r")),
        |_, _, _| {},
    )
    .await
    .unwrap();
    assert_eq!(restored.head_position, head.position);
    assert_eq!(restored.head_hash, head.hash);
}
