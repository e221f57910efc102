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

use ledger_domain::contract::AppliedContract;
use ledger_domain::ids::{ContractNo, CustomerId};

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

/// One contract as the views need it: the domain's own contract state,
/// kept with the same `evolve` the decider uses.
pub type ContractRow = AppliedContract;

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
