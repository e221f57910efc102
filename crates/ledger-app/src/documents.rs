//! Contract documents: the ledger's side of `ledger-document`.
//!
//! A contract's PDF is rendered from the ledger's own state of the contract
//! and its orders ([`contract_document`]), with nothing that changes after
//! the conversion: the orders as applied for, their products and line-item
//! specifications (fixed when placed), Party A and B as applied for, and
//! the remarks the document was sealed with. So rendering an official
//! contract again reproduces the bytes whose SHA-256 the conversion
//! recorded (`ContractDocumentSealed`), and [`Ledger::contract_document`]
//! checks that it does before handing the copy out.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use ledger_document::{
    Certification, ContractDocument, DocumentKind, DocumentOrder, DocumentStatus, PartyA,
    RemittanceAccount,
};
use ledger_domain::contract::{AppliedContract, ContractStatus, ContractTerms, DocumentSeal};
use ledger_domain::customer::CertificationKind;
use ledger_domain::ids::ContractNo;
use ledger_domain::order::PlacedOrder;
use ledger_domain::{Aggregate, AggregateId, DomainError, State};

pub use ledger_document::{SigningKey, VerifyingKey};

use crate::error::AppError;
use crate::ledger::Ledger;

/// Which document of a contract is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentRequest {
    /// The download: a draft with its watermark, an official contract
    /// sealed; voided and invalid contracts are refused.
    Download,
    /// The download of a draft only (an official contract is refused).
    Draft,
    /// The sealed official copy only (a draft is refused).
    Official,
    /// Any status, with the status printed across the page; never sealed.
    Preview,
}

/// A rendered document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedDocument {
    /// The file to hand out (an official copy ends with its seal line).
    pub bytes: Vec<u8>,
    /// SHA-256 of the rendered PDF, lowercase hex: for an official copy the
    /// hash the ledger recorded (the bytes before the seal line), else of
    /// the whole file.
    pub sha256: String,
    /// The contract's status, as `ContractStatus::name` gives it.
    pub status: &'static str,
}

/// The public key id of a signing key: its ed25519 public key, lowercase hex.
pub fn key_id(key: &VerifyingKey) -> String {
    hex_lower(&key.to_bytes())
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn document_error(e: ledger_document::DocumentError) -> AppError {
    AppError::Document(e.to_string())
}

fn document_status(status: &ContractStatus) -> DocumentStatus {
    match status {
        ContractStatus::Draft => DocumentStatus::Draft,
        ContractStatus::Official { converted_at } => DocumentStatus::Official {
            converted_at: *converted_at,
        },
        ContractStatus::Voided { .. } => DocumentStatus::Voided,
        ContractStatus::Invalid { .. } => DocumentStatus::Invalid,
    }
}

/// The document of `contract` as of `status`, with `remarks`, over its
/// orders' states (`order(id)`; an order the ledger lacks shows no product).
pub fn contract_document<'a>(
    contract: &AppliedContract,
    status: DocumentStatus,
    remarks: &str,
    order: impl Fn(&AggregateId) -> Option<&'a PlacedOrder>,
) -> ContractDocument {
    let subject = contract.subject();
    let payment_request = matches!(contract.terms(), ContractTerms::PaymentRequest { .. });
    let mut currency = String::new();
    let orders = contract
        .orders()
        .iter()
        .map(|o| {
            let placed = order(&AggregateId::Order(o.order_id.clone()));
            if let (Some(p), true) = (placed, currency.is_empty()) {
                currency = p.spec().currency.as_str().to_owned();
            }
            let amount_due = o.amount_due.amount();
            // As applied for: an order contract's orders were paid, a
            // payment request's were not.
            let (paid, unpaid) = if payment_request {
                (Decimal::ZERO, amount_due)
            } else {
                (amount_due, Decimal::ZERO)
            };
            DocumentOrder {
                order_id: o.order_id.as_str().to_owned(),
                product: placed.map_or_else(String::new, |p| p.spec().product_name.clone()),
                configuration: placed.map_or_else(String::new, |p| {
                    p.spec()
                        .line_items
                        .iter()
                        .map(|l| l.spec.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                }),
                amount_due,
                paid,
                unpaid,
                payment_deadline: payment_request.then_some(o.payment_deadline),
            }
        })
        .collect();
    let (valid_from, valid_until) = contract.valid_period();
    ContractDocument {
        contract_no: contract.contract_no().as_str().to_owned(),
        kind: if payment_request {
            DocumentKind::PaymentRequest
        } else {
            DocumentKind::Order
        },
        status,
        party_a: PartyA {
            name: subject.party_a.name.clone(),
            certification: match subject.party_a.kind {
                CertificationKind::Personal => Certification::Personal,
                CertificationKind::Enterprise => Certification::Enterprise,
            },
        },
        party_b: subject.party_b.clone(),
        orders,
        currency,
        valid_from,
        valid_until,
        remarks: remarks.to_owned(),
        remittance_account: match contract.terms() {
            ContractTerms::Order => None,
            ContractTerms::PaymentRequest { remittance_account } => Some(RemittanceAccount {
                bank: remittance_account.bank_name.clone(),
                account_name: remittance_account.account_name.clone(),
                account_no: remittance_account.account_number.clone(),
            }),
        },
        applied_at: contract.applied_at(),
    }
}

fn placed_in<'s>(state: &'s State) -> impl Fn(&AggregateId) -> Option<&'s PlacedOrder> + 's {
    move |id| match id {
        AggregateId::Order(o) => state.order(o).placed(),
        _ => None,
    }
}

