//! The one writer: takes finished runs, moves each check's state machine, raises alerts, updates the
//! metrics, and stores everything in batches (one transaction every 250 ms or 2,000 runs).
//!
//! A batch that cannot be written (database gone, disk full) is kept and retried with the next one,
//! so runs are delayed, never lost, while the process lives; past [`MAX_PENDING`] held runs the
//! checks wait for the database rather than run unrecorded.

use crate::alert::{Alert, AlertFacts, AlertTopic};
use crate::metrics::{cert_expiry, Metrics, ProbeLabels};
use crate::state::{CheckState, Health, Outcome};
use crate::store::{Batch, EventRecord, NewAlert, RunRecord, StateRecord, Store};
use crate::suite::{MonitorCheck, MonitorSuite};
use apiprobe_catalog::{Catalog, Report};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, watch, Notify};

/// Runs held while the database refuses writes; past this the writer stops taking runs, so the
/// checks wait (and count missed slots) instead of the process growing without bound.
pub const MAX_PENDING: usize = 500_000;

/// One finished run, from the scheduler.
#[derive(Debug)]
pub struct Finished {
    /// The check as configured when it ran.
    pub check: Arc<MonitorCheck>,
    /// When it started (unix ms).
    pub started_ms: i64,
    /// In a maintenance window.
    pub maintenance: bool,
    /// The result.
    pub report: Report,
}

/// Counters for the progress line and the end summary.
#[derive(Debug, Default)]
pub struct Stats {
    /// Runs finished.
    pub runs: AtomicU64,
    /// Of which failed.
    pub failed: AtomicU64,
    /// Runs stored.
    pub stored: AtomicU64,
    /// Runs waiting to be stored.
    pub pending: AtomicU64,
    /// Slots skipped because the previous run of the same check was still going.
    pub missed: AtomicU64,
    /// Start lateness samples (ms) since the last read.
    pub lateness_ms: Mutex<Vec<f32>>,
    /// The last write error, cleared by a successful write.
    pub write_error: Mutex<Option<String>>,
    /// Checks by state now: up, degraded, down.
    pub up: AtomicU64,
    /// Degraded checks.
    pub degraded: AtomicU64,
    /// Down checks.
    pub down: AtomicU64,
}

/// What the writer needs besides the runs.
pub struct WriterConfig {
    /// The store.
    pub store: Store,
    /// The metrics to update.
    pub metrics: Arc<Metrics>,
    /// The catalog for alert texts.
    pub catalog: Arc<Catalog>,
    /// The running suite (alert destinations, suite name).
    pub suite: watch::Receiver<Arc<MonitorSuite>>,
    /// Where this monitor runs.
    pub location: String,
    /// Base URL of entry links in alerts.
    pub link_base: String,
    /// Shared counters.
    pub stats: Arc<Stats>,
    /// Woken when alerts were stored.
    pub alerts_stored: Arc<Notify>,
}

struct Tracked {
    state: CheckState,
    record: StateRecord,
}

/// Runs the writer until `rx` closes, then writes what is left (retrying for up to `final_grace`).
pub async fn run_writer(
    cfg: WriterConfig,
    mut rx: mpsc::Receiver<Finished>,
    final_grace: Duration,
) {
    let mut tracked: HashMap<String, Tracked> = HashMap::new();
    match cfg.store.saved_states(&cfg.location).await {
        Ok(saved) => {
            for r in saved {
                let state = CheckState {
                    health: Health::parse(&r.health),
                    since_ms: r.since_ms,
                    code: r.code.clone(),
                    fail_streak: r.fail_streak,
                    slow_streak: r.slow_streak,
                    ok_streak: r.ok_streak,
                };
                let counter = match state.health {
                    Health::Up => Some(&cfg.stats.up),
                    Health::Degraded => Some(&cfg.stats.degraded),
                    Health::Down => Some(&cfg.stats.down),
                    Health::Unknown => None,
                };
                if let Some(c) = counter {
                    c.fetch_add(1, Ordering::Relaxed);
                }
                tracked.insert(r.check.clone(), Tracked { state, record: r });
            }
        }
        Err(e) => tracing::warn!(error = %e, "cannot read the saved check states; starting fresh"),
    }
    let mut pending = Batch::default();
    let mut dirty: HashSet<String> = HashSet::new();
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let (closed, ticked) = tokio::select! {
            msg = rx.recv(), if pending.runs.len() < MAX_PENDING => match msg {
                Some(f) => {
                    process(&cfg, &mut tracked, &mut pending, &mut dirty, f);
                    // Take whatever else is waiting before deciding to write.
                    while pending.runs.len() < 2000 {
                        match rx.try_recv() {
                            Ok(f) => process(&cfg, &mut tracked, &mut pending, &mut dirty, f),
                            Err(_) => break,
                        }
                    }
                    (false, false)
                }
                None => (true, false),
            },
            _ = tick.tick() => (false, true),
        };
        cfg.stats
            .pending
            .store(pending.runs.len() as u64, Ordering::Relaxed);
        let due = ticked || closed || pending.runs.len() >= 2000;
        if due && (!pending.is_empty() || !dirty.is_empty()) {
            flush(&cfg, &tracked, &mut pending, &mut dirty).await;
        }
        if closed {
            let deadline = tokio::time::Instant::now() + final_grace;
            while (!pending.is_empty() || !dirty.is_empty())
                && tokio::time::Instant::now() < deadline
            {
                tokio::time::sleep(Duration::from_millis(500)).await;
                flush(&cfg, &tracked, &mut pending, &mut dirty).await;
            }
            if !pending.is_empty() {
                tracing::error!(
                    runs = pending.runs.len(),
                    "runs could not be stored before exit"
                );
            }
            return;
        }
    }
}

