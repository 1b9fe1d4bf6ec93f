//! The prober as a library, against the test servers on 127.0.0.1.

use apiprobe_catalog::Catalog;
use apiprobe_probe::{run_all, CheckSpec, Prober};
use apiprobe_testkit::FaultServer;
use std::borrow::Cow;
use std::sync::Arc;

fn prober() -> Arc<Prober> {
    Arc::new(Prober::new(Cow::Borrowed(Catalog::builtin())))
}

#[tokio::test]
async fn run_all_hands_over_every_result_once() {
    let s = FaultServer::spawn().expect("server");
    let checks: Vec<CheckSpec> = (0..200)
        .map(|i| {
            let mut c = CheckSpec::new(if i % 50 == 0 {
                s.url("/status/500")
            } else {
                s.url("/ok")
            });
            c.name = format!("c{i}");
            c
        })
        .collect();
    let mut seen = [0u8; 200];
    let mut failed = 0;
    run_all(prober(), checks, 16, |i, r| {
        seen[i] += 1;
        if !r.ok {
            failed += 1;
            assert_eq!(r.status, Some(500));
        }
        Ok::<(), ()>(())
    })
    .await
    .expect("no callback error");
    assert!(seen.iter().all(|n| *n == 1));
    assert_eq!(failed, 4);
}

#[tokio::test]
async fn a_callback_error_stops_the_run() {
    let s = FaultServer::spawn().expect("server");
    let checks: Vec<CheckSpec> = (0..50).map(|_| CheckSpec::new(s.url("/ok"))).collect();
    let mut calls = 0;
    let r = run_all(prober(), checks, 4, |_, _| {
        calls += 1;
        if calls == 3 {
            Err("stop")
        } else {
            Ok(())
        }
    })
    .await;
    assert_eq!(r, Err("stop"));
    assert_eq!(calls, 3);
}

#[tokio::test]
async fn credentials_are_not_sent_to_another_origin_after_a_redirect() {
    let a = FaultServer::spawn().expect("server a");
    let b = FaultServer::spawn().expect("server b");
    let mut spec = CheckSpec::new(a.url(&format!("/redirect-to?url={}", b.url("/headers"))));
    spec.headers
        .push(("Authorization".into(), "Bearer secret-token".into()));
    spec.headers.push(("X-Trace".into(), "kept".into()));
    spec.expect.body_contains = vec!["X-Trace: kept".into()];
    let r = prober().check(&spec).await;
    assert!(r.ok, "{r:?}");
    assert_eq!(r.details.get("final_url"), Some(&b.url("/headers")));

    // Same origin: the header is kept.
    let mut spec = CheckSpec::new(a.url(&format!("/redirect-to?url={}", a.url("/headers"))));
    spec.headers
        .push(("Authorization".into(), "Bearer secret-token".into()));
    spec.expect.body_contains = vec!["Authorization: Bearer secret-token".into()];
    assert!(prober().check(&spec).await.ok);
}

#[tokio::test]
async fn cross_origin_redirect_drops_the_authorization_header() {
    let a = FaultServer::spawn().expect("server a");
    let b = FaultServer::spawn().expect("server b");
    let mut spec = CheckSpec::new(a.url(&format!("/redirect-to?url={}", b.url("/headers"))));
    spec.headers
        .push(("Authorization".into(), "Bearer secret-token".into()));
    spec.expect.body_contains = vec!["secret-token".into()];
    let r = prober().check(&spec).await;
    assert!(!r.ok);
    assert_eq!(r.name.as_deref(), Some("ASSERTION_BODY"));
}
