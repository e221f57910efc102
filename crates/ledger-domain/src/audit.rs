//! Legality of recorded events: is an event a transition the domain rules
//! allow from the state before it?
//!
//! `decide` turns commands into events; an auditor holds only the events.
//! [`check`] states, for one recorded event and the state of the aggregates
//! it touches or reads, whether a decision could have recorded it. It is
//! pure (no I/O, no clock) and reuses the deciders' own helpers (pricing,
//! statuses, overdue orders), so the rules live in one place.
//!
//! Besides what an event itself carries, the actor recorded in its metadata
//! is checked against the role table ([`crate::roles::may_record`]) and a
//! customer actor against the event's tenant. Input shapes (text lengths,
//! id syntax) are the command's business and are not re-checked.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use crate::context::Actor;
use crate::contract::{self, AppliedContract, ContractKind, ContractStatus, MAX_CONTRACT_ORDERS};
use crate::coupon::is_single_use;
use crate::ids::{ContractNo, CustomerId, LineItemId, OrderId, VoucherId};
use crate::money::Money;
use crate::order::{OrderStatus, PlacedOrder};
use crate::state::{AggregateId, Event, State};

/// Why a recorded event is not a transition the rules allow. Messages are
/// lowercase with no trailing period; [`Violation::code`] is stable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Violation {
    #[error("recorded actor {actor:?} is not customer:, operator:, service: or system")]
    UnknownActor { actor: String },
    #[error("{actor} may not record {event}")]
    ActorNotPermitted { event: &'static str, actor: String },
    #[error("{actor} may not act for customer {customer} ({event})")]
    ActorOfAnotherCustomer {
        event: &'static str,
        actor: String,
        customer: CustomerId,
    },
    #[error("{aggregate} is absent ({event})")]
    AggregateAbsent {
        event: &'static str,
        aggregate: AggregateId,
    },
    #[error("{aggregate} already exists ({event})")]
    AggregateExists {
        event: &'static str,
        aggregate: AggregateId,
    },
    #[error("order {order_id}: line item {line} has deductions above its list price")]
    DeductionsExceedPrice { order_id: OrderId, line: LineItemId },
    #[error("order {order_id}: amount due {given} is not the sum of its lines ({expected})")]
    AmountDueMismatch {
        order_id: OrderId,
        expected: Money,
        given: Money,
    },
    #[error("order {0}: the payment deadline is not after the order time")]
    DeadlineNotAfterPlacement(OrderId),
    #[error("order {order_id} is {status}, not unpaid ({event})")]
    OrderNotUnpaid {
        event: &'static str,
        order_id: OrderId,
        status: &'static str,
    },
    #[error("order {order_id} is at or past its payment deadline ({event})")]
    DeadlinePassed {
        event: &'static str,
        order_id: OrderId,
    },
    #[error("order {order_id}: paid {paid}, amount due {due}")]
    PaymentAmountMismatch {
        order_id: OrderId,
        due: Money,
        paid: Money,
    },
    #[error("order {0}: vouchers exceed the payment amount")]
    VouchersExceedPayment(OrderId),
    #[error("order {0} expired before its payment deadline")]
    ExpiredBeforeDeadline(OrderId),
    #[error("order {order_id} is {status} and cannot be voided")]
    OrderNotVoidable {
        order_id: OrderId,
        status: &'static str,
    },
    #[error("order {order_id} is already in live contract {contract_no}")]
    OrderInLiveContract {
        order_id: OrderId,
        contract_no: ContractNo,
    },
    #[error("contract {contract_no} is {status}, not live ({event})")]
    ContractNotLive {
        event: &'static str,
        contract_no: ContractNo,
        status: &'static str,
    },
    #[error("order {order_id} is not one of contract {contract_no}'s orders")]
    OrderNotInContract {
        order_id: OrderId,
        contract_no: ContractNo,
    },
    #[error("order {order_id} is not attached to contract {contract_no}")]
    OrderNotAttached {
        order_id: OrderId,
        contract_no: ContractNo,
    },
    #[error("contract {contract_no} covers {count} orders, not 1 to 200")]
    ContractOrderCount {
        contract_no: ContractNo,
        count: usize,
    },
    #[error("contract {contract_no} lists order {order_id} twice")]
    DuplicateContractOrder {
        contract_no: ContractNo,
        order_id: OrderId,
    },
    #[error("contract {contract_no}: order {order_id} belongs to another customer")]
    OrderOfAnotherCustomer {
        contract_no: ContractNo,
        order_id: OrderId,
    },
    #[error("contract {contract_no}: order {order_id} is {status}, an order contract covers only paid orders")]
    OrderNotPaid {
        contract_no: ContractNo,
        order_id: OrderId,
        status: &'static str,
    },
    #[error("contract {contract_no} is {status}, not a draft")]
    ContractNotDraft {
        contract_no: ContractNo,
        status: &'static str,
    },
    #[error("contract {0} is not a payment-request contract")]
    NotPaymentRequestContract(ContractNo),
    #[error("contract {0} has an unpaid order past its deadline")]
    ContractOverdue(ContractNo),
    #[error("contract {contract_no}: document sealed out of place ({reason})")]
    DocumentSealOutOfPlace {
        contract_no: ContractNo,
        reason: &'static str,
    },
    #[error("contract {contract_no} has no order overdue at {at}")]
    ContractNotOverdue {
        contract_no: ContractNo,
        at: DateTime<Utc>,
    },
    #[error("contract {contract_no}: order {order_id} got no attach event in the same command")]
    ContractOrderNotAttached {
        contract_no: ContractNo,
        order_id: OrderId,
    },
    #[error("an accepted loss of positions {first}..={last} is not a range 1 <= first <= last")]
    InvalidLostRange { first: u64, last: u64 },
    #[error("account {customer_id}: recorded balance {recorded}, the amounts give {expected:?} ({event})")]
    BalanceMismatch {
        event: &'static str,
        customer_id: CustomerId,
        recorded: Money,
        /// `None` when the amounts would make the balance negative.
        expected: Option<Money>,
    },
    #[error("{event} of a zero amount")]
    ZeroAmount { event: &'static str },
    #[error("coupon {coupon_id}: redeemed {amount}, recorded rest {recorded}, it held {held} ({reason})")]
    IllegalRedemption {
        coupon_id: VoucherId,
        amount: Money,
        held: Money,
        recorded: Money,
        reason: &'static str,
    },
    #[error("order {order_id}: voucher {voucher_id} of {amount} has no redemption of that amount in the same command")]
    VoucherNotRedeemed {
        order_id: OrderId,
        voucher_id: VoucherId,
        amount: Money,
    },
    #[error(
        "order {order_id}: the balance debit {debited} is not the payment's cash part {cash:?}"
    )]
    DebitNotCashPart {
        order_id: OrderId,
        debited: Money,
        cash: Option<Money>,
    },
}

