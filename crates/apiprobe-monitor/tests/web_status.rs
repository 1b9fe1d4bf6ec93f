//! The status pages, badges and monitor API over a seeded SQLite history: every route, every state,
//! the token rules, and hostile input in every parameter.

mod web_common;

use apiprobe_monitor::web::Controls;
use axum::http::{Method, StatusCode};
use std::borrow::Cow;
use std::sync::{Arc, Mutex};
use web_common::*;

fn assert_problem(got: &Got, status: u16, code: &str) {
    assert_eq!(got.status.as_u16(), status, "{}", got.text());
    assert_eq!(
        got.header("content-type"),
        "application/problem+json",
        "{}",
        got.text()
    );
    let p = got.json();
    assert_eq!(p["code"], code, "{p}");
    assert_eq!(p["status"], status);
    assert_eq!(p["type"], format!("/codes/{code}"));
}

fn no_raw_markup(html: &str) {
    assert!(!html.contains("<script>"), "unescaped script in output");
    assert!(!html.contains("<b>Service"), "unescaped message in output");
    assert!(
        !html.contains("<i>first"),
        "unescaped event message in output"
    );
}

#[tokio::test]
async fn status_page_shows_every_state_grouped_with_uptime_bars() {
    let f = fixture(parse_suite(&suite_text("http://127.0.0.1:9/", "")), None).await;
    let got = get(&f.router, "/status").await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.header("content-type"), "text/html; charset=utf-8");
    let csp = got.header("content-security-policy");
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    let html = got.text();
    no_raw_markup(&html);
    // Overall: a check is down.
    assert!(html.contains("class=\"overall st-down\""), "{html}");
    assert!(html.contains("2 of 7 checks down"), "{html}");
    // Grouped by suite and location; a check of the suite without runs shows as such.
    assert!(html.contains("<h2>Suite status</h2>"));
    assert!(
        html.contains("<h3 class=\"loc\">From eu</h3>")
            && html.contains("<h3 class=\"loc\">From us</h3>")
    );
    for (check, pill) in [
        ("db", "st-down"),
        ("slow", "st-degraded"),
        ("maint", "st-maintenance"),
        ("fresh", "st-unknown"),
        ("api", "st-up"),
    ] {
        let at = html
            .find(&format!("href=\"/status/{check}\""))
            .unwrap_or_else(|| panic!("{check} listed"));
        let tail = &html[at..at + 300];
        assert!(tail.contains(pill), "{check}: {tail}");
    }
    // The failing check shows its code, linked to the reference, and its message, escaped.
    assert!(
        html.contains("<a class=\"code\" href=\"/codes/503\"><code>503</code></a>"),
        "{html}"
    );
    assert!(
        html.contains("&lt;b&gt;Service Unavailable&lt;/b&gt; &amp; &quot;more&quot;")
            || html.contains("&lt;b&gt;Service Unavailable&lt;/b&gt; &amp; \"more\"")
    );
    // The hostile name is text, and its link is percent-encoded.
    assert!(html.contains(&format!("href=\"/status/{}\"", seg(HOSTILE))));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // Uptime cells carry the day's uptime and top codes; today's cell of db is partial.
    assert!(html.contains("<svg class=\"bar\""));
    assert!(
        html.contains("runs; failures: 503 \u{d7}3, PRB-1002 \u{d7}2")
            || html.contains("failures: 503 \u{d7}"),
        "{html}"
    );
    assert_eq!(html.matches("<li class=\"check\"").count(), 7);
}

