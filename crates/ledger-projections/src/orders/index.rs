//! The order list's indexes and count buckets (issue 11: a page costs the
//! page).
//!
//! Every list filter the seeds define that can be indexed has its own
//! per-customer index whose key order is the list's order, (order time to
//! the millisecond, order id):
//!
//! | table | key                                                | value |
//! |-------|----------------------------------------------------|-------|
//! | 2     | customer, order time, order id                     | [`Dims`] of the order |
//! | 6     | customer, status kind, order time, order id        | (index) |
//! | 7     | customer, order type, order time, order id         | (index) |
//! | 8     | customer, bill type, order time, order id          | (index) |
//! | 9     | customer, service type code, order time, order id  | (index) |
//! | 10    | customer, UTC day, status, type, charge, service   | count (u64 BE) |
//! | 11    | customer, status, type, charge, service            | count (u64 BE) |
//!
//! Table 2's value carries the order's filter dimensions, so a list that
//! filters on more than its index's dimension checks the others with one
//! point read of a short value, never by deserializing the order's row.
//! Tables 10 and 11 count orders per bucket (per UTC day, and over all
//! time); [`reindex`] keeps all of them in step with the row in the same
//! projection batch, moving an order from its old status's keys and bucket
//! to the new ones when its status changes.

use chrono::{DateTime, Utc};

use ledger_domain::catalog::{BillType, ChargeType, OrderType};
use ledger_domain::ids::{CustomerId, OrderId};

use super::query::OrderStatusKind;
use super::{OrderRow, BY_CUSTOMER_TIME};
use crate::{KeyBuilder, ProjectionError, Tx};

pub(super) const BY_STATUS: u8 = 6;
pub(super) const BY_ORDER_TYPE: u8 = 7;
pub(super) const BY_BILL_TYPE: u8 = 8;
pub(super) const BY_SERVICE_TYPE: u8 = 9;
pub(super) const COUNT_BY_DAY: u8 = 10;
pub(super) const COUNT_ALL_TIME: u8 = 11;

/// Milliseconds in a (UTC) day: the count buckets' grain.
pub(super) const MS_PER_DAY: i64 = 86_400_000;
/// Bytes of a time part in a key.
pub(super) const TIME_BYTES: usize = 8;
/// Bytes of the fixed part of [`Dims`] (status, order type, charge type).
const DIMS_FIXED_BYTES: usize = 3;

pub(super) fn status_code(s: OrderStatusKind) -> u8 {
    match s {
        OrderStatusKind::Unpaid => 1,
        OrderStatusKind::Paid => 2,
        OrderStatusKind::Cancelled => 3,
        OrderStatusKind::Voided => 4,
    }
}

pub(super) fn order_type_code(t: OrderType) -> u8 {
    match t {
        OrderType::Purchase => 1,
        OrderType::Renewal => 2,
        OrderType::Upgrade => 3,
        OrderType::Downgrade => 4,
        OrderType::ConfigurationChange => 5,
        OrderType::Compensation => 6,
    }
}

pub(super) fn bill_code(b: BillType) -> u8 {
    match b {
        BillType::Prepay => 1,
        BillType::Postpay => 2,
    }
}

fn charge_code(c: ChargeType) -> u8 {
    match c {
        ChargeType::Subscription => 1,
        ChargeType::PayAsYouGo => 2,
    }
}

/// The bill type of a charge code.
fn bill_of_charge(charge: u8) -> u8 {
    match charge {
        1 => bill_code(ChargeType::Subscription.bill_type()),
        _ => bill_code(ChargeType::PayAsYouGo.bill_type()),
    }
}

/// An order's list-filter dimensions, as stored in table 2's value and in
/// the count buckets' keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Dims {
    pub status: u8,
    pub order_type: u8,
    pub charge: u8,
    pub service: String,
}

impl Dims {
    pub fn of(row: &OrderRow) -> Dims {
        let spec = row.spec();
        Dims {
            status: status_code(OrderStatusKind::of(row.status())),
            order_type: order_type_code(spec.order_type),
            charge: charge_code(spec.charge_type),
            service: spec.service_type_code.to_string(),
        }
    }

