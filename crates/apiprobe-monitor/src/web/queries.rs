//! Reads the status pages need across every check at once, on top of the per-check read API of
//! [`crate::store`]: daily uptime cells for every check in two queries (over the partial indexes of
//! [`crate::store::schema`]), closed days kept in memory.

use super::params::DAY_MS;
use crate::store::{Store, StoreError};
use sqlx::Row;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

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

/// The closed days of every check as read once, with the closed part of each uptime bar drawn from
/// them: both stay while the days they come from do.
struct Closed {
    from_ms: i64,
    until_ms: i64,
    generation: i64,
    days: Days,
    /// Bars drawn from `days` for a bar starting at the first field.
    bars: Mutex<Option<(i64, Arc<Bars>)>>,
}

/// The closed days of one check as drawn into its uptime bar, with their sums for the legend.
#[derive(Debug, Default)]
pub(crate) struct ClosedBar {
    /// The cells, ready to go into the bar's SVG.
    pub svg: String,
    /// Runs counted on those days.
    pub runs: i64,
    /// Of which passed.
    pub ok: i64,
}

/// Closed bars by check.
pub(crate) type Bars = HashMap<String, ClosedBar>;

/// Closed days of every check, read once.
#[derive(Default)]
pub(crate) struct DayCache(Mutex<Option<Arc<Closed>>>);

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
    closed: Arc<Closed>,
    open: Days,
    from_ms: i64,
}

impl DaysView {
    /// The cells of `check` not yet closed (today, and yesterday for a few minutes after midnight),
    /// oldest first.
    pub(crate) fn open_cells<'a>(&'a self, check: &str) -> impl Iterator<Item = &'a DayCell> + 'a {
        let from = self.from_ms;
        let open = self.open.get(check).map(Vec::as_slice).unwrap_or(&[]);
        open.iter().filter(move |c| c.start_ms >= from)
    }

    /// The closed part of every check's bar, as `draw` draws a check's closed cells (oldest first)
    /// on a bar starting at `first_ms`. Drawn once for each set of closed days and bar start, then
    /// shared by every request.
    pub(crate) fn closed_bars(
        &self,
        first_ms: i64,
        draw: impl Fn(&[DayCell]) -> ClosedBar,
    ) -> Arc<Bars> {
        let Ok(mut slot) = self.closed.bars.lock() else {
            return Arc::new(self.draw_closed(first_ms, &draw));
        };
        if let Some((at, bars)) = slot.as_ref() {
            if *at == first_ms {
                return bars.clone();
            }
        }
        let bars = Arc::new(self.draw_closed(first_ms, &draw));
        *slot = Some((first_ms, bars.clone()));
        bars
    }

    fn draw_closed(&self, first_ms: i64, draw: &impl Fn(&[DayCell]) -> ClosedBar) -> Bars {
        let from = first_ms.max(self.from_ms);
        self.closed
            .days
            .iter()
            .map(|(check, cells)| {
                let start = cells.partition_point(|c| c.start_ms < from);
                (check.clone(), draw(&cells[start..]))
            })
            .collect()
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
                .cloned()
        });
        let closed = match cached {
            Some(c) => c,
            None => {
                let c = Arc::new(Closed {
                    from_ms,
                    until_ms: closed_until,
                    generation,
                    days: read_days(store, from_ms, closed_until).await?,
                    bars: Mutex::new(None),
                });
                if let Ok(mut slot) = self.0.lock() {
                    *slot = Some(c.clone());
                }
                c
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
