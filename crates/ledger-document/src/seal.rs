//! The seal: one comment line after the PDF's `%%EOF`,
//!
//! ```text
//! %order-ledger-seal v1 contract=<hex utf-8> sha256=<64 hex> key=<64 hex> sig=<128 hex>\n
//! ```
//!
//! where `sha256` is the digest of every byte before the line (the rendered
//! PDF, ending `%%EOF\n`), `key` the ledger's ed25519 public key and `sig` its
//! signature over `"order-ledger-seal v1\n" || sha256 (32 bytes) || "\n" ||
//! contract number`. PDF readers ignore bytes after `%%EOF`, so the sealed file
//! opens as the rendered one does; see docs/DOCUMENTS.md.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// How the seal line starts (the version follows).
pub const SEAL_PREFIX: &str = "%order-ledger-seal ";
const VERSION: &str = "v1";
const DOMAIN: &[u8] = b"order-ledger-seal v1\n";

/// An official document with its seal line appended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedDocument {
    /// The file to hand out: the rendered PDF followed by the seal line.
    pub bytes: Vec<u8>,
    /// SHA-256 of the rendered PDF (the bytes before the seal line): the
    /// hash the ledger records.
    pub sha256: [u8; 32],
    pub signature: [u8; 64],
    /// The public key that signed (its 32 bytes are the key id).
    pub key_id: [u8; 32],
    pub contract_no: String,
}

impl SealedDocument {
    pub fn sha256_hex(&self) -> String {
        hex::encode(self.sha256)
    }
}

/// What a good seal proves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub sha256: [u8; 32],
    pub contract_no: String,
    pub key_id: [u8; 32],
}

impl Verified {
    pub fn sha256_hex(&self) -> String {
        hex::encode(self.sha256)
    }
}

/// Why bytes could not be sealed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("not a rendered pdf (it must start with %PDF- and end with %%EOF and a newline)")]
    NotAPdf,
    #[error("the document is already sealed")]
    AlreadySealed,
    #[error("the contract number is empty")]
    EmptyContractNo,
}

/// Why a copy does not verify. Each names what failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VerifyError {
    #[error("no seal: the file has no order-ledger seal line after its %%EOF (a draft, a preview or an unsealed render)")]
    NoSeal,
    #[error("malformed seal line: {0}")]
    Malformed(String),
    #[error(
        "sealed by another key: the seal names key {sealed_by}, the ledger's key is {expected}"
    )]
    KeyMismatch { sealed_by: String, expected: String },
    #[error("hash mismatch: the seal records sha256 {recorded} but the document hashes to {actual} (the document was altered)")]
    HashMismatch { recorded: String, actual: String },
    #[error("bad signature: the seal's signature does not verify under the ledger's key (the seal line was altered)")]
    BadSignature,
}

fn message(sha256: &[u8; 32], contract_no: &str) -> Vec<u8> {
    let mut m = Vec::with_capacity(DOMAIN.len() + 33 + contract_no.len());
    m.extend_from_slice(DOMAIN);
    m.extend_from_slice(sha256);
    m.push(b'\n');
    m.extend_from_slice(contract_no.as_bytes());
    m
}

/// Where the seal line starts, if the file has one.
fn seal_start(bytes: &[u8]) -> Option<usize> {
    let needle = format!("\n{SEAL_PREFIX}");
    let needle = needle.as_bytes();
    bytes
        .windows(needle.len())
        .rposition(|w| w == needle)
        .map(|p| p + 1)
}

/// Seals a rendered official PDF ([`crate::render`] of an official
/// contract) with the ledger's key. Deterministic: ed25519 signatures are.
pub fn seal(pdf: &[u8], contract_no: &str, key: &SigningKey) -> Result<SealedDocument, SealError> {
    if !pdf.starts_with(b"%PDF-") || !pdf.ends_with(b"%%EOF\n") {
        return Err(SealError::NotAPdf);
    }
    if seal_start(pdf).is_some() {
        return Err(SealError::AlreadySealed);
    }
    if contract_no.is_empty() {
        return Err(SealError::EmptyContractNo);
    }
    let sha256: [u8; 32] = Sha256::digest(pdf).into();
    let signature = key.sign(&message(&sha256, contract_no)).to_bytes();
    let key_id = key.verifying_key().to_bytes();
    let line = format!(
        "{SEAL_PREFIX}{VERSION} contract={} sha256={} key={} sig={}\n",
        hex::encode(contract_no.as_bytes()),
        hex::encode(sha256),
        hex::encode(key_id),
        hex::encode(signature)
    );
    let mut bytes = Vec::with_capacity(pdf.len() + line.len());
    bytes.extend_from_slice(pdf);
    bytes.extend_from_slice(line.as_bytes());
    Ok(SealedDocument {
        bytes,
        sha256,
        signature,
        key_id,
        contract_no: contract_no.to_string(),
    })
}

