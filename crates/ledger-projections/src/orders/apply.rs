//! Keeping the `orders` rows and indexes from the log. The row is the
//! domain's own order state, evolved by the domain's own `evolve`: this
//! module adds only the indexes.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use ledger_codec::RecordedEvent;
use ledger_domain::order::Order;
use ledger_domain::{AggregateId, Event};

use super::{
    balance_paid_key, index, instance_key, payment_time_key, row_key, OrderRow, OrdersProjection,
    ORDERS,
};
use crate::{Projection, ProjectionError, Tx};

/// Moves the row's payment-time index entry to match its status: present
/// exactly while the order is paid.
fn reindex_payment(tx: &mut Tx<'_>, before: Option<DateTime<Utc>>, row: &OrderRow) {
    let after = row.status().paid_at();
    if before == after {
        return;
    }
    let (customer, id) = (&row.spec().customer_id, &row.spec().order_id);
    if let Some(at) = before {
        tx.delete(payment_time_key(customer, at, id));
    }
    if let Some(at) = after {
        tx.mark(payment_time_key(customer, at, id));
    }
}

/// Indexes a newly placed order by instance (the list indexes and counts
/// are [`index::reindex`]'s).
fn index_placed(tx: &mut Tx<'_>, row: &OrderRow) {
    let spec = row.spec();
    let instances: BTreeSet<_> = spec.instance_ids.iter().collect();
    for instance in instances {
        tx.mark(instance_key(
            &spec.customer_id,
            instance,
            row.placed_at(),
            &spec.order_id,
        ));
    }
}

impl Projection for OrdersProjection {
    fn name(&self) -> &'static str {
        ORDERS
    }

    /// 2: what the balance paid of each order (table 5). 3: rows keep the
    /// sales contract (`OrderSpec` of `OrderPlaced` v2); the paid-time index.
    /// 4: the list indexes by status, order type, bill type and service
    /// type, table 2 valued with the order's dimensions, and the count
    /// buckets (issue 11).
    fn version(&self) -> u32 {
        4
    }

    fn apply(
        &self,
        tx: &mut Tx<'_>,
        _record: &RecordedEvent,
        event: &Event,
    ) -> Result<(), ProjectionError> {
        if let Event::AccountDebited(e) = event {
            return tx.put(balance_paid_key(&e.order_id), &e.amount);
        }
        let AggregateId::Order(id) = event.aggregate_id() else {
            return Ok(());
        };
        let before: Option<OrderRow> = tx.get(&row_key(&id))?;
        let placed = matches!(event, Event::OrderPlaced(_));
        if before.is_some() == placed {
            return Err(ProjectionError::Corrupt(format!(
                "{} out of place for order {id}",
                event.name()
            )));
        }
        let paid_before = before.as_ref().and_then(|r| r.status().paid_at());
        let Order::Placed(row) = before
            .clone()
            .map_or(Order::Absent, Order::Placed)
            .evolve(event)
        else {
            unreachable!("evolving a placed order keeps it placed");
        };
        if placed {
            index_placed(tx, &row);
        }
        reindex_payment(tx, paid_before, &row);
        index::reindex(tx, before.as_ref(), &row)?;
        tx.put(row_key(&id), &row)
    }
}
