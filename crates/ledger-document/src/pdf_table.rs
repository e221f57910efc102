//! The orders table: wrapped cells, amounts right-aligned, the header
//! repeated on every page the table runs onto, and a totals row.
#![allow(
    clippy::float_arithmetic,
    reason = "page geometry in points; amounts are rust_decimal text by now"
)]

use crate::layout::{Canvas, Rgb, Style, GREY, MARGIN};
use crate::pdf::{money, time_short, totals};
use crate::{ContractDocument, DocumentError, DocumentKind};

const SIZE: f32 = 7.5;
const LEADING: f32 = 10.0;
const PAD: f32 = 3.0;
const HEADER_FILL: Rgb = Rgb(0.92, 0.92, 0.92);

struct Column {
    title: String,
    width: f32,
    right: bool,
}

fn columns(doc: &ContractDocument) -> Vec<Column> {
    let cur = &doc.currency;
    let col = |title: String, width: f32, right: bool| Column {
        title,
        width,
        right,
    };
    match doc.kind {
        DocumentKind::Order => vec![
            col("订单号 Order ID".into(), 100.0, false),
            col("产品 Product".into(), 95.0, false),
            col("配置 Configuration".into(), 140.0, false),
            col(format!("应付 Amount due ({cur})"), 60.0, true),
            col(format!("已付 Paid ({cur})"), 60.0, true),
            col(format!("未付 Unpaid ({cur})"), 60.0, true),
        ],
        DocumentKind::PaymentRequest => vec![
            col("订单号 Order ID".into(), 88.0, false),
            col("产品 Product".into(), 78.0, false),
            col("配置 Configuration".into(), 105.0, false),
            col(format!("应付 Amount due ({cur})"), 58.0, true),
            col(format!("已付 Paid ({cur})"), 58.0, true),
            col(format!("未付 Unpaid ({cur})"), 58.0, true),
            col("付款截止 Payment deadline".into(), 70.0, false),
        ],
    }
}

/// Draws one row of cells from the cursor down; `fill` shades it.
fn row(
    canvas: &mut Canvas<'_>,
    cols: &[Column],
    cells: &[(String, &'static str)],
    style: Style,
    fill: Option<Rgb>,
) -> Result<(), DocumentError> {
    let wrapped: Vec<Vec<String>> = cols
        .iter()
        .zip(cells)
        .map(|(c, (text, _))| canvas.wrap(text, style.size, c.width - 2.0 * PAD))
        .collect();
    let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let height = lines as f32 * LEADING + 2.0 * PAD;
    let total_w: f32 = cols.iter().map(|c| c.width).sum();
    if let Some(color) = fill {
        canvas.fill_rect(MARGIN, canvas.y - height, total_w, height, color);
    }
    let mut x = MARGIN;
    for ((col, lines), (_, field)) in cols.iter().zip(&wrapped).zip(cells) {
        for (i, line) in lines.iter().enumerate() {
            let y = canvas.y - PAD - style.size - LEADING * i as f32;
            let lx = if col.right {
                x + col.width - PAD - canvas.width(line, style.size)
            } else {
                x + PAD
            };
            canvas.text_at(lx, y, line, style, field)?;
        }
        x += col.width;
    }
    canvas.y -= height;
    canvas.line(MARGIN, canvas.y, MARGIN + total_w, canvas.y, 0.4, GREY);
    Ok(())
}

fn header(canvas: &mut Canvas<'_>, cols: &[Column]) -> Result<(), DocumentError> {
    let cells: Vec<(String, &'static str)> = cols
        .iter()
        .map(|c| (c.title.clone(), "table header"))
        .collect();
    let total_w: f32 = cols.iter().map(|c| c.width).sum();
    canvas.line(MARGIN, canvas.y, MARGIN + total_w, canvas.y, 0.6, GREY);
    row(canvas, cols, &cells, Style::bold(SIZE), Some(HEADER_FILL))
}

/// The height a row of these cells needs.
fn height(canvas: &Canvas<'_>, cols: &[Column], cells: &[(String, &'static str)]) -> f32 {
    let lines = cols
        .iter()
        .zip(cells)
        .map(|(c, (t, _))| canvas.wrap(t, SIZE, c.width - 2.0 * PAD).len())
        .max()
        .unwrap_or(1)
        .max(1);
    lines as f32 * LEADING + 2.0 * PAD
}

pub(crate) fn orders(canvas: &mut Canvas<'_>, doc: &ContractDocument) -> Result<(), DocumentError> {
    let cols = columns(doc);
    canvas.ensure(4.0 * LEADING)?;
    header(canvas, &cols)?;
    for order in &doc.orders {
        let mut cells: Vec<(String, &'static str)> = vec![
            (order.order_id.clone(), "order id"),
            (order.product.clone(), "product"),
            (order.configuration.clone(), "configuration"),
            (money(order.amount_due), "amount due"),
            (money(order.paid), "paid"),
            (money(order.unpaid), "unpaid"),
        ];
        if doc.kind == DocumentKind::PaymentRequest {
            let deadline = order
                .payment_deadline
                .map_or_else(|| "—".to_string(), time_short);
            cells.push((deadline, "payment deadline"));
        }
        let h = height(canvas, &cols, &cells);
        if canvas.ensure(h)? {
            header(canvas, &cols)?;
        }
        row(canvas, &cols, &cells, Style::plain(SIZE), None)?;
    }
    let (due, paid, unpaid) = totals(doc).ok_or(DocumentError::TotalsOverflow)?;
    let mut cells: Vec<(String, &'static str)> = vec![
        (
            format!("合计 Totals ({} orders)", doc.orders.len()),
            "totals",
        ),
        (String::new(), "totals"),
        (String::new(), "totals"),
        (money(due), "totals"),
        (money(paid), "totals"),
        (money(unpaid), "totals"),
    ];
    if doc.kind == DocumentKind::PaymentRequest {
        cells.push((String::new(), "totals"));
    }
    let h = height(canvas, &cols, &cells);
    if canvas.ensure(h)? {
        header(canvas, &cols)?;
    }
    row(canvas, &cols, &cells, Style::bold(SIZE), Some(HEADER_FILL))
}
