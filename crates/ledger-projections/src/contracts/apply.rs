//! Keeping the `contracts` rows and index from the log. The row is the
//! domain's own contract state, evolved by the domain's own `evolve`: this
//! module adds only the index.

use ledger_codec::RecordedEvent;
use ledger_domain::contract::Contract;
use ledger_domain::{AggregateId, Event};

use super::{customer_time_key, row_key, ContractRow, ContractsProjection, CONTRACTS};
use crate::{Projection, ProjectionError, Tx};

impl Projection for ContractsProjection {
    fn name(&self) -> &'static str {
        CONTRACTS
    }

    /// 2: rows keep Party A's details and a voided contract's ticket.
    /// 3: rows keep the official document's seal.
    fn version(&self) -> u32 {
        3
    }

    fn apply(
        &self,
        tx: &mut Tx<'_>,
        _record: &RecordedEvent,
        event: &Event,
    ) -> Result<(), ProjectionError> {
        let AggregateId::Contract(no) = event.aggregate_id() else {
            return Ok(());
        };
        let before: Option<ContractRow> = tx.get(&row_key(&no))?;
        let applied = matches!(event, Event::ContractApplied(_));
        if before.is_some() == applied {
            return Err(ProjectionError::Corrupt(format!(
                "{} out of place for contract {no}",
                event.name()
            )));
        }
        let Contract::Applied(row) = before
            .map_or(Contract::Absent, Contract::Applied)
            .evolve(event)
        else {
            unreachable!("evolving an applied contract keeps it applied");
        };
        if applied {
            tx.mark(customer_time_key(row.customer_id(), row.applied_at(), &no));
        }
        tx.put(row_key(&no), &row)
    }
}
