//! Every user string is escaped: a script tag through every parameter never comes back as markup.

mod common;

use common::*;
use http::StatusCode;

const SCRIPT: &str = "<script>alert(1)</script>";
const SCRIPT_Q: &str = "%3Cscript%3Ealert(1)%3C%2Fscript%3E";

fn assert_inert(uri: &str, got: &Got) {
    assert_ne!(got.status, StatusCode::INTERNAL_SERVER_ERROR, "{uri}");
    let ct = got.header("content-type");
    if ct.starts_with("text/html") {
        let body = got.text();
        assert!(!body.contains(SCRIPT), "{uri} reflected the script tag");
        assert!(!body.contains("<script>"), "{uri} has an inline script");
    } else {
        // JSON quotes the text as data; it is never served as HTML and never sniffed.
        assert!(
            ct.contains("json") || ct.is_empty() || got.body.is_empty(),
            "{uri}: {ct}"
        );
        assert_eq!(got.header("x-content-type-options"), "nosniff", "{uri}");
    }
}

#[tokio::test]
async fn script_tags_in_every_query_parameter_are_escaped() {
    let r = router();
    let uris = [
        format!("/?q={SCRIPT_Q}"),
        format!("/?q={SCRIPT_Q}&category={SCRIPT_Q}"),
        format!("/?kind={SCRIPT_Q}"),
        format!("/reference?q={SCRIPT_Q}"),
        format!("/codes/{SCRIPT_Q}"),
        format!("/api/v1/codes?category={SCRIPT_Q}"),
        format!("/api/v1/codes?kind={SCRIPT_Q}"),
        format!("/api/v1/codes?status={SCRIPT_Q}"),
        format!("/api/v1/codes/{SCRIPT_Q}"),
        format!("/api/v1/search?q={SCRIPT_Q}"),
        format!("/api/v1/search?q=a&category={SCRIPT_Q}"),
        format!("/api/v1/search?q=a&kind={SCRIPT_Q}"),
        format!("/api/v1/search?q=a&limit={SCRIPT_Q}"),
        format!("/api/v1/translate?tool={SCRIPT_Q}&code={SCRIPT_Q}"),
        format!("/api/v1/translate?tool=curl&code={SCRIPT_Q}"),
        format!("/api/v1/translate?text={SCRIPT_Q}"),
        format!("/{SCRIPT_Q}"),
    ];
    for uri in &uris {
        for accept in ["text/html", "application/json", "*/*"] {
            let got = get_with(&r, uri, &[("accept", accept)]).await;
            assert_inert(uri, &got);
        }
    }
    // The search page shows the query back, escaped.
    let got = get(&r, &format!("/?q={SCRIPT_Q}")).await;
    assert!(got.text().contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[tokio::test]
async fn script_tags_in_posted_forms_and_json_are_escaped() {
    let r = router();
    for form in [
        format!("raw={SCRIPT_Q}"),
        format!("raw=HTTP%2F1.1+400+Bad+Request%0D%0A%0D%0A{SCRIPT_Q}"),
        format!(
            "status=400&headers=X-Note%3A+{SCRIPT_Q}&body=%7B%22message%22%3A%22{SCRIPT_Q}%22%7D"
        ),
        format!("status={SCRIPT_Q}"),
        format!("raw=curl%3A+(7)+Failed+to+connect+to+{SCRIPT_Q}+port+80"),
    ] {
        let got = post(
            &r,
            "/explain",
            Some("application/x-www-form-urlencoded"),
            form.clone(),
        )
        .await;
        assert_inert(&form, &got);
        assert!(
            got.text().contains("&lt;script&gt;"),
            "{form}: input not shown back escaped"
        );
    }
    for body in [
        serde_json::json!({ "raw": SCRIPT }),
        serde_json::json!({ "status": 400, "headers": { SCRIPT: SCRIPT }, "body": format!("{{\"message\":\"{SCRIPT}\"}}") }),
    ] {
        let got = post(
            &r,
            "/api/v1/explain",
            Some("application/json"),
            body.to_string(),
        )
        .await;
        assert_inert("/api/v1/explain", &got);
    }
    let got = post(&r, "/api/v1/explain", Some(SCRIPT), "{}").await;
    assert_inert("/api/v1/explain content-type", &got);
}
