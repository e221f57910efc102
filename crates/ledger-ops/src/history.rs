//! `audit history`: every record of one stream, with its metadata.

use ledger_store::{DynStore, RecordedEvent, StreamId, StreamVersion, MAX_READ_BATCH};

use crate::OpsError;

/// Most records one history returns (no stream of this ledger comes near:
/// an order or a contract has a handful of events).
pub const MAX_HISTORY_RECORDS: usize = 100_000;

/// The records of `stream`, oldest first.
pub async fn history(store: &DynStore, stream: &StreamId) -> Result<Vec<RecordedEvent>, OpsError> {
    let mut out: Vec<RecordedEvent> = Vec::new();
    loop {
        let from = StreamVersion(out.len() as u64 + 1);
        let batch = store.read_stream(stream, from, MAX_READ_BATCH).await?;
        let done = batch.len() < MAX_READ_BATCH;
        out.extend(batch);
        if out.len() > MAX_HISTORY_RECORDS {
            return Err(OpsError::Invalid(format!(
                "stream {stream} has more than {MAX_HISTORY_RECORDS} records"
            )));
        }
        if done {
            return Ok(out);
        }
    }
}
