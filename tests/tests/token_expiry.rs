//! Issue 9: keys expire. An expired key is refused on every face with
//! Huawei's "token expired" (401 CBC.0154, gRPC UNAUTHENTICATED
//! `token_expired`), its token and its signatures alike; time comes from
//! the server's injected clock, never from sleeping.

use chrono::Duration;
use ledger_app::Clock as _;
use ledger_auth::Role;
use ledger_server::pb;
use reqwest::Method;
use tests::server::{assert_refused, Signer, TestServer};
use tonic::Code;

const CUSTOMER: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

async fn rest_status(server: &TestServer, token: &str) -> (u16, serde_json::Value) {
    let res = reqwest::Client::new()
        .get(format!(
            "{}/v1/customers/{CUSTOMER}/orders",
            server.http_url()
        ))
        .header("X-Auth-Token", token)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or_default())
}

#[tokio::test]
async fn an_expired_key_is_refused_with_cbc_0154_on_every_face() {
    let server = TestServer::start().await;
    let role = Role::Customer {
        domain_id: CUSTOMER.parse().unwrap(),
    };
    let key = server.create_key_with_ttl(role, Some(Duration::days(1)));
    let forever = server.create_key_with_ttl(Role::Operator, None);
    let token = key.token.expose();
    let signer = Signer::new(server.http_url(), key.clone(), CUSTOMER);
    let signed = |at| signer.request(Method::GET, "/v2/orders/customer-orders?limit=5", None, at);

    // One second before the expiry: every face answers.
    server
        .clock
        .advance(Duration::days(1) - Duration::seconds(1));
    assert_eq!(rest_status(&server, token).await.0, 200);
    let now = server.clock.now();
    assert_eq!(signed(now).send().await.unwrap().status(), 200);
    let mut queries = server.queries(token).await;
    let list = pb::ListOrdersRequest {
        customer_id: CUSTOMER.into(),
        ..Default::default()
    };
    queries.list_orders(list.clone()).await.expect("listed");

    // At the expiry: the token over REST and gRPC, and signatures.
    server.clock.advance(Duration::seconds(1));
    let (status, body) = rest_status(&server, token).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error_code"], "CBC.0154");
    assert_eq!(body["code"], "token_expired");
    let res = signed(server.clock.now()).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error_code"], "CBC.0154");
    let err = queries.list_orders(list.clone()).await.unwrap_err();
    assert_refused(&err, Code::Unauthenticated, "token_expired");

    // A key without expiry still works a long time after.
    server.clock.advance(Duration::days(3650));
    assert_eq!(rest_status(&server, forever.token.expose()).await.0, 200);
    // An unknown token stays the plain authentication failure.
    let (status, body) = rest_status(&server, "olt_unknown").await;
    assert_eq!((status, &body["error_code"]), (403, &"CBC.0155".into()));
    server.shutdown().await;
}
