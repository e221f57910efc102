//! Signed tree heads, inclusion and consistency proofs over the `merkle`
//! view, and checking a proof file offline (no data directory). The
//! design, the canonical signed bytes and the file formats are in
//! docs/PROOFS.md.

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use serde_json::{json, Value};

use ledger_codec::Position;
use ledger_merkle::{
    consistency_proof, inclusion_proof, leaf_hash, root, verify_consistency, verify_inclusion,
    ConsistencyProof, Hash, InclusionProof, MerkleError, TreeHead,
};
use ledger_projections::merkle::{self, need_record, with_proof_source, ProofSourceError, MERKLE};
use ledger_projections::Projector;
use ledger_store::DynStore;

use crate::data_dir::{DataDir, OpsError};
use crate::log_key::{log_key_id, parse_public_key};

/// What the signature covers starts with this (domain separation).
pub const SIGNED_HEAD_CONTEXT: &[u8] = b"order-ledger signed tree head v1\n";
pub const HEAD_FORMAT: &str = "order-ledger/signed-tree-head/v1";
pub const INCLUSION_FORMAT: &str = "order-ledger/inclusion-proof/v1";
pub const CONSISTENCY_FORMAT: &str = "order-ledger/consistency-proof/v1";
/// Largest proof file `check-proof` reads.
pub const MAX_PROOF_FILE_BYTES: u64 = 1 << 20;

/// A tree head signed with the log key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedHead {
    pub tree_size: u64,
    pub root: Hash,
    /// The log position the tree ends at (equal to `tree_size`: positions
    /// are gap-free from 1) and that record's chain hash (zero when empty).
    pub log_position: u64,
    pub log_hash: Hash,
    /// When it was signed, milliseconds since the Unix epoch.
    pub timestamp_ms: i64,
    pub key_id: [u8; 8],
    /// Not signed (the key id is): the key that signed, for convenience.
    pub public_key: VerifyingKey,
    pub signature: Signature,
}

