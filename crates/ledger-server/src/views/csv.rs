//! The order list as CSV: the seed's list columns, every order matching
//! the list's filters (not its paging), with no row cap.
//!
//! Produced page by page ([`OrdersView::pages`], [`ledger_projections::orders::MAX_PAGE_SIZE`] orders
//! each): memory is bounded by one page and its CSV chunk, whatever the
//! selection's size. Text cells are neutralised against spreadsheet
//! formulas ([`neutralise`]).

use ledger_projections::orders::{OrderListQuery, OrderListRow, OrdersView};

use super::names;
use crate::errors::ApiError;

/// The characters a spreadsheet reads as the start of a formula.
pub const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text cell a spreadsheet will not evaluate: one beginning with a
/// formula character gets a leading `'`.
pub fn neutralise(cell: &str) -> String {
    if cell.starts_with(FORMULA_STARTS) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

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
        neutralise(r.order_id.as_str()),
        neutralise(&r.product_name),
        neutralise(names::names(&names::ORDER_STATUSES, r.status).1),
        r.order_amount.to_string(),
        r.cash_payment.to_string(),
        neutralise(r.order_type.baidu_name()),
        // Accurate to the minute, as the seed shows it.
        r.order_time.format("%Y-%m-%d %H:%M").to_string(),
    ]
}

fn csv_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("writing csv: {e}"))
}

fn chunk(rows: &[OrderListRow], header: bool) -> Result<Vec<u8>, ApiError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    if header {
        out.write_record(CSV_COLUMNS).map_err(csv_error)?;
    }
    for r in rows {
        out.write_record(record(r)).map_err(csv_error)?;
    }
    out.into_inner().map_err(csv_error)
}

/// Every order matching `q` as CSV, in chunks: the header, then one chunk
/// per page of at most [`ledger_projections::orders::MAX_PAGE_SIZE`] orders. Blocking (reads the read
/// model): run it off the async runtime.
pub fn orders_csv(
    view: &OrdersView,
    q: &OrderListQuery,
) -> impl Iterator<Item = Result<Vec<u8>, ApiError>> {
    std::iter::once(chunk(&[], true)).chain(view.pages(q).map(|page| {
        page.map_err(ApiError::from)
            .and_then(|rows| chunk(&rows, false))
    }))
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
    fn a_record_has_the_seeds_display_values_quoted_as_csv_needs() {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(record(&row())).unwrap();
        assert_eq!(
            String::from_utf8(w.into_inner().unwrap()).unwrap(),
            "CS1,\"Cloud, \"\"Server\"\"\",Cancelled,100.00,0,Compensation duration,2024-11-22 08:05\n"
        );
    }

    #[test]
    fn text_cells_that_would_start_a_formula_get_a_leading_quote() {
        for bad in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise(bad), format!("'{bad}"));
        }
        assert_eq!(neutralise("Cloud"), "Cloud");
        let mut r = row();
        r.product_name = "=HYPERLINK(\"x\")".into();
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(record(&r)).unwrap();
        assert_eq!(
            String::from_utf8(w.into_inner().unwrap()).unwrap(),
            "CS1,\"'=HYPERLINK(\"\"x\"\")\",Cancelled,100.00,0,Compensation duration,2024-11-22 08:05\n"
        );
    }
}