    pub fn bill(&self) -> u8 {
        bill_of_charge(self.charge)
    }

    /// `status, type, charge, service`: the value of table 2.
    pub fn encode(&self) -> Vec<u8> {
        let mut v = vec![self.status, self.order_type, self.charge];
        v.extend_from_slice(self.service.as_bytes());
        v
    }

    pub fn decode(v: &[u8]) -> Result<Dims, ProjectionError> {
        let corrupt = || ProjectionError::Corrupt("malformed orders index value".into());
        if v.len() < DIMS_FIXED_BYTES {
            return Err(corrupt());
        }
        let service = std::str::from_utf8(&v[DIMS_FIXED_BYTES..]).map_err(|_| corrupt())?;
        Ok(Dims {
            status: v[0],
            order_type: v[1],
            charge: v[2],
            service: service.to_owned(),
        })
    }

    /// `status, type, charge, service \0`: the bucket part of a count key.
    fn bucket(&self) -> Vec<u8> {
        let mut v = self.encode();
        v.push(0);
        v
    }

    /// Decodes a bucket part (see [`Dims::bucket`]).
    pub fn decode_bucket(v: &[u8]) -> Result<Dims, ProjectionError> {
        let v = v
            .strip_suffix(&[0])
            .ok_or_else(|| ProjectionError::Corrupt("malformed orders count key".into()))?;
        Dims::decode(v)
    }
}

/// The sortable bytes of a millisecond time (as [`KeyBuilder::time`]).
pub(super) fn time_bytes(ms: i64) -> [u8; TIME_BYTES] {
    ((ms as u64) ^ (1 << 63)).to_be_bytes()
}

pub(super) fn ms_of_time_bytes(b: &[u8]) -> Result<i64, ProjectionError> {
    let b: [u8; TIME_BYTES] = b
        .get(..TIME_BYTES)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| ProjectionError::Corrupt("short orders index key".into()))?;
    Ok((u64::from_be_bytes(b) ^ (1 << 63)) as i64)
}

/// The sortable bytes of a day number.
pub(super) fn day_bytes(day: i64) -> [u8; TIME_BYTES] {
    time_bytes(day)
}

/// A time's millisecond, the precision lists and ranges work at.
pub(super) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// Which index a list streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Index {
    Time,
    Status,
    OrderType,
    Bill,
    Service,
}

/// The key prefix of one value of an index: `table, customer \0, value`.
pub(super) fn index_prefix(index: Index, customer: &CustomerId, value: &[u8]) -> Vec<u8> {
    let table = match index {
        Index::Time => BY_CUSTOMER_TIME,
        Index::Status => BY_STATUS,
        Index::OrderType => BY_ORDER_TYPE,
        Index::Bill => BY_BILL_TYPE,
        Index::Service => BY_SERVICE_TYPE,
    };
    let mut key = KeyBuilder::new(table).text(customer.as_str()).build();
    key.extend_from_slice(value);
    if index == Index::Service {
        key.push(0);
    }
    key
}

/// `prefix, time, id \0`.
pub(super) fn with_suffix(mut prefix: Vec<u8>, suffix: &[u8]) -> Vec<u8> {
    prefix.extend_from_slice(suffix);
    prefix
}

/// The `time, id \0` part shared by every list index key of an order.
pub(super) fn suffix(at_ms: i64, id: &OrderId) -> Vec<u8> {
    let mut s = time_bytes(at_ms).to_vec();
    s.extend_from_slice(id.as_str().as_bytes());
    s.push(0);
    s
}

/// The order id of a suffix (`time, id \0`).
pub(super) fn id_of_suffix(s: &[u8]) -> Result<OrderId, ProjectionError> {
    let corrupt = || ProjectionError::Corrupt("malformed orders index key".into());
    let id = s
        .get(TIME_BYTES..)
        .and_then(|rest| rest.strip_suffix(&[0]))
        .ok_or_else(corrupt)?;
    let id = std::str::from_utf8(id).map_err(|_| corrupt())?;
    OrderId::new(id).map_err(|_| corrupt())
}

