//! The deadlines view: when each unpaid order expires, and when each live
//! payment-request contract turns invalid (the earliest payment deadline
//! among its orders that are not paid). The timer reads it.
//!
//! Each deadline remembers its [`Cause`]: the log position of the event
//! whose application set its due time (an order's `OrderPlaced`; for a
//! contract its `ContractApplied`, or the later event that moved its due
//! time, such as an order of it paid) and that event's correlation id. The
//! timer's command carries them as its causation (`position:<n>`) and
//! correlation ids.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use ledger_codec::payload::decode_value;
use ledger_codec::{Position, RecordedEvent};
use ledger_domain::contract::{ContractKind, ContractOrder};
use ledger_domain::ids::{ContractNo, OrderId};
use ledger_domain::Event;

use crate::{KeyBuilder, Projection, ProjectionError, Tx};

pub const NAME: &str = "deadlines";

const DUE: u8 = 1;
const ORDER: u8 = 2;
const CONTRACT: u8 = 3;

/// What happens at a deadline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    /// An unpaid order expires.
    ExpireOrder(OrderId),
    /// A payment-request contract with an unpaid order turns invalid.
    InvalidateContract(ContractNo),
}

/// What scheduled a deadline: the event whose application set its due
/// time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cause {
    pub position: Position,
    pub correlation_id: Option<String>,
}

impl Cause {
    fn of(record: &RecordedEvent) -> Cause {
        Cause {
            position: record.position,
            correlation_id: record.metadata.command.correlation_id.clone(),
        }
    }

    /// The causation id of the command that acts on the deadline:
    /// `position:<n>`.
    pub fn causation_id(&self) -> String {
        format!("position:{}", self.position.0)
    }
}

/// One pending deadline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    pub due: DateTime<Utc>,
    pub target: Target,
    pub cause: Cause,
}

#[derive(Serialize, Deserialize)]
struct OrderRow {
    deadline: DateTime<Utc>,
    unpaid: bool,
    paid: bool,
    contract: Option<ContractNo>,
}

#[derive(Serialize, Deserialize)]
struct ContractRow {
    orders: Vec<OrderId>,
    due: Option<DateTime<Utc>>,
}

fn due_key(due: DateTime<Utc>, target: &Target) -> Vec<u8> {
    let (kind, id) = match target {
        Target::ExpireOrder(id) => (1, id.as_str()),
        Target::InvalidateContract(no) => (2, no.as_str()),
    };
    KeyBuilder::new(DUE).time(due).u64(kind).text(id).build()
}

fn order_key(id: &OrderId) -> Vec<u8> {
    KeyBuilder::new(ORDER).text(id.as_str()).build()
}

fn contract_key(no: &ContractNo) -> Vec<u8> {
    KeyBuilder::new(CONTRACT).text(no.as_str()).build()
}

/// Keeps the deadlines view.
#[derive(Clone, Copy, Debug, Default)]
pub struct Deadlines;

impl Projection for Deadlines {
    fn name(&self) -> &'static str {
        NAME
    }

    /// 2: order rows are kept only while pending (version 1 kept them all).
    /// 3: each deadline records its cause.
    fn version(&self) -> u32 {
        3
    }

    fn apply(
        &self,
        tx: &mut Tx<'_>,
        record: &RecordedEvent,
        event: &Event,
    ) -> Result<(), ProjectionError> {
        let cause = Cause::of(record);
        match event {
            Event::OrderPlaced(e) => {
                let id = &e.spec.order_id;
                let row = OrderRow {
                    deadline: e.payment_deadline,
                    unpaid: true,
                    paid: false,
                    contract: None,
                };
                tx.put(order_key(id), &row)?;
                let d = Deadline {
                    due: e.payment_deadline,
                    target: Target::ExpireOrder(id.clone()),
                    cause,
                };
                tx.put(due_key(d.due, &d.target), &d)?;
            }
            Event::OrderPaid(e) => {
                let row = order(tx, &e.order_id)?;
                settle(tx, row, &e.order_id, Some(true), &cause)?
            }
            Event::OrderCancelled(e) => {
                let row = order(tx, &e.order_id)?;
                settle(tx, row, &e.order_id, Some(false), &cause)?
            }
            Event::OrderExpired(e) => {
                let row = order(tx, &e.order_id)?;
                settle(tx, row, &e.order_id, Some(false), &cause)?
            }
            // A paid order voided later was still paid in time (the domain's
            // `was_paid`): voiding leaves `paid` as it was. A paid order's row
            // is gone unless a payment-request contract still tracks it.
            Event::OrderVoided(e) => {
                if let Some(row) = tx.get::<OrderRow>(&order_key(&e.order_id))? {
                    settle(tx, row, &e.order_id, None, &cause)?;
                }
            }
            // Only payment-request contracts are tracked here (they have a
            // row); an order contract's paid orders need no deadline.
            Event::OrderAttachedToContract(e)
                if tx.get_raw(&contract_key(&e.contract_no))?.is_some() =>
            {
                let mut row = order(tx, &e.order_id)?;
                row.contract = Some(e.contract_no.clone());
                save(tx, &e.order_id, &row)?;
            }
            Event::OrderReleasedFromContract(e) => {
                if let Some(mut row) = tx.get::<OrderRow>(&order_key(&e.order_id))? {
                    if row.contract.as_ref() == Some(&e.contract_no) {
                        row.contract = None;
                        save(tx, &e.order_id, &row)?;
                    }
                }
            }
            Event::ContractApplied(e) if e.terms.kind() == ContractKind::PaymentRequest => {
                let orders = e
                    .orders
                    .iter()
                    .map(|o: &ContractOrder| o.order_id.clone())
                    .collect();
                tx.put(
                    contract_key(&e.contract_no),
                    &ContractRow { orders, due: None },
                )?;
                reschedule(tx, &e.contract_no, &cause)?;
            }
            Event::ContractVoided(ledger_domain::contract::ContractVoided {
                contract_no, ..
            })
            | Event::ContractInvalidated(ledger_domain::contract::ContractInvalidated {
                contract_no,
                ..
            }) => {
                if let Some(row) = tx.get::<ContractRow>(&contract_key(contract_no))? {
                    if let Some(due) = row.due {
                        tx.delete(due_key(
                            due,
                            &Target::InvalidateContract(contract_no.clone()),
                        ));
                    }
                    tx.delete(contract_key(contract_no));
                }
            }
            _ => {}
        }
        Ok(())
    }
}

