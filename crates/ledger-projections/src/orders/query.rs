//! The order list (Baidu "Order Management", Huawei ListCustomerOrders).
//!
//! **Cost.** A list filtered by order time (default: the 7 days before
//! `now`), status(es), order type(s), bill type and service type is
//! answered from its indexes and count buckets: a page reads about the rows
//! it returns and the total is `O(days in range × buckets)` (see
//! [`super::stream`] for the exact bounds).
//!
//! Three filters cannot be answered that way and **scan their range**,
//! loading every row in it: a product-name filter (a contained name cannot
//! be indexed; the order-time range of the customer is scanned), a
//! payment-time range (the payment-time index, or the order-time index when
//! that range is shorter, is scanned), and a precise search (the one row of
//! an order id, or the instance index of an instance id: a resource's
//! lifecycle, a handful of orders). Their cost grows with the customer's
//! orders in the scanned range, never with all orders.
//!
//! Times are compared at millisecond precision (the indexes' grain): an
//! order is in a range when its millisecond is, and the list order is
//! (order time to the millisecond, order id).

use crate::calendar::{last_days, DEFAULT_TIME_ZONE};
use chrono::{DateTime, Duration, DurationRound, Utc};
use chrono_tz::Tz;

use ledger_domain::catalog::{BillType, ChargeType, OrderType};
use ledger_domain::ids::{CustomerId, InstanceId, OrderId, ServiceTypeCode};
use ledger_domain::money::{Currency, Money};
use ledger_domain::order::OrderStatus;

use super::stream::{self, Plan};
use super::{
    customer_time_prefix, instance_prefix, load_row, order_id_of_index_key, payment_time_prefix,
    OrderRow, QueryError,
};
use crate::KeyBuilder;

/// Largest page (Huawei `limit` 1–100).
pub const MAX_PAGE_SIZE: u32 = 100;
/// Page size when none is given (Huawei default 10).
pub const DEFAULT_PAGE_SIZE: u32 = 10;
/// Default order-time window: the last 7 days before `now` (Baidu).
pub const DEFAULT_ORDER_WINDOW_DAYS: i64 = 7;
/// Longest product-name filter.
pub const MAX_PRODUCT_NAME_CHARS: usize = 256;
/// Most order types one filter may list.
pub const MAX_ORDER_TYPES: usize = 6;
/// Most statuses one `status_in` filter may list (there are four).
pub const MAX_STATUS_KINDS: usize = 4;

/// An inclusive time range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeRange {
    pub begin: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl TimeRange {
    pub fn new(begin: DateTime<Utc>, end: DateTime<Utc>) -> TimeRange {
        TimeRange { begin, end }
    }

    /// Whether `t` falls in the range, at millisecond precision.
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        let ms = t.timestamp_millis();
        self.begin.timestamp_millis() <= ms && ms <= self.end.timestamp_millis()
    }

    pub(crate) fn check(&self, what: &'static str) -> Result<(), QueryError> {
        if self.begin > self.end {
            return Err(QueryError::RangeReversed {
                what,
                begin: self.begin,
                end: self.end,
            });
        }
        Ok(())
    }

    /// Index keys of `prefix` whose time part falls in the range.
    pub(crate) fn scan(&self, tree: &sled::Tree, prefix: &[u8]) -> sled::Iter {
        let with_time = |t: DateTime<Utc>| {
            let mut key = prefix.to_vec();
            key.extend_from_slice(&KeyBuilder::new(1).time(t).build()[1..]);
            key
        };
        tree.range(with_time(self.begin)..with_time(self.end + Duration::milliseconds(1)))
    }
}

/// Product name: exact or contained, case-insensitive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProductNameFilter {
    Exact(String),
    Contains(String),
}

impl ProductNameFilter {
    pub(crate) fn check(&self) -> Result<(), QueryError> {
        let (ProductNameFilter::Exact(s) | ProductNameFilter::Contains(s)) = self;
        if s.trim().is_empty() {
            return Err(QueryError::InvalidFilter {
                what: "product name",
                reason: "must not be empty",
            });
        }
        if s.chars().count() > MAX_PRODUCT_NAME_CHARS {
            return Err(QueryError::InvalidFilter {
                what: "product name",
                reason: "is too long",
            });
        }
        Ok(())
    }

    pub fn matches(&self, name: &str) -> bool {
        let name = name.to_lowercase();
        match self {
            ProductNameFilter::Exact(s) => name == s.trim().to_lowercase(),
            ProductNameFilter::Contains(s) => name.contains(&s.trim().to_lowercase()),
        }
    }
}

/// Baidu's four statuses, as a filter value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderStatusKind {
    Unpaid,
    Paid,
    Cancelled,
    Voided,
}

