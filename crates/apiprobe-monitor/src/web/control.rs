//! Run now, pause and resume: what the write routes do to the running monitor.
//!
//! The scheduler asks [`Controls::is_paused`] before each run and skips paused checks; pauses are
//! kept in the history database ([`Controls::persist_in`]) so a restart keeps a paused check paused.
//! A run asked for through the API goes through the same prober, and its result is handed to the
//! run hook (the monitor's writer) so it is stored like any other.

use crate::store::{Store, StoreError};
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
    store: Option<Store>,
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
            store: None,
        }
    }

    /// Keeps pauses in `store` from now on, starting from the checks paused there.
    pub async fn persist_in(mut self, store: Store) -> Result<Controls, StoreError> {
        let stored = store.paused().await?;
        match self.paused.get_mut() {
            Ok(set) => set.extend(stored),
            Err(poisoned) => poisoned.into_inner().extend(stored),
        }
        self.store = Some(store);
        Ok(self)
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

    /// Pauses or resumes `check`, in the database first when there is one (a failed write changes
    /// nothing); returns whether that changed anything.
    pub async fn set_paused(&self, check: &str, paused: bool) -> Result<bool, StoreError> {
        let stored = match &self.store {
            Some(store) => Some(store.set_paused(check, paused, super::now_ms()).await?),
            None => None,
        };
        let in_memory = match self.paused.write() {
            Ok(mut set) if paused => set.insert(check.to_string()),
            Ok(mut set) => set.remove(check),
            Err(_) => false,
        };
        Ok(stored.unwrap_or(in_memory))
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