/// The seal of the official document a conversion of `no` at `at` makes,
/// rendered from the state the conversion is decided on; `None` when the
/// contract is not a draft (the decider refuses, or repeats nothing).
pub(crate) fn seal_conversion(
    state: &State,
    no: &ContractNo,
    at: DateTime<Utc>,
    key: &SigningKey,
) -> Result<Option<DocumentSeal>, AppError> {
    let Some(contract) = state.contract(no).applied() else {
        return Ok(None);
    };
    if *contract.status() != ContractStatus::Draft {
        return Ok(None);
    }
    let doc = contract_document(
        contract,
        DocumentStatus::Official { converted_at: at },
        contract.remarks(),
        placed_in(state),
    );
    let sealed = ledger_document::render_sealed(&doc, key).map_err(document_error)?;
    Ok(Some(DocumentSeal {
        sha256: hex_lower(&sealed.sha256),
        key_id: hex_lower(&sealed.key_id),
        signature: hex_lower(&sealed.signature),
    }))
}

impl Ledger {
    /// The document `request` asks for of contract `no`, rendered from the
    /// ledger's current state (caught up from the store), with the
    /// contract itself (for its owner). An official copy is rendered as
    /// sealed at conversion and its hash checked against the recorded one.
    pub async fn contract_document(
        &self,
        no: &ContractNo,
        request: DocumentRequest,
    ) -> Result<(AppliedContract, RenderedDocument), AppError> {
        let (_, aggregate) = self.aggregate(&AggregateId::Contract(no.clone())).await?;
        let Aggregate::Contract(c) = aggregate else {
            return Err(AppError::Internal(format!("{no} loaded as another kind")));
        };
        let contract = c
            .applied()
            .cloned()
            .ok_or_else(|| DomainError::ContractNotFound(no.clone()))?;
        let status = contract.status();
        let status_name = status.name();
        match (request, status) {
            (
                DocumentRequest::Download | DocumentRequest::Official,
                ContractStatus::Voided { .. },
            )
            | (
                DocumentRequest::Download | DocumentRequest::Official,
                ContractStatus::Invalid { .. },
            ) => {
                return Err(DomainError::ContractNotDownloadable {
                    contract_no: no.clone(),
                    status: status_name,
                }
                .into())
            }
            (DocumentRequest::Draft, s) if *s != ContractStatus::Draft => {
                return Err(DomainError::ContractNotDraft {
                    contract_no: no.clone(),
                    status: status_name,
                }
                .into())
            }
            (DocumentRequest::Official, ContractStatus::Draft) => {
                return Err(DomainError::ContractNotOfficial {
                    contract_no: no.clone(),
                    status: status_name,
                }
                .into())
            }
            _ => {}
        }
        let mut orders = Vec::with_capacity(contract.orders().len());
        for o in contract.orders() {
            let id = AggregateId::Order(o.order_id.clone());
            let (_, aggregate) = self.aggregate(&id).await?;
            orders.push((id, aggregate));
        }
        let order = |id: &AggregateId| {
            orders
                .iter()
                .find(|(i, _)| i == id)
                .and_then(|(_, a)| match a {
                    Aggregate::Order(o) => o.placed(),
                    _ => None,
                })
        };
        // An official document shows the remarks it was sealed with.
        let remarks = contract
            .document()
            .map_or_else(|| contract.remarks(), |d| d.remarks.as_str());
        let doc = contract_document(&contract, document_status(status), remarks, order);
        let rendered = match (request, status) {
            (DocumentRequest::Preview, _) => ledger_document::preview(&doc),
            _ => ledger_document::render(&doc),
        }
        .map_err(document_error)?;
        let official = matches!(status, ContractStatus::Official { .. });
        let document = if official && request != DocumentRequest::Preview {
            let key = self.document_key().ok_or_else(|| {
                AppError::Document("this ledger has no signing key for documents".into())
            })?;
            let sealed = ledger_document::seal(&rendered, no.as_str(), key)
                .map_err(|e| AppError::Document(e.to_string()))?;
            let sha256 = hex_lower(&sealed.sha256);
            if let Some(recorded) = contract.document() {
                if recorded.seal.sha256 != sha256 {
                    return Err(AppError::Internal(format!(
                        "contract {no}: the document renders to sha256 {sha256}, the log recorded {}",
                        recorded.seal.sha256
                    )));
                }
            }
            RenderedDocument {
                bytes: sealed.bytes,
                sha256,
                status: status_name,
            }
        } else {
            RenderedDocument {
                sha256: sha256_hex(&rendered),
                bytes: rendered,
                status: status_name,
            }
        };
        Ok((contract, document))
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex_lower(&sha2::Sha256::digest(bytes))
}
