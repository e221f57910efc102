//! The stored form of every event: the codec's own types, mapped to and
//! from the domain's (issue 15).
//!
//! The domain's types are free to change (reorder fields, add or reorder
//! enum variants, rename them); these are the record format and change
//! only on purpose. Each event type has one struct per schema version it
//! is written in (`OrderPaidV1`, `OrderPlacedV2`, ...), and each enum an
//! event carries has its own copy here whose variant order is the stored
//! variant index. Ids, amounts and currencies are stored as the strings
//! they are written as and validated when read back into the domain.
//!
//! Rules:
//! - Never reorder, remove or retype a field or a variant here. A change is
//!   a new schema version: a new `...V<n+1>` struct, the old one kept (in
//!   [`crate::upcast`] when no longer written) with a conversion to the new.
//! - A type nested in several events belongs to all of them: changing it is
//!   a new version of each.
//! - `From<&domain type>` destructures the domain value without `..` (and
//!   `TryFrom` builds it with every field), so a field added to a domain
//!   type does not compile here until it is stored (a new schema version)
//!   or deliberately left out: nothing is dropped from the log silently.
//! - The golden bytes in `tests/golden/` pin every struct and variant here.
//!
//! Families: [`order`], [`contract`], [`customer`] (customers, accounts,
//! operations), [`coupon`], and [`catalog`] for the code tables events
//! share; [`command`] holds the bodies command fingerprints hash.

pub mod catalog;
pub mod command;
pub mod contract;
pub mod coupon;
pub mod customer;
pub mod order;

use std::str::FromStr;

use ledger_domain::DomainError;

use crate::CodecError;

/// A stored string read back as a validated domain value.
pub(crate) fn parse<T: FromStr<Err = DomainError>>(s: &str) -> Result<T, CodecError> {
    s.parse()
        .map_err(|e: DomainError| CodecError::Decode(e.to_string()))
}

/// [`parse`] of an optional value.
pub(crate) fn parse_opt<T: FromStr<Err = DomainError>>(
    s: &Option<String>,
) -> Result<Option<T>, CodecError> {
    s.as_deref().map(parse).transpose()
}

/// [`parse`] of every element.
pub(crate) fn parse_all<T: FromStr<Err = DomainError>>(s: &[String]) -> Result<Vec<T>, CodecError> {
    s.iter().map(|x| parse(x)).collect()
}

/// A stored currency code read back.
pub(crate) fn currency(s: &str) -> Result<ledger_domain::money::Currency, CodecError> {
    ledger_domain::money::Currency::new(s).map_err(|e| CodecError::Decode(e.to_string()))
}

/// Converts every element.
pub(crate) fn try_all<S, D>(s: Vec<S>) -> Result<Vec<D>, CodecError>
where
    D: TryFrom<S, Error = CodecError>,
{
    s.into_iter().map(D::try_from).collect()
}
