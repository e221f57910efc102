//! Golden samples of the contract aggregate's events: both contract terms,
//! both certification kinds, with and without a void ticket.

use ledger_domain::contract::{
    ContractApplied, ContractConverted, ContractDocumentSealed, ContractInvalidated, ContractOrder,
    ContractRemarksEdited, ContractTerms, ContractVoided, DocumentSeal, PartyADetails, SubjectInfo,
    VoidTicket,
};
use ledger_domain::customer::{CertificationKind, RealName, RemittanceAccount};
use ledger_domain::ids::ContractNo;
use ledger_domain::Event;

use crate::{at, money};

fn no() -> ContractNo {
    "EC0123456789ABCDEF0123".parse().unwrap()
}

pub fn cases() -> Vec<(&'static str, Event)> {
    let order = ContractOrder {
        order_id: "CS2411220001".parse().unwrap(),
        amount_due: money("187.00"),
        payment_deadline: at("2024-11-29T08:05:00Z"),
        service_start: Some(at("2024-11-22T08:06:00Z")),
        service_end: Some(at("2025-02-22T08:06:00Z")),
    };
    let unserviced = ContractOrder {
        order_id: "CS2411220002".parse().unwrap(),
        service_start: None,
        service_end: None,
        ..order.clone()
    };
    let order_terms = ContractApplied {
        contract_no: no(),
        customer_id: "0a1b2c3d4e5f60718293a4b5c6d7e8f9".parse().unwrap(),
        terms: ContractTerms::Order,
        orders: vec![order, unserviced],
        subject: SubjectInfo {
            party_a: RealName {
                name: "Example Co., Ltd.".into(),
                kind: CertificationKind::Enterprise,
            },
            party_a_details: PartyADetails {
                address: "1 Example Road".into(),
                contact_name: "Li Lei".into(),
                contact_phone: "+65 6000 0000".into(),
                tax_id: "91310000MA1FL0000X".into(),
            },
            party_b: "Cloud Computing (Singapore) Pte. Ltd.".into(),
        },
        remarks: "for the audit".into(),
        applied_at: at("2024-11-22T09:00:00Z"),
    };
    let payment_request = ContractApplied {
        terms: ContractTerms::PaymentRequest {
            remittance_account: RemittanceAccount {
                bank_name: "Example Bank".into(),
                account_name: "Cloud Computing".into(),
                account_number: "0012-3456-7890".into(),
            },
        },
        orders: vec![],
        subject: SubjectInfo {
            party_a: RealName {
                name: "Han Meimei".into(),
                kind: CertificationKind::Personal,
            },
            party_a_details: PartyADetails::default(),
            party_b: "Cloud Computing (Singapore) Pte. Ltd.".into(),
        },
        remarks: String::new(),
        ..order_terms.clone()
    };
    vec![
        ("order", Event::ContractApplied(order_terms)),
        ("payment-request", Event::ContractApplied(payment_request)),
        (
            "official",
            Event::ContractConverted(ContractConverted {
                contract_no: no(),
                converted_at: at("2024-11-22T10:00:00Z"),
            }),
        ),
        (
            "seal",
            Event::ContractDocumentSealed(ContractDocumentSealed {
                contract_no: no(),
                seal: DocumentSeal {
                    sha256: "ab".repeat(32),
                    key_id: "cd".repeat(32),
                    signature: "ef".repeat(64),
                },
                sealed_at: at("2024-11-22T10:00:00Z"),
            }),
        ),
        (
            "ticket",
            Event::ContractVoided(ContractVoided {
                contract_no: no(),
                voided_at: at("2024-11-23T10:00:00Z"),
                ticket: Some(VoidTicket {
                    ticket_id: "T-4711".parse().unwrap(),
                    reason: "duplicate".into(),
                }),
            }),
        ),
        (
            "draft",
            Event::ContractVoided(ContractVoided {
                contract_no: no(),
                voided_at: at("2024-11-23T10:00:00Z"),
                ticket: None,
            }),
        ),
        (
            "remarks",
            Event::ContractRemarksEdited(ContractRemarksEdited {
                contract_no: no(),
                remarks: "new remarks".into(),
                edited_at: at("2024-11-22T11:00:00Z"),
            }),
        ),
        (
            "overdue",
            Event::ContractInvalidated(ContractInvalidated {
                contract_no: no(),
                overdue_order: "CS2411220001".parse().unwrap(),
                invalidated_at: at("2024-11-29T08:05:00Z"),
            }),
        ),
    ]
}
