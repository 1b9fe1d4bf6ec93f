//! Putting it together: the writer, the check tasks, the alert sender, pruning, the web server with
//! `/metrics`, reloads (SIGHUP or a changed file) and shutdown (SIGTERM, Ctrl-C).

use crate::alert::sender;
use crate::http;
use crate::metrics::Metrics;
use crate::schedule::{self, Shared};
use crate::store::{Backend, Store, StoreError};
use crate::suite::MonitorSuite;
use crate::writer::{run_writer, Finished, Stats, WriterConfig};
use apiprobe_catalog::Catalog;
use apiprobe_probe::{Prober, SuiteError};
use std::borrow::Cow;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch, Notify, Semaphore};

/// Called once a second with the counters and the number of checks.
pub type TickFn = Arc<dyn Fn(&Stats, usize) + Send + Sync>;

/// Called with a check's name and its result (`--once`).
pub type ResultFn = Arc<dyn Fn(&str, &apiprobe_catalog::Report) + Send + Sync>;

/// How `apiprobe monitor` was asked to run.
#[derive(Clone)]
pub struct Options {
    /// The suite file.
    pub suite: PathBuf,
    /// `sqlite:PATH` or `postgres://...`; default `apiprobe.db` beside the suite.
    pub db: Option<String>,
    /// Where to serve the web app and `/metrics`; none with `--once`.
    pub addr: Option<SocketAddr>,
    /// The `location` label and column.
    pub location: String,
    /// Run every check once, store, and return.
    pub once: bool,
    /// Base of entry links in alerts; default `http://ADDR`.
    pub public_url: Option<String>,
    /// Most runs in flight at once.
    pub max_in_flight: usize,
    /// Called once a second with the counters (the CLI's progress line).
    pub on_tick: Option<TickFn>,
    /// With `once`: called with each check's name and result as it finishes.
    pub on_result: Option<ResultFn>,
    /// Called with the bound address once the server listens.
    pub on_listen: Option<Arc<dyn Fn(SocketAddr) + Send + Sync>>,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("suite", &self.suite)
            .field("addr", &self.addr)
            .field("location", &self.location)
            .field("once", &self.once)
            .finish_non_exhaustive()
    }
}

/// Why the monitor could not start or run.
#[derive(Debug, thiserror::Error)]
pub enum MonitorError {
    /// The suite file is broken.
    #[error(transparent)]
    Suite(#[from] SuiteError),
    /// The database cannot be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The address cannot be listened on.
    #[error("cannot listen on {addr} (is the port in use?): {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// How a `--once` run (or a whole monitoring session) came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    /// Runs.
    pub runs: u64,
    /// Failed runs.
    pub failed: u64,
    /// Runs stored.
    pub stored: u64,
    /// Slots skipped.
    pub missed: u64,
}

fn summary(stats: &Stats) -> Summary {
    Summary {
        runs: stats.runs.load(Ordering::Relaxed),
        failed: stats.failed.load(Ordering::Relaxed),
        stored: stats.stored.load(Ordering::Relaxed),
        missed: stats.missed.load(Ordering::Relaxed),
    }
}

/// Runs the monitor until `shutdown` resolves (or, with `once`, until every check ran once).
/// `reload` yields each time the suite should be read again (SIGHUP); the file is also watched.
pub async fn run(
    opts: Options,
    catalog: Arc<Catalog>,
    shutdown: impl Future<Output = ()> + Send,
    mut reload: mpsc::Receiver<()>,
) -> Result<Summary, MonitorError> {
    let suite = Arc::new(MonitorSuite::load(&opts.suite)?);
    let db = opts
        .db
        .clone()
        .unwrap_or_else(|| crate::store::default_url(&opts.suite));
    let store = Store::open(&db).await?;
    tracing::info!(suite = %suite.name, checks = suite.checks.len(), db = %store.url(), location = %opts.location, "monitor starting");
    let metrics = Arc::new(Metrics::new());
    let stats = Arc::new(Stats::default());
    let alerts_stored = Arc::new(Notify::new());
    let (suite_tx, suite_rx) = watch::channel(suite.clone());
    let (tx, rx) = mpsc::channel::<Finished>(8192);

    let listener = match opts.addr {
        Some(addr) => Some(
            tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|source| MonitorError::Listen { addr, source })?,
        ),
        None => None,
    };
    let local = listener.as_ref().and_then(|l| l.local_addr().ok());
    let link_base = opts
        .public_url
        .clone()
        .or(local.map(|a| format!("http://{a}")))
        .unwrap_or_else(|| "http://127.0.0.1:9464".into());

