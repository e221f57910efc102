//! Contract values, commands, events and state.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::customer::{CertificationKind, RealName, RemittanceAccount};
use crate::ids::{ContractNo, CustomerId, OrderId, TicketId};
use crate::money::Money;
use crate::Event;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ContractKind {
    /// For paid orders: archival material.
    Order,
    /// For unpaid orders: supporting material for payment requests.
    PaymentRequest,
}

/// What kind of contract, with what only that kind carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContractTerms {
    Order,
    PaymentRequest {
        remittance_account: RemittanceAccount,
    },
}

impl ContractTerms {
    pub fn kind(&self) -> ContractKind {
        match self {
            ContractTerms::Order => ContractKind::Order,
            ContractTerms::PaymentRequest { .. } => ContractKind::PaymentRequest,
        }
    }
}

/// What the customer "manually supplements" about Party A (the seed's
/// contract subject information). Each field may be empty (not given).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyADetails {
    pub address: String,
    pub contact_name: String,
    pub contact_phone: String,
    /// A company's tax id (unified social credit code); a company's only.
    pub tax_id: String,
}

/// Party B when the ledger's configuration names none: the provider's
/// contracting entity for international customers.
pub const DEFAULT_PARTY_B: &str = "Cloud Computing (Singapore) Pte. Ltd.";

/// The parties. Party A is the customer's certified real name (with its
/// certification kind), never typed in; Party B is the provider's legal
/// entity from the ledger's configuration, never typed in by the customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectInfo {
    pub party_a: RealName,
    pub party_a_details: PartyADetails,
    /// The provider's contracting entity.
    pub party_b: String,
}

/// Why an official contract was voided: the ticket an operator handles
/// (the seed: "If you void it, please submit a ticket for processing").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoidTicket {
    pub ticket_id: TicketId,
    pub reason: String,
}

/// An associated order as it was when the contract was applied for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractOrder {
    pub order_id: OrderId,
    pub amount_due: Money,
    pub payment_deadline: DateTime<Utc>,
    pub service_start: Option<DateTime<Utc>>,
    pub service_end: Option<DateTime<Utc>>,
}

// ---- Commands ---------------------------------------------------------------

/// The faces fill `contract_no` with [`ContractNo::assigned`] and `party_b`
/// with the ledger's configured legal entity: neither is the caller's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyContract {
    pub contract_no: ContractNo,
    pub customer_id: CustomerId,
    pub kind: ContractKind,
    pub order_ids: Vec<OrderId>,
    /// Whether Party A is a person or a company, as the customer says;
    /// `None`: as certified. Must agree with the certification.
    pub party_a_kind: Option<CertificationKind>,
    pub party_a_details: PartyADetails,
    pub party_b: String,
    pub remarks: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConvertContract {
    pub contract_no: ContractNo,
    /// The official document as the application layer rendered and sealed
    /// it for this conversion (`None` from the faces: the application
    /// fills it in, the caller cannot). Recorded as
    /// [`ContractDocumentSealed`] in the conversion's append. Skipped when
    /// absent, so a face's command serializes (and fingerprints) as it did
    /// before documents were sealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<DocumentSeal>,
}

impl ConvertContract {
    /// A conversion as a face sends it: the document is the ledger's to add.
    pub fn new(contract_no: ContractNo) -> ConvertContract {
        ConvertContract {
            contract_no,
            document: None,
        }
    }
}

/// The seal of an official contract document: the SHA-256 of the rendered
/// PDF, and the ledger's ed25519 key id (its public key) and signature, all
/// lowercase hex (64, 64 and 128 digits).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentSeal {
    pub sha256: String,
    pub key_id: String,
    pub signature: String,
}

