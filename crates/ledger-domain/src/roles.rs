//! Who may send what: the one role table of the ledger.
//!
//! [`permitted`] is an exhaustive `match` over [`CommandKind`] (generated
//! with [`Command`] itself), so a new command does not compile without a
//! row. [`check`] runs at the top of [`crate::decide`], so every face (gRPC,
//! Huawei REST, /v1) gets the same answer; [`may_record`] derives the event
//! side from the same table for `audit verify`'s legality replay.
//!
//! The table says which *kinds* of actor may send a command. Which customer
//! a customer may act for ([`Actor::may_act_for`]: only itself) is checked
//! by each decider against the aggregates it loads.
//!
//! | command | customer | service | operator | system |
//! |---|---|---|---|---|
//! | PlaceOrder, VoidOrder | | yes | yes | |
//! | PayOrder (external payment channel) | | yes | | |
//! | CancelOrder | yes | yes | | |
//! | ExpireOrder, InvalidateContract | | | | yes |
//! | ApplyContract, ConvertContract, EditContractRemarks | yes | yes | | |
//! | VoidContract (official: operator only, see the decider) | yes | yes | yes | |
//! | RegisterCustomer, CertifyRealName, SetRemittanceAccount | | yes | yes | |
//! | AcceptLoss (of acknowledged log positions) | | | yes | |
//! | CreditAccount (a top-up: money arrived) | | yes | | |
//! | IssueCoupon | | yes | yes | |
//! | PayOrderFromBalance (own balance and coupons) | yes | yes | | |

use std::fmt;

use crate::context::Actor;
use crate::error::DomainError;
use crate::state::{Command, CommandKind, Event};

/// The kind of an [`Actor`], without its identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ActorKind {
    Customer,
    Service,
    Operator,
    System,
}

impl ActorKind {
    pub fn of(actor: &Actor) -> ActorKind {
        match actor {
            Actor::Customer(_) => ActorKind::Customer,
            Actor::Service(_) => ActorKind::Service,
            Actor::Operator(_) => ActorKind::Operator,
            Actor::System => ActorKind::System,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ActorKind::Customer => "customer",
            ActorKind::Service => "service",
            ActorKind::Operator => "operator",
            ActorKind::System => "system",
        }
    }
}

impl fmt::Display for ActorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

use ActorKind::{Customer, Operator, Service, System};

const SERVICE_OR_OPERATOR: &[ActorKind] = &[Service, Operator];
const SERVICE_ONLY: &[ActorKind] = &[Service];
const CUSTOMER_OR_SERVICE: &[ActorKind] = &[Customer, Service];
const CUSTOMER_SERVICE_OR_OPERATOR: &[ActorKind] = &[Customer, Service, Operator];
const SYSTEM_ONLY: &[ActorKind] = &[System];
const OPERATOR_ONLY: &[ActorKind] = &[Operator];

/// The row of one kind of command: the actor kinds that may send it.
pub fn permitted_kind(kind: CommandKind) -> &'static [ActorKind] {
    match kind {
        CommandKind::PlaceOrder => SERVICE_OR_OPERATOR,
        // The payment channel: only the payment service knows money arrived.
        // Operators may not: an operator's say-so is no payment, and a
        // mistaken payment is corrected by VoidOrder, not by another payment.
        CommandKind::PayOrder => SERVICE_ONLY,
        CommandKind::CancelOrder => CUSTOMER_OR_SERVICE,
        CommandKind::VoidOrder => SERVICE_OR_OPERATOR,
        CommandKind::ExpireOrder => SYSTEM_ONLY,
        CommandKind::ApplyContract => CUSTOMER_OR_SERVICE,
        CommandKind::ConvertContract => CUSTOMER_OR_SERVICE,
        CommandKind::VoidContract => CUSTOMER_SERVICE_OR_OPERATOR,
        CommandKind::EditContractRemarks => CUSTOMER_OR_SERVICE,
        CommandKind::InvalidateContract => SYSTEM_ONLY,
        CommandKind::RegisterCustomer => SERVICE_OR_OPERATOR,
        CommandKind::CertifyRealName => SERVICE_OR_OPERATOR,
        CommandKind::SetRemittanceAccount => SERVICE_OR_OPERATOR,
        // Only a person answerable for the log says that part of it is gone.
        CommandKind::AcceptLoss => OPERATOR_ONLY,
        // Like PayOrder: only the payment channel knows money arrived.
        CommandKind::CreditAccount => SERVICE_ONLY,
        CommandKind::IssueCoupon => SERVICE_OR_OPERATOR,
        // The customer spends its own money (or a service for it); an
        // operator may not spend a customer's balance.
        CommandKind::PayOrderFromBalance => CUSTOMER_OR_SERVICE,
    }
}

/// The actor kinds that may send `command`.
pub fn permitted(command: &Command) -> &'static [ActorKind] {
    permitted_kind(command.kind())
}

/// Refuses a command its actor's kind may not send.
pub fn check(command: &Command, actor: &Actor) -> Result<(), DomainError> {
    if permitted(command).contains(&ActorKind::of(actor)) {
        Ok(())
    } else {
        Err(DomainError::ActorNotPermitted {
            command: command.name(),
            actor: actor.to_string(),
        })
    }
}

/// The commands whose decisions record `event`.
pub fn recorded_by(event: &Event) -> &'static [CommandKind] {
    use CommandKind as C;
    match event {
        Event::OrderPlaced(_) => &[C::PlaceOrder],
        Event::OrderPaid(_) => &[C::PayOrder, C::PayOrderFromBalance],
        Event::OrderCancelled(_) => &[C::CancelOrder],
        Event::OrderExpired(_) => &[C::ExpireOrder],
        Event::OrderVoided(_) => &[C::VoidOrder],
        Event::OrderAttachedToContract(_) => &[C::ApplyContract],
        Event::OrderReleasedFromContract(_) => &[C::VoidContract, C::InvalidateContract],
        Event::ContractApplied(_) => &[C::ApplyContract],
        Event::ContractConverted(_) | Event::ContractDocumentSealed(_) => &[C::ConvertContract],
        Event::ContractVoided(_) => &[C::VoidContract],
        Event::ContractRemarksEdited(_) => &[C::EditContractRemarks],
        Event::ContractInvalidated(_) => &[C::InvalidateContract],
        Event::CustomerRegistered(_) => &[C::RegisterCustomer],
        Event::RealNameCertified(_) => &[C::CertifyRealName],
        Event::RemittanceAccountSet(_) => &[C::SetRemittanceAccount],
        Event::LossAccepted(_) => &[C::AcceptLoss],
        Event::TopUpReceived(_) | Event::AccountCredited(_) => &[C::CreditAccount],
        Event::AccountDebited(_) => &[C::PayOrderFromBalance],
        Event::CouponIssued(_) => &[C::IssueCoupon],
        Event::CouponRedeemed(_) => &[C::PayOrder, C::PayOrderFromBalance],
    }
}

/// Whether some command `actor`'s kind may send could have recorded `event`.
pub fn may_record(event: &Event, actor: &Actor) -> bool {
    let kind = ActorKind::of(actor);
    recorded_by(event)
        .iter()
        .any(|c| permitted_kind(*c).contains(&kind))
}
