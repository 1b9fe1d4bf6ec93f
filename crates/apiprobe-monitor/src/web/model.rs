//! What a check looks like on the status page and in the API: its stored state, with maintenance and
//! pauses from the running suite laid over it.

use super::state::StatusState;
use crate::store::StateRecord;
use serde::Serialize;

/// The state of one check at one location, as shown.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CheckView {
    /// The check.
    pub check: String,
    /// Where it runs from; `null` before its first run.
    pub location: Option<String>,
    /// The suite's name.
    pub suite: String,
    /// The URL.
    pub url: String,
    /// `up`, `degraded`, `down`, `maintenance`, `paused` or `unknown` (no run yet).
    pub state: &'static str,
    /// The stored health under a maintenance window or pause.
    pub health: String,
    /// Since when the health holds (unix ms).
    pub since_ms: Option<i64>,
    /// The failure code while down.
    pub code: Option<String>,
    /// Its catalog name (probe codes).
    pub name: Option<String>,
    /// Its catalog title.
    pub title: Option<String>,
    /// The last run's message.
    pub message: Option<String>,
    /// The last run (unix ms).
    pub last_run_ms: Option<i64>,
    /// Whether the last run passed.
    pub last_ok: Option<bool>,
    /// The last run's duration, ms.
    pub last_total_ms: Option<f64>,
    /// The certificate's notAfter (unix ms).
    pub tls_not_after_ms: Option<i64>,
    /// Paused through the API.
    pub paused: bool,
    /// In a maintenance window now.
    pub maintenance: bool,
}

/// How bad a shown state is, for the overall state and sorting: worst is highest.
pub(crate) fn severity(state: &str) -> u8 {
    match state {
        "down" => 5,
        "degraded" => 4,
        "unknown" => 3,
        "maintenance" => 2,
        "paused" => 1,
        _ => 0,
    }
}

/// The overall state of several checks: the worst of them, `up` when there are none.
pub(crate) fn overall<'a>(states: impl Iterator<Item = &'a str>) -> &'a str {
    states.max_by_key(|s| severity(s)).unwrap_or("up")
}

fn shown(health: &str) -> &'static str {
    match health {
        "up" => "up",
        "degraded" => "degraded",
        "down" => "down",
        _ => "unknown",
    }
}

impl StatusState {
    /// Every check at every location: stored states, plus checks of the suite not run yet.
    pub(crate) fn views(&self, rows: Vec<StateRecord>) -> Vec<CheckView> {
        let suite = self.suite();
        let now = chrono::Utc::now();
        let catalog = &self.inner.catalog;
        let controls = self.inner.controls.as_deref();
        let mut out: Vec<CheckView> = Vec::with_capacity(rows.len());
        // Which windows are open is worked out once, not once per check (a cron window costs a
        // search for its last occurrence).
        let open: Vec<_> = suite
            .maintenance
            .iter()
            .filter(|m| m.is_open(now))
            .collect();
        let in_window = |check: &str| open.iter().any(|m| m.applies_to(check));
        let paused = |check: &str| controls.is_some_and(|c| c.is_paused(check));
        for r in rows {
            let maintenance = in_window(&r.check);
            let is_paused = paused(&r.check);
            let entry = r.code.as_deref().and_then(|c| catalog.get(c));
            let state = if maintenance {
                "maintenance"
            } else if is_paused {
                "paused"
            } else {
                shown(&r.health)
            };
            out.push(CheckView {
                state,
                name: entry.and_then(|e| e.name.clone()),
                title: entry.map(|e| e.title.clone()),
                location: Some(r.location),
                suite: r.suite,
                url: r.url,
                health: r.health,
                since_ms: Some(r.since_ms),
                code: r.code,
                message: r.message,
                last_run_ms: Some(r.last_run_ms),
                last_ok: Some(r.last_ok),
                last_total_ms: r.last_total_ms,
                tls_not_after_ms: r.tls_not_after_ms,
                paused: is_paused,
                maintenance,
                check: r.check,
            });
        }
        let mut seen: std::collections::HashSet<&str> =
            out.iter().map(|v| v.check.as_str()).collect();
        let mut fresh = Vec::new();
        for c in &suite.checks {
            if seen.insert(c.name()) {
                let maintenance = in_window(c.name());
                let is_paused = paused(c.name());
                fresh.push(CheckView {
                    check: c.name().to_string(),
                    location: None,
                    suite: suite.name.clone(),
                    url: c.spec.url.to_string(),
                    state: if maintenance {
                        "maintenance"
                    } else if is_paused {
                        "paused"
                    } else {
                        "unknown"
                    },
                    health: "unknown".into(),
                    since_ms: None,
                    code: None,
                    name: None,
                    title: None,
                    message: None,
                    last_run_ms: None,
                    last_ok: None,
                    last_total_ms: None,
                    tls_not_after_ms: None,
                    paused: is_paused,
                    maintenance,
                });
            }
        }
        drop(seen);
        out.extend(fresh);
        out
    }

    /// Whether `check` is in the running suite or the history.
    pub(crate) async fn known(
        &self,
        check: &str,
    ) -> Result<Vec<CheckView>, super::problem::ApiError> {
        let rows = self.inner.store.state(check).await?;
        let in_suite = self.suite().checks.iter().any(|c| c.name() == check);
        if rows.is_empty() && !in_suite {
            return Err(super::problem::ApiError::UnknownCheck(
                check.chars().take(100).collect(),
            ));
        }
        let mut views = self.views(rows);
        views.retain(|v| v.check == check);
        Ok(views)
    }
}
