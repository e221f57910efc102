//! The key store: create, look up, authenticate, revoke, and two store
//! instances on one file (the CLI and the server).

use chrono::{DateTime, Utc};
use ledger_auth::keys::{KeyStore, KeyStoreError, Role, TOKEN_PREFIX};
use ledger_auth::signing::{format_sdk_date, parse_authorization, sign, verify, SignedRequest};
use ledger_auth::Credentials;
use ledger_domain::context::Actor;
use ledger_domain::ids::CustomerId;
use tempfile::TempDir;

fn now() -> DateTime<Utc> {
    "2024-05-06T04:00:00Z".parse().unwrap()
}

fn customer(id: &str) -> Role {
    Role::Customer {
        domain_id: id.parse().unwrap(),
    }
}

fn store_in(dir: &TempDir) -> KeyStore {
    KeyStore::open(dir.path().join("keys.json")).unwrap()
}

/// Signs a request with `credentials` and verifies it against `store`, as a
/// server would: parse the header, look the key up, verify.
fn signature_accepted(store: &KeyStore, credentials: &Credentials) -> bool {
    let date = format_sdk_date(now());
    let headers = [("Host", "127.0.0.1:8080"), ("X-Sdk-Date", date.as_str())];
    let request = SignedRequest {
        method: "POST",
        raw_path: "/v3/orders/customer-orders/pay",
        raw_query: None,
        headers: &headers,
        body: br#"{"order_id": "CS2405061200ABCDE"}"#,
    };
    let secret = credentials.secret_key.expose().as_bytes();
    let header = sign(&request, credentials.access_key.as_str(), secret)
        .unwrap()
        .to_string();
    let authorization = parse_authorization(&header).unwrap();
    let Ok((secret_key, principal)) = store.lookup_access_key(&authorization.access_key, now())
    else {
        return false;
    };
    assert_eq!(principal.access_key(), &credentials.access_key);
    verify(
        &request,
        &authorization,
        secret_key.expose().as_bytes(),
        now(),
    )
    .is_ok()
}

#[test]
fn created_key_signs_and_its_token_authenticates() {
    let dir = TempDir::new().unwrap();
    let store = store_in(&dir);
    let credentials = store.create(customer("d75298"), now()).unwrap();
    assert!(credentials.access_key.as_str().starts_with("AK"));
    assert_eq!(credentials.access_key.as_str().len(), 20);
    assert_eq!(credentials.secret_key.expose().len(), 40);
    assert!(credentials.token.expose().starts_with(TOKEN_PREFIX));
    assert!(credentials.token.expose().len() >= 43 + TOKEN_PREFIX.len());

    assert!(signature_accepted(&store, &credentials));
    let principal = store
        .authenticate_token(credentials.token.expose(), now())
        .unwrap();
    let mine: CustomerId = "d75298".parse().unwrap();
    assert_eq!(principal.actor(), Actor::Customer(mine.clone()));
    assert!(principal.may_access(&mine));
    assert!(!principal.may_access(&"d00001".parse().unwrap()));

    assert!(store.authenticate_token("olt_not-a-token", now()).is_err());
    assert!(store.authenticate_token("", now()).is_err());
    let mut near = credentials.token.expose().to_owned();
    near.pop();
    assert!(store.authenticate_token(&near, now()).is_err());
    assert!(store
        .lookup_access_key("AKNOTAKEY00000000000", now())
        .is_err());
    assert!(store.lookup_access_key("not an ak", now()).is_err());
}

#[test]
fn operator_and_service_keys_act_as_their_access_key() {
    let dir = TempDir::new().unwrap();
    let store = store_in(&dir);
    let operator = store.create(Role::Operator, now()).unwrap();
    let service = store.create(Role::Service, now()).unwrap();
    let (_, principal) = store
        .lookup_access_key(operator.access_key.as_str(), now())
        .unwrap();
    assert_eq!(
        principal.actor().to_string(),
        format!("operator:{}", operator.access_key)
    );
    assert!(principal.may_access(&"d75298".parse().unwrap()));
    let principal = store
        .authenticate_token(service.token.expose(), now())
        .unwrap();
    assert_eq!(
        principal.actor().to_string(),
        format!("service:{}", service.access_key)
    );
}

