//! Keeping the `contracts` rows and index from the log.

use ledger_codec::RecordedEvent;
use ledger_domain::ids::ContractNo;
use ledger_domain::Event;

use super::{
    customer_time_key, row_key, ContractRow, ContractsProjection, RowContractStatus, CONTRACTS,
};
use crate::{Projection, ProjectionError, Tx};

fn load(tx: &Tx<'_>, no: &ContractNo) -> Result<ContractRow, ProjectionError> {
    tx.get(&row_key(no))?
        .ok_or_else(|| ProjectionError::Corrupt(format!("event for unknown contract {no}")))
}

impl Projection for ContractsProjection {
    fn name(&self) -> &'static str {
        CONTRACTS
    }

    fn version(&self) -> u32 {
        1
    }

    fn apply(
        &self,
        tx: &mut Tx<'_>,
        _record: &RecordedEvent,
        event: &Event,
    ) -> Result<(), ProjectionError> {
        let (no, mut row) = match event {
            Event::ContractApplied(e) => {
                let row = ContractRow {
                    applied: e.clone(),
                    remarks: e.remarks.clone(),
                    status: RowContractStatus::Draft,
                };
                tx.mark(customer_time_key(
                    &e.customer_id,
                    e.applied_at,
                    &e.contract_no,
                ));
                return tx.put(row_key(&e.contract_no), &row);
            }
            Event::ContractConverted(ledger_domain::contract::ContractConverted {
                contract_no,
                ..
            })
            | Event::ContractVoided(ledger_domain::contract::ContractVoided {
                contract_no, ..
            })
            | Event::ContractRemarksEdited(ledger_domain::contract::ContractRemarksEdited {
                contract_no,
                ..
            })
            | Event::ContractInvalidated(ledger_domain::contract::ContractInvalidated {
                contract_no,
                ..
            }) => (contract_no, load(tx, contract_no)?),
            _ => return Ok(()),
        };
        let converted_at = row.status.converted_at();
        match event {
            Event::ContractConverted(e) => {
                row.status = RowContractStatus::Official {
                    converted_at: e.converted_at,
                }
            }
            Event::ContractVoided(e) => {
                row.status = RowContractStatus::Voided {
                    voided_at: e.voided_at,
                    converted_at,
                }
            }
            Event::ContractInvalidated(e) => {
                row.status = RowContractStatus::Invalid {
                    invalidated_at: e.invalidated_at,
                    converted_at,
                    overdue_order: e.overdue_order.clone(),
                }
            }
            Event::ContractRemarksEdited(e) => row.remarks = e.remarks.clone(),
            _ => {}
        }
        tx.put(row_key(no), &row)
    }
}
