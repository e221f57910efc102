//! The order list answered from its indexes (see [`super::index`]): a page
//! reads about the rows it returns, and the total comes from the count
//! buckets.
//!
//! **Bounds**, for one customer's list over an order-time range with any
//! combination of the status (one, or a set such as Huawei's status 4),
//! order type(s), bill type and service type filters:
//! - *total*: `O(buckets in the range's whole UTC days)` count reads
//!   (buckets are the distinct (status, order type, charge type, service
//!   type) combinations the customer has on a day), plus a key scan of the
//!   range's partial first and last UTC days (`O(orders on those two
//!   days)`, reading table 2's short values, no rows). A range that covers
//!   all of the customer's orders (the Huawei list without a window) reads
//!   the all-time buckets only: `O(buckets)`.
//! - *page*: the index of the most selective filter (by those counts) is
//!   streamed in list order from the cursor, merging one range per allowed
//!   value (at most [`super::MAX_ORDER_TYPES`] ranges); keys the other
//!   filters reject are passed over with one point read of table 2 each;
//!   an `offset` first skips whole UTC days by their buckets (see
//!   [`skip_whole_days`]), then the rest of it as index keys, never loaded.
//!   So a page costs `O(limit + offset within one day)` index keys of the
//!   chosen index (divided by the other filters' selectivity) plus `limit`
//!   row loads, plus the buckets of the skipped days.
//!
//! Product-name and payment-time filters and precise searches do not take
//! this path (see [`super::query`]).

use std::cmp::Ordering;
use std::ops::Bound;

use ledger_domain::ids::{CustomerId, OrderId};

use super::index::{
    bill_code, count_all_prefix, count_day_prefix, day_bytes, decode_count, id_of_suffix,
    index_prefix, ms, ms_of_time_bytes, order_type_code, status_code, suffix, time_bytes,
    with_suffix, Dims, Index, MS_PER_DAY, TIME_BYTES,
};
use super::query::{list_row, Cursor, OrderListQuery, OrderPage, OrderStatusKind, SortOrder};
use super::{load_row, QueryError};
use crate::ProjectionError;

/// The filter dimensions that have an index, in tie-break order.
const DIMS: [Index; 4] = [Index::Status, Index::OrderType, Index::Bill, Index::Service];

fn dim_slot(index: Index) -> Option<usize> {
    DIMS.iter().position(|d| *d == index)
}

/// The indexable part of a query's filters, as stored codes.
#[derive(Clone, Debug)]
pub(super) struct Filter {
    /// `None`: any status. `Some(empty)`: nothing matches.
    statuses: Option<Vec<u8>>,
    types: Option<Vec<u8>>,
    bill: Option<u8>,
    service: Option<String>,
}

impl Filter {
    pub fn of(q: &OrderListQuery) -> Filter {
        let mut statuses: Option<Vec<OrderStatusKind>> =
            (!q.status_in.is_empty()).then(|| q.status_in.clone());
        if let Some(s) = q.status {
            statuses = Some(match statuses {
                None => vec![s],
                Some(set) => set.into_iter().filter(|x| *x == s).collect(),
            });
        }
        let mut statuses: Option<Vec<u8>> =
            statuses.map(|s| s.into_iter().map(status_code).collect());
        if let Some(s) = &mut statuses {
            s.sort_unstable();
            s.dedup();
        }
        let mut types: Option<Vec<u8>> = (!q.order_types.is_empty())
            .then(|| q.order_types.iter().copied().map(order_type_code).collect());
        if let Some(t) = &mut types {
            t.sort_unstable();
            t.dedup();
        }
        Filter {
            statuses,
            types,
            bill: q.bill_type.map(bill_code),
            service: q.service_type_code.as_ref().map(|s| s.to_string()),
        }
    }

    fn nothing(&self) -> bool {
        self.statuses.as_ref().is_some_and(Vec::is_empty)
    }

    fn has(&self, index: Index) -> bool {
        match index {
            Index::Time => false,
            Index::Status => self.statuses.is_some(),
            Index::OrderType => self.types.is_some(),
            Index::Bill => self.bill.is_some(),
            Index::Service => self.service.is_some(),
        }
    }

