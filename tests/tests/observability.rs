//! Tracing and correlation end to end, on the real server: a caller's W3C
//! `traceparent` is continued on the gRPC and HTTP request spans (captured
//! by a test-local subscriber layer), and every command's stored metadata
//! carries its correlation and causation ids, from the protocol field, the
//! `x-correlation-id`, the trace id or the request id, in that order.
//!
//! The subscriber is this thread's default (`set_default`), and the tests
//! run on tokio's current-thread runtime, so the server's tasks record into
//! it too.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use ledger_auth::Role;
use ledger_codec::{CommandMetadata, Position, StreamId};
use ledger_server::pb;
use tests::server::{pb_header, pb_onboard, pb_place_order, TestServer};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::Subscriber;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{Layer, Registry};

const CUSTOMER: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_ID: &str = "00f067aa0ba902b7";
const OTHER_TRACE_ID: &str = "0af7651916cd43dd8448eb211c80319c";

fn traceparent(trace_id: &str, parent_id: &str) -> String {
    format!("00-{trace_id}-{parent_id}-01")
}

/// One span as the layer saw it: name, parent (index into the list) and
/// every field recorded on it, as text.
#[derive(Clone, Debug)]
struct Captured {
    name: &'static str,
    parent: Option<usize>,
    fields: BTreeMap<String, String>,
}

/// Records every span (its fields at creation and later `record`s).
#[derive(Clone, Default)]
struct Spans(Arc<Mutex<Vec<Captured>>>);

/// A span's index in [`Spans`], kept in its extensions (span ids are
/// reused once a span closes; indexes are not).
struct Index(usize);

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Spans {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let span = ctx.span(id).expect("new span is registered");
        let parent = span
            .parent()
            .and_then(|p| p.extensions().get::<Index>().map(|i| i.0));
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        let mut all = self.0.lock().unwrap();
        all.push(Captured {
            name: attrs.metadata().name(),
            parent,
            fields,
        });
        span.extensions_mut().insert(Index(all.len() - 1));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let Some(index) = span.extensions().get::<Index>().map(|i| i.0) else {
            return;
        };
        values.record(&mut Fields(&mut self.0.lock().unwrap()[index].fields));
    }
}

impl Spans {
    fn all(&self) -> Vec<Captured> {
        self.0.lock().unwrap().clone()
    }

    /// The spans named `name` whose field `field` is `value`.
    fn find(&self, name: &str, field: &str, value: &str) -> Vec<(usize, Captured)> {
        self.all()
            .into_iter()
            .enumerate()
            .filter(|(_, s)| {
                s.name == name && s.fields.get(field).map(String::as_str) == Some(value)
            })
            .collect()
    }

    /// `span` and its ancestors, nearest first.
    fn lineage(&self, span: usize) -> Vec<Captured> {
        let all = self.all();
        let mut out = Vec::new();
        let mut at = Some(span);
        while let Some(i) = at {
            out.push(all[i].clone());
            at = all[i].parent;
        }
        out
    }
}

/// The command metadata of the first record of `stream`.
async fn stored(server: &TestServer, stream: &str, event_type: &str) -> CommandMetadata {
    let records = server
        .state()
        .store
        .read_all(Position(1), 1_000)
        .await
        .expect("log reads");
    records
        .into_iter()
        .find(|r| r.stream_id == StreamId(stream.to_owned()) && r.event_type == event_type)
        .unwrap_or_else(|| panic!("no {event_type} on {stream}"))
        .metadata
        .command
}

fn ids(c: &CommandMetadata) -> (Option<&str>, Option<&str>) {
    (c.causation_id.as_deref(), c.correlation_id.as_deref())
}