#[test]
fn revoking_stops_signatures_and_tokens() {
    let dir = TempDir::new().unwrap();
    let store = store_in(&dir);
    let revoked = store.create(Role::Operator, now()).unwrap();
    let kept = store.create(Role::Service, now()).unwrap();
    store.revoke(revoked.access_key.as_str(), now()).unwrap();

    assert!(!signature_accepted(&store, &revoked));
    assert!(store
        .authenticate_token(revoked.token.expose(), now())
        .is_err());
    assert!(signature_accepted(&store, &kept));
    assert!(store.authenticate_token(kept.token.expose(), now()).is_ok());

    // Twice is fine and keeps the first time; an unknown key is an error.
    let later = now() + chrono::TimeDelta::hours(1);
    store.revoke(revoked.access_key.as_str(), later).unwrap();
    let info = store.list().unwrap();
    assert_eq!(info[0].revoked_at, Some(now()));
    assert_eq!(info[1].revoked_at, None);
    let unknown = store.revoke("AKNOTAKEY00000000000", now()).unwrap_err();
    assert!(matches!(unknown, KeyStoreError::UnknownKey(_)));
    assert_eq!(
        unknown.to_string(),
        "no key with access key id AKNOTAKEY00000000000"
    );
}

#[test]
fn a_second_store_on_the_same_file_sees_creations_and_revocations() {
    let dir = TempDir::new().unwrap();
    let server = store_in(&dir); // opened before the file exists
    let cli = store_in(&dir);

    let first = cli.create(customer("d75298"), now()).unwrap();
    assert!(signature_accepted(&server, &first));
    assert!(server
        .authenticate_token(first.token.expose(), now())
        .is_ok());

    let second = cli.create(Role::Service, now()).unwrap();
    assert!(server
        .authenticate_token(second.token.expose(), now())
        .is_ok());

    // A third instance writes too: the server's creation is not lost by
    // the CLI's next write (writers re-read under the lock).
    let from_server = server.create(Role::Operator, now()).unwrap();
    cli.revoke(first.access_key.as_str(), now()).unwrap();
    assert!(!signature_accepted(&server, &first));
    assert!(server
        .authenticate_token(first.token.expose(), now())
        .is_err());
    assert!(cli
        .authenticate_token(from_server.token.expose(), now())
        .is_ok());
    assert_eq!(server.list().unwrap().len(), 3);
    assert_eq!(cli.list().unwrap(), server.list().unwrap());
    assert!(!server.refresh_if_changed().unwrap());
}

#[cfg(unix)]
#[test]
fn key_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new().unwrap();
    let store = store_in(&dir);
    store.create(Role::Operator, now()).unwrap();
    let mode = std::fs::metadata(store.path())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let lock = dir.path().join("keys.json.lock");
    assert_eq!(
        std::fs::metadata(lock).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn list_and_file_hold_no_token_and_list_no_secret() {
    let dir = TempDir::new().unwrap();
    let store = store_in(&dir);
    let credentials = store.create(customer("d75298"), now()).unwrap();
    let listed = format!("{:?}", store.list().unwrap());
    assert!(listed.contains(credentials.access_key.as_str()));
    assert!(!listed.contains(credentials.secret_key.expose()));
    assert!(!listed.contains(credentials.token.expose()));
    assert!(!format!("{credentials:?}").contains(credentials.secret_key.expose()));

    let file = std::fs::read_to_string(store.path()).unwrap();
    assert!(!file.contains(credentials.token.expose()));
    assert!(file.contains(&hex_sha256(credentials.token.expose())));
    assert!(file.contains(r#""role": "customer""#));
}

fn hex_sha256(text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

#[test]
fn corrupt_file_is_a_clear_error_and_fails_closed() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("keys.json");
    std::fs::write(&path, b"{\"version\": 1, \"keys\": [").unwrap();
    let error = KeyStore::open(&path).unwrap_err();
    assert!(matches!(error, KeyStoreError::Corrupt { .. }));
    let message = error.to_string();
    assert!(message.starts_with("key file "), "{message}");
    assert!(message.contains("keys.json is corrupt: "), "{message}");

    std::fs::write(&path, b"{\"version\": 2, \"keys\": []}").unwrap();
    let message = KeyStore::open(&path).unwrap_err().to_string();
    assert!(message.contains("format version 2 is not 1"), "{message}");

    // A running store whose file goes bad refuses every key until fixed.
    std::fs::remove_file(&path).unwrap();
    let store = KeyStore::open(&path).unwrap();
    let credentials = store.create(Role::Operator, now()).unwrap();
    let good = std::fs::read(&path).unwrap();
    std::fs::write(&path, b"not json").unwrap();
    assert!(store.refresh_if_changed().is_err());
    assert!(store
        .authenticate_token(credentials.token.expose(), now())
        .is_err());
    assert!(store.list().is_err());
    std::fs::write(&path, good).unwrap();
    assert!(store
        .authenticate_token(credentials.token.expose(), now())
        .is_ok());
}

#[test]
fn concurrent_writers_in_separate_stores_lose_no_key() {
    const KEYS_PER_WRITER: usize = 10;
    let dir = TempDir::new().unwrap();
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                let store = store_in(&dir);
                for _ in 0..KEYS_PER_WRITER {
                    store.create(Role::Service, now()).unwrap();
                }
            });
        }
    });
    assert_eq!(store_in(&dir).list().unwrap().len(), 2 * KEYS_PER_WRITER);
}

