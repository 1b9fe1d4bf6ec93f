//! A monitor run in-process whose history write errors (seen by its once-a-second tick) are kept,
//! for the tests that take the database away under it.

use apiprobe_monitor::engine::TickFn;
use apiprobe_monitor::Summary;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A monitor whose write errors (from its once-a-second tick) are collected.
pub struct Watched {
    task: tokio::task::JoinHandle<Result<Summary, apiprobe_monitor::MonitorError>>,
    stop: tokio::sync::oneshot::Sender<()>,
    errors: Arc<Mutex<Vec<String>>>,
}

/// Starts a monitor on `suite` with history `db`, collecting its write errors.
pub fn start(suite: &std::path::Path, db: &str) -> Watched {
    let errors = Arc::new(Mutex::new(Vec::new()));
    let seen = errors.clone();
    let on_tick: TickFn = Arc::new(move |stats, _| {
        if let Some(e) = stats
            .write_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
        {
            seen.lock().unwrap_or_else(|p| p.into_inner()).push(e);
        }
    });
    let mut opts = super::options(suite, db, "lab", Arc::default());
    opts.on_tick = Some(on_tick);
    opts.on_listen = None;
    let super::Spawned { task, stop, .. } = super::spawn(opts);
    Watched { task, stop, errors }
}

impl Watched {
    /// Stops the monitor and returns its summary and every write error its ticks saw.
    pub async fn stop(self) -> (Summary, Vec<String>) {
        let _ = self.stop.send(());
        let s = tokio::time::timeout(Duration::from_secs(60), self.task)
            .await
            .expect("stops in time")
            .expect("task")
            .expect("clean stop");
        let errors = self
            .errors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        (s, errors)
    }
}

/// A suite of `n` checks of `url` at a 1 s interval, written as `dir/name`.
pub fn suite(dir: &std::path::Path, name: &str, url: &str, n: usize) -> std::path::PathBuf {
    let p = dir.join(name);
    let mut text = String::from("[defaults]\ninterval = \"1s\"\n");
    for i in 0..n {
        text.push_str(&format!("[[check]]\nname = \"c{i}\"\nurl = \"{url}\"\n"));
    }
    std::fs::write(&p, text).expect("write suite");
    p
}
