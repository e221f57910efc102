//! Domain events to stored payloads and back.
//!
//! Each event is stored as its type name (the [`Event`] variant name, never
//! renamed), a schema version and the bincode 2 encoding of the event's
//! stored struct ([`crate::stored`]) alone, so reordering [`Event`]'s
//! variants, or any field or variant of a domain type, never changes stored
//! bytes.
//!
//! **Schema evolution.** When an event's stored form changes, add a stored
//! struct for the new version, bump its entry here, move the old struct to
//! the `upcast` module with a conversion to the new one, and add a
//! `(name, old_version)` arm there. Stored bytes are never rewritten. The
//! new version gets golden cases (`tests/golden_events`, pinned with
//! `LEDGER_GOLDEN_BLESS=1`); the old version's golden files stay and must
//! still decode, as must the records written with them. A new event type needs a golden case too: the
//! tests fail for an entry here without one.

use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use ledger_domain::{Command, Event};

use crate::record::Digest;
use crate::{stored, CodecError};

fn config() -> bincode::config::Configuration {
    bincode::config::standard()
}

/// bincode 2 encoding of any serde value (payload bodies only).
pub fn encode_value<T: Serialize>(value: &T) -> Result<Vec<u8>, CodecError> {
    bincode::serde::encode_to_vec(value, config()).map_err(|e| CodecError::Encode(e.to_string()))
}

/// Decodes a whole payload body; trailing bytes are an error.
pub fn decode_value<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
    let (value, read) = bincode::serde::decode_from_slice(bytes, config())
        .map_err(|e| CodecError::Decode(e.to_string()))?;
    if read != bytes.len() {
        return Err(CodecError::TrailingBytes {
            trailing: bytes.len() - read,
        });
    }
    Ok(value)
}

macro_rules! events {
    ($($name:ident = $version:literal as $stored:ty),* $(,)?) => {
        /// Current schema version of every event type.
        pub const SCHEMA_VERSIONS: &[(&str, u16)] = &[$((stringify!($name), $version)),*];

        /// The type name, current schema version and payload of an event.
        pub fn encode_event(event: &Event) -> Result<(&'static str, u16, Vec<u8>), CodecError> {
            let payload = match event { $(Event::$name(e) => encode_value(&<$stored>::from(e))?),* };
            Ok((event.name(), schema_version(event.name()), payload))
        }

        /// Decodes a stored payload, upcasting older schema versions.
        pub fn decode_event(event_type: &str, schema_version: u16, payload: &[u8]) -> Result<Event, CodecError> {
            match (event_type, schema_version) {
                $((stringify!($name), $version) => Ok(Event::$name(decode_value::<$stored>(payload)?.try_into()?)),)*
                _ => crate::upcast::decode_old(event_type, schema_version, payload)?
                    .ok_or_else(|| CodecError::UnknownEventType { event_type: event_type.to_owned(), schema_version }),
            }
        }
    };
}

// Each event type: its current schema version and the stored struct of that
// version (`crate::stored`), converted from and to the domain's event.
events!(
    OrderPlaced = 2 as stored::order::OrderPlacedV2,
    OrderPaid = 1 as stored::order::OrderPaidV1,
    OrderCancelled = 1 as stored::order::OrderCancelledV1,
    OrderExpired = 1 as stored::order::OrderExpiredV1,
    OrderVoided = 1 as stored::order::OrderVoidedV1,
    OrderAttachedToContract = 1 as stored::order::OrderAttachedToContractV1,
    OrderReleasedFromContract = 1 as stored::order::OrderReleasedFromContractV1,
    ContractApplied = 2 as stored::contract::ContractAppliedV2,
    ContractConverted = 1 as stored::contract::ContractConvertedV1,
    ContractDocumentSealed = 1 as stored::contract::ContractDocumentSealedV1,
    ContractVoided = 2 as stored::contract::ContractVoidedV2,
    ContractRemarksEdited = 1 as stored::contract::ContractRemarksEditedV1,
    ContractInvalidated = 1 as stored::contract::ContractInvalidatedV1,
    CustomerRegistered = 1 as stored::customer::CustomerRegisteredV1,
    RealNameCertified = 1 as stored::customer::RealNameCertifiedV1,
    RemittanceAccountSet = 1 as stored::customer::RemittanceAccountSetV1,
    LossAccepted = 1 as stored::customer::LossAcceptedV1,
    TopUpReceived = 1 as stored::customer::TopUpReceivedV1,
    AccountCredited = 1 as stored::customer::AccountCreditedV1,
    AccountDebited = 1 as stored::customer::AccountDebitedV1,
    CouponIssued = 1 as stored::coupon::CouponIssuedV1,
    CouponRedeemed = 1 as stored::coupon::CouponRedeemedV1,
);

/// Current schema version of a stored event type name.
pub fn schema_version(event_type: &str) -> u16 {
    SCHEMA_VERSIONS
        .iter()
        .find(|(name, _)| *name == event_type)
        .map(|(_, v)| *v)
        .expect("every event type has a schema version")
}

macro_rules! commands {
    ($($name:ident),* $(,)?) => {
        /// SHA-256 over who sent a command, its name and the bincode
        /// encoding of its body ([`stored::command`], not the domain's
        /// struct): what a reused command id is compared by. Independent of
        /// the order of [`Command`]'s variants and of the domain's fields.
        pub fn command_fingerprint(command: &Command, actor: &str) -> Result<Digest, CodecError> {
            let body = match command { $(Command::$name(c) => encode_value(&stored::command::$name::from(c))?),* };
            let mut hasher = Sha256::new();
            hasher.update(actor.as_bytes());
            hasher.update([0]);
            hasher.update(command.name().as_bytes());
            hasher.update([0]);
            hasher.update(&body);
            Ok(Digest(hasher.finalize().into()))
        }
    };
}

commands!(
    PlaceOrder,
    PayOrder,
    CancelOrder,
    VoidOrder,
    ExpireOrder,
    ApplyContract,
    ConvertContract,
    VoidContract,
    EditContractRemarks,
    InvalidateContract,
    RegisterCustomer,
    CertifyRealName,
    SetRemittanceAccount,
    AcceptLoss,
    CreditAccount,
    IssueCoupon,
    PayOrderFromBalance,
);

/// Deterministic event id: the first 16 bytes of SHA-256(command id, index
/// of the event within the command), as an RFC 9562 version-8 UUID.
pub fn event_id(command_id: &str, index: u32) -> [u8; 16] {
    let mut hasher = Sha256::new();
    hasher.update(command_id.as_bytes());
    hasher.update([0]);
    hasher.update(index.to_be_bytes());
    let digest = hasher.finalize();
    let mut id = [0u8; 16];
    id.copy_from_slice(&digest[..16]);
    id[6] = (id[6] & 0x0f) | 0x80; // version 8
    id[8] = (id[8] & 0x3f) | 0x80; // RFC 9562 variant
    id
}