/// The keys of tables 6–9 of an order with `dims`.
fn dim_keys(customer: &CustomerId, dims: &Dims, suffix: &[u8]) -> [Vec<u8>; 4] {
    [
        with_suffix(
            index_prefix(Index::Status, customer, &[dims.status]),
            suffix,
        ),
        with_suffix(
            index_prefix(Index::OrderType, customer, &[dims.order_type]),
            suffix,
        ),
        with_suffix(index_prefix(Index::Bill, customer, &[dims.bill()]), suffix),
        with_suffix(
            index_prefix(Index::Service, customer, dims.service.as_bytes()),
            suffix,
        ),
    ]
}

pub(super) fn count_day_prefix(customer: &CustomerId) -> Vec<u8> {
    KeyBuilder::new(COUNT_BY_DAY)
        .text(customer.as_str())
        .build()
}

pub(super) fn count_all_prefix(customer: &CustomerId) -> Vec<u8> {
    KeyBuilder::new(COUNT_ALL_TIME)
        .text(customer.as_str())
        .build()
}

fn count_keys(customer: &CustomerId, at_ms: i64, dims: &Dims) -> [Vec<u8>; 2] {
    let bucket = dims.bucket();
    let mut day = count_day_prefix(customer);
    day.extend_from_slice(&day_bytes(at_ms.div_euclid(MS_PER_DAY)));
    day.extend_from_slice(&bucket);
    [day, with_suffix(count_all_prefix(customer), &bucket)]
}

pub(super) fn decode_count(v: &[u8]) -> Result<u64, ProjectionError> {
    let b: [u8; 8] = v
        .try_into()
        .map_err(|_| ProjectionError::Corrupt("orders count is not 8 bytes".into()))?;
    Ok(u64::from_be_bytes(b))
}

/// Adds `delta` to a counter; a counter that reaches zero is removed.
fn add_count(tx: &mut Tx<'_>, key: Vec<u8>, delta: i64) -> Result<(), ProjectionError> {
    let now = tx.get_raw(&key)?.map(|v| decode_count(&v)).transpose()?;
    let next = now
        .unwrap_or(0)
        .checked_add_signed(delta)
        .ok_or_else(|| ProjectionError::Corrupt("orders count below zero".into()))?;
    if next == 0 {
        tx.delete(key);
    } else {
        tx.put_raw(key, next.to_be_bytes().to_vec());
    }
    Ok(())
}

/// Keeps the list indexes and counts of an order in step with its row:
/// `before` is the row before the event (`None` when the event placed it).
/// The order's customer, time and id never change; its status (and so its
/// status key and bucket) may: the old entries go and the new ones come in
/// the same batch.
pub(super) fn reindex(
    tx: &mut Tx<'_>,
    before: Option<&OrderRow>,
    after: &OrderRow,
) -> Result<(), ProjectionError> {
    let old = before.map(Dims::of);
    let new = Dims::of(after);
    if old.as_ref() == Some(&new) {
        return Ok(());
    }
    let customer = &after.spec().customer_id;
    let at = ms(after.placed_at());
    let suffix = suffix(at, &after.spec().order_id);
    let new_keys = dim_keys(customer, &new, &suffix);
    if let Some(old) = &old {
        for key in dim_keys(customer, old, &suffix) {
            if !new_keys.contains(&key) {
                tx.delete(key);
            }
        }
        for key in count_keys(customer, at, old) {
            add_count(tx, key, -1)?;
        }
    }
    for key in new_keys {
        tx.mark(key);
    }
    for key in count_keys(customer, at, &new) {
        add_count(tx, key, 1)?;
    }
    tx.put_raw(
        with_suffix(index_prefix(Index::Time, customer, &[]), &suffix),
        new.encode(),
    );
    Ok(())
}
