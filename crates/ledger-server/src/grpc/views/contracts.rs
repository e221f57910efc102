//! Contract views → ListContractsReply and GetContractReply: the same
//! values as `crate::views::contracts`' REST documents.

use chrono::{DateTime, Utc};
use ledger_domain::contract::{ContractStatus, ContractTerms};
use ledger_projections::contracts::{
    ContractDetail, ContractListQuery, ContractListRow, ContractOperations, ContractPage,
    ContractStatusKind, DEFAULT_CONTRACT_PAGE_SIZE,
};

use super::{count, enums, money, opt_time, time};
use crate::pb;
use crate::views::contracts as rest;
use crate::views::names::{self, names};

fn operations(o: &ContractOperations) -> pb::ContractOperations {
    pb::ContractOperations {
        preview: o.preview,
        download: o.download,
        convert: o.convert,
        void: o.void,
        void_by_ticket: o.void_by_ticket,
    }
}

/// The fields every contract message starts with (as the REST `common`).
struct Common {
    kind: i32,
    kind_name: String,
    valid_period: Option<pb::ContractValidPeriod>,
    status: i32,
    status_name: String,
    converted_at: String,
    voided_at: String,
    invalidated_at: String,
    void_ticket: Option<pb::VoidTicket>,
}

fn common(
    kind: ledger_domain::contract::ContractKind,
    valid: (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
    status: &ContractStatus,
    status_kind: ContractStatusKind,
) -> Common {
    let (_, kind_name) = names(&names::CONTRACT_KINDS, kind);
    let (_, status_name) = names(&names::CONTRACT_STATUSES, status_kind);
    let (voided_at, invalidated_at, ticket) = match status {
        ContractStatus::Voided {
            voided_at, ticket, ..
        } => (Some(*voided_at), None, ticket.as_ref()),
        ContractStatus::Invalid { invalidated_at, .. } => (None, Some(*invalidated_at), None),
        _ => (None, None, None),
    };
    Common {
        kind: enums::contract_kind(kind) as i32,
        kind_name: kind_name.to_owned(),
        valid_period: Some(pb::ContractValidPeriod {
            from: opt_time(valid.0),
            to: opt_time(valid.1),
        }),
        status: enums::contract_status(status_kind) as i32,
        status_name: status_name.to_owned(),
        converted_at: opt_time(status.converted_at()),
        voided_at: opt_time(voided_at),
        invalidated_at: opt_time(invalidated_at),
        void_ticket: ticket.map(|t| pb::VoidTicket {
            ticket_id: t.ticket_id.to_string(),
            reason: t.reason.clone(),
        }),
    }
}

/// One row of the contract list.
pub fn contract_row(r: &ContractListRow) -> pb::ContractRow {
    let c = common(r.kind, (r.valid_from, r.valid_to), &r.status, r.status_kind);
    pb::ContractRow {
        contract_no: r.contract_no.to_string(),
        kind: c.kind,
        kind_name: c.kind_name,
        order_count: count(r.order_count),
        order_ids: r.order_ids.iter().map(|o| o.to_string()).collect(),
        remarks: r.remarks.clone(),
        applied_at: time(r.applied_at),
        valid_period: c.valid_period,
        status: c.status,
        status_name: c.status_name,
        converted_at: c.converted_at,
        voided_at: c.voided_at,
        invalidated_at: c.invalidated_at,
        void_ticket: c.void_ticket,
        operations: Some(operations(&r.operations)),
    }
}

/// A page of the contract list (position 0: the caller sets the read's).
#[allow(deprecated)] // `json`: the compatibility path, filled in 0.1.x.
pub fn list_contracts_reply(q: &ContractListQuery, page: &ContractPage) -> pb::ListContractsReply {
    let r = q.effective_applied_time();
    pb::ListContractsReply {
        json: rest::contract_page(q, page).to_string(),
        position: 0,
        customer_id: q.customer_id.to_string(),
        applied_time: Some(pb::TimeWindow {
            begin: time(r.begin),
            end: time(r.end),
        }),
        time_zone: q.time_zone.name().to_owned(),
        total_count: page.total,
        limit: q.limit.unwrap_or(DEFAULT_CONTRACT_PAGE_SIZE),
        offset: q.offset,
        contracts: page.rows.iter().map(contract_row).collect(),
    }
}

/// A contract in full.
pub fn contract_detail(d: &ContractDetail) -> pb::ContractDetail {
    let c = common(d.kind, (d.valid_from, d.valid_to), &d.status, d.status_kind);
    let party_a = &d.subject.party_a;
    let details = &d.subject.party_a_details;
    pb::ContractDetail {
        contract_no: d.contract_no.to_string(),
        kind: c.kind,
        kind_name: c.kind_name,
        order_count: count(d.orders.len()),
        order_ids: d.orders.iter().map(|o| o.order_id.to_string()).collect(),
        remarks: d.remarks.clone(),
        applied_at: time(d.applied_at),
        valid_period: c.valid_period,
        status: c.status,
        status_name: c.status_name,
        converted_at: c.converted_at,
        voided_at: c.voided_at,
        invalidated_at: c.invalidated_at,
        void_ticket: c.void_ticket,
        operations: Some(operations(&d.operations)),
        customer_id: d.customer_id.to_string(),
        orders: d
            .orders
            .iter()
            .map(|o| pb::ContractOrder {
                order_id: o.order_id.to_string(),
                amount_due: money(o.amount_due),
                payment_deadline: time(o.payment_deadline),
                service_start: opt_time(o.service_start),
                service_end: opt_time(o.service_end),
            })
            .collect(),
        subject: Some(pb::ContractSubject {
            party_a: Some(pb::PartyA {
                name: party_a.name.clone(),
                kind: enums::certification_kind(party_a.kind) as i32,
                address: details.address.clone(),
                contact_name: details.contact_name.clone(),
                contact_phone: details.contact_phone.clone(),
                tax_id: details.tax_id.clone(),
            }),
            party_b: d.subject.party_b.clone(),
        }),
        remittance_account: match &d.terms {
            ContractTerms::Order => None,
            ContractTerms::PaymentRequest { remittance_account } => Some(pb::RemittanceAccount {
                bank_name: remittance_account.bank_name.clone(),
                account_name: remittance_account.account_name.clone(),
                account_number: remittance_account.account_number.clone(),
            }),
        },
    }
}

#[allow(deprecated)] // `json`: the compatibility path, filled in 0.1.x.
pub fn get_contract_reply(d: &ContractDetail) -> pb::GetContractReply {
    pb::GetContractReply {
        json: rest::contract_detail(d).to_string(),
        position: 0,
        contract: Some(contract_detail(d)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::contracts::tests::invalid_row;

    #[test]
    fn an_invalid_row_names_its_status_period_and_operations_typed() {
        let typed = contract_row(&invalid_row());
        assert_eq!(typed.kind(), pb::ContractKind::PaymentRequest);
        assert_eq!(typed.kind_name, "Payment request contract");
        assert_eq!(typed.status(), pb::ContractStatus::Invalid);
        assert_eq!(typed.status_name, "Invalid");
        assert_eq!(typed.order_count, 1);
        assert_eq!(typed.order_ids, ["CS1"]);
        let period = typed.valid_period.unwrap();
        assert_eq!(
            (period.from.as_str(), period.to.as_str()),
            ("", "2024-11-22T08:00:00Z")
        );
        assert_eq!(typed.invalidated_at, "2024-11-22T08:00:00Z");
        assert_eq!(
            (typed.converted_at.as_str(), typed.voided_at.as_str()),
            ("", "")
        );
        assert_eq!(typed.void_ticket, None);
        let ops = typed.operations.unwrap();
        assert!(ops.preview && !ops.download && !ops.convert && !ops.void && !ops.void_by_ticket);
    }
}
