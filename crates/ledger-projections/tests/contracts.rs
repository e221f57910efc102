//! The `contracts` read model: commands through the real ledger → views.

mod common;

use chrono::{DateTime, TimeZone, Utc};

use common::*;
use ledger_domain::contract::{
    ContractKind, ContractStatus, ContractTerms, ConvertContract, EditContractRemarks,
    InvalidateContract, VoidContract,
};
use ledger_domain::{Actor, Command};
use ledger_projections::contracts::*;
use ledger_projections::orders::{QueryError, TimeRange};
use ledger_projections::CONTRACTS;

fn at(month: u32, day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, month, day, hour, 0, 0).unwrap()
}

fn no(s: &str) -> ledger_domain::ids::ContractNo {
    s.parse().unwrap()
}

fn ids(page: &ContractPage) -> Vec<String> {
    page.rows
        .iter()
        .map(|r| r.contract_no.to_string())
        .collect()
}

/// A paid order with a known service period.
async fn paid_order(env: &Env, id: &str, placed: DateTime<Utc>, service: (i64, i64)) {
    let mut o = order("k1", id);
    o.spec.line_items[0].valid_from = Some(placed + days(service.0));
    o.spec.line_items[0].expires_at = Some(placed + days(service.1));
    env.place(placed, o).await;
    env.pay(placed + chrono::Duration::hours(1), id, vec![])
        .await;
}

/// The scenario: k1 has six contracts in every status, one of them too old
/// for the default window; k2 has one.
async fn scenario() -> Env {
    let env = Env::new();
    env.onboard("k1").await;
    env.onboard("k2").await;
    // Old: applied Jul 1, outside the 3-month default.
    paid_order(&env, "a0", at(6, 30, 8), (0, 30)).await;
    env.run(
        at(7, 1, 8),
        apply_contract("k1", "C-OLD", ContractKind::Order, &["a0"]),
    )
    .await;
    // Official order contract over a1 (Nov 1 +1d..+31d) and a2 (Nov 2 +0..+365d).
    paid_order(&env, "a1", at(11, 1, 8), (1, 31)).await;
    paid_order(&env, "a2", at(11, 2, 8), (0, 365)).await;
    env.run(
        at(11, 3, 8),
        apply_contract("k1", "C-ORD", ContractKind::Order, &["a1", "a2"]),
    )
    .await;
    env.run(
        at(11, 3, 9),
        Command::ConvertContract(ConvertContract::new(no("C-ORD"))),
    )
    .await;
    // Voided draft.
    paid_order(&env, "a4", at(11, 9, 8), (0, 30)).await;
    env.run(
        at(11, 10, 8),
        apply_contract("k1", "C-VOID", ContractKind::Order, &["a4"]),
    )
    .await;
    env.run(
        at(11, 11, 8),
        Command::VoidContract(VoidContract {
            contract_no: no("C-VOID"),
            ticket: None,
        }),
    )
    .await;
    // Invalid payment request: b3's deadline (Nov 19 08:00) passed unpaid.
    env.place(at(11, 12, 8), order("k1", "b3")).await;
    env.run(
        at(11, 13, 8),
        apply_contract("k1", "C-INV", ContractKind::PaymentRequest, &["b3"]),
    )
    .await;
    env.run_as(
        at(11, 19, 8),
        Actor::System,
        Command::InvalidateContract(InvalidateContract {
            contract_no: no("C-INV"),
        }),
    )
    .await;
    // Draft with edited remarks.
    paid_order(&env, "a3", at(11, 14, 8), (0, 30)).await;
    env.run(
        at(11, 15, 8),
        apply_contract("k1", "C-DRAFT", ContractKind::Order, &["a3"]),
    )
    .await;
    env.run(
        at(11, 15, 9),
        Command::EditContractRemarks(EditContractRemarks {
            contract_no: no("C-DRAFT"),
            remarks: "for audit".into(),
        }),
    )
    .await;
    // Official payment request over b1 (deadline Nov 27) and b2 (Nov 28).
    env.place(at(11, 20, 8), order("k1", "b1")).await;
    env.place(at(11, 21, 8), order("k1", "b2")).await;
    env.run(
        at(11, 21, 10),
        apply_contract("k1", "C-PR", ContractKind::PaymentRequest, &["b1", "b2"]),
    )
    .await;
    env.run(
        at(11, 21, 11),
        Command::ConvertContract(ConvertContract::new(no("C-PR"))),
    )
    .await;
    // Another customer's.
    env.place(at(11, 20, 8), order("k2", "z1")).await;
    env.run(
        at(11, 20, 9),
        apply_contract("k2", "C-K2", ContractKind::PaymentRequest, &["z1"]),
    )
    .await;
    env
}