impl OrderStatusKind {
    pub fn of(status: &OrderStatus) -> OrderStatusKind {
        match status {
            OrderStatus::Unpaid => OrderStatusKind::Unpaid,
            OrderStatus::Paid { .. } => OrderStatusKind::Paid,
            OrderStatus::Cancelled { .. } => OrderStatusKind::Cancelled,
            OrderStatus::Voided { .. } => OrderStatusKind::Voided,
        }
    }

    pub(crate) fn of_row(status: &OrderStatus) -> OrderStatusKind {
        match status {
            OrderStatus::Unpaid => OrderStatusKind::Unpaid,
            OrderStatus::Paid { .. } => OrderStatusKind::Paid,
            OrderStatus::Cancelled { .. } => OrderStatusKind::Cancelled,
            OrderStatus::Voided { .. } => OrderStatusKind::Voided,
        }
    }
}

/// Baidu "Precise search".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PreciseSearch {
    /// The one order, if it is the customer's.
    OrderId(OrderId),
    /// Every order of the resource's lifecycle (purchase, renewals, changes).
    InstanceId(InstanceId),
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortOrder {
    #[default]
    NewestFirst,
    OldestFirst,
}

/// An opaque position in a result list: the (order time, order id) of the
/// last row returned. Stable while newer orders arrive.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Cursor(String);

impl Cursor {
    fn encode(at: DateTime<Utc>, id: &OrderId) -> Cursor {
        Cursor::encode_ms(at.timestamp_millis(), id)
    }

    pub(super) fn encode_ms(at_ms: i64, id: &OrderId) -> Cursor {
        let mut s = format!("{:016x}", at_ms as u64);
        for b in id.as_str().bytes() {
            s.push_str(&format!("{b:02x}"));
        }
        Cursor(s)
    }

    pub(super) fn decode(&self) -> Result<(DateTime<Utc>, OrderId), QueryError> {
        let s = &self.0;
        if s.len() < 18 || s.len() % 2 != 0 || !s.is_ascii() {
            return Err(QueryError::BadCursor);
        }
        let ms = u64::from_str_radix(&s[..16], 16).map_err(|_| QueryError::BadCursor)?;
        let at = DateTime::from_timestamp_millis(ms as i64).ok_or(QueryError::BadCursor)?;
        let bytes = (16..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16))
            .collect::<Result<Vec<u8>, _>>()
            .map_err(|_| QueryError::BadCursor)?;
        let id = String::from_utf8(bytes).map_err(|_| QueryError::BadCursor)?;
        Ok((at, id.parse().map_err(|_| QueryError::BadCursor)?))
    }

    /// The cursor's text, to hand to a client.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A cursor a client handed back (checked when used).
    pub fn from_client(s: impl Into<String>) -> Cursor {
        Cursor(s.into())
    }
}

/// One order-list query. Build with [`OrderListQuery::new`] and set fields.
#[derive(Clone, Debug)]
pub struct OrderListQuery {
    pub customer_id: CustomerId,
    /// The caller's "now": the default window ends here, and the allowed
    /// operations are judged at it. Never read from a clock here.
    pub now: DateTime<Utc>,
    /// Order-time range. Default: "the last 7 days" of the customer's
    /// calendar ([`crate::calendar::last_days`] of
    /// [`DEFAULT_ORDER_WINDOW_DAYS`] in `time_zone`), except with a precise
    /// search, which spans all time unless given.
    pub order_time: Option<TimeRange>,
    /// The customer's zone for the default window.
    pub time_zone: Tz,
    pub product_name: Option<ProductNameFilter>,
    /// `None`: all bill types.
    pub bill_type: Option<BillType>,
    pub status: Option<OrderStatusKind>,
    /// Empty: any status; else one of these (Huawei status 4 is
    /// `[Cancelled, Voided]`). Applies together with `status`.
    pub status_in: Vec<OrderStatusKind>,
    /// Empty: every order type.
    pub order_types: Vec<OrderType>,
    pub service_type_code: Option<ServiceTypeCode>,
    pub payment_time: Option<TimeRange>,
    pub search: Option<PreciseSearch>,
    pub sort: SortOrder,
    /// 1–[`MAX_PAGE_SIZE`]; default [`DEFAULT_PAGE_SIZE`].
    pub limit: Option<u32>,
    /// Rows to skip (after the cursor, if any).
    pub offset: u64,
    /// Continue after the last row of a previous page.
    pub cursor: Option<Cursor>,
}

impl OrderListQuery {
    pub fn new(customer_id: CustomerId, now: DateTime<Utc>) -> OrderListQuery {
        OrderListQuery {
            customer_id,
            now,
            order_time: None,
            time_zone: DEFAULT_TIME_ZONE,
            product_name: None,
            bill_type: None,
            status: None,
            status_in: Vec::new(),
            order_types: Vec::new(),
            service_type_code: None,
            payment_time: None,
            search: None,
            sort: SortOrder::NewestFirst,
            limit: None,
            offset: 0,
            cursor: None,
        }
    }