#[tokio::test]
async fn a_grpc_command_continues_the_callers_trace_and_stores_its_correlation() {
    let spans = Spans::default();
    let _default = tracing::subscriber::set_default(Registry::default().with(spans.clone()));
    let server = TestServer::start().await;
    let key = server.create_key(Role::Service);
    let mut commands = server.commands(key.token.expose()).await;
    pb_onboard(&mut commands, CUSTOMER).await;

    // The header's fields win over the metadata.
    let mut place = pb_place_order("place-1", CUSTOMER, "CS1");
    place.header = Some(pb::CommandHeader {
        causation_id: "cart-7".into(),
        correlation_id: "checkout-7".into(),
        ..pb_header("place-1")
    });
    let mut req = tonic::Request::new(place);
    let md = req.metadata_mut();
    md.insert(
        "traceparent",
        traceparent(TRACE_ID, PARENT_ID).parse().unwrap(),
    );
    md.insert("x-correlation-id", "not-this-one".parse().unwrap());
    md.insert("x-request-id", "req-1".parse().unwrap());
    commands.place_order(req).await.expect("placed");

    // Empty fields: the x-correlation-id, and the request as the cause.
    let mut req = tonic::Request::new(pb_place_order("place-2", CUSTOMER, "CS2"));
    let md = req.metadata_mut();
    md.insert(
        "traceparent",
        traceparent(OTHER_TRACE_ID, PARENT_ID).parse().unwrap(),
    );
    md.insert("x-correlation-id", "checkout-8".parse().unwrap());
    md.insert("x-request-id", "req-2".parse().unwrap());
    commands.place_order(req).await.expect("placed");

    // No correlation given: the trace id is the correlation.
    let mut req = tonic::Request::new(pb_place_order("place-3", CUSTOMER, "CS3"));
    let md = req.metadata_mut();
    md.insert(
        "traceparent",
        traceparent(OTHER_TRACE_ID, PARENT_ID).parse().unwrap(),
    );
    md.insert("x-request-id", "req-3".parse().unwrap());
    commands.place_order(req).await.expect("placed");

    // Only a request id, and a malformed traceparent (ignored).
    let mut req = tonic::Request::new(pb_place_order("place-4", CUSTOMER, "CS4"));
    let md = req.metadata_mut();
    md.insert("traceparent", "00-not-a-trace".parse().unwrap());
    md.insert("x-request-id", "req-4".parse().unwrap());
    commands.place_order(req).await.expect("placed");

    assert_eq!(
        ids(&stored(&server, "order-CS1", "OrderPlaced").await),
        (Some("cart-7"), Some("checkout-7"))
    );
    assert_eq!(
        ids(&stored(&server, "order-CS2", "OrderPlaced").await),
        (Some("req-2"), Some("checkout-8"))
    );
    assert_eq!(
        ids(&stored(&server, "order-CS3", "OrderPlaced").await),
        (Some("req-3"), Some(OTHER_TRACE_ID))
    );
    assert_eq!(
        ids(&stored(&server, "order-CS4", "OrderPlaced").await),
        (Some("req-4"), Some("req-4"))
    );

    // The call's span continues the caller's trace, and the command's
    // spans (execute, decide, append) run inside it.
    let calls = spans.find("grpc", "trace_id", TRACE_ID);
    assert_eq!(calls.len(), 1, "{:#?}", spans.all());
    let call = &calls[0].1;
    assert_eq!(call.fields["parent_span_id"], PARENT_ID);
    assert_eq!(call.fields["rpc.service"], "ledger.v1.LedgerCommands");
    assert_eq!(call.fields["rpc.method"], "PlaceOrder");
    assert_eq!(call.fields["request_id"], "req-1");
    let executes = spans.find("execute", "command_id", "place-1");
    assert_eq!(executes.len(), 1, "{:#?}", spans.all());
    let execute = &executes[0].1;
    assert_eq!(execute.fields["correlation_id"], "checkout-7");
    assert_eq!(execute.fields["attempts"], "1");
    assert!(execute.fields.contains_key("position"), "{execute:?}");
    let lineage: Vec<&str> = spans
        .lineage(executes[0].0)
        .iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(lineage.first(), Some(&"execute"));
    assert!(lineage.contains(&"grpc"), "{lineage:?}");
    let under_execute: Vec<&'static str> = spans
        .all()
        .iter()
        .filter(|s| s.parent == Some(executes[0].0))
        .map(|s| s.name)
        .collect();
    for child in ["load", "decide", "append"] {
        assert!(under_execute.contains(&child), "{under_execute:?}");
    }
    let appends = spans.find("append", "events", "1");
    assert!(
        appends
            .iter()
            .any(|(_, a)| a.fields.contains_key("append_us")),
        "{appends:?}"
    );
    // An untraced call has no trace id on its span.
    let untraced = spans.find("grpc", "request_id", "req-4");
    assert_eq!(untraced.len(), 1);
    assert!(!untraced[0].1.fields.contains_key("trace_id"));

    // Authentication is a span of the call: the key it found, or why not.
    let auths: Vec<(usize, Captured)> = spans
        .find("auth", "outcome", "ok")
        .into_iter()
        .filter(|(_, a)| a.parent == Some(calls[0].0))
        .collect();
    assert_eq!(auths.len(), 1, "{:#?}", spans.all());
    assert_eq!(auths[0].1.fields["face"], "grpc");
    assert_eq!(auths[0].1.fields["access_key"], key.access_key.to_string());
    let mut stranger = server.queries("not-a-token").await;
    let refused = stranger
        .get_order(pb::GetOrderRequest {
            customer_id: CUSTOMER.into(),
            order_id: "CS1".into(),
            min_position: 0,
        })
        .await
        .expect_err("a bad token is refused");
    assert_eq!(refused.code(), tonic::Code::Unauthenticated);
    let refusals = spans.find("auth", "outcome", "unauthenticated");
    assert_eq!(refusals.len(), 1, "{:#?}", spans.all());
    assert!(!refusals[0].1.fields.contains_key("access_key"));

    // A query is a span of its call: the projection, and the position read.
    let mut queries = server.queries(key.token.expose()).await;
    queries
        .get_order(pb::GetOrderRequest {
            customer_id: CUSTOMER.into(),
            order_id: "CS1".into(),
            min_position: 1,
        })
        .await
        .expect("the order is found");
    let reads = spans.find("query", "projection", "orders");
    assert_eq!(reads.len(), 1, "{:#?}", spans.all());
    let read = &reads[0].1;
    assert_eq!(read.fields["min_position"], "1");
    for field in ["position", "wait_us", "render_us"] {
        assert!(read.fields.contains_key(field), "{read:?}");
    }
    let query_lineage: Vec<&str> = spans.lineage(reads[0].0).iter().map(|s| s.name).collect();
    assert!(query_lineage.contains(&"grpc"), "{query_lineage:?}");
    server.shutdown().await;
}

