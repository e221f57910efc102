//! Older schema versions of stored events, kept as they were stored, and
//! their conversion to the current stored version ([`crate::stored`]),
//! which then converts to the domain's event. Stored bytes are never
//! rewritten: a v1 record decodes through its v1 struct here.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use ledger_domain::Event;

use crate::payload::decode_value;
use crate::stored::catalog::{ChargeType, OrderType, SourceType};
use crate::stored::contract::{
    ContractAppliedV2, ContractOrder, ContractTerms, ContractVoidedV2, PartyADetails, SubjectInfoV2,
};
use crate::stored::customer::RealName;
use crate::stored::order::{LineItem, OrderPlacedV2, OrderSpecV2};
use crate::CodecError;

/// Decodes `(event_type, schema_version)` when it is an older version this
/// crate upcasts; `None` when no such version was ever stored.
pub(crate) fn decode_old(
    event_type: &str,
    schema_version: u16,
    payload: &[u8],
) -> Result<Option<Event>, CodecError> {
    Ok(Some(match (event_type, schema_version) {
        ("OrderPlaced", 1) => Event::OrderPlaced(
            OrderPlacedV2::from(decode_value::<OrderPlacedV1>(payload)?).try_into()?,
        ),
        ("ContractApplied", 1) => Event::ContractApplied(
            ContractAppliedV2::from(decode_value::<ContractAppliedV1>(payload)?).try_into()?,
        ),
        ("ContractVoided", 1) => Event::ContractVoided(
            ContractVoidedV2::from(decode_value::<ContractVoidedV1>(payload)?).try_into()?,
        ),
        _ => return Ok(None),
    }))
}

/// `OrderSpec` before the sales contract (`OrderPlaced` v1).
#[derive(Deserialize)]
struct OrderSpecV1 {
    order_id: String,
    customer_id: String,
    base_order_id: Option<String>,
    source_type: SourceType,
    product_name: String,
    service_type_code: String,
    order_type: OrderType,
    charge_type: ChargeType,
    currency: String,
    line_items: Vec<LineItem>,
    instance_ids: Vec<String>,
    amount_due: String,
}

#[derive(Deserialize)]
struct OrderPlacedV1 {
    spec: OrderSpecV1,
    placed_at: DateTime<Utc>,
    payment_deadline: DateTime<Utc>,
}

impl From<OrderPlacedV1> for OrderPlacedV2 {
    fn from(v1: OrderPlacedV1) -> Self {
        let s = v1.spec;
        OrderPlacedV2 {
            spec: OrderSpecV2 {
                order_id: s.order_id,
                customer_id: s.customer_id,
                base_order_id: s.base_order_id,
                source_type: s.source_type,
                product_name: s.product_name,
                service_type_code: s.service_type_code,
                order_type: s.order_type,
                charge_type: s.charge_type,
                currency: s.currency,
                line_items: s.line_items,
                instance_ids: s.instance_ids,
                amount_due: s.amount_due,
                sales_contract_id: None,
            },
            placed_at: v1.placed_at,
            payment_deadline: v1.payment_deadline,
        }
    }
}

/// `SubjectInfo` before Party A's details (`ContractApplied` v1).
#[derive(Deserialize)]
struct SubjectInfoV1 {
    party_a: RealName,
    party_b: String,
}

#[derive(Deserialize)]
struct ContractAppliedV1 {
    contract_no: String,
    customer_id: String,
    terms: ContractTerms,
    orders: Vec<ContractOrder>,
    subject: SubjectInfoV1,
    remarks: String,
    applied_at: DateTime<Utc>,
}

impl From<ContractAppliedV1> for ContractAppliedV2 {
    fn from(v1: ContractAppliedV1) -> Self {
        ContractAppliedV2 {
            contract_no: v1.contract_no,
            customer_id: v1.customer_id,
            terms: v1.terms,
            orders: v1.orders,
            subject: SubjectInfoV2 {
                party_a: v1.subject.party_a,
                party_a_details: PartyADetails {
                    address: String::new(),
                    contact_name: String::new(),
                    contact_phone: String::new(),
                    tax_id: String::new(),
                },
                party_b: v1.subject.party_b,
            },
            remarks: v1.remarks,
            applied_at: v1.applied_at,
        }
    }
}

/// `ContractVoided` before the ticket.
#[derive(Deserialize)]
struct ContractVoidedV1 {
    contract_no: String,
    voided_at: DateTime<Utc>,
}

