//! Contract documents end to end (issue 13): the PDF download and preview
//! over REST and gRPC from the real server, read back with a text
//! extractor; the seal the conversion records against the downloaded copy.

use ledger_app::CommandMeta;
use ledger_auth::{Credentials, Role};
use ledger_codec::Position;
use ledger_domain::contract::ContractKind;
use ledger_domain::{Aggregate, AggregateId, Command};
use ledger_ops::DataDir;
use ledger_server::pb;
use sha2::{Digest, Sha256};
use std::time::Duration;
use tests::server::{assert_refused, TestServer};
use tests::{apply_contract, onboard, pay_order, place_order, service};
use tonic::Code;

const ME: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

async fn run(server: &TestServer, id: &str, command: Command) {
    let name = command.name();
    server
        .state()
        .ledger
        .execute(command, CommandMeta::new(id, service()))
        .await
        .unwrap_or_else(|e| panic!("{name} refused: {e}"));
}

/// ME with two paid orders in draft HTDOC1, and CSDOC3 in draft HTDOC2.
async fn world() -> (TestServer, Credentials) {
    let server = TestServer::start().await;
    for (i, c) in onboard(ME).into_iter().enumerate() {
        run(&server, &format!("onboard-{i}"), c).await;
    }
    for o in ["CSDOC1", "CSDOC2", "CSDOC3"] {
        run(
            &server,
            &format!("place-{o}"),
            Command::PlaceOrder(place_order(ME, o)),
        )
        .await;
        let pay = pay_order(o, &format!("PAY-{o}"));
        run(&server, &format!("pay-{o}"), Command::PayOrder(pay)).await;
    }
    let apply = apply_contract(ME, "HTDOC1", ContractKind::Order, &["CSDOC1", "CSDOC2"]);
    run(&server, "apply-1", Command::ApplyContract(apply)).await;
    let apply = apply_contract(ME, "HTDOC2", ContractKind::Order, &["CSDOC3"]);
    run(&server, "apply-2", Command::ApplyContract(apply)).await;
    let head = server.state().store.head().position;
    let names: Vec<&str> = server.state().projector.names().collect();
    server
        .state()
        .projector
        .wait_for(&names, Position(head.0), Duration::from_secs(10))
        .await
        .expect("read models catch up");
    let me = server.create_key(Role::Customer {
        domain_id: ME.parse().unwrap(),
    });
    (server, me)
}

struct Got {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

async fn request(server: &TestServer, me: &Credentials, method: &str, path: &str) -> Got {
    let res = reqwest::Client::new()
        .request(
            method.parse().unwrap(),
            format!("{}{path}", server.http_url()),
        )
        .header("X-Auth-Token", me.token.expose())
        .send()
        .await
        .expect("http answers");
    Got {
        status: res.status().as_u16(),
        headers: res.headers().clone(),
        body: res.bytes().await.expect("a body").to_vec(),
    }
}

fn v1(rest: &str) -> String {
    format!("/v1/customers/{ME}/contracts/{rest}")
}

/// The PDF's text, whitespace removed.
fn text(pdf: &[u8]) -> String {
    let raw = pdf_extract::extract_text_from_mem(pdf).expect("the pdf reads back");
    raw.chars().filter(|c| !c.is_whitespace()).collect()
}

fn assert_has(text: &str, want: &str) {
    let want: String = want.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(text.contains(&want), "missing {want:?} in:\n{text}");
}

fn header<'a>(got: &'a Got, name: &str) -> &'a str {
    got.headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

