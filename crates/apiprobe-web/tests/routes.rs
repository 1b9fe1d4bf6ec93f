//! Every route through the router (tower `oneshot`), and the server on a real 127.0.0.1 listener.

mod common;

use axum::body::Body;
use common::*;
use http::{Request, StatusCode};
use std::io::Read;

#[tokio::test]
async fn home_page_has_every_section_and_the_security_headers() {
    let r = router();
    let got = get(&r, "/").await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.header("content-type"), "text/html; charset=utf-8");
    let csp = got.header("content-security-policy");
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(got.header("x-content-type-options"), "nosniff");
    assert_eq!(got.header("x-frame-options"), "DENY");
    assert_eq!(got.header("referrer-policy"), "no-referrer");
    let html = got.text();
    for needle in [
        "View error reference",
        "4xx/5xx",
        "Probe codes",
        "3 categories",
        "1 reference",
        "Main error groups",
        "Probe-specific codes",
        "How to read an error response",
        "What does the probe error message mean?",
        "How do I tell client errors from server errors?",
        "Are all 4xx errors authentication problems?",
        "What if the HTTP status and probe code seem different?",
        "When is an error likely caused by the system?",
        "Skip to content",
        r#"<main id="main""#,
        r#"<form id="search" role="search""#,
        r#"<label for="q">"#,
        r#"action="/explain""#,
    ] {
        assert!(html.contains(needle), "home page lacks {needle:?}");
    }
    // No inline script or style, so the CSP needs no 'unsafe-inline'.
    assert!(!html.contains("<script>") && !html.contains("<style") && !html.contains(" style="));
    // The hero leads to the full reference, which is its own page.
    assert!(html.contains(r#"<a class="button" href="/reference">View error reference</a>"#));
}

#[tokio::test]
async fn home_page_counts_registered_and_unofficial_statuses_from_the_catalog() {
    let catalog = catalog();
    let http: Vec<_> = catalog
        .entries()
        .iter()
        .filter(|e| e.kind == apiprobe_catalog::Kind::Http)
        .collect();
    let registered = http
        .iter()
        .filter(|e| e.origin.as_deref() == Some("IANA"))
        .count();
    let unofficial = http.len() - registered;
    assert!(registered > 0 && unofficial > 0);
    let html = get(&router(), "/").await.text();
    let want = format!("{registered} registered statuses plus {unofficial} unofficial numbers");
    assert!(html.contains(&want), "home page lacks {want:?}");
    assert!(!html.contains(" in all"));
}

/// The part of `html` from the element with this id up to the end of its `</article>`.
/// The `code` of each item of the list `doc[list]`.
fn codes_in<'a>(doc: &'a serde_json::Value, list: &str) -> Vec<&'a str> {
    doc[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["code"].as_str().unwrap())
        .collect()
}

fn article_with_id<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!(r#"id="{id}""#))
        .unwrap_or_else(|| panic!("no element with id {id}"));
    let rest = &html[start..];
    &rest[..rest.find("</article>").unwrap_or(rest.len())]
}

