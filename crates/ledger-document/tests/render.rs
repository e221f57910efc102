//! Renders contracts and reads them back with a text extractor.

mod common;

use common::*;
use ledger_document::{preview, render, render_sealed, DocumentError, DocumentStatus};

fn assert_has(text: &str, want: &str) {
    let want = squash(want);
    assert!(
        text.contains(&want),
        "missing {want:?} in extracted text:\n{text}"
    );
}

#[test]
fn order_contract_fields_read_back() {
    let doc = order_contract(official());
    let text = text(&render(&doc).expect("renders"));
    assert_has(&text, "订单合同");
    assert_has(&text, "Order Contract");
    assert_has(&text, "HT-2026-000123");
    assert_has(&text, PARTY_A);
    assert_has(&text, "企业实名认证 Enterprise real-name certification");
    assert_has(&text, PARTY_B);
    for o in &doc.orders {
        assert_has(&text, &o.order_id);
    }
    assert_has(&text, "弹性云服务器 ECS");
    assert_has(&text, "1234.50");
    // Totals over three orders.
    assert_has(
        &text,
        "应付 amount due 3703.50 CNY; 已付 paid 703.50 CNY; 未付 unpaid 3000.00 CNY",
    );
    assert_has(&text, REMARKS);
    assert_has(&text, "2026-03-01 00:00:00 UTC");
    assert_has(&text, "2027-02-28 16:00:00 UTC");
    assert!(
        !text.contains("专属汇款账户"),
        "an order contract has no remittance account"
    );
}

#[test]
fn official_contract_shows_seal_and_conversion_time() {
    let text = text(&render(&order_contract(official())).expect("renders"));
    assert_has(&text, "正式 Official");
    assert_has(&text, "合同专用章");
    assert_has(&text, "转换时间 Converted at 2026-02-21 09:00:00 UTC");
    assert_has(&text, "order-ledger contract verify FILE.pdf");
    assert!(
        !text.contains("DRAFT"),
        "an official contract has no draft watermark"
    );
}

#[test]
fn payment_request_shows_remittance_account_and_deadlines() {
    let doc = payment_request(official());
    let text = text(&render(&doc).expect("renders"));
    assert_has(&text, "付款申请合同");
    assert_has(&text, "PR-2026-000456");
    assert_has(&text, "专属汇款账户 Exclusive remittance account");
    assert_has(&text, "中国工商银行北京分行");
    assert_has(&text, "0200 0012 3456 7890 123");
    assert_has(&text, "付款截止 Payment deadline");
    assert_has(&text, "2026-04-30 16:00 UTC");
    assert_has(&text, "1000.00");
}

#[test]
fn personal_certification_is_named() {
    let mut doc = order_contract(DocumentStatus::Draft);
    doc.party_a.name = "张三".into();
    doc.party_a.certification = ledger_document::Certification::Personal;
    let text = text(&render(&doc).expect("renders"));
    assert_has(&text, "张三");
    assert_has(&text, "个人实名认证 Personal real-name certification");
}

#[test]
fn draft_carries_the_watermark() {
    let text = text(&render(&order_contract(DocumentStatus::Draft)).expect("renders"));
    assert_has(&text, "DRAFT — not sealed, no legal effect");
    assert_has(&text, "草稿 Draft");
    assert!(!text.contains("合同专用章"), "a draft has no seal");
}

#[test]
fn voided_and_invalid_download_refused_preview_shows_status() {
    for (status, mark) in [
        (DocumentStatus::Voided, "VOIDED"),
        (DocumentStatus::Invalid, "INVALID"),
    ] {
        let doc = order_contract(status);
        let err = render(&doc).expect_err("download refused");
        assert_eq!(err, DocumentError::NotDownloadable { status });
        assert!(err.to_string().contains("cannot be downloaded"), "{err}");
        assert_eq!(
            render_sealed(&doc, &key()).expect_err("sealing refused"),
            DocumentError::NotDownloadable { status }
        );
        let text = text(&preview(&doc).expect("preview renders"));
        assert_has(&text, mark);
        assert_has(&text, "HT-2026-000123");
    }
}

#[test]
fn draft_cannot_be_sealed() {
    let doc = order_contract(DocumentStatus::Draft);
    assert_eq!(
        render_sealed(&doc, &key()).expect_err("refused"),
        DocumentError::NotOfficial {
            status: DocumentStatus::Draft
        }
    );
}

#[test]
fn rendering_is_deterministic() {
    for doc in [
        order_contract(DocumentStatus::Draft),
        order_contract(official()),
        payment_request(official()),
    ] {
        assert_eq!(
            render(&doc).expect("renders"),
            render(&doc).expect("renders")
        );
    }
    let sealed = |d| render_sealed(&d, &key()).expect("seals");
    assert_eq!(
        sealed(payment_request(official())),
        sealed(payment_request(official()))
    );
    // A different state gives a different document.
    assert_ne!(
        render(&order_contract(DocumentStatus::Draft)).expect("renders"),
        render(&order_contract(official())).expect("renders")
    );
}

#[test]
fn fifty_orders_run_onto_more_pages() {
    let mut doc = payment_request(official());
    doc.orders = (1..=50).map(order).collect();
    let pdf = render(&doc).expect("renders");
    let text = text(&pdf);
    for o in &doc.orders {
        assert_has(&text, &o.order_id);
    }
    assert_has(&text, "合计 Totals (50 orders)");
    assert_has(&text, "61725.00");
    assert_has(&text, "page 2 of");
    // The font is subset: far below the 3.2 MB font file.
    assert!(pdf.len() < 150_000, "50-order pdf is {} bytes", pdf.len());
}

#[test]
fn a_character_the_font_lacks_is_an_error() {
    let mut doc = order_contract(DocumentStatus::Draft);
    doc.party_b = "한국".into();
    match render(&doc) {
        Err(DocumentError::MissingGlyph {
            ch: '한', field, ..
        }) => assert_eq!(field, "party b"),
        other => panic!("expected a missing glyph, got {other:?}"),
    }
}

#[test]
fn control_characters_and_empty_remarks_render() {
    let mut doc = order_contract(DocumentStatus::Draft);
    doc.remarks = String::new();
    doc.orders[0].configuration = "a\tb\u{7}c".into();
    doc.valid_from = None;
    doc.valid_until = None;
    let text = text(&render(&doc).expect("renders"));
    assert_has(&text, "备注 Remarks 无 none");
    assert_has(&text, "未设定 not set");
}