    /// The order-time range that applies.
    pub fn effective_order_time(&self) -> Option<TimeRange> {
        match (self.order_time, &self.search) {
            (Some(r), _) => Some(r),
            (None, Some(_)) => None,
            (None, None) => Some(last_days(
                self.now,
                self.time_zone,
                DEFAULT_ORDER_WINDOW_DAYS.unsigned_abs(),
            )),
        }
    }

    fn check(&self) -> Result<u32, QueryError> {
        let limit = query_limit(self.limit, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)?;
        if let Some(r) = &self.order_time {
            r.check("order time")?;
        }
        if let Some(r) = &self.payment_time {
            r.check("payment time")?;
        }
        if let Some(p) = &self.product_name {
            p.check()?;
        }
        if self.order_types.len() > MAX_ORDER_TYPES {
            return Err(QueryError::InvalidFilter {
                what: "order types",
                reason: "too many",
            });
        }
        if self.status_in.len() > MAX_STATUS_KINDS {
            return Err(QueryError::InvalidFilter {
                what: "statuses",
                reason: "too many",
            });
        }
        if let Some(c) = &self.cursor {
            c.decode()?;
        }
        Ok(limit)
    }

    fn matches(&self, row: &OrderRow) -> bool {
        let spec = &row.spec();
        spec.customer_id == self.customer_id
            && self
                .effective_order_time()
                .is_none_or(|r| r.contains(row.placed_at()))
            && self
                .payment_time
                .is_none_or(|r| row.status().paid_at().is_some_and(|t| r.contains(t)))
            && self
                .product_name
                .as_ref()
                .is_none_or(|p| p.matches(&spec.product_name))
            && self
                .bill_type
                .is_none_or(|b| spec.charge_type.bill_type() == b)
            && self
                .status
                .is_none_or(|s| OrderStatusKind::of_row(row.status()) == s)
            && (self.status_in.is_empty()
                || self
                    .status_in
                    .contains(&OrderStatusKind::of_row(row.status())))
            && (self.order_types.is_empty() || self.order_types.contains(&spec.order_type))
            && self
                .service_type_code
                .as_ref()
                .is_none_or(|c| *c == spec.service_type_code)
    }
}

/// Checks a page size (1..=max, default when absent).
pub(crate) fn query_limit(limit: Option<u32>, default: u32, max: u32) -> Result<u32, QueryError> {
    match limit {
        None => Ok(default),
        Some(l) if (1..=max).contains(&l) => Ok(l),
        Some(given) => Err(QueryError::LimitOutOfRange { given, max }),
    }
}

/// What the customer may do with an order now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operations {
    pub view: bool,
    pub pay: bool,
    pub cancel: bool,
}

impl Operations {
    pub(crate) fn of(row: &OrderRow, now: DateTime<Utc>) -> Operations {
        let open = row.payable_at(now);
        Operations {
            view: true,
            pay: open,
            cancel: open,
        }
    }
}

/// One row of the order list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderListRow {
    pub order_id: OrderId,
    pub product_name: String,
    pub status: OrderStatusKind,
    /// Huawei order `status` code.
    pub status_code: u8,
    /// The currency of every amount of the row.
    pub currency: Currency,
    /// Baidu "Order amount": the product amount, list price before discounts.
    pub order_amount: Money,
    pub amount_due: Money,
    /// Baidu "Cash payment" ("the amount of money that has been paid for
    /// the order"): zero until paid; a paid order voided later still shows
    /// what was paid (no refund event exists yet to say otherwise).
    pub cash_payment: Money,
    pub order_type: OrderType,
    pub charge_type: ChargeType,
    /// Order time truncated to the minute.
    pub order_time: DateTime<Utc>,
    pub payment_time: Option<DateTime<Utc>>,
    pub operations: Operations,
}

/// A page of the order list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderPage {
    pub rows: Vec<OrderListRow>,
    /// Every matching order, regardless of paging.
    pub total: u64,
    /// Continue here; `None` on the last page.
    pub next_cursor: Option<Cursor>,
}

/// Truncates to the millisecond (the list's precision).
fn to_ms(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
}

/// Truncates to the minute.
pub(crate) fn to_minute(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(Duration::minutes(1)).unwrap_or(t)
}