#[tokio::test]
async fn home_page_is_light_and_links_every_code_of_each_group() {
    let r = router();
    let got = get(&r, "/").await;
    assert_eq!(got.status, StatusCode::OK);
    assert!(got.header("content-encoding").is_empty());
    assert!(
        got.body.len() < 32 * 1024,
        "the home page is {} bytes, over 32 KiB",
        got.body.len()
    );
    let html = got.text();
    let cat = catalog();
    for c in apiprobe_catalog::Category::ALL {
        let group = article_with_id(&html, &format!("group-{}", c.as_str()));
        let mut n = 0;
        for e in cat.filter(Some(*c), None) {
            let link = format!(r#"<a href="/codes/{}" "#, e.code);
            assert!(
                group.contains(&link),
                "group {c} lacks a link to {}",
                e.code
            );
            n += 1;
        }
        assert!(n > 0, "group {c} is empty");
    }
    // Without a query the search section says how many entries there are and lists none of them.
    assert!(!html.contains(r#"<article class="entry""#));
    let total = cat.entries().len();
    assert!(
        html.contains(&format!(
            r#"{total} entries. Search above, or <a href="/reference">open the full reference</a>."#
        )),
        "no idle count line"
    );
}

#[tokio::test]
async fn reference_page_has_every_entry_in_full() {
    let r = router();
    let got = get(&r, "/reference").await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.header("content-type"), "text/html; charset=utf-8");
    assert!(got.header("cache-control").contains("max-age"));
    assert!(!got.header("content-security-policy").is_empty());
    let html = got.text();
    let cat = catalog();
    assert_eq!(
        html.matches(r#"<article class="entry""#).count(),
        cat.entries().len()
    );
    for e in cat.entries() {
        let a = article_with_id(&html, &e.code);
        assert!(a.starts_with(&format!(r#"id="{}" data-code="{}""#, e.code, e.code)));
        assert!(a.contains(&format!(r#"data-category="{}""#, e.category.as_str())));
        assert!(
            a.contains("Likely causes") && a.contains("Fixes"),
            "{}",
            e.code
        );
        for text in e.likely_causes.iter().chain(&e.fixes) {
            let escaped = text
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;");
            assert!(a.contains(&escaped), "{}: {text:?} missing", e.code);
        }
        if !e.related.is_empty() {
            assert!(
                a.contains("Related: "),
                "{} lacks its related codes",
                e.code
            );
        }
        assert!(
            a.contains(r#"class="copy""#),
            "{} lacks a copy button",
            e.code
        );
    }
    // The table of contents jumps to the anchors.
    assert!(html.contains(r##"<a href="#PRB-3001" "##));
    assert!(html.contains(r##"<a href="#404" "##));
}

#[tokio::test]
async fn no_page_links_to_an_entry_on_the_home_page() {
    let r = router();
    let mut uris = vec![
        "/".to_owned(),
        "/reference".to_owned(),
        "/explain".to_owned(),
        "/?q=timeout".to_owned(),
        "/?category=auth".to_owned(),
    ];
    uris.extend(
        catalog()
            .entries()
            .iter()
            .map(|e| format!("/codes/{}", e.code)),
    );
    for uri in &uris {
        let got = get(&r, uri).await;
        assert_eq!(got.status, StatusCode::OK, "{uri}");
        let html = got.text();
        for part in html.split(r##"href="/#"##).skip(1) {
            let target = part.split('"').next().unwrap_or("");
            assert!(
                ["find"].contains(&target),
                "{uri} links to /#{target}, which is no longer on the home page"
            );
        }
        // Every page's header leads to the full reference.
        assert!(
            html.contains(r#"<li><a href="/reference">Full reference</a></li>"#),
            "{uri} has no reference link in its header"
        );
    }
    let page = get(&r, "/codes/PRB-3001").await.text();
    assert!(page.contains(r##"href="/reference#PRB-3001""##));
}

#[tokio::test]
async fn server_side_search_filters_without_javascript() {
    let r = router();
    let got = get(&r, "/?q=timeout&category=server").await;
    assert_eq!(got.status, StatusCode::OK);
    let html = got.text();
    let visible: Vec<&str> = html
        .split("<article class=\"entry\"")
        .skip(1)
        .filter(|a| !a.split('>').next().unwrap_or("").contains("hidden"))
        .collect();
    assert!(!visible.is_empty(), "no visible results");
    for a in &visible {
        assert!(
            a.contains(r#"data-category="server""#),
            "non-server entry shown"
        );
    }
    assert!(visible
        .iter()
        .any(|a| a.contains("PRB-3002") || a.contains(r#"data-code="504""#)));
    assert!(html.contains("entries match") || html.contains("entry matches"));
    // The form shows the state it was loaded with.
    assert!(html.contains(r#"value="timeout""#));
    assert!(html.contains(r#"<option value="server" data-plural="server errors" selected>"#));
    // The count names what was asked, and results are the full entry markup.
    assert!(
        html.contains(&format!(
            "{} entries match \u{201c}timeout\u{201d} in server errors. ",
            visible.len()
        )),
        "count line"
    );
    assert!(visible.iter().all(|a| a.contains("Likely causes")));
    // The same entries, in the same order, as the search API.
    let api = get(&r, "/api/v1/search?q=timeout&category=server&limit=1000")
        .await
        .json();
    let api_codes = codes_in(&api, "results");
    let page_codes: Vec<&str> = visible
        .iter()
        .map(|a| {
            a.split("data-code=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
        })
        .collect();
    assert_eq!(page_codes, api_codes);
    // A kind filter alone lists every entry of that kind.
    let probes = get(&r, "/?kind=probe").await.text();
    let n = catalog()
        .filter(None, Some(apiprobe_catalog::Kind::Probe))
        .count();
    assert_eq!(probes.matches(r#"<article class="entry""#).count(), n);
    assert!(probes.contains(&format!("{n} entries match (probe codes only).")));
    // Nothing found is said plainly.
    let none = get(&r, "/?q=zzzzqqqqxxxx").await.text();
    assert!(none.contains("No entries match \u{201c}zzzzqqqqxxxx\u{201d}."));
    assert!(!none.contains(r#"<article class="entry""#));
    // Bad filter values are a 400 page, not a panic.
    let bad = get_with(&r, "/?category=nope", &[("accept", "text/html")]).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.header("content-type").starts_with("text/html"));
}

#[tokio::test]
async fn entry_pages_resolve_codes_and_names() {
    let r = router();
    let got = get(&r, "/codes/404").await;
    assert_eq!(got.status, StatusCode::OK);
    assert!(got.text().contains("Not Found"));
    let got = get(&r, "/codes/PRB-3001").await;
    assert_eq!(got.status, StatusCode::OK);
    let html = got.text();
    assert!(html.contains("Also seen as"));
    assert!(html.contains("CURLE_COULDNT_CONNECT"));
    for (from, to) in [
        ("/codes/prb-3001", "/codes/PRB-3001"),
        ("/codes/connection-refused", "/codes/PRB-3001"),
    ] {
        let got = get(&r, from).await;
        assert_eq!(got.status, StatusCode::PERMANENT_REDIRECT, "{from}");
        assert_eq!(got.header("location"), to);
    }
    let missing = get_with(&r, "/codes/PRB-3O01", &[("accept", "text/html")]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.text().contains("did you mean"));
}

#[tokio::test]
async fn code_list_and_filters() {
    let r = router();
    let all = get(&r, "/api/v1/codes").await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(all.header("content-type"), "application/json");
    assert!(all.header("cache-control").contains("max-age"));
    let doc = all.json();
    assert_eq!(
        doc["count"].as_u64(),
        Some(catalog().entries().len() as u64)
    );
    let auth = get(&r, "/api/v1/codes?category=auth&kind=http")
        .await
        .json();
    let codes = codes_in(&auth, "codes");
    assert!(codes.contains(&"401") && codes.contains(&"403"));
    assert!(!codes.iter().any(|c| c.starts_with("PRB")));
    let s429 = get(&r, "/api/v1/codes?status=429").await.json();
    let codes = codes_in(&s429, "codes");
    assert!(
        codes.contains(&"429") && codes.contains(&"PRB-1201"),
        "{codes:?}"
    );
    get(&r, "/api/v1/codes?category=bogus")
        .await
        .assert_problem(400, "PRB-1105");
    get(&r, "/api/v1/codes?status=abc")
        .await
        .assert_problem(400, "PRB-1105");
    // The document says integer: an empty value, a sign or spaces are not one.
    for bad in ["70000", "", "+404", "%20404", "404.0", "99"] {
        get(&r, &format!("/api/v1/codes?status={bad}"))
            .await
            .assert_problem(400, "PRB-1105");
    }
}

#[tokio::test]
async fn one_code_by_status_code_or_name() {
    let r = router();
    for q in ["404", "PRB-3001", "prb-3001", "CONNECTION_REFUSED"] {
        let got = get(&r, &format!("/api/v1/codes/{q}")).await;
        assert_eq!(got.status, StatusCode::OK, "{q}");
        let e = got.json();
        assert!(e["meaning"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(e["likely_causes"].as_array().is_some_and(|c| c.len() >= 2));
    }
    let p = get(&r, "/api/v1/codes/PRB-30001")
        .await
        .assert_problem(404, "PRB-1151");
    assert!(p["detail"].as_str().unwrap().contains("PRB-30001"));
}

#[tokio::test]
async fn etag_gives_304_and_encodings_round_trip() {
    let r = router();
    for uri in [
        "/",
        "/reference",
        "/?q=timeout",
        "/api/v1/codes",
        "/codes/404",
        "/static/app.css",
        "/api/v1/search?q=timeout",
    ] {
        let plain = get(&r, uri).await;
        let tag = plain.header("etag").to_owned();
        assert!(tag.starts_with('"'), "{uri}: {tag}");
        let again = get_with(&r, uri, &[("if-none-match", &tag)]).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{uri}");
        assert!(again.body.is_empty());

        let gz = get_with(&r, uri, &[("accept-encoding", "gzip")]).await;
        assert_eq!(gz.header("content-encoding"), "gzip", "{uri}");
        assert_eq!(gz.header("vary"), "accept-encoding");
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&gz.body[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, plain.body, "{uri}");

        let br = get_with(&r, uri, &[("accept-encoding", "gzip, deflate, br")]).await;
        assert_eq!(br.header("content-encoding"), "br", "{uri}");
        let mut out = Vec::new();
        brotli::BrotliDecompress(&mut &br.body[..], &mut out).unwrap();
        assert_eq!(out, plain.body, "{uri}");
        // The compressed form's tag also validates.
        let tag_br = br.header("etag").to_owned();
        assert_ne!(tag_br, tag);
        let again = get_with(
            &r,
            uri,
            &[("if-none-match", &tag_br), ("accept-encoding", "br")],
        )
        .await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    }
}

#[tokio::test]
async fn search_tolerates_typos_and_filters() {
    let r = router();
    let doc = get(&r, "/api/v1/search?q=timout").await.json();
    let codes = codes_in(&doc, "results");
    assert!(
        codes.contains(&"PRB-3002") || codes.contains(&"504"),
        "{codes:?}"
    );
    let doc = get(&r, "/api/v1/search?q=404").await.json();
    assert_eq!(doc["results"][0]["code"], "404");
    let doc = get(&r, "/api/v1/search?q=timeout&category=client&limit=3")
        .await
        .json();
    let results = doc["results"].as_array().unwrap();
    assert!(results.len() <= 3);
    assert!(results.iter().all(|e| e["category"] == "client"));
    for bad in ["0", "", "-1", "+3", "1.5"] {
        get(&r, &format!("/api/v1/search?q=x&limit={bad}"))
            .await
            .assert_problem(400, "PRB-1105");
    }
    // A limit beyond any number of entries, even beyond 64 bits, asks for all of them.
    let all = get(
        &r,
        &format!("/api/v1/search?q=timeout&limit={}", "9".repeat(30)),
    )
    .await;
    assert_eq!(all.status, StatusCode::OK);
}

#[tokio::test]
async fn search_hits_carry_what_the_page_shows() {
    let r = router();
    let doc = get(&r, "/api/v1/search?q=PRB-3001").await.json();
    let hit = &doc["results"][0];
    assert_eq!(hit["code"], "PRB-3001");
    // The summary's fields are still there, unchanged.
    for k in [
        "kind",
        "category",
        "title",
        "name",
        "status",
        "retryable",
        "meaning",
        "url",
    ] {
        assert!(hit.get(k).is_some(), "{k} missing from {hit}");
    }
    assert_eq!(hit["url"], "/api/v1/codes/PRB-3001");
    let cat = catalog();
    let e = cat.get("PRB-3001").unwrap();
    assert_eq!(hit["likely_causes"], serde_json::json!(e.likely_causes));
    assert_eq!(hit["fixes"], serde_json::json!(e.fixes));
    let related = hit["related_entries"].as_array().unwrap();
    assert_eq!(related.len(), e.related.len());
    for (r, want) in related.iter().zip(&e.related) {
        match cat.get(want) {
            Some(found) => {
                assert_eq!(r["code"], found.code.as_str());
                assert_eq!(r["title"], found.title.as_str());
            }
            None => {
                assert_eq!(r["code"], want.as_str());
                assert!(r["title"].is_null());
            }
        }
    }
}

/// The keys every `Report` has, whichever command made it.
fn report_keys() -> Vec<String> {
    let v = serde_json::to_value(apiprobe_catalog::Report::default()).unwrap();
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

fn keys(v: &serde_json::Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[tokio::test]
async fn explain_parts_and_raw_give_a_report() {
    let r = router();
    let body = serde_json::json!({
        "status": 429,
        "headers": {"Retry-After": "30", "Content-Type": "application/json"},
        "body": "{\"error\":{\"message\":\"Rate limit reached\"}}"
    });
    let got = post(
        &r,
        "/api/v1/explain",
        Some("application/json"),
        body.to_string(),
    )
    .await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.text());
    assert_eq!(got.header("cache-control"), "no-store");
    let rep = got.json();
    assert_eq!(keys(&rep), report_keys());
    assert_eq!(rep["status"], 429);
    assert_eq!(rep["category"], "client");
    assert!(rep["code"].is_string());

    let raw = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 120\r\nContent-Type: text/plain\r\n\r\nupstream down\r\n";
    let got = post(
        &r,
        "/api/v1/explain",
        Some("application/json"),
        serde_json::json!({ "raw": raw }).to_string(),
    )
    .await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.text());
    let rep = got.json();
    assert_eq!(keys(&rep), report_keys());
    assert_eq!(rep["status"], 503);
    assert_eq!(rep["category"], "server");

    // Pairs keep repeated header names.
    let body = serde_json::json!({ "status": 401, "headers": [["WWW-Authenticate", "Bearer error=\"invalid_token\""]] });
    let got = post(
        &r,
        "/api/v1/explain",
        Some("application/json; charset=utf-8"),
        body.to_string(),
    )
    .await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.text());
    assert_eq!(got.json()["category"], "auth");
}

#[tokio::test]
async fn explain_rejects_bad_input_with_problems() {
    let r = router();
    // Malformed JSON or the wrong shape (PRB-1101), then well-formed but unreadable as a response.
    for (body, code) in [
        ("{\"status\": 4", "PRB-1101"),
        ("[1,2]", "PRB-1101"),
        ("{\"stauts\": 404}", "PRB-1101"),
        ("{\"status\": 70000}", "PRB-1101"),
        ("{\"status\": 42}", "PRB-1104"),
        ("{}", "PRB-1104"),
        ("{\"raw\": null}", "PRB-1101"),
        ("{\"status\": 100, \"raw\": null}", "PRB-1101"),
        ("{\"status\": null}", "PRB-1101"),
        ("{\"status\": 404.5}", "PRB-1101"),
    ] {
        post(&r, "/api/v1/explain", Some("application/json"), body)
            .await
            .assert_problem(400, code);
    }
    // Well-formed, but the raw text is not a response: the content, not the request, is wrong.
    post(
        &r,
        "/api/v1/explain",
        Some("application/json"),
        "{\"raw\": \"HTTP/1.1 abc\"}",
    )
    .await
    .assert_problem(422, "PRB-1104");
    // JSON Schema counts 404.0 as an integer, so the status may come so.
    let rep = post(
        &r,
        "/api/v1/explain",
        Some("application/json"),
        "{\"status\": 404.0}",
    )
    .await
    .json();
    assert_eq!(rep["status"], 404);
    post(&r, "/api/v1/explain", Some("text/plain"), "{}")
        .await
        .assert_problem(415, "PRB-1012");
    post(&r, "/api/v1/explain", None, "{}")
        .await
        .assert_problem(415, "PRB-1012");
    post(
        &r,
        "/api/v1/explain",
        Some("application/json"),
        vec![0xffu8, 0xfe, 0x00],
    )
    .await
    .assert_problem(400, "PRB-1101");
    // Over the limit: declared length, and a streamed body with no length.
    let big = vec![b' '; apiprobe_web::MAX_BODY_BYTES + 1];
    post(&r, "/api/v1/explain", Some("application/json"), big.clone())
        .await
        .assert_problem(413, "PRB-1108");
    let stream = futures_body(big);
    post(&r, "/api/v1/explain", Some("application/json"), stream)
        .await
        .assert_problem(413, "PRB-1108");
    // Just under the limit is read (and is not valid JSON).
    let under = vec![b' '; apiprobe_web::MAX_BODY_BYTES - 10];
    post(&r, "/api/v1/explain", Some("application/json"), under)
        .await
        .assert_problem(400, "PRB-1101");
}

/// A body without a declared length, sent in 64 KiB chunks.
fn futures_body(bytes: Vec<u8>) -> Body {
    let chunks: Vec<Result<bytes::Bytes, std::io::Error>> = bytes
        .chunks(64 * 1024)
        .map(|c| Ok(bytes::Bytes::copy_from_slice(c)))
        .collect();
    Body::from_stream(tokio_stream_iter(chunks))
}

fn tokio_stream_iter<T>(items: Vec<T>) -> impl futures_core_stream::Stream<Item = T> {
    futures_core_stream::iter(items)
}

/// A minimal iterator stream, so the tests need no stream crate.
mod futures_core_stream {
    pub use futures_core::Stream;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    pub struct Iter<T>(std::vec::IntoIter<T>);
    impl<T> Unpin for Iter<T> {}
    impl<T> Stream for Iter<T> {
        type Item = T;
        fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<T>> {
            Poll::Ready(self.0.next())
        }
    }
    pub fn iter<T>(v: Vec<T>) -> Iter<T> {
        Iter(v.into_iter())
    }
}

#[tokio::test]
async fn explain_form_posts_and_renders_a_card() {
    let r = router();
    let form =
        "raw=HTTP%2F1.1+404+Not+Found%0D%0AContent-Type%3A+text%2Fplain%0D%0A%0D%0Ano+such+user";
    let got = post(
        &r,
        "/explain",
        Some("application/x-www-form-urlencoded"),
        form,
    )
    .await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.text());
    let html = got.text();
    assert!(html.contains(r#"class="card result""#));
    assert!(html.contains(r#"href="/codes/"#));
    let parts = "status=403&headers=Content-Type%3A+application%2Fjson&body=%7B%7D&raw=";
    let got = post(
        &r,
        "/explain",
        Some("application/x-www-form-urlencoded"),
        parts,
    )
    .await;
    assert_eq!(got.status, StatusCode::OK);
    assert!(got.text().contains("Authentication error"));
    let got = post(
        &r,
        "/explain",
        Some("application/x-www-form-urlencoded"),
        "raw=&status=",
    )
    .await;
    assert_eq!(got.status, StatusCode::BAD_REQUEST);
    assert!(got.text().contains("Could not explain that"));
    let got = post(
        &r,
        "/explain",
        Some("multipart/form-data; boundary=x"),
        "--x--",
    )
    .await;
    assert_eq!(got.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn translate_tool_codes() {
    let r = router();
    let got = get(&r, "/api/v1/translate?tool=curl&code=60").await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.text());
    let rep = got.json();
    assert_eq!(keys(&rep), report_keys());
    assert_eq!(rep["code"], "PRB-3101");
    assert_eq!(rep["vendor_code"], "60");
    assert_eq!(rep["format"], "curl");
    let rep = get(&r, "/api/v1/translate?tool=CURL&code=CURLE_COULDNT_CONNECT")
        .await
        .json();
    assert_eq!(rep["code"], "PRB-3001");
    let p = get(&r, "/api/v1/translate?tool=curl&code=61")
        .await
        .assert_problem(404, "PRB-1151");
    assert!(
        p["detail"].as_str().unwrap().contains("did you mean"),
        "{p}"
    );
    let p = get(&r, "/api/v1/translate?tool=curly&code=7")
        .await
        .assert_problem(404, "PRB-1151");
    assert!(p["detail"].as_str().unwrap().contains("curl"), "{p}");
    get(&r, "/api/v1/translate")
        .await
        .assert_problem(400, "PRB-1105");
    get(&r, "/api/v1/translate?tool=curl")
        .await
        .assert_problem(400, "PRB-1105");
    get(&r, "/api/v1/translate?tool=curl&code=7&text=x")
        .await
        .assert_problem(400, "PRB-1105");
}

#[tokio::test]
async fn huge_queries_wrong_methods_and_unknown_paths_are_problems() {
    let r = router();
    let long = "a".repeat(apiprobe_web::MAX_QUERY_BYTES + 1);
    for uri in [
        "/api/v1/search?q=",
        "/api/v1/codes?category=",
        "/api/v1/translate?text=",
    ] {
        get(&r, &format!("{uri}{long}"))
            .await
            .assert_problem(414, "PRB-1007");
    }
    // Pages answer with a page.
    let page = get(&r, &format!("/?q={long}")).await;
    assert_eq!(page.status, StatusCode::URI_TOO_LONG);
    assert!(page.text().contains("PRB-1007"));
    let put = send(
        &r,
        Request::put("/api/v1/codes").body(Body::empty()).unwrap(),
    )
    .await;
    put.assert_problem(405, "PRB-1013");
    get(&r, "/api/v2/nothing")
        .await
        .assert_problem(404, "PRB-1151");
    let page = get_with(&r, "/nothing", &[("accept", "text/html,*/*")]).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.header("content-type").starts_with("text/html"));
    assert_eq!(page.header("x-content-type-options"), "nosniff");
}

#[tokio::test]
async fn head_and_health() {
    let r = router();
    let head = send(&r, Request::head("/").body(Body::empty()).unwrap()).await;
    assert_eq!(head.status, StatusCode::OK);
    assert!(head.body.is_empty());
    let h = get(&r, "/healthz").await.json();
    assert_eq!(h["status"], "ok");
    let js = get(&r, "/static/app.js").await;
    assert_eq!(js.header("content-type"), "text/javascript; charset=utf-8");
}

/// One HTTP/1.1 exchange over a real socket; returns the status line and the body.
async fn raw_exchange(addr: std::net::SocketAddr, request: &str) -> (String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connects");
    s.write_all(request.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (
        head.lines().next().unwrap_or("").to_owned(),
        body.to_owned(),
    )
}

#[tokio::test]
async fn real_listener_serves_and_shuts_down_gracefully() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(apiprobe_web::serve(listener, router(), async {
        let _ = stopped.await;
    }));
    let (status, body) = raw_exchange(
        addr,
        "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(body.contains("\"ok\""));
    // Two requests on one keep-alive connection.
    let (status, body) = raw_exchange(
        addr,
        "GET /api/v1/codes/404 HTTP/1.1\r\nHost: t\r\n\r\nGET /api/v1/codes/nope HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(body.contains("application/problem+json") || body.contains("PRB-1151"));
    // Garbage instead of HTTP: the connection is refused a response, the server keeps going.
    let (status, _) = raw_exchange(addr, "\x16\x03\x01 not http\r\n\r\n").await;
    assert!(!status.contains("200"));
    let (status, _) = raw_exchange(
        addr,
        "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    stop.send(()).unwrap();
    let done = tokio::time::timeout(std::time::Duration::from_secs(15), server).await;
    assert!(
        matches!(done, Ok(Ok(Ok(())))),
        "server did not stop cleanly"
    );
}

#[tokio::test]
async fn log_lines_are_explained_by_the_api_the_form_and_translate() {
    let r = router();
    let line =
        "curl: (7) Failed to connect to localhost port 8080 after 0 ms: Couldn't connect to server";
    let got = post(
        &r,
        "/api/v1/explain",
        Some("application/json"),
        serde_json::json!({ "raw": line }).to_string(),
    )
    .await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.text());
    let rep = got.json();
    assert_eq!(keys(&rep), report_keys());
    assert_eq!(rep["code"], "PRB-3001", "{rep}");
    let q: String = line.bytes().map(|b| format!("%{b:02X}")).collect();
    let rep = get(&r, &format!("/api/v1/translate?text={q}")).await.json();
    assert_eq!(rep["code"], "PRB-3001", "{rep}");
    let got = post(
        &r,
        "/explain",
        Some("application/x-www-form-urlencoded"),
        format!("raw={q}"),
    )
    .await;
    assert_eq!(got.status, StatusCode::OK);
    assert!(got.text().contains(r#"href="/codes/PRB-3001""#));
}

#[tokio::test]
async fn a_status_page_links_its_default_probe_code() {
    let r = router();
    let page = get(&r, "/codes/503").await.text();
    assert!(
        page.contains(r#"<a href="/codes/PRB-3504"><code>PRB-3504 SERVICE_UNAVAILABLE</code></a>"#),
        "{page}"
    );
    let e = get(&r, "/api/v1/codes/404").await.json();
    assert_eq!(e["default_probe"], "PRB-1151");
}