/// The canonical bytes a head's signature covers: the context, then
/// `tree_size` (u64 BE), `root` (32), `log_position` (u64 BE), `log_hash`
/// (32), `timestamp_ms` (i64 BE), `key_id` (8): 33 + 96 = 129 bytes.
pub fn signed_bytes(
    head: &TreeHead,
    log_position: u64,
    log_hash: &Hash,
    timestamp_ms: i64,
    key_id: &[u8; 8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(SIGNED_HEAD_CONTEXT.len() + 96);
    out.extend_from_slice(SIGNED_HEAD_CONTEXT);
    out.extend_from_slice(&head.size.to_be_bytes());
    out.extend_from_slice(&head.root);
    out.extend_from_slice(&log_position.to_be_bytes());
    out.extend_from_slice(log_hash);
    out.extend_from_slice(&timestamp_ms.to_be_bytes());
    out.extend_from_slice(key_id);
    out
}

fn key_id_bytes(key: &VerifyingKey) -> [u8; 8] {
    let mut id = [0u8; 8];
    hex::decode_to_slice(log_key_id(key), &mut id).expect("16 hex digits");
    id
}

impl SignedHead {
    pub fn sign(head: TreeHead, log_hash: Hash, at: DateTime<Utc>, key: &SigningKey) -> SignedHead {
        let public_key = key.verifying_key();
        let key_id = key_id_bytes(&public_key);
        let timestamp_ms = at.timestamp_millis();
        let bytes = signed_bytes(&head, head.size, &log_hash, timestamp_ms, &key_id);
        SignedHead {
            tree_size: head.size,
            root: head.root,
            log_position: head.size,
            log_hash,
            timestamp_ms,
            key_id,
            public_key,
            signature: key.sign(&bytes),
        }
    }

    pub fn tree_head(&self) -> TreeHead {
        TreeHead {
            size: self.tree_size,
            root: self.root,
        }
    }

    /// Checks the signature, under `pinned` when given (the head's key must
    /// be one of them), else under the key the head names.
    pub fn verify(&self, pinned: &[VerifyingKey]) -> Result<(), String> {
        let key = if pinned.is_empty() {
            self.public_key
        } else {
            *pinned
                .iter()
                .find(|k| key_id_bytes(k) == self.key_id)
                .ok_or_else(|| {
                    format!(
                        "the head was signed by key {}, not one of the keys given",
                        hex::encode(self.key_id)
                    )
                })?
        };
        if key_id_bytes(&key) != self.key_id {
            return Err("the head's key id is not its public key's".into());
        }
        if self.log_position != self.tree_size {
            return Err("the head's log position is not its tree size".into());
        }
        let bytes = signed_bytes(
            &self.tree_head(),
            self.log_position,
            &self.log_hash,
            self.timestamp_ms,
            &self.key_id,
        );
        key.verify(&bytes, &self.signature)
            .map_err(|_| "the head's signature does not verify".to_owned())
    }

    pub fn to_json(&self) -> Value {
        json!({
            "format": HEAD_FORMAT,
            "tree_size": self.tree_size,
            "root": hex::encode(self.root),
            "log_position": self.log_position,
            "log_hash": hex::encode(self.log_hash),
            "timestamp_ms": self.timestamp_ms,
            "time": DateTime::<Utc>::from_timestamp_millis(self.timestamp_ms)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
            "key_id": hex::encode(self.key_id),
            "public_key": hex::encode(self.public_key.as_bytes()),
            "signature": hex::encode(self.signature.to_bytes()),
        })
    }

    pub fn from_json(v: &Value) -> Result<SignedHead, String> {
        if v.get("format").and_then(Value::as_str) != Some(HEAD_FORMAT) {
            return Err(format!("not a signed tree head ({HEAD_FORMAT})"));
        }
        let key_id: [u8; 8] = hex_field(v, "key_id")?;
        let public_key =
            parse_public_key(&str_field(v, "public_key")?).map_err(|e| e.to_string())?;
        let signature: [u8; 64] = hex_field(v, "signature")?;
        let timestamp_ms = v
            .get("timestamp_ms")
            .and_then(Value::as_i64)
            .ok_or("timestamp_ms: not an integer")?;
        // `time` is not signed (`timestamp_ms` is): it must say the same.
        if let Some(time) = v.get("time").filter(|t| !t.is_null()) {
            let said = DateTime::<Utc>::from_timestamp_millis(timestamp_ms)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
            if time.as_str() != said.as_deref() {
                return Err("time: not the signed timestamp_ms".into());
            }
        }
        Ok(SignedHead {
            tree_size: u64_field(v, "tree_size")?,
            root: hex_field(v, "root")?,
            log_position: u64_field(v, "log_position")?,
            log_hash: hex_field(v, "log_hash")?,
            timestamp_ms,
            key_id,
            public_key,
            signature: Signature::from_bytes(&signature),
        })
    }
}

fn str_field(v: &Value, name: &str) -> Result<String, String> {
    v.get(name)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("{name}: missing or not a string"))
}

fn u64_field(v: &Value, name: &str) -> Result<u64, String> {
    v.get(name)
        .and_then(Value::as_u64)
        .ok_or_else(|| format!("{name}: missing or not a whole number"))
}

fn hex_field<const N: usize>(v: &Value, name: &str) -> Result<[u8; N], String> {
    parse_hex(&str_field(v, name)?).map_err(|e| format!("{name}: {e}"))
}

fn parse_hex<const N: usize>(text: &str) -> Result<[u8; N], String> {
    let mut out = [0u8; N];
    hex::decode_to_slice(text, &mut out).map_err(|_| format!("not {} hex digits", 2 * N))?;
    Ok(out)
}

fn path_json(path: &[Hash]) -> Value {
    Value::Array(path.iter().map(|h| Value::String(hex::encode(h))).collect())
}

fn path_field(v: &Value) -> Result<Vec<Hash>, String> {
    let items = v
        .get("path")
        .and_then(Value::as_array)
        .ok_or("path: missing or not a list")?;
    if items.len() > 128 {
        return Err(format!(
            "path: {} hashes, more than any tree needs",
            items.len()
        ));
    }
    items
        .iter()
        .map(|h| {
            h.as_str()
                .ok_or_else(|| "path: not a string".to_owned())
                .and_then(|s| parse_hex(s).map_err(|e| format!("path: {e}")))
        })
        .collect()
}

