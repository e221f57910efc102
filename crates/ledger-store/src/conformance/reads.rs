//! Cases about what is read back: reopen, hash chain, batching, subscriptions.

use super::*;

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
