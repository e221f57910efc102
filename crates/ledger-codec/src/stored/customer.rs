//! The customer's values as stored (real name, remittance account: also
//! carried by contract events).

use serde::{Deserialize, Serialize};

use ledger_domain::customer as domain;

use super::catalog::CertificationKind;

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
        RealName {
            name: r.name.clone(),
            kind: r.kind.into(),
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
        RemittanceAccount {
            bank_name: a.bank_name.clone(),
            account_name: a.account_name.clone(),
            account_number: a.account_number.clone(),
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
