//! How order events change an order. Events are facts: evolve never refuses
//! one, but an event that cannot apply to the state is a broken invariant
//! of the log and panics (audit verification reports it first).

use super::types::*;
use crate::Event;

impl Order {
    pub fn evolve(self, event: &Event) -> Order {
        let placed = match (self, event) {
            (Order::Absent, Event::OrderPlaced(e)) => {
                return Order::Placed(PlacedOrder {
                    spec: e.spec.clone(),
                    placed_at: e.placed_at,
                    payment_deadline: e.payment_deadline,
                    status: OrderStatus::Unpaid,
                    contract: None,
                    updated_at: e.placed_at,
                })
            }
            (Order::Placed(p), _) => p,
            (Order::Absent, e) => panic!("{} applied to an absent order", e.name()),
        };
        Order::Placed(placed.evolve(event))
    }
}

impl PlacedOrder {
    fn evolve(mut self, event: &Event) -> PlacedOrder {
        match event {
            Event::OrderPaid(e) => {
                self.status = OrderStatus::Paid {
                    payment: e.payment.clone(),
                    paid_at: e.paid_at,
                };
                self.updated_at = e.paid_at;
            }
            Event::OrderCancelled(e) => {
                self.status = OrderStatus::Cancelled {
                    reason: CancelReason::Requested,
                    cancelled_at: e.cancelled_at,
                };
                self.updated_at = e.cancelled_at;
            }
            Event::OrderExpired(e) => {
                self.status = OrderStatus::Cancelled {
                    reason: CancelReason::Expired,
                    cancelled_at: e.expired_at,
                };
                self.updated_at = e.expired_at;
            }
            Event::OrderVoided(e) => {
                let payment = match std::mem::replace(&mut self.status, OrderStatus::Unpaid) {
                    OrderStatus::Paid { payment, .. } => Some(payment),
                    _ => None,
                };
                self.status = OrderStatus::Voided {
                    reason: e.reason.clone(),
                    voided_at: e.voided_at,
                    payment,
                };
                self.updated_at = e.voided_at;
            }
            Event::OrderAttachedToContract(e) => self.contract = Some(e.contract_no.clone()),
            Event::OrderReleasedFromContract(e) => {
                if self.contract.as_ref() == Some(&e.contract_no) {
                    self.contract = None;
                }
            }
            other => panic!("{} applied to order {}", other.name(), self.spec.order_id),
        }
        self
    }
}
