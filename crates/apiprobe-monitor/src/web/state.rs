//! What the monitor routes share: the history, the catalog, the running suite and its controls.

use super::control::Controls;
use super::queries::DayCache;
use crate::store::Store;
use crate::suite::MonitorSuite;
use apiprobe_catalog::Catalog;
use std::sync::Arc;
use tokio::sync::watch;

/// The state of the monitor routes. Cheap to clone.
#[derive(Clone)]
pub struct StatusState {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub store: Store,
    pub catalog: Arc<Catalog>,
    pub suite: watch::Receiver<Arc<MonitorSuite>>,
    pub controls: Option<Arc<Controls>>,
    pub days: DayCache,
}

impl std::fmt::Debug for StatusState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StatusState")
            .field("store", &self.inner.store.url())
            .finish_non_exhaustive()
    }
}

impl StatusState {
    /// Routes over `store`, naming failures with `catalog`, for the suite `suite` holds (the
    /// monitor sends each reloaded suite on it).
    pub fn new(
        store: Store,
        catalog: Arc<Catalog>,
        suite: watch::Receiver<Arc<MonitorSuite>>,
    ) -> StatusState {
        StatusState {
            inner: Arc::new(Inner {
                store,
                catalog,
                suite,
                controls: None,
                days: DayCache::default(),
            }),
        }
    }

    /// With run now, pause and resume (without them those routes answer 503).
    pub fn with_controls(self, controls: Arc<Controls>) -> StatusState {
        let inner = Arc::try_unwrap(self.inner).unwrap_or_else(|shared| Inner {
            store: shared.store.clone(),
            catalog: shared.catalog.clone(),
            suite: shared.suite.clone(),
            controls: shared.controls.clone(),
            days: DayCache::default(),
        });
        StatusState {
            inner: Arc::new(Inner {
                controls: Some(controls),
                ..inner
            }),
        }
    }

    /// The suite as it runs now.
    pub(crate) fn suite(&self) -> Arc<MonitorSuite> {
        self.inner.suite.borrow().clone()
    }
}