async fn recorded_seal(server: &TestServer, no: &str) -> ledger_domain::contract::DocumentSeal {
    let (_, aggregate) = server
        .state()
        .ledger
        .aggregate(&AggregateId::Contract(no.parse().unwrap()))
        .await
        .unwrap();
    let Aggregate::Contract(c) = aggregate else {
        panic!("not a contract")
    };
    c.applied()
        .and_then(|c| c.document())
        .expect("the conversion recorded the document's seal")
        .seal
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_downloads_with_its_watermark_and_its_fields() {
    let (server, me) = world().await;
    let got = request(&server, &me, "GET", &v1("HTDOC1/document.pdf")).await;
    assert_eq!(got.status, 200);
    assert_eq!(header(&got, "content-type"), "application/pdf");
    assert_eq!(
        header(&got, "content-disposition"),
        "attachment; filename=\"HTDOC1.pdf\""
    );
    assert_eq!(
        header(&got, "x-document-sha256"),
        hex::encode(Sha256::digest(&got.body))
    );
    let t = text(&got.body);
    assert_has(&t, "HTDOC1");
    assert_has(&t, &format!("{ME} Technology Co., Ltd."));
    assert_has(&t, "CSDOC1");
    assert_has(&t, "CSDOC2");
    assert_has(&t, "Elastic Volume Service");
    assert_has(
        &t,
        "应付 amount due 170.00 USD; 已付 paid 170.00 USD; 未付 unpaid 0.00 USD",
    );
    assert_has(&t, "DRAFT — not sealed, no legal effect");
    // A draft has no seal to verify.
    let key = DataDir::new(server.dir.path())
        .document_public_key()
        .unwrap();
    assert_eq!(
        ledger_document::verify(&got.body, &key),
        Err(ledger_document::VerifyError::NoSeal)
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_copy_is_the_document_whose_hash_the_conversion_recorded() {
    let (mut server, me) = world().await;
    let converted = request(&server, &me, "POST", &v1("HTDOC1/convert")).await;
    assert_eq!(
        converted.status,
        200,
        "{}",
        String::from_utf8_lossy(&converted.body)
    );
    let events: serde_json::Value = serde_json::from_slice(&converted.body).unwrap();
    assert_eq!(
        events["events"],
        serde_json::json!(["ContractConverted", "ContractDocumentSealed"])
    );
    let seal = recorded_seal(&server, "HTDOC1").await;
    let key = DataDir::new(server.dir.path())
        .document_public_key()
        .unwrap();
    assert_eq!(seal.key_id, hex::encode(key.to_bytes()));

    let got = request(&server, &me, "GET", &v1("HTDOC1/document.pdf")).await;
    assert_eq!(got.status, 200);
    let ok = ledger_document::verify(&got.body, &key).expect("the copy verifies");
    assert_eq!(ok.contract_no, "HTDOC1");
    assert_eq!(
        ok.sha256_hex(),
        seal.sha256,
        "the recorded hash is the copy's"
    );
    assert_eq!(header(&got, "x-document-sha256"), seal.sha256);
    // The recorded hash is the SHA-256 of the downloaded PDF before its seal line.
    let line = got
        .body
        .windows(20)
        .rposition(|w| w == b"\n%order-ledger-seal ")
        .expect("a seal line")
        + 1;
    assert_eq!(hex::encode(Sha256::digest(&got.body[..line])), seal.sha256);
    let t = text(&got.body);
    assert_has(&t, "HTDOC1");
    assert_has(&t, "合同专用章");
    assert!(
        !t.contains("DRAFT"),
        "an official copy has no draft watermark"
    );

    // Remarks edited after conversion leave the sealed document as it was.
    let res = reqwest::Client::new()
        .put(format!("{}{}", server.http_url(), v1("HTDOC1/remarks")))
        .header("X-Auth-Token", me.token.expose())
        .header("Content-Type", "application/json")
        .body(r#"{"remarks":"edited after sealing"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let again = request(&server, &me, "GET", &v1("HTDOC1/document.pdf")).await;
    assert_eq!(again.body, got.body, "the official copy does not change");

    // gRPC answers the same file, and after a restart so does REST (same key).
    let mut q = server.queries(me.token.expose()).await;
    let reply = q
        .get_contract_document(pb::GetContractDocumentRequest {
            customer_id: ME.into(),
            contract_no: "HTDOC1".into(),
            kind: pb::ContractDocumentKind::Official as i32,
        })
        .await
        .expect("the official copy")
        .into_inner();
    assert_eq!(reply.pdf, got.body);
    assert_eq!(reply.sha256, seal.sha256);
    assert_eq!(reply.status, "official");
    assert_eq!(reply.file_name, "HTDOC1.pdf");
    let err = q
        .get_contract_document(pb::GetContractDocumentRequest {
            customer_id: ME.into(),
            contract_no: "HTDOC1".into(),
            kind: pb::ContractDocumentKind::Draft as i32,
        })
        .await
        .expect_err("not a draft any more");
    assert_refused(&err, Code::FailedPrecondition, "contract_not_draft");
    let err = q
        .get_contract_document(pb::GetContractDocumentRequest {
            customer_id: ME.into(),
            contract_no: "HTDOC2".into(),
            kind: pb::ContractDocumentKind::Official as i32,
        })
        .await
        .expect_err("a draft has no official copy");
    assert_refused(&err, Code::FailedPrecondition, "contract_not_official");

    server.restart().await;
    let after = request(&server, &me, "GET", &v1("HTDOC1/document.pdf")).await;
    assert_eq!(after.body, got.body, "the same copy after a restart");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_voided_contract_is_refused_for_download_and_previews_its_status() {
    let (server, me) = world().await;
    let voided = request(&server, &me, "POST", &v1("HTDOC2/void")).await;
    assert_eq!(voided.status, 200);
    let got = request(&server, &me, "GET", &v1("HTDOC2/document.pdf")).await;
    assert_eq!(got.status, 409);
    let body: serde_json::Value = serde_json::from_slice(&got.body).unwrap();
    assert_eq!(body["code"], "contract_not_downloadable", "{body}");
    assert_eq!(body["error_code"], "CBC.0101", "{body}");
    let msg = body["error_msg"].as_str().unwrap_or_default();
    assert!(msg.starts_with("contract HTDOC2 is voided"), "{body}");

    let preview = request(&server, &me, "GET", &v1("HTDOC2/preview.pdf")).await;
    assert_eq!(preview.status, 200);
    assert_eq!(
        header(&preview, "content-disposition"),
        "attachment; filename=\"HTDOC2-preview.pdf\""
    );
    let t = text(&preview.body);
    assert_has(&t, "HTDOC2");
    assert_has(&t, "VOIDED");

    // The views say so.
    let detail = request(&server, &me, "GET", &v1("HTDOC2")).await;
    let detail: serde_json::Value = serde_json::from_slice(&detail.body).unwrap();
    assert_eq!(detail["operations"]["download"], false);
    assert_eq!(detail["operations"]["preview"], true);

    let mut q = server.queries(me.token.expose()).await;
    let err = q
        .get_contract_document(pb::GetContractDocumentRequest {
            customer_id: ME.into(),
            contract_no: "HTDOC2".into(),
            kind: pb::ContractDocumentKind::Official as i32,
        })
        .await
        .expect_err("refused");
    assert_refused(&err, Code::FailedPrecondition, "contract_not_downloadable");
    server.shutdown().await;
}
