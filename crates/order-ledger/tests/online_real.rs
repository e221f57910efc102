//! The `--server` forms against the real server: audit head, projections
//! status, and a backup taken while it runs, restored and verified to the
//! same head.

mod common;

use common::*;
use ledger_auth::Role;
use tests::server::{pb_onboard, pb_place_order, TestServer};

const CUSTOMER: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_of_the_running_server_restores_to_the_same_head() {
    let server = TestServer::start().await;
    let service = server.create_key(Role::Service);
    let operator = server.create_key(Role::Operator);
    let mut commands = server.commands(service.token.expose()).await;
    pb_onboard(&mut commands, CUSTOMER).await;
    for i in 0..5 {
        commands
            .place_order(pb_place_order(
                &format!("p{i}"),
                CUSTOMER,
                &format!("CS{i}"),
            ))
            .await
            .unwrap();
    }
    let head = server.state().store.head();
    let url = server.grpc_url();
    let token = operator.token.expose().to_owned();
    let scratch = tempfile::tempdir().unwrap();
    let backup_dir = scratch.path().join("backup");
    let restored = scratch.path().join("restored");
    let unused = scratch.path().join("unused");

    let (remote_head, backup) = tokio::task::spawn_blocking({
        let (url, token, backup_dir, unused) = (
            url.clone(),
            token.clone(),
            backup_dir.clone(),
            unused.clone(),
        );
        move || {
            let remote = order_ledger(
                &unused,
                &[
                    "audit", "head", "--json", "--server", &url, "--token", &token,
                ],
            );
            let backup = order_ledger(
                &unused,
                &[
                    "backup",
                    backup_dir.to_str().unwrap(),
                    "--json",
                    "--server",
                    &url,
                    "--token",
                    &token,
                ],
            );
            (remote, backup)
        }
    })
    .await
    .unwrap();
    assert!(remote_head.status.success(), "{}", stderr(&remote_head));
    assert_eq!(json_of(&remote_head)["position"], head.position.0);
    assert_eq!(json_of(&remote_head)["hash"], head.hash.to_hex());
    assert!(backup.status.success(), "{}", stderr(&backup));
    assert_eq!(json_of(&backup)["position"], head.position.0);

    // The server keeps running and serving while the copy is restored.
    commands
        .place_order(pb_place_order("after", CUSTOMER, "CS-after"))
        .await
        .unwrap();
    let (restore, verify) = tokio::task::spawn_blocking({
        let (backup_dir, restored) = (backup_dir.clone(), restored.clone());
        move || {
            let restore = order_ledger(
                &restored,
                &["restore", backup_dir.to_str().unwrap(), "--json"],
            );
            let verify = order_ledger(&restored, &["audit", "verify", "--json"]);
            (restore, verify)
        }
    })
    .await
    .unwrap();
    assert!(restore.status.success(), "{}", stderr(&restore));
    assert!(verify.status.success(), "{}", stderr(&verify));
    let verified = json_of(&verify);
    assert_eq!(verified["head_position"], head.position.0, "{verified}");
    assert_eq!(verified["head_hash"], head.hash.to_hex(), "{verified}");

    let refused = order_ledger(
        &unused,
        &[
            "backup",
            backup_dir.to_str().unwrap(),
            "--server",
            &url,
            "--token",
            service.token.expose(),
        ],
    );
    assert!(
        !refused.status.success(),
        "a service key may not take backups"
    );
    server.shutdown().await;
}
