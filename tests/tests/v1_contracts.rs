//! The `/v1` contract resources end to end: apply, edit remarks, convert,
//! void (by the customer for a draft, by an operator for an official
//! contract), and what each does to the orders.

mod v1_support;

use reqwest::Method;
use serde_json::json;
use v1_support::*;

#[tokio::test]
async fn a_contract_is_applied_converted_and_voided_over_rest() {
    let s = seeded().await;
    let rest = Rest::new(&s.server, &s.customer);
    let contracts = format!("/v1/customers/{A}/contracts");
    let body = json!({
        "kind": "order",
        "order_ids": ["CS0001", "CS0002"],
        "party_a": {
            "address": "1 Keji Road, Shenzhen",
            "contact_name": "Li Lei",
            "contact_phone": "+86 755 0000 0000",
            "tax_id": "91440300MA5XXXXXX1",
        },
        "remarks": "for the audit",
    });
    let applied = rest
        .post(&contracts, Some("apply-1"), Some(body.clone()))
        .await;
    assert_eq!(applied.status, 201, "{}", applied.text);
    let a = applied.json();
    let no = a["contract"]["contract_no"].as_str().unwrap().to_owned();
    assert!(no.starts_with("EC"), "{no}");
    assert_eq!(
        applied.headers["location"].to_str().unwrap(),
        format!("{contracts}/{no}")
    );
    assert_eq!(a["deduplicated"], false);
    assert_eq!(a["events"][0], "ContractApplied");
    assert_eq!(a["contract"]["status"], "draft");
    assert_eq!(a["contract"]["status_name"], "Draft contract");
    assert_eq!(a["contract"]["kind_name"], "Order contract");
    assert_eq!(a["contract"]["order_ids"], json!(["CS0001", "CS0002"]));
    assert_eq!(a["contract"]["remarks"], "for the audit");
    assert_eq!(
        a["contract"]["subject"]["party_a"]["name"],
        format!("{A} Technology Co., Ltd.")
    );
    // Seed: Party A "consistent with your real-name certification name",
    // with the subject details the customer "manually supplements"; Party
    // B is the provider's, from the ledger's configuration.
    let party_a = &a["contract"]["subject"]["party_a"];
    assert_eq!(party_a["kind"], "enterprise");
    assert_eq!(party_a["address"], "1 Keji Road, Shenzhen");
    assert_eq!(party_a["contact_name"], "Li Lei");
    assert_eq!(party_a["tax_id"], "91440300MA5XXXXXX1");
    assert_eq!(
        a["contract"]["subject"]["party_b"],
        ledger_domain::contract::DEFAULT_PARTY_B
    );
    assert_eq!(a["contract"]["operations"]["convert"], true);
    assert!(applied.position() >= a["position"].as_u64().unwrap());

    // A retry with the same key is the same contract, recorded once.
    let again = rest.post(&contracts, Some("apply-1"), Some(body)).await;
    assert_eq!(again.status, 201, "{}", again.text);
    assert_eq!(again.json()["deduplicated"], true);
    assert_eq!(again.json()["contract"]["contract_no"], no.as_str());
    let list = rest.get(&contracts).await.ok();
    assert_eq!(list["total"], 1);
    assert_eq!(list["contracts"][0]["order_count"], 2);
    // The orders are taken: no longer eligible, and the details say where.
    let eligible = rest
        .get(&format!("/v1/customers/{A}/eligible-orders?kind=order"))
        .await
        .ok();
    assert_eq!(eligible["total"], 0);
    let order = rest
        .get(&format!("/v1/customers/{A}/orders/CS0001"))
        .await
        .ok();
    assert_eq!(order["contract_no"], no.as_str());

    let contract = format!("{contracts}/{no}");
    let remarks = rest
        .send(
            Method::PUT,
            &format!("{contract}/remarks"),
            None,
            Some(json!({"remarks": "renamed"})),
        )
        .await
        .ok();
    assert_eq!(remarks["contract"]["remarks"], "renamed");
    let converted = rest
        .post(&format!("{contract}/convert"), None, None)
        .await
        .ok();
    assert_eq!(converted["contract"]["status"], "official");
    assert_eq!(
        converted["contract"]["converted_at"],
        "2024-11-22T08:00:00Z"
    );
    assert_eq!(converted["contract"]["operations"]["void_by_ticket"], true);
    // An official contract is voided only by an operator.
    rest.post(&format!("{contract}/void"), None, None)
        .await
        .assert_refused(403, "CBC.0151", "official_contract_needs_operator");
    // Seed: "if you need to void an official contract, please submit a
    // ticket": the operator's void names the ticket and the reason.
    let operator = Rest::new(&s.server, &s.operator);
    operator
        .post(&format!("{contract}/void"), Some("void-0"), None)
        .await
        .assert_refused(400, "CBC.0101", "void_ticket_required");
    let ticket = json!({"ticket_id": "TK-20241122-0042", "reason": "wrong entity on the contract"});
    let voided = operator
        .post(&format!("{contract}/void"), Some("void-1"), Some(ticket))
        .await
        .ok();
    assert_eq!(voided["contract"]["status"], "voided");
    assert_eq!(
        voided["contract"]["void_ticket"],
        json!({"ticket_id": "TK-20241122-0042", "reason": "wrong entity on the contract"})
    );
    assert_eq!(voided["contract"]["voided_at"], "2024-11-22T08:00:00Z");
    assert_eq!(voided["contract"]["operations"]["download"], false);
    // Voiding released the orders.
    let eligible = rest
        .get(&format!("/v1/customers/{A}/eligible-orders?kind=order"))
        .await
        .ok();
    assert_eq!(eligible["total"], 2);
    let drafts = rest.get(&format!("{contracts}?status=draft")).await.ok();
    assert_eq!(drafts["total"], 0);
    let voided = rest.get(&format!("{contracts}?status=voided")).await.ok();
    assert_eq!(voided["total"], 1);
    s.server.shutdown().await;
}

