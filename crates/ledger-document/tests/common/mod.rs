//! Contracts to render in the tests.
#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use ledger_document::{
    Certification, ContractDocument, DocumentKind, DocumentOrder, DocumentStatus, PartyA,
    RemittanceAccount, SigningKey,
};
use rust_decimal::Decimal;

pub const PARTY_A: &str = "北京某某科技有限公司";
pub const PARTY_B: &str = "华为云计算技术有限公司";
pub const REMARKS: &str = "首年按月结算，续费另议。Monthly billing in the first year.";

pub fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .expect("valid fixture time")
}

pub fn dec(s: &str) -> Decimal {
    s.parse().expect("valid fixture decimal")
}

pub fn order(i: usize) -> DocumentOrder {
    DocumentOrder {
        order_id: format!("CS2026{i:06}"),
        product: "弹性云服务器 ECS".into(),
        configuration: format!(
            "s6.large.2 | 2vCPUs | 4GiB | 华北-北京四 | {} 个月",
            i % 12 + 1
        ),
        amount_due: dec("1234.50"),
        paid: dec("234.5"),
        unpaid: dec("1000"),
        payment_deadline: Some(at(2026, 4, 30, 16)),
    }
}

pub fn order_contract(status: DocumentStatus) -> ContractDocument {
    ContractDocument {
        contract_no: "HT-2026-000123".into(),
        kind: DocumentKind::Order,
        status,
        party_a: PartyA {
            name: PARTY_A.into(),
            certification: Certification::Enterprise,
        },
        party_b: PARTY_B.into(),
        orders: vec![order(1), order(2), order(3)],
        currency: "CNY".into(),
        valid_from: Some(at(2026, 3, 1, 0)),
        valid_until: Some(at(2027, 2, 28, 16)),
        remarks: REMARKS.into(),
        remittance_account: None,
        applied_at: at(2026, 2, 20, 8),
    }
}

pub fn payment_request(status: DocumentStatus) -> ContractDocument {
    ContractDocument {
        contract_no: "PR-2026-000456".into(),
        kind: DocumentKind::PaymentRequest,
        remittance_account: Some(RemittanceAccount {
            bank: "中国工商银行北京分行".into(),
            account_name: "华为云计算技术有限公司".into(),
            account_no: "0200 0012 3456 7890 123".into(),
        }),
        ..order_contract(status)
    }
}

pub fn official() -> DocumentStatus {
    DocumentStatus::Official {
        converted_at: at(2026, 2, 21, 9),
    }
}

pub fn key() -> SigningKey {
    SigningKey::from_bytes(&[7u8; 32])
}

/// The text of a PDF, whitespace removed (the extractor places spaces and
/// line breaks by position, which the checks do not care about).
pub fn text(pdf: &[u8]) -> String {
    let raw = pdf_extract::extract_text_from_mem(pdf).expect("the pdf reads back");
    raw.chars().filter(|c| !c.is_whitespace()).collect()
}

pub fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}