impl From<ProofSourceError> for OpsError {
    fn from(e: ProofSourceError) -> OpsError {
        match e {
            ProofSourceError::Projection(e) => OpsError::Projection(e),
            other => OpsError::Invalid(other.to_string()),
        }
    }
}

/// Where proofs come from: an opened node's merkle view and log, and the
/// data directory's log key.
pub struct Prover<'a> {
    pub dir: &'a DataDir,
    pub projector: &'a Projector,
    pub store: &'a DynStore,
}

impl Prover<'_> {
    /// The merkle view's size (its checkpoint): the largest provable size.
    pub fn size(&self) -> Result<u64, OpsError> {
        let view = self.projector.view(MERKLE)?;
        Ok(merkle::tip(&view)?.frontier.size())
    }

    fn check_size(&self, size: u64) -> Result<(), OpsError> {
        let at = self.size()?;
        if size > at {
            return Err(OpsError::Invalid(format!(
                "tree size {size} is beyond the log's {at} records"
            )));
        }
        Ok(())
    }

    /// The tree head at `size` (default: everything the view holds) and the
    /// chain hash of its last record. At the view's size nothing is read
    /// from the log; at an older size, one run of ≤ 256 records.
    async fn head_at(&self, size: Option<u64>) -> Result<(TreeHead, Hash), OpsError> {
        let view = self.projector.view(MERKLE)?;
        let tip = merkle::tip(&view)?;
        let size = size.unwrap_or(tip.frontier.size());
        self.check_size(size)?;
        Ok(with_proof_source(&view, self.store, size, |s| head_in(s, &tip, size)).await?)
    }

    /// The signed tree head at `size` (default: the view's size).
    pub async fn signed_head(
        &self,
        size: Option<u64>,
        now: DateTime<Utc>,
    ) -> Result<SignedHead, OpsError> {
        let (head, last) = self.head_at(size).await?;
        Ok(SignedHead::sign(head, last, now, &self.dir.log_key()?))
    }

    /// The inclusion proof of the record at `position` in the tree of
    /// `size` (default: the view's size), with that tree's signed head.
    pub async fn prove_inclusion(
        &self,
        position: Position,
        size: Option<u64>,
        now: DateTime<Utc>,
    ) -> Result<Value, OpsError> {
        let view = self.projector.view(MERKLE)?;
        let size = match size {
            Some(s) => s,
            None => self.size()?,
        };
        self.check_size(size)?;
        if position.0 == 0 || position.0 > size {
            return Err(OpsError::Invalid(format!(
                "position {position} is not in the tree of {size} records"
            )));
        }
        let tip = merkle::tip(&view)?;
        let (proof, record_hash, (head, last)) = with_proof_source(&view, self.store, size, |s| {
            let proof = inclusion_proof(s, position.0 - 1, size)?;
            Ok((proof, need_record(s, position)?, head_in(s, &tip, size)?))
        })
        .await?;
        let head = SignedHead::sign(head, last, now, &self.dir.log_key()?);
        Ok(json!({
            "format": INCLUSION_FORMAT,
            "position": position.0,
            "leaf_index": proof.leaf_index,
            "record_hash": hex::encode(record_hash),
            "tree_size": proof.tree_size,
            "path": path_json(&proof.path),
            "head": head.to_json(),
        }))
    }

    /// The consistency proof that the tree of `to` (default: the view's
    /// size) extends the tree of `from`, with both heads signed.
    pub async fn prove_consistency(
        &self,
        from: u64,
        to: Option<u64>,
        now: DateTime<Utc>,
    ) -> Result<Value, OpsError> {
        let view = self.projector.view(MERKLE)?;
        let to = match to {
            Some(s) => s,
            None => self.size()?,
        };
        self.check_size(to)?;
        if from > to {
            return Err(OpsError::Invalid(format!(
                "--from {from} is beyond the tree size {to}"
            )));
        }
        let tip = merkle::tip(&view)?;
        let (proof, (h1, last1), (h2, last2)) = with_proof_source(&view, self.store, to, |s| {
            Ok((
                consistency_proof(s, from, to)?,
                head_in(s, &tip, from)?,
                head_in(s, &tip, to)?,
            ))
        })
        .await?;
        let key = self.dir.log_key()?;
        let first = SignedHead::sign(h1, last1, now, &key);
        let second = SignedHead::sign(h2, last2, now, &key);
        Ok(json!({
            "format": CONSISTENCY_FORMAT,
            "from": first.to_json(),
            "to": second.to_json(),
            "path": path_json(&proof.path),
        }))
    }
}

