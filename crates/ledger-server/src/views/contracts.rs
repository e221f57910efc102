//! Contract views: the contract list page and the contract details.

use chrono::{DateTime, Utc};
use ledger_domain::contract::{ContractKind, ContractStatus, ContractTerms};
use ledger_domain::ids::{ContractNo, CustomerId};
use ledger_domain::DomainError;
use ledger_projections::contracts::{
    self, ContractDetail, ContractListQuery, ContractListRow, ContractOperations, ContractPage,
    ContractStatusKind, DEFAULT_CONTRACT_PAGE_SIZE,
};
use ledger_projections::CONTRACTS;
use serde_json::{json, Map, Value};

use super::names::{self, name, names};
use super::{money, opt_time, read, time, Read, View};
use crate::errors::ApiError;
use crate::server::State;

fn operations(o: &ContractOperations) -> Value {
    json!({
        "preview": o.preview,
        "download": o.download,
        "convert": o.convert,
        "void": o.void,
        "void_by_ticket": o.void_by_ticket,
    })
}

/// The fields every contract document starts with.
struct Common<'a> {
    contract_no: &'a ContractNo,
    kind: ContractKind,
    order_count: usize,
    remarks: &'a str,
    applied_at: DateTime<Utc>,
    valid_from: Option<DateTime<Utc>>,
    valid_to: Option<DateTime<Utc>>,
    status: &'a ContractStatus,
    status_kind: ContractStatusKind,
    operations: &'a ContractOperations,
}

fn common(c: Common<'_>) -> Map<String, Value> {
    let (kind, kind_name) = names(&names::CONTRACT_KINDS, c.kind);
    let (status, status_name) = names(&names::CONTRACT_STATUSES, c.status_kind);
    let (voided_at, invalidated_at, ticket) = match c.status {
        ContractStatus::Voided {
            voided_at, ticket, ..
        } => (Some(*voided_at), None, ticket.as_ref()),
        ContractStatus::Invalid { invalidated_at, .. } => (None, Some(*invalidated_at), None),
        _ => (None, None, None),
    };
    let mut m = Map::new();
    m.insert("contract_no".into(), json!(c.contract_no));
    m.insert("kind".into(), json!(kind));
    m.insert("kind_name".into(), json!(kind_name));
    m.insert("order_count".into(), json!(c.order_count));
    m.insert("remarks".into(), json!(c.remarks));
    m.insert("applied_at".into(), time(c.applied_at));
    m.insert(
        "valid_period".into(),
        json!({ "from": opt_time(c.valid_from), "to": opt_time(c.valid_to) }),
    );
    m.insert("status".into(), json!(status));
    m.insert("status_name".into(), json!(status_name));
    m.insert("converted_at".into(), opt_time(c.status.converted_at()));
    m.insert("voided_at".into(), opt_time(voided_at));
    m.insert("invalidated_at".into(), opt_time(invalidated_at));
    // The seed's "please submit a ticket": which ticket voided it, and why.
    m.insert(
        "void_ticket".into(),
        ticket.map_or(
            Value::Null,
            |t| json!({ "ticket_id": t.ticket_id, "reason": t.reason }),
        ),
    );
    m.insert("operations".into(), operations(c.operations));
    m
}

/// One row of the contract list (Baidu's list fields and operations).
pub fn contract_row(r: &ContractListRow) -> Value {
    let mut m = common(Common {
        contract_no: &r.contract_no,
        kind: r.kind,
        order_count: r.order_count,
        remarks: &r.remarks,
        applied_at: r.applied_at,
        valid_from: r.valid_from,
        valid_to: r.valid_to,
        status: &r.status,
        status_kind: r.status_kind,
        operations: &r.operations,
    });
    m.insert("order_ids".into(), json!(r.order_ids));
    Value::Object(m)
}

/// A page of the contract list, newest application first.
pub fn contract_page(q: &ContractListQuery, page: &ContractPage) -> Value {
    let r = q.effective_applied_time();
    json!({
        "customer_id": q.customer_id,
        "applied_time": { "begin": time(r.begin), "end": time(r.end) },
        "time_zone": q.time_zone.name(),
        "total": page.total,
        "limit": q.limit.unwrap_or(DEFAULT_CONTRACT_PAGE_SIZE),
        "offset": q.offset,
        "contracts": page.rows.iter().map(contract_row).collect::<Vec<_>>(),
    })
}