#[test]
fn keys_expire_at_their_ttl_and_roles_have_default_lifetimes() {
    use chrono::Duration;
    use ledger_auth::keys::{DEFAULT_CUSTOMER_TTL_DAYS, MAX_TTL_DAYS};
    use ledger_auth::Refusal;

    let dir = TempDir::new().unwrap();
    let store = store_in(&dir);
    let day = store
        .create_with_ttl(Role::Service, now(), Some(Duration::days(1)))
        .unwrap();
    let at = now() + Duration::days(1);
    assert_eq!(day.expires_at, Some(at));
    let token = day.token.expose();
    let just_before = at - Duration::seconds(1);
    assert!(store.authenticate_token(token, just_before).is_ok());
    assert!(store
        .lookup_access_key(day.access_key.as_str(), just_before)
        .is_ok());
    // Expired from the instant itself on, for the token and the signature.
    assert_eq!(
        store.authenticate_token(token, at).unwrap_err(),
        Refusal::Expired(at)
    );
    assert_eq!(
        store
            .lookup_access_key(day.access_key.as_str(), at)
            .unwrap_err(),
        Refusal::Expired(at)
    );
    assert_eq!(store.list().unwrap()[0].expires_at, Some(at));
    // Revocation wins over expiry: a revoked key is unknown.
    store.revoke(day.access_key.as_str(), now()).unwrap();
    assert_eq!(
        store.authenticate_token(token, at).unwrap_err(),
        Refusal::Unknown
    );

    let customer_key = store.create(customer("d75298"), now()).unwrap();
    assert_eq!(
        customer_key.expires_at,
        Some(now() + Duration::days(DEFAULT_CUSTOMER_TTL_DAYS))
    );
    assert!(store
        .create(Role::Operator, now())
        .unwrap()
        .expires_at
        .is_some());
    let service = store.create(Role::Service, now()).unwrap();
    assert_eq!(service.expires_at, None);
    let far = now() + Duration::days(100 * 365);
    assert!(store
        .authenticate_token(service.token.expose(), far)
        .is_ok());

    for bad in [Duration::zero(), Duration::days(MAX_TTL_DAYS + 1)] {
        assert!(matches!(
            store.create_with_ttl(Role::Service, now(), Some(bad)),
            Err(KeyStoreError::InvalidTtl)
        ));
    }
}

#[test]
fn key_files_without_expiry_still_load_as_never_expiring() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("keys.json");
    let store = KeyStore::open(&path).unwrap();
    let key = store.create_with_ttl(Role::Service, now(), None).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("expires_at"), "{text}");
    let reopened = KeyStore::open(&path).unwrap();
    assert!(reopened
        .authenticate_token(key.token.expose(), now() + chrono::Duration::days(10_000))
        .is_ok());
}
