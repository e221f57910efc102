//! The canonical request and the string to sign, rule for rule as the
//! SDK's `signer.py` builds them.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::{Digest, Sha256};

use super::{AuthError, SignedRequest, ALGORITHM};

/// Everything but the unreserved characters `A-Za-z0-9-._~` is encoded, as
/// Python's `quote(s, safe='~')` does (upper-case `%XX`, UTF-8 bytes).
const SDK_ESCAPE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn encode(text: &str) -> String {
    utf8_percent_encode(text, SDK_ESCAPE).to_string()
}

/// Percent-decodes as Python's `unquote` does (`+` stays `+`, a `%` not
/// followed by two hex digits stays as is), but refuses bytes that are not
/// UTF-8 where `unquote` would put U+FFFD: two different raw paths must
/// never share one canonical form.
fn decode(text: &str, error: AuthError) -> Result<String, AuthError> {
    percent_decode_str(text)
        .decode_utf8()
        .map(|decoded| decoded.into_owned())
        .map_err(|_| error)
}

/// The canonical URI: percent-decode the whole raw path, split it on `/`,
/// re-encode each segment, join with `/`, and end with `/`.
///
/// So `/a%2Fb` and `/a/b` share one canonical form (as in the SDK): a
/// server must route on the decoded path, never on the raw one.
pub fn canonical_uri(raw_path: &str) -> Result<String, AuthError> {
    let decoded = decode(raw_path, AuthError::InvalidPath)?;
    let mut uri = decoded.split('/').map(encode).collect::<Vec<_>>().join("/");
    if !uri.ends_with('/') {
        uri.push('/');
    }
    Ok(uri)
}

/// The canonical query string from the raw one: split on `&` (empty pieces
/// are dropped), split each piece at its first `=` (a piece without `=` is a
/// key with an empty value, `k=`), percent-decode both (`+` is not a
/// space), sort by key then value, re-encode both, join `k=v` with `&`.
///
/// The SDK sorts its `(key, value)` parameter pairs and encodes each the
/// same way, so a repeated key keeps all its values, in value order.
/// `None` and an empty query give an empty string.
pub fn canonical_query(raw_query: Option<&str>) -> Result<String, AuthError> {
    let Some(raw_query) = raw_query else {
        return Ok(String::new());
    };
    let mut pairs = Vec::new();
    for piece in raw_query.split('&').filter(|piece| !piece.is_empty()) {
        let (key, value) = piece.split_once('=').unwrap_or((piece, ""));
        pairs.push((
            decode(key, AuthError::InvalidQuery)?,
            decode(value, AuthError::InvalidQuery)?,
        ));
    }
    // Byte order of UTF-8 is code point order: the same as Python's sort.
    pairs.sort();
    let encoded: Vec<String> = pairs
        .iter()
        .map(|(key, value)| format!("{}={}", encode(key), encode(value)))
        .collect();
    Ok(encoded.join("&"))
}

/// The canonical headers: `name:value\n` for each name of `signed_headers`
/// (lower case, in the order given), the value trimmed. A signed header
/// missing from the request, or present more than once, is an error.
pub fn canonical_headers(
    request: &SignedRequest<'_>,
    signed_headers: &[String],
) -> Result<String, AuthError> {
    let mut out = String::new();
    for name in signed_headers {
        let value = request
            .header(name)?
            .ok_or_else(|| AuthError::MissingHeader(name.clone()))?;
        out.push_str(name);
        out.push(':');
        out.push_str(value.trim());
        out.push('\n');
    }
    Ok(out)
}

/// The whole canonical request for `request` signed over `signed_headers`.
pub fn canonical_request(
    request: &SignedRequest<'_>,
    signed_headers: &[String],
) -> Result<String, AuthError> {
    Ok(format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        request.method.to_ascii_uppercase(),
        canonical_uri(request.raw_path)?,
        canonical_query(request.raw_query)?,
        canonical_headers(request, signed_headers)?,
        signed_headers.join(";"),
        hex::encode(Sha256::digest(request.body)),
    ))
}

/// `SDK-HMAC-SHA256\n<X-Sdk-Date>\n<hex SHA-256 of the canonical request>`.
pub fn string_to_sign(sdk_date: &str, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{sdk_date}\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_segments_are_decoded_then_reencoded() {
        assert_eq!(canonical_uri("/v3/orders/pay").unwrap(), "/v3/orders/pay/");
        assert_eq!(canonical_uri("/a/b/").unwrap(), "/a/b/");
        assert_eq!(canonical_uri("/").unwrap(), "/");
        assert_eq!(canonical_uri("").unwrap(), "/");
        assert_eq!(
            canonical_uri("/x/CS%2024%2F05%25x~y").unwrap(),
            "/x/CS%2024/05%25x~y/"
        );
        assert_eq!(canonical_uri("/a b+c%7e").unwrap(), "/a%20b%2Bc~/");
        assert_eq!(canonical_uri("/caf%C3%A9").unwrap(), "/caf%C3%A9/");
        assert_eq!(canonical_uri("/café").unwrap(), "/caf%C3%A9/");
        assert_eq!(canonical_uri("/100%").unwrap(), "/100%25/");
        assert_eq!(canonical_uri("/bad%FF"), Err(AuthError::InvalidPath));
    }

    #[test]
    fn query_corner_cases() {
        assert_eq!(canonical_query(None).unwrap(), "");
        assert_eq!(canonical_query(Some("")).unwrap(), "");
        assert_eq!(canonical_query(Some("b=2&a=1")).unwrap(), "a=1&b=2");
        assert_eq!(
            canonical_query(Some("a=2&a=10&a=1")).unwrap(),
            "a=1&a=10&a=2"
        );
        assert_eq!(canonical_query(Some("flag&x=")).unwrap(), "flag=&x=");
        assert_eq!(canonical_query(Some("a=1&&b=2&")).unwrap(), "a=1&b=2");
        assert_eq!(canonical_query(Some("k=a=b")).unwrap(), "k=a%3Db");
        assert_eq!(canonical_query(Some("k=a+b")).unwrap(), "k=a%2Bb");
        assert_eq!(canonical_query(Some("k=a%20b")).unwrap(), "k=a%20b");
        assert_eq!(
            canonical_query(Some("t=2024-04-29T00:00:00Z")).unwrap(),
            "t=2024-04-29T00%3A00%3A00Z"
        );
        assert_eq!(
            canonical_query(Some("%62=1&a%3Dx=2")).unwrap(),
            "a%3Dx=2&b=1"
        );
        assert_eq!(canonical_query(Some("k=%FF")), Err(AuthError::InvalidQuery));
    }
}
