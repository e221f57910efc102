//! What goes on the contract, and the PDF file around it.
#![allow(
    clippy::float_arithmetic,
    reason = "page geometry in points; amounts are rust_decimal text by now"
)]

use chrono::{DateTime, Datelike, FixedOffset, Timelike, Utc};
use pdf_writer::{Date, Filter, Pdf, Rect, Ref, TextStr};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use crate::font::{Font, FONT_RESOURCE};
use crate::layout::{Canvas, Rgb, Style, BOTTOM, GREY, MARGIN, PAGE_H, PAGE_W};
use crate::{Certification, ContractDocument, DocumentError, DocumentKind, DocumentStatus};

/// The draft watermark, word for word.
pub(crate) const DRAFT_WATERMARK: &str = "DRAFT — not sealed, no legal effect";

const BODY: f32 = 9.5;

/// Deflates a stream at a fixed level (deterministic output).
pub(crate) fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

/// Renders any status (the callers in lib.rs decide what may be rendered).
pub(crate) fn build(doc: &ContractDocument) -> Result<Vec<u8>, DocumentError> {
    let mut font = Font::load()?;
    let watermark = match doc.status {
        DocumentStatus::Draft => Some((DRAFT_WATERMARK.to_string(), Rgb(0.82, 0.82, 0.82))),
        DocumentStatus::Voided => Some(("VOIDED".to_string(), Rgb(0.95, 0.75, 0.75))),
        DocumentStatus::Invalid => Some(("INVALID".to_string(), Rgb(0.95, 0.75, 0.75))),
        DocumentStatus::Official { .. } => None,
    };
    let pages = {
        let mut canvas = Canvas::new(&mut font, watermark)?;
        compose(&mut canvas, doc)?;
        footers(&mut canvas, doc)?;
        std::mem::take(&mut canvas.pages)
    };
    let contents: Vec<Vec<u8>> = pages.into_iter().map(|c| c.finish().into_vec()).collect();
    assemble(doc, &font, &contents)
}

fn assemble(
    doc: &ContractDocument,
    font: &Font,
    contents: &[Vec<u8>],
) -> Result<Vec<u8>, DocumentError> {
    let mut pdf = Pdf::new();
    let mut counter = 0;
    let mut next = || {
        counter += 1;
        Ref::new(counter)
    };
    let catalog = next();
    let tree = next();
    let info = next();
    let page_ids: Vec<(Ref, Ref)> = contents.iter().map(|_| (next(), next())).collect();
    let font_ref = font.write(&mut pdf, &mut next)?;

    pdf.catalog(catalog).pages(tree);
    let count = i32::try_from(page_ids.len()).unwrap_or(i32::MAX);
    pdf.pages(tree)
        .kids(page_ids.iter().map(|(page, _)| *page))
        .count(count);
    for ((page_id, content_id), content) in page_ids.iter().zip(contents) {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
        page.parent(tree);
        page.contents(*content_id);
        page.resources().fonts().pair(FONT_RESOURCE, font_ref);
        drop(page);
        pdf.stream(*content_id, &deflate(content))
            .filter(Filter::FlateDecode);
    }

    let title = format!("{} {}", title_zh(doc.kind), doc.contract_no);
    let modified = match doc.status {
        DocumentStatus::Official { converted_at } => converted_at,
        _ => doc.applied_at,
    };
    pdf.document_info(info)
        .title(TextStr(&title))
        .subject(TextStr(&format!("status: {}", doc.status)))
        .author(TextStr(&doc.party_b))
        .creator(TextStr("order-ledger"))
        .producer(TextStr("order-ledger ledger-document"))
        .creation_date(pdf_date(doc.applied_at))
        .modified_date(pdf_date(modified));

    // The file id is a digest of what is drawn (no clock, no randomness).
    let mut h = Sha256::new();
    h.update(doc.contract_no.as_bytes());
    h.update(doc.status.label().as_bytes());
    for c in contents {
        h.update((c.len() as u64).to_be_bytes());
        h.update(c);
    }
    let id = h.finalize()[..16].to_vec();
    pdf.set_file_id((id.clone(), id));

    let mut bytes = pdf.finish();
    bytes.push(b'\n');
    Ok(bytes)
}

fn pdf_date(t: DateTime<Utc>) -> Date {
    let clamp = |v: u32| u8::try_from(v).unwrap_or(0);
    Date::new(u16::try_from(t.year()).unwrap_or(0))
        .month(clamp(t.month()))
        .day(clamp(t.day()))
        .hour(clamp(t.hour()))
        .minute(clamp(t.minute()))
        .second(clamp(t.second()))
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

fn title_zh(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Order => "订单合同",
        DocumentKind::PaymentRequest => "付款申请合同",
    }
}

fn title_en(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Order => "Order Contract",
        DocumentKind::PaymentRequest => "Payment Request Contract",
    }
}

