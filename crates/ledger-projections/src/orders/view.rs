//! [`OrdersView`]: the typed face of the `orders` read model. Callers ask
//! it questions and get views back; no tree or key encoding leaves the
//! crate through it.

use chrono::{DateTime, Duration, Utc};

use ledger_domain::ids::{CustomerId, OrderId};

use super::details::{
    deductions_by_discount_type, eligible_orders, order_deductions, order_details,
    DeductionsByType, EligibleOrdersQuery, EligiblePage, OrderDeductions, OrderDetails,
};
use super::query::{
    list, list_orders, OrderListQuery, OrderListRow, OrderPage, SortOrder, TimeRange, MAX_PAGE_SIZE,
};
use super::stream::Plan;
use super::{QueryError, ORDERS};
use crate::{ProjectionError, Projector};

/// The `orders` read model as of the moment it was opened (its active
/// generation; a rebuild swapping in a new one does not affect a view
/// already open).
#[derive(Clone, Debug)]
pub struct OrdersView {
    tree: sled::Tree,
}

/// A page of the order list with each order's details (the Huawei list).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DetailsPage {
    pub orders: Vec<OrderDetails>,
    /// Every matching order, regardless of paging.
    pub total: u64,
}

impl OrdersView {
    /// The projector's `orders` view.
    pub fn open(projector: &Projector) -> Result<OrdersView, ProjectionError> {
        Ok(OrdersView {
            tree: projector.view(ORDERS)?,
        })
    }

    /// One page of the order list, and the total (see
    /// [`super::query`] for the cost of each filter).
    pub fn list(&self, q: &OrderListQuery) -> Result<OrderPage, QueryError> {
        list_orders(&self.tree, q)
    }

    /// One page of the order list as order details.
    pub fn list_details(&self, q: &OrderListQuery) -> Result<DetailsPage, QueryError> {
        let page = self.list(q)?;
        let mut orders = Vec::with_capacity(page.rows.len());
        for row in &page.rows {
            let d = order_details(&self.tree, &q.customer_id, &row.order_id, q.now)?.ok_or_else(
                || ProjectionError::Corrupt(format!("listed order {} has no row", row.order_id)),
            )?;
            orders.push(d);
        }
        Ok(DetailsPage {
            orders,
            total: page.total,
        })
    }

    /// Every order matching `q`'s filters (not its paging), page by page
    /// of [`MAX_PAGE_SIZE`] in `q`'s order: memory is bounded by a page,
    /// whatever the selection's size. Orders placed while the pages are
    /// read appear if they sort after the last page read.
    pub fn pages(&self, q: &OrderListQuery) -> OrderPages {
        let mut q = q.clone();
        q.limit = Some(MAX_PAGE_SIZE);
        q.offset = 0;
        q.cursor = None;
        q.order_time = q.effective_order_time();
        OrderPages {
            tree: self.tree.clone(),
            q,
            plan: None,
            done: false,
        }
    }

    pub fn details(
        &self,
        customer: &CustomerId,
        id: &OrderId,
        now: DateTime<Utc>,
    ) -> Result<Option<OrderDetails>, QueryError> {
        order_details(&self.tree, customer, id, now)
    }

    pub fn deductions(
        &self,
        customer: &CustomerId,
        id: &OrderId,
    ) -> Result<Option<OrderDeductions>, QueryError> {
        order_deductions(&self.tree, customer, id)
    }

    pub fn by_discount_type(
        &self,
        customer: &CustomerId,
        range: TimeRange,
    ) -> Result<DeductionsByType, QueryError> {
        deductions_by_discount_type(&self.tree, customer, range)
    }

    pub fn eligible(&self, q: &EligibleOrdersQuery) -> Result<EligiblePage, QueryError> {
        eligible_orders(&self.tree, q)
    }
}

/// The pages of [`OrdersView::pages`]: each `next` reads one page.
pub struct OrderPages {
    tree: sled::Tree,
    q: OrderListQuery,
    plan: Option<Plan>,
    done: bool,
}

impl std::fmt::Debug for OrderPages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrderPages").field("q", &self.q).finish()
    }
}

/// Narrows the range to what is left after `last` (cursor paging stays
/// exact: the range still holds every row the cursor lets through), so a
/// row-scanning list reads a shrinking range page after page.
pub(crate) fn narrow(range: TimeRange, last: &OrderListRow, sort: SortOrder) -> TimeRange {
    match sort {
        SortOrder::NewestFirst => {
            let end = last.order_time + Duration::minutes(1) - Duration::milliseconds(1);
            TimeRange::new(range.begin, range.end.min(end))
        }
        SortOrder::OldestFirst => TimeRange::new(range.begin.max(last.order_time), range.end),
    }
}

impl Iterator for OrderPages {
    type Item = Result<Vec<OrderListRow>, QueryError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let (page, plan) = match list(&self.tree, &self.q, false, self.plan) {
            Ok(p) => p,
            Err(e) => {
                self.done = true;
                return Some(Err(e));
            }
        };
        self.plan = plan;
        match (page.next_cursor, page.rows.last()) {
            (Some(cursor), Some(last)) => {
                let sort = self.q.sort;
                self.q.order_time = self.q.order_time.map(|r| narrow(r, last, sort));
                self.q.cursor = Some(cursor);
            }
            _ => self.done = true,
        }
        if page.rows.is_empty() {
            return None;
        }
        Some(Ok(page.rows))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use ledger_domain::catalog::{ChargeType, OrderType};

    use super::super::query::{Operations, OrderStatusKind};
    use super::*;

    fn row() -> OrderListRow {
        OrderListRow {
            order_id: "CS1".parse().unwrap(),
            product_name: "Cloud".into(),
            status: OrderStatusKind::Cancelled,
            status_code: 4,
            currency: ledger_domain::money::Currency::new("USD").unwrap(),
            order_amount: "100.00".parse().unwrap(),
            amount_due: "85.00".parse().unwrap(),
            cash_payment: "0".parse().unwrap(),
            order_type: OrderType::Compensation,
            charge_type: ChargeType::Subscription,
            order_time: Utc.with_ymd_and_hms(2024, 11, 22, 8, 5, 0).unwrap(),
            payment_time: None,
            operations: Operations {
                view: true,
                pay: false,
                cancel: false,
            },
        }
    }

    #[test]
    fn narrowing_keeps_every_row_the_cursor_lets_through() {
        let t = |h, m| Utc.with_ymd_and_hms(2024, 11, 22, h, m, 0).unwrap();
        let range = TimeRange::new(t(0, 0), t(12, 0));
        let newest = narrow(range, &row(), SortOrder::NewestFirst);
        assert_eq!(newest.begin, t(0, 0));
        assert_eq!(newest.end, t(8, 6) - Duration::milliseconds(1));
        let oldest = narrow(range, &row(), SortOrder::OldestFirst);
        assert_eq!((oldest.begin, oldest.end), (t(8, 5), t(12, 0)));
    }
}
