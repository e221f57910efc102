//! The behaviour every [`EventStore`](crate::EventStore) engine must show.
//!
//! Each case is a `pub async fn` taking a [`Harness`], which opens (or
//! reopens) one backing store. An engine crate wires every case into a test
//! with [`conformance_tests!`](crate::conformance_tests):
//!
//! ```ignore
//! ledger_store::conformance_tests!(MyHarness::new);
//! ```
//!
//! `$open` is a function (or closure) returning a fresh harness; it is called
//! once per test. The engine crate needs `tokio` (with `macros`) as a
//! dev-dependency. No case sleeps to synchronise.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::DateTime;
use ledger_codec::envelope::{chain_hash, reseal};

use crate::{
    subscribe, AppendRequest, CommandId, CommandMetadata, CommandRecord, Committed, Digest,
    DynStore, EventData, ExpectedVersion, Head, Position, StoreError, StreamId, StreamVersion,
    StreamWrite, MAX_EVENTS_PER_APPEND, MAX_READ_BATCH,
};

/// Opens the store under test. Every call opens the SAME backing store, so a
/// second call after dropping all handles of the first is a reopen.
#[async_trait]
pub trait Harness: Send + Sync + 'static {
    /// Opens (or reopens) the backing store. Callers drop every handle to a
    /// previous instance before reopening.
    async fn open(&self) -> DynStore;
}

/// Wires every conformance case into its own multi-threaded tokio test.
/// `$open` returns a fresh [`Harness`] per test.
#[macro_export]
macro_rules! conformance_tests {
    ($open:expr) => {
        $crate::conformance_tests!(@cases $open;
            append_and_read_back,
            exact_mismatch_conflicts_and_writes_nothing,
            no_stream_and_any,
            racing_appends_one_winner_per_version,
            racing_appends_with_retries_are_gap_free,
            idempotent_commands,
            idempotency_survives_reopen,
            atomic_multi_stream,
            multi_stream_conflict_writes_nothing,
            invalid_requests_write_nothing,
            reopen_keeps_everything,
            hash_chain_links_records,
            watch_head_observes_commits,
            read_batching,
            subscription_catch_up_then_live,
            subscription_from_the_middle,
        );
    };
    (@cases $open:expr; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let harness = ($open)();
                $crate::conformance::$case(&harness).await;
            }
        )*
    };
}

/// Stream name used by the cases.
pub fn stream(name: &str) -> StreamId {
    StreamId(name.to_string())
}

/// The fingerprint the helpers give `command_id`.
pub fn fingerprint(command_id: &str) -> Digest {
    chain_hash(format!("fingerprint:{command_id}").as_bytes())
}

/// Metadata of a command sent by the helpers (fixed clock, fixed actor).
pub fn command(command_id: &str) -> CommandMetadata {
    CommandMetadata {
        command_id: CommandId(command_id.to_string()),
        fingerprint: fingerprint(command_id),
        recorded_at: DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default(),
        causation_id: None,
        correlation_id: Some(format!("corr-{command_id}")),
        actor: "system".to_string(),
    }
}

/// The `index`th event of `command_id`: its event id is derived from both.
pub fn event(command_id: &str, index: usize) -> EventData {
    let digest = chain_hash(format!("event:{command_id}:{index}").as_bytes());
    let mut event_id = [0u8; 16];
    event_id.copy_from_slice(&digest.0[..16]);
    EventData {
        event_type: "TestEvent".to_string(),
        schema_version: 1,
        event_id,
        payload: format!("{command_id}/{index}").into_bytes(),
    }
}

/// One stream's share of a request: (stream, expected version, event count).
pub type WriteSpec<'a> = (&'a str, ExpectedVersion, usize);

