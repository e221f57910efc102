//! `order-ledger simulate`'s driver against the real server on port 0: the
//! workload goes through gRPC as the upstream services would send it, every
//! command is acknowledged, and the log holds exactly what the plans say.
//! A token that may not send the workload stops the run at once.

use ledger_auth::Role;
use ledger_server::simulate::{simulate, SimulateError, SimulateOptions};
use ledger_sim::{Mix, OrderPlan};
use tests::server::TestServer;

fn options(server: &TestServer, token: &str) -> SimulateOptions {
    SimulateOptions {
        server: server.grpc_url(),
        token: token.to_owned(),
        mix: Mix {
            customers: 20,
            ..Mix::default()
        },
        connections: 8,
        first_order: 0,
        orders: Some(300),
        duration: None,
        rate: None,
        batch: 1,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_simulation_is_acknowledged_whole() {
    let server = TestServer::start().await;
    let key = server.create_key(Role::Service);
    let opts = options(&server, key.token.expose());
    let mix = opts.mix.clone();
    let report = simulate(opts, |_| {}).await.unwrap();

    assert!(report.refused.is_empty(), "{:?}", report.refused);
    assert_eq!(report.orders, 300);
    assert_eq!(report.customers, 23);
    let plans: Vec<_> = (0..300).map(|i| OrderPlan::new(&mix, i)).collect();
    let commands: u64 = plans.iter().map(|p| p.steps().len() as u64).sum::<u64>() + 23 * 3;
    assert_eq!(report.commands, commands);
    assert_eq!(report.latency.count, commands);
    let events: u64 = plans.iter().map(OrderPlan::events).sum::<u64>() + 23 * 3;
    assert_eq!(server.state().store.head().position.0, events);
    assert_eq!(report.last_position, events);

    // Run again: every command is deduplicated, nothing is appended.
    let again = simulate(options(&server, key.token.expose()), |_| {})
        .await
        .unwrap();
    assert_eq!(again.deduplicated, commands);
    assert_eq!(server.state().store.head().position.0, events);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batched_simulation_records_the_same_log() {
    let server = TestServer::start().await;
    let key = server.create_key(Role::Service);
    let mut opts = options(&server, key.token.expose());
    opts.batch = 64;
    let mix = opts.mix.clone();
    let report = simulate(opts.clone(), |_| {}).await.unwrap();

    assert!(report.refused.is_empty(), "{:?}", report.refused);
    assert_eq!(report.orders, 300);
    let plans: Vec<_> = (0..300).map(|i| OrderPlan::new(&mix, i)).collect();
    let commands: u64 = plans.iter().map(|p| p.steps().len() as u64).sum::<u64>() + 23 * 3;
    assert_eq!(report.commands, commands);
    assert_eq!(report.latency.count, commands);
    let events: u64 = plans.iter().map(OrderPlan::events).sum::<u64>() + 23 * 3;
    assert_eq!(server.state().store.head().position.0, events);
    assert_eq!(report.last_position, events);

    let again = simulate(opts, |_| {}).await.unwrap();
    assert_eq!(again.deduplicated, commands);
    assert_eq!(server.state().store.head().position.0, events);
    opts_refused(&server, key.token.expose()).await;
    server.shutdown().await;
}

/// A batch size beyond the limit is refused before anything is sent.
async fn opts_refused(server: &TestServer, token: &str) {
    let mut opts = options(server, token);
    opts.batch = ledger_server::grpc::MAX_BATCH_COMMANDS + 1;
    assert!(matches!(
        simulate(opts, |_| {}).await,
        Err(SimulateError::Batch)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_that_may_not_send_the_workload_stops_the_run() {
    let server = TestServer::start().await;
    let customer = server.create_key(Role::Customer {
        domain_id: "0a1b2c3d4e5f60718293a4b5c6d7e8f9".parse().unwrap(),
    });
    match simulate(options(&server, customer.token.expose()), |_| {}).await {
        Err(SimulateError::Failed { status, .. }) => {
            assert_eq!(status.code(), tonic::Code::PermissionDenied, "{status:?}")
        }
        other => panic!("expected a permission failure, got {other:?}"),
    }
    match simulate(options(&server, "not-a-token"), |_| {}).await {
        Err(SimulateError::Failed { status, .. }) => {
            assert_eq!(status.code(), tonic::Code::Unauthenticated, "{status:?}")
        }
        other => panic!("expected an authentication failure, got {other:?}"),
    }
    assert_eq!(server.state().store.head().position.0, 0);
    server.shutdown().await;
}
