//! `verify` over a real history (the command service over the memory
//! store), then over tampered copies of it served by a Vec-backed fake.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::watch;

use ledger_audit::{verify, verify_with, ChainBreak, Failure, FailureKind, Report};
use ledger_codec::envelope;
use ledger_domain::contract::ContractKind;
use ledger_domain::Command;
use ledger_store::{
    AppendRequest, CommandId, CommandRecord, Committed, Digest, DynStore, EventData, EventStore,
    Head, Position, RecordedEvent, StoreError, StreamId, StreamVersion, MAX_READ_BATCH,
};
use ledger_store_memory::MemoryStore;
use tests::{apply_contract, ledger, onboard, pay_order, place_order, run_all};

/// A store that serves exactly the records it is given, tampered or not.
struct FakeStore {
    records: Vec<RecordedEvent>,
    head: Head,
}

impl FakeStore {
    fn serve(records: Vec<RecordedEvent>) -> DynStore {
        let head = records
            .last()
            .map(|r| Head {
                position: r.position,
                hash: r.hash,
            })
            .unwrap_or_default();
        Arc::new(FakeStore { records, head })
    }
}

#[async_trait]
impl EventStore for FakeStore {
    async fn append(&self, _request: AppendRequest) -> Result<Committed, StoreError> {
        Err(StoreError::Unavailable("read-only fake".into()))
    }

    async fn read_stream(
        &self,
        stream_id: &StreamId,
        from: StreamVersion,
        max: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        Ok(self
            .records
            .iter()
            .filter(|r| &r.stream_id == stream_id && r.stream_version >= from)
            .take(max.min(MAX_READ_BATCH))
            .cloned()
            .collect())
    }

    async fn stream_version(&self, stream_id: &StreamId) -> Result<StreamVersion, StoreError> {
        Ok(self
            .records
            .iter()
            .filter(|r| &r.stream_id == stream_id)
            .map(|r| r.stream_version)
            .max()
            .unwrap_or_default())
    }

    async fn read_all(&self, from: Position, max: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        Ok(self
            .records
            .iter()
            .skip_while(|r| r.position < from)
            .take(max.min(MAX_READ_BATCH))
            .cloned()
            .collect())
    }

    async fn command(&self, _command_id: &CommandId) -> Result<Option<CommandRecord>, StoreError> {
        Ok(None)
    }

    fn head(&self) -> Head {
        self.head
    }

    fn watch_head(&self) -> watch::Receiver<Head> {
        watch::channel(self.head).1
    }
}

/// A history touching every aggregate kind: a customer, three orders (paid,
/// in a voided payment-request contract, cancelled) and two contracts.
async fn history() -> (DynStore, Vec<RecordedEvent>) {
    let store: DynStore = MemoryStore::new();
    let (ledger, _clock) = ledger(store.clone());
    let mut commands = onboard("acme");
    for o in ["O1", "O2", "O3"] {
        commands.push(Command::PlaceOrder(place_order("acme", o)));
    }
    commands.extend([
        Command::PayOrder(pay_order("O1", "P1")),
        Command::ApplyContract(apply_contract("acme", "K1", ContractKind::Order, &["O1"])),
        Command::ConvertContract(ledger_domain::contract::ConvertContract::new(
            "K1".parse().unwrap(),
        )),
        Command::ApplyContract(apply_contract(
            "acme",
            "K2",
            ContractKind::PaymentRequest,
            &["O2"],
        )),
        Command::VoidContract(ledger_domain::contract::VoidContract {
            contract_no: "K2".parse().unwrap(),
            ticket: None,
        }),
        Command::CancelOrder(ledger_domain::order::CancelOrder {
            order_id: "O3".parse().unwrap(),
        }),
    ]);
    run_all(&ledger, "audit", commands).await;
    let records = store.read_all(Position(1), MAX_READ_BATCH).await.unwrap();
    assert_eq!(records.len() as u64, store.head().position.0);
    (store, records)
}

