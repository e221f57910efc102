//! Typed views → the typed gRPC query replies (proto/ledger/v1/views.proto).
//!
//! Built from the same typed views (`ledger_projections::orders`,
//! `ledger_projections::contracts`) as the `/v1` REST documents of
//! [`crate::views`], with the same names tables: every REST key has its
//! field of the same name. Money is a decimal string (`Money`'s own
//! `Display`, exact), times RFC 3339 in UTC ([`views::time_text`]), enums
//! proto enums, and an absent value (REST `null`) an empty string or an
//! absent message. Each reply also carries the REST document in its
//! deprecated `json` field (the compatibility path for `ViewReply`
//! clients, for one release).

pub mod contracts;
mod enums;
pub mod orders;

use chrono::{DateTime, Utc};
use ledger_domain::money::Money;

use crate::views;

/// An amount as an exact decimal string.
fn money(m: Money) -> String {
    m.to_string()
}

/// An optional amount: empty when absent.
fn opt_money(m: Option<Money>) -> String {
    m.map(money).unwrap_or_default()
}

/// A time as RFC 3339 in UTC.
fn time(t: DateTime<Utc>) -> String {
    views::time_text(t)
}

/// An optional time: empty when absent.
fn opt_time(t: Option<DateTime<Utc>>) -> String {
    t.map(time).unwrap_or_default()
}

/// An optional value as text: empty when absent.
fn opt_str(s: Option<impl ToString>) -> String {
    s.map(|s| s.to_string()).unwrap_or_default()
}

/// A count as a proto `uint32` (saturating: no view holds 4 billion).
fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
