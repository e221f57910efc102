//! The customer, account and operations events as stored (the aggregates
//! about a customer and about the log), and the real name and remittance
//! account that contract events carry too.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use ledger_domain::customer as domain;
use ledger_domain::{account, operations};

use super::catalog::CertificationKind;
use super::{currency, parse};
use crate::CodecError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RealName {
    pub name: String,
    pub kind: CertificationKind,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemittanceAccount {
    pub bank_name: String,
    pub account_name: String,
    pub account_number: String,
}

impl From<&domain::RealName> for RealName {
    fn from(r: &domain::RealName) -> Self {
        let domain::RealName { name, kind } = r;
        RealName {
            name: name.clone(),
            kind: kind.into(),
        }
    }
}

impl From<RealName> for domain::RealName {
    fn from(r: RealName) -> Self {
        domain::RealName {
            name: r.name,
            kind: r.kind.into(),
        }
    }
}

impl From<&domain::RemittanceAccount> for RemittanceAccount {
    fn from(a: &domain::RemittanceAccount) -> Self {
        let domain::RemittanceAccount {
            bank_name,
            account_name,
            account_number,
        } = a;
        RemittanceAccount {
            bank_name: bank_name.clone(),
            account_name: account_name.clone(),
            account_number: account_number.clone(),
        }
    }
}

impl From<RemittanceAccount> for domain::RemittanceAccount {
    fn from(a: RemittanceAccount) -> Self {
        domain::RemittanceAccount {
            bank_name: a.bank_name,
            account_name: a.account_name,
            account_number: a.account_number,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerRegisteredV1 {
    pub customer_id: String,
    pub name: String,
    pub registered_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RealNameCertifiedV1 {
    pub customer_id: String,
    pub real_name: RealName,
    pub certified_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemittanceAccountSetV1 {
    pub customer_id: String,
    pub account: RemittanceAccount,
    pub set_at: DateTime<Utc>,
}

/// The operations stream's one event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LossAcceptedV1 {
    pub first_position: u64,
    pub last_position: u64,
    pub head_position: u64,
    pub reason: String,
    pub record_sha256: String,
    pub accepted_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopUpReceivedV1 {
    pub top_up_id: String,
    pub customer_id: String,
    pub amount: String,
    pub currency: String,
    pub received_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountCreditedV1 {
    pub customer_id: String,
    pub top_up_id: String,
    pub amount: String,
    pub currency: String,
    pub balance_after: String,
    pub credited_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDebitedV1 {
    pub customer_id: String,
    pub order_id: String,
    pub amount: String,
    pub currency: String,
    pub balance_after: String,
    pub debited_at: DateTime<Utc>,
}

// ---- Domain to stored -------------------------------------------------------

impl From<&domain::CustomerRegistered> for CustomerRegisteredV1 {
    fn from(e: &domain::CustomerRegistered) -> Self {
        let domain::CustomerRegistered {
            customer_id,
            name,
            registered_at,
        } = e;
        CustomerRegisteredV1 {
            customer_id: customer_id.to_string(),
            name: name.clone(),
            registered_at: *registered_at,
        }
    }
}

impl From<&domain::RealNameCertified> for RealNameCertifiedV1 {
    fn from(e: &domain::RealNameCertified) -> Self {
        let domain::RealNameCertified {
            customer_id,
            real_name,
            certified_at,
        } = e;
        RealNameCertifiedV1 {
            customer_id: customer_id.to_string(),
            real_name: real_name.into(),
            certified_at: *certified_at,
        }
    }
}

impl From<&domain::RemittanceAccountSet> for RemittanceAccountSetV1 {
    fn from(e: &domain::RemittanceAccountSet) -> Self {
        let domain::RemittanceAccountSet {
            customer_id,
            account,
            set_at,
        } = e;
        RemittanceAccountSetV1 {
            customer_id: customer_id.to_string(),
            account: account.into(),
            set_at: *set_at,
        }
    }
}

impl From<&operations::LossAccepted> for LossAcceptedV1 {
    fn from(e: &operations::LossAccepted) -> Self {
        let operations::LossAccepted {
            first_position,
            last_position,
            head_position,
            reason,
            record_sha256,
            accepted_at,
        } = e;
        LossAcceptedV1 {
            first_position: *first_position,
            last_position: *last_position,
            head_position: *head_position,
            reason: reason.clone(),
            record_sha256: record_sha256.clone(),
            accepted_at: *accepted_at,
        }
    }
}

impl From<&account::TopUpReceived> for TopUpReceivedV1 {
    fn from(e: &account::TopUpReceived) -> Self {
        let account::TopUpReceived {
            top_up_id,
            customer_id,
            amount,
            currency,
            received_at,
        } = e;
        TopUpReceivedV1 {
            top_up_id: top_up_id.to_string(),
            customer_id: customer_id.to_string(),
            amount: amount.to_string(),
            currency: currency.to_string(),
            received_at: *received_at,
        }
    }
}

impl From<&account::AccountCredited> for AccountCreditedV1 {
    fn from(e: &account::AccountCredited) -> Self {
        let account::AccountCredited {
            customer_id,
            top_up_id,
            amount,
            currency,
            balance_after,
            credited_at,
        } = e;
        AccountCreditedV1 {
            customer_id: customer_id.to_string(),
            top_up_id: top_up_id.to_string(),
            amount: amount.to_string(),
            currency: currency.to_string(),
            balance_after: balance_after.to_string(),
            credited_at: *credited_at,
        }
    }
}

impl From<&account::AccountDebited> for AccountDebitedV1 {
    fn from(e: &account::AccountDebited) -> Self {
        let account::AccountDebited {
            customer_id,
            order_id,
            amount,
            currency,
            balance_after,
            debited_at,
        } = e;
        AccountDebitedV1 {
            customer_id: customer_id.to_string(),
            order_id: order_id.to_string(),
            amount: amount.to_string(),
            currency: currency.to_string(),
            balance_after: balance_after.to_string(),
            debited_at: *debited_at,
        }
    }
}

// ---- Stored to domain -------------------------------------------------------

impl TryFrom<CustomerRegisteredV1> for domain::CustomerRegistered {
    type Error = CodecError;
    fn try_from(e: CustomerRegisteredV1) -> Result<Self, CodecError> {
        Ok(domain::CustomerRegistered {
            customer_id: parse(&e.customer_id)?,
            name: e.name,
            registered_at: e.registered_at,
        })
    }
}

impl TryFrom<RealNameCertifiedV1> for domain::RealNameCertified {
    type Error = CodecError;
    fn try_from(e: RealNameCertifiedV1) -> Result<Self, CodecError> {
        Ok(domain::RealNameCertified {
            customer_id: parse(&e.customer_id)?,
            real_name: e.real_name.into(),
            certified_at: e.certified_at,
        })
    }
}

impl TryFrom<RemittanceAccountSetV1> for domain::RemittanceAccountSet {
    type Error = CodecError;
    fn try_from(e: RemittanceAccountSetV1) -> Result<Self, CodecError> {
        Ok(domain::RemittanceAccountSet {
            customer_id: parse(&e.customer_id)?,
            account: e.account.into(),
            set_at: e.set_at,
        })
    }
}

impl TryFrom<LossAcceptedV1> for operations::LossAccepted {
    type Error = CodecError;
    fn try_from(e: LossAcceptedV1) -> Result<Self, CodecError> {
        Ok(operations::LossAccepted {
            first_position: e.first_position,
            last_position: e.last_position,
            head_position: e.head_position,
            reason: e.reason,
            record_sha256: e.record_sha256,
            accepted_at: e.accepted_at,
        })
    }
}

impl TryFrom<TopUpReceivedV1> for account::TopUpReceived {
    type Error = CodecError;
    fn try_from(e: TopUpReceivedV1) -> Result<Self, CodecError> {
        Ok(account::TopUpReceived {
            top_up_id: parse(&e.top_up_id)?,
            customer_id: parse(&e.customer_id)?,
            amount: parse(&e.amount)?,
            currency: currency(&e.currency)?,
            received_at: e.received_at,
        })
    }
}

impl TryFrom<AccountCreditedV1> for account::AccountCredited {
    type Error = CodecError;
    fn try_from(e: AccountCreditedV1) -> Result<Self, CodecError> {
        Ok(account::AccountCredited {
            customer_id: parse(&e.customer_id)?,
            top_up_id: parse(&e.top_up_id)?,
            amount: parse(&e.amount)?,
            currency: currency(&e.currency)?,
            balance_after: parse(&e.balance_after)?,
            credited_at: e.credited_at,
        })
    }
}

impl TryFrom<AccountDebitedV1> for account::AccountDebited {
    type Error = CodecError;
    fn try_from(e: AccountDebitedV1) -> Result<Self, CodecError> {
        Ok(account::AccountDebited {
            customer_id: parse(&e.customer_id)?,
            order_id: parse(&e.order_id)?,
            amount: parse(&e.amount)?,
            currency: currency(&e.currency)?,
            balance_after: parse(&e.balance_after)?,
            debited_at: e.debited_at,
        })
    }
}
