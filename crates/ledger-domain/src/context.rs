//! What a decision knows besides state and command: when, and who.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};

use crate::error::DomainError;
use crate::ids::{CustomerId, OperatorId, ServiceName};

/// Injected by the caller: the domain never reads a clock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    /// The command's effective time. The timer passes the deadline itself.
    pub time: DateTime<Utc>,
    pub actor: Actor,
}

/// Who sends a command.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Actor {
    /// A customer acting on its own account only.
    Customer(CustomerId),
    /// A billing-center operator (e.g. handling a ticket).
    Operator(OperatorId),
    /// An upstream service (purchase, payment, identity) acting for any customer.
    Service(ServiceName),
    /// The ledger itself (timers).
    System,
}

impl Actor {
    /// A customer may act only on its own account; everyone else but the
    /// system may act for any customer.
    pub fn may_act_for(&self, customer: &CustomerId) -> bool {
        match self {
            Actor::Customer(me) => me == customer,
            Actor::Operator(_) | Actor::Service(_) => true,
            Actor::System => false,
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Customer(id) => write!(f, "customer:{id}"),
            Actor::Operator(id) => write!(f, "operator:{id}"),
            Actor::Service(name) => write!(f, "service:{name}"),
            Actor::System => f.write_str("system"),
        }
    }
}

impl FromStr for Actor {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once(':') {
            None if s == "system" => Ok(Actor::System),
            Some(("customer", id)) => Ok(Actor::Customer(id.parse()?)),
            Some(("operator", id)) => Ok(Actor::Operator(id.parse()?)),
            Some(("service", name)) => Ok(Actor::Service(name.parse()?)),
            _ => Err(DomainError::InvalidId {
                kind: "actor",
                reason: "must be customer:, operator:, service: or system",
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_round_trip_through_text() {
        for text in [
            "customer:d75298",
            "operator:ops-1",
            "service:purchase",
            "system",
        ] {
            assert_eq!(text.parse::<Actor>().unwrap().to_string(), text);
        }
        assert!("robot:x".parse::<Actor>().is_err());
    }
}