async fn flush(
    cfg: &WriterConfig,
    tracked: &HashMap<String, Tracked>,
    pending: &mut Batch,
    dirty: &mut HashSet<String>,
) -> bool {
    pending.states = dirty
        .iter()
        .filter_map(|c| tracked.get(c).map(|t| t.record.clone()))
        .collect();
    let n = pending.runs.len() as u64;
    let had_alerts = !pending.alerts.is_empty();
    match cfg.store.write_batch(pending).await {
        Ok(()) => {
            *pending = Batch::default();
            dirty.clear();
            cfg.stats.stored.fetch_add(n, Ordering::Relaxed);
            cfg.stats.pending.store(0, Ordering::Relaxed);
            let mut err = cfg
                .stats
                .write_error
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            if err.take().is_some() {
                tracing::info!("the database takes writes again");
            }
            if had_alerts {
                cfg.alerts_stored.notify_one();
            }
            true
        }
        Err(e) => {
            pending.states.clear();
            let msg = e.to_string();
            let mut err = cfg
                .stats
                .write_error
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            if err.as_deref() != Some(msg.as_str()) {
                tracing::error!(error = %msg, pending_runs = pending.runs.len(), "cannot store runs; keeping them and retrying");
            }
            *err = Some(msg);
            false
        }
    }
}