fn order(tx: &Tx<'_>, id: &OrderId) -> Result<OrderRow, ProjectionError> {
    tx.get(&order_key(id))?
        .ok_or_else(|| ProjectionError::Corrupt(format!("deadlines: order {id} unknown")))
}

/// Keeps an order's row while it matters here: while unpaid (it expires),
/// or while a payment-request contract tracks it. Otherwise it is removed,
/// so the view holds only pending work, not history.
fn save(tx: &mut Tx<'_>, id: &OrderId, row: &OrderRow) -> Result<(), ProjectionError> {
    if row.unpaid || row.contract.is_some() {
        tx.put(order_key(id), row)
    } else {
        tx.delete(order_key(id));
        Ok(())
    }
}

/// An order left Unpaid: it no longer expires, and its contract's deadline
/// may move. `paid` is its new paid-ness, or `None` to keep it.
fn settle(
    tx: &mut Tx<'_>,
    mut row: OrderRow,
    id: &OrderId,
    paid: Option<bool>,
    cause: &Cause,
) -> Result<(), ProjectionError> {
    if row.unpaid {
        tx.delete(due_key(row.deadline, &Target::ExpireOrder(id.clone())));
    }
    row.unpaid = false;
    row.paid = paid.unwrap_or(row.paid);
    let contract = row.contract.clone();
    save(tx, id, &row)?;
    if let Some(no) = contract {
        reschedule(tx, &no, cause)?;
    }
    Ok(())
}

/// Recomputes a live payment-request contract's due time: the earliest
/// deadline among its orders never paid (the domain's rule). A new due
/// time takes `cause`; an unchanged one keeps the cause it had.
fn reschedule(tx: &mut Tx<'_>, no: &ContractNo, cause: &Cause) -> Result<(), ProjectionError> {
    let Some(mut row) = tx.get::<ContractRow>(&contract_key(no))? else {
        return Ok(()); // an order contract, or no longer live
    };
    let mut due = None;
    for id in &row.orders {
        let o = order(tx, id)?;
        if !o.paid {
            due = due.min(Some(o.deadline)).or(Some(o.deadline));
        }
    }
    if due == row.due {
        return Ok(());
    }
    let target = Target::InvalidateContract(no.clone());
    if let Some(old) = row.due {
        tx.delete(due_key(old, &target));
    }
    if let Some(due) = due {
        let key = due_key(due, &target);
        let d = Deadline {
            due,
            target,
            cause: cause.clone(),
        };
        tx.put(key, &d)?;
    }
    row.due = due;
    tx.put(contract_key(no), &row)
}

/// Deadlines due at or before `until`, earliest first, at most `limit`.
pub fn due(
    view: &sled::Tree,
    until: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<Deadline>, ProjectionError> {
    due_after(view, None, until, limit)
}

/// Like [`due`], but only those after `after` in deadline order (a cursor
/// for paging past deadlines already handled).
pub fn due_after(
    view: &sled::Tree,
    after: Option<&Deadline>,
    until: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<Deadline>, ProjectionError> {
    use std::ops::Bound;
    let start = match after {
        Some(d) => Bound::Excluded(due_key(d.due, &d.target)),
        None => Bound::Included(vec![DUE]),
    };
    let end = Bound::Included(KeyBuilder::new(DUE).time(until).u64(u64::MAX).build());
    let mut out = Vec::new();
    for item in view.range::<Vec<u8>, _>((start, end)).take(limit) {
        let (_, v) = item?;
        out.push(decode_value(&v)?);
    }
    Ok(out)
}

/// The earliest pending deadline.
pub fn next_due(view: &sled::Tree) -> Result<Option<Deadline>, ProjectionError> {
    match view.scan_prefix([DUE]).next() {
        None => Ok(None),
        Some(item) => Ok(Some(decode_value(&item?.1)?)),
    }
}
