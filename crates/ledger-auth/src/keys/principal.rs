//! Who a key speaks for: access key ids, roles and principals.

use std::fmt;
use std::str::FromStr;

use ledger_domain::context::Actor;
use ledger_domain::ids::{CustomerId, OperatorId, ServiceName};
use ledger_domain::DomainError;
use serde::{Deserialize, Deserializer, Serialize};

/// Length of an access key id.
pub const ACCESS_KEY_LEN: usize = 20;

/// An access key id (AK): 20 upper-case ASCII letters and digits, e.g.
/// `AKX3K7Q2M4N5P6R7S2T3`. Not a secret.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct AccessKeyId(String);

/// Why a text is not an access key id.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("access key id must be 20 upper-case letters and digits")]
pub struct InvalidAccessKeyId;

impl AccessKeyId {
    /// Validates and wraps an access key id.
    pub fn new(value: impl Into<String>) -> Result<Self, InvalidAccessKeyId> {
        let value = value.into();
        let valid = value.len() == ACCESS_KEY_LEN
            && value
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if valid {
            Ok(Self(value))
        } else {
            Err(InvalidAccessKeyId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccessKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for AccessKeyId {
    type Err = InvalidAccessKeyId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl<'de> Deserialize<'de> for AccessKeyId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// What a key may do. Serialized as `{"role":"customer","domain_id":"..."}`,
/// `{"role":"operator"}` or `{"role":"service"}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "lowercase", deny_unknown_fields)]
pub enum Role {
    /// A customer, acting on its own account (Huawei's domain id) only.
    Customer { domain_id: CustomerId },
    /// A billing-center operator, acting for any customer.
    Operator,
    /// An upstream service (purchase, payment, identity), for any customer.
    Service,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Role::Customer { domain_id } => write!(f, "customer:{domain_id}"),
            Role::Operator => f.write_str("operator"),
            Role::Service => f.write_str("service"),
        }
    }
}

/// An authenticated caller: the key it used and the role that key has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    access_key: AccessKeyId,
    role: Role,
    actor: Actor,
}

impl Principal {
    /// The principal of key `access_key` with `role`. Operators and services
    /// are named by their access key id (as an [`OperatorId`] or
    /// [`ServiceName`]), so the log records which key acted.
    pub fn new(access_key: AccessKeyId, role: Role) -> Result<Self, DomainError> {
        let actor = match &role {
            Role::Customer { domain_id } => Actor::Customer(domain_id.clone()),
            Role::Operator => Actor::Operator(access_key.as_str().parse::<OperatorId>()?),
            Role::Service => Actor::Service(access_key.as_str().parse::<ServiceName>()?),
        };
        Ok(Self {
            access_key,
            role,
            actor,
        })
    }

    pub fn access_key(&self) -> &AccessKeyId {
        &self.access_key
    }

    pub fn role(&self) -> &Role {
        &self.role
    }

    /// The actor commands from this principal run as.
    pub fn actor(&self) -> Actor {
        self.actor.clone()
    }

    /// A customer key may reach only its own account; operator and service
    /// keys reach any.
    pub fn may_access(&self, customer: &CustomerId) -> bool {
        match &self.role {
            Role::Customer { domain_id } => domain_id == customer,
            Role::Operator | Role::Service => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ak() -> AccessKeyId {
        "AKTEST00000000000001".parse().unwrap()
    }

    #[test]
    fn access_key_ids_are_twenty_upper_alnum() {
        assert!(AccessKeyId::new("AKTEST00000000000001").is_ok());
        for bad in [
            "",
            "AKTEST0000000000001",
            "AKTEST000000000000001",
            "akTEST00000000000001",
            "AKTEST0000000000000-",
        ] {
            assert_eq!(AccessKeyId::new(bad), Err(InvalidAccessKeyId), "{bad}");
        }
    }

    #[test]
    fn roles_serialize_tagged() {
        let customer = Role::Customer {
            domain_id: "d75298".parse().unwrap(),
        };
        let json = serde_json::to_string(&customer).unwrap();
        assert_eq!(json, r#"{"role":"customer","domain_id":"d75298"}"#);
        assert_eq!(serde_json::from_str::<Role>(&json).unwrap(), customer);
        assert_eq!(
            serde_json::to_string(&Role::Operator).unwrap(),
            r#"{"role":"operator"}"#
        );
        assert_eq!(
            serde_json::from_str::<Role>(r#"{"role":"service"}"#).unwrap(),
            Role::Service
        );
        assert!(serde_json::from_str::<Role>(r#"{"role":"customer","domain_id":"a b"}"#).is_err());
        assert!(serde_json::from_str::<Role>(r#"{"role":"root"}"#).is_err());
    }

    #[test]
    fn principals_map_to_actors_and_scope_customers() {
        let mine: CustomerId = "d75298".parse().unwrap();
        let other: CustomerId = "d00001".parse().unwrap();
        let customer = Principal::new(
            ak(),
            Role::Customer {
                domain_id: mine.clone(),
            },
        )
        .unwrap();
        assert_eq!(customer.actor(), Actor::Customer(mine.clone()));
        assert!(customer.may_access(&mine));
        assert!(!customer.may_access(&other));

        let operator = Principal::new(ak(), Role::Operator).unwrap();
        assert_eq!(
            operator.actor().to_string(),
            "operator:AKTEST00000000000001"
        );
        assert!(operator.may_access(&other));

        let service = Principal::new(ak(), Role::Service).unwrap();
        assert_eq!(service.actor().to_string(), "service:AKTEST00000000000001");
        assert!(service.may_access(&other));
    }
}
