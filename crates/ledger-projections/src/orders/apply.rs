//! Keeping the `orders` rows and indexes from the log.

use std::collections::BTreeSet;

use ledger_codec::RecordedEvent;
use ledger_domain::ids::OrderId;
use ledger_domain::Event;

use super::{
    customer_time_key, instance_key, payment_time_key, row_key, OrderRow, OrdersProjection,
    RowStatus, ORDERS,
};
use crate::{Projection, ProjectionError, Tx};

fn load(tx: &Tx<'_>, id: &OrderId) -> Result<OrderRow, ProjectionError> {
    tx.get(&row_key(id))?
        .ok_or_else(|| ProjectionError::Corrupt(format!("event for unknown order {id}")))
}

fn store(tx: &mut Tx<'_>, row: &OrderRow) -> Result<(), ProjectionError> {
    tx.put(row_key(&row.spec.order_id), row)
}

/// Moves the row's payment-time index entry to match its status: present
/// exactly while the order is paid.
fn reindex_payment(tx: &mut Tx<'_>, before: Option<chrono::DateTime<chrono::Utc>>, row: &OrderRow) {
    let after = row.status.paid_at();
    if before == after {
        return;
    }
    let (customer, id) = (&row.spec.customer_id, &row.spec.order_id);
    if let Some(at) = before {
        tx.delete(payment_time_key(customer, at, id));
    }
    if let Some(at) = after {
        tx.mark(payment_time_key(customer, at, id));
    }
}

impl Projection for OrdersProjection {
    fn name(&self) -> &'static str {
        ORDERS
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
        let (id, change): (&OrderId, fn(&mut OrderRow, &Event)) = match event {
            Event::OrderPlaced(e) => {
                let spec = &e.spec;
                let row = OrderRow {
                    spec: spec.clone(),
                    placed_at: e.placed_at,
                    payment_deadline: e.payment_deadline,
                    status: RowStatus::Unpaid,
                    contract: None,
                    updated_at: e.placed_at,
                };
                store(tx, &row)?;
                tx.mark(customer_time_key(
                    &spec.customer_id,
                    e.placed_at,
                    &spec.order_id,
                ));
                let instances: BTreeSet<_> = spec.instance_ids.iter().collect();
                for instance in instances {
                    tx.mark(instance_key(
                        &spec.customer_id,
                        instance,
                        e.placed_at,
                        &spec.order_id,
                    ));
                }
                return Ok(());
            }
            Event::OrderPaid(e) => (&e.order_id, |row, ev| {
                if let Event::OrderPaid(e) = ev {
                    row.status = RowStatus::Paid {
                        payment: e.payment.clone(),
                        paid_at: e.paid_at,
                    };
                    row.updated_at = e.paid_at;
                }
            }),
            Event::OrderCancelled(e) => (&e.order_id, |row, ev| {
                if let Event::OrderCancelled(e) = ev {
                    row.status = RowStatus::Cancelled {
                        reason: ledger_domain::order::CancelReason::Requested,
                        cancelled_at: e.cancelled_at,
                    };
                    row.updated_at = e.cancelled_at;
                }
            }),
            Event::OrderExpired(e) => (&e.order_id, |row, ev| {
                if let Event::OrderExpired(e) = ev {
                    row.status = RowStatus::Cancelled {
                        reason: ledger_domain::order::CancelReason::Expired,
                        cancelled_at: e.expired_at,
                    };
                    row.updated_at = e.expired_at;
                }
            }),
            Event::OrderVoided(e) => (&e.order_id, |row, ev| {
                if let Event::OrderVoided(e) = ev {
                    let payment = row.status.payment().cloned();
                    row.status = RowStatus::Voided {
                        reason: e.reason.clone(),
                        voided_at: e.voided_at,
                        payment,
                    };
                    row.updated_at = e.voided_at;
                }
            }),
            Event::OrderAttachedToContract(e) => (&e.order_id, |row, ev| {
                if let Event::OrderAttachedToContract(e) = ev {
                    row.contract = Some(e.contract_no.clone());
                }
            }),
            Event::OrderReleasedFromContract(e) => (&e.order_id, |row, ev| {
                if let Event::OrderReleasedFromContract(e) = ev {
                    if row.contract.as_ref() == Some(&e.contract_no) {
                        row.contract = None;
                    }
                }
            }),
            _ => return Ok(()),
        };
        let mut row = load(tx, id)?;
        let paid_before = row.status.paid_at();
        change(&mut row, event);
        reindex_payment(tx, paid_before, &row);
        store(tx, &row)
    }
}
