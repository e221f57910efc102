//! The behaviour every [`EventStore`](crate::EventStore) engine must show.
//!
//! Each case is a `pub async fn` taking a [`Harness`], which opens (or
//! reopens) one backing store. An engine crate wires every case into a test
//! with [`conformance_tests!`](crate::conformance_tests):
//!
//! ```text
//! ledger_store::conformance_tests!(MyHarness::new);
//! ```
//!
//! `$open` is a function (or closure) returning a fresh harness; it is called
//! once per test. The engine crate needs `tokio` (with `macros`) as a
//! dev-dependency. No case sleeps to synchronise.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

mod appends;
mod reads;

pub use appends::*;
pub use reads::*;

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
        tenant: ledger_codec::Tenant::Nobody,
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

pub(super) fn exact(v: u64) -> ExpectedVersion {
    ExpectedVersion::Exact(StreamVersion(v))
}

pub(super) async fn append_ok(store: &DynStore, req: AppendRequest) -> Committed {
    let id = req.command.command_id.clone();
    match store.append(req).await {
        Ok(c) => c,
        Err(e) => panic!("append {id} failed: {e}"),
    }
}

pub(super) async fn all_records(store: &DynStore) -> Vec<ledger_codec::RecordedEvent> {
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