fn status_text(status: DocumentStatus) -> String {
    match status {
        DocumentStatus::Draft => "草稿 Draft (not sealed, no legal effect)".into(),
        DocumentStatus::Official { .. } => "正式 Official".into(),
        DocumentStatus::Voided => "已作废 Voided".into(),
        DocumentStatus::Invalid => "无效 Invalid".into(),
    }
}

/// "2026-03-01 08:00:00 UTC (北京时间 2026-03-01 16:00)".
pub(crate) fn time_long(t: DateTime<Utc>) -> String {
    let beijing = FixedOffset::east_opt(8 * 3600).map(|tz| t.with_timezone(&tz));
    match beijing {
        Some(b) => format!(
            "{} UTC (北京时间 {})",
            t.format("%Y-%m-%d %H:%M:%S"),
            b.format("%Y-%m-%d %H:%M")
        ),
        None => format!("{} UTC", t.format("%Y-%m-%d %H:%M:%S")),
    }
}

pub(crate) fn time_short(t: DateTime<Utc>) -> String {
    format!("{} UTC", t.format("%Y-%m-%d %H:%M"))
}

/// An amount exactly as the ledger holds it, with at least two decimals.
pub(crate) fn money(v: Decimal) -> String {
    let mut v = v;
    if v.scale() < 2 {
        v.rescale(2);
    }
    v.to_string()
}

/// The sums of amount due, paid and unpaid over all orders.
pub(crate) fn totals(doc: &ContractDocument) -> Option<(Decimal, Decimal, Decimal)> {
    let mut due = Decimal::ZERO;
    let mut paid = Decimal::ZERO;
    let mut unpaid = Decimal::ZERO;
    for o in &doc.orders {
        due = due.checked_add(o.amount_due)?;
        paid = paid.checked_add(o.paid)?;
        unpaid = unpaid.checked_add(o.unpaid)?;
    }
    Some((due, paid, unpaid))
}

fn heading(canvas: &mut Canvas<'_>, text: &str) -> Result<(), DocumentError> {
    canvas.y -= 8.0;
    canvas.ensure(40.0)?;
    let y = canvas.y - 11.0;
    canvas.text_at(MARGIN, y, text, Style::bold(11.0), "heading")?;
    canvas.y -= 16.0;
    canvas.line(
        MARGIN,
        canvas.y + 2.0,
        PAGE_W - MARGIN,
        canvas.y + 2.0,
        0.5,
        GREY,
    );
    canvas.y -= 4.0;
    Ok(())
}

fn compose(canvas: &mut Canvas<'_>, doc: &ContractDocument) -> Result<(), DocumentError> {
    let zh = title_zh(doc.kind);
    let w = canvas.width(zh, 18.0);
    let y = canvas.y - 18.0;
    canvas.text_at((PAGE_W - w) / 2.0, y, zh, Style::bold(18.0), "title")?;
    let en = title_en(doc.kind);
    let w = canvas.width(en, 11.0);
    let y = canvas.y - 34.0;
    canvas.text_at((PAGE_W - w) / 2.0, y, en, Style::grey(11.0), "title")?;
    canvas.y -= 50.0;

    canvas.field(
        "合同编号 Contract No.",
        &doc.contract_no,
        BODY,
        "contract number",
    )?;
    canvas.field("合同状态 Status", &status_text(doc.status), BODY, "status")?;
    canvas.field(
        "申请时间 Applied at",
        &time_long(doc.applied_at),
        BODY,
        "applied at",
    )?;
    let period = match (doc.valid_from, doc.valid_until) {
        (Some(f), Some(u)) => format!("{} — {}", time_long(f), time_long(u)),
        (Some(f), None) => format!("自 from {}", time_long(f)),
        (None, Some(u)) => format!("至 until {}", time_long(u)),
        (None, None) => "未设定 not set".into(),
    };
    canvas.field("有效期 Valid period", &period, BODY, "valid period")?;

    heading(canvas, "合同双方 Parties")?;
    canvas.field("甲方 Party A", &doc.party_a.name, BODY, "party a")?;
    let cert = match doc.party_a.certification {
        Certification::Personal => "个人实名认证 Personal real-name certification",
        Certification::Enterprise => "企业实名认证 Enterprise real-name certification",
    };
    canvas.field("实名认证 Certification", cert, BODY, "certification")?;
    canvas.field("乙方 Party B", &doc.party_b, BODY, "party b")?;

    heading(canvas, "订单明细 Orders")?;
    crate::pdf_table::orders(canvas, doc)?;

    let (due, paid, unpaid) = totals(doc).ok_or(DocumentError::TotalsOverflow)?;
    canvas.y -= 4.0;
    let cur = &doc.currency;
    let total_line = format!(
        "应付 amount due {} {cur}; 已付 paid {} {cur}; 未付 unpaid {} {cur}",
        money(due),
        money(paid),
        money(unpaid)
    );
    canvas.field("合计 Totals", &total_line, BODY, "totals")?;

    if doc.kind == DocumentKind::PaymentRequest {
        heading(canvas, "专属汇款账户 Exclusive remittance account")?;
        match &doc.remittance_account {
            Some(acc) => {
                canvas.field("开户银行 Bank", &acc.bank, BODY, "remittance bank")?;
                canvas.field("户名 Account name", &acc.account_name, BODY, "account name")?;
                canvas.field("账号 Account No.", &acc.account_no, BODY, "account number")?;
                canvas.paragraph(
                    MARGIN,
                    PAGE_W - 2.0 * MARGIN,
                    "请仅向此专属账户汇款 Remit only to this account, which is exclusive to Party A.",
                    Style::grey(8.0),
                    "remittance note",
                )?;
            }
            None => canvas.field("账户 Account", "未分配 not assigned", BODY, "remittance")?,
        }
    }

    heading(canvas, "备注 Remarks")?;
    let remarks = if doc.remarks.trim().is_empty() {
        "无 none"
    } else {
        doc.remarks.as_str()
    };
    canvas.paragraph(
        MARGIN,
        PAGE_W - 2.0 * MARGIN,
        remarks,
        Style::plain(BODY),
        "remarks",
    )?;

    signatures(canvas, doc)
}