impl From<ContractVoidedV1> for ContractVoidedV2 {
    fn from(v1: ContractVoidedV1) -> Self {
        ContractVoidedV2 {
            contract_no: v1.contract_no,
            voided_at: v1.voided_at,
            ticket: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::{decode_event, encode_event, encode_value};
    use ledger_domain::catalog::{ChargeType, OrderType, SourceType};
    use ledger_domain::contract::{
        ContractOrder, ContractTerms, ContractVoided, PartyADetails, VoidTicket,
    };
    use ledger_domain::customer::{CertificationKind, RealName};
    use ledger_domain::ids::{ContractNo, CustomerId, OrderId, ServiceTypeCode};
    use ledger_domain::money::Currency;
    use ledger_domain::order::{OrderPlaced, OrderSpec};

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    // A v1 record is the v2 struct's bytes without the field v2 appended, so
    // encoding today's event and dropping that field's bytes gives exactly
    // what the old code stored.

    #[test]
    fn a_v1_contract_voided_decodes_without_a_ticket() {
        let v1 =
            encode_value(&(ContractNo::new("EC1").unwrap(), at("2024-11-22T08:05:00Z"))).unwrap();
        let Event::ContractVoided(e) = decode_event("ContractVoided", 1, &v1).unwrap() else {
            panic!("not a ContractVoided")
        };
        assert_eq!(e.ticket, None);
        assert_eq!(e.voided_at, at("2024-11-22T08:05:00Z"));
        // v2 is v1 followed by the ticket.
        let v2 = Event::ContractVoided(ContractVoided {
            ticket: Some(VoidTicket {
                ticket_id: "T-1".parse().unwrap(),
                reason: "duplicate".into(),
            }),
            ..e
        });
        let (_, version, bytes) = encode_event(&v2).unwrap();
        assert_eq!(version, 2);
        assert!(bytes.starts_with(&v1));
        assert_eq!(decode_event("ContractVoided", 2, &bytes).unwrap(), v2);
    }

    #[test]
    fn a_v1_contract_applied_decodes_with_empty_party_a_details() {
        let party_a = RealName {
            name: "Example Co.".into(),
            kind: CertificationKind::Enterprise,
        };
        let v1 = encode_value(&(
            ContractNo::new("EC1").unwrap(),
            CustomerId::new("d75298").unwrap(),
            ContractTerms::Order,
            Vec::<ContractOrder>::new(),
            (party_a.clone(), "Provider Ltd.".to_owned()),
            "remarks".to_owned(),
            at("2024-11-22T08:05:00Z"),
        ))
        .unwrap();
        let Event::ContractApplied(e) = decode_event("ContractApplied", 1, &v1).unwrap() else {
            panic!("not a ContractApplied")
        };
        assert_eq!(e.subject.party_a, party_a);
        assert_eq!(e.subject.party_a_details, PartyADetails::default());
        assert_eq!(e.subject.party_b, "Provider Ltd.");
        assert_eq!(e.remarks, "remarks");
    }

    #[test]
    fn a_v1_order_placed_decodes_without_a_sales_contract() {
        let spec = OrderSpec {
            order_id: OrderId::new("CS1").unwrap(),
            customer_id: CustomerId::new("d75298").unwrap(),
            base_order_id: None,
            source_type: SourceType::Customer,
            product_name: "Cloud Server".into(),
            service_type_code: ServiceTypeCode::new("hws.service.type.ebs").unwrap(),
            order_type: OrderType::Purchase,
            charge_type: ChargeType::Subscription,
            currency: Currency::new("USD").unwrap(),
            line_items: vec![],
            instance_ids: vec![],
            amount_due: "3".parse().unwrap(),
            sales_contract_id: None,
        };
        let placed = OrderPlaced {
            spec: spec.clone(),
            placed_at: at("2024-11-22T08:05:00Z"),
            payment_deadline: at("2024-11-29T08:05:00Z"),
        };
        let (_, version, v2) = encode_event(&Event::OrderPlaced(placed.clone())).unwrap();
        assert_eq!(version, 2);
        // v1 lacks the spec's last field (`None`: one zero byte).
        let spec_len = encode_value(&spec).unwrap().len();
        assert_eq!(v2[spec_len - 1], 0);
        let v1: Vec<u8> = [&v2[..spec_len - 1], &v2[spec_len..]].concat();
        assert_eq!(
            decode_event("OrderPlaced", 1, &v1).unwrap(),
            Event::OrderPlaced(placed)
        );
    }

    #[test]
    fn unknown_versions_are_refused_not_guessed() {
        assert!(decode_event("ContractVoided", 3, &[]).is_err());
        assert!(decode_event("OrderPaid", 2, &[]).is_err());
    }
}