/// An append of `command_id` writing `writes`; event ids run over the whole request.
pub fn request(command_id: &str, writes: &[WriteSpec<'_>]) -> AppendRequest {
    let mut index = 0;
    let writes = writes
        .iter()
        .map(|&(name, expected, count)| StreamWrite {
            stream_id: stream(name),
            expected,
            events: (0..count)
                .map(|_| {
                    index += 1;
                    event(command_id, index - 1)
                })
                .collect(),
        })
        .collect();
    AppendRequest {
        command: command(command_id),
        writes,
    }
}

fn exact(v: u64) -> ExpectedVersion {
    ExpectedVersion::Exact(StreamVersion(v))
}

async fn append_ok(store: &DynStore, req: AppendRequest) -> Committed {
    let id = req.command.command_id.clone();
    match store.append(req).await {
        Ok(c) => c,
        Err(e) => panic!("append {id} failed: {e}"),
    }
}

async fn all_records(store: &DynStore) -> Vec<ledger_codec::RecordedEvent> {
    let mut out = Vec::new();
    let mut from = Position(1);
    loop {
        let batch = store
            .read_all(from, MAX_READ_BATCH)
            .await
            .expect("read_all");
        let Some(last) = batch.last() else { break };
        from = last.position.next();
        out.extend(batch);
    }
    out
}

/// Append to new streams with `NoStream`; read back by stream and globally.
pub async fn append_and_read_back<H: Harness>(h: &H) {
    let store = h.open().await;
    assert_eq!(store.head(), Head::default());
    let c1 = append_ok(
        &store,
        request("c1", &[("s-a", ExpectedVersion::NoStream, 2)]),
    )
    .await;
    assert_eq!((c1.first, c1.last), (Position(1), Position(2)));
    assert_eq!(c1.versions, vec![(stream("s-a"), StreamVersion(2))]);
    assert!(!c1.deduplicated);
    let c2 = append_ok(
        &store,
        request("c2", &[("s-b", ExpectedVersion::NoStream, 1)]),
    )
    .await;
    assert_eq!((c2.first, c2.last), (Position(3), Position(3)));
    let c3 = append_ok(&store, request("c3", &[("s-a", exact(2), 1)])).await;
    assert_eq!((c3.first, c3.last), (Position(4), Position(4)));

    let a = store
        .read_stream(&stream("s-a"), StreamVersion(1), 100)
        .await
        .expect("read");
    let versions: Vec<u64> = a.iter().map(|r| r.stream_version.0).collect();
    let positions: Vec<u64> = a.iter().map(|r| r.position.0).collect();
    assert_eq!(versions, vec![1, 2, 3]);
    assert_eq!(positions, vec![1, 2, 4]);
    assert_eq!(a[0].payload, event("c1", 0).payload);
    assert_eq!(a[1].metadata.event_id, event("c1", 1).event_id);
    assert_eq!(a[2].metadata.command, command("c3"));
    assert_eq!(
        store.stream_version(&stream("s-a")).await.expect("v"),
        StreamVersion(3)
    );
    assert_eq!(
        store.stream_version(&stream("s-b")).await.expect("v"),
        StreamVersion(1)
    );

    let all = all_records(&store).await;
    let positions: Vec<u64> = all.iter().map(|r| r.position.0).collect();
    assert_eq!(positions, vec![1, 2, 3, 4]);
    assert_eq!(all[2].stream_id, stream("s-b"));
    assert_eq!(all[2].stream_version, StreamVersion(1));
    assert_eq!(&all[3], &a[2]);
}

/// `Exact` mismatch is a conflict carrying the actual version; nothing is written.
pub async fn exact_mismatch_conflicts_and_writes_nothing<H: Harness>(h: &H) {
    let store = h.open().await;
    append_ok(
        &store,
        request("c1", &[("s", ExpectedVersion::NoStream, 3)]),
    )
    .await;
    let head = store.head();
    let err = store
        .append(request("c2", &[("s", exact(1), 1)]))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        StoreError::Conflict {
            stream_id: stream("s"),
            expected: exact(1),
            actual: StreamVersion(3),
        }
    );
    assert_eq!(store.head(), head);
    assert_eq!(
        store.stream_version(&stream("s")).await.expect("v"),
        StreamVersion(3)
    );
    assert_eq!(all_records(&store).await.len(), 3);
    // A rejected command id is not burnt: it can commit later.
    assert_eq!(
        store.command(&CommandId("c2".into())).await.expect("cmd"),
        None
    );
    let ok = append_ok(&store, request("c2", &[("s", exact(3), 1)])).await;
    assert_eq!(ok.first, Position(4));
}