struct SealLine {
    contract_no: String,
    sha256: [u8; 32],
    key: [u8; 32],
    sig: [u8; 64],
}

fn hex_field<const N: usize>(name: &str, value: &str) -> Result<[u8; N], VerifyError> {
    let raw = hex::decode(value)
        .map_err(|e| VerifyError::Malformed(format!("{name} is not hex: {e}")))?;
    raw.try_into().map_err(|raw: Vec<u8>| {
        VerifyError::Malformed(format!("{name} has {} bytes, expected {N}", raw.len()))
    })
}

fn parse_line(line: &[u8]) -> Result<SealLine, VerifyError> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = std::str::from_utf8(line)
        .map_err(|_| VerifyError::Malformed("the seal line is not utf-8".into()))?;
    let rest = line
        .strip_prefix(SEAL_PREFIX)
        .ok_or_else(|| VerifyError::Malformed("the seal line lost its prefix".into()))?;
    let mut parts = rest.split(' ');
    let version = parts.next().unwrap_or_default();
    if version != VERSION {
        return Err(VerifyError::Malformed(format!(
            "unsupported seal version {version:?} (this build reads {VERSION})"
        )));
    }
    let mut take = |name: &str| -> Result<String, VerifyError> {
        let part = parts
            .next()
            .ok_or_else(|| VerifyError::Malformed(format!("missing {name}")))?;
        part.strip_prefix(name)
            .and_then(|p| p.strip_prefix('='))
            .map(str::to_string)
            .ok_or_else(|| VerifyError::Malformed(format!("expected {name}=…, found {part:?}")))
    };
    let contract_hex = take("contract")?;
    let sha_hex = take("sha256")?;
    let key_hex = take("key")?;
    let sig_hex = take("sig")?;
    if parts.next().is_some() {
        return Err(VerifyError::Malformed("unexpected text after sig".into()));
    }
    let contract_no = hex::decode(&contract_hex)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| VerifyError::Malformed("contract is not hex of utf-8".into()))?;
    Ok(SealLine {
        contract_no,
        sha256: hex_field("sha256", &sha_hex)?,
        key: hex_field("key", &key_hex)?,
        sig: hex_field("sig", &sig_hex)?,
    })
}

/// Checks a downloaded copy: the seal line must parse, name the ledger's
/// key, record the SHA-256 of the bytes before it, and carry a valid
/// signature over that hash and the contract number.
pub fn verify(file: &[u8], key: &VerifyingKey) -> Result<Verified, VerifyError> {
    let start = seal_start(file).ok_or(VerifyError::NoSeal)?;
    let (body, line) = file.split_at(start);
    let seal = parse_line(line)?;
    if !body.starts_with(b"%PDF-") || !body.ends_with(b"%%EOF\n") {
        return Err(VerifyError::Malformed(
            "the bytes before the seal line are not a whole pdf".into(),
        ));
    }
    if seal.key != key.to_bytes() {
        return Err(VerifyError::KeyMismatch {
            sealed_by: hex::encode(seal.key),
            expected: hex::encode(key.to_bytes()),
        });
    }
    let actual: [u8; 32] = Sha256::digest(body).into();
    if actual != seal.sha256 {
        return Err(VerifyError::HashMismatch {
            recorded: hex::encode(seal.sha256),
            actual: hex::encode(actual),
        });
    }
    let signature = Signature::from_bytes(&seal.sig);
    key.verify_strict(&message(&seal.sha256, &seal.contract_no), &signature)
        .map_err(|_| VerifyError::BadSignature)?;
    Ok(Verified {
        sha256: actual,
        contract_no: seal.contract_no,
        key_id: seal.key,
    })
}