/// Renumbers positions and stream versions and recomputes every hash, as a
/// forger who knows the format would.
fn rechain(records: Vec<RecordedEvent>) -> Vec<RecordedEvent> {
    let mut versions: HashMap<StreamId, StreamVersion> = HashMap::new();
    let mut prev = Digest::ZERO;
    records
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let version = versions.entry(r.stream_id.clone()).or_default();
            *version = version.next();
            let data = EventData {
                event_type: r.event_type.clone(),
                schema_version: r.schema_version,
                event_id: r.metadata.event_id,
                payload: r.payload.clone(),
                tenant: r.metadata.tenant.clone(),
            };
            let (_, sealed) = envelope::seal(
                Position(i as u64 + 1),
                &r.stream_id,
                *version,
                &r.metadata.command,
                &data,
                prev,
            )
            .unwrap();
            prev = sealed.hash;
            sealed
        })
        .collect()
}

/// The hash a record's contents seal to (whatever hash it carries).
fn content_hash(r: &RecordedEvent) -> Digest {
    let data = EventData {
        event_type: r.event_type.clone(),
        schema_version: r.schema_version,
        event_id: r.metadata.event_id,
        payload: r.payload.clone(),
        tenant: r.metadata.tenant.clone(),
    };
    let (_, sealed) = envelope::seal(
        r.position,
        &r.stream_id,
        r.stream_version,
        &r.metadata.command,
        &data,
        r.prev_hash,
    )
    .unwrap();
    sealed.hash
}

fn index_of(records: &[RecordedEvent], event_type: &str) -> usize {
    records
        .iter()
        .position(|r| r.event_type == event_type)
        .unwrap_or_else(|| panic!("no {event_type} in the history"))
}

/// Verifies with the default working set and with one of a single
/// aggregate (every other aggregate rebuilt from its stream on each use):
/// both must reach the same verdict.
async fn verify_fake(records: Vec<RecordedEvent>) -> Result<Report, Failure> {
    let store = FakeStore::serve(records);
    let wide = verify(&store, |_, _| {}).await;
    let narrow = verify_with(&store, 1, |_, _| {}).await;
    let same = |r: &Result<Report, Failure>| {
        r.clone().map(|report| Report {
            reloads: 0,
            ..report
        })
    };
    assert_eq!(same(&narrow), same(&wide), "a one-aggregate working set");
    if let (Ok(w), Ok(n)) = (&wide, &narrow) {
        assert!(n.reloads > w.reloads, "{n:?} {w:?}");
    }
    wide
}

#[tokio::test]
async fn a_valid_log_verifies_to_the_stores_head() {
    let (store, records) = history().await;
    let mut calls = Vec::new();
    let report = verify(&store, |done, total| calls.push((done, total)))
        .await
        .unwrap();
    let head = store.head();
    assert_eq!(report.events, records.len() as u64);
    assert_eq!(report.head_position, head.position);
    assert_eq!(report.head_hash, head.hash);
    // customer-acme, three orders, two contracts.
    assert_eq!(report.streams, 6);
    assert_eq!(calls, vec![(head.position.0, head.position.0)]);
    // The untouched records served by the fake verify the same.
    assert_eq!(verify_fake(records).await.unwrap(), report);
}

#[tokio::test]
async fn a_rechained_copy_of_a_valid_log_verifies() {
    // The forger's tool changes nothing about a valid log.
    let (_, records) = history().await;
    assert_eq!(rechain(records.clone()), records);
}

#[tokio::test]
async fn a_flipped_payload_byte_breaks_the_chain_at_its_record() {
    let (_, mut records) = history().await;
    let i = index_of(&records, "OrderPaid");
    let last = records[i].payload.len() - 1;
    records[i].payload[last] ^= 0x01;
    let failure = verify_fake(records.clone()).await.unwrap_err();
    assert_eq!(failure.position, records[i].position);
    assert_eq!(failure.stream.as_ref(), Some(&records[i].stream_id));
    assert!(
        matches!(
            failure.reason,
            FailureKind::BrokenChain(ChainBreak::HashMismatch { .. })
        ),
        "{failure}"
    );
}

