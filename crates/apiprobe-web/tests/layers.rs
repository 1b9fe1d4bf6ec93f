//! The tower-http layers around the router: security headers on every kind of answer, and the time
//! and size limits answering with our problem documents.

mod common;

use axum::body::Body;
use bytes::Bytes;
use common::*;
use http::{Method, Request, StatusCode};
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A request body whose first byte never comes.
struct Never;

impl http_body::Body for Never {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
        Poll::Pending
    }
}

fn assert_security_headers(got: &Got, what: &str) {
    assert!(
        got.header("content-security-policy")
            .contains("frame-ancestors 'none'"),
        "{what}"
    );
    assert_eq!(got.header("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(got.header("x-frame-options"), "DENY", "{what}");
    assert_eq!(got.header("referrer-policy"), "no-referrer", "{what}");
}

// Paused time: the runtime jumps to the deadline as soon as nothing else can run.
#[tokio::test(start_paused = true)]
async fn a_body_that_never_arrives_gets_a_408_problem() {
    let r = router();
    for (uri, ct) in [
        ("/api/v1/explain", "application/json"),
        ("/explain", "application/x-www-form-urlencoded"),
    ] {
        let req = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header("content-type", ct)
            .body(Body::new(Never))
            .unwrap();
        let got = send(&r, req).await;
        got.assert_problem(408, "PRB-1161");
        assert_security_headers(&got, uri);
    }
}

#[tokio::test]
async fn a_declared_length_over_the_limit_is_refused_unread_with_a_problem() {
    let r = router();
    let too_long = (apiprobe_web::MAX_BODY_BYTES + 1).to_string();
    for (uri, ct) in [
        ("/api/v1/explain", "application/json"),
        ("/explain", "application/x-www-form-urlencoded"),
    ] {
        let req = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header("content-type", ct)
            .header("content-length", too_long.as_str())
            .body(Body::new(Never))
            .unwrap();
        let got = send(&r, req).await;
        got.assert_problem(413, "PRB-1108");
        assert_security_headers(&got, uri);
    }
}

#[tokio::test]
async fn every_kind_of_answer_carries_the_security_headers() {
    let r = router();
    let ok = get(&r, "/api/v1/codes").await;
    assert_security_headers(&ok, "200");
    let tag = ok.header("etag").to_owned();
    let not_modified = get_with(&r, "/api/v1/codes", &[("if-none-match", &tag)]).await;
    assert_eq!(not_modified.status, StatusCode::NOT_MODIFIED);
    assert_security_headers(&not_modified, "304");
    let redirect = get(&r, "/codes/prb-3001").await;
    assert_eq!(redirect.status, StatusCode::PERMANENT_REDIRECT);
    assert_security_headers(&redirect, "308");
    let problem = get(&r, "/api/v1/codes/nope").await;
    assert_eq!(problem.status, StatusCode::NOT_FOUND);
    assert_security_headers(&problem, "404 problem");
    let page = get_with(&r, "/nothing", &[("accept", "text/html")]).await;
    assert!(page.header("content-type").starts_with("text/html"));
    assert_security_headers(&page, "404 page");
    let wrong = send(&r, Request::delete("/").body(Body::empty()).unwrap()).await;
    assert_eq!(wrong.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_security_headers(&wrong, "405");
}