impl Violation {
    /// The stable code: part of the API, never renamed.
    pub fn code(&self) -> &'static str {
        use Violation::*;
        match self {
            UnknownActor { .. } => "unknown_actor",
            InvalidLostRange { .. } => "invalid_lost_range",
            ActorNotPermitted { .. } => "actor_not_permitted",
            ActorOfAnotherCustomer { .. } => "actor_of_another_customer",
            AggregateAbsent { .. } => "aggregate_absent",
            AggregateExists { .. } => "aggregate_exists",
            DeductionsExceedPrice { .. } => "deductions_exceed_price",
            AmountDueMismatch { .. } => "amount_due_mismatch",
            DeadlineNotAfterPlacement(_) => "deadline_not_after_order_time",
            OrderNotUnpaid { .. } => "order_not_unpaid",
            DeadlinePassed { .. } => "payment_deadline_passed",
            PaymentAmountMismatch { .. } => "payment_amount_mismatch",
            VouchersExceedPayment(_) => "vouchers_exceed_payment",
            ExpiredBeforeDeadline(_) => "payment_deadline_not_reached",
            OrderNotVoidable { .. } => "order_not_voidable",
            OrderInLiveContract { .. } => "order_in_live_contract",
            ContractNotLive { .. } => "contract_not_live",
            OrderNotInContract { .. } => "order_not_in_contract",
            OrderNotAttached { .. } => "order_not_attached",
            ContractOrderCount { .. } => "contract_order_count",
            DuplicateContractOrder { .. } => "duplicate_contract_order",
            OrderOfAnotherCustomer { .. } => "order_of_another_customer",
            OrderNotPaid { .. } => "order_not_paid",
            ContractNotDraft { .. } => "contract_not_draft",
            NotPaymentRequestContract(_) => "not_payment_request_contract",
            ContractOverdue(_) => "contract_overdue",
            DocumentSealOutOfPlace { .. } => "document_seal_out_of_place",
            ContractNotOverdue { .. } => "contract_not_overdue",
            ContractOrderNotAttached { .. } => "contract_order_not_attached",
            BalanceMismatch { .. } => "balance_mismatch",
            ZeroAmount { .. } => "zero_amount",
            IllegalRedemption { .. } => "illegal_redemption",
            VoucherNotRedeemed { .. } => "voucher_not_redeemed",
            DebitNotCashPart { .. } => "debit_not_cash_part",
        }
    }
}