#[tokio::test]
async fn a_payload_that_does_not_decode_is_named_even_when_rechained() {
    let (_, mut records) = history().await;
    let i = index_of(&records, "OrderPaid");
    records[i].payload.push(0);
    let records = rechain(records);
    let failure = verify_fake(records.clone()).await.unwrap_err();
    assert_eq!(failure.position, records[i].position);
    assert!(
        matches!(failure.reason, FailureKind::Decode(_)),
        "{failure}"
    );
}

#[tokio::test]
async fn a_deleted_record_is_a_gap_at_its_position() {
    let (_, mut records) = history().await;
    let removed = records.remove(4);
    let failure = verify_fake(records).await.unwrap_err();
    assert_eq!(failure.position, removed.position);
    assert_eq!(
        failure.reason,
        FailureKind::Gap {
            expected: Position(5),
            found: Position(6)
        }
    );
}

#[tokio::test]
async fn two_reordered_records_are_a_gap_at_the_first() {
    let (_, mut records) = history().await;
    records.swap(4, 5);
    let failure = verify_fake(records).await.unwrap_err();
    assert_eq!(failure.position, Position(5));
    assert_eq!(
        failure.reason,
        FailureKind::Gap {
            expected: Position(5),
            found: Position(6)
        }
    );
}

#[tokio::test]
async fn reordered_and_renumbered_records_break_the_chain() {
    // Positions renumbered to hide the swap, hashes left as they were.
    let (_, mut records) = history().await;
    records.swap(4, 5);
    records[4].position = Position(5);
    records[5].position = Position(6);
    let failure = verify_fake(records).await.unwrap_err();
    assert_eq!(failure.position, Position(5));
    assert!(
        matches!(failure.reason, FailureKind::BrokenChain(_)),
        "{failure}"
    );
}

#[tokio::test]
async fn a_forged_record_with_a_valid_hash_of_the_wrong_predecessor_breaks_the_chain() {
    let (_, mut records) = history().await;
    let n = records.len();
    let mut forged = records[n - 1].clone();
    forged.position = Position(n as u64 + 1);
    forged.stream_version = forged.stream_version.next();
    forged.prev_hash = records[n - 2].hash; // skips its real predecessor
    forged.hash = content_hash(&forged);
    records.push(forged);
    let failure = verify_fake(records).await.unwrap_err();
    assert_eq!(failure.position, Position(n as u64 + 1));
    assert!(
        matches!(
            failure.reason,
            FailureKind::BrokenChain(ChainBreak::PrevHashMismatch { .. })
        ),
        "{failure}"
    );
}

#[tokio::test]
async fn an_illegal_transition_with_a_recomputed_chain_is_named() {
    let (_, mut records) = history().await;
    // A second payment of O1, right after the first, chain recomputed.
    let i = index_of(&records, "OrderPaid");
    records.insert(i + 1, records[i].clone());
    let records = rechain(records);
    let failure = verify_fake(records.clone()).await.unwrap_err();
    assert_eq!(failure.position, Position(i as u64 + 2));
    assert_eq!(failure.stream.as_ref(), Some(&records[i].stream_id));
    match &failure.reason {
        FailureKind::Illegal(v) => assert_eq!(v.code(), "order_not_unpaid", "{v}"),
        other => panic!("expected an illegal event, got {other}"),
    }
}

#[tokio::test]
async fn a_stream_version_gap_is_named() {
    let (_, mut records) = history().await;
    let i = index_of(&records, "OrderPaid");
    records[i].stream_version = StreamVersion(5);
    records[i].hash = content_hash(&records[i]);
    // Re-link everything after it, so only the version is wrong.
    for j in i + 1..records.len() {
        records[j].prev_hash = records[j - 1].hash;
        records[j].hash = content_hash(&records[j]);
    }
    let failure = verify_fake(records.clone()).await.unwrap_err();
    assert_eq!(failure.position, records[i].position);
    assert_eq!(
        failure.reason,
        FailureKind::VersionGap {
            expected: StreamVersion(2),
            found: StreamVersion(5)
        }
    );
}

