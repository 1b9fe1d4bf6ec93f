//! The whole monitor against real servers on 127.0.0.1: a target that goes down and up again, a
//! webhook receiver and a receiver that hangs, SQLite in a temp dir, /metrics over HTTP, a restart.

mod common;

use apiprobe_monitor::Store;
use common::{get_text, options, spawn, wait_until, Receiver, Spawned, Target};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn down_alert_metrics_resolve_restart() {
    let target = Target::start().await;
    let (hook, hook_addr) = Receiver::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let suite = dir.path().join("lab.toml");
    std::fs::write(
        &suite,
        format!(
            "[defaults]\ninterval = \"1s\"\nfailure_threshold = 2\nsuccess_threshold = 2\n\n\
             [[check]]\nname = \"api\"\nurl = \"{}\"\nexpect_status = 200\n\n\
             [[alert]]\nkind = \"webhook\"\nurl = \"http://{hook_addr}/hook\"\nheaders = {{ X-Token = \"t\" }}\n\n\
             [[alert]]\nkind = \"webhook\"\nurl = \"http://{hook_addr}/hang\"\n",
            target.url()
        ),
    )
    .expect("write suite");
    let db = format!("sqlite:{}", dir.path().join("h.db").display());
    let addr = Arc::new(Mutex::new(None));
    let Spawned {
        task: monitor,
        stop: stop_tx,
        reload: _reload_tx,
    } = spawn(options(&suite, &db, "lab", addr.clone()));
    let store = Store::open(&db).await.expect("open");
    let up = || async {
        store
            .states()
            .await
            .ok()
            .and_then(|s| s.first().map(|s| s.health.clone()))
    };
    let mut ok = false;
    for _ in 0..50 {
        if up().await.as_deref() == Some("up") {
            ok = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ok, "the check never came up");
    let server = addr
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .expect("listening");

    target.set(503);
    assert!(
        wait_until(15, || hook.bodies().iter().any(|b| b["status"] == "firing")).await,
        "no firing alert: {:?}",
        hook.bodies()
    );
    let firing = hook.bodies()[0].clone();
    assert_eq!(firing["check"], "api");
    assert_eq!(firing["state"], "down");
    assert_eq!(firing["code"], "PRB-3504");
    assert_eq!(firing["category"], "server");
    assert!(firing["fixes"].as_array().is_some_and(|f| !f.is_empty()));
    assert_eq!(firing["link"], format!("http://{server}/codes/PRB-3504"));

    // While it fails, /metrics names the code, beside the reference pages of `serve`.
    let metrics = get_text(server, "/metrics").await;
    assert!(
        metrics.contains("probe_failure_info{suite=\"lab\",check=\"api\",url=\"")
            && metrics.contains("location=\"lab\",code=\"PRB-3504\""),
        "{metrics}"
    );
    assert!(
        metrics.contains(
            "apiprobe_check_failures_total{check=\"api\",code=\"PRB-3504\",category=\"server\"}"
        ),
        "{metrics}"
    );
    assert!(get_text(server, "/codes/503").await.contains("503"));

    target.set(200);
    assert!(
        wait_until(15, || hook
            .bodies()
            .iter()
            .any(|b| b["status"] == "resolved"))
        .await,
        "no resolved alert: {:?}",
        hook.bodies()
    );
    // Firing and resolved once each, however many runs failed.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let statuses: Vec<String> = hook
        .bodies()
        .iter()
        .map(|b| b["status"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(statuses, vec!["firing", "resolved"]);

    let _ = stop_tx.send(());
    let summary = tokio::time::timeout(Duration::from_secs(30), monitor)
        .await
        .expect("stops in time")
        .expect("task")
        .expect("clean stop");
    assert!(summary.runs >= 5, "{summary:?}");
    assert_eq!(
        summary.runs, summary.stored,
        "every run is stored: {summary:?}"
    );

    let events = store.events("api", 10).await.expect("events");
    let changes: Vec<(String, String)> = events
        .iter()
        .rev()
        .map(|e| (e.from.clone(), e.to.clone()))
        .collect();
    assert_eq!(
        changes,
        vec![
            ("unknown".to_string(), "up".to_string()),
            ("up".to_string(), "down".to_string()),
            ("down".to_string(), "up".to_string())
        ]
    );
    let failures = store.failures("api", 0).await.expect("failures");
    assert_eq!(failures[0].code, "PRB-3504");
    // The hanging receiver holds its two alerts in the outbox; the other got both.
    let alerts = store.alerts_of("api").await.expect("alerts");
    assert_eq!(alerts.len(), 4);
    assert_eq!(alerts.iter().filter(|a| a.sent_ms.is_some()).count(), 2);
    assert!(alerts
        .iter()
        .filter(|a| a.destination.ends_with("/hang"))
        .all(|a| a.sent_ms.is_none()));

    // A restart resumes the stored state: no second "up" event, no new alert.
    let Spawned {
        task: monitor,
        stop: stop_tx,
        reload: _reload_tx,
    } = spawn(options(&suite, &db, "lab", Arc::default()));
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let _ = stop_tx.send(());
    let again = tokio::time::timeout(Duration::from_secs(30), monitor)
        .await
        .expect("stops in time")
        .expect("task")
        .expect("clean stop");
    assert!(again.runs >= 1);
    assert_eq!(store.events("api", 10).await.expect("events").len(), 3);
    assert_eq!(hook.bodies().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_expiry_warns_once_per_threshold() {
    use apiprobe_testkit::{certs, CertKind, FaultServer};
    // The testkit's valid certificate expires 30 days after it was made.
    let server = FaultServer::spawn_tls(CertKind::Valid).expect("tls server");
    let (hook, hook_addr) = Receiver::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let ca = certs().write_ca(dir.path()).expect("ca");
    let suite = dir.path().join("tls.toml");
    std::fs::write(
        &suite,
        format!(
            "[[check]]\nname = \"tls\"\nurl = \"{}\"\ncacert = \"{}\"\ninterval = \"1s\"\ntls_expiry_warning = [90, 60, 45, 7]\n\n\
             [[alert]]\nkind = \"webhook\"\nurl = \"http://{hook_addr}/hook\"\n",
            server.url("/ok"),
            ca.display()
        ),
    )
    .expect("write suite");
    let db = format!("sqlite:{}", dir.path().join("h.db").display());
    let m = common::Running::start(&suite, &db, "lab");
    let addr = m.addr().await;
    assert!(
        wait_until(15, || !hook.bodies().is_empty()).await,
        "no TLS warning"
    );
    // More runs, no more warnings: 45 days is the smallest threshold crossed, and it was sent.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let metrics = get_text(addr, "/metrics").await;
    let summary = m.stop().await;
    assert!(summary.runs >= 3, "{summary:?}");
    let bodies = hook.bodies();
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    assert_eq!(bodies[0]["topic"], "tls_expiry");
    let days = bodies[0]["days_left"].as_i64().unwrap_or(-1);
    assert!((28..=30).contains(&days), "{days}");
    assert!(
        metrics.contains("probe_ssl_earliest_cert_expiry{suite=\"tls\",check=\"tls\""),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_in_a_maintenance_window_are_kept_but_neither_alert_nor_count() {
    let (hook, hook_addr) = Receiver::start().await;
    let closed = apiprobe_testkit::closed_port().expect("closed port");
    let dir = tempfile::tempdir().expect("tempdir");
    let suite = dir.path().join("mw.toml");
    std::fs::write(
        &suite,
        format!(
            "[[check]]\nname = \"api\"\ninterval = \"1s\"\nfailure_threshold = 1\nurl = \"http://127.0.0.1:{closed}/\"\n\n\
             [[maintenance]]\nname = \"upgrade\"\nstart = \"2020-01-01T00:00:00Z\"\nend = \"2099-01-01T00:00:00Z\"\nchecks = [\"api\"]\n\n\
             [[alert]]\nkind = \"webhook\"\nurl = \"http://{hook_addr}/hook\"\n"
        ),
    )
    .expect("write suite");
    let db = format!("sqlite:{}", dir.path().join("h.db").display());
    let m = common::Running::start(&suite, &db, "lab");
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let summary = m.stop().await;
    assert!(
        summary.runs >= 2 && summary.failed == summary.runs,
        "{summary:?}"
    );
    assert!(hook.bodies().is_empty(), "{:?}", hook.bodies());
    let store = Store::open(&db).await.expect("open");
    let page = store
        .runs(&apiprobe_monitor::store::RunQuery::default())
        .await
        .expect("runs");
    assert_eq!(page.runs.len() as u64, summary.runs);
    assert!(page
        .runs
        .iter()
        .all(|r| r.maintenance && r.code.as_deref() == Some("PRB-3001")));
    let up = store.uptime("api", 0).await.expect("uptime");
    assert_eq!((up.runs, up.ratio), (0, None));
    assert!(store.events("api", 10).await.expect("events").is_empty());
}
