//! The `Authorization` header:
//! `SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<h1;h2;...>, Signature=<hex>`.

use std::fmt;
use std::str::FromStr;

use super::{AuthError, ALGORITHM, MAX_SIGNED_HEADERS, SIGNATURE_LEN};

/// Longest `Authorization` header value parsed.
pub const MAX_AUTHORIZATION_LEN: usize = 4096;

/// A parsed `Authorization` header. Its [`Display`](fmt::Display) is the
/// header value exactly as the SDK writes it.
#[derive(Clone, PartialEq, Eq)]
pub struct Authorization {
    /// The access key id (`Access=`), not yet checked against any store.
    pub access_key: String,
    /// Lower-case header names, strictly ascending (as the SDK sorts them).
    pub signed_headers: Vec<String>,
    /// The HMAC-SHA256 signature.
    pub signature: [u8; SIGNATURE_LEN],
}

/// The signature is left out: within the clock skew a signed header can be
/// replayed.
impl fmt::Debug for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authorization")
            .field("access_key", &self.access_key)
            .field("signed_headers", &self.signed_headers)
            .field("signature", &"***")
            .finish()
    }
}

impl fmt::Display for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{ALGORITHM} Access={}, SignedHeaders={}, Signature={}",
            self.access_key,
            self.signed_headers.join(";"),
            hex::encode(self.signature)
        )
    }
}

impl FromStr for Authorization {
    type Err = AuthError;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        parse_authorization(value)
    }
}

/// Parses an `Authorization` header value.
///
/// The three parameters may come in any order, each exactly once, separated
/// by commas with optional spaces. Signed header names must be lower case,
/// strictly ascending and at most [`MAX_SIGNED_HEADERS`]; the signature is
/// 64 hex digits (either case).
pub fn parse_authorization(value: &str) -> Result<Authorization, AuthError> {
    use AuthError::MalformedAuthorization as Malformed;
    if value.len() > MAX_AUTHORIZATION_LEN {
        return Err(Malformed("too long"));
    }
    let (algorithm, params) = value
        .trim()
        .split_once(' ')
        .ok_or(Malformed("expected an algorithm and parameters"))?;
    if algorithm != ALGORITHM {
        return Err(AuthError::UnsupportedAlgorithm);
    }
    let (mut access, mut signed, mut signature) = (None, None, None);
    for param in params.split(',') {
        let (name, text) = param
            .trim()
            .split_once('=')
            .ok_or(Malformed("expected name=value parameters"))?;
        let slot = match name {
            "Access" => &mut access,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            _ => return Err(Malformed("unknown parameter")),
        };
        if slot.replace(text).is_some() {
            return Err(Malformed("repeated parameter"));
        }
    }
    let access = access.ok_or(Malformed("missing Access"))?;
    if access.is_empty() || !access.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Malformed("invalid Access"));
    }
    let signed_headers = parse_signed_headers(signed.ok_or(Malformed("missing SignedHeaders"))?)?;
    let mut bytes = [0u8; SIGNATURE_LEN];
    hex::decode_to_slice(signature.ok_or(Malformed("missing Signature"))?, &mut bytes)
        .map_err(|_| Malformed("signature must be 64 hex digits"))?;
    Ok(Authorization {
        access_key: access.to_owned(),
        signed_headers,
        signature: bytes,
    })
}

fn parse_signed_headers(list: &str) -> Result<Vec<String>, AuthError> {
    use AuthError::MalformedAuthorization as Malformed;
    let names: Vec<&str> = list.split(';').collect();
    if names.len() > MAX_SIGNED_HEADERS {
        return Err(Malformed("too many signed headers"));
    }
    let valid_name = |name: &str| {
        !name.is_empty()
            && name.bytes().all(|b| {
                b.is_ascii_graphic() && !b.is_ascii_uppercase() && !matches!(b, b';' | b',' | b':')
            })
    };
    if !names.iter().all(|name| valid_name(name)) {
        return Err(Malformed("signed header names must be lower-case tokens"));
    }
    if names.windows(2).any(|pair| pair[0] >= pair[1]) {
        return Err(Malformed("signed headers must be sorted and unique"));
    }
    Ok(names.into_iter().map(str::to_owned).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIG: &str = "46f24f7dc639fd8c53f71febda0c17f1f4c806e33e9714cc173ec4c7a1eceeb2";

    #[test]
    fn parses_and_displays_the_sdk_form() {
        let header = format!(
            "SDK-HMAC-SHA256 Access=AKPROBE0000000000001, SignedHeaders=host;x-sdk-date, Signature={SIG}"
        );
        let auth = parse_authorization(&header).unwrap();
        assert_eq!(auth.access_key, "AKPROBE0000000000001");
        assert_eq!(auth.signed_headers, ["host", "x-sdk-date"]);
        assert_eq!(auth.to_string(), header);
        assert!(!format!("{auth:?}").contains(SIG));
        let reordered = format!(
            "SDK-HMAC-SHA256 Signature={}, Access=AK1,SignedHeaders=host",
            SIG.to_uppercase()
        );
        assert_eq!(
            parse_authorization(&reordered).unwrap().signature,
            auth.signature
        );
    }

    #[test]
    fn refuses_malformed_headers() {
        let ok = format!("Access=AK1, SignedHeaders=host;x-sdk-date, Signature={SIG}");
        assert_eq!(
            parse_authorization(&format!("AWS4-HMAC-SHA256 {ok}")),
            Err(AuthError::UnsupportedAlgorithm)
        );
        for bad in [
            String::new(),
            "SDK-HMAC-SHA256".to_owned(),
            format!("SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host, Signature={SIG}, Access=AK2"),
            format!("SDK-HMAC-SHA256 Access=AK1, Signature={SIG}"),
            format!("SDK-HMAC-SHA256 SignedHeaders=host, Signature={SIG}"),
            "SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host, Signature=abc".to_owned(),
            format!("SDK-HMAC-SHA256 Access=AK1, SignedHeaders=Host, Signature={SIG}"),
            format!("SDK-HMAC-SHA256 Access=AK1, SignedHeaders=x;host, Signature={SIG}"),
            format!("SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;host, Signature={SIG}"),
            format!("SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;;x, Signature={SIG}"),
            format!("SDK-HMAC-SHA256 Access=, SignedHeaders=host, Signature={SIG}"),
            format!("SDK-HMAC-SHA256 Access=AK1, Extra=1, SignedHeaders=host, Signature={SIG}"),
            format!("SDK-HMAC-SHA256 {ok}{}", " ".repeat(MAX_AUTHORIZATION_LEN)),
        ] {
            assert!(
                matches!(
                    parse_authorization(&bad),
                    Err(AuthError::MalformedAuthorization(_))
                ),
                "{bad}"
            );
        }
        let many: Vec<String> = (0..=MAX_SIGNED_HEADERS)
            .map(|i| format!("h{i:03}"))
            .collect();
        let too_many = format!(
            "SDK-HMAC-SHA256 Access=AK1, SignedHeaders={}, Signature={SIG}",
            many.join(";")
        );
        assert_eq!(
            parse_authorization(&too_many),
            Err(AuthError::MalformedAuthorization("too many signed headers"))
        );
    }
}
