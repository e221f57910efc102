//! A projection's write transaction: an overlay of pending writes over its
//! sled tree, committed with the checkpoint in one atomic sled batch.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::Serialize;

use ledger_codec::payload::{decode_value, encode_value};
use ledger_codec::Position;

use crate::ProjectionError;

/// The key a tree's checkpoint lives under. Read-model keys never start
/// with a zero byte.
pub(crate) const CHECKPOINT_KEY: &[u8] = b"\0checkpoint";

/// Pending writes of one batch of events. Reads see the batch's own writes.
pub struct Tx<'a> {
    tree: &'a sled::Tree,
    pending: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
}

impl<'a> Tx<'a> {
    pub(crate) fn new(tree: &'a sled::Tree) -> Tx<'a> {
        Tx {
            tree,
            pending: BTreeMap::new(),
        }
    }

    /// The raw value at `key`, as of this batch.
    pub fn get_raw(&self, key: &[u8]) -> Result<Option<Vec<u8>>, ProjectionError> {
        match self.pending.get(key) {
            Some(v) => Ok(v.clone()),
            None => Ok(self.tree.get(key)?.map(|v| v.to_vec())),
        }
    }

    pub fn get<T: DeserializeOwned>(&self, key: &[u8]) -> Result<Option<T>, ProjectionError> {
        self.get_raw(key)?
            .map(|v| decode_value(&v).map_err(ProjectionError::from))
            .transpose()
    }

    pub fn put<T: Serialize>(&mut self, key: Vec<u8>, value: &T) -> Result<(), ProjectionError> {
        debug_assert!(
            key.first() != Some(&0),
            "read-model keys never start with a zero byte"
        );
        self.pending.insert(key, Some(encode_value(value)?));
        Ok(())
    }

    /// A raw value (counters, packed index values), not codec-encoded.
    pub fn put_raw(&mut self, key: Vec<u8>, value: Vec<u8>) {
        debug_assert!(
            key.first() != Some(&0),
            "read-model keys never start with a zero byte"
        );
        self.pending.insert(key, Some(value));
    }

    /// An index entry: the key is the data.
    pub fn mark(&mut self, key: Vec<u8>) {
        self.pending.insert(key, Some(Vec::new()));
    }

    pub fn delete(&mut self, key: Vec<u8>) {
        self.pending.insert(key, None);
    }

    /// Writes everything and the new checkpoint in one atomic sled batch.
    pub(crate) fn commit(self, checkpoint: Position) -> Result<(), ProjectionError> {
        let mut batch = sled::Batch::default();
        for (k, v) in self.pending {
            match v {
                Some(v) => batch.insert(k, v),
                None => batch.remove(k),
            }
        }
        batch.insert(CHECKPOINT_KEY, &checkpoint.0.to_be_bytes());
        self.tree.apply_batch(batch)?;
        Ok(())
    }
}

/// The checkpoint stored in a tree (0 when none).
pub(crate) fn checkpoint(tree: &sled::Tree) -> Result<Position, ProjectionError> {
    match tree.get(CHECKPOINT_KEY)? {
        None => Ok(Position::ORIGIN),
        Some(v) => {
            let bytes: [u8; 8] = v
                .as_ref()
                .try_into()
                .map_err(|_| ProjectionError::Corrupt("checkpoint is not 8 bytes".into()))?;
            Ok(Position(u64::from_be_bytes(bytes)))
        }
    }
}

/// Builds keys from parts: each part is length-free, so callers put
/// fixed-width parts (timestamps, positions) before variable ones, or use
/// [`KeyBuilder::text`] which terminates a part with a zero byte.
#[derive(Default)]
pub struct KeyBuilder(Vec<u8>);

impl KeyBuilder {
    pub fn new(table: u8) -> KeyBuilder {
        assert_ne!(table, 0, "table 0 is reserved");
        KeyBuilder(vec![table])
    }

    /// A text part, zero-terminated (ids never contain a zero byte).
    pub fn text(mut self, s: &str) -> KeyBuilder {
        self.0.extend_from_slice(s.as_bytes());
        self.0.push(0);
        self
    }

    /// A big-endian u64 part: sorts numerically.
    pub fn u64(mut self, v: u64) -> KeyBuilder {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }

    /// A timestamp part (milliseconds since the epoch, sign-flipped so it
    /// sorts numerically as unsigned).
    pub fn time(self, t: chrono::DateTime<chrono::Utc>) -> KeyBuilder {
        self.u64((t.timestamp_millis() as u64) ^ (1 << 63))
    }

    pub fn build(self) -> Vec<u8> {
        self.0
    }
}
