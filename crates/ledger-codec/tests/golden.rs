//! Golden bytes: these pin the stored format. If one of these tests fails,
//! the change breaks every existing log: add a new format byte or schema
//! version instead of editing the expected bytes.

use chrono::{TimeZone, Utc};
use ledger_codec::envelope::{self, FORMAT_BINCODE_V1};
use ledger_codec::payload::{decode_event, encode_event, event_id};
use ledger_codec::{
    CodecError, CommandId, CommandMetadata, Digest, EventData, Position, StreamId, StreamVersion,
};
use ledger_domain::ids::{OrderId, PaymentId, VoucherId};
use ledger_domain::operations::LossAccepted;
use ledger_domain::order::{OrderPaid, Payment, VoucherRedemption};
use ledger_domain::{catalog::VoucherKind, Event};

fn paid_event() -> Event {
    Event::OrderPaid(OrderPaid {
        order_id: OrderId::new("CS2411220001").unwrap(),
        payment: Payment {
            payment_id: PaymentId::new("PAY-1").unwrap(),
            amount: "120.50".parse().unwrap(),
            vouchers: vec![VoucherRedemption {
                kind: VoucherKind::Coupon,
                voucher_id: VoucherId::new("CP-9").unwrap(),
                amount: "20.00".parse().unwrap(),
            }],
        },
        paid_at: Utc.with_ymd_and_hms(2024, 11, 22, 8, 30, 0).unwrap(),
    })
}

fn command() -> CommandMetadata {
    CommandMetadata {
        command_id: CommandId("cmd-1".into()),
        fingerprint: Digest([7; 32]),
        recorded_at: Utc.with_ymd_and_hms(2024, 11, 22, 8, 30, 0).unwrap(),
        causation_id: None,
        correlation_id: Some("corr-1".into()),
        actor: "service:payment".into(),
    }
}

/// Enum variants inside payloads are encoded by index (`VoucherKind::Coupon`
/// is the `01` after `01` vouchers): never reorder variants of a type that
/// events carry.
const PAID_PAYLOAD_HEX: &str = "0c435332343131323230303031055041592d31063132302e353001010443502d390532302e303014323032342d31312d32325430383a33303a30305a";

const ENVELOPE_HEX: &str = concat!(
    "012a126f726465722d43533234313132323030303102094f726465725061696401c2c9c0c80b2d83f1aa481dbfc72db92305636d642d31",
    "070707070707070707070707070707070707070707070707070707070707070714323032342d31312d32325430383a33303a30305a00",
    "0106636f72722d310f736572766963653a7061796d656e743c0c435332343131323230303031055041592d31063132302e3530010104",
    "43502d390532302e303014323032342d31312d32325430383a33303a30305a09090909090909090909090909090909090909090909",
    "09090909090909090909",
);

fn loss_accepted_event() -> Event {
    Event::LossAccepted(LossAccepted {
        first_position: 41,
        last_position: 57,
        head_position: 40,
        reason: "no backup".into(),
        record_sha256: "ab".repeat(32),
        accepted_at: Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap(),
    })
}

const LOSS_PAYLOAD_HEX: &str = "293928096e6f206261636b7570406162616261626162616261626162616261626162616261626162616261626162616261626162616261626162616261626162616261626162616261626162616214323032362d31322d30325430393a30303a30305a";

#[test]
fn loss_accepted_payload_bytes_are_pinned() {
    let (name, version, payload) = encode_event(&loss_accepted_event()).unwrap();
    assert_eq!((name, version), ("LossAccepted", 1));
    assert_eq!(hex::encode(&payload), LOSS_PAYLOAD_HEX);
    assert_eq!(
        decode_event(name, version, &payload).unwrap(),
        loss_accepted_event()
    );
}

#[test]
fn order_paid_payload_bytes_are_pinned() {
    let (name, version, payload) = encode_event(&paid_event()).unwrap();
    assert_eq!((name, version), ("OrderPaid", 1));
    assert_eq!(hex::encode(&payload), PAID_PAYLOAD_HEX);
    assert_eq!(decode_event(name, version, &payload).unwrap(), paid_event());
}

fn sealed() -> (Vec<u8>, ledger_codec::RecordedEvent) {
    let (name, version, payload) = encode_event(&paid_event()).unwrap();
    let data = EventData {
        event_type: name.into(),
        schema_version: version,
        event_id: event_id("cmd-1", 0),
        payload,
    };
    envelope::seal(
        Position(42),
        &StreamId("order-CS2411220001".into()),
        StreamVersion(2),
        &command(),
        &data,
        Digest([9; 32]),
    )
    .unwrap()
}

#[test]
fn envelope_bytes_are_pinned() {
    let (bytes, record) = sealed();
    assert_eq!(bytes[0], FORMAT_BINCODE_V1);
    assert_eq!(hex::encode(&bytes), ENVELOPE_HEX);
    assert_eq!(record.hash, envelope::chain_hash(&bytes));
}

#[test]
fn envelope_round_trips_with_its_hash() {
    let (bytes, record) = sealed();
    let opened = envelope::open(&bytes).unwrap();
    assert_eq!(opened, record);
    assert_eq!(envelope::reseal(&opened).unwrap(), bytes);
    assert_eq!(
        decode_event(&opened.event_type, opened.schema_version, &opened.payload).unwrap(),
        paid_event()
    );
}

#[test]
fn a_flipped_byte_changes_the_hash_or_fails_to_decode() {
    let (bytes, record) = sealed();
    for i in 0..bytes.len() {
        let mut bad = bytes.clone();
        bad[i] ^= 0x01;
        if let Ok(opened) = envelope::open(&bad) {
            assert_ne!(opened.hash, record.hash, "flip at byte {i} kept the hash");
        }
    }
}

#[test]
fn unknown_format_bytes_and_trailing_bytes_are_refused() {
    let (mut bytes, _) = sealed();
    let mut other = bytes.clone();
    other[0] = 2;
    assert_eq!(envelope::open(&other), Err(CodecError::UnknownFormat(2)));
    bytes.push(0);
    assert!(matches!(
        envelope::open(&bytes),
        Err(CodecError::TrailingBytes { trailing: 1 })
    ));
    assert_eq!(envelope::open(&[]), Err(CodecError::Empty));
}

#[test]
fn unknown_event_types_and_versions_are_refused() {
    let (_, _, payload) = encode_event(&paid_event()).unwrap();
    assert!(matches!(
        decode_event("OrderPaid", 2, &payload),
        Err(CodecError::UnknownEventType { .. })
    ));
    assert!(matches!(
        decode_event("OrderTeleported", 1, &payload),
        Err(CodecError::UnknownEventType { .. })
    ));
}

#[test]
fn event_ids_are_deterministic_uuid_v8() {
    let a = event_id("cmd-1", 0);
    assert_eq!(a, event_id("cmd-1", 0));
    assert_ne!(a, event_id("cmd-1", 1));
    assert_ne!(a, event_id("cmd-2", 0));
    assert_eq!(a[6] >> 4, 8);
    assert_eq!(a[8] >> 6, 0b10);
}
