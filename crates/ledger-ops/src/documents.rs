//! Verifying a downloaded official contract document against the log
//! (`order-ledger contract verify`).

use ledger_codec::payload::decode_event;
use ledger_domain::contract::DocumentSeal;
use ledger_domain::ids::ContractNo;
use ledger_domain::AggregateId;
use ledger_domain::Event;
use ledger_store::{DynStore, Position};

use crate::history::history;

use crate::data_dir::{DataDir, OpsError};

/// What a good copy proved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedCopy {
    pub contract_no: ContractNo,
    /// SHA-256 of the document, lowercase hex, as the log recorded it.
    pub sha256: String,
    /// The ledger's key id (its ed25519 public key, lowercase hex).
    pub key_id: String,
    /// Where the log recorded the seal.
    pub position: Position,
}

/// The `ContractDocumentSealed` event of contract `no` recording `sha256`,
/// if any. Reads only that contract's stream (a handful of records), never
/// the whole log: verifying a copy costs the same at 10M events as at 10.
pub async fn find_seal(
    store: &DynStore,
    no: &ContractNo,
    sha256: &str,
) -> Result<Option<(Position, ContractNo, DocumentSeal)>, OpsError> {
    let stream = ledger_app::streams::stream_id(&AggregateId::Contract(no.clone()));
    for r in history(store, &stream).await? {
        if r.event_type != "ContractDocumentSealed" {
            continue;
        }
        if let Event::ContractDocumentSealed(e) =
            decode_event(&r.event_type, r.schema_version, &r.payload)?
        {
            if e.seal.sha256 == sha256 {
                return Ok(Some((r.position, e.contract_no, e.seal)));
            }
        }
    }
    Ok(None)
}

/// Checks a downloaded copy: its seal verifies under the data directory's
/// document key, and the log recorded its SHA-256 for the same contract
/// (with the same key and signature) when it was converted.
pub async fn verify_copy(dir: &DataDir, file: &[u8]) -> Result<VerifiedCopy, OpsError> {
    let key = dir.document_public_key()?;
    let ok = ledger_document::verify(file, &key).map_err(|e| OpsError::Rejected(e.to_string()))?;
    let sha256 = ok.sha256_hex();
    let no: ContractNo = ok.contract_no.parse().map_err(|_| {
        OpsError::Rejected(format!(
            "the seal names {:?}, which is not a contract number",
            ok.contract_no
        ))
    })?;
    let store: DynStore = dir.open_existing_store()?;
    let found = find_seal(&store, &no, &sha256).await?;
    let Some((position, contract_no, seal)) = found else {
        return Err(OpsError::Rejected(format!(
            "sha256 {sha256} is not recorded in the log for contract {no}: it was not sealed with this document"
        )));
    };
    if contract_no.as_str() != ok.contract_no {
        return Err(OpsError::Rejected(format!(
            "the seal names contract {}, the log recorded this document for contract {contract_no}",
            ok.contract_no
        )));
    }
    let key_id = hex::encode(ok.key_id);
    if seal.key_id != key_id {
        return Err(OpsError::Rejected(format!(
            "the log recorded key {} for this document, the copy is sealed by {key_id}",
            seal.key_id
        )));
    }
    Ok(VerifiedCopy {
        contract_no,
        sha256,
        key_id,
        position,
    })
}
