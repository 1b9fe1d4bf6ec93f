//! The monitor with real services: PostgreSQL (history, shared work, an outage), Prometheus
//! scraping /metrics, Alertmanager receiving alerts. Each test skips with a message when its
//! binary is missing, and fails instead with APIPROBE_SERVICES_TEST=require.

mod common;

use apiprobe_monitor::Store;
use common::services::{alertmanager, prometheus, Postgres};
use common::{get_text, wait_until, Running, Target};
use std::collections::BTreeMap;
use std::time::Duration;

fn suite(dir: &std::path::Path, body: &str) -> std::path::PathBuf {
    let p = dir.join("svc.toml");
    std::fs::write(&p, body).expect("write suite");
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_history_round_trip() {
    let Some(pg) = Postgres::start().await else {
        return;
    };
    let store = Store::open(&pg.url).await.expect("open");
    common::history::exercise(&store).await;
    // Migrations are idempotent: a second open finds the schema.
    let again = Store::open(&pg.url).await.expect("reopen");
    assert_eq!(again.states().await.expect("states").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_shares_checks_within_a_location_and_survives_an_outage() {
    let Some(pg) = Postgres::start().await else {
        return;
    };
    let target = Target::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::from("[defaults]\ninterval = \"1s\"\n");
    for i in 0..6 {
        text.push_str(&format!(
            "[[check]]\nname = \"c{i}\"\nurl = \"{}\"\n",
            target.url()
        ));
    }
    let s = suite(dir.path(), &text);
    // Migrate once up front so the two monitors do not race on a fresh database.
    drop(Store::open(&pg.url).await.expect("open"));
    let a = Running::start(&s, &pg.url, "eu");
    let other = Running::start(&s, &pg.url, "us");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let b = Running::start(&s, &pg.url, "eu");
    tokio::time::sleep(Duration::from_millis(2000)).await;
    // One of the two "eu" monitors dies; the other takes over its checks.
    let sa = a.stop().await;
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let sb = b.stop().await;
    let so = other.stop().await;
    assert!(
        sa.runs > 0 && sb.runs > 0,
        "both eu monitors ran checks: {sa:?} {sb:?}"
    );
    let store = Store::open(&pg.url).await.expect("open");
    let runs = common::newest_runs(&store).await;
    // Exactly one run per check, location and one-second slot.
    let doubled = doubled_slots(&runs);
    assert!(
        doubled.is_empty(),
        "checks ran twice in one slot: {doubled:?}"
    );
    // Every check ran in both locations, and in "eu" after the first monitor stopped.
    let eu_last = runs
        .iter()
        .filter(|r| r.location == "eu")
        .map(|r| r.at_ms)
        .max()
        .unwrap_or(0);
    for i in 0..6 {
        let name = format!("c{i}");
        for loc in ["eu", "us"] {
            let n = runs
                .iter()
                .filter(|r| r.check == name && r.location == loc)
                .count();
            assert!(n >= 3, "{name}@{loc} ran {n} times ({sa:?} {sb:?} {so:?})");
        }
        let late = runs
            .iter()
            .filter(|r| r.check == name && r.location == "eu" && r.at_ms > eu_last - 2500)
            .count();
        assert!(late >= 1, "{name} was not taken over");
    }
    let total: u64 = sa.runs + sb.runs;
    assert_eq!(
        runs.iter().filter(|r| r.location == "eu").count() as u64,
        total
    );
    assert_eq!(so.stored, so.runs);

    // The database goes away and comes back under two monitors sharing a location: each goes on
    // only with the checks it holds a lease on, so none runs twice in a slot; the runs wait in
    // memory and are all stored.
    let m1 = Running::start(&s, &pg.url, "outage");
    let m2 = Running::start(&s, &pg.url, "outage");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    pg.stop();
    tokio::time::sleep(Duration::from_millis(3000)).await;
    pg.restart();
    tokio::time::sleep(Duration::from_millis(3000)).await;
    let (s1, s2) = (m1.stop().await, m2.stop().await);
    assert_eq!(s1.stored, s1.runs, "no run lost across the outage: {s1:?}");
    assert_eq!(s2.stored, s2.runs, "no run lost across the outage: {s2:?}");
    assert!(s1.runs + s2.runs >= 24, "{s1:?} {s2:?}");
    let store = Store::open(&pg.url).await.expect("open");
    let runs: Vec<_> = common::newest_runs(&store)
        .await
        .into_iter()
        .filter(|r| r.location == "outage")
        .collect();
    assert_eq!(runs.len() as u64, s1.runs + s2.runs);
    let doubled = doubled_slots(&runs);
    assert!(
        doubled.is_empty(),
        "checks ran twice in one slot during the outage: {doubled:?}"
    );
}

/// (check, location, one-second slot) that have more than one run.
fn doubled_slots(runs: &[apiprobe_monitor::store::RunRow]) -> Vec<((String, String, i64), u32)> {
    let mut slots: BTreeMap<(String, String, i64), u32> = BTreeMap::new();
    for r in runs {
        let offset = apiprobe_monitor::schedule::offset_ms(&r.check, Duration::from_secs(1));
        *slots
            .entry((
                r.check.clone(),
                r.location.clone(),
                (r.at_ms - offset).div_euclid(1000),
            ))
            .or_default() += 1;
    }
    slots.into_iter().filter(|(_, n)| *n > 1).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_reads_the_failing_check_with_its_code() {
    let dir = tempfile::tempdir().expect("tempdir");
    let closed = apiprobe_testkit::closed_port().expect("closed port");
    let s = suite(
        dir.path(),
        &format!("[[check]]\nname = \"refused\"\ninterval = \"1s\"\nurl = \"http://127.0.0.1:{closed}/\"\n"),
    );
    let db = format!("sqlite:{}", dir.path().join("h.db").display());
    let m = Running::start(&s, &db, "lab");
    let addr = m.addr().await;
    let Some(prom) = prometheus(&addr.to_string()).await else {
        m.stop().await;
        return;
    };
    let prom_addr = std::net::SocketAddr::from(([127, 0, 0, 1], prom.port));
    let mut last = String::new();
    let found = {
        let mut ok = false;
        for _ in 0..60 {
            last = get_text(prom_addr, "/api/v1/query?query=probe_failure_info").await;
            if last.contains("\"check\":\"refused\"") {
                ok = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        ok
    };
    m.stop().await;
    assert!(found, "Prometheus never returned the failing check: {last}");
    let v: serde_json::Value = serde_json::from_str(&last).expect("JSON");
    let metric = &v["data"]["result"][0]["metric"];
    assert_eq!(metric["code"], "PRB-3001");
    assert_eq!(metric["name"], "CONNECTION_REFUSED");
    assert_eq!(metric["category"], "server");
    assert_eq!(metric["location"], "lab");
    assert_eq!(v["data"]["result"][0]["value"][1], "1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alertmanager_lists_the_alert() {
    let Some(am) = alertmanager().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let closed = apiprobe_testkit::closed_port().expect("closed port");
    let s = suite(
        dir.path(),
        &format!(
            "[[check]]\nname = \"refused\"\ninterval = \"1s\"\nfailure_threshold = 1\nurl = \"http://127.0.0.1:{closed}/\"\n\n\
             [[alert]]\nkind = \"alertmanager\"\nurl = \"http://127.0.0.1:{}\"\n",
            am.port
        ),
    );
    let db = format!("sqlite:{}", dir.path().join("h.db").display());
    let m = Running::start(&s, &db, "lab");
    let am_addr = std::net::SocketAddr::from(([127, 0, 0, 1], am.port));
    let mut last = String::new();
    let mut found = false;
    for _ in 0..60 {
        last = get_text(am_addr, "/api/v2/alerts").await;
        if last.contains("ApiprobeCheckDown") {
            found = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    m.stop().await;
    assert!(found, "Alertmanager does not list the alert: {last}");
    let v: serde_json::Value = serde_json::from_str(&last).expect("JSON");
    let a = &v[0];
    assert_eq!(a["labels"]["check"], "refused");
    assert_eq!(a["labels"]["location"], "lab");
    assert_eq!(a["annotations"]["code"], "PRB-3001");
    assert_eq!(a["annotations"]["name"], "CONNECTION_REFUSED");
    assert_eq!(a["status"]["state"], "active");
    let _ = wait_until(0, || true).await;
}
