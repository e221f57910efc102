//! The `contracts` read model: one row per contract number and an index per
//! customer by application time, for the contract list and details.
//!
//! | table | key                                            | value           |
//! |-------|------------------------------------------------|-----------------|
//! | 1     | contract no                                    | [`ContractRow`] |
//! | 2     | customer id, application time, contract no     | (index)         |

mod apply;
mod query;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use ledger_domain::contract::{
    AppliedContract, Contract, ContractApplied, ContractConverted, ContractInvalidated,
    ContractRemarksEdited, ContractStatus, ContractVoided,
};
use ledger_domain::ids::{ContractNo, CustomerId, OrderId};
use ledger_domain::Event;

use crate::orders::QueryError;
use crate::{KeyBuilder, ProjectionError};

pub use query::{
    contract_detail, list_contracts, ContractDetail, ContractListQuery, ContractListRow,
    ContractOperations, ContractPage, ContractStatusKind, DEFAULT_CONTRACT_PAGE_SIZE,
    DEFAULT_CONTRACT_WINDOW_MONTHS, MAX_CONTRACT_PAGE_SIZE,
};

/// The projection's name.
pub const CONTRACTS: &str = "contracts";

/// The `contracts` projection.
#[derive(Clone, Copy, Debug, Default)]
pub struct ContractsProjection;

/// A contract's status as stored (the domain's [`ContractStatus`],
/// serializable, plus the overdue order of an invalidation).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RowContractStatus {
    Draft,
    Official {
        converted_at: DateTime<Utc>,
    },
    Voided {
        voided_at: DateTime<Utc>,
        converted_at: Option<DateTime<Utc>>,
    },
    Invalid {
        invalidated_at: DateTime<Utc>,
        converted_at: Option<DateTime<Utc>>,
        overdue_order: OrderId,
    },
}

impl RowContractStatus {
    pub fn converted_at(&self) -> Option<DateTime<Utc>> {
        match self {
            RowContractStatus::Draft => None,
            RowContractStatus::Official { converted_at } => Some(*converted_at),
            RowContractStatus::Voided { converted_at, .. }
            | RowContractStatus::Invalid { converted_at, .. } => *converted_at,
        }
    }
}

/// One contract as the views need it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractRow {
    /// The application as recorded: kind and terms, customer, associated
    /// orders (with their deadlines and service periods), subject, time.
    pub applied: ContractApplied,
    /// Current remarks.
    pub remarks: String,
    pub status: RowContractStatus,
}

impl ContractRow {
    /// The domain's contract state, rebuilt from the row, so that status
    /// names, liveness and the valid period use the domain's definitions.
    pub fn to_domain(&self) -> AppliedContract {
        let no = self.applied.contract_no.clone();
        let mut events = vec![Event::ContractApplied(self.applied.clone())];
        if self.remarks != self.applied.remarks {
            events.push(Event::ContractRemarksEdited(ContractRemarksEdited {
                contract_no: no.clone(),
                remarks: self.remarks.clone(),
                edited_at: self.applied.applied_at,
            }));
        }
        if let Some(converted_at) = self.status.converted_at() {
            events.push(Event::ContractConverted(ContractConverted {
                contract_no: no.clone(),
                converted_at,
            }));
        }
        match &self.status {
            RowContractStatus::Draft | RowContractStatus::Official { .. } => {}
            RowContractStatus::Voided { voided_at, .. } => {
                events.push(Event::ContractVoided(ContractVoided {
                    contract_no: no,
                    voided_at: *voided_at,
                }))
            }
            RowContractStatus::Invalid {
                invalidated_at,
                overdue_order,
                ..
            } => events.push(Event::ContractInvalidated(ContractInvalidated {
                contract_no: no,
                overdue_order: overdue_order.clone(),
                invalidated_at: *invalidated_at,
            })),
        }
        let contract = events.iter().fold(Contract::Absent, |c, e| c.evolve(e));
        match contract {
            Contract::Applied(c) => c,
            Contract::Absent => unreachable!("ContractApplied makes a contract"),
        }
    }

    pub fn domain_status(&self) -> ContractStatus {
        self.to_domain().status().clone()
    }
}

// ---- Keys -------------------------------------------------------------------

const ROW: u8 = 1;
const BY_CUSTOMER_TIME: u8 = 2;

fn row_key(no: &ContractNo) -> Vec<u8> {
    KeyBuilder::new(ROW).text(no.as_str()).build()
}

fn customer_time_prefix(customer: &CustomerId) -> KeyBuilder {
    KeyBuilder::new(BY_CUSTOMER_TIME).text(customer.as_str())
}

fn customer_time_key(customer: &CustomerId, at: DateTime<Utc>, no: &ContractNo) -> Vec<u8> {
    customer_time_prefix(customer)
        .time(at)
        .text(no.as_str())
        .build()
}

fn contract_no_of_index_key(key: &[u8], prefix_len: usize) -> Result<ContractNo, ProjectionError> {
    let corrupt = || ProjectionError::Corrupt("malformed contracts index key".into());
    let no = key
        .get(prefix_len + 8..)
        .and_then(|rest| rest.strip_suffix(&[0]))
        .ok_or_else(corrupt)?;
    let no = std::str::from_utf8(no).map_err(|_| corrupt())?;
    ContractNo::new(no).map_err(|_| corrupt())
}

fn load_row(tree: &sled::Tree, no: &ContractNo) -> Result<Option<ContractRow>, QueryError> {
    match tree.get(row_key(no))? {
        None => Ok(None),
        Some(v) => Ok(Some(
            ledger_codec::payload::decode_value(&v).map_err(ProjectionError::from)?,
        )),
    }
}
