//! The running server's admin gRPC service (`LedgerAdmin`), for `--server`.

use std::path::Path;

use anyhow::{anyhow, Context as _};
use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};
use tonic::{Request, Status};

use ledger_ops::records::digest;
use ledger_ops::HeadInfo;
use ledger_server::pb;
use ledger_server::pb::ledger_admin_client::LedgerAdminClient;

use super::projections::Row;
use super::ServerArgs;

/// Adds `authorization: Bearer <token>` to every call.
#[derive(Clone)]
pub struct Bearer(MetadataValue<Ascii>);

impl tonic::service::Interceptor for Bearer {
    fn call(&mut self, mut req: Request<()>) -> Result<Request<()>, Status> {
        req.metadata_mut().insert("authorization", self.0.clone());
        Ok(req)
    }
}

pub struct Admin {
    client: LedgerAdminClient<InterceptedService<Channel, Bearer>>,
    url: String,
}

fn status(url: &str, s: Status) -> anyhow::Error {
    anyhow!("server {url}: {:?}: {}", s.code(), s.message())
}

impl Admin {
    /// Connects when `--server` is given.
    pub async fn from_args(args: &ServerArgs) -> anyhow::Result<Option<Admin>> {
        let Some(url) = &args.server else {
            return Ok(None);
        };
        let token = args
            .token
            .as_deref()
            .context("--server needs an operator token: --token or ORDER_LEDGER_TOKEN")?;
        Ok(Some(Admin::connect(url, token).await?))
    }

    pub async fn connect(url: &str, token: &str) -> anyhow::Result<Admin> {
        let bearer: MetadataValue<Ascii> = format!("Bearer {token}")
            .parse()
            .map_err(|_| anyhow!("the token is not printable ascii"))?;
        let channel = Endpoint::from_shared(url.to_owned())
            .with_context(|| format!("{url} is not a server url"))?
            .connect()
            .await
            .with_context(|| format!("connecting to {url}"))?;
        Ok(Admin {
            client: LedgerAdminClient::with_interceptor(channel, Bearer(bearer)),
            url: url.to_owned(),
        })
    }

    pub async fn head(&mut self) -> anyhow::Result<HeadInfo> {
        let reply = self
            .client
            .head(pb::HeadRequest {})
            .await
            .map_err(|s| status(&self.url, s))?
            .into_inner();
        Ok(HeadInfo {
            position: reply.position,
            hash: digest(&reply.hash, "the server's hash").map_err(|e| anyhow!(e))?,
            recorded_at: None,
        })
    }

    /// The server's signed tree head, as `audit head --signed` prints it
    /// (checked to be well formed and to verify under the key it names).
    pub async fn signed_head(&mut self) -> anyhow::Result<serde_json::Value> {
        let r = self
            .client
            .signed_head(pb::SignedHeadRequest {})
            .await
            .map_err(|s| status(&self.url, s))?
            .into_inner();
        let v = serde_json::json!({
            "format": ledger_ops::proofs::HEAD_FORMAT,
            "tree_size": r.tree_size,
            "root": r.root,
            "log_position": r.log_position,
            "log_hash": r.log_hash,
            "timestamp_ms": r.timestamp_ms,
            "key_id": r.key_id,
            "public_key": r.public_key,
            "signature": r.signature,
        });
        let head = ledger_ops::proofs::SignedHead::from_json(&v).map_err(|e| anyhow!(e))?;
        head.verify(&[])
            .map_err(|e| anyhow!("the server's signed head: {e}"))?;
        Ok(head.to_json())
    }

    pub async fn projection_status(&mut self) -> anyhow::Result<Vec<Row>> {
        let reply = self
            .client
            .projection_status(pb::ProjectionStatusRequest {})
            .await
            .map_err(|s| status(&self.url, s))?
            .into_inner();
        Ok(reply
            .projections
            .into_iter()
            .map(|p| Row {
                name: p.name,
                version: p.version,
                generation: p.generation,
                checkpoint: p.checkpoint,
                lag: p.lag,
            })
            .collect())
    }

    /// Rebuilds on the server, following its progress stream; returns the
    /// projections' status after.
    pub async fn rebuild(
        &mut self,
        name: &str,
        progress: impl Fn(&str, u64, u64),
    ) -> anyhow::Result<Vec<Row>> {
        let mut stream = self
            .client
            .rebuild_projection(pb::RebuildProjectionRequest {
                name: name.to_owned(),
            })
            .await
            .map_err(|s| status(&self.url, s))?
            .into_inner();
        let mut finished = Vec::new();
        while let Some(p) = stream.message().await.map_err(|s| status(&self.url, s))? {
            progress(&p.name, p.done, p.total);
            if p.finished {
                finished.push(p.name);
            }
        }
        if finished.is_empty() {
            anyhow::bail!(
                "server {}: the rebuild stream ended before any projection finished",
                self.url
            );
        }
        let all = self.projection_status().await?;
        Ok(all
            .into_iter()
            .filter(|r| finished.contains(&r.name))
            .collect())
    }

    /// Asks the server to write a backup into `dir` on its machine.
    pub async fn backup(&mut self, dir: &Path) -> anyhow::Result<(u64, String, u64)> {
        let dir = dir
            .to_str()
            .context("the backup directory is not valid utf-8")?
            .to_owned();
        let reply = self
            .client
            .backup(pb::BackupRequest { dir })
            .await
            .map_err(|s| status(&self.url, s))?
            .into_inner();
        Ok((reply.position, reply.hash, reply.events))
    }
}