#[tokio::test]
async fn check_page_has_charts_uptime_failures_changes_and_runs() {
    let f = fixture(parse_suite(&suite_text("http://127.0.0.1:9/", "")), None).await;
    let got = get(&f.router, "/status/db").await;
    assert_eq!(got.status, StatusCode::OK);
    let html = got.text();
    no_raw_markup(&html);
    assert_eq!(
        html.matches("<svg class=\"chart\"").count(),
        3,
        "24 h, 7 d, 30 d"
    );
    assert!(html.contains("<polyline class=\"p50\"") && html.contains("<polyline class=\"p95\""));
    // Failures by code: 3 of 503, 2 of PRB-1002, linked to their entries.
    let table = &html[html.find("id=\"failures\"").expect("failures")..];
    let r503 = table.find("href=\"/codes/503\"").expect("503 row");
    let r1002 = table
        .find("href=\"/codes/PRB-1002\"")
        .expect("PRB-1002 row");
    assert!(r503 < r1002, "most frequent first");
    assert!(table.contains("UNSUPPORTED_SCHEME"));
    assert!(table[r503..].contains("<td class=\"num\">3</td>"));
    // State changes, with the code changing while down.
    assert!(html.contains("st-up\">Up</span> \u{2192} <span class=\"pill st-down\">Down"));
    assert!(html.contains("&lt;i&gt;first&lt;/i&gt;"));
    // Uptime windows: 24 h has 5 failures in about 24 runs.
    assert!(html.contains("Last 24 hours"));
    assert!(html.contains("<strong>failed</strong>"));
    // The maintenance check shows in maintenance; the hostile check's page escapes its name.
    let maint = get(&f.router, "/status/maint").await.text();
    assert!(maint.contains("pill st-maintenance"));
    let hostile = get(&f.router, &format!("/status/{}", seg(HOSTILE))).await;
    assert_eq!(hostile.status, StatusCode::OK);
    no_raw_markup(&hostile.text());
    assert!(hostile
        .text()
        .contains(&format!("/badge/{}/status.svg", seg(HOSTILE))));
    // A check of the suite without runs has a page; an unknown one is a 404 page.
    let fresh = get(&f.router, "/status/fresh").await;
    assert_eq!(fresh.status, StatusCode::OK);
    assert!(fresh.text().contains("No runs yet."));
    let missing = send(
        &f.router,
        Method::GET,
        "/status/%3Cnope%3E",
        &[("accept", "text/html")],
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.header("content-type").starts_with("text/html"));
    assert!(
        missing
            .text()
            .contains("no check is named &apos;&lt;nope&gt;&apos;")
            || missing.text().contains("no check is named '&lt;nope&gt;'"),
        "{}",
        missing.text()
    );
    // The stylesheet is served.
    let css = get(&f.router, "/static/status.css").await;
    assert_eq!(css.header("content-type"), "text/css; charset=utf-8");
    assert!(css.text().contains("prefers-color-scheme: dark"));
}

