//! Sealing and verifying downloaded copies.

mod common;

use common::*;
use ledger_document::{
    render, render_sealed, seal, verify, DocumentStatus, SealError, SigningKey, VerifyError,
};
use sha2::{Digest, Sha256};

fn sealed() -> ledger_document::SealedDocument {
    render_sealed(&payment_request(official()), &key()).expect("seals")
}

/// Where the seal line starts.
fn seal_at(bytes: &[u8]) -> usize {
    let needle = b"\n%order-ledger-seal ";
    bytes
        .windows(needle.len())
        .rposition(|w| w == needle)
        .expect("a seal line")
        + 1
}

/// Flips a hex digit to another hex digit.
fn flip_hex(b: u8) -> u8 {
    if b == b'0' {
        b'1'
    } else {
        b'0'
    }
}

#[test]
fn sealed_copy_verifies() {
    let doc = payment_request(official());
    let body = render(&doc).expect("renders");
    let sealed = sealed();
    assert!(sealed.bytes.starts_with(&body));
    let expected: [u8; 32] = Sha256::digest(&body).into();
    assert_eq!(
        sealed.sha256, expected,
        "the recorded hash is the rendered pdf's"
    );
    let ok = verify(&sealed.bytes, &key().verifying_key()).expect("verifies");
    assert_eq!(ok.contract_no, "PR-2026-000456");
    assert_eq!(ok.sha256, expected);
    assert_eq!(ok.sha256_hex(), sealed.sha256_hex());
    // The sealed file still reads as the same pdf.
    assert_eq!(text(&sealed.bytes), text(&body));
}

#[test]
fn a_byte_flipped_in_the_body_fails_with_hash_mismatch() {
    let mut bytes = sealed().bytes;
    let at = seal_at(&bytes) / 2;
    bytes[at] ^= 0x01;
    match verify(&bytes, &key().verifying_key()) {
        Err(e @ VerifyError::HashMismatch { .. }) => {
            assert!(e.to_string().starts_with("hash mismatch"), "{e}")
        }
        other => panic!("expected a hash mismatch, got {other:?}"),
    }
}

#[test]
fn a_byte_flipped_in_the_signature_fails_with_bad_signature() {
    let mut bytes = sealed().bytes;
    let sig = bytes
        .windows(4)
        .rposition(|w| w == b"sig=")
        .expect("sig field")
        + 10;
    bytes[sig] = flip_hex(bytes[sig]);
    let err = verify(&bytes, &key().verifying_key()).expect_err("refused");
    assert_eq!(err, VerifyError::BadSignature);
    assert!(err.to_string().starts_with("bad signature"), "{err}");
}

#[test]
fn a_changed_contract_number_in_the_seal_fails_with_bad_signature() {
    let mut bytes = sealed().bytes;
    let at = bytes
        .windows(9)
        .rposition(|w| w == b"contract=")
        .expect("contract field")
        + 9;
    bytes[at + 1] = flip_hex(bytes[at + 1]);
    assert_eq!(
        verify(&bytes, &key().verifying_key()).expect_err("refused"),
        VerifyError::BadSignature
    );
}

#[test]
fn a_changed_recorded_hash_fails_with_hash_mismatch() {
    let mut bytes = sealed().bytes;
    let at = bytes
        .windows(7)
        .rposition(|w| w == b"sha256=")
        .expect("sha field")
        + 7;
    bytes[at] = flip_hex(bytes[at]);
    assert!(matches!(
        verify(&bytes, &key().verifying_key()),
        Err(VerifyError::HashMismatch { .. })
    ));
}

#[test]
fn an_unsealed_draft_fails_with_no_seal() {
    let draft = render(&order_contract(DocumentStatus::Draft)).expect("renders");
    let err = verify(&draft, &key().verifying_key()).expect_err("refused");
    assert_eq!(err, VerifyError::NoSeal);
    assert!(err.to_string().starts_with("no seal"), "{err}");
    // So does an official render that was never sealed.
    let unsealed = render(&order_contract(official())).expect("renders");
    assert_eq!(
        verify(&unsealed, &key().verifying_key()),
        Err(VerifyError::NoSeal)
    );
}

#[test]
fn another_key_fails_with_key_mismatch() {
    let other = SigningKey::from_bytes(&[9u8; 32]);
    assert!(matches!(
        verify(&sealed().bytes, &other.verifying_key()),
        Err(VerifyError::KeyMismatch { .. })
    ));
    // A seal forged with another key but naming the ledger's is a bad signature.
    let body = render(&payment_request(official())).expect("renders");
    let forged = seal(&body, "PR-2026-000456", &other).expect("seals");
    let ledger_key = hex::encode(key().verifying_key().to_bytes());
    let other_key = hex::encode(other.verifying_key().to_bytes());
    let text = String::from_utf8_lossy(&forged.bytes[seal_at(&forged.bytes)..])
        .replace(&other_key, &ledger_key);
    let mut bytes = body.clone();
    bytes.extend_from_slice(text.as_bytes());
    assert_eq!(
        verify(&bytes, &key().verifying_key()),
        Err(VerifyError::BadSignature)
    );
}

#[test]
fn a_truncated_seal_line_is_malformed() {
    let bytes = sealed().bytes;
    let cut = &bytes[..bytes.len() - 20];
    match verify(cut, &key().verifying_key()) {
        Err(e @ VerifyError::Malformed(_)) => {
            assert!(e.to_string().contains("sig"), "{e}")
        }
        other => panic!("expected malformed, got {other:?}"),
    }
}

#[test]
fn seal_refuses_sealed_or_foreign_bytes() {
    let sealed = sealed();
    assert_eq!(
        seal(&sealed.bytes, "PR-2026-000456", &key()),
        Err(SealError::NotAPdf),
        "a sealed file no longer ends at %%EOF"
    );
    let mut resealed = sealed.bytes.clone();
    resealed.extend_from_slice(b"%%EOF\n");
    assert_eq!(seal(&resealed, "x", &key()), Err(SealError::AlreadySealed));
    assert_eq!(seal(b"hello", "x", &key()), Err(SealError::NotAPdf));
    let body = render(&order_contract(official())).expect("renders");
    assert_eq!(seal(&body, "", &key()), Err(SealError::EmptyContractNo));
}
