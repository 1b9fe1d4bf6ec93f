//! Run now, pause and resume: what the write routes do to the running monitor.
//!
//! The scheduler asks [`Controls::is_paused`] before each run and skips paused checks; a run asked
//! for through the API goes through the same prober, and its result is handed to the run hook
//! (the monitor's writer) so it is stored like any other.

use crate::suite::MonitorCheck;
use apiprobe_catalog::Report;
use apiprobe_probe::Prober;
use std::collections::BTreeSet;
use std::sync::{Arc, RwLock};
use tokio::sync::Semaphore;

/// What receives a run made on request: the check, its start (unix ms) and its result.
pub type RunHook = Arc<dyn Fn(Arc<MonitorCheck>, i64, &Report) + Send + Sync>;

/// How many runs asked for through the API may be in flight at once; more wait their turn.
const RUNS_AT_ONCE: usize = 4;

/// The running monitor's controls.
pub struct Controls {
    prober: Arc<Prober>,
    paused: RwLock<BTreeSet<String>>,
    hook: Option<RunHook>,
    slots: Semaphore,
}

impl std::fmt::Debug for Controls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Controls")
            .field("paused", &self.paused())
            .finish_non_exhaustive()
    }
}

impl Controls {
    /// Controls running checks with `prober`.
    pub fn new(prober: Arc<Prober>) -> Controls {
        Controls {
            prober,
            paused: RwLock::new(BTreeSet::new()),
            hook: None,
            slots: Semaphore::new(RUNS_AT_ONCE),
        }
    }

    /// Hands every run made on request to `hook` (to store it).
    pub fn on_run(mut self, hook: RunHook) -> Controls {
        self.hook = Some(hook);
        self
    }

    /// Whether `check` is paused: the scheduler skips it.
    pub fn is_paused(&self, check: &str) -> bool {
        self.paused
            .read()
            .map(|p| p.contains(check))
            .unwrap_or(false)
    }

    /// The paused checks.
    pub fn paused(&self) -> Vec<String> {
        self.paused
            .read()
            .map(|p| p.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Pauses or resumes `check`; returns whether that changed anything.
    pub fn set_paused(&self, check: &str, paused: bool) -> bool {
        let Ok(mut set) = self.paused.write() else {
            return false;
        };
        if paused {
            set.insert(check.to_string())
        } else {
            set.remove(check)
        }
    }

    /// Runs `check` now and returns its result, after handing it to the run hook.
    pub async fn run_now(&self, check: Arc<MonitorCheck>) -> Report {
        let _slot = self.slots.acquire().await;
        let started = super::now_ms();
        let report = self.prober.check(&check.spec).await;
        if let Some(hook) = &self.hook {
            hook(check, started, &report);
        }
        report
    }
}
