//! Who is calling: bearer tokens and SDK-HMAC-SHA256 signatures, checked
//! against the key store. (Placeholder until ledger-auth lands.)

use chrono::{DateTime, Utc};
use ledger_domain::context::Actor;
use ledger_domain::ids::CustomerId;

use crate::errors::ApiError;

/// An authenticated caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub access_key: String,
    pub actor: Actor,
}

impl Caller {
    /// Whether the caller may read or act on this customer's data.
    pub fn may_access(&self, customer: &CustomerId) -> bool {
        self.actor.may_act_for(customer)
    }

    /// The caller's own domain, for customers.
    pub fn customer(&self) -> Option<&CustomerId> {
        match &self.actor {
            Actor::Customer(id) => Some(id),
            _ => None,
        }
    }

    pub fn is_operator(&self) -> bool {
        matches!(self.actor, Actor::Operator(_))
    }

    /// Refuses access to another customer's data.
    pub fn check_access(&self, customer: &CustomerId) -> Result<(), ApiError> {
        if self.may_access(customer) {
            Ok(())
        } else {
            Err(ApiError::access_denied(format!(
                "{} may not access customer {customer}",
                self.access_key
            )))
        }
    }
}

/// The parts of an HTTP request a signature covers.
pub struct SignedParts<'a> {
    pub method: &'a str,
    pub raw_path: &'a str,
    pub raw_query: Option<&'a str>,
    pub headers: Vec<(String, String)>,
    pub body: &'a [u8],
}

/// The key store, as the server uses it.
pub struct Keys {}

impl Keys {
    pub fn open(_path: &std::path::Path) -> Result<Keys, ApiError> {
        Ok(Keys {})
    }

    pub fn by_token(&self, _token: &str) -> Result<Caller, ApiError> {
        Err(ApiError::unauthenticated("unknown token"))
    }

    pub fn by_signature(
        &self,
        _authorization: &str,
        _parts: &SignedParts<'_>,
        _now: DateTime<Utc>,
    ) -> Result<Caller, ApiError> {
        Err(ApiError::unauthenticated("bad signature"))
    }
}
