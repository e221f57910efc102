//! The contract list and contract details (Baidu "Contract Management").
//!
//! **Cost.** The list reads the customer's application-time index over the
//! application-time range (default: the 3 months before `now`) and loads
//! only the contracts it names: the cost grows with that customer's
//! contracts in the range, never with all contracts.

use crate::calendar::{last_months, DEFAULT_TIME_ZONE};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use ledger_domain::contract::{
    ContractKind, ContractOrder, ContractStatus, ContractTerms, SubjectInfo,
};
use ledger_domain::ids::{ContractNo, CustomerId, OrderId};

use super::{contract_no_of_index_key, customer_time_prefix, load_row, ContractRow};
use crate::orders::{QueryError, TimeRange};
use crate::ProjectionError;

/// Largest page of contracts.
pub const MAX_CONTRACT_PAGE_SIZE: u32 = 100;
/// Page size when none is given.
pub const DEFAULT_CONTRACT_PAGE_SIZE: u32 = 10;
/// Default application-time window: the 3 months before `now` (Baidu).
pub const DEFAULT_CONTRACT_WINDOW_MONTHS: u32 = 3;

/// A contract status, as a filter value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContractStatusKind {
    Draft,
    Official,
    Voided,
    Invalid,
}

impl ContractStatusKind {
    pub fn of(status: &ContractStatus) -> ContractStatusKind {
        match status {
            ContractStatus::Draft => ContractStatusKind::Draft,
            ContractStatus::Official { .. } => ContractStatusKind::Official,
            ContractStatus::Voided { .. } => ContractStatusKind::Voided,
            ContractStatus::Invalid { .. } => ContractStatusKind::Invalid,
        }
    }
}

/// What the customer may do with a contract now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContractOperations {
    /// Preview: every contract (the status is printed across the page).
    pub preview: bool,
    /// Download: draft (watermarked) or official (sealed); voided and
    /// invalid contracts are refused.
    pub download: bool,
    /// Convert to official: draft.
    pub convert: bool,
    /// Void by oneself: draft.
    pub void: bool,
    /// Void only through an operator ticket: official.
    pub void_by_ticket: bool,
}

impl ContractOperations {
    pub fn of(status: &ContractStatus) -> ContractOperations {
        let kind = ContractStatusKind::of(status);
        let draft = kind == ContractStatusKind::Draft;
        let official = kind == ContractStatusKind::Official;
        ContractOperations {
            preview: true,
            download: draft || official,
            convert: draft,
            void: draft,
            void_by_ticket: official,
        }
    }
}

/// One contract-list query. Build with [`ContractListQuery::new`].
#[derive(Clone, Debug)]
pub struct ContractListQuery {
    pub customer_id: CustomerId,
    /// The caller's now; the default window ends here.
    pub now: DateTime<Utc>,
    /// Application-time range; default "the last 3 months" of the
    /// customer's calendar ([`crate::calendar::last_months`] in `time_zone`).
    pub applied_time: Option<TimeRange>,
    /// The customer's zone for the default window.
    pub time_zone: Tz,
    pub kind: Option<ContractKind>,
    pub status: Option<ContractStatusKind>,
    /// 1–[`MAX_CONTRACT_PAGE_SIZE`], default [`DEFAULT_CONTRACT_PAGE_SIZE`].
    pub limit: Option<u32>,
    pub offset: u64,
}

impl ContractListQuery {
    pub fn new(customer_id: CustomerId, now: DateTime<Utc>) -> ContractListQuery {
        ContractListQuery {
            customer_id,
            now,
            applied_time: None,
            time_zone: DEFAULT_TIME_ZONE,
            kind: None,
            status: None,
            limit: None,
            offset: 0,
        }
    }

    pub fn effective_applied_time(&self) -> TimeRange {
        self.applied_time.unwrap_or_else(|| {
            last_months(self.now, self.time_zone, DEFAULT_CONTRACT_WINDOW_MONTHS)
        })
    }
}