    fn matches_dim(&self, index: Index, d: &Dims) -> bool {
        match index {
            Index::Time => true,
            Index::Status => self.statuses.as_ref().is_none_or(|s| s.contains(&d.status)),
            Index::OrderType => self
                .types
                .as_ref()
                .is_none_or(|t| t.contains(&d.order_type)),
            Index::Bill => self.bill.is_none_or(|b| b == d.bill()),
            Index::Service => self.service.as_ref().is_none_or(|s| *s == d.service),
        }
    }

    fn matches(&self, d: &Dims) -> bool {
        DIMS.iter().all(|i| self.matches_dim(*i, d))
    }

    /// The key values of `index` this filter allows (one empty value for
    /// the time index).
    fn values(&self, index: Index) -> Vec<Vec<u8>> {
        let bytes = |v: &Vec<u8>| v.iter().map(|b| vec![*b]).collect();
        match index {
            Index::Time => vec![Vec::new()],
            Index::Status => self.statuses.as_ref().map_or_else(Vec::new, bytes),
            Index::OrderType => self.types.as_ref().map_or_else(Vec::new, bytes),
            Index::Bill => self.bill.map(|b| vec![vec![b]]).unwrap_or_default(),
            Index::Service => self
                .service
                .as_ref()
                .map(|s| vec![s.as_bytes().to_vec()])
                .unwrap_or_default(),
        }
    }
}

/// Orders in a range: all filters, and each indexed filter alone.
#[derive(Clone, Copy, Debug, Default)]
struct Counts {
    total: u64,
    by_dim: [u64; DIMS.len()],
}

impl Counts {
    fn tally(&mut self, f: &Filter, d: &Dims, n: u64) {
        if f.matches(d) {
            self.total += n;
        }
        for (slot, index) in DIMS.iter().enumerate() {
            if f.has(*index) && f.matches_dim(*index, d) {
                self.by_dim[slot] += n;
            }
        }
    }
}

fn corrupt(what: &str) -> QueryError {
    ProjectionError::Corrupt(format!("orders: {what}")).into()
}

/// Keys of `prefix` with a time part in `lo..=hi` (milliseconds).
fn time_range(tree: &sled::Tree, prefix: &[u8], lo: i64, hi: i64) -> sled::Iter {
    let from = with_suffix(prefix.to_vec(), &time_bytes(lo));
    let to = with_suffix(prefix.to_vec(), &time_bytes(hi.saturating_add(1)));
    tree.range(from..to)
}

/// The customer's first and last order times, if any.
fn span_of_customer(
    tree: &sled::Tree,
    customer: &CustomerId,
) -> Result<Option<(i64, i64)>, QueryError> {
    let prefix = index_prefix(Index::Time, customer, &[]);
    let mut keys = tree.scan_prefix(&prefix);
    let (Some(first), Some(last)) = (keys.next().transpose()?, keys.next_back().transpose()?)
    else {
        // One order: the forward read took it.
        return Ok(None);
    };
    Ok(Some((
        ms_of_time_bytes(&first.0[prefix.len()..])?,
        ms_of_time_bytes(&last.0[prefix.len()..])?,
    )))
}

/// Tallies table 2 over `lo..=hi` key by key (partial days).
fn tally_keys(
    tree: &sled::Tree,
    customer: &CustomerId,
    f: &Filter,
    (lo, hi): (i64, i64),
    counts: &mut Counts,
) -> Result<(), QueryError> {
    let prefix = index_prefix(Index::Time, customer, &[]);
    for kv in time_range(tree, &prefix, lo, hi) {
        let (_, v) = kv?;
        counts.tally(f, &Dims::decode(&v)?, 1);
    }
    Ok(())
}

