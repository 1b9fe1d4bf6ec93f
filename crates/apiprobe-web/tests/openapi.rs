//! `/openapi.json` is true to the router: every documented operation answers, every route is documented,
//! and no undocumented method is routed.

mod common;

use axum::body::Body;
use common::*;
use http::{Method, Request, StatusCode};
use std::collections::BTreeSet;

/// A path template with example values, so the request reaches the handler.
fn concrete(path: &str) -> String {
    path.replace("{code}", "404")
}

/// Whether the router sent this request to a handler (not to the 404 or 405 fallback).
async fn routed(router: &axum::Router, method: &Method, path: &str) -> bool {
    let req = Request::builder()
        .method(method.clone())
        .uri(concrete(path))
        .header("content-type", "application/json")
        .body(Body::from("{}"))
        .unwrap();
    let got = send(router, req).await;
    if got.status == StatusCode::METHOD_NOT_ALLOWED {
        return false;
    }
    if got.status == StatusCode::NOT_FOUND && got.text().contains("there is nothing at") {
        return false;
    }
    true
}

#[tokio::test]
async fn every_route_is_documented_and_every_documented_route_answers() {
    let r = router();
    let spec = get(&r, "/openapi.json").await.json();
    assert_eq!(spec["openapi"], "3.1.0");
    let paths = spec["paths"].as_object().expect("paths");
    let documented: BTreeSet<&str> = paths.keys().map(String::as_str).collect();
    let served: BTreeSet<&str> = apiprobe_web::route_table().into_iter().collect();
    assert_eq!(
        documented, served,
        "paths in the spec and in the router differ"
    );

    let methods = [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
    ];
    for (path, item) in paths {
        for m in &methods {
            let in_spec = item.get(m.as_str().to_ascii_lowercase()).is_some();
            let in_router = routed(&r, m, path).await;
            assert_eq!(
                in_spec, in_router,
                "{m} {path}: spec says {in_spec}, router says {in_router}"
            );
        }
    }
}

#[tokio::test]
async fn every_schema_reference_resolves() {
    let r = router();
    let spec = get(&r, "/openapi.json").await.json();
    let text = spec.to_string();
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    for part in text.split("\"#/components/schemas/").skip(1) {
        let name = part.split('"').next().unwrap();
        assert!(schemas.contains_key(name), "dangling $ref {name}");
    }
}
