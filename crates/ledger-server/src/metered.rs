//! An `EventStore` that measures appends for `/metrics` and passes
//! everything else through unchanged.

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use ledger_store::{
    AppendRequest, CommandId, CommandRecord, Committed, DynStore, EventStore, Head, Position,
    RecordedEvent, StoreError, StreamId, StreamVersion,
};
use tokio::sync::watch;

use crate::metrics::Metrics;

pub struct MeteredStore {
    inner: DynStore,
    metrics: Arc<Metrics>,
}

impl MeteredStore {
    pub fn wrap(inner: DynStore, metrics: Arc<Metrics>) -> DynStore {
        Arc::new(MeteredStore { inner, metrics })
    }
}

#[async_trait]
impl EventStore for MeteredStore {
    async fn append(&self, request: AppendRequest) -> Result<Committed, StoreError> {
        let started = Instant::now();
        let result = self.inner.append(request).await;
        self.metrics.append(result.is_ok(), started.elapsed());
        result
    }

    async fn read_stream(
        &self,
        stream_id: &StreamId,
        from: StreamVersion,
        max: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        self.inner.read_stream(stream_id, from, max).await
    }

    async fn stream_version(&self, stream_id: &StreamId) -> Result<StreamVersion, StoreError> {
        self.inner.stream_version(stream_id).await
    }

    async fn read_all(&self, from: Position, max: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        self.inner.read_all(from, max).await
    }

    async fn command(&self, command_id: &CommandId) -> Result<Option<CommandRecord>, StoreError> {
        self.inner.command(command_id).await
    }

    fn head(&self) -> Head {
        self.inner.head()
    }

    fn watch_head(&self) -> watch::Receiver<Head> {
        self.inner.watch_head()
    }
}
