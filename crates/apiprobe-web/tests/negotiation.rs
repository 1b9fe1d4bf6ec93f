//! Errors of the page routes are negotiated: a browser gets the page, a program that prefers JSON gets
//! the problem document (RFC 9457) with our catalog code; both say they vary with `Accept`, and the
//! OpenAPI document lists both forms.

mod common;

use axum::body::Body;
use common::*;
use http::{Method, Request};

const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
const PROGRAM: &str = "application/problem+json, text/html;q=0.9";

async fn ask(method: Method, uri: &str, accept: Option<&str>, form: Option<&str>) -> Got {
    let mut b = Request::builder().method(method).uri(uri);
    if let Some(a) = accept {
        b = b.header("accept", a);
    }
    let body = match form {
        Some(f) => {
            b = b.header("content-type", "application/x-www-form-urlencoded");
            Body::from(f.to_owned())
        }
        None => Body::empty(),
    };
    send(&router(), b.body(body).expect("request")).await
}

/// Whether one of the response's `Vary` values names `Accept` (the page varies with its encoding too).
fn varies_with_accept(got: &Got) -> bool {
    got.headers
        .get_all("vary")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|v| v.trim().eq_ignore_ascii_case("accept"))
}

#[tokio::test]
async fn an_unknown_entry_is_a_page_for_browsers_and_a_problem_for_programs() {
    for accept in [Some(BROWSER), Some("*/*"), None] {
        let page = ask(Method::GET, "/codes/PRB-0000", accept, None).await;
        assert_eq!(page.status, 404, "{accept:?}");
        assert!(
            page.header("content-type").starts_with("text/html"),
            "{accept:?}"
        );
        assert!(page.text().contains("PRB-1151"), "{}", page.text());
        assert!(varies_with_accept(&page), "{:?}", page.headers);
    }
    for accept in [PROGRAM, "application/json", "application/problem+json"] {
        let got = ask(Method::GET, "/codes/PRB-0000", Some(accept), None).await;
        let p = got.assert_problem(404, "PRB-1151");
        assert!(
            p["detail"].as_str().unwrap_or("").contains("PRB-0000"),
            "{p}"
        );
        assert!(varies_with_accept(&got), "{:?}", got.headers);
    }
}

#[tokio::test]
async fn explain_form_errors_negotiate_and_name_the_field() {
    let page = ask(Method::POST, "/explain", Some(BROWSER), Some("status=99")).await;
    assert_eq!(page.status, 400);
    assert!(page.header("content-type").starts_with("text/html"));
    // The page keeps the form, so the user can correct it.
    assert!(page.text().contains("<form"), "{}", page.text());

    let got = ask(Method::POST, "/explain", Some(PROGRAM), Some("status=99")).await;
    let p = got.assert_problem(400, "PRB-1104");
    assert!(p["detail"].as_str().unwrap_or("").contains("status"), "{p}");

    let got = ask(Method::POST, "/explain", Some(PROGRAM), Some("raw=+")).await;
    got.assert_problem(400, "PRB-1104");

    // A body that is not a form at all: the media type is refused in the form asked for.
    let got = ask(Method::POST, "/explain", Some(PROGRAM), None).await;
    got.assert_problem(415, "PRB-1012");
}

#[tokio::test]
async fn home_query_errors_negotiate() {
    let page = ask(Method::GET, "/?kind=bogus", Some(BROWSER), None).await;
    assert_eq!(page.status, 400);
    assert!(page.header("content-type").starts_with("text/html"));
    let got = ask(Method::GET, "/?kind=bogus", Some(PROGRAM), None).await;
    let p = got.assert_problem(400, "PRB-1105");
    assert!(p["detail"].as_str().unwrap_or("").contains("kind"), "{p}");
}

#[tokio::test]
async fn unknown_paths_follow_the_same_preference() {
    let page = ask(Method::GET, "/nowhere", Some(BROWSER), None).await;
    assert!(page.header("content-type").starts_with("text/html"));
    // A client that names HTML but prefers JSON gets JSON.
    let got = ask(Method::GET, "/nowhere", Some(PROGRAM), None).await;
    got.assert_problem(404, "PRB-1151");
    // No preference: a problem document, as before.
    let got = ask(Method::GET, "/nowhere", Some("*/*"), None).await;
    got.assert_problem(404, "PRB-1151");
}

#[tokio::test]
async fn the_document_lists_both_forms_for_page_errors() {
    let spec = ask(Method::GET, "/openapi.json", None, None).await.json();
    for (path, method, status) in [
        ("/codes/{code}", "get", "404"),
        ("/", "get", "400"),
        ("/explain", "post", "400"),
        ("/explain", "post", "415"),
    ] {
        let content = &spec["paths"][path][method]["responses"][status]["content"];
        assert!(content["text/html"].is_object(), "{path} {status}");
        assert_eq!(
            content["application/problem+json"]["schema"]["$ref"], "#/components/schemas/Problem",
            "{path} {status}"
        );
    }
}