#[tokio::test]
async fn a_customer_voids_its_own_draft_payment_request_contract() {
    let s = seeded().await;
    let rest = Rest::new(&s.server, &s.customer);
    let contracts = format!("/v1/customers/{A}/contracts");
    // The contract number and Party B are the provider's: a body that
    // chooses either is refused, and nothing is recorded.
    for (field, value) in [
        ("contract_no", "PR-2024-0001"),
        ("party_b", "Customer's Own Cloud Ltd."),
    ] {
        let mut bad = json!({"kind": "payment_request", "order_ids": ["CS0003", "CS0005"]});
        bad[field] = json!(value);
        let refused = rest
            .post(&contracts, Some(&format!("apply-{field}")), Some(bad))
            .await;
        assert_eq!(refused.status, 400, "{}", refused.text);
        assert_eq!(refused.json()["code"], "invalid_parameter");
        assert!(refused.text.contains(field), "{}", refused.text);
    }
    // Party A's kind must agree with the certification: A is certified as
    // an enterprise, so it cannot sign as a person (the domain's rule; the
    // seed's "if Party A is a company name, please first complete
    // Enterprise Real-name Certification" is its converse).
    let as_person = json!({
        "kind": "payment_request",
        "order_ids": ["CS0003"],
        "party_a_kind": "personal",
    });
    rest.post(&contracts, Some("apply-person"), Some(as_person))
        .await
        .assert_refused(400, "CBC.0101", "party_a_not_a_person");
    assert_eq!(rest.get(&contracts).await.ok()["total"], 0);
    let body = json!({
        "kind": "payment_request",
        "order_ids": ["CS0003", "CS0005"],
    });
    let applied = rest.post(&contracts, Some("apply-pr"), Some(body)).await;
    assert_eq!(applied.status, 201, "{}", applied.text);
    let c = &applied.json()["contract"];
    let no = c["contract_no"].as_str().unwrap().to_owned();
    assert_eq!(no.len(), 22, "{no}");
    assert_eq!(c["remittance_account"]["bank_name"], "China Merchants Bank");
    assert_eq!(c["orders"][0]["amount_due"], "85.00");
    assert_eq!(c["valid_period"]["to"], "2024-11-26T08:00:00Z");
    let kinds = rest
        .get(&format!("{contracts}?kind=payment_request"))
        .await
        .ok();
    assert_eq!(kinds["total"], 1);
    let voided = rest
        .post(&format!("{contracts}/{no}/void"), None, None)
        .await
        .ok();
    assert_eq!(voided["contract"]["status"], "voided");
    s.server.shutdown().await;
}
