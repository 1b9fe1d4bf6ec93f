//! Seeds 1,000 checks with 30 days of hourly and daily rollups (counts per code, latency buckets)
//! and 50 runs each in an SQLite file, then times `/status`, `/api/v1/monitor/checks` and one
//! `/status/{check}` through the monitor's router, cold (first request) and warm.
//!
//! `bench/status.sh` runs it in release; `STATUS_BENCH_CHECKS` and `STATUS_BENCH_ROUNDS` change the
//! size and the number of timed requests.

use apiprobe_catalog::Catalog;
use apiprobe_monitor::web::{attach, StatusState};
use apiprobe_monitor::{MonitorSuite, Store};
use axum::body::Body;
use axum::http::Request;
use sqlx::any::AnyPoolOptions;
use sqlx::Executor;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Rows as one multi-row INSERT each, 500 rows at a time.
async fn insert(
    pool: &sqlx::AnyPool,
    table: &str,
    cols: &str,
    rows: &[String],
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(500) {
        let sql = format!("INSERT INTO {table} ({cols}) VALUES {}", chunk.join(", "));
        pool.execute(sql.as_str()).await?;
    }
    Ok(())
}

async fn seed(url: &str, checks: usize, now: i64) -> Result<(), Box<dyn std::error::Error>> {
    let path = url.trim_start_matches("sqlite:");
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&format!("sqlite://{path}"))
        .await?;
    pool.execute("PRAGMA synchronous = OFF").await?;
    let codes = ["503", "PRB-3001", "PRB-1002", "PRB-2004"];
    let hour0 = now - now.rem_euclid(HOUR) - 30 * DAY;
    let day0 = now - now.rem_euclid(DAY) - 29 * DAY;
    pool.execute("BEGIN").await?;
    for c in 0..checks {
        let name = format!("check-{c:04}");
        let loc = if c % 2 == 0 { "eu" } else { "us" };
        let suite = format!("suite-{}", c % 5);
        let down = c % 97 == 0;
        let state = if down {
            "down"
        } else if c % 53 == 0 {
            "degraded"
        } else {
            "up"
        };
        let code = if down { "'503'" } else { "NULL" };
        insert(&pool, "check_state", "check_name, location, suite, url, health, since_ms, code, message, fail_streak, slow_streak, ok_streak, last_run_ms, last_ok, last_total_ms, tls_not_after_ms, tls_warned_days",
            &[format!("('{name}', '{loc}', '{suite}', 'https://api.example.com/{name}', '{state}', {}, {code}, {}, 0, 0, 0, {}, {}, 42.0, NULL, 0)",
                now - 3 * HOUR, if down { "'Service Unavailable'" } else { "NULL" }, now - 30_000, i32::from(!down))]).await?;
        let mut roll = Vec::new();
        let mut lat = Vec::new();
        let mut cod = Vec::new();
        for h in 0..(30 * 24) {
            let start = hour0 + h * HOUR;
            let fails = i64::from((c as i64 + h) % 50 == 0) * 3;
            roll.push(format!(
                "('{name}', '{loc}', 'hour', {start}, 60, {}, 0, 0, {})",
                60 - fails,
                60.0 * 45.0
            ));
            for (b, n) in [(3, 30), (4, 25), (6, 5)] {
                lat.push(format!("('{name}', '{loc}', 'hour', {start}, {b}, {n})"));
            }
            if fails > 0 {
                cod.push(format!(
                    "('{name}', '{loc}', 'hour', {start}, '{}', {fails})",
                    codes[(h as usize) % codes.len()]
                ));
            }
        }
        for d in 0..30 {
            let start = day0 + d * DAY;
            let fails = (c as i64 + d) % 7;
            roll.push(format!(
                "('{name}', '{loc}', 'day', {start}, 1440, {}, 0, 0, {})",
                1440 - fails,
                1440.0 * 45.0
            ));
            for (b, n) in [(3, 720), (4, 600), (6, 120)] {
                lat.push(format!("('{name}', '{loc}', 'day', {start}, {b}, {n})"));
            }
            for (i, code) in codes.iter().enumerate().take(fails as usize % 4) {
                cod.push(format!(
                    "('{name}', '{loc}', 'day', {start}, '{code}', {})",
                    i + 1
                ));
            }
        }
        insert(
            &pool,
            "rollups",
            "check_name, location, period, start_ms, runs, ok, degraded, maintenance, total_ms_sum",
            &roll,
        )
        .await?;
        insert(
            &pool,
            "rollup_latency",
            "check_name, location, period, start_ms, bucket, count",
            &lat,
        )
        .await?;
        insert(
            &pool,
            "rollup_codes",
            "check_name, location, period, start_ms, code, count",
            &cod,
        )
        .await?;
        let runs: Vec<String> = (0..50)
            .map(|i| format!("({}, '{name}', '{loc}', 1, 0, 0, 200, NULL, NULL, 0.4, 0.3, NULL, 40.0, 45.0, NULL)", now - (50 - i) * 60_000))
            .collect();
        insert(&pool, "runs", "at_ms, check_name, location, ok, degraded, maintenance, status, code, phase, dns_ms, connect_ms, tls_ms, ttfb_ms, total_ms, message", &runs).await?;
    }
    pool.execute("COMMIT").await?;
    pool.close().await;
    Ok(())
}

