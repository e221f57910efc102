//! Identifier newtypes. Each is validated on construction and on decode, so
//! an id in the domain is always well formed.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

use crate::error::DomainError;

/// Longest identifier accepted (the seeds' "maximum of 64 characters").
pub const MAX_ID_LEN: usize = 64;

fn check_id(kind: &'static str, value: &str) -> Result<(), DomainError> {
    let reason = if value.is_empty() {
        "must not be empty"
    } else if value.len() > MAX_ID_LEN {
        "must be at most 64 characters"
    } else if !value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        "may contain only letters, digits, '-', '_' and '.'"
    } else {
        return Ok(());
    };
    Err(DomainError::InvalidId { kind, reason })
}

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident, $kind:literal) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Validates and wraps an identifier.
            pub fn new(value: impl Into<String>) -> Result<Self, DomainError> {
                let value = value.into();
                check_id($kind, &value)?;
                Ok(Self(value))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = DomainError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::new(s)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = String::deserialize(deserializer)?;
                Self::new(value).map_err(serde::de::Error::custom)
            }
        }
    };
}

id_type!(
    /// An order, e.g. `CS1906201609KLZ2`.
    OrderId,
    "order id"
);
id_type!(
    /// A customer account (Huawei's domain id / customer id).
    CustomerId,
    "customer id"
);
id_type!(
    /// An electronic contract's number.
    ContractNo,
    "contract number"
);
id_type!(
    /// One line of an order (Huawei's orderLineItemId).
    LineItemId,
    "line item id"
);
id_type!(
    /// A cloud resource (instance) an order concerns.
    InstanceId,
    "instance id"
);
id_type!(
    /// A product in the catalogue.
    ProductId,
    "product id"
);
id_type!(
    /// The payment service's reference for one payment.
    PaymentId,
    "payment id"
);
id_type!(
    /// A coupon, card or cash coupon redeemed at payment.
    VoucherId,
    "voucher id"
);
id_type!(
    /// A billing-center operator.
    OperatorId,
    "operator id"
);
id_type!(
    /// An upstream service (purchase, payment, identity).
    ServiceName,
    "service name"
);

id_type!(
    /// A sales contract an account manager placed an order under (Huawei
    /// `contractId`); not the electronic contract.
    SalesContractId,
    "sales contract id"
);
id_type!(
    /// A support ticket (the seed's "please submit a ticket").
    TicketId,
    "ticket id"
);

/// Prefix of the contract numbers the ledger assigns.
pub const ASSIGNED_CONTRACT_NO_PREFIX: &str = "EC";
/// Hex digits of the digest in an assigned contract number (80 bits).
pub const ASSIGNED_CONTRACT_NO_HEX: usize = 20;

impl ContractNo {
    /// The number the ledger assigns to the contract one command applies
    /// for: `EC` and 20 hex digits of SHA-256(customer, command id). The
    /// same command (a retry) gets the same number; the caller never
    /// chooses it. A collision (80 bits) is refused as an existing contract,
    /// never merged.
    pub fn assigned(customer: &CustomerId, command_id: &str) -> ContractNo {
        use sha2::{Digest as _, Sha256};
        let digest = Sha256::digest(format!("{customer}\n{command_id}").as_bytes());
        let hex: String = digest
            .iter()
            .flat_map(|b| [b >> 4, b & 0x0f])
            .take(ASSIGNED_CONTRACT_NO_HEX)
            .map(|n| {
                char::from_digit(n.into(), 16)
                    .expect("a nibble")
                    .to_ascii_uppercase()
            })
            .collect();
        ContractNo(format!("{ASSIGNED_CONTRACT_NO_PREFIX}{hex}"))
    }
}

/// A cloud service type code such as `hws.service.type.obs`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct ServiceTypeCode(String);

impl ServiceTypeCode {
    pub fn new(value: impl Into<String>) -> Result<Self, DomainError> {
        let value = value.into();
        let valid = !value.is_empty()
            && value.len() <= MAX_ID_LEN
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
        if valid {
            Ok(Self(value))
        } else {
            Err(DomainError::InvalidId {
                kind: "service type code",
                reason: "must be 1 to 64 letters, digits, '.', '-' or '_'",
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ServiceTypeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for ServiceTypeCode {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl<'de> Deserialize<'de> for ServiceTypeCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        Self::new(value).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_refuse_empty_long_and_odd_characters() {
        assert!(OrderId::new("CS1906201609KLZ2").is_ok());
        assert!(OrderId::new("").is_err());
        assert!(OrderId::new("x".repeat(65)).is_err());
        assert!(OrderId::new("a b").is_err());
        assert!(OrderId::new("a/b").is_err());
    }

    #[test]
    fn service_type_codes_take_dotted_names() {
        assert!(ServiceTypeCode::new("hws.service.type.obs").is_ok());
        assert!(ServiceTypeCode::new("hws service").is_err());
    }
}
