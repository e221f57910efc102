//! sled-specific behaviour: rebuilt indexes, corruption detection, closing.

use std::collections::HashMap;

use ledger_store::conformance::{request, stream};
use ledger_store::{
    CommandId, DynStore, EventStore, ExpectedVersion, Position, RecordedEvent, StoreError,
    StreamVersion, MAX_READ_BATCH,
};
use ledger_store_sled::{SledStore, SEGMENTS_TREE};

async fn everything(store: &DynStore) -> Vec<RecordedEvent> {
    let mut out = Vec::new();
    loop {
        let batch = store
            .read_all(Position(out.len() as u64 + 1), MAX_READ_BATCH)
            .await
            .expect("read_all");
        if batch.is_empty() {
            return out;
        }
        out.extend(batch);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reopen_after_many_batches_rebuilds_identical_indexes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store: DynStore = SledStore::open(dir.path()).expect("open");
    // 16 concurrent writers so batches carry several commands each.
    let tasks: Vec<_> = (0..16)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                for n in 0..50u64 {
                    let own = format!("w{w}");
                    let shared = format!("shared{}", n % 4);
                    let id = format!("w{w}-{n}");
                    let req = request(
                        &id,
                        &[
                            (&own, ExpectedVersion::Exact(StreamVersion(n)), 1),
                            (&shared, ExpectedVersion::Any, 1),
                        ],
                    );
                    store.append(req).await.expect("append");
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("join");
    }
    let records = everything(&store).await;
    assert_eq!(records.len(), 16 * 50 * 2);
    let head = store.head();
    let mut versions = HashMap::new();
    let mut commands = HashMap::new();
    for r in &records {
        versions.insert(
            r.stream_id.clone(),
            store.stream_version(&r.stream_id).await.expect("v"),
        );
        let id = r.metadata.command.command_id.clone();
        commands.insert(
            id.clone(),
            store.command(&id).await.expect("cmd").expect("some"),
        );
    }
    drop(store);

    let store: DynStore = SledStore::open(dir.path()).expect("reopen");
    assert_eq!(store.head(), head);
    assert_eq!(everything(&store).await, records);
    for (s, v) in &versions {
        assert_eq!(store.stream_version(s).await.expect("v"), *v);
        let read = store
            .read_stream(s, StreamVersion(1), MAX_READ_BATCH)
            .await
            .expect("read");
        let expected: Vec<_> = records
            .iter()
            .filter(|r| &r.stream_id == s)
            .cloned()
            .collect();
        assert_eq!(read, expected);
    }
    for (id, c) in &commands {
        assert_eq!(store.command(id).await.expect("cmd").as_ref(), Some(c));
    }
    assert_eq!(
        store.command(&CommandId("none".into())).await.expect("cmd"),
        None
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupted_segment_byte_is_named_by_reads_and_by_a_full_reindex() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let store = SledStore::open(dir.path()).expect("open");
        // Sequential appends: one command, one record, one segment each.
        for i in 0..5 {
            store
                .append(request(&format!("c{i}"), &[("s", ExpectedVersion::Any, 1)]))
                .await
                .expect("append");
        }
        store.close().await.expect("close");
    }
    {
        let db = sled::Config::new()
            .path(dir.path())
            .flush_every_ms(None)
            .open()
            .expect("sled");
        let tree = db.open_tree(SEGMENTS_TREE).expect("tree");
        let key = 3u64.to_be_bytes();
        let mut value = tree.get(key).expect("get").expect("segment 3").to_vec();
        // The envelope ends with its payload then the 32-byte prev_hash; the
        // segment ends with a 4-byte guard count. Flip the payload's last byte.
        let at = value.len() - 4 - 32 - 1;
        value[at] ^= 0x01;
        tree.insert(key, value).expect("insert");
        db.flush().expect("flush");
    }
    // Open reads only the tail after the index's last record: the damage
    // in the middle is found by whatever reads it, named, never skipped.
    {
        let store = SledStore::open(dir.path()).expect("open reads the tail only");
        assert_eq!(store.head().position, Position(5));
        match store.read_all(Position(1), 10).await {
            Err(StoreError::Corrupt { position, reason }) => {
                assert_eq!(position, Position(3), "{reason}");
            }
            other => panic!("expected corruption, got {other:?}"),
        }
        let s = stream("s");
        assert!(matches!(
            store.read_stream(&s, StreamVersion(1), 10).await,
            Err(StoreError::Corrupt {
                position: Position(3),
                ..
            })
        ));
        store.close().await.expect("close");
    }
    // Without its index the whole log is read on open: refused there.
    std::fs::remove_dir_all(dir.path().join(ledger_store_sled::INDEX_DIR)).expect("rm index");
    match SledStore::open(dir.path()) {
        Err(StoreError::Corrupt { position, reason }) => {
            assert_eq!(position, Position(3), "{reason}");
        }
        Err(e) => panic!("expected corruption, got {e}"),
        Ok(_) => panic!("expected corruption, store opened"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damaged_framing_fails_reads_and_a_full_reindex() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let store = SledStore::open(dir.path()).expect("open");
        for i in 0..3 {
            store
                .append(request(&format!("c{i}"), &[("s", ExpectedVersion::Any, 2)]))
                .await
                .expect("append");
        }
    }
    {
        let db = sled::Config::new()
            .path(dir.path())
            .flush_every_ms(None)
            .open()
            .expect("sled");
        let tree = db.open_tree(SEGMENTS_TREE).expect("tree");
        // Segment of c1 starts at position 3; truncate its value.
        let key = 3u64.to_be_bytes();
        let value = tree.get(key).expect("get").expect("segment").to_vec();
        tree.insert(key, &value[..value.len() - 10])
            .expect("insert");
        db.flush().expect("flush");
    }
    {
        let store = SledStore::open(dir.path()).expect("open reads the tail only");
        let err = store.read_all(Position(1), 10).await.unwrap_err();
        assert!(
            matches!(err, StoreError::Corrupt { position, .. } if position == Position(3) || position == Position(4)),
            "{err:?}"
        );
        store.close().await.expect("close");
    }
    std::fs::remove_dir_all(dir.path().join(ledger_store_sled::INDEX_DIR)).expect("rm index");
    let err = SledStore::open(dir.path()).err().expect("must fail");
    assert!(
        matches!(err, StoreError::Corrupt { position, .. } if position == Position(3) || position == Position(4)),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_drains_then_refuses_appends() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SledStore::open(dir.path()).expect("open");
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .append(request(
                        &format!("c{i}"),
                        &[(&format!("s{i}"), ExpectedVersion::NoStream, 1)],
                    ))
                    .await
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("join").expect("append");
    }
    store.close().await.expect("close");
    let err = store
        .append(request("late", &[("s", ExpectedVersion::Any, 1)]))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    assert_eq!(store.head().position, Position(8));
    drop(store);
    let store = SledStore::open(dir.path()).expect("reopen");
    assert_eq!(store.head().position, Position(8));
    assert_eq!(
        store.stream_version(&stream("s7")).await.expect("v"),
        StreamVersion(1)
    );
}

#[test]
fn sled_keeps_its_log_in_the_db_file() {
    // The fdatasync in the writer targets `<dir>/db` (and `<dir>/blobs/*`):
    // pin that sled 0.34 still lays its directory out that way.
    let dir = tempfile::tempdir().expect("temp dir");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let store = SledStore::open(dir.path()).expect("open");
        store
            .append(request("c", &[("s", ExpectedVersion::Any, 1)]))
            .await
            .expect("append");
    });
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.contains(&"db".to_string()), "{names:?}");
    // Besides sled's files, only the engine's acknowledgement journal and
    // its index.
    assert!(names.contains(&ledger_store_sled::JOURNAL_FILE.to_string()));
    assert!(
        names.iter().all(|n| n == "db"
            || n == "conf"
            || n == "blobs"
            || n == ledger_store_sled::JOURNAL_FILE
            || n == ledger_store_sled::INDEX_DIR
            || n.starts_with("snap.")),
        "unexpected sled file in {names:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_fdatasync_stops_the_store_and_acknowledges_nothing_more() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = ledger_store_sled::Config {
        fail_syncs_after: Some(2),
        ..Default::default()
    };
    let store = SledStore::open_with(dir.path(), config).expect("open");
    // Two batches become durable...
    for i in 0..2 {
        store
            .append(request(
                &format!("ok{i}"),
                &[(&format!("s{i}"), ExpectedVersion::NoStream, 1)],
            ))
            .await
            .expect("durable append");
    }
    // ...the third batch's sync fails: it is not acknowledged, not readable,
    // and nothing after it is accepted.
    let err = store
        .append(request("lost", &[("s2", ExpectedVersion::NoStream, 1)]))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    assert_eq!(store.head().position, Position(2));
    assert!(store
        .read_all(Position(3), 10)
        .await
        .expect("read")
        .is_empty());
    assert_eq!(
        store
            .command(&CommandId("lost".into()))
            .await
            .expect("lookup"),
        None
    );
    let err = store
        .append(request("later", &[("s3", ExpectedVersion::NoStream, 1)]))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");

    // A restart recovers what was acknowledged (and may find the unsynced
    // batch too: it reached sled, only its sync failed).
    store.close().await.expect("close");
    drop(store);
    let store = SledStore::open(dir.path()).expect("reopen");
    assert!(store.head().position >= Position(2));
    for i in 0..2 {
        assert_eq!(
            store
                .stream_version(&stream(&format!("s{i}")))
                .await
                .expect("v"),
            StreamVersion(1)
        );
    }
    store
        .append(request(
            "after-restart",
            &[("s9", ExpectedVersion::NoStream, 1)],
        ))
        .await
        .expect("append");
}
