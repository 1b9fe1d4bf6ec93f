//! Shared helpers: an app over a known catalog, and one-shot requests through the router.
#![allow(dead_code)]

use apiprobe_catalog::Catalog;
use apiprobe_web::{app, AppState};
use axum::body::Body;
use axum::Router;
use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use std::sync::Arc;
use tower::ServiceExt;

/// curl's documented exit codes for two conditions, as an alias file a user could pass with --catalog.
pub const CURL_ALIASES: &str = r#"
tool = "curl"
source = "https://curl.se/libcurl/c/libcurl-errors.html"

[[alias]]
code = "7"
name = "CURLE_COULDNT_CONNECT"
text = "Failed to connect() to host or proxy."
maps_to = "CONNECTION_REFUSED"

[[alias]]
code = "60"
name = "CURLE_PEER_FAILED_VERIFICATION"
text = "The remote server's SSL certificate or SSH fingerprint was deemed not OK."
maps_to = "TLS_UNTRUSTED_CERT"
"#;

/// The built-in catalog with the curl aliases above, whatever the data files hold today.
pub fn catalog() -> Catalog {
    Catalog::builtin()
        .extended_with_text("curl.toml", CURL_ALIASES.as_bytes())
        .expect("the test alias file loads")
}

pub fn router() -> Router {
    app(AppState::new(Arc::new(catalog())))
}

/// A response, collected.
pub struct Got {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Got {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    /// Asserts an RFC 9457 problem with this status and catalog code.
    pub fn assert_problem(&self, status: u16, code: &str) -> serde_json::Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text());
        assert_eq!(self.header("content-type"), "application/problem+json");
        let p = self.json();
        assert_eq!(p["status"], status);
        assert_eq!(p["code"], code);
        assert_eq!(p["type"], format!("/codes/{code}"));
        assert!(p["title"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(p["detail"].as_str().is_some_and(|t| !t.is_empty()));
        p
    }
}

pub async fn send(router: &Router, req: Request<Body>) -> Got {
    let res = router
        .clone()
        .oneshot(req)
        .await
        .expect("router is infallible");
    let status = res.status();
    let headers = res.headers().clone();
    let body = res
        .into_body()
        .collect()
        .await
        .expect("body collects")
        .to_bytes();
    Got {
        status,
        headers,
        body,
    }
}

pub async fn get(router: &Router, uri: &str) -> Got {
    send(
        router,
        Request::get(uri).body(Body::empty()).expect("request"),
    )
    .await
}

pub async fn get_with(router: &Router, uri: &str, headers: &[(&str, &str)]) -> Got {
    let mut b = Request::get(uri);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    send(router, b.body(Body::empty()).expect("request")).await
}

pub async fn post(
    router: &Router,
    uri: &str,
    content_type: Option<&str>,
    body: impl Into<Body>,
) -> Got {
    let mut b = Request::builder().method(Method::POST).uri(uri);
    if let Some(ct) = content_type {
        b = b.header("content-type", ct);
    }
    send(router, b.body(body.into()).expect("request")).await
}
