//! `apiprobe monitor` as a user runs it: --once exit codes, a broken suite, a running monitor that
//! reloads its file (keeping the running suite when the new one is broken) and stops on SIGTERM.

mod common;

use apiprobe_testkit::FaultServer;
use common::{apiprobe, command, stderr};
use std::io::Read;
use std::process::{Child, ExitStatus, Stdio};
use std::time::Duration;

fn write(dir: &std::path::Path, text: &str) -> String {
    let p = dir.join("mon.toml");
    std::fs::write(&p, text).expect("write suite");
    p.display().to_string()
}

/// A check of the suite that runs every second against `server`'s `/ok`.
fn check(server: &FaultServer, name: &str) -> String {
    format!(
        "[[check]]\nname = \"{name}\"\ninterval = \"1s\"\nurl = \"{}\"\n",
        server.url("/ok")
    )
}

/// `apiprobe monitor SUITE --db DB --addr 127.0.0.1:0`, logging at info to a piped stderr.
fn start_monitor(suite: &str, db: &str) -> Child {
    command()
        .args(["monitor", suite, "--db", db, "--addr", "127.0.0.1:0"])
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start")
}

/// Sends `signal` (`-HUP`, `-TERM`) to the child with the real `kill`.
fn signal(child: &Child, signal: &str) {
    let sent = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(sent.success(), "kill {signal}");
}

/// Stops the monitor with SIGTERM; its exit status and everything it wrote to stderr.
fn terminate(mut child: Child) -> (ExitStatus, String) {
    signal(&child, "-TERM");
    let status = child.wait().expect("wait");
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("read");
    (status, err)
}

/// The names of the checks with a stored state, in order.
fn state_names(rt: &tokio::runtime::Runtime, db: &str) -> Vec<String> {
    rt.block_on(async {
        let store = apiprobe_monitor::Store::open(db).await.expect("open");
        let names = store
            .states()
            .await
            .expect("states")
            .into_iter()
            .map(|s| s.check)
            .collect();
        store.close().await;
        names
    })
}

#[test]
fn once_exits_like_run_and_a_broken_suite_names_file_and_line() {
    let server = FaultServer::spawn().expect("fault server");
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite:{}", dir.path().join("h.db").display());
    let ok = write(
        dir.path(),
        &format!(
            "[[check]]\nname = \"ok\"\nurl = \"{}\"\ninterval = \"5s\"\n",
            server.url("/ok")
        ),
    );
    let out = apiprobe(&["monitor", &ok, "--once", "--db", &db]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let bad = write(
        dir.path(),
        &format!(
            "[[check]]\nname = \"ok\"\nurl = \"{}\"\n[[check]]\nname = \"down\"\nurl = \"{}\"\n",
            server.url("/ok"),
            server.url("/status/503")
        ),
    );
    let out = apiprobe(&["monitor", &bad, "--once", "--db", &db]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("2 runs, 1 failed, 2 stored"),
        "{}",
        stderr(&out)
    );
    let broken = write(
        dir.path(),
        "[[check]]\nurl = \"http://127.0.0.1:1/\"\ninterval = \"often\"\n",
    );
    let out = apiprobe(&["monitor", &broken, "--once", "--db", &db]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("mon.toml:3:12: interval: duration 'often'"),
        "{}",
        stderr(&out)
    );
    let ok = write(
        dir.path(),
        &format!("[[check]]\nurl = \"{}\"\n", server.url("/ok")),
    );
    let out = apiprobe(&["monitor", &ok, "--once", "--db", "mysql://nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("use sqlite:PATH or postgres://"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn reloads_keeps_a_running_suite_over_a_broken_file_and_stops_on_sigterm() {
    let server = FaultServer::spawn().expect("fault server");
    let dir = tempfile::tempdir().expect("tempdir");
    let db_path = dir.path().join("h.db");
    let db = format!("sqlite:{}", db_path.display());
    let suite = write(dir.path(), &check(&server, "first"));
    let child = start_monitor(&suite, &db);
    std::thread::sleep(Duration::from_millis(2500));
    // A broken file is reported; the running suite goes on.
    std::fs::write(
        &suite,
        format!(
            "{}[[check]]\nname = \"x\"\nurl = \"http://h/\"\ninterval = \"never\"\n",
            check(&server, "first")
        ),
    )
    .expect("write");
    std::thread::sleep(Duration::from_millis(2500));
    std::fs::write(
        &suite,
        format!("{}{}", check(&server, "first"), check(&server, "second")),
    )
    .expect("write");
    std::thread::sleep(Duration::from_millis(3000));
    let (status, err) = terminate(child);
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(
        err.contains("the suite was not reloaded; the running suite is kept"),
        "{err}"
    );
    assert!(
        err.contains("mon.toml:8:12: interval: duration 'never'"),
        "{err}"
    );
    assert!(err.contains("suite reloaded"), "{err}");
    assert!(err.contains("monitor stopped"), "{err}");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    assert_eq!(
        state_names(&rt, &db),
        vec!["first".to_string(), "second".to_string()]
    );
}

#[test]
fn sighup_itself_reloads_the_suite() {
    let server = FaultServer::spawn().expect("fault server");
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite:{}", dir.path().join("h.db").display());
    // Two suites of the same length, so a file stamp (time, size) cannot tell them apart.
    let suite = write(dir.path(), &check(&server, "first"));
    let child = start_monitor(&suite, &db);
    std::thread::sleep(Duration::from_millis(1500));
    // The new suite takes the old file's time and replaces it in one rename: the file watch sees
    // no change, only SIGHUP can make the monitor read it.
    let stamp = std::fs::metadata(&suite)
        .and_then(|m| m.modified())
        .expect("mtime");
    let next = dir.path().join("next.toml");
    let f = std::fs::File::create(&next).expect("create");
    std::io::Write::write_all(&mut &f, check(&server, "other").as_bytes()).expect("write");
    f.set_modified(stamp).expect("set mtime");
    drop(f);
    std::fs::rename(&next, &suite).expect("rename");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let names = || state_names(&rt, &db);
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(
        names(),
        vec!["first".to_string()],
        "reloaded without SIGHUP"
    );
    signal(&child, "-HUP");
    std::thread::sleep(Duration::from_millis(2000));
    let after = names();
    let (status, err) = terminate(child);
    assert_eq!(status.code(), Some(0), "{err}");
    assert_eq!(
        after,
        vec!["first".to_string(), "other".to_string()],
        "{err}"
    );
    assert_eq!(err.matches("suite reloaded").count(), 1, "{err}");
}
