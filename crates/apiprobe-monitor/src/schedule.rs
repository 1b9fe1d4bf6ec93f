//! The schedule: one task per check, each on its own grid of start times.
//!
//! A check's starts are `offset + k * interval` on the wall clock, where `offset` comes from a hash
//! of its name: starts are spread over the interval (no herd at :00), measured start to start, the
//! same in every process (so processes sharing a database agree on the slots), and a slow check only
//! ever delays itself: a slot still busy with the previous run is skipped and counted as missed.
//!
//! Monitors sharing a PostgreSQL database and a location claim each slot first
//! ([`Store::claim_run`]). A claim is a lease to the end of the next slot as well, renewed at each
//! slot by its holder, so a short database outage does not stop a check; a monitor that cannot
//! reach the database runs only slots its lease still covers, so two monitors never both run one.
//! When a monitor dies, its leases end within two intervals and another takes its checks.

use crate::store::Store;
use crate::suite::{MonitorCheck, MonitorSuite};
use crate::writer::{Finished, Stats};
use apiprobe_probe::Prober;
use std::hash::{Hash, Hasher};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch, Semaphore};

/// The offset of a check's starts within its interval, in ms.
pub fn offset_ms(name: &str, interval: Duration) -> i64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    name.hash(&mut h);
    let iv = i64::try_from(interval.as_millis())
        .unwrap_or(i64::MAX)
        .max(1);
    (h.finish() % iv as u64) as i64
}

/// The first slot (unix ms) at or after `now_ms`.
pub fn first_slot(now_ms: i64, offset: i64, interval_ms: i64) -> i64 {
    let base = now_ms - (now_ms - offset).rem_euclid(interval_ms);
    if base < now_ms {
        base + interval_ms
    } else {
        base
    }
}

/// What every check task shares.
#[derive(Clone)]
pub struct Shared {
    /// Runs checks.
    pub prober: Arc<Prober>,
    /// Finished runs go here.
    pub tx: mpsc::Sender<Finished>,
    /// Counters.
    pub stats: Arc<Stats>,
    /// Caps the runs in flight.
    pub slots: Arc<Semaphore>,
    /// When several processes share a PostgreSQL database: claim each slot first.
    pub leases: Option<(Store, String, String)>,
    /// Pauses set through the monitor API: a paused check's slots pass without a run.
    pub controls: Option<Arc<crate::web::Controls>>,
}

/// Starts one task per check of `suite`; they stop when `stop` turns true (a run in flight is
/// finished and handed over first).
pub fn spawn_checks(
    suite: &Arc<MonitorSuite>,
    shared: &Shared,
    stop: watch::Receiver<bool>,
    tasks: &mut tokio::task::JoinSet<()>,
) {
    for check in &suite.checks {
        let check = Arc::new(check.clone());
        let shared = shared.clone();
        let suite = suite.clone();
        let stop = stop.clone();
        tasks.spawn(check_loop(check, suite, shared, stop));
    }
}

fn now_ms() -> i64 {
    crate::store::now_ms()
}

/// Whether this claim should cover only its own slot (about one in four, varying by check, slot and
/// monitor), letting the monitors sharing a location race for the next slot.
fn release(check: &str, slot: i64, owner: &str) -> bool {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (check, slot, owner).hash(&mut h);
    h.finish() & 3 == 0
}

/// Whether a lease taken earlier still covers `slot`; a slot without one is missed.
fn held(shared: &Shared, slot: i64, lease_until: i64) -> bool {
    let ok = slot < lease_until;
    if !ok {
        shared.stats.missed.fetch_add(1, Ordering::Relaxed);
    }
    ok
}

async fn check_loop(
    check: Arc<MonitorCheck>,
    suite: Arc<MonitorSuite>,
    shared: Shared,
    mut stop: watch::Receiver<bool>,
) {
    let interval_ms = i64::try_from(check.interval.as_millis())
        .unwrap_or(60_000)
        .max(1);
    let offset = offset_ms(check.name(), check.interval);
    let mut slot = first_slot(now_ms(), offset, interval_ms);
    // With leases: the end of the lease this monitor holds on the check (unix ms).
    let mut lease_until = 0i64;
    loop {
        let wait = Duration::from_millis(u64::try_from(slot - now_ms()).unwrap_or(0));
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        if *stop.borrow() {
            return;
        }
        let next = slot + interval_ms;
        let mine = match &shared.leases {
            None => true,
            Some((store, location, owner)) => {
                // The lease runs to the end of the next slot too, so a short outage does not stop
                // the check; now and then it covers only this slot, so that all monitors race for
                // the next one and the checks spread over them.
                let until = if release(check.name(), slot, owner) {
                    next
                } else {
                    next + interval_ms
                };
                let limit = (check.interval / 2).min(Duration::from_secs(2));
                let claim = store.claim_run(check.name(), location, slot, until, owner);
                match tokio::time::timeout(limit, claim).await {
                    Ok(Ok(true)) => {
                        lease_until = until;
                        true
                    }
                    Ok(Ok(false)) => {
                        lease_until = 0;
                        false
                    }
                    // Without the database no monitor can agree: run only on a lease still held,
                    // else skip, so two monitors never both run the check.
                    Ok(Err(e)) => {
                        tracing::warn!(check = %check.name(), error = %e, "cannot claim the run");
                        held(&shared, slot, lease_until)
                    }
                    Err(_) => {
                        tracing::warn!(check = %check.name(), "no answer to the claim in time");
                        held(&shared, slot, lease_until)
                    }
                }
            }
        };
        let paused = shared
            .controls
            .as_ref()
            .is_some_and(|c| c.is_paused(check.name()));
        if mine && !paused {
            let Ok(_permit) = shared.slots.acquire().await else {
                return;
            };
            let started_ms = now_ms();
            if let Ok(mut l) = shared.stats.lateness_ms.lock() {
                if l.len() < 1_000_000 {
                    l.push((started_ms - slot) as f32);
                }
            }
            let now = chrono::Utc::now();
            let maintenance = suite
                .maintenance
                .iter()
                .any(|m| m.covers(check.name(), now));
            let report = shared.prober.check(&check.spec).await;
            let done = Finished {
                check: check.clone(),
                started_ms,
                maintenance,
                report,
            };
            if shared.tx.send(done).await.is_err() {
                return;
            }
        }
        slot = next;
        let now = now_ms();
        if slot <= now {
            let behind = (now - slot) / interval_ms + 1;
            shared
                .stats
                .missed
                .fetch_add(behind as u64, Ordering::Relaxed);
            slot += behind * interval_ms;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_on_a_grid_spread_by_name() {
        let iv = Duration::from_secs(10);
        let a = offset_ms("a", iv);
        assert!((0..10_000).contains(&a));
        assert_eq!(a, offset_ms("a", iv));
        let offsets: std::collections::HashSet<i64> = (0..100)
            .map(|i| offset_ms(&format!("check-{i}"), iv) / 1000)
            .collect();
        // 100 checks land in (nearly) every second of the interval, not all at :00.
        assert!(offsets.len() >= 8, "{offsets:?}");
        assert_eq!(first_slot(1_000, 500, 10_000), 10_500);
        assert_eq!(first_slot(10_500, 500, 10_000), 10_500);
        assert_eq!(first_slot(10_501, 500, 10_000), 20_500);
    }
}