impl DocumentSeal {
    /// Whether every field is lowercase hex of its length.
    pub fn is_well_formed(&self) -> bool {
        let hex = |s: &str, n: usize| {
            s.len() == n
                && s.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        };
        hex(&self.sha256, 64) && hex(&self.key_id, 64) && hex(&self.signature, 128)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoidContract {
    pub contract_no: ContractNo,
    /// Required to void an official contract; optional for a draft.
    pub ticket: Option<VoidTicket>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditContractRemarks {
    pub contract_no: ContractNo,
    pub remarks: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvalidateContract {
    pub contract_no: ContractNo,
}

// ---- Events -----------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractApplied {
    pub contract_no: ContractNo,
    pub customer_id: CustomerId,
    pub terms: ContractTerms,
    pub orders: Vec<ContractOrder>,
    pub subject: SubjectInfo,
    pub remarks: String,
    pub applied_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractConverted {
    pub contract_no: ContractNo,
    pub converted_at: DateTime<Utc>,
}

/// The official document sealed at a conversion: appended with
/// [`ContractConverted`], so the log proves which document was sealed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractDocumentSealed {
    pub contract_no: ContractNo,
    pub seal: DocumentSeal,
    pub sealed_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractVoided {
    pub contract_no: ContractNo,
    pub voided_at: DateTime<Utc>,
    /// Schema version 2: the ticket of an operator's void.
    pub ticket: Option<VoidTicket>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractRemarksEdited {
    pub contract_no: ContractNo,
    pub remarks: String,
    pub edited_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractInvalidated {
    pub contract_no: ContractNo,
    /// The unpaid order whose deadline passed.
    pub overdue_order: OrderId,
    /// That order's deadline (the timer's effective time).
    pub invalidated_at: DateTime<Utc>,
}

// ---- State ------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContractStatus {
    Draft,
    Official {
        converted_at: DateTime<Utc>,
    },
    Voided {
        voided_at: DateTime<Utc>,
        converted_at: Option<DateTime<Utc>>,
        ticket: Option<VoidTicket>,
    },
    Invalid {
        invalidated_at: DateTime<Utc>,
        converted_at: Option<DateTime<Utc>>,
    },
}

impl ContractStatus {
    pub fn name(&self) -> &'static str {
        match self {
            ContractStatus::Draft => "draft",
            ContractStatus::Official { .. } => "official",
            ContractStatus::Voided { .. } => "voided",
            ContractStatus::Invalid { .. } => "invalid",
        }
    }

    /// Draft and Official contracts hold their orders.
    pub fn is_live(&self) -> bool {
        matches!(
            self,
            ContractStatus::Draft | ContractStatus::Official { .. }
        )
    }

    pub fn converted_at(&self) -> Option<DateTime<Utc>> {
        match self {
            ContractStatus::Draft => None,
            ContractStatus::Official { converted_at } => Some(*converted_at),
            ContractStatus::Voided { converted_at, .. }
            | ContractStatus::Invalid { converted_at, .. } => *converted_at,
        }
    }
}

/// A contract's state. `Absent` is the initial state.
// Absent is the transient initial state; boxing the common case buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Contract {
    #[default]
    Absent,
    Applied(AppliedContract),
}

/// An applied contract. Serializable so read models can keep it as is and
/// evolve it with the decider's own `evolve`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedContract {
    applied: ContractApplied,
    remarks: String,
    status: ContractStatus,
    /// The official document's seal, once recorded.
    document: Option<SealedDocument>,
}

/// An official document as recorded: its seal, and the remarks it was
/// rendered with (remarks may be edited after conversion; the sealed
/// document keeps the ones it was sealed with).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedDocument {
    pub seal: DocumentSeal,
    pub remarks: String,
    pub sealed_at: DateTime<Utc>,
}

impl AppliedContract {
    pub fn contract_no(&self) -> &ContractNo {
        &self.applied.contract_no
    }
    pub fn customer_id(&self) -> &CustomerId {
        &self.applied.customer_id
    }
    pub fn terms(&self) -> &ContractTerms {
        &self.applied.terms
    }
    pub fn orders(&self) -> &[ContractOrder] {
        &self.applied.orders
    }
    pub fn subject(&self) -> &SubjectInfo {
        &self.applied.subject
    }
    pub fn remarks(&self) -> &str {
        &self.remarks
    }
    pub fn applied_at(&self) -> DateTime<Utc> {
        self.applied.applied_at
    }
    pub fn status(&self) -> &ContractStatus {
        &self.status
    }
    /// The official document's recorded seal (none for a draft, and for a
    /// contract converted before documents were sealed).
    pub fn document(&self) -> Option<&SealedDocument> {
        self.document.as_ref()
    }
    /// The application as recorded (for idempotent repeats).
    pub fn application(&self) -> &ContractApplied {
        &self.applied
    }
    /// Valid period. Order contract: the service period of its orders.
    /// Payment-request contract: from conversion to official until the
    /// earliest payment deadline of its orders.
    pub fn valid_period(&self) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        let orders = &self.applied.orders;
        match self.applied.terms {
            ContractTerms::Order => (
                orders.iter().filter_map(|o| o.service_start).min(),
                orders.iter().filter_map(|o| o.service_end).max(),
            ),
            ContractTerms::PaymentRequest { .. } => (
                self.status.converted_at(),
                orders.iter().map(|o| o.payment_deadline).min(),
            ),
        }
    }
}

impl Contract {
    pub fn applied(&self) -> Option<&AppliedContract> {
        match self {
            Contract::Absent => None,
            Contract::Applied(c) => Some(c),
        }
    }

    pub fn evolve(self, event: &Event) -> Contract {
        let mut c = match (self, event) {
            (Contract::Absent, Event::ContractApplied(e)) => {
                return Contract::Applied(AppliedContract {
                    remarks: e.remarks.clone(),
                    applied: e.clone(),
                    status: ContractStatus::Draft,
                    document: None,
                })
            }
            (Contract::Applied(c), _) => c,
            (Contract::Absent, e) => panic!("{} applied to an absent contract", e.name()),
        };
        match event {
            Event::ContractConverted(e) => {
                c.status = ContractStatus::Official {
                    converted_at: e.converted_at,
                }
            }
            Event::ContractDocumentSealed(e) => {
                c.document = Some(SealedDocument {
                    seal: e.seal.clone(),
                    remarks: c.remarks.clone(),
                    sealed_at: e.sealed_at,
                })
            }
            Event::ContractVoided(e) => {
                c.status = ContractStatus::Voided {
                    voided_at: e.voided_at,
                    converted_at: c.status.converted_at(),
                    ticket: e.ticket.clone(),
                }
            }
            Event::ContractInvalidated(e) => {
                c.status = ContractStatus::Invalid {
                    invalidated_at: e.invalidated_at,
                    converted_at: c.status.converted_at(),
                }
            }
            Event::ContractRemarksEdited(e) => c.remarks = e.remarks.clone(),
            other => panic!(
                "{} applied to contract {}",
                other.name(),
                c.applied.contract_no
            ),
        }
        Contract::Applied(c)
    }
}
