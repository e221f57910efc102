//! Signed heads and proofs through the real binary: `audit head --signed`,
//! `audit prove`, `audit check-proof` (offline, no data directory), a
//! tampered proof exits 3, and a proof signed before a key rotation still
//! verifies under the old public key.

mod common;

use std::path::Path;

use common::*;
use ledger_domain::Command;
use tests::*;

/// A few hundred records (more than two chunks of 256) in a real data
/// directory.
async fn write_log(dir: &Path) -> u64 {
    let mut s = Scenario::open(dir).await;
    for c in onboard("cust1") {
        s.exec(c, service()).await;
    }
    for i in 0..400 {
        let o = format!("O{i}");
        s.exec(Command::PlaceOrder(place_order("cust1", &o)), service())
            .await;
        if i % 2 == 0 {
            s.exec(
                Command::PayOrder(pay_order(&o, &format!("PAY-{i}"))),
                service(),
            )
            .await;
        }
    }
    let n = s.head().position.0;
    s.close().await;
    n
}

/// Runs `audit check-proof` from a directory that holds no data: the
/// proof alone is enough.
fn check(file: &Path, keys: &[&str]) -> std::process::Output {
    let nowhere = tempfile::tempdir().unwrap();
    let mut args = vec!["audit", "check-proof", file.to_str().unwrap()];
    for k in keys {
        args.extend(["--public-key", k]);
    }
    order_ledger(&nowhere.path().join("absent"), &args)
}

fn save(dir: &Path, name: &str, v: &serde_json::Value) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec_pretty(v).unwrap()).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proofs_verify_offline_tampering_exits_3_and_old_keys_still_verify() {
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let n = write_log(data.path()).await;
    assert!(n > 512, "{n} records");

    // The signed head covers the whole log and names its last record.
    let out = order_ledger(data.path(), &["audit", "head", "--signed"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let head = json_of(&out);
    assert_eq!(head["tree_size"], n);
    assert_eq!(head["log_position"], n);
    let plain = json_of(&order_ledger(data.path(), &["audit", "head", "--json"]));
    assert_eq!(head["log_hash"], plain["hash"], "{plain}");
    let head_file = save(files.path(), "head.json", &head);
    let out = check(&head_file, &[]);
    assert!(out.status.success(), "{}", stderr(&out));

    // The public key `keys log-key` shows is the one that signed.
    let keys = json_of(&order_ledger(data.path(), &["keys", "log-key", "--json"]));
    let old_key = keys[0]["public_key"].as_str().unwrap().to_owned();
    assert_eq!(head["public_key"], old_key.as_str());
    assert_eq!(head["key_id"], keys[0]["key_id"]);

    // Inclusion proofs: first, middle (a full chunk), last; and at an
    // older size.
    let mut proofs = Vec::new();
    for (position, size) in [(1, None), (300, None), (n, None), (200, Some(257))] {
        let mut args = vec!["audit".to_owned(), "prove".into(), "--position".into()];
        args.push(position.to_string());
        if let Some(s) = size {
            args.extend(["--size".into(), s.to_string()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = order_ledger(data.path(), &args);
        assert!(out.status.success(), "{}", stderr(&out));
        let proof = json_of(&out);
        assert_eq!(proof["position"], position);
        assert_eq!(proof["head"]["tree_size"], size.unwrap_or(n));
        let file = save(files.path(), &format!("inclusion-{position}.json"), &proof);
        let ok = check(&file, &[&old_key]);
        assert!(ok.status.success(), "{}", stderr(&ok));
        assert!(stdout(&ok).starts_with("ok: record"), "{}", stdout(&ok));
        proofs.push((file, proof));
    }

    // Consistency: an older size (also inside a chunk) extends to the head.
    for from in ["1", "256", "300"] {
        let out = order_ledger(
            data.path(),
            &["audit", "prove", "--consistency", "--from", from],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let proof = json_of(&out);
        assert_eq!(proof["to"]["tree_size"], n);
        let file = save(files.path(), &format!("consistency-{from}.json"), &proof);
        let ok = check(&file, &[&old_key]);
        assert!(ok.status.success(), "{}", stderr(&ok));
        // The proof names the head `audit head --signed` printed.
        assert_eq!(proof["to"]["root"], head["root"]);

        // A flipped hash in the path: exit 3.
        let mut bad = proof.clone();
        let h = bad["path"][0].as_str().unwrap().to_owned();
        let flipped = format!("{}{}", if &h[..1] == "0" { "1" } else { "0" }, &h[1..]);
        bad["path"][0] = flipped.into();
        let out = check(&save(files.path(), "bad-consistency.json", &bad), &[]);
        assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    }

    // Tampering: a record hash, the root (signature no longer covers it),
    // the index: each exits 3 and says why.
    let (_, proof) = &proofs[1];
    let tampered = [
        ("record_hash", serde_json::json!("00".repeat(32))),
        ("position", serde_json::json!(301)),
    ];
    for (field, value) in tampered {
        let mut bad = proof.clone();
        bad[field] = value;
        let out = check(&save(files.path(), "bad.json", &bad), &[]);
        assert_eq!(out.status.code(), Some(3), "{field}: {}", stdout(&out));
        assert!(stderr(&out).contains("not verified"), "{}", stderr(&out));
    }
    let mut bad = proof.clone();
    bad["head"]["root"] = serde_json::json!("11".repeat(32));
    let out = check(&save(files.path(), "bad-root.json", &bad), &[]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("signature"), "{}", stderr(&out));
    let out = check(
        &save(files.path(), "garbage.json", &serde_json::json!({"x": 1})),
        &[],
    );
    assert_eq!(out.status.code(), Some(3));

    // Rotate: new heads use the new key; old proofs verify under the old
    // public key, not under the new one.
    let out = order_ledger(data.path(), &["keys", "rotate-log-key", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let keys = json_of(&out);
    let new_key = keys[0]["public_key"].as_str().unwrap().to_owned();
    assert_ne!(new_key, old_key);
    assert_eq!(keys[1]["public_key"], old_key.as_str());
    assert!(keys[1]["retired_at"].is_string());
    let (old_file, _) = &proofs[2];
    let ok = check(old_file, &[&old_key]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let ok = check(old_file, &[&new_key, &old_key]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let out = check(old_file, &[&new_key]);
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    let head = json_of(&order_ledger(data.path(), &["audit", "head", "--signed"]));
    assert_eq!(head["public_key"], new_key.as_str());
    let out = check(&save(files.path(), "new-head.json", &head), &[&new_key]);
    assert!(out.status.success(), "{}", stderr(&out));

    // Sizes beyond the log are refused (exit 1), not guessed.
    let beyond = (n + 1).to_string();
    let out = order_ledger(data.path(), &["audit", "prove", "--position", &beyond]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}