/// `NoStream` on an existing stream conflicts; `Any` always admits.
pub async fn no_stream_and_any<H: Harness>(h: &H) {
    let store = h.open().await;
    append_ok(&store, request("c1", &[("s", ExpectedVersion::Any, 1)])).await;
    let err = store
        .append(request("c2", &[("s", ExpectedVersion::NoStream, 1)]))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict {
                actual: StreamVersion(1),
                ..
            }
        ),
        "{err:?}"
    );
    let c = append_ok(&store, request("c3", &[("s", ExpectedVersion::Any, 2)])).await;
    assert_eq!(c.versions, vec![(stream("s"), StreamVersion(3))]);
    assert_eq!(store.head().position, Position(3));
}

const RACERS: usize = 32;

/// Many tasks append at the same expected version: exactly one wins each round.
pub async fn racing_appends_one_winner_per_version<H: Harness>(h: &H) {
    let store = h.open().await;
    for round in 0..3u64 {
        let tasks: Vec<_> = (0..RACERS)
            .map(|i| {
                let store = store.clone();
                let req = request(&format!("r{round}-{i}"), &[("hot", exact(round), 1)]);
                tokio::spawn(async move { store.append(req).await })
            })
            .collect();
        let mut winners = 0;
        for task in tasks {
            match task.await.expect("join") {
                Ok(c) => {
                    winners += 1;
                    assert_eq!(c.versions, vec![(stream("hot"), StreamVersion(round + 1))]);
                }
                Err(StoreError::Conflict { actual, .. }) => {
                    assert_eq!(actual, StreamVersion(round + 1));
                }
                Err(e) => panic!("unexpected error {e}"),
            }
        }
        assert_eq!(winners, 1, "round {round}");
    }
    assert_eq!(
        store.stream_version(&stream("hot")).await.expect("v"),
        StreamVersion(3)
    );
    assert_eq!(store.head().position, Position(3));
}

/// Racing appends that retry on conflict: versions gap-free, each winner once.
pub async fn racing_appends_with_retries_are_gap_free<H: Harness>(h: &H) {
    let store = h.open().await;
    const PER_TASK: usize = 4;
    let tasks: Vec<_> = (0..RACERS)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                for n in 0..PER_TASK {
                    let id = format!("t{i}-{n}");
                    loop {
                        let v = store.stream_version(&stream("hot")).await.expect("v");
                        match store.append(request(&id, &[("hot", exact(v.0), 1)])).await {
                            Ok(_) => break,
                            Err(StoreError::Conflict { .. }) => continue,
                            Err(e) => panic!("unexpected error {e}"),
                        }
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("join");
    }
    let total = RACERS * PER_TASK;
    let records = store
        .read_stream(&stream("hot"), StreamVersion(1), total + 10)
        .await
        .expect("read");
    assert_eq!(records.len(), total);
    let mut ids = HashSet::new();
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r.stream_version, StreamVersion(i as u64 + 1));
        assert_eq!(r.position, Position(i as u64 + 1));
        assert!(
            ids.insert(r.metadata.command.command_id.clone()),
            "duplicate {r:?}"
        );
    }
    for i in 0..RACERS {
        for n in 0..PER_TASK {
            assert!(ids.contains(&CommandId(format!("t{i}-{n}"))));
        }
    }
}

