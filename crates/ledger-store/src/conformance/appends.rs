//! Cases about appending: versions, conflicts, idempotency, atomicity.

use super::*;

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
