//! order-ledger's contract documents.
//!
//! [`render`] turns a [`ContractDocument`] into PDF bytes, deterministically:
//! the same contract state gives the same bytes, so the SHA-256 that the ledger
//! records for an official document can be reproduced. [`preview`] renders any
//! status with the status printed across the page; [`render`] refuses voided
//! and invalid contracts ([`DocumentError::NotDownloadable`]).
//!
//! [`seal`] (or [`render_sealed`]) appends the ledger's ed25519 signature over
//! the document's SHA-256 after the PDF's `%%EOF`; [`verify`] checks a
//! downloaded copy with nothing but the file and the ledger's public key. The
//! scheme is described in `docs/DOCUMENTS.md`.
//!
//! Text is set in WenQuanYi Micro Hei (embedded, subset to the glyphs used),
//! so Chinese names and remarks render on any machine.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

mod font;
mod layout;
mod pdf;
mod pdf_table;
mod seal;

pub use ed25519_dalek::{SigningKey, VerifyingKey};
pub use seal::{seal, verify, SealError, SealedDocument, Verified, VerifyError, SEAL_PREFIX};

/// Which contract this is: an order contract, or a payment request (which
/// also shows each order's unpaid amount and deadline, and the customer's
/// exclusive remittance account).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    Order,
    PaymentRequest,
}

/// The contract's state as the ledger knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentStatus {
    /// Not yet converted: downloadable with a "DRAFT" watermark, no seal.
    Draft,
    /// Converted to an official contract at `converted_at`: sealed and signed.
    Official { converted_at: DateTime<Utc> },
    /// Voided: preview only.
    Voided,
    /// Invalid (e.g. expired before conversion): preview only.
    Invalid,
}

impl DocumentStatus {
    /// The status as printed on the document and in errors.
    pub fn label(&self) -> &'static str {
        match self {
            DocumentStatus::Draft => "draft",
            DocumentStatus::Official { .. } => "official",
            DocumentStatus::Voided => "voided",
            DocumentStatus::Invalid => "invalid",
        }
    }
}

impl std::fmt::Display for DocumentStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// How Party A's real name was certified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Certification {
    Personal,
    Enterprise,
}

/// Party A: the customer, under the real name it certified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyA {
    pub name: String,
    pub certification: Certification,
}

/// One order on the contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentOrder {
    pub order_id: String,
    pub product: String,
    pub configuration: String,
    pub amount_due: Decimal,
    pub paid: Decimal,
    pub unpaid: Decimal,
    /// Shown for a payment-request contract.
    pub payment_deadline: Option<DateTime<Utc>>,
}

/// The customer's exclusive remittance account (payment-request contracts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemittanceAccount {
    pub bank: String,
    pub account_name: String,
    pub account_no: String,
}

/// Everything the document shows. A plain value: the caller maps the ledger's
/// contract projection onto it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractDocument {
    pub contract_no: String,
    pub kind: DocumentKind,
    pub status: DocumentStatus,
    pub party_a: PartyA,
    /// Party B: the provider (its name is also the seal's).
    pub party_b: String,
    pub orders: Vec<DocumentOrder>,
    /// ISO code printed after every amount, e.g. "CNY".
    pub currency: String,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
    pub remarks: String,
    pub remittance_account: Option<RemittanceAccount>,
    /// When the contract was applied for; the PDF's creation date.
    pub applied_at: DateTime<Utc>,
}

/// Why a document could not be rendered.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DocumentError {
    #[error("a {status} contract cannot be downloaded (preview shows its status)")]
    NotDownloadable { status: DocumentStatus },
    #[error("only an official contract can be sealed; this one is {status}")]
    NotOfficial { status: DocumentStatus },
    #[error("the embedded font has no glyph for {ch:?} (u+{code:04x}) in {field}")]
    MissingGlyph {
        ch: char,
        code: u32,
        field: &'static str,
    },
    #[error("the order totals overflow a decimal")]
    TotalsOverflow,
    #[error("the embedded font could not be read or subset: {0}")]
    Font(String),
    #[error("sealing failed: {0}")]
    Seal(#[from] SealError),
}

/// Renders the contract for download: drafts carry the draft watermark,
/// official contracts the seal and conversion time (seal the bytes with
/// [`seal`] to add the signature). Voided and invalid contracts are refused.
pub fn render(doc: &ContractDocument) -> Result<Vec<u8>, DocumentError> {
    match doc.status {
        DocumentStatus::Voided | DocumentStatus::Invalid => {
            Err(DocumentError::NotDownloadable { status: doc.status })
        }
        DocumentStatus::Draft | DocumentStatus::Official { .. } => pdf::build(doc),
    }
}

/// Renders the contract whatever its status, with the status printed across
/// every page ("DRAFT — not sealed, no legal effect", "VOIDED", "INVALID").
/// An official contract previews exactly as [`render`] gives it.
pub fn preview(doc: &ContractDocument) -> Result<Vec<u8>, DocumentError> {
    pdf::build(doc)
}

/// Renders an official contract and seals it with the ledger's key.
pub fn render_sealed(
    doc: &ContractDocument,
    key: &SigningKey,
) -> Result<SealedDocument, DocumentError> {
    match doc.status {
        DocumentStatus::Official { .. } => {
            let body = render(doc)?;
            Ok(seal(&body, &doc.contract_no, key)?)
        }
        DocumentStatus::Draft => Err(DocumentError::NotOfficial { status: doc.status }),
        DocumentStatus::Voided | DocumentStatus::Invalid => {
            Err(DocumentError::NotDownloadable { status: doc.status })
        }
    }
}