/// The counts of `f` over `lo..=hi` (see the module's bounds).
fn counts(
    tree: &sled::Tree,
    customer: &CustomerId,
    f: &Filter,
    (lo, hi): (i64, i64),
) -> Result<Counts, QueryError> {
    let mut counts = Counts::default();
    let (first, last) = match span_of_customer(tree, customer)? {
        Some(span) => span,
        None => {
            // No order, or exactly one: count keys (at most one).
            tally_keys(tree, customer, f, (lo, hi), &mut counts)?;
            return Ok(counts);
        }
    };
    if lo <= first && last <= hi {
        let all = count_all_prefix(customer);
        for kv in tree.scan_prefix(&all) {
            let (k, v) = kv?;
            counts.tally(f, &Dims::decode_bucket(&k[all.len()..])?, decode_count(&v)?);
        }
        return Ok(counts);
    }
    let (lo, hi) = (lo.max(first), hi.min(last));
    if lo > hi {
        return Ok(counts);
    }
    let first_day = lo.div_euclid(MS_PER_DAY);
    let last_day = hi.div_euclid(MS_PER_DAY);
    let first_full = if lo == first_day * MS_PER_DAY {
        first_day
    } else {
        first_day + 1
    };
    let last_full = if hi == (last_day + 1) * MS_PER_DAY - 1 {
        last_day
    } else {
        last_day - 1
    };
    if first_full > last_full {
        // Within at most two partial days.
        tally_keys(tree, customer, f, (lo, hi), &mut counts)?;
        return Ok(counts);
    }
    let day_prefix = count_day_prefix(customer);
    let from = with_suffix(day_prefix.clone(), &day_bytes(first_full));
    let to = with_suffix(day_prefix.clone(), &day_bytes(last_full + 1));
    for kv in tree.range(from..to) {
        let (k, v) = kv?;
        let bucket = k
            .get(day_prefix.len() + TIME_BYTES..)
            .ok_or_else(|| corrupt("short count key"))?;
        counts.tally(f, &Dims::decode_bucket(bucket)?, decode_count(&v)?);
    }
    let (full_lo, full_hi) = (first_full * MS_PER_DAY, (last_full + 1) * MS_PER_DAY - 1);
    if lo < full_lo {
        tally_keys(tree, customer, f, (lo, full_lo - 1), &mut counts)?;
    }
    if hi > full_hi {
        tally_keys(tree, customer, f, (full_hi + 1, hi), &mut counts)?;
    }
    Ok(counts)
}

/// One index range being merged.
struct Head {
    prefix_len: usize,
    iter: sled::Iter,
    next: Option<(sled::IVec, sled::IVec)>,
}

fn advance(
    iter: &mut sled::Iter,
    sort: SortOrder,
) -> Result<Option<(sled::IVec, sled::IVec)>, QueryError> {
    let kv = match sort {
        SortOrder::NewestFirst => iter.next_back(),
        SortOrder::OldestFirst => iter.next(),
    };
    Ok(kv.transpose()?)
}

/// Ids (with their millisecond) of one page, and whether more follow.
struct PageIds {
    ids: Vec<(i64, OrderId)>,
    more: bool,
}

/// Streams `index` in list order over `lo..=hi`, after `after`, skipping
/// `skip` matching keys and taking `limit`.
#[allow(clippy::too_many_arguments)]
fn page_ids(
    tree: &sled::Tree,
    customer: &CustomerId,
    f: &Filter,
    index: Index,
    (lo, hi): (i64, i64),
    after: Option<&[u8]>,
    sort: SortOrder,
    mut skip: u64,
    limit: usize,
) -> Result<PageIds, QueryError> {
    let mut heads = Vec::new();
    for value in f.values(index) {
        let prefix = index_prefix(index, customer, &value);
        let mut from = Bound::Included(with_suffix(prefix.clone(), &time_bytes(lo)));
        let mut to = Bound::Excluded(with_suffix(
            prefix.clone(),
            &time_bytes(hi.saturating_add(1)),
        ));
        if let Some(after) = after {
            let at = with_suffix(prefix.clone(), after);
            match sort {
                SortOrder::NewestFirst => {
                    if let Bound::Excluded(end) = &to {
                        if at < *end {
                            to = Bound::Excluded(at);
                        }
                    }
                }
                SortOrder::OldestFirst => {
                    if let Bound::Included(start) = &from {
                        if at >= *start {
                            from = Bound::Excluded(at);
                        }
                    }
                }
            }
        }
        let mut iter = tree.range::<Vec<u8>, _>((from, to));
        let next = advance(&mut iter, sort)?;
        heads.push(Head {
            prefix_len: prefix.len(),
            iter,
            next,
        });
    }
    let residual = DIMS.iter().any(|d| *d != index && f.has(*d));
    let time_prefix = index_prefix(Index::Time, customer, &[]);
    let mut out = PageIds {
        ids: Vec::with_capacity(limit),
        more: false,
    };
    loop {
        let mut best: Option<usize> = None;
        for (i, h) in heads.iter().enumerate() {
            let Some((k, _)) = &h.next else { continue };
            let better = match best {
                None => true,
                Some(b) => {
                    let (bk, _) = heads[b].next.as_ref().expect("best has a key");
                    let ord = k[h.prefix_len..].cmp(&bk[heads[b].prefix_len..]);
                    match sort {
                        SortOrder::NewestFirst => ord == Ordering::Greater,
                        SortOrder::OldestFirst => ord == Ordering::Less,
                    }
                }
            };
            if better {
                best = Some(i);
            }
        }
        let Some(i) = best else { break };
        let head = &mut heads[i];
        let (key, value) = head.next.take().expect("best has a key");
        head.next = advance(&mut head.iter, sort)?;
        let sfx = &key[head.prefix_len..];
        if residual {
            let dims = if index == Index::Time {
                Dims::decode(&value)?
            } else {
                let v = tree
                    .get(with_suffix(time_prefix.clone(), sfx))?
                    .ok_or_else(|| corrupt("list index names an order table 2 lacks"))?;
                Dims::decode(&v)?
            };
            if !f.matches(&dims) {
                continue;
            }
        }
        if skip > 0 {
            skip -= 1;
            continue;
        }
        if out.ids.len() == limit {
            out.more = true;
            break;
        }
        out.ids.push((ms_of_time_bytes(sfx)?, id_of_suffix(sfx)?));
    }
    Ok(out)
}

