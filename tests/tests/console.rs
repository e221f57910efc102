//! The web console over the real server (port 0): `/console/` and every
//! asset are served, unauthenticated, with their content type and the
//! strict Content-Security-Policy; and letting the console through the
//! authentication middleware opens no API route: every other route still
//! refuses a request without credentials, also when its path is dressed
//! up as a console path.

use std::io::{Read, Write};
use std::net::TcpStream;

use ledger_console::{ASSETS, CSP};
use ledger_server::rest::route_table;
use reqwest::redirect::Policy;
use tests::server::TestServer;

const ME: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client")
}

fn header<'a>(res: &'a reqwest::Response, name: &str) -> &'a str {
    res.headers()
        .get(name)
        .unwrap_or_else(|| panic!("{} has no {name}", res.url()))
        .to_str()
        .expect("ascii header")
}

#[tokio::test]
async fn the_page_and_every_asset_are_served_with_their_type_and_the_csp() {
    let server = TestServer::start().await;
    let base = server.http_url();
    let http = client();

    let res = http.get(format!("{base}/console")).send().await.unwrap();
    assert_eq!(res.status(), 308);
    assert_eq!(header(&res, "location"), "/console/");

    let res = http.get(format!("{base}/console/")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-type"), "text/html; charset=utf-8");
    assert_eq!(header(&res, "content-security-policy"), CSP);
    assert_eq!(header(&res, "x-content-type-options"), "nosniff");
    let page = res.text().await.unwrap();
    assert!(
        page.contains("<script type=\"module\" src=\"js/app.js\">"),
        "{page}"
    );

    assert!(ASSETS.len() >= 10, "only {} assets", ASSETS.len());
    for a in ASSETS.iter().filter(|a| a.name != "index.html") {
        let res = http
            .get(format!("{base}/console/{}", a.name))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{}", a.name);
        let want = if a.name.ends_with(".js") {
            "text/javascript; charset=utf-8"
        } else {
            "text/css; charset=utf-8"
        };
        assert_eq!(header(&res, "content-type"), want, "{}", a.name);
        assert_eq!(header(&res, "content-security-policy"), CSP, "{}", a.name);
        assert_eq!(res.text().await.unwrap(), a.body, "{}", a.name);
    }
    // The policy is strict: own origin only, no inline code, no framing.
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ] {
        assert!(CSP.contains(directive), "{directive}");
    }
    assert!(!CSP.contains("unsafe"), "{CSP}");

    let res = http
        .get(format!("{base}/console/js/none.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    // The page itself is only at /console/.
    let res = http
        .get(format!("{base}/console/index.html"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    server.shutdown().await;
}

/// A concrete path for a route pattern.
fn concrete(pattern: &str) -> String {
    pattern
        .replace("{customer_id}", ME)
        .replace("{domain_id}", ME)
        .replace("{order_id}", "CS0001")
        .replace("{contract_no}", "EC0001")
}

/// One raw HTTP/1.1 request (the path exactly as written: no client
/// normalises its dot segments); the status and body.
fn raw_get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connects");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("writes");
    let mut answer = String::new();
    s.read_to_string(&mut answer).expect("reads");
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status in {answer:?}"));
    (status, answer)
}

#[tokio::test]
async fn the_console_opens_no_api_route_without_credentials() {
    let server = TestServer::start().await;
    let base = server.http_url();
    let http = client();
    let mut checked = 0;
    for route in route_table() {
        let public = ["/healthz", "/readyz"].contains(&route.path)
            || ledger_console::is_console_path(route.path);
        if public {
            continue;
        }
        let method: reqwest::Method = route.method.to_uppercase().parse().unwrap();
        let res = http
            .request(method, format!("{base}{}", concrete(route.path)))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{route:?} without credentials");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["code"], "unauthenticated", "{route:?}: {body}");
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} routes checked");

    // A path that starts like the console's reaches only the console (or
    // the not-found answer), never the API behind it.
    let addr = base.trim_start_matches("http://").to_owned();
    let orders = format!("v1/customers/{ME}/orders");
    let paths = [
        format!("/console/../{orders}"),
        format!("/console/%2e%2e/{orders}"),
        format!("/console/..%2f{orders}"),
        format!("/console//{orders}"),
        format!("/console/{orders}"),
    ];
    let answers = tokio::task::spawn_blocking(move || {
        paths
            .iter()
            .map(|p| (p.clone(), raw_get(&addr, p)))
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    for (path, (status, answer)) in answers {
        assert_eq!(status, 404, "{path}: {answer}");
        assert!(!answer.contains("\"orders\""), "{path}: {answer}");
    }
    server.shutdown().await;
}