fn order<'a>(state: &'a State, event: &Event, id: &OrderId) -> Result<&'a PlacedOrder, Violation> {
    state
        .order(id)
        .placed()
        .ok_or_else(|| Violation::AggregateAbsent {
            event: event.name(),
            aggregate: AggregateId::Order(id.clone()),
        })
}

fn contract<'a>(
    state: &'a State,
    event: &Event,
    no: &ContractNo,
) -> Result<&'a AppliedContract, Violation> {
    state
        .contract(no)
        .applied()
        .ok_or_else(|| Violation::AggregateAbsent {
            event: event.name(),
            aggregate: AggregateId::Contract(no.clone()),
        })
}

fn unpaid(event: &Event, o: &PlacedOrder) -> Result<(), Violation> {
    if o.is_unpaid() {
        Ok(())
    } else {
        Err(Violation::OrderNotUnpaid {
            event: event.name(),
            order_id: o.spec().order_id.clone(),
            status: o.status().name(),
        })
    }
}

fn before_deadline(event: &Event, o: &PlacedOrder, at: DateTime<Utc>) -> Result<(), Violation> {
    if at < o.payment_deadline() {
        Ok(())
    } else {
        Err(Violation::DeadlinePassed {
            event: event.name(),
            order_id: o.spec().order_id.clone(),
        })
    }
}

fn live<'a>(
    state: &'a State,
    event: &Event,
    no: &ContractNo,
) -> Result<&'a AppliedContract, Violation> {
    let c = contract(state, event, no)?;
    if c.status().is_live() {
        Ok(c)
    } else {
        Err(Violation::ContractNotLive {
            event: event.name(),
            contract_no: no.clone(),
            status: c.status().name(),
        })
    }
}

/// The customer (tenant) an event concerns, from the event or the state
/// before it; `None` when the aggregate it needs is not loaded. The same
/// derivation the ledger records in each event's metadata.
pub fn tenant(state: &State, event: &Event) -> Option<CustomerId> {
    crate::tenant::tenant(state, event)
}

/// Whether the recorded `actor` (metadata text: `customer:<id>`,
/// `operator:<id>`, `service:<name>`, `system`) could have sent a command
/// that records `event`: by the role table, and a customer only for itself.
pub fn check_actor(state: &State, event: &Event, actor: &str) -> Result<(), Violation> {
    let parsed: Actor = actor.parse().map_err(|_| Violation::UnknownActor {
        actor: actor.to_owned(),
    })?;
    if !crate::roles::may_record(event, &parsed) {
        return Err(Violation::ActorNotPermitted {
            event: event.name(),
            actor: actor.to_owned(),
        });
    }
    if let Actor::Customer(_) = parsed {
        if let Some(customer) = tenant(state, event) {
            if !parsed.may_act_for(&customer) {
                return Err(Violation::ActorOfAnotherCustomer {
                    event: event.name(),
                    actor: actor.to_owned(),
                    customer,
                });
            }
        }
    }
    Ok(())
}

