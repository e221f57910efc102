//! Projections offline on a data directory, and the `--server` forms of
//! `projections`, `audit head` and `backup` against an admin service that
//! checks the bearer token (a stand-in for the running server).

mod common;

use std::process::Output;
use std::sync::{Arc, Mutex};

use tokio_stream::wrappers::{ReceiverStream, TcpListenerStream};
use tonic::{Request, Response, Status};

use common::*;
use ledger_server::pb;
use ledger_server::pb::ledger_admin_server::{LedgerAdmin, LedgerAdminServer};

const TOKEN: &str = "s3cret-operator-token";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn projections_status_and_rebuild_offline() {
    let dir = tempfile::tempdir().unwrap();
    let head = write_history(dir.path()).await;
    let status = |out: &Output| -> Vec<(String, u64, u64, u64)> {
        assert!(out.status.success(), "{}", stderr(out));
        json_of(out)
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["name"].as_str().unwrap().to_owned(),
                    r["generation"].as_u64().unwrap(),
                    r["checkpoint"].as_u64().unwrap(),
                    r["lag"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let before = status(&order_ledger(
        dir.path(),
        &["projections", "status", "--json"],
    ));
    let names: Vec<&str> = before.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        names,
        ["contracts", "coupons", "deadlines", "merkle", "orders"]
    );
    assert!(
        before
            .iter()
            .all(|r| r.1 == 1 && r.2 == head.position.0 && r.3 == 0),
        "{before:?}"
    );

    let rebuilt = status(&order_ledger(
        dir.path(),
        &["projections", "rebuild", "orders", "--json"],
    ));
    assert_eq!(rebuilt, vec![("orders".to_owned(), 2, head.position.0, 0)]);
    let all = status(&order_ledger(
        dir.path(),
        &["projections", "rebuild", "all", "--json"],
    ));
    assert_eq!(all.len(), 5);
    let after = status(&order_ledger(
        dir.path(),
        &["projections", "status", "--json"],
    ));
    let generations: Vec<u64> = after.iter().map(|r| r.1).collect();
    assert_eq!(generations, [2, 2, 2, 2, 3]);

    let text = order_ledger(dir.path(), &["projections", "status"]);
    assert!(stdout(&text).contains("checkpoint"), "{}", stdout(&text));
    let unknown = order_ledger(dir.path(), &["projections", "rebuild", "nope"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        stderr(&unknown).contains("unknown projection nope"),
        "{}",
        stderr(&unknown)
    );
}

/// An admin service answering fixed values, refusing other tokens.
#[derive(Default)]
struct Fake {
    backups: Mutex<Vec<String>>,
    rebuilds: Mutex<Vec<String>>,
}

fn authorize<T>(req: &Request<T>) -> Result<(), Status> {
    let want = format!("Bearer {TOKEN}");
    match req
        .metadata()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
    {
        Some(v) if v == want => Ok(()),
        _ => Err(Status::unauthenticated("unknown token")),
    }
}

fn state(name: &str, generation: u64) -> pb::ProjectionState {
    pb::ProjectionState {
        name: name.into(),
        version: 1,
        generation,
        checkpoint: 42,
        lag: 0,
    }
}

/// The service over a shared [`Fake`], so the test can look inside.
struct Svc(Arc<Fake>);

#[tonic::async_trait]
impl LedgerAdmin for Svc {
    async fn head(&self, req: Request<pb::HeadRequest>) -> Result<Response<pb::HeadReply>, Status> {
        authorize(&req)?;
        Ok(Response::new(pb::HeadReply {
            position: 42,
            hash: "ab".repeat(32),
        }))
    }

    /// A head really signed, with a fixed key.
    async fn signed_head(
        &self,
        req: Request<pb::SignedHeadRequest>,
    ) -> Result<Response<pb::SignedHeadReply>, Status> {
        authorize(&req)?;
        let key = ledger_app::documents::SigningKey::from_bytes(&[7; 32]);
        let head = ledger_merkle::TreeHead {
            size: 42,
            root: [0xab; 32],
        };
        let h = ledger_ops::proofs::SignedHead::sign(head, [0xcd; 32], chrono::Utc::now(), &key);
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
        authorize(&req)?;
        let rebuilt = self.0.rebuilds.lock().unwrap().len() as u64;
        Ok(Response::new(pb::ProjectionStatusReply {
            projections: vec![state("contracts", 1), state("orders", 1 + rebuilt)],
        }))
    }

    type RebuildProjectionStream = ReceiverStream<Result<pb::RebuildProgress, Status>>;

    async fn rebuild_projection(
        &self,
        req: Request<pb::RebuildProjectionRequest>,
    ) -> Result<Response<Self::RebuildProjectionStream>, Status> {
        authorize(&req)?;
        let name = req.into_inner().name;
        if name != "orders" {
            return Err(Status::not_found(format!("unknown projection {name}")));
        }
        self.0.rebuilds.lock().unwrap().push(name.clone());
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        for (done, finished) in [(21, false), (42, true)] {
            tx.send(Ok(pb::RebuildProgress {
                name: name.clone(),
                done,
                total: 42,
                events_per_second: 1000.0,
                finished,
            }))
            .await
            .unwrap();
        }
        Ok(Response::new(ReceiverStream::new(rx)))
    }

    async fn backup(
        &self,
        req: Request<pb::BackupRequest>,
    ) -> Result<Response<pb::BackupReply>, Status> {
        authorize(&req)?;
        self.0.backups.lock().unwrap().push(req.into_inner().dir);
        Ok(Response::new(pb::BackupReply {
            position: 42,
            hash: "cd".repeat(32),
            events: 42,
        }))
    }
}

async fn serve(fake: Arc<Fake>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(LedgerAdminServer::new(Svc(fake)))
            .serve_with_incoming(TcpListenerStream::new(listener)),
    );
    format!("http://{addr}")
}

/// Runs the binary off the runtime's threads (the fake serves on them).
async fn run(args: Vec<String>, token_env: Option<&'static str>) -> Output {
    tokio::task::spawn_blocking(move || {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_order-ledger"));
        cmd.arg("--data-dir").arg(dir.path()).args(&args);
        cmd.env_remove("ORDER_LEDGER_TOKEN").env("RUST_LOG", "warn");
        if let Some(t) = token_env {
            cmd.env("ORDER_LEDGER_TOKEN", t);
        }
        cmd.output().unwrap()
    })
    .await
    .unwrap()
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_forms_call_the_admin_service_with_the_token() {
    let fake = Arc::new(Fake::default());
    let url = serve(fake.clone()).await;

    let out = run(
        args(&[
            "audit", "head", "--json", "--server", &url, "--token", TOKEN,
        ]),
        None,
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let h = json_of(&out);
    assert_eq!(
        (h["position"].as_u64(), h["hash"].as_str()),
        (Some(42), Some("ab".repeat(32).as_str()))
    );

    // The signed head, checked by the client before it prints it.
    let out = run(
        args(&[
            "audit", "head", "--signed", "--server", &url, "--token", TOKEN,
        ]),
        None,
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let h = json_of(&out);
    assert_eq!(h["tree_size"], 42);
    assert_eq!(h["format"], "order-ledger/signed-tree-head/v1");

    // The token from the environment.
    let out = run(
        args(&["projections", "status", "--json", "--server", &url]),
        Some(TOKEN),
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json_of(&out)[1]["name"], "orders");

    let out = run(
        args(&[
            "projections",
            "rebuild",
            "orders",
            "--json",
            "--server",
            &url,
        ]),
        Some(TOKEN),
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = json_of(&out);
    assert_eq!(rows.as_array().unwrap().len(), 1, "{rows}");
    assert_eq!(rows[0]["generation"], 2);
    assert_eq!(*fake.rebuilds.lock().unwrap(), ["orders"]);

    let out = run(
        args(&["projections", "rebuild", "nope", "--server", &url]),
        Some(TOKEN),
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("unknown projection nope"),
        "{}",
        stderr(&out)
    );

    let out = run(
        args(&["backup", "/srv/backups/today", "--json", "--server", &url]),
        Some(TOKEN),
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json_of(&out)["hash"], "cd".repeat(32));
    assert_eq!(*fake.backups.lock().unwrap(), ["/srv/backups/today"]);

    let out = run(
        args(&["audit", "head", "--server", &url, "--token", "wrong"]),
        None,
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("Unauthenticated"), "{}", stderr(&out));
    let out = run(args(&["audit", "head", "--server", &url]), None).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("needs an operator token"),
        "{}",
        stderr(&out)
    );
}
