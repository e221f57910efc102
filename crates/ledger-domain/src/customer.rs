//! The customer aggregate: one stream per domain id. Holds what contracts
//! need: the real-name certification (Party A) and the exclusive remittance
//! account (payment-request contracts).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::context::Context;
use crate::error::{check_text, DomainError};
use crate::ids::CustomerId;
use crate::Event;

const MAX_NAME_CHARS: usize = 256;
const MAX_ACCOUNT_CHARS: usize = 128;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CertificationKind {
    Personal,
    Enterprise,
}

/// A real-name certification: Party A of every contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RealName {
    pub name: String,
    pub kind: CertificationKind,
}

/// The customer's exclusive remittance account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemittanceAccount {
    pub bank_name: String,
    pub account_name: String,
    pub account_number: String,
}

// ---- Commands ---------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterCustomer {
    pub customer_id: CustomerId,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertifyRealName {
    pub customer_id: CustomerId,
    pub real_name: RealName,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetRemittanceAccount {
    pub customer_id: CustomerId,
    pub account: RemittanceAccount,
}

// ---- Events -----------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerRegistered {
    pub customer_id: CustomerId,
    pub name: String,
    pub registered_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RealNameCertified {
    pub customer_id: CustomerId,
    pub real_name: RealName,
    pub certified_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemittanceAccountSet {
    pub customer_id: CustomerId,
    pub account: RemittanceAccount,
    pub set_at: DateTime<Utc>,
}

// ---- State ------------------------------------------------------------------

/// A customer's state. `Absent` is the initial state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Customer {
    #[default]
    Absent,
    Registered(RegisteredCustomer),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisteredCustomer {
    customer_id: CustomerId,
    name: String,
    registered_at: DateTime<Utc>,
    real_name: Option<RealName>,
    remittance_account: Option<RemittanceAccount>,
}

impl RegisteredCustomer {
    pub fn customer_id(&self) -> &CustomerId {
        &self.customer_id
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn registered_at(&self) -> DateTime<Utc> {
        self.registered_at
    }
    pub fn real_name(&self) -> Option<&RealName> {
        self.real_name.as_ref()
    }
    pub fn remittance_account(&self) -> Option<&RemittanceAccount> {
        self.remittance_account.as_ref()
    }
}

impl Customer {
    pub fn registered(&self) -> Option<&RegisteredCustomer> {
        match self {
            Customer::Absent => None,
            Customer::Registered(c) => Some(c),
        }
    }

    pub fn evolve(self, event: &Event) -> Customer {
        match (self, event) {
            (Customer::Absent, Event::CustomerRegistered(e)) => {
                Customer::Registered(RegisteredCustomer {
                    customer_id: e.customer_id.clone(),
                    name: e.name.clone(),
                    registered_at: e.registered_at,
                    real_name: None,
                    remittance_account: None,
                })
            }
            (Customer::Registered(mut c), Event::RealNameCertified(e)) => {
                c.real_name = Some(e.real_name.clone());
                Customer::Registered(c)
            }
            (Customer::Registered(mut c), Event::RemittanceAccountSet(e)) => {
                c.remittance_account = Some(e.account.clone());
                Customer::Registered(c)
            }
            (_, e) => panic!("{} cannot apply to this customer state", e.name()),
        }
    }
}

fn registered<'a>(
    customer: &'a Customer,
    id: &CustomerId,
) -> Result<&'a RegisteredCustomer, DomainError> {
    customer
        .registered()
        .ok_or_else(|| DomainError::CustomerNotFound(id.clone()))
}

/// RegisterCustomer: once per domain id.
pub fn register(
    customer: &Customer,
    cmd: &RegisterCustomer,
    ctx: &Context,
) -> Result<Vec<Event>, DomainError> {
    check_text("customer name", &cmd.name, MAX_NAME_CHARS)?;
    if let Customer::Registered(c) = customer {
        return if c.name == cmd.name {
            Ok(vec![])
        } else {
            Err(DomainError::CustomerAlreadyRegistered(
                cmd.customer_id.clone(),
            ))
        };
    }
    Ok(vec![Event::CustomerRegistered(CustomerRegistered {
        customer_id: cmd.customer_id.clone(),
        name: cmd.name.clone(),
        registered_at: ctx.time,
    })])
}

/// CertifyRealName: records (or replaces) the certified real name.
pub fn certify(
    customer: &Customer,
    cmd: &CertifyRealName,
    ctx: &Context,
) -> Result<Vec<Event>, DomainError> {
    let c = registered(customer, &cmd.customer_id)?;
    check_text("real name", &cmd.real_name.name, MAX_NAME_CHARS)?;
    if c.real_name.as_ref() == Some(&cmd.real_name) {
        return Ok(vec![]);
    }
    Ok(vec![Event::RealNameCertified(RealNameCertified {
        customer_id: cmd.customer_id.clone(),
        real_name: cmd.real_name.clone(),
        certified_at: ctx.time,
    })])
}

/// SetRemittanceAccount: records (or replaces) the exclusive remittance account.
pub fn set_remittance_account(
    customer: &Customer,
    cmd: &SetRemittanceAccount,
    ctx: &Context,
) -> Result<Vec<Event>, DomainError> {
    let c = registered(customer, &cmd.customer_id)?;
    let a = &cmd.account;
    check_text("bank name", &a.bank_name, MAX_ACCOUNT_CHARS)?;
    check_text("account name", &a.account_name, MAX_ACCOUNT_CHARS)?;
    check_text("account number", &a.account_number, MAX_ACCOUNT_CHARS)?;
    if !a
        .account_number
        .chars()
        .all(|ch| ch.is_ascii_alphanumeric() || ch == ' ' || ch == '-')
    {
        return Err(DomainError::InvalidText {
            field: "account number",
            reason: "may contain only letters, digits, spaces and '-'",
        });
    }
    if c.remittance_account.as_ref() == Some(a) {
        return Ok(vec![]);
    }
    Ok(vec![Event::RemittanceAccountSet(RemittanceAccountSet {
        customer_id: cmd.customer_id.clone(),
        account: a.clone(),
        set_at: ctx.time,
    })])
}