/// Whether `event`, recorded by `actor`, is a transition the domain rules
/// allow from `state` (which must hold the aggregates the event touches and
/// reads: its own, and for contract events the orders and customer they
/// name). The actor is checked first ([`check_actor`]).
pub fn check(state: &State, event: &Event, actor: &str) -> Result<(), Violation> {
    check_actor(state, event, actor)?;
    let own = event.aggregate_id();
    let creates = matches!(
        event,
        Event::OrderPlaced(_)
            | Event::ContractApplied(_)
            | Event::CustomerRegistered(_)
            | Event::TopUpReceived(_)
            | Event::CouponIssued(_)
    );
    let exists = match &own {
        AggregateId::Order(id) => state.order(id).placed().is_some(),
        AggregateId::Contract(no) => state.contract(no).applied().is_some(),
        AggregateId::Customer(id) => state.customer(id).registered().is_some(),
        // The one operations stream exists from the start, and so does
        // every account (with nothing in it).
        AggregateId::Operations | AggregateId::Account(_) => true,
        AggregateId::TopUp(id) => state.top_up(id).received().is_some(),
        AggregateId::Coupon(id) => state.coupon(id).issued().is_some(),
    };
    match (creates, exists) {
        (true, true) => {
            return Err(Violation::AggregateExists {
                event: event.name(),
                aggregate: own,
            })
        }
        (false, false) => {
            return Err(Violation::AggregateAbsent {
                event: event.name(),
                aggregate: own,
            })
        }
        _ => {}
    }

    match event {
        Event::OrderPlaced(e) => {
            let spec = &e.spec;
            if state.customer(&spec.customer_id).registered().is_none() {
                return Err(Violation::AggregateAbsent {
                    event: event.name(),
                    aggregate: AggregateId::Customer(spec.customer_id.clone()),
                });
            }
            let mut due = Some(Money::ZERO);
            for line in &spec.line_items {
                let line_due =
                    line.pricing
                        .amount_due()
                        .ok_or_else(|| Violation::DeductionsExceedPrice {
                            order_id: spec.order_id.clone(),
                            line: line.id.clone(),
                        })?;
                due = due.and_then(|d| d.checked_add(line_due));
            }
            match due {
                Some(d) if d == spec.amount_due => {}
                other => {
                    return Err(Violation::AmountDueMismatch {
                        order_id: spec.order_id.clone(),
                        expected: other.unwrap_or(Money::ZERO),
                        given: spec.amount_due,
                    })
                }
            }
            if e.payment_deadline <= e.placed_at {
                return Err(Violation::DeadlineNotAfterPlacement(spec.order_id.clone()));
            }
        }
        Event::OrderPaid(e) => {
            let o = order(state, event, &e.order_id)?;
            unpaid(event, o)?;
            before_deadline(event, o, e.paid_at)?;
            if e.payment.amount != o.spec().amount_due {
                return Err(Violation::PaymentAmountMismatch {
                    order_id: e.order_id.clone(),
                    due: o.spec().amount_due,
                    paid: e.payment.amount,
                });
            }
            if e.payment.cash_amount().is_none() {
                return Err(Violation::VouchersExceedPayment(e.order_id.clone()));
            }
        }
        Event::OrderCancelled(e) => {
            let o = order(state, event, &e.order_id)?;
            unpaid(event, o)?;
            before_deadline(event, o, e.cancelled_at)?;
        }
        Event::OrderExpired(e) => {
            let o = order(state, event, &e.order_id)?;
            unpaid(event, o)?;
            if e.expired_at < o.payment_deadline() {
                return Err(Violation::ExpiredBeforeDeadline(e.order_id.clone()));
            }
        }
        Event::OrderVoided(e) => {
            let o = order(state, event, &e.order_id)?;
            if !matches!(o.status(), OrderStatus::Unpaid | OrderStatus::Paid { .. }) {
                return Err(Violation::OrderNotVoidable {
                    order_id: e.order_id.clone(),
                    status: o.status().name(),
                });
            }
        }
        Event::OrderAttachedToContract(e) => {
            let o = order(state, event, &e.order_id)?;
            if let Some(current) = o.contract() {
                let current_live = state
                    .contract(current)
                    .applied()
                    .is_none_or(|c| c.status().is_live());
                if current_live {
                    return Err(Violation::OrderInLiveContract {
                        order_id: e.order_id.clone(),
                        contract_no: current.clone(),
                    });
                }
            }
            let c = live(state, event, &e.contract_no)?;
            if !c.orders().iter().any(|co| co.order_id == e.order_id) {
                return Err(Violation::OrderNotInContract {
                    order_id: e.order_id.clone(),
                    contract_no: e.contract_no.clone(),
                });
            }
        }
        Event::OrderReleasedFromContract(e) => {
            let o = order(state, event, &e.order_id)?;
            if o.contract() != Some(&e.contract_no) {
                return Err(Violation::OrderNotAttached {
                    order_id: e.order_id.clone(),
                    contract_no: e.contract_no.clone(),
                });
            }
        }
        Event::ContractApplied(e) => check_applied(state, event, e)?,
        Event::ContractConverted(e) => {
            let c = contract(state, event, &e.contract_no)?;
            if *c.status() != ContractStatus::Draft {
                return Err(Violation::ContractNotDraft {
                    contract_no: e.contract_no.clone(),
                    status: c.status().name(),
                });
            }
            if c.terms().kind() == ContractKind::PaymentRequest
                && contract::overdue_order(state, c, e.converted_at).is_some()
            {
                return Err(Violation::ContractOverdue(e.contract_no.clone()));
            }
        }
        Event::ContractDocumentSealed(e) => {
            let c = contract(state, event, &e.contract_no)?;
            let out_of_place = |reason| Violation::DocumentSealOutOfPlace {
                contract_no: e.contract_no.clone(),
                reason,
            };
            if c.status().converted_at() != Some(e.sealed_at)
                || !matches!(c.status(), ContractStatus::Official { .. })
            {
                return Err(out_of_place("not the conversion's"));
            }
            if c.document().is_some() {
                return Err(out_of_place("already sealed"));
            }
            if !e.seal.is_well_formed() {
                return Err(out_of_place("malformed seal"));
            }
        }
        Event::ContractVoided(e) => {
            live(state, event, &e.contract_no)?;
        }
        Event::ContractInvalidated(e) => {
            let c = live(state, event, &e.contract_no)?;
            if c.terms().kind() != ContractKind::PaymentRequest {
                return Err(Violation::NotPaymentRequestContract(e.contract_no.clone()));
            }
            if contract::overdue_order(state, c, e.invalidated_at).is_none() {
                return Err(Violation::ContractNotOverdue {
                    contract_no: e.contract_no.clone(),
                    at: e.invalidated_at,
                });
            }
        }
        // Existence (checked above) is all these need.
        Event::ContractRemarksEdited(_)
        | Event::CustomerRegistered(_)
        | Event::RealNameCertified(_)
        | Event::RemittanceAccountSet(_) => {}
        Event::LossAccepted(e) => {
            if e.first_position == 0 || e.first_position > e.last_position {
                return Err(Violation::InvalidLostRange {
                    first: e.first_position,
                    last: e.last_position,
                });
            }
        }
        Event::TopUpReceived(e) => {
            registered(state, event, &e.customer_id)?;
            positive(event, e.amount)?;
        }
        Event::AccountCredited(e) => {
            positive(event, e.amount)?;
            let expected = state
                .account(&e.customer_id)
                .balance(e.currency)
                .checked_add(e.amount);
            balance(event, &e.customer_id, e.balance_after, expected)?;
        }
        Event::AccountDebited(e) => {
            positive(event, e.amount)?;
            let expected = state
                .account(&e.customer_id)
                .balance(e.currency)
                .checked_sub(e.amount);
            balance(event, &e.customer_id, e.balance_after, expected)?;
        }
        Event::CouponIssued(e) => {
            registered(state, event, &e.coupon.customer_id)?;
            positive(event, e.coupon.face_value)?;
        }
        Event::CouponRedeemed(e) => check_redeemed(state, event, e)?,
    }
    Ok(())
}

