//! Whose data an event is: the tenant (customer domain id) recorded in each
//! event's metadata, so readers can isolate tenants without decoding
//! payloads.
//!
//! Every aggregate belongs to one customer once it exists: an order to the
//! customer it was placed for, a contract to the customer who applied, a
//! customer to itself. An event's tenant is its aggregate's owner; the
//! events that create an aggregate name the owner themselves.

use crate::ids::CustomerId;
use crate::state::{Aggregate, Event, State};

impl Aggregate {
    /// The customer the aggregate belongs to; `None` while it is absent.
    pub fn owner(&self) -> Option<&CustomerId> {
        match self {
            Aggregate::Order(o) => o.placed().map(|p| &p.spec().customer_id),
            Aggregate::Contract(c) => c.applied().map(|a| a.customer_id()),
            Aggregate::Customer(c) => c.registered().map(|r| r.customer_id()),
            // The ledger's own records concern no customer.
            Aggregate::Operations(_) => None,
            Aggregate::Account(a) => a.customer_id(),
            Aggregate::TopUp(t) => t.received().map(|r| &r.customer_id),
            Aggregate::Coupon(c) => c.issued().map(|c| &c.spec().customer_id),
        }
    }
}

impl Event {
    /// The customer an event names itself, for the events that do (those
    /// creating an aggregate, and the customer's own events).
    fn named_customer(&self) -> Option<&CustomerId> {
        match self {
            Event::OrderPlaced(e) => Some(&e.spec.customer_id),
            Event::ContractApplied(e) => Some(&e.customer_id),
            Event::CustomerRegistered(e) => Some(&e.customer_id),
            Event::RealNameCertified(e) => Some(&e.customer_id),
            Event::RemittanceAccountSet(e) => Some(&e.customer_id),
            Event::TopUpReceived(e) => Some(&e.customer_id),
            Event::AccountCredited(e) => Some(&e.customer_id),
            Event::AccountDebited(e) => Some(&e.customer_id),
            Event::CouponIssued(e) => Some(&e.coupon.customer_id),
            Event::OrderPaid(_)
            | Event::OrderCancelled(_)
            | Event::OrderExpired(_)
            | Event::OrderVoided(_)
            | Event::OrderAttachedToContract(_)
            | Event::OrderReleasedFromContract(_)
            | Event::ContractConverted(_)
            | Event::ContractDocumentSealed(_)
            | Event::ContractVoided(_)
            | Event::ContractRemarksEdited(_)
            | Event::ContractInvalidated(_)
            | Event::CouponRedeemed(_)
            | Event::LossAccepted(_) => None,
        }
    }
}

/// The tenant of one event, on the state just before it: the customer the
/// event names, else its aggregate's owner. `None` for an event that
/// concerns no customer (or whose aggregate is not in `state`).
pub fn tenant(state: &State, event: &Event) -> Option<CustomerId> {
    match event.named_customer() {
        Some(c) => Some(c.clone()),
        None => state.get(&event.aggregate_id()).owner().cloned(),
    }
}

/// The tenant of each of a command's events, decided on `state` (the state
/// the command was decided on), each on the state its earlier events leave.
pub fn tenants(state: &State, events: &[Event]) -> Vec<Option<CustomerId>> {
    let mut state = state.clone();
    let mut out = Vec::with_capacity(events.len());
    for event in events {
        out.push(tenant(&state, event));
        state = crate::state::evolve(state, event);
    }
    out
}
