//! Reads the status pages need across every check at once, on top of the per-check read API of
//! [`crate::store`]: daily uptime cells for every check in two queries (over the partial indexes of
//! [`crate::store::schema`]), closed days kept in memory.

use super::params::DAY_MS;
use crate::store::{Store, StoreError};
use sqlx::Row;
use std::collections::HashMap;
use std::sync::Mutex;

/// A day is read from memory from this long after it ends: the writer marks the change of a past
/// day ([`Store::past_days_generation`]) by its own clock, so clocks of processes sharing one
/// database may differ by this much.
const SETTLE_MS: i64 = 10 * 60_000;

/// One day of one check, summed over locations.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DayCell {
    /// Start of the day (unix ms, UTC).
    pub start_ms: i64,
    /// Runs outside maintenance.
    pub runs: i64,
    /// Of which passed.
    pub ok: i64,
    /// Runs in maintenance.
    pub maintenance: i64,
    /// Failure codes, most frequent first, at most three.
    pub top_codes: Vec<(String, i64)>,
}

impl DayCell {
    /// `ok / runs`, `None` without runs.
    pub fn ratio(&self) -> Option<f64> {
        (self.runs > 0).then(|| self.ok as f64 / self.runs as f64)
    }
}

/// Daily cells by check.
pub(crate) type Days = HashMap<String, Vec<DayCell>>;

struct Closed {
    from_ms: i64,
    until_ms: i64,
    generation: i64,
    days: std::sync::Arc<Days>,
}

/// Closed days of every check, read once.
#[derive(Default)]
pub(crate) struct DayCache(Mutex<Option<Closed>>);

/// The start of the UTC day holding `ms`.
pub(crate) fn day_start(ms: i64) -> i64 {
    ms - ms.rem_euclid(DAY_MS)
}

/// Daily cells of every check from `from_ms` to `until_ms` (day starts, until exclusive).
async fn read_days(store: &Store, from_ms: i64, until_ms: i64) -> Result<Days, StoreError> {
    let w = |e| store.wrap(e);
    let rows = sqlx::query("SELECT check_name, start_ms, CAST(SUM(runs) AS BIGINT) AS runs, CAST(SUM(ok) AS BIGINT) AS ok, CAST(SUM(maintenance) AS BIGINT) AS m FROM rollups WHERE period = 'day' AND start_ms >= $1 AND start_ms < $2 GROUP BY check_name, start_ms ORDER BY check_name, start_ms")
        .bind(from_ms)
        .bind(until_ms)
        .fetch_all(store.pool())
        .await
        .map_err(w)?;
    let mut days: Days = HashMap::new();
    let mut index: HashMap<(String, i64), usize> = HashMap::new();
    for r in &rows {
        let check: String = r.try_get("check_name").map_err(w)?;
        let start: i64 = r.try_get("start_ms").map_err(w)?;
        let runs: i64 = r.try_get("runs").map_err(w)?;
        let m: i64 = r.try_get("m").map_err(w)?;
        let cells = days.entry(check.clone()).or_default();
        index.insert((check, start), cells.len());
        cells.push(DayCell {
            start_ms: start,
            runs: runs - m,
            ok: r.try_get("ok").map_err(w)?,
            maintenance: m,
            top_codes: Vec::new(),
        });
    }
    let codes = sqlx::query("SELECT check_name, start_ms, code, CAST(SUM(count) AS BIGINT) AS n FROM rollup_codes WHERE period = 'day' AND start_ms >= $1 AND start_ms < $2 GROUP BY check_name, start_ms, code")
        .bind(from_ms)
        .bind(until_ms)
        .fetch_all(store.pool())
        .await
        .map_err(w)?;
    for r in &codes {
        let check: String = r.try_get("check_name").map_err(w)?;
        let start: i64 = r.try_get("start_ms").map_err(w)?;
        let Some(i) = index.get(&(check, start)).copied() else {
            continue;
        };
        let check: String = r.try_get("check_name").map_err(w)?;
        if let Some(cell) = days.get_mut(&check).and_then(|c| c.get_mut(i)) {
            cell.top_codes
                .push((r.try_get("code").map_err(w)?, r.try_get("n").map_err(w)?));
        }
    }
    for cells in days.values_mut() {
        for c in cells {
            c.top_codes
                .sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            c.top_codes.truncate(3);
        }
    }
    Ok(days)
}

/// Daily cells of every check: the closed days shared from memory, the open ones just read.
pub(crate) struct DaysView {
    closed: std::sync::Arc<Days>,
    open: Days,
    from_ms: i64,
}

impl DaysView {
    /// The cells of `check`, oldest first.
    pub(crate) fn cells<'a>(&'a self, check: &str) -> impl Iterator<Item = &'a DayCell> + 'a {
        let from = self.from_ms;
        let closed = self.closed.get(check).map(Vec::as_slice).unwrap_or(&[]);
        let open = self.open.get(check).map(Vec::as_slice).unwrap_or(&[]);
        closed
            .iter()
            .chain(open)
            .filter(move |c| c.start_ms >= from)
    }
}

impl DayCache {
    /// Daily cells of every check for the days since `from_ms` up to now: closed days from memory
    /// (read again when the store says a past day changed), the open ones from the database.
    pub(crate) async fn days(
        &self,
        store: &Store,
        from_ms: i64,
        now_ms: i64,
    ) -> Result<DaysView, StoreError> {
        let from_ms = day_start(from_ms);
        let closed_until = day_start(now_ms - SETTLE_MS);
        // Read before the days: a change landing in between makes the next request read again.
        let generation = store.past_days_generation().await?;
        let cached = self.0.lock().ok().and_then(|c| {
            c.as_ref()
                .filter(|c| {
                    c.from_ms <= from_ms && c.until_ms == closed_until && c.generation == generation
                })
                .map(|c| c.days.clone())
        });
        let closed = match cached {
            Some(d) => d,
            None => {
                let d = std::sync::Arc::new(read_days(store, from_ms, closed_until).await?);
                if let Ok(mut slot) = self.0.lock() {
                    *slot = Some(Closed {
                        from_ms,
                        until_ms: closed_until,
                        generation,
                        days: d.clone(),
                    });
                }
                d
            }
        };
        let open = read_days(store, closed_until, i64::MAX).await?;
        Ok(DaysView {
            closed,
            open,
            from_ms,
        })
    }
}