/// A contract in full: the list fields, the parties, the remittance
/// account of a payment-request contract and the orders as applied for.
pub fn contract_detail(d: &ContractDetail) -> Value {
    let mut m = common(Common {
        contract_no: &d.contract_no,
        kind: d.kind,
        order_count: d.orders.len(),
        remarks: &d.remarks,
        applied_at: d.applied_at,
        valid_from: d.valid_from,
        valid_to: d.valid_to,
        status: &d.status,
        status_kind: d.status_kind,
        operations: &d.operations,
    });
    m.insert("customer_id".into(), json!(d.customer_id));
    m.insert(
        "order_ids".into(),
        json!(d.orders.iter().map(|o| &o.order_id).collect::<Vec<_>>()),
    );
    m.insert(
        "orders".into(),
        Value::Array(
            d.orders
                .iter()
                .map(|o| {
                    json!({
                        "order_id": o.order_id,
                        "amount_due": money(o.amount_due),
                        "payment_deadline": time(o.payment_deadline),
                        "service_start": opt_time(o.service_start),
                        "service_end": opt_time(o.service_end),
                    })
                })
                .collect(),
        ),
    );
    m.insert(
        "subject".into(),
        json!({
            "party_a": {
                "name": d.subject.party_a.name,
                "kind": name(&names::CERTIFICATION_KINDS, d.subject.party_a.kind),
                "address": d.subject.party_a_details.address,
                "contact_name": d.subject.party_a_details.contact_name,
                "contact_phone": d.subject.party_a_details.contact_phone,
                "tax_id": d.subject.party_a_details.tax_id,
            },
            "party_b": d.subject.party_b,
        }),
    );
    let account = match &d.terms {
        ContractTerms::Order => Value::Null,
        ContractTerms::PaymentRequest { remittance_account } => json!({
            "bank_name": remittance_account.bank_name,
            "account_name": remittance_account.account_name,
            "account_number": remittance_account.account_number,
        }),
    };
    m.insert("remittance_account".into(), account);
    Value::Object(m)
}

// ---- Reads (shared by REST and gRPC) ----------------------------------------

/// A page of the contract list, rendered by `render` (the REST document,
/// or a typed gRPC reply).
pub async fn list_as<T>(
    state: &State,
    q: &ContractListQuery,
    min_position: u64,
    render: impl FnOnce(&ContractPage) -> T,
) -> Result<Read<T>, ApiError> {
    read(state, CONTRACTS, min_position, |tree| {
        Ok(render(&contracts::list_contracts(tree, q)?))
    })
    .await
}

pub async fn list(
    state: &State,
    q: &ContractListQuery,
    min_position: u64,
) -> Result<View, ApiError> {
    list_as(state, q, min_position, |p| contract_page(q, p))
        .await
        .map(View::from)
}

/// The customer's contract in full, rendered by `render`;
/// `contract_not_found` if it is not the customer's.
pub async fn detail_as<T>(
    state: &State,
    customer: &CustomerId,
    no: &ContractNo,
    min_position: u64,
    render: impl FnOnce(&ContractDetail) -> T,
) -> Result<Read<T>, ApiError> {
    read(state, CONTRACTS, min_position, |tree| {
        contracts::contract_detail(tree, customer, no)?
            .map(|d| render(&d))
            .ok_or_else(|| DomainError::ContractNotFound(no.clone()).into())
    })
    .await
}

pub async fn detail(
    state: &State,
    customer: &CustomerId,
    no: &ContractNo,
    min_position: u64,
) -> Result<View, ApiError> {
    detail_as(state, customer, no, min_position, contract_detail)
        .await
        .map(View::from)
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::TimeZone;

    use super::*;

    /// An invalid payment-request contract of one order, invalidated at
    /// 2024-11-22 08:00 UTC (also the view tests' of the gRPC face).
    pub(crate) fn invalid_row() -> ContractListRow {
        let t = Utc.with_ymd_and_hms(2024, 11, 22, 8, 0, 0).unwrap();
        let status = ContractStatus::Invalid {
            invalidated_at: t,
            converted_at: None,
        };
        ContractListRow {
            contract_no: "EC1".parse().unwrap(),
            kind: ContractKind::PaymentRequest,
            order_count: 1,
            order_ids: vec!["CS1".parse().unwrap()],
            remarks: String::new(),
            applied_at: t,
            valid_from: None,
            valid_to: Some(t),
            operations: ContractOperations::of(&status),
            status_kind: ContractStatusKind::of(&status),
            status,
        }
    }

    #[test]
    fn a_list_row_names_kind_status_period_and_operations() {
        let row = invalid_row();
        assert_eq!(
            contract_row(&row),
            json!({
                "contract_no": "EC1",
                "kind": "payment_request",
                "kind_name": "Payment request contract",
                "order_count": 1,
                "order_ids": ["CS1"],
                "remarks": "",
                "applied_at": "2024-11-22T08:00:00Z",
                "valid_period": {"from": null, "to": "2024-11-22T08:00:00Z"},
                "status": "invalid",
                "status_name": "Invalid",
                "void_ticket": null,
                "converted_at": null,
                "voided_at": null,
                "invalidated_at": "2024-11-22T08:00:00Z",
                "operations": {
                    "preview": true,
                    "download": false,
                    "convert": false,
                    "void": false,
                    "void_by_ticket": false,
                },
            })
        );
    }
}