#[tokio::test]
async fn rest_commands_store_the_request_id_or_the_callers_correlation() {
    let spans = Spans::default();
    let _default = tracing::subscriber::set_default(Registry::default().with(spans.clone()));
    let server = TestServer::start().await;
    let key = server.create_key(Role::Service);
    let mut commands = server.commands(key.token.expose()).await;
    pb_onboard(&mut commands, CUSTOMER).await;
    for (n, order) in ["CS1", "CS2", "CS3"].into_iter().enumerate() {
        commands
            .place_order(pb_place_order(&format!("place-{n}"), CUSTOMER, order))
            .await
            .expect("placed");
    }
    let http = reqwest::Client::new();
    let base = server.http_url();

    // A request id and no correlation header: the request id is both.
    let res = http
        .post(format!("{base}/v1/customers/{CUSTOMER}/orders/CS1/cancel"))
        .header("X-Auth-Token", key.token.expose())
        .header("X-Request-Id", "req-rest-1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    assert_eq!(res.headers()["x-request-id"], "req-rest-1");
    assert_eq!(
        ids(&stored(&server, "order-CS1", "OrderCancelled").await),
        (Some("req-rest-1"), Some("req-rest-1"))
    );

    // The Huawei-compatible cancel, traced: the correlation header wins
    // over the trace id; without it the trace id is the correlation.
    let res = http
        .put(format!("{base}/v2/orders/customer-orders/cancel"))
        .header("X-Auth-Token", key.token.expose())
        .header("Content-Type", "application/json")
        .header("X-Request-Id", "req-rest-2")
        .header("X-Correlation-Id", "refund-flow-2")
        .header("traceparent", traceparent(TRACE_ID, PARENT_ID))
        .body(r#"{"order_id":"CS2"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204, "{}", res.text().await.unwrap());
    assert_eq!(
        ids(&stored(&server, "order-CS2", "OrderCancelled").await),
        (Some("req-rest-2"), Some("refund-flow-2"))
    );
    let res = http
        .post(format!("{base}/v1/customers/{CUSTOMER}/orders/CS3/cancel"))
        .header("X-Auth-Token", key.token.expose())
        .header("traceparent", traceparent(OTHER_TRACE_ID, PARENT_ID))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let assigned = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(
        ids(&stored(&server, "order-CS3", "OrderCancelled").await),
        (Some(assigned.as_str()), Some(OTHER_TRACE_ID))
    );

    // The HTTP request span continues the trace; the command runs in it.
    let requests = spans.find("http", "trace_id", TRACE_ID);
    assert_eq!(requests.len(), 1, "{:#?}", spans.all());
    let request = &requests[0].1;
    assert_eq!(request.fields["parent_span_id"], PARENT_ID);
    assert_eq!(request.fields["request_id"], "req-rest-2");
    assert_eq!(request.fields["route"], "/v2/orders/customer-orders/cancel");
    assert_eq!(request.fields["status"], "204");
    let executes = spans.find("execute", "correlation_id", "refund-flow-2");
    assert_eq!(executes.len(), 1, "{:#?}", spans.all());
    assert!(spans.lineage(executes[0].0).iter().any(
        |s| s.name == "http" && s.fields.get("trace_id").map(String::as_str) == Some(TRACE_ID)
    ));
    server.shutdown().await;
}
