//! The order list as CSV: the seed's list columns, every order matching
//! the list's filters (not its paging), at most [`MAX_CSV_ROWS`] per file.
//!
//! Built page by page: each page reads the order-time range only up to
//! where the previous page ended, so a download reads each matching order
//! a bounded number of times.

use chrono::Duration;
use ledger_projections::orders::{
    list_orders, OrderListQuery, OrderListRow, OrderPage, SortOrder, TimeRange, MAX_PAGE_SIZE,
};

use super::names;
use crate::errors::ApiError;

/// Most orders in one download.
pub const MAX_CSV_ROWS: u64 = 10_000;
/// Most pages one download reads (new orders may arrive while it runs).
const MAX_CSV_PAGES: u64 = MAX_CSV_ROWS / MAX_PAGE_SIZE as u64 + 1;

/// The seed's order-list columns, in its order.
pub const CSV_COLUMNS: [&str; 7] = [
    "Order ID",
    "Product name",
    "Status",
    "Order amount",
    "Cash payment",
    "Order type",
    "Order time",
];

fn record(r: &OrderListRow) -> [String; 7] {
    [
        r.order_id.to_string(),
        r.product_name.clone(),
        names::names(&names::ORDER_STATUSES, r.status).1.to_owned(),
        r.order_amount.to_string(),
        r.cash_payment.to_string(),
        r.order_type.baidu_name().to_owned(),
        // Accurate to the minute, as the seed shows it.
        r.order_time.format("%Y-%m-%d %H:%M").to_string(),
    ]
}

fn csv_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("writing csv: {e}"))
}

/// Narrows the range to what is left after `last` (cursor paging stays
/// exact: the range still holds every row the cursor lets through).
fn narrow(range: TimeRange, last: &OrderListRow, sort: SortOrder) -> TimeRange {
    match sort {
        SortOrder::NewestFirst => {
            let end = last.order_time + Duration::minutes(1) - Duration::milliseconds(1);
            TimeRange::new(range.begin, range.end.min(end))
        }
        SortOrder::OldestFirst => TimeRange::new(range.begin.max(last.order_time), range.end),
    }
}

/// Every order matching `q` as CSV (header first).
pub fn orders_csv(tree: &sled::Tree, mut q: OrderListQuery) -> Result<Vec<u8>, ApiError> {
    q.limit = Some(MAX_PAGE_SIZE);
    q.offset = 0;
    q.cursor = None;
    q.order_time = q.effective_order_time();
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(CSV_COLUMNS).map_err(csv_error)?;
    let mut written = 0u64;
    for page_no in 0..MAX_CSV_PAGES {
        let OrderPage {
            rows,
            total,
            next_cursor,
        } = list_orders(tree, &q)?;
        if page_no == 0 && total > MAX_CSV_ROWS {
            return Err(ApiError::invalid_parameter(format!(
                "{total} orders match; a download holds at most {MAX_CSV_ROWS}: narrow the filters"
            )));
        }
        for r in rows.iter().take((MAX_CSV_ROWS - written) as usize) {
            out.write_record(record(r)).map_err(csv_error)?;
            written += 1;
        }
        let (Some(cursor), Some(last)) = (next_cursor, rows.last()) else {
            break;
        };
        if written >= MAX_CSV_ROWS {
            break;
        }
        q.order_time = q.order_time.map(|r| narrow(r, last, q.sort));
        q.cursor = Some(cursor);
    }
    out.into_inner().map_err(csv_error)
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use ledger_domain::catalog::{ChargeType, OrderType};
    use ledger_projections::orders::{Operations, OrderStatusKind};

    use super::*;

    fn row() -> OrderListRow {
        OrderListRow {
            order_id: "CS1".parse().unwrap(),
            product_name: "Cloud, \"Server\"".into(),
            status: OrderStatusKind::Cancelled,
            status_code: 4,
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
    fn a_record_has_the_seeds_display_values_quoted_as_csv_needs() {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(record(&row())).unwrap();
        assert_eq!(
            String::from_utf8(w.into_inner().unwrap()).unwrap(),
            "CS1,\"Cloud, \"\"Server\"\"\",Cancelled,100.00,0,Compensation duration,2024-11-22 08:05\n"
        );
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
