//! Who is calling: bearer tokens and SDK-HMAC-SHA256 signatures, checked
//! against the key store (`ledger-auth`).

use chrono::{DateTime, Utc};
use ledger_domain::context::Actor;
use ledger_domain::ids::CustomerId;

use ledger_auth::signing::{parse_authorization, verify};
use ledger_auth::{KeyStore, KeyStoreError, Principal, Refusal, SignedRequest};

use crate::errors::ApiError;

/// The span of one authentication (`auth`): the key and actor it found,
/// and `outcome` (`ok` or the error code). `face` is `grpc` or `http`.
pub(crate) fn auth_span(face: &'static str) -> tracing::Span {
    tracing::info_span!(
        "auth",
        face,
        access_key = tracing::field::Empty,
        actor = tracing::field::Empty,
        outcome = tracing::field::Empty,
    )
}

/// Records an authentication's result on its [`auth_span`].
pub(crate) fn record_auth(span: &tracing::Span, result: &Result<Caller, ApiError>) {
    match result {
        Ok(caller) => {
            span.record("access_key", caller.access_key.as_str());
            span.record("actor", tracing::field::display(&caller.actor));
            span.record("outcome", "ok");
        }
        Err(e) => {
            span.record("outcome", e.code);
        }
    }
}

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

/// A refused credential: an expired key is `token_expired` (401 CBC.0154,
/// UNAUTHENTICATED), anything else `unauthenticated`.
fn refused(refusal: Refusal, what: &str) -> ApiError {
    match refusal {
        Refusal::Unknown => ApiError::unauthenticated(format!("unknown or revoked {what}")),
        Refusal::Expired(at) => ApiError::new(
            "token_expired",
            format!(
                "the {what}'s key expired at {}",
                at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
        ),
    }
}

/// The key store, as the server uses it.
pub struct Keys {
    store: KeyStore,
}

fn caller(principal: &Principal) -> Caller {
    Caller {
        access_key: principal.access_key().as_str().to_owned(),
        actor: principal.actor(),
    }
}

impl Keys {
    pub fn open(path: &std::path::Path) -> Result<Keys, KeyStoreError> {
        Ok(Keys {
            store: KeyStore::open(path)?,
        })
    }

    /// The caller holding this bearer token (`X-Auth-Token` or gRPC
    /// `authorization: Bearer`), if its key has not expired at `now`.
    pub fn by_token(&self, token: &str, now: DateTime<Utc>) -> Result<Caller, ApiError> {
        self.store
            .authenticate_token(token, now)
            .map(|p| caller(&p))
            .map_err(|r| refused(r, "token"))
    }

    /// The caller who signed this request (SDK-HMAC-SHA256).
    pub fn by_signature(
        &self,
        authorization: &str,
        parts: &SignedParts<'_>,
        now: DateTime<Utc>,
    ) -> Result<Caller, ApiError> {
        let authorization = parse_authorization(authorization)
            .map_err(|e| ApiError::unauthenticated(e.to_string()))?;
        let (secret, principal) = self
            .store
            .lookup_access_key(&authorization.access_key, now)
            .map_err(|r| refused(r, "access key"))?;
        let headers: Vec<(&str, &str)> = parts
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let request = SignedRequest {
            method: parts.method,
            raw_path: parts.raw_path,
            raw_query: parts.raw_query,
            headers: &headers,
            body: parts.body,
        };
        verify(&request, &authorization, secret.expose().as_bytes(), now)
            .map_err(|e| ApiError::unauthenticated(e.to_string()))?;
        Ok(caller(&principal))
    }
}