fn registered(state: &State, event: &Event, customer: &CustomerId) -> Result<(), Violation> {
    match state.customer(customer).registered() {
        Some(_) => Ok(()),
        None => Err(Violation::AggregateAbsent {
            event: event.name(),
            aggregate: AggregateId::Customer(customer.clone()),
        }),
    }
}

fn positive(event: &Event, amount: Money) -> Result<(), Violation> {
    if amount.is_zero() {
        Err(Violation::ZeroAmount {
            event: event.name(),
        })
    } else {
        Ok(())
    }
}

fn balance(
    event: &Event,
    customer: &CustomerId,
    recorded: Money,
    expected: Option<Money>,
) -> Result<(), Violation> {
    if expected == Some(recorded) {
        Ok(())
    } else {
        Err(Violation::BalanceMismatch {
            event: event.name(),
            customer_id: customer.clone(),
            recorded,
            expected,
        })
    }
}

fn check_redeemed(
    state: &State,
    event: &Event,
    e: &crate::coupon::CouponRedeemed,
) -> Result<(), Violation> {
    let c = state
        .coupon(&e.coupon_id)
        .issued()
        .expect("existence checked above");
    let illegal = |reason| Violation::IllegalRedemption {
        coupon_id: e.coupon_id.clone(),
        amount: e.amount,
        held: c.balance(),
        recorded: e.balance_after,
        reason,
    };
    positive(event, e.amount)?;
    if c.is_used_up() {
        return Err(illegal("already used"));
    }
    if e.redeemed_at < c.spec().valid_from || e.redeemed_at >= c.spec().valid_until {
        return Err(illegal("outside its validity"));
    }
    let rest = c
        .balance()
        .checked_sub(e.amount)
        .ok_or(illegal("more than it held"))?;
    let expected = if is_single_use(c.spec().kind) {
        Money::ZERO
    } else {
        rest
    };
    if e.balance_after != expected {
        return Err(illegal("wrong rest"));
    }
    let o = order(state, event, &e.order_id)?;
    if o.spec().customer_id != c.spec().customer_id {
        return Err(illegal("another customer's order"));
    }
    Ok(())
}