fn process(
    cfg: &WriterConfig,
    tracked: &mut HashMap<String, Tracked>,
    pending: &mut Batch,
    dirty: &mut HashSet<String>,
    f: Finished,
) {
    let suite = cfg.suite.borrow().clone();
    let check = &f.check;
    let name = check.name().to_string();
    let r = &f.report;
    let total_ms = r.timings_ms.as_ref().map_or(0.0, |t| t.total);
    let slow = r.ok
        && check
            .degraded_latency
            .is_some_and(|d| total_ms > d.as_secs_f64() * 1000.0);
    cfg.stats.runs.fetch_add(1, Ordering::Relaxed);
    if !r.ok {
        cfg.stats.failed.fetch_add(1, Ordering::Relaxed);
    }
    cfg.metrics.observe(
        &ProbeLabels {
            suite: suite.name.clone(),
            check: name.clone(),
            url: check.spec.url.clone(),
            location: cfg.location.clone(),
        },
        r,
    );
    let t = r.timings_ms.as_ref();
    pending.runs.push(RunRecord {
        at_ms: f.started_ms,
        check: name.clone(),
        location: cfg.location.clone(),
        ok: r.ok,
        degraded: slow,
        maintenance: f.maintenance,
        status: r.status,
        code: if r.ok { None } else { r.code.clone() },
        phase: if r.ok {
            None
        } else {
            r.phase.map(|p| p.as_str().to_string())
        },
        dns_ms: t.and_then(|t| t.dns),
        connect_ms: t.and_then(|t| t.connect),
        tls_ms: t.and_then(|t| t.tls),
        ttfb_ms: t.and_then(|t| t.ttfb),
        total_ms,
        message: if r.ok { None } else { r.message.clone() },
    });
    let entry = tracked.entry(name.clone()).or_insert_with(|| Tracked {
        state: CheckState::default(),
        record: StateRecord {
            check: name.clone(),
            location: cfg.location.clone(),
            suite: suite.name.clone(),
            url: check.spec.url.clone(),
            health: "unknown".into(),
            since_ms: f.started_ms,
            code: None,
            message: None,
            fail_streak: 0,
            slow_streak: 0,
            ok_streak: 0,
            last_run_ms: 0,
            last_ok: false,
            last_total_ms: None,
            tls_not_after_ms: None,
            tls_warned_days: 0,
        },
    });
    dirty.insert(name.clone());
    let before = entry.state.clone();
    let transition = if f.maintenance {
        None
    } else {
        let outcome = if !r.ok {
            Outcome::Fail(r.code.as_deref())
        } else if slow {
            Outcome::Slow
        } else {
            Outcome::Pass
        };
        entry.state.apply(
            outcome,
            f.started_ms,
            check.failure_threshold,
            check.success_threshold,
        )
    };
    let facts = |firing: bool, topic: AlertTopic, code: Option<String>, started: i64| AlertFacts {
        firing,
        topic,
        suite: &suite.name,
        check: &name,
        url: &check.spec.url,
        location: &cfg.location,
        state: entry_health(&transition, &before),
        previous_state: before.health.as_str(),
        code,
        message: r.message.as_deref(),
        started_ms: started,
        ended_ms: (!firing).then_some(f.started_ms),
        days_left: None,
    };
    let mut raised: Vec<Alert> = Vec::new();
    if let Some(tr) = &transition {
        pending.events.push(EventRecord {
            at_ms: f.started_ms,
            check: name.clone(),
            location: cfg.location.clone(),
            from: tr.from.as_str().into(),
            to: tr.to.as_str().into(),
            code: tr.code.clone(),
            message: r.message.clone(),
        });
        tracing::info!(check = %name, from = tr.from.as_str(), to = tr.to.as_str(), code = tr.code.as_deref().unwrap_or(""), "state change");
        if tr.alerts() {
            let topic_of = |h: Health| match h {
                Health::Down => Some(AlertTopic::Down),
                Health::Degraded => Some(AlertTopic::Degraded),
                _ => None,
            };
            if let Some(topic) = topic_of(tr.from) {
                raised.push(Alert::new(
                    &facts(false, topic, before.code.clone(), before.since_ms),
                    &cfg.catalog,
                    &cfg.link_base,
                ));
            }
            if let Some(topic) = topic_of(tr.to) {
                raised.push(Alert::new(
                    &facts(true, topic, tr.code.clone(), f.started_ms),
                    &cfg.catalog,
                    &cfg.link_base,
                ));
            }
        }
    }
    // Certificate expiry: one alert per threshold crossed; a renewed certificate resets them.
    let expiry = cert_expiry(r);
    if let (Some(exp), false) = (expiry, check.tls_expiry_warning.is_empty()) {
        let days_left = (exp * 1000 - f.started_ms).div_euclid(86_400_000);
        let crossed = check
            .tls_expiry_warning
            .iter()
            .copied()
            .filter(|t| days_left <= i64::from(*t))
            .min();
        let warned = entry.record.tls_warned_days;
        match crossed {
            Some(t) if (warned == 0 || t < warned) && !f.maintenance => {
                let mut a = Alert::new(
                    &facts(true, AlertTopic::TlsExpiry, None, f.started_ms),
                    &cfg.catalog,
                    &cfg.link_base,
                );
                a.days_left = Some(days_left);
                a.state = entry.state.health.as_str().into();
                raised.push(a);
                entry.record.tls_warned_days = t;
            }
            None if warned != 0 => entry.record.tls_warned_days = 0,
            _ => {}
        }
    }
    for a in raised {
        let payload = match serde_json::to_string(&a) {
            Ok(p) => p,
            Err(_) => continue,
        };
        tracing::warn!(check = %name, status = %a.status, "{}", a.summary());
        for d in suite.alerts.iter().filter(|d| d.covers(&name)) {
            pending.alerts.push(NewAlert {
                created_ms: f.started_ms,
                check: name.clone(),
                location: cfg.location.clone(),
                destination: d.key(),
                status: a.status.clone(),
                payload: payload.clone(),
            });
        }
    }
    let rec = &mut entry.record;
    let old_health = Health::parse(&rec.health);
    let st = &entry.state;
    rec.suite = suite.name.clone();
    rec.url = check.spec.url.clone();
    rec.health = st.health.as_str().into();
    rec.since_ms = st.since_ms.max(if st.health == Health::Unknown {
        f.started_ms
    } else {
        0
    });
    rec.code = st.code.clone();
    rec.message = r.message.clone();
    rec.fail_streak = st.fail_streak;
    rec.slow_streak = st.slow_streak;
    rec.ok_streak = st.ok_streak;
    rec.last_run_ms = f.started_ms;
    rec.last_ok = r.ok;
    rec.last_total_ms = Some(total_ms);
    if expiry.is_some() {
        rec.tls_not_after_ms = expiry.map(|e| e * 1000);
    }
    if old_health != st.health {
        let counter = |h: Health| match h {
            Health::Up => Some(&cfg.stats.up),
            Health::Degraded => Some(&cfg.stats.degraded),
            Health::Down => Some(&cfg.stats.down),
            Health::Unknown => None,
        };
        if let Some(c) = counter(old_health) {
            c.fetch_sub(1, Ordering::Relaxed);
        }
        if let Some(c) = counter(st.health) {
            c.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn entry_health(t: &Option<crate::state::Transition>, before: &CheckState) -> &'static str {
    t.as_ref().map_or(before.health, |t| t.to).as_str()
}