fn now() -> DateTime<Utc> {
    at(11, 22, 12)
}

#[tokio::test]
async fn contract_list_defaults_to_three_months_and_filters() {
    let env = scenario().await;
    let p = env.projector().await;
    let tree = p.view(CONTRACTS).unwrap();
    let q = ContractListQuery::new(cid("k1"), now());
    let page = list_contracts(&tree, &q).unwrap();
    assert_eq!(ids(&page), ["C-PR", "C-DRAFT", "C-INV", "C-VOID", "C-ORD"]);
    assert_eq!(page.total, 5);

    let run = |f: &dyn Fn(&mut ContractListQuery)| {
        let mut q = ContractListQuery::new(cid("k1"), now());
        f(&mut q);
        ids(&list_contracts(&tree, &q).unwrap())
    };
    assert_eq!(
        run(&|q| q.kind = Some(ContractKind::PaymentRequest)),
        ["C-PR", "C-INV"]
    );
    assert_eq!(
        run(&|q| q.kind = Some(ContractKind::Order)),
        ["C-DRAFT", "C-VOID", "C-ORD"]
    );
    assert_eq!(
        run(&|q| q.status = Some(ContractStatusKind::Draft)),
        ["C-DRAFT"]
    );
    assert_eq!(
        run(&|q| q.status = Some(ContractStatusKind::Official)),
        ["C-PR", "C-ORD"]
    );
    assert_eq!(
        run(&|q| q.status = Some(ContractStatusKind::Voided)),
        ["C-VOID"]
    );
    assert_eq!(
        run(&|q| q.status = Some(ContractStatusKind::Invalid)),
        ["C-INV"]
    );
    assert_eq!(
        run(&|q| {
            q.kind = Some(ContractKind::Order);
            q.status = Some(ContractStatusKind::Official);
        }),
        ["C-ORD"]
    );
    assert_eq!(
        run(&|q| q.applied_time = Some(TimeRange::new(at(6, 1, 0), now()))),
        ["C-PR", "C-DRAFT", "C-INV", "C-VOID", "C-ORD", "C-OLD"]
    );
    assert_eq!(
        run(&|q| q.applied_time = Some(TimeRange::new(at(11, 10, 8), at(11, 15, 8)))),
        ["C-DRAFT", "C-INV", "C-VOID"],
        "inclusive at both ends"
    );
    // The window follows the caller's now: from Oct 1 it reaches back to
    // Jul 1 00:00 (C-OLD, Jul 1 08:00); from Oct 2 only to Jul 2.
    assert_eq!(run(&|q| q.now = at(10, 1, 0)), ["C-OLD"]);
    assert!(run(&|q| q.now = at(10, 2, 0)).is_empty());
    assert_eq!(
        ids(&list_contracts(&tree, &ContractListQuery::new(cid("k2"), now())).unwrap()),
        ["C-K2"]
    );
}

#[tokio::test]
async fn contract_list_pages_and_refuses_bad_queries() {
    let env = scenario().await;
    let p = env.projector().await;
    let tree = p.view(CONTRACTS).unwrap();
    let mut q = ContractListQuery::new(cid("k1"), now());
    q.limit = Some(2);
    q.offset = 2;
    let page = list_contracts(&tree, &q).unwrap();
    assert_eq!(ids(&page), ["C-INV", "C-VOID"]);
    assert_eq!(page.total, 5);
    q.offset = 4;
    assert_eq!(ids(&list_contracts(&tree, &q).unwrap()), ["C-ORD"]);
    q.offset = 9;
    let page = list_contracts(&tree, &q).unwrap();
    assert!(page.rows.is_empty());
    assert_eq!(page.total, 5);

    for bad in [0, MAX_CONTRACT_PAGE_SIZE + 1] {
        q.limit = Some(bad);
        assert!(matches!(
            list_contracts(&tree, &q),
            Err(QueryError::LimitOutOfRange { .. })
        ));
    }
    q.limit = None;
    q.applied_time = Some(TimeRange::new(now(), at(11, 1, 0)));
    assert!(matches!(
        list_contracts(&tree, &q),
        Err(QueryError::RangeReversed {
            what: "application time",
            ..
        })
    ));
}

