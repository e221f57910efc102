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
//!
//! Table 4 holds exactly the orders whose current status is Paid: voiding a
//! paid order removes its entry.

mod apply;
mod details;
mod query;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use ledger_domain::ids::{ContractNo, CustomerId, InstanceId, OrderId};
use ledger_domain::order::{CancelReason, OrderSpec, OrderStatus, Payment};

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
    DEFAULT_PAGE_SIZE, MAX_ORDER_TYPES, MAX_PAGE_SIZE, MAX_PRODUCT_NAME_CHARS,
};

/// The projection's name.
pub const ORDERS: &str = "orders";

/// The `orders` projection. Register it with [`crate::Projector::open`] and
/// query the tree from `Projector::view(ORDERS)` with this module's functions.
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

/// An order's status as stored (the domain's [`OrderStatus`], serializable).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RowStatus {
    Unpaid,
    Paid {
        payment: Payment,
        paid_at: DateTime<Utc>,
    },
    Cancelled {
        reason: CancelReason,
        cancelled_at: DateTime<Utc>,
    },
    Voided {
        reason: String,
        voided_at: DateTime<Utc>,
        payment: Option<Payment>,
    },
}

impl RowStatus {
    /// The domain status, for its names and code mappings.
    pub fn to_domain(&self) -> OrderStatus {
        match self.clone() {
            RowStatus::Unpaid => OrderStatus::Unpaid,
            RowStatus::Paid { payment, paid_at } => OrderStatus::Paid { payment, paid_at },
            RowStatus::Cancelled {
                reason,
                cancelled_at,
            } => OrderStatus::Cancelled {
                reason,
                cancelled_at,
            },
            RowStatus::Voided {
                reason,
                voided_at,
                payment,
            } => OrderStatus::Voided {
                reason,
                voided_at,
                payment,
            },
        }
    }

    /// The payment time while the order is paid (not once voided).
    pub fn paid_at(&self) -> Option<DateTime<Utc>> {
        match self {
            RowStatus::Paid { paid_at, .. } => Some(*paid_at),
            _ => None,
        }
    }

    /// The payment, also of a paid order that was voided.
    pub fn payment(&self) -> Option<&Payment> {
        match self {
            RowStatus::Paid { payment, .. } => Some(payment),
            RowStatus::Voided { payment, .. } => payment.as_ref(),
            _ => None,
        }
    }
}

/// One order as the views need it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRow {
    pub spec: OrderSpec,
    pub placed_at: DateTime<Utc>,
    pub payment_deadline: DateTime<Utc>,
    pub status: RowStatus,
    /// The live contract holding the order, if any.
    pub contract: Option<ContractNo>,
    /// Time of the latest status change (Huawei `lastUpdateTime`).
    pub updated_at: DateTime<Utc>,
}

impl OrderRow {
    /// Pay and cancel are allowed only while unpaid and before the deadline.
    pub fn payable_at(&self, now: DateTime<Utc>) -> bool {
        matches!(self.status, RowStatus::Unpaid) && now < self.payment_deadline
    }
}

// ---- Keys -------------------------------------------------------------------

const ROW: u8 = 1;
const BY_CUSTOMER_TIME: u8 = 2;
const BY_INSTANCE: u8 = 3;
const BY_PAYMENT_TIME: u8 = 4;

fn row_key(id: &OrderId) -> Vec<u8> {
    KeyBuilder::new(ROW).text(id.as_str()).build()
}

fn customer_time_prefix(customer: &CustomerId) -> KeyBuilder {
    KeyBuilder::new(BY_CUSTOMER_TIME).text(customer.as_str())
}

fn customer_time_key(customer: &CustomerId, at: DateTime<Utc>, id: &OrderId) -> Vec<u8> {
    customer_time_prefix(customer)
        .time(at)
        .text(id.as_str())
        .build()
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