async fn time(router: &axum::Router, uri: &str, rounds: usize) -> (Duration, Vec<Duration>, usize) {
    let mut times = Vec::with_capacity(rounds);
    let mut size = 0;
    let mut first = Duration::ZERO;
    for i in 0..=rounds {
        let t = Instant::now();
        let res = router
            .clone()
            .oneshot(
                Request::builder()
                    .uri(uri)
                    .body(Body::empty())
                    .expect("request"),
            )
            .await
            .expect("infallible");
        assert!(res.status().is_success(), "{uri}: {}", res.status());
        let body = axum::body::to_bytes(res.into_body(), 1 << 30)
            .await
            .expect("body");
        let took = t.elapsed();
        size = body.len();
        if i == 0 {
            first = took;
        } else {
            times.push(took);
        }
    }
    times.sort_unstable();
    (first, times, size)
}

/// The 1-, 5- and 15-minute load averages, so a run on a busy machine says so.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let checks = env_num("STATUS_BENCH_CHECKS", 1000);
    let rounds = env_num("STATUS_BENCH_ROUNDS", 30).max(1);
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite:{}", dir.path().join("bench.db").display());
    let store = Store::open(&url).await?;
    let now = chrono::Utc::now().timestamp_millis();
    let t = Instant::now();
    seed(&url, checks, now).await?;
    let size = std::fs::metadata(dir.path().join("bench.db"))
        .map(|m| m.len())
        .unwrap_or(0)
        + std::fs::metadata(dir.path().join("bench.db-wal"))
            .map(|m| m.len())
            .unwrap_or(0);
    println!("seeded {checks} checks, 30 days of hourly and daily rollups, 50 runs each: {:.1} s, {:.0} MB", t.elapsed().as_secs_f64(), size as f64 / 1e6);
    let suite = MonitorSuite::parse(
        "[[check]]\nname = \"check-0000\"\nurl = \"http://127.0.0.1:9/\"\n",
        "bench.toml",
        Path::new("."),
        &|_| None,
    )?;
    let catalog = Arc::new(Catalog::builtin().clone());
    let (_tx, rx) = tokio::sync::watch::channel(Arc::new(suite));
    let state = StatusState::new(store, catalog.clone(), rx);
    let router = attach(
        apiprobe_web::app(apiprobe_web::AppState::new(catalog)),
        state,
    );
    println!("load average before timing: {}", load());
    println!(
        "{:<32} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "route", "first", "p50", "p95", "max", "bytes"
    );
    // check-0097 is one of the down checks (every 97th).
    let one = format!("check-{:04}", 97.min(checks - 1));
    for uri in [
        "/status".to_string(),
        "/api/v1/monitor/checks".into(),
        format!("/status/{one}"),
        format!("/badge/{one}/uptime.svg"),
    ] {
        let uri = uri.as_str();
        let (first, times, size) = time(&router, uri, rounds).await;
        let p = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
        println!(
            "{uri:<32} {:>10} {:>10} {:>10} {:>10} {size:>10}",
            ms(first),
            ms(p(0.5)),
            ms(p(0.95)),
            ms(times[times.len() - 1])
        );
    }
    println!("load average after timing: {}", load());
    Ok(())
}