#[tokio::test]
async fn contract_rows_show_orders_periods_remarks_and_operations() {
    let env = scenario().await;
    let p = env.projector().await;
    let tree = p.view(CONTRACTS).unwrap();
    let rows = list_contracts(&tree, &ContractListQuery::new(cid("k1"), now()))
        .unwrap()
        .rows;
    let row = |n: &str| rows.iter().find(|r| r.contract_no == no(n)).unwrap();

    let ord = row("C-ORD");
    assert_eq!(ord.kind, ContractKind::Order);
    assert_eq!(ord.order_count, 2);
    assert_eq!(ord.order_ids, [oid("a1"), oid("a2")]);
    assert_eq!(ord.applied_at, at(11, 3, 8));
    assert_eq!(
        (ord.valid_from, ord.valid_to),
        (Some(at(11, 2, 8)), Some(at(11, 2, 8) + days(365))),
        "the service period of its orders"
    );
    assert_eq!(
        ord.status,
        ContractStatus::Official {
            converted_at: at(11, 3, 9)
        }
    );
    let official = ContractOperations {
        preview: true,
        download: true,
        convert: false,
        void: false,
        void_by_ticket: true,
    };
    assert_eq!(ord.operations, official);

    let pr = row("C-PR");
    assert_eq!(
        (pr.valid_from, pr.valid_to),
        (Some(at(11, 21, 11)), Some(at(11, 27, 8))),
        "from conversion to the earliest deadline"
    );
    assert_eq!(pr.operations, official);

    let draft = row("C-DRAFT");
    assert_eq!(draft.remarks, "for audit");
    assert_eq!(draft.status_kind, ContractStatusKind::Draft);
    assert_eq!(
        draft.operations,
        ContractOperations {
            preview: true,
            download: true,
            convert: true,
            void: true,
            void_by_ticket: false,
        }
    );

    let voided = row("C-VOID");
    assert_eq!(
        voided.status,
        ContractStatus::Voided {
            voided_at: at(11, 11, 8),
            converted_at: None,
            ticket: None,
        }
    );
    assert_eq!(
        voided.operations,
        ContractOperations {
            preview: true,
            download: false,
            convert: false,
            void: false,
            void_by_ticket: false,
        }
    );

    let invalid = row("C-INV");
    assert_eq!(
        invalid.status,
        ContractStatus::Invalid {
            invalidated_at: at(11, 19, 8),
            converted_at: None
        }
    );
    assert_eq!(
        (invalid.valid_from, invalid.valid_to),
        (None, Some(at(11, 19, 8))),
        "never converted"
    );
    assert_eq!(
        invalid.operations,
        ContractOperations {
            preview: true,
            download: false,
            convert: false,
            void: false,
            void_by_ticket: false,
        }
    );
}

#[tokio::test]
async fn contract_detail_by_number_for_its_customer_only() {
    let env = scenario().await;
    let p = env.projector().await;
    let tree = p.view(CONTRACTS).unwrap();
    let d = contract_detail(&tree, &cid("k1"), &no("C-PR"))
        .unwrap()
        .unwrap();
    assert_eq!(d.kind, ContractKind::PaymentRequest);
    match &d.terms {
        ContractTerms::PaymentRequest { remittance_account } => {
            assert_eq!(remittance_account.bank_name, "China Merchants Bank")
        }
        other => panic!("unexpected terms {other:?}"),
    }
    assert_eq!(d.subject.party_a.name, "k1 Technology Co., Ltd.");
    assert_eq!(d.subject.party_b, "Cloud Computing (Singapore) Pte. Ltd.");
    let deadlines: Vec<_> = d
        .orders
        .iter()
        .map(|o| (o.order_id.to_string(), o.payment_deadline, o.amount_due))
        .collect();
    assert_eq!(
        deadlines,
        [
            ("b1".to_string(), at(11, 27, 8), money("85.00")),
            ("b2".to_string(), at(11, 28, 8), money("85.00"))
        ]
    );
    assert_eq!(d.applied_at, at(11, 21, 10));
    assert_eq!(d.valid_to, Some(at(11, 27, 8)));
    assert_eq!(d.status_kind, ContractStatusKind::Official);
    assert!(d.operations.void_by_ticket);

    let ord = contract_detail(&tree, &cid("k1"), &no("C-ORD"))
        .unwrap()
        .unwrap();
    assert_eq!(ord.orders[0].service_start, Some(at(11, 2, 8)));
    assert_eq!(ord.orders[0].service_end, Some(at(12, 2, 8)));
    assert_eq!(ord.terms, ContractTerms::Order);

    assert!(contract_detail(&tree, &cid("k2"), &no("C-PR"))
        .unwrap()
        .is_none());
    assert!(contract_detail(&tree, &cid("k1"), &no("C-NONE"))
        .unwrap()
        .is_none());
    assert_eq!(
        contract_detail(&tree, &cid("k2"), &no("C-K2"))
            .unwrap()
            .unwrap()
            .orders
            .len(),
        1
    );
}