/// The head at `size` and its last record's chain hash: from the tip when
/// `size` is the view's, else from the stored subtrees and the log.
fn head_in(
    s: &mut merkle::ProofSource<'_>,
    tip: &merkle::Tip,
    size: u64,
) -> Result<(TreeHead, Hash), ProofSourceError> {
    if size == tip.frontier.size() {
        return Ok((tip.frontier.root(), tip.last_hash));
    }
    let head = root(s, size)?;
    let last = if size == 0 {
        [0; 32]
    } else {
        need_record(s, Position(size))?
    };
    Ok((head, last))
}

/// What a proof file that verified shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    /// One line for people.
    pub summary: String,
    /// The key id that signed, and whether it was one the caller pinned.
    pub key_id: String,
    pub pinned: bool,
}

fn rejected(reason: impl std::fmt::Display) -> OpsError {
    OpsError::Rejected(reason.to_string())
}

fn merkle_rejected(e: MerkleError) -> OpsError {
    rejected(format!("the proof does not verify: {e}"))
}

/// Verifies a proof file (an inclusion proof, a consistency proof, or a
/// signed head) offline: the Merkle path against the signed root and each
/// head's signature, under one of `pinned` when given. A file that does
/// not verify is [`OpsError::Rejected`] with the reason.
pub fn check_proof(bytes: &[u8], pinned: &[VerifyingKey]) -> Result<Checked, OpsError> {
    let v: Value =
        serde_json::from_slice(bytes).map_err(|e| rejected(format!("not a proof file: {e}")))?;
    let format = v.get("format").and_then(Value::as_str).unwrap_or_default();
    let head = |v: &Value, what: &str| -> Result<SignedHead, OpsError> {
        let h = SignedHead::from_json(v).map_err(|e| rejected(format!("{what}: {e}")))?;
        h.verify(pinned)
            .map_err(|e| rejected(format!("{what}: {e}")))?;
        Ok(h)
    };
    let checked = |summary: String, h: &SignedHead| Checked {
        summary,
        key_id: hex::encode(h.key_id),
        pinned: !pinned.is_empty(),
    };
    match format {
        HEAD_FORMAT => {
            let h = head(&v, "head")?;
            Ok(checked(
                format!(
                    "signed tree head: {} records, root {}",
                    h.tree_size,
                    hex::encode(h.root)
                ),
                &h,
            ))
        }
        INCLUSION_FORMAT => {
            let h = head(v.get("head").unwrap_or(&Value::Null), "head")?;
            let field = |e: String| rejected(e);
            let position = u64_field(&v, "position").map_err(field)?;
            let record_hash: Hash = hex_field(&v, "record_hash").map_err(field)?;
            let proof = InclusionProof {
                leaf_index: u64_field(&v, "leaf_index").map_err(field)?,
                tree_size: u64_field(&v, "tree_size").map_err(field)?,
                path: path_field(&v).map_err(field)?,
            };
            if position.checked_sub(1) != Some(proof.leaf_index) {
                return Err(rejected("the leaf index is not the position's"));
            }
            verify_inclusion(&leaf_hash(&record_hash), &proof, &h.tree_head())
                .map_err(merkle_rejected)?;
            Ok(checked(
                format!(
                    "record {position} (hash {}) is in the log of {} records with root {}",
                    hex::encode(record_hash),
                    h.tree_size,
                    hex::encode(h.root)
                ),
                &h,
            ))
        }
        CONSISTENCY_FORMAT => {
            let first = head(v.get("from").unwrap_or(&Value::Null), "from")?;
            let second = head(v.get("to").unwrap_or(&Value::Null), "to")?;
            let proof = ConsistencyProof {
                size1: first.tree_size,
                size2: second.tree_size,
                path: path_field(&v).map_err(rejected)?,
            };
            verify_consistency(&first.tree_head(), &second.tree_head(), &proof)
                .map_err(merkle_rejected)?;
            Ok(checked(
                format!(
                    "the log of {} records (root {}) extends the log of {} (root {})",
                    second.tree_size,
                    hex::encode(second.root),
                    first.tree_size,
                    hex::encode(first.root)
                ),
                &second,
            ))
        }
        other => Err(rejected(format!("unknown proof format {other:?}"))),
    }
}

