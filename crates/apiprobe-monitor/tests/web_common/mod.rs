//! A seeded history in a temporary SQLite file and the monitor's app over it, for the web tests.

#![allow(dead_code)]

use apiprobe_catalog::Catalog;
use apiprobe_monitor::store::{Batch, EventRecord, RunRecord, StateRecord};
use apiprobe_monitor::web::{attach, Controls, StatusState};
use apiprobe_monitor::{MonitorSuite, Store};
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use std::path::Path;
use std::sync::Arc;
use tower::ServiceExt;

pub const HOUR: i64 = 3_600_000;
pub const DAY: i64 = 24 * HOUR;

/// A check name that would run script if it were not escaped.
pub const HOSTILE: &str = "<script>alert(1)</script> & \"q\" 'x'";

pub const RO_TOKEN: &str = "read-only-token-0123456789";
pub const RW_TOKEN: &str = "read-write-token-0123456789";

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub store: Store,
    pub state: StatusState,
    pub suite_tx: tokio::sync::watch::Sender<Arc<MonitorSuite>>,
    pub router: Router,
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .expect("time")
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The suite: `target` is the URL every check probes.
pub fn suite_text(target: &str, extra: &str) -> String {
    let name = HOSTILE.replace('\\', "\\\\").replace('"', "\\\"");
    format!(
        "[[check]]\nname = \"api\"\nurl = \"{target}\"\n\n\
         [[check]]\nname = \"db\"\nurl = \"{target}\"\n\n\
         [[check]]\nname = \"slow\"\nurl = \"{target}\"\n\n\
         [[check]]\nname = \"maint\"\nurl = \"{target}\"\n\n\
         [[check]]\nname = \"fresh\"\nurl = \"{target}\"\n\n\
         [[check]]\nname = \"{name}\"\nurl = \"{target}\"\n\n\
         [[maintenance]]\nstart = \"{}\"\nend = \"{}\"\nchecks = [\"maint\"]\n\n{extra}",
        rfc3339(now() - HOUR),
        rfc3339(now() + HOUR),
    )
}

pub fn parse_suite(text: &str) -> MonitorSuite {
    let env = |n: &str| match n {
        "RO" => Some(RO_TOKEN.to_string()),
        "RW" => Some(RW_TOKEN.to_string()),
        _ => None,
    };
    MonitorSuite::parse(text, "status.toml", Path::new("."), &env).expect("suite parses")
}

fn run(
    at_ms: i64,
    check: &str,
    location: &str,
    ok: bool,
    code: Option<&str>,
    total_ms: f64,
) -> RunRecord {
    RunRecord {
        at_ms,
        check: check.into(),
        location: location.into(),
        ok,
        status: Some(if ok { 200 } else { 503 }),
        code: code.map(str::to_string),
        phase: (!ok).then(|| "response".to_string()),
        dns_ms: Some(0.4),
        connect_ms: Some(0.3),
        tls_ms: None,
        ttfb_ms: Some(total_ms - 1.0),
        total_ms,
        message: (!ok).then(|| "<b>Service Unavailable</b> & \"more\"".to_string()),
        ..RunRecord::default()
    }
}

fn state(
    check: &str,
    location: &str,
    health: &str,
    since_ms: i64,
    code: Option<&str>,
    message: Option<&str>,
) -> StateRecord {
    StateRecord {
        check: check.into(),
        location: location.into(),
        suite: "status".into(),
        url: "http://127.0.0.1:9/".into(),
        health: health.into(),
        since_ms,
        code: code.map(str::to_string),
        message: message.map(str::to_string),
        fail_streak: 0,
        slow_streak: 0,
        ok_streak: 0,
        last_run_ms: now() - 60_000,
        last_ok: health != "down",
        last_total_ms: Some(42.0),
        tls_not_after_ms: None,
        tls_warned_days: 0,
    }
}

