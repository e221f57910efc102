//! Seed fidelity on the real server (port 0): what the seeds say the
//! provider decides — the contract number, Party B, the ticket of an
//! official void, the sales contract of an order and the Huawei codes of a
//! compensation order — seen through gRPC, REST /v1 and the Huawei API.

mod huawei_common;

use huawei_common::{customer_client, get};
use ledger_auth::Role;
use ledger_domain::contract::DEFAULT_PARTY_B;
use ledger_domain::ids::{ContractNo, CustomerId};
use ledger_server::pb;
use tests::server::{assert_refused, pb_header, pb_onboard, pb_place_order, TestServer};

const A: &str = "custa0001";

/// Seed (Huawei `contractId`): "when an account manager places an order on
/// behalf of the customer in accordance with the contract, the contract
/// information will be displayed"; and a compensation order is Huawei
/// `sourceType` 7 with `orderType` 1, never a renewal (2).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_huawei_views_show_the_sales_contract_and_compensation_codes() {
    let server = TestServer::start().await;
    let service = server.create_key(Role::Service);
    let mut commands = server.commands(service.token.expose()).await;
    pb_onboard(&mut commands, A).await;
    let mut under_contract = pb_place_order("place-sc", A, "CSSC0001");
    under_contract.sales_contract_id = "SC-2024-88".into();
    commands.place_order(under_contract).await.expect("placed");
    let mut compensation = pb_place_order("place-cp", A, "CSCP0001");
    compensation.order_type = pb::OrderType::Compensation as i32;
    compensation.source_type = 7;
    commands.place_order(compensation).await.expect("placed");
    // A compensation order from any other source is refused.
    let mut wrong = pb_place_order("place-cp2", A, "CSCP0002");
    wrong.order_type = pb::OrderType::Compensation as i32;
    let refused = commands.place_order(wrong).await.unwrap_err();
    assert_refused(
        &refused,
        tonic::Code::InvalidArgument,
        "source_type_mismatch",
    );

    let a = customer_client(&server, A);
    let details = |order: &str| format!("/v2/orders/customer-orders/details/{order}");
    let d = get(&server, &a, &details("CSSC0001")).await;
    let info = &d.assert_ok()["order_info"];
    assert_eq!(info["contract_id"], "SC-2024-88");
    let old = get(
        &server,
        &a,
        &format!("/v1.0/{A}/common/order-mgr/orders/CSSC0001"),
    )
    .await;
    assert_eq!(old.assert_ok()["orderInfo"]["contractId"], "SC-2024-88");
    let d = get(&server, &a, &details("CSCP0001")).await;
    let info = &d.assert_ok()["order_info"];
    assert_eq!(info["source_type"], 7);
    assert_eq!(info["order_type"], 1);
    assert_eq!(info["contract_id"], serde_json::Value::Null);
    server.shutdown().await;
}

/// Seed: Party A is the customer "consistent with your real-name
/// certification name"; the official contract is "stamped with the special
/// seal for contract of" the provider; "if you need to void an official
/// contract, please submit a ticket". Over gRPC the ledger assigns the
/// number and Party B, and the operator's void carries the ticket.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_grpc_the_ledger_assigns_the_number_and_an_official_void_needs_a_ticket() {
    let server = TestServer::start().await;
    let service = server.create_key(Role::Service);
    let mut commands = server.commands(service.token.expose()).await;
    pb_onboard(&mut commands, A).await;
    commands
        .place_order(pb_place_order("place-1", A, "CSA0001"))
        .await
        .expect("placed");
    commands
        .pay_order(pb::PayOrderRequest {
            header: Some(pb_header("pay-1")),
            order_id: "CSA0001".into(),
            payment_id: "PAY-1".into(),
            amount: "85.00".into(),
            vouchers: vec![],
        })
        .await
        .expect("paid");

    let customer = server.create_key(Role::Customer {
        domain_id: A.parse().unwrap(),
    });
    let mut mine = server.commands(customer.token.expose()).await;
    let applied = mine
        .apply_contract(pb::ApplyContractRequest {
            header: Some(pb_header("apply-1")),
            customer_id: A.into(),
            kind: pb::ContractKind::Order as i32,
            order_ids: vec!["CSA0001".into()],
            remarks: String::new(),
            party_a_kind: pb::CertificationKind::Enterprise as i32,
            party_a: Some(pb::PartyADetails {
                address: "1 Keji Road, Shenzhen".into(),
                contact_name: "Li Lei".into(),
                contact_phone: "+86 755 0000 0000".into(),
                tax_id: "91440300MA5XXXXXX1".into(),
            }),
        })
        .await
        .expect("applied")
        .into_inner();
    let customer_id: CustomerId = A.parse().unwrap();
    let no = ContractNo::assigned(&customer_id, "apply-1");
    assert_eq!(applied.contract_no, no.to_string());
    mine.convert_contract(pb::ConvertContractRequest {
        header: Some(pb_header("convert-1")),
        contract_no: no.to_string(),
    })
    .await
    .expect("converted");

    let operator = server.create_key(Role::Operator);
    let mut ops = server.commands(operator.token.expose()).await;
    let void = |id: &str, ticket: &str, reason: &str| pb::VoidContractRequest {
        header: Some(pb_header(id)),
        contract_no: no.to_string(),
        ticket_id: ticket.into(),
        void_reason: reason.into(),
    };
    let refused = ops.void_contract(void("void-0", "", "")).await.unwrap_err();
    assert_refused(
        &refused,
        tonic::Code::InvalidArgument,
        "void_ticket_required",
    );
    ops.void_contract(void("void-1", "TK-0042", "wrong entity"))
        .await
        .expect("voided");

    let mut queries = server.queries(customer.token.expose()).await;
    let c = queries
        .get_contract(pb::GetContractRequest {
            customer_id: A.into(),
            contract_no: no.to_string(),
            min_position: 0,
        })
        .await
        .expect("contract")
        .into_inner()
        .contract
        .expect("the typed contract");
    let subject = c.subject.as_ref().expect("the parties");
    assert_eq!(subject.party_b, DEFAULT_PARTY_B);
    let party_a = subject.party_a.as_ref().expect("party a");
    assert_eq!(party_a.kind(), pb::CertificationKind::Enterprise);
    assert_eq!(party_a.contact_name, "Li Lei");
    assert_eq!(c.status(), pb::ContractStatus::Voided);
    assert_eq!(
        c.void_ticket,
        Some(pb::VoidTicket {
            ticket_id: "TK-0042".into(),
            reason: "wrong entity".into(),
        })
    );
    server.shutdown().await;
}