/// What an offline proof job works on: [`offline`] opens it.
pub enum OfflineJob {
    Head {
        size: Option<u64>,
    },
    Inclusion {
        position: Position,
        size: Option<u64>,
    },
    Consistency {
        from: u64,
        to: Option<u64>,
    },
}

/// Runs a proof job on a data directory offline (the server must not
/// hold it): opens the log and only the `merkle` projection, catches it
/// up, answers, closes. Returns the signed head's or the proof's JSON.
pub async fn offline(
    dir: &DataDir,
    job: OfflineJob,
    now: DateTime<Utc>,
) -> Result<Value, OpsError> {
    use std::sync::Arc;
    let sled = dir.open_existing_store()?;
    let store: DynStore = sled.clone();
    let projector = Projector::open(
        dir.projections(),
        store.clone(),
        vec![Arc::new(ledger_projections::MerkleProjection)],
    )
    .await?;
    let result = async {
        projector.catch_up().await?;
        let prover = Prover {
            dir,
            projector: &projector,
            store: &store,
        };
        match job {
            OfflineJob::Head { size } => Ok(prover.signed_head(size, now).await?.to_json()),
            OfflineJob::Inclusion { position, size } => {
                prover.prove_inclusion(position, size, now).await
            }
            OfflineJob::Consistency { from, to } => prover.prove_consistency(from, to, now).await,
        }
    }
    .await;
    projector.flush().await?;
    drop(projector);
    drop(store);
    sled.close().await?;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head() -> SignedHead {
        let key = SigningKey::from_bytes(&[9; 32]);
        let at = DateTime::<Utc>::from_timestamp_millis(1_796_593_729_417).unwrap();
        SignedHead::sign(
            TreeHead {
                size: 3,
                root: [1; 32],
            },
            [2; 32],
            at,
            &key,
        )
    }

    #[test]
    fn the_signed_bytes_are_the_documented_129() {
        let h = head();
        let b = signed_bytes(&h.tree_head(), 3, &[2; 32], h.timestamp_ms, &h.key_id);
        assert_eq!(b.len(), 129);
        assert_eq!(&b[..33], SIGNED_HEAD_CONTEXT);
        assert_eq!(&b[33..41], &3u64.to_be_bytes());
        assert_eq!(&b[41..73], &[1; 32]);
        assert_eq!(&b[73..81], &3u64.to_be_bytes());
        assert_eq!(&b[81..113], &[2; 32]);
        assert_eq!(&b[113..121], &1_796_593_729_417i64.to_be_bytes());
        assert_eq!(&b[121..], &h.key_id);
    }

    #[test]
    fn a_head_round_trips_and_every_signed_field_is_covered() {
        let h = head();
        let text = h.to_json().to_string();
        assert!(check_proof(text.as_bytes(), &[]).is_ok());
        assert!(check_proof(text.as_bytes(), &[h.public_key]).is_ok());
        let other = SigningKey::from_bytes(&[8; 32]).verifying_key();
        assert!(matches!(
            check_proof(text.as_bytes(), &[other]),
            Err(OpsError::Rejected(_))
        ));
        let changes = [
            ("tree_size", json!(4)),
            ("root", json!("03".repeat(32))),
            ("log_position", json!(4)),
            ("log_hash", json!("03".repeat(32))),
            ("timestamp_ms", json!(1)),
            ("time", json!("2020-01-01T00:00:00.000Z")),
            ("key_id", json!("00".repeat(8))),
            ("public_key", json!(hex::encode(other.as_bytes()))),
        ];
        for (field, value) in changes {
            let mut v = h.to_json();
            v[field] = value;
            assert!(
                matches!(
                    check_proof(v.to_string().as_bytes(), &[]),
                    Err(OpsError::Rejected(_))
                ),
                "{field}"
            );
        }
    }
}
