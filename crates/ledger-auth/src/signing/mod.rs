//! Huawei Cloud `SDK-HMAC-SHA256` request signatures, exactly as the
//! official Python SDK (huaweicloudsdkcore 3.1.219, `signer.py`) makes them.
//!
//! A signed request carries
//! `Authorization: SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<h1;h2;...>, Signature=<hex>`
//! and an `X-Sdk-Date: YYYYMMDDTHHMMSSZ` header. The signature is
//! `hex(HMAC-SHA256(secret key bytes, string to sign))` where
//!
//! ```text
//! string to sign    = "SDK-HMAC-SHA256" \n X-Sdk-Date \n hex(SHA-256(canonical request))
//! canonical request = METHOD \n canonical URI \n canonical query \n
//!                     canonical headers (each "name:value\n") \n
//!                     signed headers ("a;b;c") \n hex(SHA-256(body))
//! ```
//!
//! See [`canonical_uri`], [`canonical_query`] and [`canonical_headers`] for
//! the exact rules and the decisions taken where the SDK leaves a choice.
//!
//! [`verify`] additionally demands that `host` and `x-sdk-date` are signed,
//! that every signed header is present exactly once, and that the date is
//! within [`MAX_CLOCK_SKEW`] of the `now` it is given. This module never
//! reads a clock.

mod authorization;
mod canonical;

use std::fmt;

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

pub use authorization::{parse_authorization, Authorization, MAX_AUTHORIZATION_LEN};
pub use canonical::{
    canonical_headers, canonical_query, canonical_request, canonical_uri, string_to_sign,
};

/// The only algorithm accepted, first word of the `Authorization` header.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";

/// The signing time header, lower case as it appears among signed headers.
pub const DATE_HEADER: &str = "x-sdk-date";

/// The host header, which must always be signed.
pub const HOST_HEADER: &str = "host";

/// `X-Sdk-Date`'s format (`strftime`), e.g. `20240506T040000Z`, always UTC.
pub const SDK_DATE_FORMAT: &str = "%Y%m%dT%H%M%SZ";

/// How far a request's `X-Sdk-Date` may be from the verifier's clock, either
/// way (inclusive).
pub const MAX_CLOCK_SKEW: TimeDelta = TimeDelta::minutes(15);

/// Most headers one signature may cover; the SDK signs five or six.
pub const MAX_SIGNED_HEADERS: usize = 32;

/// Length of an HMAC-SHA256 signature in bytes (64 hex digits on the wire).
pub const SIGNATURE_LEN: usize = 32;

/// Why a request's signature is refused. Every variant means "not
/// authenticated"; the messages are for logs, not necessarily for clients.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("malformed authorization header: {0}")]
    MalformedAuthorization(&'static str),
    #[error("unsupported signing algorithm (expected SDK-HMAC-SHA256)")]
    UnsupportedAlgorithm,
    #[error("header {0} must be signed")]
    UnsignedRequiredHeader(&'static str),
    #[error("signed header {0} is missing from the request")]
    MissingHeader(String),
    #[error("signed header {0} appears more than once")]
    DuplicateHeader(String),
    #[error("x-sdk-date must be YYYYMMDDTHHMMSSZ")]
    InvalidDate,
    #[error("x-sdk-date is {skew_s} s away from the server clock (at most 900 s allowed)")]
    ClockSkew { skew_s: i64 },
    #[error("request path is not valid utf-8 once percent-decoded")]
    InvalidPath,
    #[error("query string is not valid utf-8 once percent-decoded")]
    InvalidQuery,
    #[error("signature does not match")]
    SignatureMismatch,
}

/// The parts of an HTTP request a signature covers, as they arrived.
///
/// Header names may be in any case; values are compared after trimming.
/// Header values that are not valid UTF-8 cannot be represented: the SDK
/// sends UTF-8 bytes, so decode header bytes as UTF-8 (a header that fails
/// to decode is best left out, which makes it "missing" if it is signed).
#[derive(Clone, Copy)]
pub struct SignedRequest<'a> {
    /// `GET`, `POST`, ... (upper-cased before signing, as the SDK does).
    pub method: &'a str,
    /// The path exactly as received, still percent-encoded, without `?`.
    pub raw_path: &'a str,
    /// The query exactly as received, without the `?`; `None` when absent.
    pub raw_query: Option<&'a str>,
    /// Every header of the request, `(name, value)`.
    pub headers: &'a [(&'a str, &'a str)],
    /// The raw body bytes (empty for none).
    pub body: &'a [u8],
}

impl SignedRequest<'_> {
    /// The one value of header `name` (case-insensitive), untrimmed.
    /// Several headers of that name are an error: which one was signed
    /// would be ambiguous.
    pub fn header(&self, name: &str) -> Result<Option<&str>, AuthError> {
        let mut found = None;
        for (key, value) in self.headers {
            if key.eq_ignore_ascii_case(name) {
                if found.is_some() {
                    return Err(AuthError::DuplicateHeader(name.to_ascii_lowercase()));
                }
                found = Some(*value);
            }
        }
        Ok(found)
    }
}

/// Header values stay out of logs: a signed `Authorization` header can be
/// replayed within [`MAX_CLOCK_SKEW`].
impl fmt::Debug for SignedRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(name, _)| *name).collect();
        f.debug_struct("SignedRequest")
            .field("method", &self.method)
            .field("raw_path", &self.raw_path)
            .field("raw_query", &self.raw_query)
            .field("header_names", &names)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// Parses an `X-Sdk-Date` value; only the exact SDK form is accepted.
