//! Render time of a 50-order payment-request contract, and the time to seal
//! and verify it. The PDF's size is printed once.

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use ledger_document::{
    preview, render, render_sealed, verify, Certification, ContractDocument, DocumentKind,
    DocumentOrder, DocumentStatus, PartyA, RemittanceAccount, SigningKey,
};
use rust_decimal::Decimal;

fn contract(orders: usize) -> ContractDocument {
    let t = |d: u32| {
        Utc.with_ymd_and_hms(2026, 3, d, 8, 0, 0)
            .single()
            .expect("time")
    };
    ContractDocument {
        contract_no: "PR-2026-000456".into(),
        kind: DocumentKind::PaymentRequest,
        status: DocumentStatus::Official { converted_at: t(2) },
        party_a: PartyA {
            name: "北京某某科技有限公司".into(),
            certification: Certification::Enterprise,
        },
        party_b: "华为云计算技术有限公司".into(),
        orders: (0..orders)
            .map(|i| DocumentOrder {
                order_id: format!("CS2026{i:06}"),
                product: "弹性云服务器 ECS".into(),
                configuration: format!(
                    "s6.large.2 | 2vCPUs | 4GiB | 华北-北京四 | {} 个月",
                    i % 12 + 1
                ),
                amount_due: Decimal::new(123_450, 2),
                paid: Decimal::new(23_450, 2),
                unpaid: Decimal::new(100_000, 2),
                payment_deadline: Some(t(30)),
            })
            .collect(),
        currency: "CNY".into(),
        valid_from: Some(t(1)),
        valid_until: Some(t(31)),
        remarks: "首年按月结算，续费另议。".into(),
        remittance_account: Some(RemittanceAccount {
            bank: "中国工商银行北京分行".into(),
            account_name: "华为云计算技术有限公司".into(),
            account_no: "0200 0012 3456 7890 123".into(),
        }),
        applied_at: t(1),
    }
}

fn bench(c: &mut Criterion) {
    let doc = contract(50);
    let key = SigningKey::from_bytes(&[7u8; 32]);
    let pdf = render(&doc).expect("renders");
    let sealed = render_sealed(&doc, &key).expect("seals");
    println!(
        "50-order payment-request contract: {} bytes rendered, {} bytes sealed",
        pdf.len(),
        sealed.bytes.len()
    );
    let mut draft = contract(50);
    draft.status = DocumentStatus::Draft;
    println!(
        "50-order draft: {} bytes",
        preview(&draft).expect("renders").len()
    );

    let mut g = c.benchmark_group("document");
    g.sample_size(20);
    g.bench_function("render_50_orders", |b| {
        b.iter(|| render(&doc).expect("renders"))
    });
    g.bench_function("render_sealed_50_orders", |b| {
        b.iter(|| render_sealed(&doc, &key).expect("seals"))
    });
    let vk = key.verifying_key();
    g.bench_function("verify_50_orders", |b| {
        b.iter(|| verify(&sealed.bytes, &vk).expect("verifies"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