/// Same id + same fingerprint dedups; another fingerprint is refused.
pub async fn idempotent_commands<H: Harness>(h: &H) {
    let store = h.open().await;
    let first = append_ok(
        &store,
        request("c1", &[("s", ExpectedVersion::NoStream, 2)]),
    )
    .await;
    let head = store.head();
    // Same command again: even its (now stale) expected version is not re-checked.
    let again = append_ok(
        &store,
        request("c1", &[("s", ExpectedVersion::NoStream, 2)]),
    )
    .await;
    assert_eq!(
        again,
        Committed {
            deduplicated: true,
            ..first.clone()
        }
    );
    assert_eq!(store.head(), head);
    let mut other = request("c1", &[("s", ExpectedVersion::Any, 1)]);
    other.command.fingerprint = fingerprint("something else");
    let err = store.append(other).await.unwrap_err();
    assert_eq!(
        err,
        StoreError::CommandIdReused {
            command_id: CommandId("c1".into())
        }
    );
    assert_eq!(store.head(), head);
    let record = store.command(&CommandId("c1".into())).await.expect("cmd");
    assert_eq!(
        record,
        Some(CommandRecord {
            fingerprint: fingerprint("c1"),
            committed: first
        })
    );
    assert_eq!(
        store.command(&CommandId("nope".into())).await.expect("cmd"),
        None
    );

    // Duplicates racing each other: one commit, all see the same positions.
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .append(request("c2", &[("t", ExpectedVersion::Any, 1)]))
                    .await
            })
        })
        .collect();
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.expect("join").expect("append"));
    }
    assert_eq!(results.iter().filter(|c| !c.deduplicated).count(), 1);
    assert!(results
        .iter()
        .all(|c| c.first == Position(3) && c.last == Position(3)));
    assert_eq!(store.head().position, Position(3));
}

/// Command records (including version-guard writes without events) survive reopen.
pub async fn idempotency_survives_reopen<H: Harness>(h: &H) {
    let store = h.open().await;
    append_ok(
        &store,
        request("c0", &[("guard", ExpectedVersion::NoStream, 1)]),
    )
    .await;
    let first = append_ok(
        &store,
        request(
            "c1",
            &[
                ("x", ExpectedVersion::NoStream, 2),
                ("guard", exact(1), 0),
                ("y", ExpectedVersion::Any, 1),
            ],
        ),
    )
    .await;
    assert_eq!(
        first.versions,
        vec![
            (stream("x"), StreamVersion(2)),
            (stream("guard"), StreamVersion(1)),
            (stream("y"), StreamVersion(1))
        ]
    );
    drop(store);
    let store = h.open().await;
    let again = append_ok(
        &store,
        request("c1", &[("x", ExpectedVersion::NoStream, 2)]),
    )
    .await;
    assert_eq!(
        again,
        Committed {
            deduplicated: true,
            ..first.clone()
        }
    );
    let mut other = request("c1", &[("x", ExpectedVersion::Any, 1)]);
    other.command.fingerprint = fingerprint("other");
    assert!(matches!(
        store.append(other).await,
        Err(StoreError::CommandIdReused { .. })
    ));
    let record = store
        .command(&CommandId("c1".into()))
        .await
        .expect("cmd")
        .expect("some");
    assert_eq!(record.committed, first);
    assert_eq!(store.head().position, Position(4));
}

/// One append writing three streams commits all of them.
pub async fn atomic_multi_stream<H: Harness>(h: &H) {
    let store = h.open().await;
    append_ok(
        &store,
        request("c0", &[("b", ExpectedVersion::NoStream, 1)]),
    )
    .await;
    let c = append_ok(
        &store,
        request(
            "c1",
            &[
                ("a", ExpectedVersion::NoStream, 2),
                ("b", exact(1), 1),
                ("c", ExpectedVersion::Any, 3),
            ],
        ),
    )
    .await;
    assert_eq!((c.first, c.last), (Position(2), Position(7)));
    assert_eq!(
        c.versions,
        vec![
            (stream("a"), StreamVersion(2)),
            (stream("b"), StreamVersion(2)),
            (stream("c"), StreamVersion(3))
        ]
    );
    let all = all_records(&store).await;
    let layout: Vec<(String, u64)> = all
        .iter()
        .map(|r| (r.stream_id.0.clone(), r.stream_version.0))
        .collect();
    let expected: Vec<(String, u64)> = [
        ("b", 1),
        ("a", 1),
        ("a", 2),
        ("b", 2),
        ("c", 1),
        ("c", 2),
        ("c", 3),
    ]
    .iter()
    .map(|&(s, v)| (s.to_string(), v))
    .collect();
    assert_eq!(layout, expected);
    assert!(all[1..]
        .iter()
        .all(|r| r.metadata.command.command_id.0 == "c1"));
}