    let writer = tokio::spawn(run_writer(
        WriterConfig {
            store: store.clone(),
            metrics: metrics.clone(),
            catalog: catalog.clone(),
            suite: suite_rx.clone(),
            location: opts.location.clone(),
            link_base,
            stats: stats.clone(),
            alerts_stored: alerts_stored.clone(),
        },
        rx,
        Duration::from_secs(10),
    ));
    let prober = Arc::new(Prober::new(Cow::Owned((*catalog).clone())));

    if opts.once {
        let checks: Vec<_> = suite.checks.iter().map(|c| Arc::new(c.clone())).collect();
        let now = chrono::Utc::now();
        let mut set = tokio::task::JoinSet::new();
        let slots = Arc::new(Semaphore::new(opts.max_in_flight.max(1)));
        for c in checks {
            let (prober, tx, slots, suite) =
                (prober.clone(), tx.clone(), slots.clone(), suite.clone());
            let on_result = opts.on_result.clone();
            set.spawn(async move {
                let Ok(_p) = slots.acquire().await else {
                    return;
                };
                let started_ms = crate::store::now_ms();
                let maintenance = suite.maintenance.iter().any(|m| m.covers(c.name(), now));
                let report = prober.check(&c.spec).await;
                if let Some(cb) = &on_result {
                    cb(c.name(), &report);
                }
                let _ = tx
                    .send(Finished {
                        check: c,
                        started_ms,
                        maintenance,
                        report,
                    })
                    .await;
            });
        }
        while set.join_next().await.is_some() {}
        drop(tx);
        let _ = writer.await;
        sender::deliver_due(
            &store,
            &prober,
            &suite.alerts,
            &sender::Busy::default(),
            true,
        )
        .await;
        store.close().await;
        return Ok(summary(&stats));
    }

    // The web app of `apiprobe serve` plus /metrics.
    let (server_stop_tx, mut server_stop_rx) = watch::channel(false);
    // The status pages, badges and monitor API; a run asked for through it is stored like any
    // other (a weak sender, so the server never keeps the writer from finishing at shutdown).
    let controls = Arc::new(
        crate::web::Controls::new(prober.clone())
            .on_run({
                let (tx, suite_rx) = (tx.downgrade(), suite_rx.clone());
                Arc::new(move |check, started_ms, report| {
                    let now = chrono::Utc::now();
                    let maintenance = suite_rx
                        .borrow()
                        .maintenance
                        .iter()
                        .any(|m| m.covers(check.name(), now));
                    let done = Finished {
                        check,
                        started_ms,
                        maintenance,
                        report: report.clone(),
                    };
                    if tx.upgrade().is_none_or(|tx| tx.try_send(done).is_err()) {
                        tracing::warn!(
                            "a run made through the API could not be queued for storing"
                        );
                    }
                })
            })
            .persist_in(store.clone())
            .await?,
    );
    let status = crate::web::StatusState::new(store.clone(), catalog.clone(), suite_rx.clone())
        .with_controls(controls.clone());
    let server = listener.map(|listener| {
        let app = crate::web::attach(http::router(catalog.clone(), metrics.clone()), status);
        if let (Some(cb), Some(a)) = (&opts.on_listen, local) {
            cb(a);
        }
        tokio::spawn(async move {
            let stop = async move {
                let _ = server_stop_rx.wait_for(|s| *s).await;
            };
            if let Err(e) = apiprobe_web::serve(listener, app, stop).await {
                tracing::error!(error = %e, "the web server stopped");
            }
        })
    });

    let owner = lease_owner();
    let shared = Shared {
        prober: prober.clone(),
        tx: tx.clone(),
        stats: stats.clone(),
        slots: Arc::new(Semaphore::new(opts.max_in_flight.max(1))),
        leases: (store.backend() == Backend::Postgres)
            .then(|| (store.clone(), opts.location.clone(), owner)),
        controls: Some(controls),
    };
    drop(tx);
    let mut tasks = tokio::task::JoinSet::new();
    let (mut stop_tx, stop_rx) = watch::channel(false);
    schedule::spawn_checks(&suite, &shared, stop_rx, &mut tasks);
    let mut old_generations: Vec<watch::Sender<bool>> = Vec::new();

