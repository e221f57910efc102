//! `LedgerAdmin`: head, signed tree head, projection status and rebuilds, backup. Operators
//! only.

use std::sync::Arc;

use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};
use tracing::info;

use super::caller;
use crate::errors::ApiError;
use crate::pb;
use crate::pb::ledger_admin_server::LedgerAdmin;
use crate::server::State;

/// Progress messages buffered per rebuild stream.
const REBUILD_PROGRESS_BUFFER: usize = 64;

pub struct Admin {
    state: Arc<State>,
}

impl Admin {
    pub fn new(state: Arc<State>) -> Admin {
        Admin { state }
    }
}

fn operator_only<T>(req: &Request<T>) -> Result<(), Status> {
    let caller = caller(req)?;
    if caller.is_operator() {
        Ok(())
    } else {
        Err(ApiError::access_denied("administration is for operators only").into())
    }
}

type ProgressStream = ReceiverStream<Result<pb::RebuildProgress, Status>>;

#[tonic::async_trait]
impl LedgerAdmin for Admin {
    async fn head(&self, req: Request<pb::HeadRequest>) -> Result<Response<pb::HeadReply>, Status> {
        operator_only(&req)?;
        let head = self.state.store.head();
        Ok(Response::new(pb::HeadReply {
            position: head.position.0,
            hash: head.hash.to_hex(),
        }))
    }

    async fn signed_head(
        &self,
        req: Request<pb::SignedHeadRequest>,
    ) -> Result<Response<pb::SignedHeadReply>, Status> {
        operator_only(&req)?;
        let prover = ledger_ops::proofs::Prover {
            dir: &self.state.data_dir,
            projector: &self.state.projector,
            store: &self.state.store,
        };
        let h = prover
            .signed_head(None, self.state.clock.now())
            .await
            .map_err(|e| ApiError::new("signed_head_failed", e.to_string()))?;
        Ok(Response::new(pb::SignedHeadReply {
            tree_size: h.tree_size,
            root: hex::encode(h.root),
            log_position: h.log_position,
            log_hash: hex::encode(h.log_hash),
            timestamp_ms: h.timestamp_ms,
            key_id: hex::encode(h.key_id),
            public_key: hex::encode(h.public_key.as_bytes()),
            signature: hex::encode(h.signature.to_bytes()),
        }))
    }

    async fn projection_status(
        &self,
        req: Request<pb::ProjectionStatusRequest>,
    ) -> Result<Response<pb::ProjectionStatusReply>, Status> {
        operator_only(&req)?;
        let projections = self
            .state
            .projector
            .status()
            .into_iter()
            .map(|s| pb::ProjectionState {
                name: s.name.to_owned(),
                version: s.version,
                generation: s.generation,
                checkpoint: s.checkpoint.0,
                lag: s.lag,
            })
            .collect();
        Ok(Response::new(pb::ProjectionStatusReply { projections }))
    }

    type RebuildProjectionStream = ProgressStream;

    async fn rebuild_projection(
        &self,
        req: Request<pb::RebuildProjectionRequest>,
    ) -> Result<Response<ProgressStream>, Status> {
        operator_only(&req)?;
        let name = req.into_inner().name;
        let all: Vec<String> = self.state.projector.names().map(str::to_owned).collect();
        let names = if name == "all" {
            all
        } else if all.contains(&name) {
            vec![name]
        } else {
            return Err(ApiError::not_found(format!("unknown projection {name}")).into());
        };
        let (tx, rx) = mpsc::channel(REBUILD_PROGRESS_BUFFER);
        let projector = self.state.projector.clone();
        let metrics = self.state.metrics.clone();
        tokio::spawn(async move {
            for name in names {
                info!(projection = %name, "rebuild started");
                let progress_tx = tx.clone();
                let progress_name = name.clone();
                let result = projector
                    .rebuild(&name, |p| {
                        metrics.rebuild_rate(&progress_name, p.events_per_s);
                        // Progress is advisory: a full buffer drops a message.
                        let _ = progress_tx.try_send(Ok(pb::RebuildProgress {
                            name: progress_name.clone(),
                            done: p.done,
                            total: p.total,
                            events_per_second: p.events_per_s as f64,
                            finished: false,
                        }));
                    })
                    .await;
                metrics.rebuild_rate(&name, 0);
                let last = match result {
                    Ok(status) => Ok(pb::RebuildProgress {
                        name: name.clone(),
                        done: status.checkpoint.0,
                        total: status.checkpoint.0,
                        events_per_second: 0.0,
                        finished: true,
                    }),
                    Err(e) => Err(Status::from(ApiError::from(e))),
                };
                let failed = last.is_err();
                if tx.send(last).await.is_err() || failed {
                    return;
                }
                info!(projection = %name, "rebuild finished");
            }
        });
        Ok(Response::new(ReceiverStream::new(rx)))
    }

    async fn backup(
        &self,
        req: Request<pb::BackupRequest>,
    ) -> Result<Response<pb::BackupReply>, Status> {
        operator_only(&req)?;
        let dir = req.into_inner().dir;
        if dir.is_empty() {
            return Err(ApiError::bad_parameter("dir is required").into());
        }
        let dir = std::path::PathBuf::from(dir);
        info!(dir = %dir.display(), "backup started");
        let report = ledger_ops::backup(&self.state.store, &dir)
            .await
            .map_err(|e| ApiError::new("backup_failed", e.to_string()))?;
        info!(
            dir = %dir.display(),
            position = report.position.0,
            events = report.events,
            "backup finished"
        );
        Ok(Response::new(pb::BackupReply {
            position: report.position.0,
            hash: report.hash.to_hex(),
            events: report.events,
        }))
    }
}
