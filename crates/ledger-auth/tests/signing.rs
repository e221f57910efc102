//! The SDK's own signatures (fixtures/sign_vectors.json, made by
//! huaweicloudsdkcore 3.1.219) and what verification refuses.

use chrono::{DateTime, TimeDelta, Utc};
use ledger_auth::signing::{
    canonical_request, parse_authorization, parse_sdk_date, sign, string_to_sign, verify,
    AuthError, SignedRequest, MAX_CLOCK_SKEW,
};
use serde_json::Value;

/// One SDK-signed request from the fixture.
struct Vector {
    method: String,
    path: String,
    query: Option<String>,
    /// Every header the SDK sent, `Authorization` included.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    canonical_request: String,
    string_to_sign: String,
    authorization: String,
}

struct Fixture {
    ak: String,
    sk: String,
    vectors: Vec<Vector>,
}

fn fixture() -> Fixture {
    let text = include_str!("fixtures/sign_vectors.json");
    let json: Value = serde_json::from_str(text).unwrap();
    let string = |value: &Value| value.as_str().unwrap().to_owned();
    let vectors = json["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|vector| {
            let target = string(&vector["request_target"]);
            let (path, query) = match target.split_once('?') {
                Some((path, query)) => (path.to_owned(), Some(query.to_owned())),
                None => (target, None),
            };
            Vector {
                method: string(&vector["method"]),
                path,
                query,
                headers: vector["headers"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(name, value)| (name.clone(), string(value)))
                    .collect(),
                body: vector["body"]
                    .as_str()
                    .map(|body| body.as_bytes().to_vec())
                    .unwrap_or_default(),
                canonical_request: string(&vector["canonical_request"]),
                string_to_sign: string(&vector["string_to_sign"]),
                authorization: string(&vector["authorization"]),
            }
        })
        .collect::<Vec<_>>();
    assert_eq!(vectors.len(), 4);
    Fixture {
        ak: string(&json["ak"]),
        sk: string(&json["sk"]),
        vectors,
    }
}

impl Vector {
    fn header_refs(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect()
    }

    fn sdk_date(&self) -> DateTime<Utc> {
        let (_, date) = self
            .headers
            .iter()
            .find(|(name, _)| name == "X-Sdk-Date")
            .unwrap();
        parse_sdk_date(date).unwrap()
    }

    /// Verifies the vector's own Authorization against this request as
    /// modified by `edit`, at `now`.
    fn verify_edited(
        &self,
        secret: &str,
        now: DateTime<Utc>,
        edit: impl FnOnce(&mut Vector),
    ) -> Result<(), AuthError> {
        let mut copy = Vector {
            method: self.method.clone(),
            path: self.path.clone(),
            query: self.query.clone(),
            headers: self.headers.clone(),
            body: self.body.clone(),
            canonical_request: String::new(),
            string_to_sign: String::new(),
            authorization: self.authorization.clone(),
        };
        edit(&mut copy);
        let headers = copy.header_refs();
        let request = SignedRequest {
            method: &copy.method,
            raw_path: &copy.path,
            raw_query: copy.query.as_deref(),
            headers: &headers,
            body: &copy.body,
        };
        let authorization = parse_authorization(&copy.authorization)?;
        verify(&request, &authorization, secret.as_bytes(), now)
    }
}

fn set_header(vector: &mut Vector, name: &str, value: &str) {
    let slot = vector
        .headers
        .iter_mut()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .unwrap();
    slot.1 = value.to_owned();
}

#[test]
fn every_vector_matches_the_sdk() {
    let fixture = fixture();
    for vector in &fixture.vectors {
        let headers = vector.header_refs();
        let request = SignedRequest {
            method: &vector.method,
            raw_path: &vector.path,
            raw_query: vector.query.as_deref(),
            headers: &headers,
            body: &vector.body,
        };
        let authorization = parse_authorization(&vector.authorization).unwrap();
        assert_eq!(authorization.access_key, fixture.ak);
        let canonical = canonical_request(&request, &authorization.signed_headers).unwrap();
        assert_eq!(canonical, vector.canonical_request, "{}", vector.path);
        assert_eq!(
            string_to_sign("20240506T040000Z", &canonical),
            vector.string_to_sign
        );
        let signed = sign(&request, &fixture.ak, fixture.sk.as_bytes()).unwrap();
        assert_eq!(signed.to_string(), vector.authorization, "{}", vector.path);
        assert_eq!(signed, authorization);
    }
}