fn check_applied(
    state: &State,
    event: &Event,
    e: &contract::ContractApplied,
) -> Result<(), Violation> {
    let count = e.orders.len();
    if count == 0 || count > MAX_CONTRACT_ORDERS {
        return Err(Violation::ContractOrderCount {
            contract_no: e.contract_no.clone(),
            count,
        });
    }
    if state.customer(&e.customer_id).registered().is_none() {
        return Err(Violation::AggregateAbsent {
            event: event.name(),
            aggregate: AggregateId::Customer(e.customer_id.clone()),
        });
    }
    let mut seen = HashSet::with_capacity(count);
    for co in &e.orders {
        if !seen.insert(&co.order_id) {
            return Err(Violation::DuplicateContractOrder {
                contract_no: e.contract_no.clone(),
                order_id: co.order_id.clone(),
            });
        }
        let o = order(state, event, &co.order_id)?;
        if o.spec().customer_id != e.customer_id {
            return Err(Violation::OrderOfAnotherCustomer {
                contract_no: e.contract_no.clone(),
                order_id: co.order_id.clone(),
            });
        }
        match e.terms.kind() {
            ContractKind::Order => {
                if !o.is_paid() {
                    return Err(Violation::OrderNotPaid {
                        contract_no: e.contract_no.clone(),
                        order_id: co.order_id.clone(),
                        status: o.status().name(),
                    });
                }
            }
            ContractKind::PaymentRequest => {
                unpaid(event, o)?;
                before_deadline(event, o, e.applied_at)?;
            }
        }
    }
    Ok(())
}

/// Every voucher of a payment is a coupon redeemed by the same command for
/// its amount, and a balance debit for an order is its payment's cash part.
fn check_payments(events: &[Event]) -> Result<(), Violation> {
    for event in events {
        let Event::OrderPaid(paid) = event else {
            continue;
        };
        for v in &paid.payment.vouchers {
            let redeemed = events.iter().any(|e| {
                matches!(e, Event::CouponRedeemed(r)
                    if r.coupon_id == v.voucher_id && r.order_id == paid.order_id && r.amount == v.amount)
            });
            if !redeemed {
                return Err(Violation::VoucherNotRedeemed {
                    order_id: paid.order_id.clone(),
                    voucher_id: v.voucher_id.clone(),
                    amount: v.amount,
                });
            }
        }
        for e in events {
            if let Event::AccountDebited(d) = e {
                let cash = paid.payment.cash_amount();
                if d.order_id == paid.order_id && Some(d.amount) != cash {
                    return Err(Violation::DebitNotCashPart {
                        order_id: paid.order_id.clone(),
                        debited: d.amount,
                        cash,
                    });
                }
            }
        }
    }
    Ok(())
}

/// Legality of one command's events taken together (the records of one
/// append, in log order), beyond what [`check`] sees one event at a time:
/// every `ContractApplied` has, in the same command, an
/// `OrderAttachedToContract` for that contract and each of its orders.
/// Without it a forged second live contract over an order would pass
/// [`check`], since "at most one live contract per order" is kept on the
/// order's stream by the attach event.
pub fn check_command(events: &[Event]) -> Result<(), Violation> {
    let attached: HashSet<(&ContractNo, &OrderId)> = events
        .iter()
        .filter_map(|e| match e {
            Event::OrderAttachedToContract(a) => Some((&a.contract_no, &a.order_id)),
            _ => None,
        })
        .collect();
    check_payments(events)?;
    for event in events {
        if let Event::ContractApplied(applied) = event {
            for co in &applied.orders {
                if !attached.contains(&(&applied.contract_no, &co.order_id)) {
                    return Err(Violation::ContractOrderNotAttached {
                        contract_no: applied.contract_no.clone(),
                        order_id: co.order_id.clone(),
                    });
                }
            }
        }
    }
    Ok(())
}
