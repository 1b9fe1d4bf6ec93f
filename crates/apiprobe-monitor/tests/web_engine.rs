//! The status routes as the running monitor serves them: next to the reference app on `--addr`,
//! with run now stored in the history and a paused check skipped by the scheduler.

mod common;

use apiprobe_monitor::store::RunQuery;
use apiprobe_monitor::Store;
use common::{options, spawn, Spawned, Target};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const TOKEN: &str = "engine-test-read-write-token-42";

/// One request over HTTP/1.0; the status and the body.
async fn http(addr: SocketAddr, method: &str, path: &str, token: Option<&str>) -> (u16, String) {
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let req =
        format!("{method} {path} HTTP/1.0\r\nHost: {addr}\r\n{auth}Content-Length: 0\r\n\r\n");
    s.write_all(req.as_bytes()).await.expect("write");
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.expect("read");
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

async fn count(store: &Store) -> usize {
    store
        .runs(&RunQuery {
            check: Some("api".into()),
            limit: Some(1000),
            ..RunQuery::default()
        })
        .await
        .map(|p| p.runs.len())
        .unwrap_or(0)
}

async fn wait_for<F: std::future::Future<Output = bool>>(
    secs: u64,
    mut f: impl FnMut() -> F,
) -> bool {
    let end = tokio::time::Instant::now() + Duration::from_secs(secs);
    while tokio::time::Instant::now() < end {
        if f().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_pages_run_now_and_pause_on_the_running_monitor() {
    // The token reaches the suite through the environment, as in production.
    std::env::set_var("APIPROBE_STATUS_ENGINE_TEST_TOKEN", TOKEN);
    let target = Target::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let suite = dir.path().join("web.toml");
    std::fs::write(
        &suite,
        format!(
            "[defaults]\ninterval = \"1s\"\nfailure_threshold = 1\nsuccess_threshold = 1\n\n\
             [[check]]\nname = \"api\"\nurl = \"{}\"\nexpect_status = 200\n\n\
             [[token]]\nenv = \"APIPROBE_STATUS_ENGINE_TEST_TOKEN\"\naccess = \"read-write\"\n",
            target.url()
        ),
    )
    .expect("suite");
    let db = format!("sqlite:{}", dir.path().join("h.db").display());
    let addr = Arc::new(Mutex::new(None::<SocketAddr>));
    let mut opts = options(&suite, &db, "lab", addr.clone());
    opts.max_in_flight = 8;
    let Spawned {
        task: monitor,
        stop: stop_tx,
        reload: _reload_tx,
    } = spawn(opts);
    let store = Store::open(&db).await.expect("open");
    assert!(
        wait_for(20, || async { count(&store).await > 0 }).await,
        "no run stored"
    );
    let server = addr
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .expect("listening");

    // The target fails: the status page shows the code, linked to the reference the same server has.
    target.set(503);
    let down = wait_for(20, || async {
        http(server, "GET", "/status", None)
            .await
            .1
            .contains("href=\"/codes/PRB-3504\"")
    })
    .await;
    assert!(down, "the status page never showed the failure");
    assert_eq!(http(server, "GET", "/codes/PRB-3504", None).await.0, 200);
    assert_eq!(http(server, "GET", "/metrics", None).await.0, 200);

    // Paused: the scheduler skips it (at most the run in flight is stored after).
    let (st, body) = http(
        server,
        "POST",
        "/api/v1/monitor/checks/api/pause",
        Some(TOKEN),
    )
    .await;
    assert_eq!(st, 200, "{body}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let before = count(&store).await;
    tokio::time::sleep(Duration::from_millis(3000)).await;
    assert_eq!(count(&store).await, before, "a paused check ran");
    let (_, page) = http(server, "GET", "/api/v1/monitor/checks/api", None).await;
    assert!(page.contains("\"state\":\"paused\""), "{page}");

    // Run now: the result comes back and is stored like a scheduled run.
    target.set(200);
    let (st, report) = http(
        server,
        "POST",
        "/api/v1/monitor/checks/api/run",
        Some(TOKEN),
    )
    .await;
    assert_eq!(st, 200, "{report}");
    assert!(report.contains("\"ok\":true"), "{report}");
    assert!(
        wait_for(10, || async { count(&store).await == before + 1 }).await,
        "the run made now was not stored"
    );

    // Resumed: runs go on.
    assert_eq!(
        http(
            server,
            "POST",
            "/api/v1/monitor/checks/api/resume",
            Some(TOKEN)
        )
        .await
        .0,
        200
    );
    assert!(
        wait_for(10, || async { count(&store).await > before + 1 }).await,
        "no run after resume"
    );

    let _ = stop_tx.send(());
    let done = tokio::time::timeout(Duration::from_secs(30), monitor).await;
    assert!(
        matches!(done, Ok(Ok(Ok(_)))),
        "the monitor did not stop cleanly: {done:?}"
    );
}
