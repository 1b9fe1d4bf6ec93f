//! Alerts end to end against receivers on 127.0.0.1: a Slack incoming webhook, a degraded check
//! (slow, not failing), and a destination that hangs until it times out and is retried.

mod common;

use apiprobe_monitor::Store;
use common::{wait_until, Receiver, Running, Target};
use std::time::Duration;

fn suite(dir: &std::path::Path, body: &str) -> std::path::PathBuf {
    let p = dir.join("alerts.toml");
    std::fs::write(&p, body).expect("write suite");
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_gets_a_down_message_with_code_cause_fix_and_link_then_the_resolve() {
    let target = Target::start().await;
    let (slack, slack_addr) = Receiver::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let s = suite(
        dir.path(),
        &format!(
            "[[check]]\nname = \"api\"\nurl = \"{}\"\ninterval = \"1s\"\nexpect_status = 200\nfailure_threshold = 2\n\n\
             [[alert]]\nkind = \"slack\"\nurl = \"http://{slack_addr}/hook\"\n",
            target.url()
        ),
    );
    let db = format!("sqlite:{}", dir.path().join("h.db").display());
    let m = Running::start(&s, &db, "lab");
    let addr = m.addr().await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    target.set(503);
    assert!(
        wait_until(15, || !slack.bodies().is_empty()).await,
        "no Slack message"
    );
    target.set(200);
    assert!(
        wait_until(15, || slack.bodies().len() >= 2).await,
        "no resolved Slack message: {:?}",
        slack.bodies()
    );
    m.stop().await;
    let bodies = slack.bodies();
    assert_eq!(bodies.len(), 2, "{bodies:?}");
    // An incoming webhook takes a JSON object whose `text` is mrkdwn.
    for ct in slack.content_types.lock().expect("lock").iter() {
        assert!(ct.starts_with("application/json"), "{ct}");
    }
    let firing = bodies[0]["text"].as_str().expect("text");
    assert!(
        firing.starts_with(":red_circle: *api is down: PRB-3504"),
        "{firing}"
    );
    assert!(firing.contains("\n*Likely cause:* "), "{firing}");
    assert!(firing.contains("\n*Fix:* "), "{firing}");
    assert!(
        firing.contains(&format!("<http://{addr}/codes/PRB-3504|PRB-3504>")),
        "{firing}"
    );
    assert!(
        firing.contains("_alerts · lab · http://127.0.0.1:"),
        "{firing}"
    );
    let resolved = bodies[1]["text"].as_str().expect("text");
    assert!(resolved.starts_with(":large_green_circle: *"), "{resolved}");
    assert!(!resolved.contains("*Fix:*"), "{resolved}");
    assert_eq!(
        bodies[0].as_object().map(|o| o.len()),
        Some(1),
        "only `text`: {bodies:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_check_is_degraded_not_down_and_recovers() {
    let target = Target::start().await;
    let (hook, hook_addr) = Receiver::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let s = suite(
        dir.path(),
        &format!(
            "[[check]]\nname = \"slow\"\nurl = \"{}\"\ninterval = \"1s\"\ntimeout = \"900ms\"\n\
             degraded_latency = \"150ms\"\nfailure_threshold = 2\nsuccess_threshold = 2\n\n\
             [[alert]]\nkind = \"webhook\"\nurl = \"http://{hook_addr}/hook\"\n",
            target.url()
        ),
    );
    let db = format!("sqlite:{}", dir.path().join("h.db").display());
    let m = Running::start(&s, &db, "lab");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    if m.task.is_finished() {
        let r = m.task.await;
        panic!("{r:?}");
    }
    target.delay(250);
    assert!(
        wait_until(15, || !hook.bodies().is_empty()).await,
        "no degraded alert"
    );
    target.delay(0);
    assert!(
        wait_until(15, || hook.bodies().len() >= 2).await,
        "no resolved alert: {:?}",
        hook.bodies()
    );
    let summary = m.stop().await;
    let bodies = hook.bodies();
    assert_eq!(bodies.len(), 2, "{bodies:?}");
    assert_eq!(
        (
            &bodies[0]["status"],
            &bodies[0]["topic"],
            &bodies[0]["state"]
        ),
        (
            &serde_json::json!("firing"),
            &serde_json::json!("degraded"),
            &serde_json::json!("degraded")
        )
    );
    assert_eq!(bodies[0]["code"], serde_json::Value::Null);
    assert_eq!(
        (
            &bodies[1]["status"],
            &bodies[1]["topic"],
            &bodies[1]["state"]
        ),
        (
            &serde_json::json!("resolved"),
            &serde_json::json!("degraded"),
            &serde_json::json!("up")
        )
    );
    // Slow runs passed: none failed, and the history marks them degraded.
    assert_eq!(summary.failed, 0, "{summary:?}");
    let store = Store::open(&db).await.expect("open");
    let changes: Vec<(String, String)> = store
        .events("slow", 10)
        .await
        .expect("events")
        .iter()
        .rev()
        .map(|e| (e.from.clone(), e.to.clone()))
        .collect();
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        changes,
        vec![
            pair("unknown", "up"),
            pair("up", "degraded"),
            pair("degraded", "up")
        ]
    );
    let runs = common::newest_runs(&store).await;
    assert!(runs.iter().all(|r| r.ok), "every run passed");
    assert!(runs.iter().filter(|r| r.degraded).count() >= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_destination_times_out_is_retried_and_gets_the_alert_once_it_answers() {
    let closed = apiprobe_testkit::closed_port().expect("closed port");
    let (hook, hook_addr) = Receiver::start().await;
    hook.hanging
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let dir = tempfile::tempdir().expect("tempdir");
    let s = suite(
        dir.path(),
        &format!(
            "[[check]]\nname = \"gone\"\nurl = \"http://127.0.0.1:{closed}/\"\ninterval = \"1s\"\nfailure_threshold = 1\n\n\
             [[alert]]\nkind = \"webhook\"\nurl = \"http://{hook_addr}/flaky\"\ntimeout = \"300ms\"\n"
        ),
    );
    let db = format!("sqlite:{}", dir.path().join("h.db").display());
    let m = Running::start(&s, &db, "lab");
    let store = Store::open(&db).await.expect("open");
    // Attempts time out and are recorded as failures, with the reason; the checks go on.
    let mut row = None;
    for _ in 0..100 {
        let rows = store.alerts_of("gone").await.expect("alerts");
        if let Some(r) = rows.into_iter().find(|r| r.attempts >= 2) {
            row = Some(r);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let row = row.expect("two timed-out attempts within 10 s");
    assert_eq!(row.sent_ms, None);
    let err = row.last_error.clone().unwrap_or_default();
    assert!(err.contains("300ms"), "{err}");
    assert!(hook.bodies().is_empty());
    // The destination answers again: the stored alert goes out, once.
    hook.hanging
        .store(false, std::sync::atomic::Ordering::SeqCst);
    assert!(
        wait_until(20, || !hook.bodies().is_empty()).await,
        "the alert was never delivered"
    );
    let summary = m.stop().await;
    assert!(summary.runs >= 4, "{summary:?}");
    let bodies = hook.bodies();
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    assert_eq!(bodies[0]["status"], "firing");
    assert_eq!(bodies[0]["code"], "PRB-3001");
    let rows = store.alerts_of("gone").await.expect("alerts");
    assert_eq!(rows.len(), 1);
    assert!(
        rows[0].sent_ms.is_some() && rows[0].attempts >= 3,
        "{rows:?}"
    );
}
