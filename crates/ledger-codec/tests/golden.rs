//! Golden bytes: these pin the stored format. If one of these tests fails,
//! the change breaks every existing log: add a new format byte or schema
//! version instead of editing the expected bytes.

use chrono::{TimeZone, Utc};
use ledger_codec::envelope::{self, FORMAT_BINCODE_V1, FORMAT_BINCODE_V2};
use ledger_codec::payload::{decode_event, encode_event, event_id};
use ledger_codec::{
    CodecError, CommandId, CommandMetadata, Digest, EventData, Position, StreamId, StreamVersion,
    Tenant,
};
use ledger_domain::ids::{CustomerId, OrderId, PaymentId, VoucherId};
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

/// A format-1 record (what every log held before issue 9): sealing with
/// [`Tenant::Unrecorded`] reproduces it.
fn sealed() -> (Vec<u8>, ledger_codec::RecordedEvent) {
    sealed_with(Tenant::Unrecorded)
}

fn sealed_with(tenant: Tenant) -> (Vec<u8>, ledger_codec::RecordedEvent) {
    let (name, version, payload) = encode_event(&paid_event()).unwrap();
    let data = EventData {
        event_type: name.into(),
        schema_version: version,
        event_id: event_id("cmd-1", 0),
        payload,
        tenant,
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
    other[0] = 3;
    assert_eq!(envelope::open(&other), Err(CodecError::UnknownFormat(3)));
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

/// Format 2: format 1's body with the tenant after the command metadata
/// (`01` + length-prefixed customer id for a customer, `00` for none).
const ENVELOPE_V2_HEX: &str = concat!(
    "022a126f726465722d43533234313132323030303102094f726465725061696401c2c9c0c80b2d83f1aa481dbfc72db92305636d642d",
    "31070707070707070707070707070707070707070707070707070707070707070714323032342d31312d32325430383a33303a30305a",
    "000106636f72722d310f736572766963653a7061796d656e740120306131623263336434653566363037313832393361346235633664",
    "37653866393c0c435332343131323230303031055041592d31063132302e353001010443502d390532302e303014323032342d31312d",
    "32325430383a33303a30305a0909090909090909090909090909090909090909090909090909090909090909",
);

const ENVELOPE_V2_NOBODY_HEX: &str = concat!(
    "022a126f726465722d43533234313132323030303102094f726465725061696401c2c9c0c80b2d83f1aa481dbfc72db92305636d642d",
    "31070707070707070707070707070707070707070707070707070707070707070714323032342d31312d32325430383a33303a30305a",
    "000106636f72722d310f736572766963653a7061796d656e74003c0c435332343131323230303031055041592d31063132302e353001",
    "010443502d390532302e303014323032342d31312d32325430383a33303a30305a090909090909090909090909090909090909090909",
    "0909090909090909090909",
);

fn customer() -> CustomerId {
    CustomerId::new("0a1b2c3d4e5f60718293a4b5c6d7e8f9").unwrap()
}

#[test]
fn format_2_envelope_bytes_are_pinned() {
    let (bytes, record) = sealed_with(Tenant::Customer(customer()));
    assert_eq!(bytes[0], FORMAT_BINCODE_V2);
    assert_eq!(hex::encode(&bytes), ENVELOPE_V2_HEX);
    assert_eq!(record.hash, envelope::chain_hash(&bytes));
    assert_eq!(record.metadata.tenant, Tenant::Customer(customer()));

    let (bytes, record) = sealed_with(Tenant::Nobody);
    assert_eq!(hex::encode(&bytes), ENVELOPE_V2_NOBODY_HEX);
    assert_eq!(record.metadata.tenant, Tenant::Nobody);
}

#[test]
fn format_2_round_trips_and_reseals_in_its_own_format() {
    for tenant in [Tenant::Customer(customer()), Tenant::Nobody] {
        let (bytes, record) = sealed_with(tenant.clone());
        let opened = envelope::open(&bytes).unwrap();
        assert_eq!(opened, record);
        assert_eq!(opened.metadata.tenant, tenant);
        assert_eq!(envelope::reseal(&opened).unwrap(), bytes);
    }
}

#[test]
fn format_1_records_open_with_an_unrecorded_tenant_and_reseal_as_format_1() {
    let bytes = hex::decode(ENVELOPE_HEX).unwrap();
    let opened = envelope::open(&bytes).unwrap();
    assert_eq!(opened.metadata.tenant, Tenant::Unrecorded);
    let resealed = envelope::reseal(&opened).unwrap();
    assert_eq!(resealed[0], FORMAT_BINCODE_V1);
    assert_eq!(resealed, bytes);
}

#[test]
fn the_tenant_is_covered_by_the_hash() {
    let (a, ra) = sealed_with(Tenant::Customer(customer()));
    let (b, rb) = sealed_with(Tenant::Customer(CustomerId::new("other").unwrap()));
    let (c, rc) = sealed_with(Tenant::Nobody);
    assert_ne!(a, b);
    assert_ne!(ra.hash, rb.hash);
    assert_ne!(ra.hash, rc.hash);
    assert_ne!(b, c);
    // A format-1 body relabelled as format 2 does not open as a record.
    let (mut v1, _) = sealed();
    v1[0] = FORMAT_BINCODE_V2;
    assert!(envelope::open(&v1).is_err());
}

#[test]
fn a_malformed_tenant_is_refused_on_decode() {
    let (bytes, _) = sealed_with(Tenant::Customer(CustomerId::new("abc").unwrap()));
    let text = hex::encode(&bytes);
    // "abc" is 616263; "a c" is not a customer id.
    let bad = hex::decode(text.replacen("03616263", "03612063", 1)).unwrap();
    assert!(matches!(envelope::open(&bad), Err(CodecError::Decode(_))));
}