/// When one write of a multi-stream append conflicts, none is written.
pub async fn multi_stream_conflict_writes_nothing<H: Harness>(h: &H) {
    let store = h.open().await;
    append_ok(
        &store,
        request("c0", &[("b", ExpectedVersion::NoStream, 1)]),
    )
    .await;
    let head = store.head();
    let err = store
        .append(request(
            "c1",
            &[
                ("a", ExpectedVersion::NoStream, 1),
                ("b", exact(5), 1),
                ("c", ExpectedVersion::Any, 1),
            ],
        ))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        StoreError::Conflict {
            stream_id: stream("b"),
            expected: exact(5),
            actual: StreamVersion(1)
        }
    );
    assert_eq!(store.head(), head);
    for s in ["a", "c"] {
        assert_eq!(
            store.stream_version(&stream(s)).await.expect("v"),
            StreamVersion::EMPTY
        );
        assert!(store
            .read_stream(&stream(s), StreamVersion(1), 10)
            .await
            .expect("read")
            .is_empty());
    }
    assert_eq!(all_records(&store).await.len(), 1);
}

/// Malformed requests are refused before anything is written.
pub async fn invalid_requests_write_nothing<H: Harness>(h: &H) {
    let store = h.open().await;
    append_ok(
        &store,
        request("c0", &[("s", ExpectedVersion::NoStream, 1)]),
    )
    .await;
    let head = store.head();
    let empty = request("e1", &[]);
    let no_events = request("e2", &[("s", ExpectedVersion::Any, 0)]);
    let twice = request(
        "e3",
        &[
            ("t", ExpectedVersion::Any, 1),
            ("t", ExpectedVersion::Any, 1),
        ],
    );
    let too_many = request(
        "e4",
        &[("u", ExpectedVersion::Any, MAX_EVENTS_PER_APPEND + 1)],
    );
    for req in [empty, no_events, twice, too_many] {
        let id = req.command.command_id.clone();
        let err = store.append(req).await.unwrap_err();
        assert!(matches!(err, StoreError::InvalidAppend(_)), "{id}: {err:?}");
        assert_eq!(store.command(&id).await.expect("cmd"), None);
    }
    assert_eq!(store.head(), head);
    assert_eq!(all_records(&store).await.len(), 1);
    for s in ["t", "u"] {
        assert_eq!(
            store.stream_version(&stream(s)).await.expect("v"),
            StreamVersion::EMPTY
        );
    }
}

/// Dropping and reopening keeps every acknowledged record, version, hash and command.
pub async fn reopen_keeps_everything<H: Harness>(h: &H) {
    let store = h.open().await;
    let mut committed = BTreeMap::new();
    for i in 0..20u64 {
        let name = format!("s{}", i % 3);
        let v = store.stream_version(&stream(&name)).await.expect("v");
        let id = format!("c{i}");
        let c = append_ok(
            &store,
            request(&id, &[(&name, exact(v.0), 1 + (i as usize % 2))]),
        )
        .await;
        committed.insert(id, c);
    }
    let before = all_records(&store).await;
    let head = store.head();
    let mut versions = Vec::new();
    for s in ["s0", "s1", "s2"] {
        versions.push(store.stream_version(&stream(s)).await.expect("v"));
    }
    drop(store);

    let store = h.open().await;
    assert_eq!(store.head(), head);
    assert_eq!(*store.watch_head().borrow(), head);
    assert_eq!(all_records(&store).await, before);
    for (s, v) in ["s0", "s1", "s2"].iter().zip(&versions) {
        assert_eq!(store.stream_version(&stream(s)).await.expect("v"), *v);
        let records = store
            .read_stream(&stream(s), StreamVersion(1), 100)
            .await
            .expect("read");
        let expected: Vec<_> = before
            .iter()
            .filter(|r| r.stream_id.0 == *s)
            .cloned()
            .collect();
        assert_eq!(records, expected);
    }
    for (id, c) in &committed {
        let record = store
            .command(&CommandId(id.clone()))
            .await
            .expect("cmd")
            .expect("some");
        assert_eq!(&record.committed, c);
    }
    // The log goes on where it stopped.
    let next = append_ok(&store, request("after", &[("s0", exact(versions[0].0), 1)])).await;
    assert_eq!(next.first, head.position.next());
    let last = store.read_all(next.first, 1).await.expect("read");
    assert_eq!(last[0].prev_hash, head.hash);
}