/// Counts the keys of table 2 over `lo..=hi` matching `f`, in list order,
/// stopping as soon as more than `left` match: `Some(n)` when all `n` of
/// them can be skipped, `None` when the page starts inside the range.
fn skippable_keys(
    tree: &sled::Tree,
    customer: &CustomerId,
    f: &Filter,
    (lo, hi): (i64, i64),
    sort: SortOrder,
    left: u64,
) -> Result<Option<u64>, QueryError> {
    let prefix = index_prefix(Index::Time, customer, &[]);
    let mut iter = time_range(tree, &prefix, lo, hi);
    let mut n = 0u64;
    while let Some((_, v)) = advance(&mut iter, sort)? {
        if f.matches(&Dims::decode(&v)?) {
            n += 1;
            if n > left {
                return Ok(None);
            }
        }
    }
    Ok(Some(n))
}

/// A deep `offset` skips whole UTC days by their count buckets instead of
/// key by key (issue 11: "offsets deep into a list use the index too").
/// In list order: the range's leading partial day key by key (stopping
/// where the page starts), then each whole day by the sum of its buckets
/// that match, until the day the page starts in. Returns the narrowed
/// range and what is left to skip inside it.
///
/// **Bound**: `O(orders of the leading partial day + buckets of the skipped
/// days)`, never the skipped orders: with 2,880 orders a day and a handful
/// of buckets each, offset 10,000 reads a few dozen count keys.
fn skip_whole_days(
    tree: &sled::Tree,
    customer: &CustomerId,
    f: &Filter,
    (mut lo, mut hi): (i64, i64),
    sort: SortOrder,
    skip: u64,
) -> Result<((i64, i64), u64), QueryError> {
    let mut left = skip;
    if left == 0 || lo > hi {
        return Ok(((lo, hi), left));
    }
    let day_start = |ms: i64| ms.div_euclid(MS_PER_DAY) * MS_PER_DAY;
    // The leading partial day.
    let edge = match sort {
        SortOrder::NewestFirst if hi != day_start(hi) + MS_PER_DAY - 1 => {
            Some((lo.max(day_start(hi)), hi))
        }
        SortOrder::OldestFirst if lo != day_start(lo) => {
            Some((lo, hi.min(day_start(lo) + MS_PER_DAY - 1)))
        }
        _ => None,
    };
    if let Some(edge) = edge {
        let Some(n) = skippable_keys(tree, customer, f, edge, sort, left)? else {
            return Ok(((lo, hi), left));
        };
        left -= n;
        match sort {
            SortOrder::NewestFirst => hi = edge.0 - 1,
            SortOrder::OldestFirst => lo = edge.1 + 1,
        }
        if lo > hi {
            return Ok(((lo, hi), left));
        }
    }
    // Whole days inside the range, in list order, from their buckets.
    let first_whole = lo.div_euclid(MS_PER_DAY) + i64::from(lo != day_start(lo));
    let last_whole = hi.div_euclid(MS_PER_DAY) - i64::from(hi != day_start(hi) + MS_PER_DAY - 1);
    if first_whole > last_whole {
        return Ok(((lo, hi), left));
    }
    let prefix = count_day_prefix(customer);
    let from = with_suffix(prefix.clone(), &day_bytes(first_whole));
    let to = with_suffix(prefix.clone(), &day_bytes(last_whole + 1));
    let mut iter = tree.range(from..to);
    // The day being summed and its matching orders.
    let mut day: Option<(i64, u64)> = None;
    loop {
        let next = advance(&mut iter, sort)?;
        let key_day = match &next {
            Some((k, _)) => Some(ms_of_time_bytes(
                k.get(prefix.len()..)
                    .ok_or_else(|| corrupt("short count key"))?,
            )?),
            None => None,
        };
        if let Some((d, n)) = day {
            if key_day != Some(d) {
                // Day `d` is complete: skip it whole, or the page starts in it.
                if n > left {
                    return Ok(((lo, hi), left));
                }
                left -= n;
                match sort {
                    SortOrder::NewestFirst => hi = d * MS_PER_DAY - 1,
                    SortOrder::OldestFirst => lo = (d + 1) * MS_PER_DAY,
                }
                day = None;
            }
        }
        let (Some((k, v)), Some(d)) = (next, key_day) else {
            return Ok(((lo, hi), left));
        };
        let bucket = k
            .get(prefix.len() + TIME_BYTES..)
            .ok_or_else(|| corrupt("short count key"))?;
        let mut c = Counts::default();
        c.tally(f, &Dims::decode_bucket(bucket)?, decode_count(&v)?);
        let (_, n) = day.get_or_insert((d, 0));
        *n += c.total;
    }
}

