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

/// One request and the operation that documents it.
struct Case {
    method: Method,
    template: &'static str,
    uri: &'static str,
    content_type: Option<&'static str>,
    body: &'static str,
}

fn case(
    method: Method,
    template: &'static str,
    uri: &'static str,
    content_type: Option<&'static str>,
    body: &'static str,
) -> Case {
    Case {
        method,
        template,
        uri,
        content_type,
        body,
    }
}

#[tokio::test]
async fn error_answers_have_a_documented_status_and_content_type() {
    let r = router();
    let spec = get(&r, "/openapi.json").await.json();
    let form = Some("application/x-www-form-urlencoded");
    let json = Some("application/json");
    let cases = [
        // Pages answer their errors with pages, which the document lists.
        case(Method::GET, "/", "/?kind=bogus", None, ""),
        case(Method::GET, "/", "/?kind=http&kind=http", None, ""),
        case(Method::GET, "/codes/{code}", "/codes/0", None, ""),
        case(Method::POST, "/explain", "/explain", None, ""),
        case(
            Method::POST,
            "/explain",
            "/explain",
            form,
            "body=&headers=&raw=",
        ),
        case(Method::POST, "/explain", "/explain", form, "status=99"),
        case(
            Method::POST,
            "/explain",
            "/explain",
            form,
            "raw=HTTP%2F1.1+abc",
        ),
        case(
            Method::POST,
            "/explain",
            "/explain",
            form,
            "raw=nothing+known",
        ),
        // Empty values where the document says integer are refused.
        case(
            Method::GET,
            "/api/v1/codes",
            "/api/v1/codes?status=",
            None,
            "",
        ),
        case(
            Method::GET,
            "/api/v1/search",
            "/api/v1/search?limit=",
            None,
            "",
        ),
        case(
            Method::GET,
            "/api/v1/translate",
            "/api/v1/translate?tool=curl",
            None,
            "",
        ),
        case(
            Method::GET,
            "/api/v1/translate",
            "/api/v1/translate?text=zzz",
            None,
            "",
        ),
        case(
            Method::POST,
            "/api/v1/explain",
            "/api/v1/explain",
            json,
            "{\"raw\": null}",
        ),
        case(
            Method::POST,
            "/api/v1/explain",
            "/api/v1/explain",
            json,
            "{\"raw\": \"HTTP/1.1 x\"}",
        ),
        case(
            Method::POST,
            "/api/v1/explain",
            "/api/v1/explain",
            None,
            "{}",
        ),
    ];
    for c in cases {
        let mut b = Request::builder().method(c.method.clone()).uri(c.uri);
        if let Some(ct) = c.content_type {
            b = b.header("content-type", ct);
        }
        let got = send(&r, b.body(Body::from(c.body)).unwrap()).await;
        let what = format!("{} {} {:?}", c.method, c.uri, c.body);
        assert!(got.status.is_client_error(), "{what}: {}", got.status);
        let op = &spec["paths"][c.template][c.method.as_str().to_ascii_lowercase()];
        let documented = &op["responses"][got.status.as_str()];
        assert!(
            documented.is_object(),
            "{what}: {} is not documented",
            got.status
        );
        let essence = got
            .header("content-type")
            .split(';')
            .next()
            .unwrap_or("")
            .trim();
        assert!(
            documented["content"].get(essence).is_some(),
            "{what}: {} {essence} is not documented: {documented}",
            got.status
        );
    }
}