#[tokio::test]
async fn api_reads() {
    let f = fixture(parse_suite(&suite_text("http://127.0.0.1:9/", "")), None).await;
    let all = get(&f.router, "/api/v1/monitor/checks").await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(all.header("content-type"), "application/json");
    let all = all.json();
    assert_eq!(all["overall"], "down");
    let checks = all["checks"].as_array().expect("checks");
    assert_eq!(checks.len(), 7);
    let db = checks.iter().find(|c| c["check"] == "db").expect("db");
    assert_eq!(
        (
            db["state"].as_str(),
            db["code"].as_str(),
            db["title"].as_str()
        ),
        (Some("down"), Some("503"), Some("Service Unavailable"))
    );
    let maint = checks
        .iter()
        .find(|c| c["check"] == "maint")
        .expect("maint");
    assert_eq!(
        (
            maint["state"].as_str(),
            maint["health"].as_str(),
            maint["maintenance"].as_bool()
        ),
        (Some("maintenance"), Some("up"), Some(true))
    );
    let fresh = checks
        .iter()
        .find(|c| c["check"] == "fresh")
        .expect("fresh");
    assert_eq!(
        (fresh["state"].as_str(), fresh["location"].is_null()),
        (Some("unknown"), true)
    );

    let one = get(&f.router, "/api/v1/monitor/checks/api").await.json();
    assert_eq!(one["state"], "up");
    assert_eq!(one["locations"].as_array().map(Vec::len), Some(2));
    assert!(one["uptime"]["24h"]["ratio"].as_f64() == Some(1.0), "{one}");

    // Runs: 72 of db, paged by 30 with the cursor, newest first, none twice.
    let mut ids = Vec::new();
    let mut uri = "/api/v1/monitor/checks/db/runs?limit=30".to_string();
    loop {
        let page = get(&f.router, &uri).await.json();
        for r in page["runs"].as_array().expect("runs") {
            ids.push(r["id"].as_i64().expect("id"));
        }
        match page["next_cursor"].as_str() {
            Some(c) => uri = format!("/api/v1/monitor/checks/db/runs?limit=30&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(ids.len(), 72);
    assert!(ids.windows(2).all(|w| w[0] > w[1]));
    let by_code = get(
        &f.router,
        "/api/v1/monitor/checks/db/runs?code=UNSUPPORTED_SCHEME",
    )
    .await
    .json();
    assert_eq!(by_code["runs"].as_array().map(Vec::len), Some(2));
    let since = now() - 2 * HOUR;
    let recent = get(
        &f.router,
        &format!(
            "/api/v1/monitor/checks/db/runs?since={since}&until={}",
            now()
        ),
    )
    .await
    .json();
    assert_eq!(recent["runs"].as_array().map(Vec::len), Some(2));
    let rfc = chrono::DateTime::from_timestamp_millis(since)
        .expect("t")
        .to_rfc3339();
    let recent2 = get(
        &f.router,
        &format!("/api/v1/monitor/checks/db/runs?since={}", seg(&rfc)),
    )
    .await
    .json();
    assert_eq!(recent2["runs"], recent["runs"]);

    let events = get(&f.router, "/api/v1/monitor/checks/db/events")
        .await
        .json();
    let ev = events["events"].as_array().expect("events");
    assert_eq!(
        (ev.len(), ev[0]["to"].as_str(), ev[0]["code"].as_str()),
        (2, Some("down"), Some("503"))
    );

    let up = get(&f.router, "/api/v1/monitor/checks/db/uptime?window=24h")
        .await
        .json();
    assert_eq!(up["window"], "1d");
    let (runs, ok) = (
        up["runs"].as_i64().expect("runs"),
        up["ok"].as_i64().expect("ok"),
    );
    assert!((24..=26).contains(&runs) && runs - ok == 5, "{up}");
    // Maintenance runs do not count.
    let m = get(&f.router, "/api/v1/monitor/checks/maint/uptime?window=3d")
        .await
        .json();
    assert_eq!(m["ratio"].as_f64(), Some(1.0), "{m}");

    let fails = get(&f.router, "/api/v1/monitor/checks/db/failures?window=7d")
        .await
        .json();
    let list = fails["failures"].as_array().expect("failures");
    assert_eq!(
        (list[0]["code"].as_str(), list[0]["count"].as_i64()),
        (Some("503"), Some(3))
    );
    assert_eq!(
        (list[1]["name"].as_str(), list[1]["category"].as_str()),
        (Some("UNSUPPORTED_SCHEME"), Some("client"))
    );
    assert!(list[0]["first_ms"].as_i64() <= list[0]["last_ms"].as_i64());

    // A check without a row is 404 in problem+json everywhere.
    for path in ["", "/runs", "/events", "/uptime", "/failures"] {
        assert_problem(
            &get(&f.router, &format!("/api/v1/monitor/checks/nope{path}")).await,
            404,
            "PRB-1151",
        );
    }
}

#[tokio::test]
async fn hostile_parameters_are_400_problems() {
    let f = fixture(parse_suite(&suite_text("http://127.0.0.1:9/", "")), None).await;
    let cases = [
        "/api/v1/monitor/checks?x=1",
        "/api/v1/monitor/checks/db?window=7d",
        "/api/v1/monitor/checks/db/runs?limit=0",
        "/api/v1/monitor/checks/db/runs?limit=1001",
        "/api/v1/monitor/checks/db/runs?limit=%3Cscript%3E",
        "/api/v1/monitor/checks/db/runs?cursor=abc",
        "/api/v1/monitor/checks/db/runs?cursor=-1",
        "/api/v1/monitor/checks/db/runs?cursor=1%27%20OR%201%3D1",
        "/api/v1/monitor/checks/db/runs?since=yesterday",
        "/api/v1/monitor/checks/db/runs?until=2026-99-99",
        "/api/v1/monitor/checks/db/runs?limit=1&limit=2",
        "/api/v1/monitor/checks/db/runs?limit=05",
        "/api/v1/monitor/checks/db/runs?cursor=0",
        "/api/v1/monitor/checks/db/uptime?window=07d",
        "/api/v1/monitor/checks/db/runs?%zz=1",
        "/api/v1/monitor/checks/db/events?limit=99999999999",
        "/api/v1/monitor/checks/db/uptime?window=",
        "/api/v1/monitor/checks/db/uptime?window=30m",
        "/api/v1/monitor/checks/db/uptime?window=401d",
        "/api/v1/monitor/checks/db/uptime?window=-1d",
        "/api/v1/monitor/checks/db/failures?window=%3Csvg%3E",
        "/api/v1/monitor/checks/db/failures?window=1e9d",
    ];
    for uri in cases {
        let got = get(&f.router, uri).await;
        assert_problem(&got, 400, "PRB-1105");
        // JSON, never sniffed as a page: what was sent may be quoted as it was.
        assert_eq!(got.header("x-content-type-options"), "nosniff", "{uri}");
    }
    // A code the catalog does not have is not found, as at /api/v1/codes/{code}, with a hint.
    let unknown = get(
        &f.router,
        "/api/v1/monitor/checks/db/runs?code=%27%3B%20DROP%20TABLE%20runs%3B--",
    )
    .await;
    assert_problem(&unknown, 404, "PRB-1151");
    assert!(unknown.json()["detail"]
        .as_str()
        .is_some_and(|d| d.contains("no catalog entry for '';")));
    // `since` after `until` is an empty window, not an error.
    let empty = get(
        &f.router,
        "/api/v1/monitor/checks/db/runs?since=2000&until=1000",
    )
    .await;
    assert_eq!(empty.status, StatusCode::OK);
    assert_eq!(empty.json()["runs"], serde_json::json!([]));
    // A path that does not decode as UTF-8.
    assert_problem(
        &get(&f.router, "/api/v1/monitor/checks/%FF%FE").await,
        400,
        "PRB-1105",
    );
    // Pages answer bad parameters with a page, badges with a badge, both 400 and escaped.
    let page = get(&f.router, "/status?%3Cscript%3E=1").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.header("content-type").starts_with("text/html"));
    no_raw_markup(&page.text());
    let badge = get(&f.router, "/badge/db/uptime.svg?window=%3Cscript%3E").await;
    assert_eq!(badge.status, StatusCode::BAD_REQUEST);
    assert_eq!(badge.header("content-type"), "image/svg+xml");
    assert!(!badge.text().contains("<script>"));
    // The database survived the SQL in the code parameter.
    assert_eq!(
        get(&f.router, "/api/v1/monitor/checks/db/runs?limit=1")
            .await
            .status,
        StatusCode::OK
    );
    // A wrong method is a problem too.
    let m = send(&f.router, Method::DELETE, "/api/v1/monitor/checks/db", &[]).await;
    assert_problem(&m, 405, "PRB-1013");
}

#[tokio::test]
async fn badges_are_cacheable_svg() {
    let f = fixture(parse_suite(&suite_text("http://127.0.0.1:9/", "")), None).await;
    for (uri, text) in [
        ("/badge/db/status.svg", ">down<"),
        ("/badge/api/status.svg", ">up<"),
        ("/badge/maint/status.svg", ">maintenance<"),
        ("/badge/slow/status.svg", ">degraded<"),
        ("/badge/api/uptime.svg?window=30d", ">100%<"),
        ("/badge/db/uptime.svg", "uptime 30d"),
        ("/badge/api/latency.svg", "latency 1d"),
        ("/badge/fresh/latency.svg?window=7d", ">no data<"),
    ] {
        let got = get(&f.router, uri).await;
        assert_eq!(got.status, StatusCode::OK, "{uri}");
        assert_eq!(got.header("content-type"), "image/svg+xml");
        assert_eq!(got.header("cache-control"), "public, max-age=60");
        assert!(got.text().contains(text), "{uri}: {}", got.text());
        let etag = got.header("etag").to_string();
        assert!(etag.starts_with('"'), "{etag}");
        let again = send(&f.router, Method::GET, uri, &[("if-none-match", &etag)]).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{uri}");
        assert!(again.body.is_empty());
        assert_eq!(again.header("etag"), etag);
    }
    let hostile = get(&f.router, &format!("/badge/{}/status.svg", seg(HOSTILE))).await;
    assert_eq!(hostile.status, StatusCode::OK);
    assert!(!hostile.text().contains("<script>") && hostile.text().contains("&lt;script&gt;"));
    let missing = get(&f.router, "/badge/nope/status.svg").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.text().contains("unknown check"));
}

const TOKENS: &str = "[[token]]\nenv = \"RO\"\naccess = \"read\"\n\n[[token]]\nenv = \"RW\"\naccess = \"read-write\"\n";

#[tokio::test]
async fn tokens_private_reads() {
    let text = suite_text(
        "http://127.0.0.1:9/",
        &format!("[api]\npublic_read = false\n\n{TOKENS}"),
    );
    let f = fixture(parse_suite(&text), None).await;
    let ro = format!("Bearer {RO_TOKEN}");
    let rw = format!("Bearer {RW_TOKEN}");
    for uri in [
        "/api/v1/monitor/checks",
        "/api/v1/monitor/checks/db/runs",
        "/status",
        "/status/db",
        "/badge/db/status.svg",
    ] {
        let none = get(&f.router, uri).await;
        assert_eq!(none.status, StatusCode::UNAUTHORIZED, "{uri}");
        assert_eq!(
            none.header("www-authenticate"),
            "Bearer realm=\"apiprobe monitor\""
        );
        let wrong = send(
            &f.router,
            Method::GET,
            uri,
            &[("authorization", "Bearer not-a-token")],
        )
        .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{uri}");
        assert!(wrong
            .header("www-authenticate")
            .contains("error=\"invalid_token\""));
        for token in [&ro, &rw] {
            let ok = send(&f.router, Method::GET, uri, &[("authorization", token)]).await;
            assert_eq!(ok.status, StatusCode::OK, "{uri}");
            assert!(ok.headers.get("set-cookie").is_none());
        }
    }
    assert_problem(
        &get(&f.router, "/api/v1/monitor/checks").await,
        401,
        "PRB-2001",
    );
    assert_problem(
        &send(
            &f.router,
            Method::GET,
            "/api/v1/monitor/checks",
            &[("authorization", "Bearer x")],
        )
        .await,
        401,
        "PRB-2004",
    );
    // Badges are private then, and say so in their caching.
    let b = send(
        &f.router,
        Method::GET,
        "/badge/db/status.svg",
        &[("authorization", &ro)],
    )
    .await;
    assert_eq!(b.header("cache-control"), "private, max-age=60");
    // Writes: a read-only token is refused with 403 and the scope it lacks.
    let w = send(
        &f.router,
        Method::POST,
        "/api/v1/monitor/checks/db/pause",
        &[("authorization", &ro)],
    )
    .await;
    assert_problem(&w, 403, "PRB-2101");
    assert!(w
        .header("www-authenticate")
        .contains("error=\"insufficient_scope\""));
    // A read-write token on a server without a running monitor: 503, not a silent success.
    let w = send(
        &f.router,
        Method::POST,
        "/api/v1/monitor/checks/db/pause",
        &[("authorization", &rw)],
    )
    .await;
    assert_problem(&w, 503, "503");
}

#[tokio::test]
async fn tokens_public_reads_and_writes() {
    let server = apiprobe_testkit::FaultServer::spawn().expect("fault server");
    let text = suite_text(&server.url("/ok"), TOKENS);
    let seen: Arc<Mutex<Vec<(String, bool)>>> = Arc::default();
    let hook_seen = seen.clone();
    let prober = Arc::new(apiprobe_probe::Prober::new(Cow::Borrowed(
        apiprobe_catalog::Catalog::builtin(),
    )));
    let controls = Arc::new(
        Controls::new(prober).on_run(Arc::new(move |check, _at, report| {
            if let Ok(mut s) = hook_seen.lock() {
                s.push((check.name().to_string(), report.ok));
            }
        })),
    );
    let f = fixture(parse_suite(&text), Some(controls.clone())).await;
    let ro = format!("Bearer {RO_TOKEN}");
    let rw = format!("Bearer {RW_TOKEN}");
    // Reads are public; a write without a token is 401 MISSING_CREDENTIALS with the challenge.
    assert_eq!(
        get(&f.router, "/api/v1/monitor/checks").await.status,
        StatusCode::OK
    );
    for action in ["run", "pause", "resume"] {
        let uri = format!("/api/v1/monitor/checks/api/{action}");
        let none = send(&f.router, Method::POST, &uri, &[]).await;
        assert_problem(&none, 401, "PRB-2001");
        assert_eq!(
            none.header("www-authenticate"),
            "Bearer realm=\"apiprobe monitor\""
        );
        assert_problem(
            &send(
                &f.router,
                Method::POST,
                &uri,
                &[("authorization", "Bearer wrong-wrong-wrong")],
            )
            .await,
            401,
            "PRB-2004",
        );
        assert_problem(
            &send(&f.router, Method::POST, &uri, &[("authorization", &ro)]).await,
            403,
            "PRB-2101",
        );
        assert_problem(
            &send(
                &f.router,
                Method::POST,
                &uri,
                &[("authorization", "Basic cnc6cnc=")],
            )
            .await,
            401,
            "PRB-2001",
        );
    }
    // Run now: the shared Report, handed to the hook to be stored.
    let run = send(
        &f.router,
        Method::POST,
        "/api/v1/monitor/checks/api/run",
        &[("authorization", &rw)],
    )
    .await;
    assert_eq!(run.status, StatusCode::OK, "{}", run.text());
    let report = run.json();
    for key in [
        "ok",
        "url",
        "status",
        "code",
        "category",
        "timings_ms",
        "details",
        "next_steps",
    ] {
        assert!(
            report.get(key).is_some(),
            "Report field {key} missing: {report}"
        );
    }
    assert_eq!(
        (report["ok"].as_bool(), report["status"].as_u64()),
        (Some(true), Some(200))
    );
    assert_eq!(
        seen.lock().expect("lock").as_slice(),
        &[("api".to_string(), true)]
    );
    // Pause and resume show in the state; unknown checks are 404.
    let p = send(
        &f.router,
        Method::POST,
        "/api/v1/monitor/checks/api/pause",
        &[("authorization", &rw)],
    )
    .await
    .json();
    assert_eq!(
        (p["paused"].as_bool(), p["changed"].as_bool()),
        (Some(true), Some(true))
    );
    assert!(controls.is_paused("api"));
    let one = get(&f.router, "/api/v1/monitor/checks/api").await.json();
    assert_eq!(one["state"], "paused");
    assert!(get(&f.router, "/status")
        .await
        .text()
        .contains("pill st-paused"));
    let again = send(
        &f.router,
        Method::POST,
        "/api/v1/monitor/checks/api/pause",
        &[("authorization", &rw)],
    )
    .await
    .json();
    assert_eq!(again["changed"], false);
    let r = send(
        &f.router,
        Method::POST,
        "/api/v1/monitor/checks/api/resume",
        &[("authorization", &rw)],
    )
    .await
    .json();
    assert_eq!(
        (r["paused"].as_bool(), r["changed"].as_bool()),
        (Some(false), Some(true))
    );
    assert!(!controls.is_paused("api"));
    assert_problem(
        &send(
            &f.router,
            Method::POST,
            "/api/v1/monitor/checks/nope/run",
            &[("authorization", &rw)],
        )
        .await,
        404,
        "PRB-1151",
    );
    assert_problem(
        &send(
            &f.router,
            Method::POST,
            "/api/v1/monitor/checks/api/run?now=1",
            &[("authorization", &rw)],
        )
        .await,
        400,
        "PRB-1105",
    );
}

#[tokio::test]
async fn a_late_run_of_a_past_day_shows_at_once() {
    let f = fixture(parse_suite(&suite_text("http://127.0.0.1:9/", "")), None).await;
    let day = |html: &str| html.matches("failures: PRB-3001 \u{d7}1<").count();
    // The first page keeps the past days in memory.
    assert_eq!(day(&get(&f.router, "/status").await.text()), 0);
    let late = apiprobe_monitor::store::RunRecord {
        at_ms: now() - 2 * DAY,
        check: "api".into(),
        location: "eu".into(),
        status: Some(503),
        code: Some("PRB-3001".into()),
        total_ms: 10.0,
        ..Default::default()
    };
    f.store
        .write_batch(&apiprobe_monitor::store::Batch {
            runs: vec![late],
            ..Default::default()
        })
        .await
        .expect("late run");
    let html = get(&f.router, "/status").await.text();
    // In the bar of `api` under each of its two locations.
    assert_eq!(day(&html), 2, "the day two days ago shows the late failure");
}

#[tokio::test]
async fn a_pause_outlives_a_restart() {
    let text = suite_text("http://127.0.0.1:9/", TOKENS);
    let f = fixture(parse_suite(&text), None).await;
    let url = format!("sqlite:{}", f.dir.path().join("status.db").display());
    let prober = Arc::new(apiprobe_probe::Prober::new(Cow::Borrowed(
        apiprobe_catalog::Catalog::builtin(),
    )));
    let rw = format!("Bearer {RW_TOKEN}");
    let start = || async {
        let store = apiprobe_monitor::Store::open(&url).await.expect("open");
        let controls = Arc::new(
            Controls::new(prober.clone())
                .persist_in(store.clone())
                .await
                .expect("pauses load"),
        );
        let (_, _, router) = app_over(store.clone(), parse_suite(&text), Some(controls.clone()));
        (store, controls, router)
    };
    let post = |router: &axum::Router, uri: &str| {
        let (router, uri, rw) = (router.clone(), uri.to_string(), rw.clone());
        async move {
            let got = send(&router, Method::POST, &uri, &[("authorization", &rw)]).await;
            assert_eq!(got.status, StatusCode::OK, "{uri}: {}", got.text());
            got.json()
        }
    };
    // One process pauses `api` and `db`, then resumes `db`, and stops.
    let (store, controls, router) = start().await;
    assert!(controls.paused().is_empty());
    post(&router, "/api/v1/monitor/checks/api/pause").await;
    post(&router, "/api/v1/monitor/checks/db/pause").await;
    post(&router, "/api/v1/monitor/checks/db/resume").await;
    drop((controls, router));
    store.close().await;
    // The next one finds `api` paused, for the scheduler and on the pages, and `db` running.
    let (store, controls, router) = start().await;
    assert_eq!(controls.paused(), ["api"]);
    assert!(controls.is_paused("api") && !controls.is_paused("db"));
    let one = get(&router, "/api/v1/monitor/checks/api").await.json();
    assert_eq!(one["state"], "paused");
    let again = post(&router, "/api/v1/monitor/checks/api/pause").await;
    assert_eq!(again["changed"], false, "already paused: {again}");
    let resumed = post(&router, "/api/v1/monitor/checks/api/resume").await;
    assert_eq!(resumed["changed"], true, "{resumed}");
    drop((controls, router));
    store.close().await;
    let (_store, controls, _router) = start().await;
    assert!(controls.paused().is_empty());
}

#[tokio::test]
async fn openapi_document_lists_the_monitor_routes() {
    let f = fixture(parse_suite(&suite_text("http://127.0.0.1:9/", "")), None).await;
    let got = get(&f.router, "/openapi.json").await;
    assert_eq!(got.status, StatusCode::OK);
    let doc = got.json();
    let paths = doc["paths"].as_object().expect("paths");
    // The reference's own routes are still there, with every monitor route.
    assert!(paths.contains_key("/codes/{code}"));
    let mut monitor: Vec<&str> = apiprobe_monitor::web::route_list()
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    monitor.sort_unstable();
    let part = apiprobe_monitor::web::openapi::document();
    let mut documented: Vec<&str> = part["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .map(String::as_str)
        .collect();
    documented.sort_unstable();
    assert_eq!(monitor, documented);
    for p in &monitor {
        assert!(paths.contains_key(*p), "{p} missing from /openapi.json");
    }
    // Every documented monitor operation is routed with its method, and no other is.
    for p in &monitor {
        let item = &paths[*p];
        let uri = p.replace("{check}", "db");
        for m in [Method::GET, Method::POST, Method::PUT, Method::DELETE] {
            let documented = item.get(m.as_str().to_ascii_lowercase()).is_some();
            let got = send(&f.router, m.clone(), &uri, &[]).await;
            assert_eq!(
                documented,
                got.status != StatusCode::METHOD_NOT_ALLOWED,
                "{m} {p}: {}",
                got.status
            );
        }
    }
    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for part in text.split("\"#/components/schemas/").skip(1) {
        let name = part.split('"').next().unwrap_or("");
        assert!(schemas.contains_key(name), "dangling $ref {name}");
    }
    let etag = got.header("etag").to_string();
    let again = send(
        &f.router,
        Method::GET,
        "/openapi.json",
        &[("if-none-match", &etag), ("accept-encoding", "gzip, br")],
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    let zipped = send(
        &f.router,
        Method::GET,
        "/openapi.json",
        &[("accept-encoding", "gzip, br")],
    )
    .await;
    assert_eq!(
        zipped.json()["paths"].as_object().map(|p| p.len()),
        Some(paths.len())
    );
}
