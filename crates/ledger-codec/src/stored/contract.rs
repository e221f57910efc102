//! The contract aggregate's events as stored.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use ledger_domain::contract as domain;

use super::customer::{RealName, RemittanceAccount};
use super::{parse, try_all};
use crate::CodecError;

/// What kind of contract, with what only that kind carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContractTerms {
    Order,
    PaymentRequest {
        remittance_account: RemittanceAccount,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyADetails {
    pub address: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub tax_id: String,
}

/// `SubjectInfo` since `ContractApplied` v2 (v1 lacks Party A's details).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectInfoV2 {
    pub party_a: RealName,
    pub party_a_details: PartyADetails,
    pub party_b: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoidTicket {
    pub ticket_id: String,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractOrder {
    pub order_id: String,
    pub amount_due: String,
    pub payment_deadline: DateTime<Utc>,
    pub service_start: Option<DateTime<Utc>>,
    pub service_end: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentSeal {
    pub sha256: String,
    pub key_id: String,
    pub signature: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractAppliedV2 {
    pub contract_no: String,
    pub customer_id: String,
    pub terms: ContractTerms,
    pub orders: Vec<ContractOrder>,
    pub subject: SubjectInfoV2,
    pub remarks: String,
    pub applied_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractConvertedV1 {
    pub contract_no: String,
    pub converted_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractDocumentSealedV1 {
    pub contract_no: String,
    pub seal: DocumentSeal,
    pub sealed_at: DateTime<Utc>,
}

/// Since v2: the ticket of an operator's void (v1 ends at `voided_at`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractVoidedV2 {
    pub contract_no: String,
    pub voided_at: DateTime<Utc>,
    pub ticket: Option<VoidTicket>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractRemarksEditedV1 {
    pub contract_no: String,
    pub remarks: String,
    pub edited_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractInvalidatedV1 {
    pub contract_no: String,
    pub overdue_order: String,
    pub invalidated_at: DateTime<Utc>,
}

// ---- Domain to stored -------------------------------------------------------

impl From<&domain::ContractTerms> for ContractTerms {
    fn from(t: &domain::ContractTerms) -> Self {
        match t {
            domain::ContractTerms::Order => ContractTerms::Order,
            domain::ContractTerms::PaymentRequest { remittance_account } => {
                ContractTerms::PaymentRequest {
                    remittance_account: remittance_account.into(),
                }
            }
        }
    }
}

impl From<&domain::PartyADetails> for PartyADetails {
    fn from(d: &domain::PartyADetails) -> Self {
        let domain::PartyADetails {
            address,
            contact_name,
            contact_phone,
            tax_id,
        } = d;
        PartyADetails {
            address: address.clone(),
            contact_name: contact_name.clone(),
            contact_phone: contact_phone.clone(),
            tax_id: tax_id.clone(),
        }
    }
}

impl From<&domain::VoidTicket> for VoidTicket {
    fn from(t: &domain::VoidTicket) -> Self {
        let domain::VoidTicket { ticket_id, reason } = t;
        VoidTicket {
            ticket_id: ticket_id.to_string(),
            reason: reason.clone(),
        }
    }
}

impl From<&domain::ContractOrder> for ContractOrder {
    fn from(o: &domain::ContractOrder) -> Self {
        let domain::ContractOrder {
            order_id,
            amount_due,
            payment_deadline,
            service_start,
            service_end,
        } = o;
        ContractOrder {
            order_id: order_id.to_string(),
            amount_due: amount_due.to_string(),
            payment_deadline: *payment_deadline,
            service_start: *service_start,
            service_end: *service_end,
        }
    }
}

impl From<&domain::DocumentSeal> for DocumentSeal {
    fn from(s: &domain::DocumentSeal) -> Self {
        let domain::DocumentSeal {
            sha256,
            key_id,
            signature,
        } = s;
        DocumentSeal {
            sha256: sha256.clone(),
            key_id: key_id.clone(),
            signature: signature.clone(),
        }
    }
}

impl From<&domain::SubjectInfo> for SubjectInfoV2 {
    fn from(s: &domain::SubjectInfo) -> Self {
        let domain::SubjectInfo {
            party_a,
            party_a_details,
            party_b,
        } = s;
        SubjectInfoV2 {
            party_a: party_a.into(),
            party_a_details: party_a_details.into(),
            party_b: party_b.clone(),
        }
    }
}

impl From<&domain::ContractApplied> for ContractAppliedV2 {
    fn from(e: &domain::ContractApplied) -> Self {
        let domain::ContractApplied {
            contract_no,
            customer_id,
            terms,
            orders,
            subject,
            remarks,
            applied_at,
        } = e;
        ContractAppliedV2 {
            contract_no: contract_no.to_string(),
            customer_id: customer_id.to_string(),
            terms: terms.into(),
            orders: orders.iter().map(ContractOrder::from).collect(),
            subject: subject.into(),
            remarks: remarks.clone(),
            applied_at: *applied_at,
        }
    }
}

impl From<&domain::ContractConverted> for ContractConvertedV1 {
    fn from(e: &domain::ContractConverted) -> Self {
        let domain::ContractConverted {
            contract_no,
            converted_at,
        } = e;
        ContractConvertedV1 {
            contract_no: contract_no.to_string(),
            converted_at: *converted_at,
        }
    }
}

impl From<&domain::ContractDocumentSealed> for ContractDocumentSealedV1 {
    fn from(e: &domain::ContractDocumentSealed) -> Self {
        let domain::ContractDocumentSealed {
            contract_no,
            seal,
            sealed_at,
        } = e;
        ContractDocumentSealedV1 {
            contract_no: contract_no.to_string(),
            seal: seal.into(),
            sealed_at: *sealed_at,
        }
    }
}

impl From<&domain::ContractVoided> for ContractVoidedV2 {
    fn from(e: &domain::ContractVoided) -> Self {
        let domain::ContractVoided {
            contract_no,
            voided_at,
            ticket,
        } = e;
        ContractVoidedV2 {
            contract_no: contract_no.to_string(),
            voided_at: *voided_at,
            ticket: ticket.as_ref().map(VoidTicket::from),
        }
    }
}

impl From<&domain::ContractRemarksEdited> for ContractRemarksEditedV1 {
    fn from(e: &domain::ContractRemarksEdited) -> Self {
        let domain::ContractRemarksEdited {
            contract_no,
            remarks,
            edited_at,
        } = e;
        ContractRemarksEditedV1 {
            contract_no: contract_no.to_string(),
            remarks: remarks.clone(),
            edited_at: *edited_at,
        }
    }
}

impl From<&domain::ContractInvalidated> for ContractInvalidatedV1 {
    fn from(e: &domain::ContractInvalidated) -> Self {
        let domain::ContractInvalidated {
            contract_no,
            overdue_order,
            invalidated_at,
        } = e;
        ContractInvalidatedV1 {
            contract_no: contract_no.to_string(),
            overdue_order: overdue_order.to_string(),
            invalidated_at: *invalidated_at,
        }
    }
}

// ---- Stored to domain -------------------------------------------------------

impl From<ContractTerms> for domain::ContractTerms {
    fn from(t: ContractTerms) -> Self {
        match t {
            ContractTerms::Order => domain::ContractTerms::Order,
            ContractTerms::PaymentRequest { remittance_account } => {
                domain::ContractTerms::PaymentRequest {
                    remittance_account: remittance_account.into(),
                }
            }
        }
    }
}

impl From<PartyADetails> for domain::PartyADetails {
    fn from(d: PartyADetails) -> Self {
        domain::PartyADetails {
            address: d.address,
            contact_name: d.contact_name,
            contact_phone: d.contact_phone,
            tax_id: d.tax_id,
        }
    }
}

impl TryFrom<VoidTicket> for domain::VoidTicket {
    type Error = CodecError;
    fn try_from(t: VoidTicket) -> Result<Self, CodecError> {
        Ok(domain::VoidTicket {
            ticket_id: parse(&t.ticket_id)?,
            reason: t.reason,
        })
    }
}

impl TryFrom<ContractOrder> for domain::ContractOrder {
    type Error = CodecError;
    fn try_from(o: ContractOrder) -> Result<Self, CodecError> {
        Ok(domain::ContractOrder {
            order_id: parse(&o.order_id)?,
            amount_due: parse(&o.amount_due)?,
            payment_deadline: o.payment_deadline,
            service_start: o.service_start,
            service_end: o.service_end,
        })
    }
}

impl From<DocumentSeal> for domain::DocumentSeal {
    fn from(s: DocumentSeal) -> Self {
        domain::DocumentSeal {
            sha256: s.sha256,
            key_id: s.key_id,
            signature: s.signature,
        }
    }
}

impl TryFrom<ContractAppliedV2> for domain::ContractApplied {
    type Error = CodecError;
    fn try_from(e: ContractAppliedV2) -> Result<Self, CodecError> {
        Ok(domain::ContractApplied {
            contract_no: parse(&e.contract_no)?,
            customer_id: parse(&e.customer_id)?,
            terms: e.terms.into(),
            orders: try_all(e.orders)?,
            subject: domain::SubjectInfo {
                party_a: e.subject.party_a.into(),
                party_a_details: e.subject.party_a_details.into(),
                party_b: e.subject.party_b,
            },
            remarks: e.remarks,
            applied_at: e.applied_at,
        })
    }
}

impl TryFrom<ContractConvertedV1> for domain::ContractConverted {
    type Error = CodecError;
    fn try_from(e: ContractConvertedV1) -> Result<Self, CodecError> {
        Ok(domain::ContractConverted {
            contract_no: parse(&e.contract_no)?,
            converted_at: e.converted_at,
        })
    }
}

impl TryFrom<ContractDocumentSealedV1> for domain::ContractDocumentSealed {
    type Error = CodecError;
    fn try_from(e: ContractDocumentSealedV1) -> Result<Self, CodecError> {
        Ok(domain::ContractDocumentSealed {
            contract_no: parse(&e.contract_no)?,
            seal: e.seal.into(),
            sealed_at: e.sealed_at,
        })
    }
}

impl TryFrom<ContractVoidedV2> for domain::ContractVoided {
    type Error = CodecError;
    fn try_from(e: ContractVoidedV2) -> Result<Self, CodecError> {
        Ok(domain::ContractVoided {
            contract_no: parse(&e.contract_no)?,
            voided_at: e.voided_at,
            ticket: e.ticket.map(TryInto::try_into).transpose()?,
        })
    }
}

impl TryFrom<ContractRemarksEditedV1> for domain::ContractRemarksEdited {
    type Error = CodecError;
    fn try_from(e: ContractRemarksEditedV1) -> Result<Self, CodecError> {
        Ok(domain::ContractRemarksEdited {
            contract_no: parse(&e.contract_no)?,
            remarks: e.remarks,
            edited_at: e.edited_at,
        })
    }
}

impl TryFrom<ContractInvalidatedV1> for domain::ContractInvalidated {
    type Error = CodecError;
    fn try_from(e: ContractInvalidatedV1) -> Result<Self, CodecError> {
        Ok(domain::ContractInvalidated {
            contract_no: parse(&e.contract_no)?,
            overdue_order: parse(&e.overdue_order)?,
            invalidated_at: e.invalidated_at,
        })
    }
}
