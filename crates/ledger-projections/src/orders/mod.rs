//! The `orders` read model: one row per order plus three indexes, and the
//! queries the order list, order details, deduction details and the
//! contract-application order picker are served from.
//!
//! Layout of the projection's tree (see [`crate::KeyBuilder`]):
//!
//! | table | key                                              | value       |
//! |-------|--------------------------------------------------|-------------|
//! | 1     | order id                                         | [`OrderRow`] |
//! | 2     | customer id, order time, order id                | (index)     |
//! | 3     | customer id, instance id, order time, order id   | (index)     |
//! | 4     | customer id, payment time, order id              | (index)     |
//! | 5     | order id                                         | amount paid from the balance |
//!
//! Table 4 holds exactly the orders whose current status is Paid: voiding a
//! paid order removes its entry. Table 2's value and tables 6–11 (the
//! list's per-filter indexes and count buckets) are described in
//! [`index`]; how a list uses them, in [`stream`].

mod apply;
mod details;
mod index;
mod query;
mod stream;
mod view;

use chrono::{DateTime, Utc};

use ledger_domain::ids::{CustomerId, InstanceId, OrderId};
use ledger_domain::order::PlacedOrder;

use crate::{KeyBuilder, ProjectionError};

pub use details::{
    deductions_by_discount_type, eligible_orders, order_deductions, order_details, AmountInfo,
    DeductionTotals, DeductionsByType, DiscountAmount, DiscountTotal, EligibleOrder,
    EligibleOrdersQuery, EligiblePage, LineItemDeductions, LineItemDetails, OrderDeductions,
    OrderDetails, MAX_ELIGIBLE_PAGE_SIZE,
};
pub(crate) use query::query_limit;
pub use query::{
    list_orders, Cursor, Operations, OrderListQuery, OrderListRow, OrderPage, OrderStatusKind,
    PreciseSearch, ProductNameFilter, SortOrder, TimeRange, DEFAULT_ORDER_WINDOW_DAYS,
    DEFAULT_PAGE_SIZE, MAX_ORDER_TYPES, MAX_PAGE_SIZE, MAX_PRODUCT_NAME_CHARS, MAX_STATUS_KINDS,
};
pub use view::{DetailsPage, OrderPages, OrdersView};

/// The projection's name.
pub const ORDERS: &str = "orders";

/// The `orders` projection. Register it with [`crate::Projector::open`] and
/// query it through [`OrdersView::open`].
#[derive(Clone, Copy, Debug, Default)]
pub struct OrdersProjection;

/// Why a query was refused (bad input), or failed (storage).
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("limit must be between 1 and {max}, got {given}")]
    LimitOutOfRange { given: u32, max: u32 },
    #[error("{what}: begin {begin} is after end {end}")]
    RangeReversed {
        what: &'static str,
        begin: DateTime<Utc>,
        end: DateTime<Utc>,
    },
    #[error("invalid {what}: {reason}")]
    InvalidFilter {
        what: &'static str,
        reason: &'static str,
    },
    #[error("malformed cursor")]
    BadCursor,
    #[error("amount overflow while summing")]
    Overflow,
    #[error(transparent)]
    Projection(#[from] ProjectionError),
}

impl From<sled::Error> for QueryError {
    fn from(e: sled::Error) -> Self {
        QueryError::Projection(e.into())
    }
}

/// One order as the views need it: the domain's own order state, kept
/// with the same `evolve` the decider uses.
pub type OrderRow = PlacedOrder;

// ---- Keys -------------------------------------------------------------------

const ROW: u8 = 1;
const BY_CUSTOMER_TIME: u8 = 2;
const BY_INSTANCE: u8 = 3;
const BY_PAYMENT_TIME: u8 = 4;
const BALANCE_PAID: u8 = 5;

fn balance_paid_key(id: &OrderId) -> Vec<u8> {
    KeyBuilder::new(BALANCE_PAID).text(id.as_str()).build()
}

/// What the customer's balance paid of an order (zero if nothing).
pub(crate) fn balance_paid(
    tree: &sled::Tree,
    id: &OrderId,
) -> Result<ledger_domain::money::Money, QueryError> {
    match tree.get(balance_paid_key(id))? {
        None => Ok(ledger_domain::money::Money::ZERO),
        Some(v) => Ok(ledger_codec::payload::decode_value(&v).map_err(ProjectionError::from)?),
    }
}

fn row_key(id: &OrderId) -> Vec<u8> {
    KeyBuilder::new(ROW).text(id.as_str()).build()
}

fn customer_time_prefix(customer: &CustomerId) -> KeyBuilder {
    KeyBuilder::new(BY_CUSTOMER_TIME).text(customer.as_str())
}

fn instance_prefix(customer: &CustomerId, instance: &InstanceId) -> KeyBuilder {
    KeyBuilder::new(BY_INSTANCE)
        .text(customer.as_str())
        .text(instance.as_str())
}

fn instance_key(
    customer: &CustomerId,
    instance: &InstanceId,
    at: DateTime<Utc>,
    id: &OrderId,
) -> Vec<u8> {
    instance_prefix(customer, instance)
        .time(at)
        .text(id.as_str())
        .build()
}

fn payment_time_prefix(customer: &CustomerId) -> KeyBuilder {
    KeyBuilder::new(BY_PAYMENT_TIME).text(customer.as_str())
}

fn payment_time_key(customer: &CustomerId, at: DateTime<Utc>, id: &OrderId) -> Vec<u8> {
    payment_time_prefix(customer)
        .time(at)
        .text(id.as_str())
        .build()
}

/// The order id of an index key `prefix, time (8 bytes), id \0`, given the
/// prefix's length.
fn order_id_of_index_key(key: &[u8], prefix_len: usize) -> Result<OrderId, ProjectionError> {
    let corrupt = || ProjectionError::Corrupt("malformed orders index key".into());
    let id = key
        .get(prefix_len + 8..)
        .and_then(|rest| rest.strip_suffix(&[0]))
        .ok_or_else(corrupt)?;
    let id = std::str::from_utf8(id).map_err(|_| corrupt())?;
    OrderId::new(id).map_err(|_| corrupt())
}

/// Loads an order row.
pub(crate) fn load_row(tree: &sled::Tree, id: &OrderId) -> Result<Option<OrderRow>, QueryError> {
    match tree.get(row_key(id))? {
        None => Ok(None),
        Some(v) => Ok(Some(
            ledger_codec::payload::decode_value(&v).map_err(ProjectionError::from)?,
        )),
    }
}