/// Every record chains to the previous one; the head names the last record.
pub async fn hash_chain_links_records<H: Harness>(h: &H) {
    let store = h.open().await;
    for i in 0..10 {
        let writes: Vec<String> = (0..=(i % 3)).map(|k| format!("s{k}-{i}")).collect();
        let specs: Vec<WriteSpec<'_>> = writes
            .iter()
            .map(|w| (w.as_str(), ExpectedVersion::Any, 2))
            .collect();
        append_ok(&store, request(&format!("c{i}"), &specs)).await;
    }
    let all = all_records(&store).await;
    assert!(!all.is_empty());
    let mut prev = Digest::ZERO;
    for r in &all {
        assert_eq!(r.prev_hash, prev, "position {}", r.position);
        let bytes = reseal(r).expect("reseal");
        assert_eq!(r.hash, chain_hash(&bytes), "position {}", r.position);
        prev = r.hash;
    }
    let last = all.last().expect("last");
    assert_eq!(
        store.head(),
        Head {
            position: last.position,
            hash: last.hash
        }
    );
}

/// `watch_head` sees each commit once it is durable.
pub async fn watch_head_observes_commits<H: Harness>(h: &H) {
    let store = h.open().await;
    let mut watch = store.watch_head();
    assert_eq!(*watch.borrow_and_update(), Head::default());
    let c = append_ok(&store, request("c1", &[("s", ExpectedVersion::Any, 2)])).await;
    watch.changed().await.expect("changed");
    let seen = *watch.borrow_and_update();
    assert_eq!(seen.position, c.last);
    assert_eq!(seen, store.head());
    let waiter = tokio::spawn(async move {
        loop {
            let head = *watch.borrow_and_update();
            if head.position >= Position(3) {
                return head;
            }
            watch.changed().await.expect("changed");
        }
    });
    append_ok(&store, request("c2", &[("s", ExpectedVersion::Any, 1)])).await;
    let head = waiter.await.expect("join");
    assert_eq!(head, store.head());
    let last = store.read_all(Position(3), 10).await.expect("read");
    assert_eq!(head.hash, last[0].hash);
}