pub(crate) fn list_row(row: &OrderRow, now: DateTime<Utc>) -> OrderListRow {
    let spec = &row.spec();
    let cash_payment = row
        .status()
        .payment()
        .and_then(|p| p.cash_amount())
        .unwrap_or(Money::ZERO);
    OrderListRow {
        order_id: spec.order_id.clone(),
        product_name: spec.product_name.clone(),
        status: OrderStatusKind::of_row(row.status()),
        status_code: row.status().huawei_code(),
        currency: spec.currency,
        order_amount: spec.pricing().list_price,
        amount_due: spec.amount_due,
        cash_payment,
        order_type: spec.order_type,
        charge_type: spec.charge_type,
        order_time: to_minute(row.placed_at()),
        payment_time: row.status().paid_at(),
        operations: Operations::of(row, now),
    }
}

/// Rows of the index entries of `prefix` in `range` (all time when `None`).
pub(crate) fn rows_in(
    tree: &sled::Tree,
    prefix: KeyBuilder,
    range: Option<TimeRange>,
) -> Result<Vec<OrderRow>, QueryError> {
    let prefix = prefix.build();
    let iter = match range {
        Some(r) => r.scan(tree, &prefix),
        None => tree.scan_prefix(&prefix),
    };
    let mut rows = Vec::new();
    for kv in iter {
        let (key, _) = kv?;
        let id = order_id_of_index_key(&key, prefix.len())?;
        let row = load_row(tree, &id)?.ok_or_else(|| {
            crate::ProjectionError::Corrupt(format!("index names missing order {id}"))
        })?;
        rows.push(row);
    }
    Ok(rows)
}

fn span(r: &TimeRange) -> Duration {
    r.end - r.begin
}

/// The customer's orders matching `q`, one page of them, and the total.
pub fn list_orders(tree: &sled::Tree, q: &OrderListQuery) -> Result<OrderPage, QueryError> {
    Ok(list(tree, q, true, None)?.0)
}

/// Whether `q` needs rows to filter (see the module's cost notes).
fn scans_rows(q: &OrderListQuery) -> bool {
    q.search.is_some() || q.payment_time.is_some() || q.product_name.is_some()
}

/// One page of `q`; the total only when `with_total` (zero otherwise, on
/// the indexed path); `plan` from an earlier page of the same list.
pub(super) fn list(
    tree: &sled::Tree,
    q: &OrderListQuery,
    with_total: bool,
    plan: Option<Plan>,
) -> Result<(OrderPage, Option<Plan>), QueryError> {
    let limit = q.check()? as usize;
    if scans_rows(q) {
        return Ok((list_scanning(tree, q, limit)?, None));
    }
    let (page, plan) = stream::list(tree, q, limit, with_total, plan)?;
    Ok((page, Some(plan)))
}

/// The row-scanning answer (product name, payment time, precise search).
fn list_scanning(
    tree: &sled::Tree,
    q: &OrderListQuery,
    limit: usize,
) -> Result<OrderPage, QueryError> {
    let customer = &q.customer_id;
    let candidates = match &q.search {
        Some(PreciseSearch::OrderId(id)) => load_row(tree, id)?.into_iter().collect(),
        Some(PreciseSearch::InstanceId(instance)) => rows_in(
            tree,
            instance_prefix(customer, instance),
            q.effective_order_time(),
        )?,
        None => {
            let order_time = q.effective_order_time().expect("defaulted without search");
            match q.payment_time {
                Some(p) if span(&p) < span(&order_time) => {
                    rows_in(tree, payment_time_prefix(customer), Some(p))?
                }
                _ => rows_in(tree, customer_time_prefix(customer), Some(order_time))?,
            }
        }
    };
    let mut matching: Vec<OrderRow> = candidates.into_iter().filter(|r| q.matches(r)).collect();
    let key = |r: &OrderRow| (to_ms(r.placed_at()), r.spec().order_id.clone());
    matching.sort_by_key(key);
    if q.sort == SortOrder::NewestFirst {
        matching.reverse();
    }
    let total = matching.len() as u64;
    let after = q
        .cursor
        .as_ref()
        .map(|c| c.decode().map(|(at, id)| (to_ms(at), id)))
        .transpose()?;
    let start = match &after {
        None => 0,
        Some(c) => matching
            .iter()
            .position(|r| match q.sort {
                SortOrder::NewestFirst => key(r) < *c,
                SortOrder::OldestFirst => key(r) > *c,
            })
            .unwrap_or(matching.len()),
    };
    let start = start.saturating_add(usize::try_from(q.offset).unwrap_or(usize::MAX));
    let page: Vec<&OrderRow> = matching.iter().skip(start).take(limit).collect();
    let next_cursor = (start.saturating_add(page.len()) < matching.len())
        .then(|| {
            page.last()
                .map(|r| Cursor::encode(r.placed_at(), &r.spec().order_id))
        })
        .flatten();
    Ok(OrderPage {
        rows: page.into_iter().map(|r| list_row(r, q.now)).collect(),
        total,
        next_cursor,
    })
}
