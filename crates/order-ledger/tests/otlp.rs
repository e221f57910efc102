//! OpenTelemetry export from the real binary: `serve --otlp-endpoint`
//! sends its spans to a collector (here a test-local OTLP/gRPC trace
//! service on port 0), continuing the caller's W3C `traceparent`: the gRPC
//! call's span has the caller's trace id and the caller's span as parent,
//! and the command's `execute` span is its child in the same trace. The
//! same run writes its logs as JSON lines (`--log-format json`).

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command as Process, Stdio};
use std::time::Duration;

use common::*;
use ledger_server::pb::ledger_commands_client::LedgerCommandsClient;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::trace::v1::Span;
use tests::server::{pb_onboard, pb_place_order, Bearer};
use tokio::sync::mpsc;
use tonic::transport::Channel;

const CUSTOMER: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_ID: &str = "00f067aa0ba902b7";
/// How long the collector waits for the spans it expects.
const EXPORT_TIMEOUT: Duration = Duration::from_secs(60);

/// A collector that forwards every exported span.
struct Collector(mpsc::UnboundedSender<Span>);

#[tonic::async_trait]
impl TraceService for Collector {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        for resource in request.into_inner().resource_spans {
            for scope in resource.scope_spans {
                for span in scope.spans {
                    self.0.send(span).ok();
                }
            }
        }
        Ok(tonic::Response::new(ExportTraceServiceResponse {
            partial_success: None,
        }))
    }
}

async fn start_collector() -> (String, mpsc::UnboundedReceiver<Span>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(TraceServiceServer::new(Collector(tx)))
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)),
    );
    (url, rx)
}

/// Bearer token and the caller's trace on every call.
#[derive(Clone)]
struct Caller(String);

impl tonic::service::Interceptor for Caller {
    fn call(&mut self, mut req: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
        let md = req.metadata_mut();
        md.insert(
            "authorization",
            format!("Bearer {}", self.0).parse().unwrap(),
        );
        md.insert(
            "traceparent",
            format!("00-{TRACE_ID}-{PARENT_ID}-01").parse().unwrap(),
        );
        Ok(req)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_exports_spans_that_continue_the_callers_trace() {
    let scratch = tempfile::tempdir().unwrap();
    let data = scratch.path().join("data");
    let keys = order_ledger(&data, &["keys", "create", "--role", "service", "--json"]);
    assert!(keys.status.success(), "{}", stderr(&keys));
    let token = json_of(&keys)["token"].as_str().unwrap().to_string();
    let (collector, mut spans) = start_collector().await;

    let mut child = Process::new(env!("CARGO_BIN_EXE_order-ledger"))
        .arg("--data-dir")
        .arg(&data)
        .args(["--log-format", "json", "--otlp-endpoint", &collector])
        .args([
            "serve",
            "--grpc-listen",
            "127.0.0.1:0",
            "--http-listen",
            "127.0.0.1:0",
        ])
        .env("RUST_LOG", "info")
        // Export each batch within 100 ms rather than the SDK's 5 s.
        .env("OTEL_BSP_SCHEDULE_DELAY", "100")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn serve");
    let (log_tx, log_rx) = std::sync::mpsc::channel();
    let stderr_pipe = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr_pipe).lines() {
            let Ok(line) = line else { break };
            log_tx.send(line).ok();
        }
    });
    let stdout_pipe = child.stdout.take().unwrap();
    let (url_tx, url_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut url_tx = Some(url_tx);
        for line in BufReader::new(stdout_pipe).lines() {
            let Ok(line) = line else { break };
            if let Some(url) = line.trim().strip_prefix("gRPC  ") {
                if let Some(tx) = url_tx.take() {
                    tx.send(url.to_string()).ok();
                }
            }
        }
    });
    let url = tokio::task::spawn_blocking(move || url_rx.recv())
        .await
        .unwrap()
        .expect("serve starts");

    let channel = Channel::from_shared(url).unwrap().connect().await.unwrap();
    let mut untraced = LedgerCommandsClient::with_interceptor(channel.clone(), Bearer::new(&token));
    pb_onboard(&mut untraced, CUSTOMER).await;
    let mut commands = LedgerCommandsClient::with_interceptor(channel, Caller(token));
    commands
        .place_order(pb_place_order("traced", CUSTOMER, "CS-traced"))
        .await
        .unwrap();

    let trace_id = hex::decode(TRACE_ID).unwrap();
    let parent_id = hex::decode(PARENT_ID).unwrap();
    let mut seen: Vec<Span> = Vec::new();
    let found = tokio::time::timeout(EXPORT_TIMEOUT, async {
        loop {
            let span = spans.recv().await.expect("collector stays up");
            seen.push(span);
            let call = seen.iter().find(|s| {
                s.name == "grpc"
                    && s.trace_id == trace_id
                    && s.parent_span_id == parent_id
                    && s.attributes.iter().any(|a| {
                        a.key == "rpc.method" && format!("{:?}", a.value).contains("PlaceOrder")
                    })
            });
            if let Some(call) = call {
                let execute = seen.iter().find(|s| {
                    s.name == "execute"
                        && s.trace_id == trace_id
                        && s.parent_span_id == call.span_id
                });
                if let Some(execute) = execute {
                    return (call.clone(), execute.clone());
                }
            }
        }
    })
    .await;
    child.kill().ok();
    child.wait().ok();
    let (call, execute) = found.unwrap_or_else(|_| {
        panic!(
            "no PlaceOrder span continuing trace {TRACE_ID} with its execute child; exported: {:?}",
            seen.iter()
                .map(|s| (s.name.clone(), hex::encode(&s.trace_id)))
                .collect::<Vec<_>>()
        )
    });
    assert_ne!(
        call.span_id, parent_id,
        "the call's span is the server's own"
    );
    assert!(
        execute
            .attributes
            .iter()
            .any(|a| a.key == "command" && format!("{:?}", a.value).contains("PlaceOrder")),
        "{execute:?}"
    );

    // Logs were JSON lines throughout.
    let lines: Vec<String> = log_rx.try_iter().collect();
    assert!(!lines.is_empty(), "serve logged nothing at info");
    for line in &lines {
        let v: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("log line is not json ({e}): {line}"));
        assert!(
            v["level"].is_string() && v["timestamp"].is_string(),
            "{line}"
        );
    }
}