fn signatures(canvas: &mut Canvas<'_>, doc: &ContractDocument) -> Result<(), DocumentError> {
    canvas.y -= 12.0;
    canvas.ensure(190.0)?;
    let top = canvas.y;
    let right = PAGE_W / 2.0 + 10.0;
    canvas.text_at(
        MARGIN,
        top - 10.0,
        "甲方（盖章）Party A (seal)",
        Style::grey(BODY),
        "label",
    )?;
    canvas.text_at(
        right,
        top - 10.0,
        "乙方（盖章）Party B (seal)",
        Style::grey(BODY),
        "label",
    )?;
    let half = PAGE_W / 2.0 - MARGIN - 20.0;
    let a = canvas.wrap(&doc.party_a.name, BODY, half);
    let b = canvas.wrap(&doc.party_b, BODY, half);
    for (i, line) in a.iter().enumerate() {
        let y = top - 26.0 - 14.0 * i as f32;
        canvas.text_at(MARGIN, y, line, Style::plain(BODY), "party a")?;
    }
    for (i, line) in b.iter().enumerate() {
        let y = top - 26.0 - 14.0 * i as f32;
        canvas.text_at(right, y, line, Style::plain(BODY), "party b")?;
    }
    match doc.status {
        DocumentStatus::Official { converted_at } => {
            canvas.seal(right + 120.0, top - 82.0, 52.0, &doc.party_b)?;
            canvas.y = top - 145.0;
            canvas.field(
                "转换时间 Converted at",
                &time_long(converted_at),
                BODY,
                "converted at",
            )?;
            canvas.paragraph(
                MARGIN,
                PAGE_W - 2.0 * MARGIN,
                "数字签名 Digital signature: the ledger's ed25519 signature over this document's \
                 SHA-256 is appended after the end of this file; check a copy with \
                 `order-ledger contract verify FILE.pdf`.",
                Style::grey(8.0),
                "signature note",
            )?;
        }
        DocumentStatus::Draft => {
            canvas.y = top - 60.0;
            canvas.paragraph(
                MARGIN,
                PAGE_W - 2.0 * MARGIN,
                "草稿：未盖章，无法律效力。 Draft: not sealed, no legal effect.",
                Style::bold(BODY),
                "draft note",
            )?;
        }
        DocumentStatus::Voided | DocumentStatus::Invalid => {
            canvas.y = top - 60.0;
            let note = format!(
                "本合同{}，仅供预览。 This contract is {}: preview only, not downloadable.",
                if doc.status == DocumentStatus::Voided {
                    "已作废"
                } else {
                    "无效"
                },
                doc.status
            );
            canvas.paragraph(
                MARGIN,
                PAGE_W - 2.0 * MARGIN,
                &note,
                Style::bold(BODY),
                "status note",
            )?;
        }
    }
    Ok(())
}

fn footers(canvas: &mut Canvas<'_>, doc: &ContractDocument) -> Result<(), DocumentError> {
    let n = canvas.pages.len();
    for i in 0..n {
        canvas.select_page(i);
        let text = format!(
            "{} {} · 第 {} / {} 页 page {} of {}",
            title_zh(doc.kind),
            doc.contract_no,
            i + 1,
            n,
            i + 1,
            n
        );
        let w = canvas.width(&text, 7.0);
        canvas.line(
            MARGIN,
            BOTTOM - 14.0,
            PAGE_W - MARGIN,
            BOTTOM - 14.0,
            0.3,
            GREY,
        );
        canvas.text_at(
            (PAGE_W - w) / 2.0,
            BOTTOM - 26.0,
            &text,
            Style::grey(7.0),
            "footer",
        )?;
    }
    canvas.select_page(n.saturating_sub(1));
    Ok(())
}