/// Three days of hourly runs: `api` up from two locations, `db` down for the last five hours
/// (503, and PRB-1002 before), `slow` degraded, `maint` in a window, the hostile name down.
pub async fn seed(store: &Store) {
    let t = now();
    let mut b = Batch::default();
    // Oldest first, as the monitor writes them (run ids grow with time).
    for h in (0..72).rev() {
        let at = t - h * HOUR - 1000;
        b.runs
            .push(run(at, "api", "eu", true, None, 40.0 + h as f64));
        b.runs.push(run(at, "api", "us", true, None, 90.0));
        let db_fails = h < 5;
        let code = if h < 3 { "503" } else { "PRB-1002" };
        b.runs.push(run(
            at,
            "db",
            "eu",
            !db_fails,
            db_fails.then_some(code),
            30.0,
        ));
        let mut slow = run(at, "slow", "eu", true, None, 1500.0);
        slow.degraded = true;
        b.runs.push(slow);
        let mut m = run(at, "maint", "eu", h != 0, (h == 0).then_some("503"), 20.0);
        m.maintenance = h == 0;
        b.runs.push(m);
        b.runs.push(run(
            at,
            HOSTILE,
            "eu",
            h > 1,
            (h <= 1).then_some("PRB-1002"),
            25.0,
        ));
    }
    b.events.push(EventRecord {
        at_ms: t - 5 * HOUR,
        check: "db".into(),
        location: "eu".into(),
        from: "up".into(),
        to: "down".into(),
        code: Some("PRB-1002".into()),
        message: Some("<i>first</i>".into()),
    });
    b.events.push(EventRecord {
        at_ms: t - 3 * HOUR,
        check: "db".into(),
        location: "eu".into(),
        from: "down".into(),
        to: "down".into(),
        code: Some("503".into()),
        message: Some("code changed".into()),
    });
    b.states = vec![
        state("api", "eu", "up", t - 3 * DAY, None, None),
        state("api", "us", "up", t - 3 * DAY, None, None),
        state(
            "db",
            "eu",
            "down",
            t - 5 * HOUR,
            Some("503"),
            Some("<b>Service Unavailable</b> & \"more\""),
        ),
        state("slow", "eu", "degraded", t - 2 * DAY, None, None),
        state("maint", "eu", "up", t - DAY, None, None),
        state(
            HOSTILE,
            "eu",
            "down",
            t - HOUR,
            Some("PRB-1002"),
            Some("<script>alert('m')</script>"),
        ),
    ];
    store.write_batch(&b).await.expect("seed");
}

/// A seeded fixture over `suite`, with controls when `controls` is given.
pub async fn fixture(suite: MonitorSuite, controls: Option<Arc<Controls>>) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite:{}", dir.path().join("status.db").display());
    let store = Store::open(&url).await.expect("open");
    seed(&store).await;
    let (state, suite_tx, router) = app_over(store.clone(), suite, controls);
    Fixture {
        dir,
        store,
        state,
        suite_tx,
        router,
    }
}

/// The monitor's app over `store` for `suite`, with controls when `controls` is given.
pub fn app_over(
    store: Store,
    suite: MonitorSuite,
    controls: Option<Arc<Controls>>,
) -> (
    StatusState,
    tokio::sync::watch::Sender<Arc<MonitorSuite>>,
    Router,
) {
    let catalog = Arc::new(Catalog::builtin().clone());
    let (suite_tx, rx) = tokio::sync::watch::channel(Arc::new(suite));
    let mut state = StatusState::new(store, catalog.clone(), rx);
    if let Some(c) = controls {
        state = state.with_controls(c);
    }
    let router = attach(
        apiprobe_web::app(apiprobe_web::AppState::new(catalog)),
        state.clone(),
    );
    (state, suite_tx, router)
}

pub struct Got {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
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
}

pub async fn send(router: &Router, method: Method, uri: &str, headers: &[(&str, &str)]) -> Got {
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = router
        .clone()
        .oneshot(req.body(Body::empty()).expect("request"))
        .await
        .expect("infallible");
    let status = res.status();
    let headers = res.headers().clone();
    let body = axum::body::to_bytes(res.into_body(), 64 << 20)
        .await
        .expect("body")
        .to_vec();
    Got {
        status,
        headers,
        body,
    }
}

pub async fn get(router: &Router, uri: &str) -> Got {
    send(router, Method::GET, uri, &[]).await
}

/// A path segment with everything but unreserved characters escaped.
pub fn seg(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
