//! The HTML of an entry page, the full reference and a search result, pinned. The entry is built here,
//! so the snapshots change only when the pages' markup does, not when the catalog's wording does.

use apiprobe_catalog::{Alias, Catalog, Category, Entry, Kind, Phase};
use apiprobe_web::{app, AppState};
use axum::body::Body;
use http::Request;
use http_body_util::BodyExt;
use std::sync::Arc;
use tower::ServiceExt;

fn entry() -> Entry {
    Entry {
        code: "PRB-3001".into(),
        kind: Kind::Probe,
        title: "Connection refused".into(),
        category: Category::Server,
        meaning:
            "The host answered the connection attempt with a reset: nothing listens on that port."
                .into(),
        likely_causes: vec![
            "The service is stopped or still starting".into(),
            "The port is wrong, or the service listens on another interface".into(),
        ],
        fixes: vec!["Check that the service is running and listening on <host>:<port>".into()],
        retryable: true,
        related: vec!["PRB-3002".into(), "503".into()],
        status: None,
        origin: None,
        reference: None,
        variants: Vec::new(),
        default_probe: None,
        name: Some("CONNECTION_REFUSED".into()),
        phase: Some(Phase::Connect),
        statuses: Vec::new(),
        message: Some("Connection to {host}:{port} refused".into()),
        aliases: vec![
            Alias {
                tool: "curl".into(),
                code: "7".into(),
                name: Some("CURLE_COULDNT_CONNECT".into()),
                text: Some("Failed to connect() to host or proxy.".into()),
                shared: false,
            },
            Alias {
                tool: "node".into(),
                code: "ECONNREFUSED".into(),
                name: None,
                text: None,
                shared: false,
            },
        ],
        source: None,
    }
}

/// The page at `uri` over a catalog holding only [`entry`], one element per line so a diff points at
/// the change.
async fn page(uri: &str) -> String {
    let catalog = Catalog::from_entries(vec![entry()]);
    let router = app(AppState::new(Arc::new(catalog)));
    let res = router
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{uri}");
    let body = res.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(body.to_vec())
        .unwrap()
        .replace('>', ">\n")
}

#[tokio::test]
async fn entry_page_html() {
    insta::assert_snapshot!(page("/codes/PRB-3001").await);
}

#[tokio::test]
async fn reference_page_html() {
    insta::assert_snapshot!(page("/reference").await);
}

/// Only the search section of the home page: the rest is prose pinned by the route tests.
#[tokio::test]
async fn home_search_results_html() {
    let html = page("/?q=refused&category=server").await;
    let start = html.find("<section id=\"find\"").expect("search section");
    let end = html[start..].find("</section>").expect("section end") + start;
    insta::assert_snapshot!(&html[start..end]);
}
