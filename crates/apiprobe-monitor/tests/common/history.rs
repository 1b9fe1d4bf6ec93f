//! A known history written and read back through every call of the store's API; run against
//! SQLite and PostgreSQL.

use apiprobe_monitor::store::*;

fn run(at_ms: i64, check: &str, ok: bool, code: Option<&str>, total_ms: f64) -> RunRecord {
    RunRecord {
        at_ms,
        check: check.into(),
        location: "here".into(),
        ok,
        status: Some(if ok { 200 } else { 503 }),
        code: code.map(str::to_string),
        phase: (!ok).then(|| "response".to_string()),
        dns_ms: Some(0.5),
        connect_ms: Some(0.2),
        tls_ms: None,
        ttfb_ms: Some(total_ms - 1.0),
        total_ms,
        message: (!ok).then(|| "it's \"broken\"; DROP TABLE runs; --".to_string()),
        ..RunRecord::default()
    }
}

/// Writes a known history and reads it back through every read call.
pub async fn exercise(store: &Store) {
    let hour = 3_600_000i64;
    let t0 = 1_700_000_000_000i64 - 1_700_000_000_000i64 % hour;
    let mut batch = Batch::default();
    for i in 0..100 {
        let fail = i % 10 == 0;
        batch.runs.push(run(
            t0 + i * 1000,
            "api",
            !fail,
            fail.then_some(if i < 50 { "503" } else { "PRB-1002" }),
            if i < 95 { 40.0 } else { 900.0 },
        ));
    }
    let mut m = run(t0 + hour, "api", false, Some("503"), 10.0);
    m.maintenance = true;
    batch.runs.push(m);
    batch.events.push(EventRecord {
        at_ms: t0 + 5,
        check: "api".into(),
        location: "here".into(),
        from: "up".into(),
        to: "down".into(),
        code: Some("503".into()),
        message: Some("x".into()),
    });
    batch.states.push(StateRecord {
        check: "api".into(),
        location: "here".into(),
        suite: "s".into(),
        url: "http://127.0.0.1/".into(),
        health: "down".into(),
        since_ms: t0 + 5,
        code: Some("503".into()),
        message: None,
        fail_streak: 3,
        slow_streak: 0,
        ok_streak: 0,
        last_run_ms: t0 + hour,
        last_ok: false,
        last_total_ms: Some(10.0),
        tls_not_after_ms: None,
        tls_warned_days: 0,
    });
    batch.alerts.push(NewAlert {
        created_ms: t0,
        check: "api".into(),
        location: "here".into(),
        destination: "webhook:http://127.0.0.1:1/".into(),
        status: "firing".into(),
        payload: "{}".into(),
    });
    store.write_batch(&batch).await.expect("write");
    // A second batch adds to the same rollup rows.
    let second = Batch {
        runs: vec![run(t0 + 200_000, "api", true, None, 40.0)],
        ..Batch::default()
    };
    store.write_batch(&second).await.expect("write 2");

    let states = store.states().await.expect("states");
    assert_eq!(states.len(), 1);
    assert_eq!(
        (states[0].health.as_str(), states[0].code.as_deref()),
        ("down", Some("503"))
    );
    let saved = store.saved_states("here").await.expect("saved");
    assert_eq!(saved[0].fail_streak, 3);

    // Paging: 102 runs, 40 a page.
    let mut q = RunQuery {
        check: Some("api".into()),
        limit: Some(40),
        ..RunQuery::default()
    };
    let mut seen = 0;
    let mut pages = 0;
    loop {
        let page = store.runs(&q).await.expect("runs");
        seen += page.runs.len();
        pages += 1;
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => break,
        }
    }
    assert_eq!((seen, pages), (102, 3));
    let only = store
        .runs(&RunQuery {
            code: Some("PRB-1002".into()),
            ..RunQuery::default()
        })
        .await
        .expect("by code");
    assert_eq!(only.runs.len(), 5);
    assert!(only.runs[0]
        .message
        .as_deref()
        .is_some_and(|m| m.contains("DROP TABLE")));

    let events = store.events("api", 10).await.expect("events");
    assert_eq!(events[0].to, "down");

    // Uptime leaves the maintenance run out: 91 of 101 passed.
    let up = store.uptime("api", t0).await.expect("uptime");
    assert_eq!((up.runs, up.ok), (101, 91));

    let failures = store.failures("api", t0).await.expect("failures");
    let counts: Vec<(&str, i64)> = failures
        .iter()
        .map(|c| (c.code.as_str(), c.count))
        .collect();
    assert_eq!(counts, vec![("503", 6), ("PRB-1002", 5)]);

    let hours = store.rollups("api", "hour", t0).await.expect("rollups");
    assert_eq!(hours.len(), 2);
    assert_eq!((hours[0].runs, hours[0].ok), (101, 91));
    assert_eq!(hours[0].codes.get("503"), Some(&5));
    let p50 = hours[0].p50_ms.expect("p50");
    assert!((25.0..=50.0).contains(&p50), "{p50}");
    let p99 = hours[0].p99_ms.expect("p99");
    assert!(p99 > 750.0, "{p99}");
    let days = store
        .rollups("api", "day", t0 - 86_400_000)
        .await
        .expect("days");
    assert_eq!(days.iter().map(|d| d.runs).sum::<i64>(), 102);

    let due = store.due_alerts(t0 + 1, 10).await.expect("due");
    assert_eq!(due.len(), 1);
    store
        .alert_attempted(due[0].id, t0 + 2, Err("refused".into()), t0 + 10_000)
        .await
        .expect("attempt");
    assert!(store.due_alerts(t0 + 3, 10).await.expect("due").is_empty());
    store
        .alert_attempted(due[0].id, t0 + 10_001, Ok(()), 0)
        .await
        .expect("attempt");
    let all = store.alerts_of("api").await.expect("alerts");
    assert_eq!((all[0].attempts, all[0].sent_ms), (2, Some(t0 + 10_001)));

    // Pruning: by count, then by age.
    let gone = store.prune(0, 50, 7).await.expect("prune");
    assert_eq!(gone, 52);
    let gone = store
        .prune(t0 + 3_600_000 - 1, 1000, 1000)
        .await
        .expect("prune");
    assert_eq!(gone, 49);
}