#[test]
fn every_vector_verifies_at_its_date() {
    let fixture = fixture();
    for vector in &fixture.vectors {
        let at = vector.sdk_date();
        assert_eq!(vector.verify_edited(&fixture.sk, at, |_| {}), Ok(()));
        assert_eq!(
            vector.verify_edited(&fixture.sk, at + MAX_CLOCK_SKEW, |_| {}),
            Ok(())
        );
        assert_eq!(
            vector.verify_edited(&fixture.sk, at - MAX_CLOCK_SKEW, |_| {}),
            Ok(())
        );
    }
}

#[test]
fn one_changed_body_byte_fails() {
    let fixture = fixture();
    for vector in &fixture.vectors {
        let result = vector.verify_edited(&fixture.sk, vector.sdk_date(), |v| {
            match v.body.first_mut() {
                Some(byte) => *byte ^= 1,
                None => v.body.push(b' '),
            }
        });
        assert_eq!(result, Err(AuthError::SignatureMismatch), "{}", vector.path);
    }
}

#[test]
fn one_changed_header_value_fails() {
    let fixture = fixture();
    let vector = &fixture.vectors[2];
    for (name, value) in [
        ("X-Domain-Id", "0a1b2c3d4e5f60718293a4b5c6d7e8f0"),
        ("Host", "127.0.0.1:8081"),
        ("Content-Type", "application/json;charset=utf-8"),
        ("User-Agent", "huaweicloud-usdk-python/3.1"),
        ("X-Sdk-Date", "20240506T040001Z"),
    ] {
        let result = vector.verify_edited(&fixture.sk, vector.sdk_date(), |v| {
            set_header(v, name, value)
        });
        assert_eq!(result, Err(AuthError::SignatureMismatch), "{name}");
    }
    // Surrounding spaces are trimmed, as the SDK does: not a change.
    let padded = vector.verify_edited(&fixture.sk, vector.sdk_date(), |v| {
        set_header(v, "X-Domain-Id", "  0a1b2c3d4e5f60718293a4b5c6d7e8f9 ")
    });
    assert_eq!(padded, Ok(()));
}

#[test]
fn one_changed_query_param_or_path_fails() {
    let fixture = fixture();
    let vector = &fixture.vectors[0];
    let at = vector.sdk_date();
    let query = vector.query.clone().unwrap();
    for changed in [
        query.replace("limit=10", "limit=11"),
        query.replace("&offset=0", ""),
        format!("{query}&offset=1"),
        format!("{query}&status=6"),
        query.replace("create_time_begin", "create_time_end"),
    ] {
        let result = vector.verify_edited(&fixture.sk, at, |v| v.query = Some(changed.clone()));
        assert_eq!(result, Err(AuthError::SignatureMismatch), "{changed}");
    }
    let moved = vector.verify_edited(&fixture.sk, at, |v| v.path.push_str("/x"));
    assert_eq!(moved, Err(AuthError::SignatureMismatch));
    let method = vector.verify_edited(&fixture.sk, at, |v| v.method = "DELETE".to_owned());
    assert_eq!(method, Err(AuthError::SignatureMismatch));
}

#[test]
fn same_query_in_another_order_or_encoding_verifies() {
    let fixture = fixture();
    let vector = &fixture.vectors[0];
    for raw in [
        "offset=0&limit=10&create_time_begin=2024-04-29T00%3A00%3A00Z",
        "create_time_begin=2024-04-29T00:00:00Z&limit=10&offset=0",
        "limit=%31%30&&offset=0&create_time_begin=2024-04-29T00%3a00%3a00Z",
    ] {
        let result = vector.verify_edited(&fixture.sk, vector.sdk_date(), |v| {
            v.query = Some(raw.to_owned())
        });
        assert_eq!(result, Ok(()), "{raw}");
    }
}

