//! The on-disk index against the log, with the real files: an index that
//! lags the log (a crash before it reached the disk), one that is ahead of
//! it or from another log, and one whose files are damaged. Each opens to
//! the same answers a fresh index gives, never to a silently wrong one.

use std::path::Path;

use ledger_store::conformance::{request, stream};
use ledger_store::{
    CommandId, EventStore, ExpectedVersion, Position, StreamVersion, MAX_READ_BATCH,
};
use ledger_store_sled::{SledStore, INDEX_DIR};

/// Appends `n` commands, `c{from}..`, each one record on its own stream
/// `o{i}` and one on the shared stream `s`.
async fn append(dir: &Path, from: u64, n: u64) {
    let store = SledStore::open(dir).expect("open");
    for i in from..from + n {
        let own = format!("o{i}");
        store
            .append(request(
                &format!("c{i}"),
                &[
                    (&own, ExpectedVersion::NoStream, 1),
                    ("s", ExpectedVersion::Any, 1),
                ],
            ))
            .await
            .expect("append");
    }
    store.close().await.expect("close");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn replace_index(log: &Path, with: &Path) {
    let index = log.join(INDEX_DIR);
    std::fs::remove_dir_all(&index).unwrap();
    copy_dir(with, &index);
}

/// What the store answers about `n` commands `c0..`: it must be what the
/// log says, whatever the index went through.
async fn assert_answers(dir: &Path, n: u64) {
    let store = SledStore::open(dir).expect("open");
    assert_eq!(store.head().position, Position(2 * n));
    assert_eq!(
        store.stream_version(&stream("s")).await.unwrap(),
        StreamVersion(n)
    );
    for i in [0, n / 2, n - 1] {
        let own = stream(&format!("o{i}"));
        assert_eq!(store.stream_version(&own).await.unwrap(), StreamVersion(1));
        let records = store.read_stream(&own, StreamVersion(1), 10).await.unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].position, Position(2 * i + 1));
        let command = store
            .command(&CommandId(format!("c{i}")))
            .await
            .unwrap()
            .expect("the command is known");
        assert_eq!(command.committed.first, Position(2 * i + 1));
        assert_eq!(command.committed.last, Position(2 * i + 2));
    }
    assert_eq!(
        store.command(&CommandId(format!("c{n}"))).await.unwrap(),
        None
    );
    let shared = store
        .read_stream(&stream("s"), StreamVersion(1), MAX_READ_BATCH)
        .await
        .unwrap();
    assert_eq!(shared.len() as u64, n.min(MAX_READ_BATCH as u64));
    // A retry of a known command is answered from the index, as before.
    let retry = store
        .append(request(
            "c0",
            &[
                ("o0", ExpectedVersion::NoStream, 1),
                ("s", ExpectedVersion::Any, 1),
            ],
        ))
        .await
        .unwrap();
    assert!(retry.deduplicated);
    // And the next command continues the streams where the log ends.
    let next = store
        .append(request(
            &format!("c{n}"),
            &[("s", ExpectedVersion::Exact(StreamVersion(n)), 1)],
        ))
        .await
        .unwrap();
    assert_eq!(next.first, Position(2 * n + 1));
    store.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_index_behind_the_log_catches_up_from_the_tail() {
    let scratch = tempfile::tempdir().unwrap();
    let log = scratch.path().join("log");
    append(&log, 0, 30).await;
    let old = scratch.path().join("old-index");
    copy_dir(&log.join(INDEX_DIR), &old);
    append(&log, 30, 40).await;
    // As if the index's last writes never reached the disk.
    replace_index(&log, &old);
    assert_answers(&log, 70).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_index_ahead_of_the_log_is_not_trusted_but_rebuilt() {
    let scratch = tempfile::tempdir().unwrap();
    let log = scratch.path().join("log");
    append(&log, 0, 20).await;
    let short = scratch.path().join("short");
    copy_dir(&log, &short);
    append(&log, 20, 20).await;
    // The index names positions 41..80 that `short` does not hold; its
    // journal acknowledged only 40, so nothing acknowledged is missing.
    replace_index(&short, &log.join(INDEX_DIR));
    assert_answers(&short, 20).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_index_of_another_log_is_not_trusted_but_rebuilt() {
    let scratch = tempfile::tempdir().unwrap();
    let a = scratch.path().join("a");
    let b = scratch.path().join("b");
    append(&a, 0, 25).await;
    // Same positions, other records (other command ids, so other hashes).
    let store = SledStore::open(&b).expect("open");
    for i in 0..25 {
        store
            .append(request(
                &format!("x{i}"),
                &[
                    ("t", ExpectedVersion::Any, 1),
                    ("u", ExpectedVersion::Any, 1),
                ],
            ))
            .await
            .unwrap();
    }
    store.close().await.unwrap();
    replace_index(&a, &b.join(INDEX_DIR));
    assert_answers(&a, 25).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damaged_index_files_are_rebuilt_from_the_log() {
    let scratch = tempfile::tempdir().unwrap();
    let log = scratch.path().join("log");
    append(&log, 0, 40).await;
    // Every file of the index cut to half its length: whatever fjall makes
    // of it, the answers must be the log's.
    let mut files = Vec::new();
    let mut dirs = vec![log.join(INDEX_DIR)];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                dirs.push(entry.path());
            } else {
                files.push(entry.path());
            }
        }
    }
    assert!(!files.is_empty());
    for file in files {
        let len = std::fs::metadata(&file).unwrap().len();
        let f = std::fs::OpenOptions::new().write(true).open(&file).unwrap();
        f.set_len(len / 2).unwrap();
    }
    assert_answers(&log, 40).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_index_is_rebuilt_from_the_log() {
    let scratch = tempfile::tempdir().unwrap();
    let log = scratch.path().join("log");
    append(&log, 0, 35).await;
    std::fs::remove_dir_all(log.join(INDEX_DIR)).unwrap();
    assert_answers(&log, 35).await;
}
