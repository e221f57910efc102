//! The Grafana dashboard (`docs/grafana/order-ledger.json`) and the
//! Prometheus alert rules (`docs/prometheus/alerts.yml`) query only
//! metrics the server exports: a renamed or dropped metric fails here, not
//! on an on-call engineer's empty panel.

use std::collections::BTreeSet;
use std::path::Path;

use ledger_auth::Role;
use tests::server::{pb_onboard, TestServer};

const CUSTOMER: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

/// Histogram and summary series end in these; the metric's family name is
/// what is left.
const SERIES_SUFFIXES: [&str; 3] = ["_bucket", "_count", "_sum"];

/// Every `order_ledger_*` name in `text`.
fn metric_names(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("order_ledger_") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(tail.len());
        names.insert(tail[..end].to_owned());
        rest = &tail[end..];
    }
    names
}

/// A series name's metric family (`x_bucket` → `x`).
fn family(name: &str) -> &str {
    SERIES_SUFFIXES
        .iter()
        .find_map(|s| name.strip_suffix(s))
        .unwrap_or(name)
}

fn doc(path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_and_the_alerts_query_only_exported_metrics() {
    let server = TestServer::start().await;
    let key = server.create_key(Role::Service);
    let mut commands = server.commands(key.token.expose()).await;
    pb_onboard(&mut commands, CUSTOMER).await;
    let http = reqwest::Client::new();
    // One HTTP request, so the per-route request counter has a series.
    let health = http
        .get(format!("{}/healthz", server.http_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let operator = server.create_key(Role::Operator);
    let metrics = http
        .get(format!("{}/metrics", server.http_url()))
        .bearer_auth(operator.token.expose())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // What the server declares: `# TYPE name kind` and every sample line.
    let exported: BTreeSet<String> = metric_names(&metrics)
        .iter()
        .map(|n| family(n).to_owned())
        .collect();
    assert!(
        exported.contains("order_ledger_commands_total"),
        "the scrape names its metrics:\n{metrics}"
    );

    for path in [
        "docs/grafana/order-ledger.json",
        "docs/prometheus/alerts.yml",
    ] {
        let queried = metric_names(&doc(path));
        assert!(
            !queried.is_empty(),
            "{path} queries no order_ledger_ metric"
        );
        let missing: Vec<&String> = queried
            .iter()
            .filter(|n| !exported.contains(family(n)))
            .collect();
        assert!(
            missing.is_empty(),
            "{path} queries metrics the server does not export: {missing:?}\nexported: {exported:?}"
        );
    }
    server.shutdown().await;
}

#[test]
fn metric_names_are_read_whole_and_series_map_to_their_family() {
    let names = metric_names(r#"rate(order_ledger_x_bucket{a="b"}[5m]) / order_ledger_y_total"#);
    assert_eq!(
        names.into_iter().collect::<Vec<_>>(),
        ["order_ledger_x_bucket", "order_ledger_y_total"]
    );
    assert_eq!(family("order_ledger_x_bucket"), "order_ledger_x");
    assert_eq!(family("order_ledger_y_total"), "order_ledger_y_total");
}
