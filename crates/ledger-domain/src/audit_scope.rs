//! What an auditor must load to judge one recorded event: the aggregates
//! [`crate::audit::check`] and the tenant derivation read. With it an audit
//! holds a bounded working set instead of the state of every aggregate the
//! log ever named.

use crate::state::{AggregateId, Event, State};

/// Most rounds [`Event::audit_scope`] needs: the event's own aggregates,
/// then what they name (a contract's orders, an order's contract).
pub const MAX_AUDIT_SCOPE_ROUNDS: usize = 3;

impl Event {
    /// The aggregates [`crate::audit::check`] reads for this event, given
    /// what is loaded so far. Load them, call again, and stop when nothing
    /// new is named (at most [`MAX_AUDIT_SCOPE_ROUNDS`] rounds). Anything
    /// not named reads as absent, so a missing entry is a false alarm, never
    /// a false pass of a check that wants the aggregate present.
    pub fn audit_scope(&self, state: &State) -> Vec<AggregateId> {
        let mut ids = vec![self.aggregate_id()];
        let orders_of_contract = |ids: &mut Vec<AggregateId>, no| {
            if let Some(c) = state.contract(no).applied() {
                ids.extend(
                    c.orders()
                        .iter()
                        .map(|o| AggregateId::Order(o.order_id.clone())),
                );
            }
        };
        match self {
            Event::OrderPlaced(e) => ids.push(AggregateId::Customer(e.spec.customer_id.clone())),
            Event::OrderAttachedToContract(e) => {
                ids.push(AggregateId::Contract(e.contract_no.clone()));
                if let Some(current) = state.order(&e.order_id).placed().and_then(|o| o.contract())
                {
                    ids.push(AggregateId::Contract(current.clone()));
                }
            }
            Event::ContractApplied(e) => {
                ids.push(AggregateId::Customer(e.customer_id.clone()));
                ids.extend(
                    e.orders
                        .iter()
                        .map(|o| AggregateId::Order(o.order_id.clone())),
                );
            }
            Event::ContractConverted(e) => orders_of_contract(&mut ids, &e.contract_no),
            Event::ContractInvalidated(e) => orders_of_contract(&mut ids, &e.contract_no),
            Event::TopUpReceived(e) => ids.push(AggregateId::Customer(e.customer_id.clone())),
            Event::CouponIssued(e) => {
                ids.push(AggregateId::Customer(e.coupon.customer_id.clone()));
            }
            Event::CouponRedeemed(e) => ids.push(AggregateId::Order(e.order_id.clone())),
            Event::OrderPaid(_)
            | Event::OrderCancelled(_)
            | Event::OrderExpired(_)
            | Event::OrderVoided(_)
            | Event::OrderReleasedFromContract(_)
            | Event::ContractVoided(_)
            | Event::ContractDocumentSealed(_)
            | Event::ContractRemarksEdited(_)
            | Event::CustomerRegistered(_)
            | Event::RealNameCertified(_)
            | Event::RemittanceAccountSet(_)
            | Event::LossAccepted(_)
            | Event::AccountCredited(_)
            | Event::AccountDebited(_) => {}
        }
        ids
    }
}

/// `state` restricted to what [`Event::audit_scope`] names for `event`,
/// built in rounds as an auditor would load it.
pub fn scoped_state(state: &State, event: &Event) -> State {
    let mut scoped = State::default();
    for _ in 0..MAX_AUDIT_SCOPE_ROUNDS {
        let missing: Vec<AggregateId> = event
            .audit_scope(&scoped)
            .into_iter()
            .filter(|id| !scoped.contains(id))
            .collect();
        if missing.is_empty() {
            break;
        }
        for id in missing {
            let aggregate = state.get(&id);
            scoped.insert(id, aggregate);
        }
    }
    scoped
}
