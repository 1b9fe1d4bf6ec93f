//! Errors about one part of the request name it twice: in `detail`, for people, and under `errors` as a
//! JSON pointer into the body or a query parameter's name, for programs (RFC 9457 section 3).

mod common;

use axum::body::Body;
use common::*;
use http::{Method, Request};

async fn explain_json(body: &str) -> Got {
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/explain")
        .header("content-type", "application/json")
        .body(Body::from(body.to_owned()))
        .expect("request");
    send(&router(), req).await
}

#[tokio::test]
async fn a_member_of_the_wrong_type_is_named_by_pointer() {
    // The wrong shape stays PRB-1101 (the body is not what this endpoint reads); a value out of its
    // range is PRB-1104.
    let cases = [
        (
            r#"{"status":"four hundred"}"#,
            "#/status",
            "PRB-1101",
            "status: invalid type",
        ),
        (
            r#"{"status":404,"body":12345}"#,
            "#/body",
            "PRB-1101",
            "body: invalid type",
        ),
        (
            r#"{"status":404,"headers":7}"#,
            "#/headers",
            "PRB-1101",
            "headers: give an object",
        ),
        (
            r#"{"status":99}"#,
            "#/status",
            "PRB-1104",
            "status 99 is outside 100-999",
        ),
    ];
    for (body, pointer, code, detail) in cases {
        let p = explain_json(body).await.assert_problem(400, code);
        assert!(
            p["detail"].as_str().unwrap_or("").contains(detail),
            "{body}: {p}"
        );
        assert_eq!(p["errors"][0]["pointer"], pointer, "{body}: {p}");
        assert_eq!(p["errors"][0]["detail"], p["detail"], "{body}: {p}");
    }
    // Not JSON at all: nothing to point at.
    let p = explain_json("{\"status\":")
        .await
        .assert_problem(400, "PRB-1101");
    assert!(p.get("errors").is_none(), "{p}");
    // Neither alternative: both members it could have had are named.
    let p = explain_json("{}").await.assert_problem(400, "PRB-1104");
    assert_eq!(p["errors"][0]["pointer"], "#/status", "{p}");
    assert_eq!(p["errors"][1]["pointer"], "#/raw", "{p}");
}

#[tokio::test]
async fn a_bad_query_parameter_is_named() {
    let r = router();
    for (uri, parameter) in [
        ("/api/v1/codes?status=abc", "status"),
        ("/api/v1/codes?kind=bogus", "kind"),
        ("/api/v1/search?q=x&limit=0", "limit"),
        ("/api/v1/translate?tool=curl", "tool"),
    ] {
        let p = get(&r, uri).await.assert_problem(400, "PRB-1105");
        assert_eq!(p["errors"][0]["parameter"], parameter, "{uri}: {p}");
        assert!(p["errors"][0].get("pointer").is_none(), "{uri}: {p}");
    }
}