#[test]
fn date_sixteen_minutes_off_fails() {
    let fixture = fixture();
    let vector = &fixture.vectors[0];
    let at = vector.sdk_date();
    let sixteen = TimeDelta::minutes(16);
    assert_eq!(
        vector.verify_edited(&fixture.sk, at + sixteen, |_| {}),
        Err(AuthError::ClockSkew { skew_s: 960 })
    );
    assert_eq!(
        vector.verify_edited(&fixture.sk, at - sixteen, |_| {}),
        Err(AuthError::ClockSkew { skew_s: -960 })
    );
    assert!(vector
        .verify_edited(
            &fixture.sk,
            at + MAX_CLOCK_SKEW + TimeDelta::seconds(1),
            |_| {}
        )
        .is_err());
}

#[test]
fn wrong_secret_fails() {
    let fixture = fixture();
    for vector in &fixture.vectors {
        let wrong = format!("{}x", fixture.sk);
        assert_eq!(
            vector.verify_edited(&wrong, vector.sdk_date(), |_| {}),
            Err(AuthError::SignatureMismatch)
        );
    }
}

#[test]
fn missing_or_repeated_signed_header_fails() {
    let fixture = fixture();
    let vector = &fixture.vectors[1];
    let at = vector.sdk_date();
    let missing = vector.verify_edited(&fixture.sk, at, |v| {
        v.headers.retain(|(name, _)| name != "X-Domain-Id")
    });
    assert_eq!(
        missing,
        Err(AuthError::MissingHeader("x-domain-id".to_owned()))
    );
    let no_date = vector.verify_edited(&fixture.sk, at, |v| {
        v.headers.retain(|(name, _)| name != "X-Sdk-Date")
    });
    assert_eq!(
        no_date,
        Err(AuthError::MissingHeader("x-sdk-date".to_owned()))
    );
    let repeated = vector.verify_edited(&fixture.sk, at, |v| {
        v.headers
            .push(("x-domain-id".to_owned(), "other".to_owned()))
    });
    assert_eq!(
        repeated,
        Err(AuthError::DuplicateHeader("x-domain-id".to_owned()))
    );
}

#[test]
fn host_and_date_must_be_signed() {
    let fixture = fixture();
    let vector = &fixture.vectors[3];
    for (dropped, required) in [("host;", "host"), (";x-sdk-date", "x-sdk-date")] {
        let result = vector.verify_edited(&fixture.sk, vector.sdk_date(), |v| {
            v.authorization = v.authorization.replace(dropped, "")
        });
        assert_eq!(result, Err(AuthError::UnsignedRequiredHeader(required)));
    }
}

#[test]
fn sign_then_verify_round_trips_odd_paths_and_queries() {
    let secret = b"another-secret";
    let headers = [
        ("Host", "ledger.example:8443"),
        ("X-Sdk-Date", "20250101T000000Z"),
        ("X-Language", "en_US"),
    ];
    let request = SignedRequest {
        method: "get",
        raw_path: "/v1.0/d75298/common/order-mgr/orders/CS%201~x",
        raw_query: Some("b=2&a=&flag&a=%E2%82%AC"),
        headers: &headers,
        body: b"",
    };
    let authorization = sign(&request, "AKTEST00000000000001", secret).unwrap();
    assert_eq!(
        authorization.signed_headers,
        ["host", "x-language", "x-sdk-date"]
    );
    let now: DateTime<Utc> = "2025-01-01T00:10:00Z".parse().unwrap();
    let reparsed = parse_authorization(&authorization.to_string()).unwrap();
    assert_eq!(verify(&request, &reparsed, secret, now), Ok(()));
    assert_eq!(
        canonical_request(&request, &reparsed.signed_headers)
            .unwrap()
            .lines()
            .take(3)
            .collect::<Vec<_>>(),
        [
            "GET",
            "/v1.0/d75298/common/order-mgr/orders/CS%201~x/",
            "a=&a=%E2%82%AC&b=2&flag="
        ]
    );
}