/// Reads honour `max` (clamped to [`MAX_READ_BATCH`]) and start anywhere.
pub async fn read_batching<H: Harness>(h: &H) {
    let store = h.open().await;
    let total = MAX_READ_BATCH + 100;
    let mut written = 0;
    let mut n = 0;
    while written < total {
        let count = (total - written).min(MAX_EVENTS_PER_APPEND - 1);
        let other = format!("o{n}");
        append_ok(
            &store,
            request(
                &format!("c{n}"),
                &[
                    ("big", ExpectedVersion::Any, count),
                    (&other, ExpectedVersion::Any, 1),
                ],
            ),
        )
        .await;
        written += count;
        n += 1;
    }
    let all_count = (total + n) as u64;
    assert_eq!(store.head().position, Position(all_count));

    let batch = store.read_all(Position(1), 10).await.expect("read");
    assert_eq!(batch.len(), 10);
    let batch = store.read_all(Position(1), usize::MAX).await.expect("read");
    assert_eq!(batch.len(), MAX_READ_BATCH);
    let middle = store.read_all(Position(1500), 7).await.expect("read");
    let positions: Vec<u64> = middle.iter().map(|r| r.position.0).collect();
    assert_eq!(positions, (1500..1507).collect::<Vec<_>>());
    let tail = store
        .read_all(Position(all_count - 2), 100)
        .await
        .expect("read");
    assert_eq!(tail.len(), 3);
    assert!(store
        .read_all(Position(all_count + 1), 100)
        .await
        .expect("read")
        .is_empty());

    let big = stream("big");
    let batch = store
        .read_stream(&big, StreamVersion(1), usize::MAX)
        .await
        .expect("read");
    assert_eq!(batch.len(), MAX_READ_BATCH);
    let mid = store
        .read_stream(&big, StreamVersion(2000), 5)
        .await
        .expect("read");
    let versions: Vec<u64> = mid.iter().map(|r| r.stream_version.0).collect();
    assert_eq!(versions, (2000..2005).collect::<Vec<_>>());
    let tail = store
        .read_stream(&big, StreamVersion(total as u64), 100)
        .await
        .expect("read");
    assert_eq!(tail.len(), 1);
    assert!(store
        .read_stream(&big, StreamVersion(total as u64 + 1), 100)
        .await
        .expect("read")
        .is_empty());
    let from_zero = store
        .read_stream(&big, StreamVersion(0), 3)
        .await
        .expect("read");
    assert_eq!(from_zero[0].stream_version, StreamVersion(1));

    let absent = stream("absent");
    assert!(store
        .read_stream(&absent, StreamVersion(1), 10)
        .await
        .expect("read")
        .is_empty());
    assert_eq!(
        store.stream_version(&absent).await.expect("v"),
        StreamVersion::EMPTY
    );
}

async fn expect_positions(sub: &mut crate::Subscription, range: std::ops::RangeInclusive<u64>) {
    for p in range {
        let record = sub.next().await.expect("open").expect("record");
        assert_eq!(record.position, Position(p));
    }
}

/// From position 1: existing records, then live ones, in order, no gaps or dups.
pub async fn subscription_catch_up_then_live<H: Harness>(h: &H) {
    let store = h.open().await;
    for i in 0..5 {
        append_ok(
            &store,
            request(&format!("c{i}"), &[("s", ExpectedVersion::Any, 2)]),
        )
        .await;
    }
    let mut sub = subscribe(store.clone(), Position(1));
    expect_positions(&mut sub, 1..=10).await;
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            for i in 5..25 {
                append_ok(
                    &store,
                    request(&format!("c{i}"), &[("s", ExpectedVersion::Any, 2)]),
                )
                .await;
            }
        })
    };
    expect_positions(&mut sub, 11..=50).await;
    writer.await.expect("join");
    let all = Arc::new(all_records(&store).await);
    assert_eq!(all.len(), 50);
    append_ok(&store, request("last", &[("s", ExpectedVersion::Any, 1)])).await;
    let record = sub.next().await.expect("open").expect("record");
    assert_eq!(record.position, Position(51));
    assert_eq!(record.prev_hash, all[49].hash);
}

/// Subscribing from the middle starts exactly there.
pub async fn subscription_from_the_middle<H: Harness>(h: &H) {
    let store = h.open().await;
    for i in 0..10 {
        append_ok(
            &store,
            request(&format!("c{i}"), &[("s", ExpectedVersion::Any, 1)]),
        )
        .await;
    }
    let mut sub = subscribe(store.clone(), Position(7));
    expect_positions(&mut sub, 7..=10).await;
    append_ok(&store, request("c10", &[("s", ExpectedVersion::Any, 1)])).await;
    expect_positions(&mut sub, 11..=11).await;
    let mut past_head = subscribe(store.clone(), Position(12));
    append_ok(&store, request("c11", &[("s", ExpectedVersion::Any, 1)])).await;
    expect_positions(&mut past_head, 12..=12).await;
}