#[tokio::test]
async fn an_event_in_another_aggregates_stream_is_named() {
    let (_, mut records) = history().await;
    let paid = index_of(&records, "OrderPaid");
    // Move O1's payment into O3's stream, then re-chain.
    let o3 = records
        .iter()
        .find(|r| r.stream_id.as_str() == "order-O3")
        .unwrap()
        .stream_id
        .clone();
    records[paid].stream_id = o3.clone();
    let records = rechain(records);
    let failure = verify_fake(records.clone()).await.unwrap_err();
    assert_eq!(failure.position, records[paid].position);
    assert_eq!(failure.stream, Some(o3));
    assert_eq!(
        failure.reason,
        FailureKind::WrongStream {
            expected: StreamId("order-O1".into())
        }
    );
}

#[tokio::test]
async fn a_head_beyond_the_last_record_is_a_mismatch() {
    let (_, records) = history().await;
    let n = records.len() as u64;
    let head = Head {
        position: Position(n + 1),
        hash: records[records.len() - 1].hash,
    };
    let store: DynStore = Arc::new(FakeStore { records, head });
    let failure = verify(&store, |_, _| {}).await.unwrap_err();
    assert_eq!(failure.position, Position(n));
    assert_eq!(
        failure.reason,
        FailureKind::HeadMismatch {
            walked: Position(n),
            store: Position(n + 1)
        }
    );
}

#[tokio::test]
async fn a_forged_second_live_contract_without_attach_events_is_named() {
    use ledger_codec::payload::{decode_event, encode_event};
    use ledger_domain::Event;
    let (_, mut records) = history().await;
    // K1 (official) holds O1. The forger appends a ContractApplied K3 over
    // O1 as its own command, without the attach event a decision records.
    let i = index_of(&records, "ContractApplied");
    let mut forged = records[i].clone();
    let Event::ContractApplied(mut applied) =
        decode_event(&forged.event_type, forged.schema_version, &forged.payload).unwrap()
    else {
        panic!("not a ContractApplied")
    };
    applied.contract_no = "K3".parse().unwrap();
    let (_, _, payload) = encode_event(&Event::ContractApplied(applied)).unwrap();
    forged.payload = payload;
    forged.stream_id = StreamId("contract-K3".into());
    forged.metadata.command.command_id = CommandId("forged-apply".into());
    records.push(forged);
    let records = rechain(records);
    let n = records.len() as u64;
    let failure = verify_fake(records).await.unwrap_err();
    assert_eq!(failure.position, Position(n));
    assert_eq!(failure.stream, Some(StreamId("contract-K3".into())));
    match &failure.reason {
        FailureKind::Illegal(v) => assert_eq!(v.code(), "contract_order_not_attached", "{v}"),
        other => panic!("expected an illegal event, got {other}"),
    }
}

/// Issue 9: the tenant in a record's metadata is what filters a customer's
/// subscription, so a forger who moves a record to another tenant (and
/// recomputes the chain) is named by the audit; a format-1 record (no
/// tenant) still verifies.
#[tokio::test]
async fn a_record_relabelled_to_another_tenant_is_named_even_when_rechained() {
    let (_, records) = history().await;
    assert!(records
        .iter()
        .all(|r| matches!(r.metadata.tenant, ledger_codec::Tenant::Customer(_))));
    let i = index_of(&records, "OrderPaid");
    let mut forged = records.clone();
    forged[i].metadata.tenant = ledger_codec::Tenant::Customer("intruder".parse().unwrap());
    let failure = verify_fake(rechain(forged)).await.unwrap_err();
    assert_eq!(failure.position, Position(i as u64 + 1));
    assert_eq!(failure.reason.code(), "wrong_tenant", "{}", failure.reason);
    assert!(failure.reason.to_string().contains("intruder"));

    let mut old = records;
    for r in &mut old {
        r.metadata.tenant = ledger_codec::Tenant::Unrecorded;
    }
    let report = verify_fake(rechain(old))
        .await
        .expect("format 1 logs verify");
    assert!(report.events > 0);
}