    // Alert delivery: when alerts were stored, and every second for retries.
    let (bg_stop_tx, bg_stop_rx) = watch::channel(false);
    let busy = sender::Busy::default();
    let sender_task = {
        let (store, prober, suite_rx, notify, busy) = (
            store.clone(),
            prober.clone(),
            suite_rx.clone(),
            alerts_stored.clone(),
            busy.clone(),
        );
        let mut stop = bg_stop_rx.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = notify.notified() => {}
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = stop.wait_for(|s| *s) => break,
                }
                let dests = suite_rx.borrow().alerts.clone();
                sender::deliver_due(&store, &prober, &dests, &busy, false).await;
            }
        })
    };
    // Pruning: a minute after start, then every ten minutes, in small steps.
    let pruner = {
        let (store, suite_rx) = (store.clone(), suite_rx.clone());
        let mut stop = bg_stop_rx.clone();
        tokio::spawn(async move {
            let mut wait = Duration::from_secs(60);
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = stop.wait_for(|s| *s) => break,
                }
                wait = Duration::from_secs(600);
                let r = suite_rx.borrow().retention;
                let cutoff = crate::store::now_ms()
                    - i64::try_from(r.max_age.as_millis()).unwrap_or(i64::MAX / 2);
                match store.prune(cutoff, r.max_runs, 2000).await {
                    Ok(n) if n > 0 => tracing::info!(deleted = n, "old runs pruned"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "pruning failed; will try again"),
                }
            }
        })
    };

    let mut modified = file_stamp(&opts.suite);
    let mut poll = tokio::time::interval(Duration::from_secs(1));
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(shutdown);
    let mut current = suite;
    let mut reload_open = true;
    loop {
        let reread = tokio::select! {
            _ = &mut shutdown => break,
            r = reload.recv(), if reload_open => {
                // A closed channel (no SIGHUP handler) leaves the file watch.
                reload_open = r.is_some();
                reload_open
            }
            _ = poll.tick() => {
                if let Some(cb) = &opts.on_tick {
                    cb(&stats, current.checks.len());
                }
                let now = file_stamp(&opts.suite);
                let changed = now != modified && now.is_some();
                modified = now;
                changed
            }
        };
        if !reread {
            continue;
        }
        match MonitorSuite::load(&opts.suite) {
            Err(e) => {
                tracing::error!(error = %e, "the suite was not reloaded; the running suite is kept")
            }
            Ok(new) => {
                let new = Arc::new(new);
                tracing::info!(checks = new.checks.len(), "suite reloaded");
                let names: std::collections::HashSet<String> =
                    new.checks.iter().map(|c| c.name().to_string()).collect();
                metrics.retain(&|l| names.contains(&l.check));
                let (next_tx, next_rx) = watch::channel(false);
                let _ = stop_tx.send(true);
                old_generations.push(std::mem::replace(&mut stop_tx, next_tx));
                let _ = suite_tx.send(new.clone());
                schedule::spawn_checks(&new, &shared, next_rx, &mut tasks);
                current = new;
            }
        }
        // Reap finished tasks of old generations.
        while tasks.try_join_next().is_some() {}
    }
    tracing::info!("stopping: finishing the runs in flight");
    let _ = stop_tx.send(true);
    drop(shared);
    while tasks.join_next().await.is_some() {}
    let _ = writer.await;
    let _ = bg_stop_tx.send(true);
    let _ = sender_task.await;
    let _ = pruner.await;
    // One last delivery attempt for what the final runs raised.
    // Deliveries still hanging are left to the next start: the alerts stay in the outbox.
    let _ = tokio::time::timeout(
        sender::DELIVERY_TIMEOUT,
        sender::deliver_due(&store, &prober, &current.alerts, &busy, true),
    )
    .await;
    let _ = server_stop_tx.send(true);
    if let Some(s) = server {
        let _ = s.await;
    }
    store.close().await;
    let s = summary(&stats);
    tracing::info!(runs = s.runs, stored = s.stored, "monitor stopped");
    Ok(s)
}

fn file_stamp(path: &std::path::Path) -> Option<(std::time::SystemTime, u64)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

/// Start lateness since the last call, in ms.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Lateness {
    /// Starts sampled.
    pub starts: usize,
    /// Median.
    pub p50: f32,
    /// 99th percentile.
    pub p99: f32,
    /// Worst.
    pub max: f32,
}

/// The lateness of the starts since the last call.
pub fn take_lateness(stats: &Stats) -> Lateness {
    let mut v = match stats.lateness_ms.lock() {
        Ok(mut l) => std::mem::take(&mut *l),
        Err(_) => return Lateness::default(),
    };
    if v.is_empty() {
        return Lateness::default();
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let at = |q: usize| v[(v.len() * q / 100).min(v.len() - 1)];
    Lateness {
        starts: v.len(),
        p50: at(50),
        p99: at(99),
        max: v[v.len() - 1],
    }
}

/// A name for this monitor's leases that no other monitor shares: the process id and start time are
/// not enough on their own (two monitors started in one millisecond in one process, or containers
/// where every monitor is process 1), so a sequence number and 64 random bits from the OS-seeded
/// hasher keys follow them.
fn lease_owner() -> String {
    use std::hash::{BuildHasher, Hasher};
    static STARTED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let seq = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    format!(
        "{}-{}-{seq}-{random:016x}",
        std::process::id(),
        crate::store::now_ms()
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn lease_owners_started_together_differ() {
        let owners: std::collections::HashSet<String> =
            (0..100).map(|_| super::lease_owner()).collect();
        assert_eq!(owners.len(), 100);
    }
}
