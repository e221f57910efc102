//! The web console's files over HTTP: the embedded files of `ledger_console`, each
//! with the console's security headers (its strict CSP among them). No
//! route reads ledger data, so none needs credentials.

use axum::extract::Path;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ledger_console::{asset, Asset, CSP, HTML};

fn security_headers() -> [(HeaderName, HeaderValue); 4] {
    [
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
    ]
}

fn serve(a: &Asset) -> Response {
    (
        security_headers(),
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(a.content_type),
        )],
        a.body,
    )
        .into_response()
}

/// `GET /console`: to `/console/`, so the page's relative URLs resolve.
pub async fn redirect() -> Response {
    (
        StatusCode::PERMANENT_REDIRECT,
        security_headers(),
        [(header::LOCATION, HeaderValue::from_static("/console/"))],
    )
        .into_response()
}

/// `GET /console/`: the page.
pub async fn index() -> Response {
    match asset("index.html") {
        Some(a) => serve(a),
        None => not_found(),
    }
}

/// `GET /console/{*file}`: a stylesheet or script.
pub async fn file(Path(name): Path<String>) -> Response {
    match asset(&name).filter(|a| a.name != "index.html") {
        Some(a) => serve(a),
        None => not_found(),
    }
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        security_headers(),
        [(header::CONTENT_TYPE, HeaderValue::from_static(HTML))],
        "<!doctype html><title>Not found</title><p>No such console page. <a href=\"/console/\">Open the console</a>.</p>",
    )
        .into_response()
}