/// One row of the contract list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractListRow {
    pub contract_no: ContractNo,
    pub kind: ContractKind,
    pub order_count: usize,
    pub order_ids: Vec<OrderId>,
    pub remarks: String,
    pub applied_at: DateTime<Utc>,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_to: Option<DateTime<Utc>>,
    pub status: ContractStatus,
    pub status_kind: ContractStatusKind,
    pub operations: ContractOperations,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractPage {
    /// Newest application first.
    pub rows: Vec<ContractListRow>,
    pub total: u64,
}

fn list_row(row: &ContractRow) -> ContractListRow {
    let c = row;
    let (valid_from, valid_to) = c.valid_period();
    let status = c.status().clone();
    ContractListRow {
        contract_no: c.contract_no().clone(),
        kind: c.terms().kind(),
        order_count: c.orders().len(),
        order_ids: c.orders().iter().map(|o| o.order_id.clone()).collect(),
        remarks: c.remarks().to_owned(),
        applied_at: c.applied_at(),
        valid_from,
        valid_to,
        status_kind: ContractStatusKind::of(&status),
        operations: ContractOperations::of(&status),
        status,
    }
}

/// The customer's contracts matching `q`, newest application first.
pub fn list_contracts(
    tree: &sled::Tree,
    q: &ContractListQuery,
) -> Result<ContractPage, QueryError> {
    let limit =
        crate::orders::query_limit(q.limit, DEFAULT_CONTRACT_PAGE_SIZE, MAX_CONTRACT_PAGE_SIZE)?
            as usize;
    let range = q.effective_applied_time();
    range.check("application time")?;
    let prefix = customer_time_prefix(&q.customer_id).build();
    let mut rows = Vec::new();
    for kv in range.scan(tree, &prefix).rev() {
        let (key, _) = kv?;
        let no = contract_no_of_index_key(&key, prefix.len())?;
        let row = load_row(tree, &no)?.ok_or_else(|| {
            ProjectionError::Corrupt(format!("index names missing contract {no}"))
        })?;
        let row = list_row(&row);
        if q.kind.is_none_or(|k| row.kind == k) && q.status.is_none_or(|s| row.status_kind == s) {
            rows.push(row);
        }
    }
    let total = rows.len() as u64;
    let offset = usize::try_from(q.offset).unwrap_or(usize::MAX);
    Ok(ContractPage {
        rows: rows.into_iter().skip(offset).take(limit).collect(),
        total,
    })
}

/// A contract in full.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractDetail {
    pub contract_no: ContractNo,
    pub customer_id: CustomerId,
    pub kind: ContractKind,
    /// With the remittance account of a payment-request contract.
    pub terms: ContractTerms,
    /// The associated orders as applied for (deadline, service period).
    pub orders: Vec<ContractOrder>,
    pub subject: SubjectInfo,
    pub remarks: String,
    pub applied_at: DateTime<Utc>,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_to: Option<DateTime<Utc>>,
    pub status: ContractStatus,
    pub status_kind: ContractStatusKind,
    pub operations: ContractOperations,
}

/// The customer's contract by number; `None` if not the customer's.
pub fn contract_detail(
    tree: &sled::Tree,
    customer: &CustomerId,
    no: &ContractNo,
) -> Result<Option<ContractDetail>, QueryError> {
    let Some(row) = load_row(tree, no)?.filter(|r| r.customer_id() == customer) else {
        return Ok(None);
    };
    let c = row;
    let (valid_from, valid_to) = c.valid_period();
    let status = c.status().clone();
    Ok(Some(ContractDetail {
        contract_no: c.contract_no().clone(),
        customer_id: c.customer_id().clone(),
        kind: c.terms().kind(),
        terms: c.terms().clone(),
        orders: c.orders().to_vec(),
        subject: c.subject().clone(),
        remarks: c.remarks().to_owned(),
        applied_at: c.applied_at(),
        valid_from,
        valid_to,
        status_kind: ContractStatusKind::of(&status),
        operations: ContractOperations::of(&status),
        status,
    }))
}