/// How a list was answered: the index streamed (reused by the pages of a
/// download, which skip the counts).
pub(super) type Plan = Index;

/// One page of `q` over its indexes. The total is counted when
/// `with_total`; `plan` names the index to stream (else chosen by counts).
pub(super) fn list(
    tree: &sled::Tree,
    q: &OrderListQuery,
    limit: usize,
    with_total: bool,
    plan: Option<Plan>,
) -> Result<(OrderPage, Plan), QueryError> {
    let range = q
        .effective_order_time()
        .ok_or_else(|| corrupt("indexed list without an order-time range"))?;
    let bounds = (ms(range.begin), ms(range.end));
    let f = Filter::of(q);
    if f.nothing() {
        let empty = OrderPage {
            rows: Vec::new(),
            total: 0,
            next_cursor: None,
        };
        return Ok((empty, Index::Time));
    }
    let customer = &q.customer_id;
    let indexed: Vec<Index> = DIMS.iter().copied().filter(|d| f.has(*d)).collect();
    let counts = if with_total || (plan.is_none() && !indexed.is_empty()) {
        counts(tree, customer, &f, bounds)?
    } else {
        Counts::default()
    };
    let index = plan.unwrap_or_else(|| {
        indexed
            .iter()
            .copied()
            .min_by_key(|d| dim_slot(*d).map_or(u64::MAX, |s| counts.by_dim[s]))
            .unwrap_or(Index::Time)
    });
    let after = q
        .cursor
        .as_ref()
        .map(|c| c.decode().map(|(at, id)| suffix(ms(at), &id)))
        .transpose()?;
    // A cursor already names where the page starts; an offset from the
    // range's edge skips whole days first.
    let (bounds, skip) = match after {
        None => skip_whole_days(tree, customer, &f, bounds, q.sort, q.offset)?,
        Some(_) => (bounds, q.offset),
    };
    let ids = if bounds.0 > bounds.1 {
        PageIds {
            ids: Vec::new(),
            more: false,
        }
    } else {
        page_ids(
            tree,
            customer,
            &f,
            index,
            bounds,
            after.as_deref(),
            q.sort,
            skip,
            limit,
        )?
    };
    let mut rows = Vec::with_capacity(ids.ids.len());
    for (_, id) in &ids.ids {
        let row = load_row(tree, id)?
            .ok_or_else(|| corrupt(&format!("index names missing order {id}")))?;
        rows.push(list_row(&row, q.now));
    }
    let next_cursor = ids
        .more
        .then(|| ids.ids.last().map(|(at, id)| Cursor::encode_ms(*at, id)))
        .flatten();
    Ok((
        OrderPage {
            rows,
            total: counts.total,
            next_cursor,
        },
        index,
    ))
}