pub fn parse_sdk_date(value: &str) -> Result<DateTime<Utc>, AuthError> {
    if value.len() != 16 || !value.is_ascii() {
        return Err(AuthError::InvalidDate);
    }
    let parsed = NaiveDateTime::parse_from_str(value, SDK_DATE_FORMAT)
        .map_err(|_| AuthError::InvalidDate)?
        .and_utc();
    // Refuse anything chrono accepts that the SDK would not print.
    if parsed.format(SDK_DATE_FORMAT).to_string() != value {
        return Err(AuthError::InvalidDate);
    }
    Ok(parsed)
}

/// `X-Sdk-Date`'s value for `time` (seconds truncated).
pub fn format_sdk_date(time: DateTime<Utc>) -> String {
    time.format(SDK_DATE_FORMAT).to_string()
}

/// `HMAC-SHA256(secret, string_to_sign)`, the raw signature bytes.
pub fn signature(secret: &[u8], string_to_sign: &str) -> [u8; SIGNATURE_LEN] {
    // HMAC takes keys of any length, so this constructor never fails.
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("hmac accepts keys of every length");
    mac.update(string_to_sign.as_bytes());
    mac.finalize().into_bytes().into()
}

/// Signs `request` as the SDK does: every header present is signed (but
/// `authorization`), the date is the request's own `X-Sdk-Date` header.
///
/// The request must carry `Host` and `X-Sdk-Date`; set them first.
pub fn sign(
    request: &SignedRequest<'_>,
    access_key: &str,
    secret: &[u8],
) -> Result<Authorization, AuthError> {
    let mut signed_headers: Vec<String> = request
        .headers
        .iter()
        .map(|(name, _)| name.to_ascii_lowercase())
        .filter(|name| name != "authorization")
        .collect();
    signed_headers.sort();
    if let Some(pair) = signed_headers.windows(2).find(|pair| pair[0] == pair[1]) {
        return Err(AuthError::DuplicateHeader(pair[0].clone()));
    }
    check_required_headers(&signed_headers)?;
    let date = request_date(request)?;
    let canonical = canonical_request(request, &signed_headers)?;
    let signature = signature(secret, &string_to_sign(date, &canonical));
    Ok(Authorization {
        access_key: access_key.to_owned(),
        signed_headers,
        signature,
    })
}

/// Checks `authorization` against `request`, with `secret` the secret key of
/// `authorization.access_key` and `now` the verifier's clock.
///
/// Refuses: `host` or `x-sdk-date` not signed, a signed header missing or
/// repeated, a malformed date or one more than [`MAX_CLOCK_SKEW`] from
/// `now`, a path or query that does not decode to UTF-8, and of course a
/// signature that does not match (compared in constant time).
///
/// The body hash is always computed from `request.body`: an
/// `X-Sdk-Content-Sha256` header (which the SDK would sign in its place,
/// e.g. `UNSIGNED-PAYLOAD`) is not trusted, so such requests fail.
pub fn verify(
    request: &SignedRequest<'_>,
    authorization: &Authorization,
    secret: &[u8],
    now: DateTime<Utc>,
) -> Result<(), AuthError> {
    check_required_headers(&authorization.signed_headers)?;
    let date = request_date(request)?;
    let skew = now - parse_sdk_date(date)?;
    if skew.abs() > MAX_CLOCK_SKEW {
        return Err(AuthError::ClockSkew {
            skew_s: skew.num_seconds(),
        });
    }
    let canonical = canonical_request(request, &authorization.signed_headers)?;
    let expected = signature(secret, &string_to_sign(date, &canonical));
    if bool::from(expected.ct_eq(&authorization.signature)) {
        Ok(())
    } else {
        Err(AuthError::SignatureMismatch)
    }
}

/// `host` and `x-sdk-date` must be among the signed headers.
fn check_required_headers(signed_headers: &[String]) -> Result<(), AuthError> {
    for required in [HOST_HEADER, DATE_HEADER] {
        if !signed_headers.iter().any(|name| name == required) {
            return Err(AuthError::UnsignedRequiredHeader(required));
        }
    }
    Ok(())
}

/// The request's trimmed `X-Sdk-Date` value, which must exist and parse.
fn request_date<'a>(request: &SignedRequest<'a>) -> Result<&'a str, AuthError> {
    let mut found = None;
    for (name, value) in request.headers {
        if name.eq_ignore_ascii_case(DATE_HEADER) {
            if found.is_some() {
                return Err(AuthError::DuplicateHeader(DATE_HEADER.to_owned()));
            }
            found = Some(value.trim());
        }
    }
    let date = found.ok_or_else(|| AuthError::MissingHeader(DATE_HEADER.to_owned()))?;
    parse_sdk_date(date)?;
    Ok(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdk_dates_round_trip_and_only_the_exact_form_parses() {
        let date = parse_sdk_date("20240506T040000Z").unwrap();
        assert_eq!(format_sdk_date(date), "20240506T040000Z");
        for bad in [
            "2024-05-06T04:00:00Z",
            "20240506T040000",
            "20240506t040000Z",
            "20241306T040000Z",
            "+2024056T040000Z",
            "20240506T040000Z ",
        ] {
            assert_eq!(parse_sdk_date(bad), Err(AuthError::InvalidDate), "{bad}");
        }
    }

    #[test]
    fn debug_hides_header_values() {
        let headers = [("Authorization", "SDK-HMAC-SHA256 Access=AK, Signature=ff")];
        let request = SignedRequest {
            method: "GET",
            raw_path: "/",
            raw_query: None,
            headers: &headers,
            body: b"",
        };
        let text = format!("{request:?}");
        assert!(text.contains("Authorization"));
        assert!(!text.contains("Signature=ff"));
    }
}
