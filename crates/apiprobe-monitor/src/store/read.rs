//! Reading the history: what the status page and the monitor API show.

use super::schema::quantile;
use super::{Store, StoreError};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::BTreeMap;

/// The current state of one check at one location.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StateRow {
    /// The check.
    pub check: String,
    /// Where it runs from.
    pub location: String,
    /// The suite's name.
    pub suite: String,
    /// The URL.
    pub url: String,
    /// `up`, `degraded`, `down` or `unknown`.
    pub state: String,
    /// Since when (unix ms).
    pub since_ms: i64,
    /// The failure code while down.
    pub code: Option<String>,
    /// The last run's message.
    pub message: Option<String>,
    /// The last run (unix ms).
    pub last_run_ms: i64,
    /// Whether the last run passed.
    pub last_ok: bool,
    /// The last run's duration.
    pub last_total_ms: Option<f64>,
    /// The certificate's notAfter (unix ms), for https checks.
    pub tls_not_after_ms: Option<i64>,
}

/// One stored run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunRow {
    /// Its id (the cursor of [`RunPage`]).
    pub id: i64,
    /// When it started (unix ms).
    pub at_ms: i64,
    /// The check.
    pub check: String,
    /// Where.
    pub location: String,
    /// Passed.
    pub ok: bool,
    /// Passed, slow.
    pub degraded: bool,
    /// In a maintenance window.
    pub maintenance: bool,
    /// The HTTP status.
    pub status: Option<i64>,
    /// The failure code.
    pub code: Option<String>,
    /// The failing phase.
    pub phase: Option<String>,
    /// Name resolution, ms.
    pub dns_ms: Option<f64>,
    /// TCP connect, ms.
    pub connect_ms: Option<f64>,
    /// TLS handshake, ms.
    pub tls_ms: Option<f64>,
    /// Time to first byte, ms.
    pub ttfb_ms: Option<f64>,
    /// The whole run, ms.
    pub total_ms: f64,
    /// The probe's message.
    pub message: Option<String>,
}

/// Which runs to list, newest first.
#[derive(Debug, Clone, Default)]
pub struct RunQuery {
    /// The check (all checks when `None`).
    pub check: Option<String>,
    /// From (unix ms, inclusive).
    pub since_ms: Option<i64>,
    /// To (unix ms, exclusive).
    pub until_ms: Option<i64>,
    /// Only runs with this failure code.
    pub code: Option<String>,
    /// At most this many (1..=1000, default 100).
    pub limit: Option<i64>,
    /// Continue after this run id (from [`RunPage::next_cursor`]).
    pub cursor: Option<i64>,
}

/// A page of runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunPage {
    /// The runs, newest first.
    pub runs: Vec<RunRow>,
    /// Pass as [`RunQuery::cursor`] for the next page; `None` at the end.
    pub next_cursor: Option<i64>,
}

/// One state change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventRow {
    /// When (unix ms).
    pub at_ms: i64,
    /// The check.
    pub check: String,
    /// Where.
    pub location: String,
    /// Before.
    pub from: String,
    /// After.
    pub to: String,
    /// The failure code after the change.
    pub code: Option<String>,
    /// The message of the run that caused it.
    pub message: Option<String>,
}

/// Uptime over a window, from the hourly rollups (maintenance runs left out).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Uptime {
    /// Runs counted (maintenance excluded).
    pub runs: i64,
    /// Of which passed.
    pub ok: i64,
    /// `ok / runs`, `None` without runs.
    pub ratio: Option<f64>,
}

/// Failures of one code in a window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeCount {
    /// The catalog code.
    pub code: String,
    /// How many runs failed with it.
    pub count: i64,
    /// The first of them (unix ms).
    pub first_ms: i64,
    /// The last of them (unix ms).
    pub last_ms: i64,
}

/// One hourly or daily rollup.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RollupRow {
    /// The hour or day it starts (unix ms, UTC).
    pub start_ms: i64,
    /// Runs.
    pub runs: i64,
    /// Passed (maintenance excluded).
    pub ok: i64,
    /// Passed, slow.
    pub degraded: i64,
    /// In maintenance.
    pub maintenance: i64,
    /// Mean duration, ms.
    pub mean_ms: Option<f64>,
    /// Median duration from the buckets, ms.
    pub p50_ms: Option<f64>,
    /// 95th percentile, ms.
    pub p95_ms: Option<f64>,
    /// 99th percentile, ms.
    pub p99_ms: Option<f64>,
    /// Failures by code.
    pub codes: BTreeMap<String, i64>,
}

fn flag(r: &AnyRow, col: &str) -> Result<bool, sqlx::Error> {
    Ok(r.try_get::<i64, _>(col)? != 0)
}

fn run_row(r: &AnyRow) -> Result<RunRow, sqlx::Error> {
    Ok(RunRow {
        id: r.try_get("id")?,
        at_ms: r.try_get("at_ms")?,
        check: r.try_get("check_name")?,
        location: r.try_get("location")?,
        ok: flag(r, "ok")?,
        degraded: flag(r, "degraded")?,
        maintenance: flag(r, "maintenance")?,
        status: r.try_get("status")?,
        code: r.try_get("code")?,
        phase: r.try_get("phase")?,
        dns_ms: r.try_get("dns_ms")?,
        connect_ms: r.try_get("connect_ms")?,
        tls_ms: r.try_get("tls_ms")?,
        ttfb_ms: r.try_get("ttfb_ms")?,
        total_ms: r.try_get("total_ms")?,
        message: r.try_get("message")?,
    })
}

fn state_row(r: &AnyRow) -> Result<StateRow, sqlx::Error> {
    Ok(StateRow {
        check: r.try_get("check_name")?,
        location: r.try_get("location")?,
        suite: r.try_get("suite")?,
        url: r.try_get("url")?,
        state: r.try_get("health")?,
        since_ms: r.try_get("since_ms")?,
        code: r.try_get("code")?,
        message: r.try_get("message")?,
        last_run_ms: r.try_get("last_run_ms")?,
        last_ok: flag(r, "last_ok")?,
        last_total_ms: r.try_get("last_total_ms")?,
        tls_not_after_ms: r.try_get("tls_not_after_ms")?,
    })
}

const STATE_COLS: &str = "check_name, location, suite, url, health, since_ms, code, message, last_run_ms, last_ok, last_total_ms, tls_not_after_ms";

impl Store {
    /// The current state of every check, by check then location.
    pub async fn states(&self) -> Result<Vec<StateRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {STATE_COLS} FROM check_state ORDER BY check_name, location"
        ))
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.wrap(e))?;
        rows.iter()
            .map(state_row)
            .collect::<Result<_, _>>()
            .map_err(|e| self.wrap(e))
    }

    /// The current state of one check at every location.
    pub async fn state(&self, check: &str) -> Result<Vec<StateRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {STATE_COLS} FROM check_state WHERE check_name = $1 ORDER BY location"
        ))
        .bind(check.to_string())
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.wrap(e))?;
        rows.iter()
            .map(state_row)
            .collect::<Result<_, _>>()
            .map_err(|e| self.wrap(e))
    }

    /// The state machine of each check at `location`, to resume after a restart.
    pub async fn saved_states(
        &self,
        location: &str,
    ) -> Result<Vec<super::StateRecord>, StoreError> {
        let w = |e| self.wrap(e);
        let rows = sqlx::query("SELECT * FROM check_state WHERE location = $1")
            .bind(location.to_string())
            .fetch_all(self.pool())
            .await
            .map_err(w)?;
        let get = |r: &AnyRow| -> Result<super::StateRecord, sqlx::Error> {
            let n = |c: &str| -> Result<u32, sqlx::Error> {
                Ok(u32::try_from(r.try_get::<i64, _>(c)?).unwrap_or(0))
            };
            Ok(super::StateRecord {
                check: r.try_get("check_name")?,
                location: r.try_get("location")?,
                suite: r.try_get("suite")?,
                url: r.try_get("url")?,
                health: r.try_get("health")?,
                since_ms: r.try_get("since_ms")?,
                code: r.try_get("code")?,
                message: r.try_get("message")?,
                fail_streak: n("fail_streak")?,
                slow_streak: n("slow_streak")?,
                ok_streak: n("ok_streak")?,
                last_run_ms: r.try_get("last_run_ms")?,
                last_ok: flag(r, "last_ok")?,
                last_total_ms: r.try_get("last_total_ms")?,
                tls_not_after_ms: r.try_get("tls_not_after_ms")?,
                tls_warned_days: n("tls_warned_days")?,
            })
        };
        rows.iter().map(get).collect::<Result<_, _>>().map_err(w)
    }

    /// Runs, newest first, one page at a time.
    pub async fn runs(&self, q: &RunQuery) -> Result<RunPage, StoreError> {
        let limit = q.limit.unwrap_or(100).clamp(1, 1000);
        let mut sql = String::from("SELECT * FROM runs WHERE 1 = 1");
        let mut n = 0;
        let mut next = |sql: &mut String, cond: &str| {
            n += 1;
            sql.push_str(&cond.replace('?', &format!("${n}")));
        };
        if q.check.is_some() {
            next(&mut sql, " AND check_name = ?");
        }
        if q.since_ms.is_some() {
            next(&mut sql, " AND at_ms >= ?");
        }
        if q.until_ms.is_some() {
            next(&mut sql, " AND at_ms < ?");
        }
        if q.code.is_some() {
            next(&mut sql, " AND code = ?");
        }
        if q.cursor.is_some() {
            next(&mut sql, " AND id < ?");
        }
        next(&mut sql, " ORDER BY id DESC LIMIT ?");
        let mut query = sqlx::query(&sql);
        if let Some(c) = &q.check {
            query = query.bind(c.clone());
        }
        if let Some(v) = q.since_ms {
            query = query.bind(v);
        }
        if let Some(v) = q.until_ms {
            query = query.bind(v);
        }
        if let Some(c) = &q.code {
            query = query.bind(c.clone());
        }
        if let Some(v) = q.cursor {
            query = query.bind(v);
        }
        let rows = query
            .bind(limit + 1)
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.wrap(e))?;
        let mut runs: Vec<RunRow> = rows
            .iter()
            .map(run_row)
            .collect::<Result<_, _>>()
            .map_err(|e| self.wrap(e))?;
        let more = runs.len() as i64 > limit;
        runs.truncate(limit as usize);
        let next_cursor = if more {
            runs.last().map(|r| r.id)
        } else {
            None
        };
        Ok(RunPage { runs, next_cursor })
    }

    /// State changes of a check, newest first.
    pub async fn events(&self, check: &str, limit: i64) -> Result<Vec<EventRow>, StoreError> {
        let rows = sqlx::query("SELECT at_ms, check_name, location, from_state, to_state, code, message FROM events WHERE check_name = $1 ORDER BY id DESC LIMIT $2")
            .bind(check.to_string())
            .bind(limit.clamp(1, 10_000))
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.wrap(e))?;
        let get = |r: &AnyRow| -> Result<EventRow, sqlx::Error> {
            Ok(EventRow {
                at_ms: r.try_get("at_ms")?,
                check: r.try_get("check_name")?,
                location: r.try_get("location")?,
                from: r.try_get("from_state")?,
                to: r.try_get("to_state")?,
                code: r.try_get("code")?,
                message: r.try_get("message")?,
            })
        };
        rows.iter()
            .map(get)
            .collect::<Result<_, _>>()
            .map_err(|e| self.wrap(e))
    }

    /// Uptime of a check since `since_ms`, from the hourly rollups (the hour holding `since_ms`
    /// counts whole).
    pub async fn uptime(&self, check: &str, since_ms: i64) -> Result<Uptime, StoreError> {
        let w = |e| self.wrap(e);
        let row = sqlx::query("SELECT CAST(COALESCE(SUM(runs - maintenance), 0) AS BIGINT) AS n, CAST(COALESCE(SUM(ok), 0) AS BIGINT) AS ok FROM rollups WHERE check_name = $1 AND period = 'hour' AND start_ms >= $2")
            .bind(check.to_string())
            .bind(since_ms - since_ms.rem_euclid(3_600_000))
            .fetch_one(self.pool())
            .await
            .map_err(w)?;
        let runs: i64 = row.try_get("n").map_err(w)?;
        let ok: i64 = row.try_get("ok").map_err(w)?;
        Ok(Uptime {
            runs,
            ok,
            ratio: (runs > 0).then(|| ok as f64 / runs as f64),
        })
    }

    /// Failures of a check since `since_ms` by code, most frequent first (from the kept runs).
    pub async fn failures(&self, check: &str, since_ms: i64) -> Result<Vec<CodeCount>, StoreError> {
        let w = |e| self.wrap(e);
        let rows = sqlx::query("SELECT code, COUNT(*) AS n, MIN(at_ms) AS first_ms, MAX(at_ms) AS last_ms FROM runs WHERE check_name = $1 AND at_ms >= $2 AND ok = 0 AND code IS NOT NULL GROUP BY code ORDER BY n DESC, code")
            .bind(check.to_string())
            .bind(since_ms)
            .fetch_all(self.pool())
            .await
            .map_err(w)?;
        rows.iter()
            .map(|r| {
                Ok(CodeCount {
                    code: r.try_get("code")?,
                    count: r.try_get("n")?,
                    first_ms: r.try_get("first_ms")?,
                    last_ms: r.try_get("last_ms")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(w)
    }

    /// Hourly (`period = "hour"`) or daily (`"day"`) rollups of a check since `since_ms`, oldest
    /// first, summed over locations, with percentiles from the latency buckets.
    pub async fn rollups(
        &self,
        check: &str,
        period: &str,
        since_ms: i64,
    ) -> Result<Vec<RollupRow>, StoreError> {
        let w = |e| self.wrap(e);
        let rows = sqlx::query("SELECT start_ms, CAST(SUM(runs) AS BIGINT) AS runs, CAST(SUM(ok) AS BIGINT) AS ok, CAST(SUM(degraded) AS BIGINT) AS degraded, CAST(SUM(maintenance) AS BIGINT) AS maintenance, SUM(total_ms_sum) AS total FROM rollups WHERE check_name = $1 AND period = $2 AND start_ms >= $3 GROUP BY start_ms ORDER BY start_ms")
            .bind(check.to_string())
            .bind(period.to_string())
            .bind(since_ms)
            .fetch_all(self.pool())
            .await
            .map_err(w)?;
        let mut out: BTreeMap<i64, RollupRow> = BTreeMap::new();
        for r in &rows {
            let start: i64 = r.try_get("start_ms").map_err(w)?;
            let runs: i64 = r.try_get("runs").map_err(w)?;
            let total: f64 = r.try_get("total").map_err(w)?;
            out.insert(
                start,
                RollupRow {
                    start_ms: start,
                    runs,
                    ok: r.try_get("ok").map_err(w)?,
                    degraded: r.try_get("degraded").map_err(w)?,
                    maintenance: r.try_get("maintenance").map_err(w)?,
                    mean_ms: (runs > 0).then(|| total / runs as f64),
                    p50_ms: None,
                    p95_ms: None,
                    p99_ms: None,
                    codes: BTreeMap::new(),
                },
            );
        }
        let lat = sqlx::query("SELECT start_ms, bucket, CAST(SUM(count) AS BIGINT) AS n FROM rollup_latency WHERE check_name = $1 AND period = $2 AND start_ms >= $3 GROUP BY start_ms, bucket")
            .bind(check.to_string())
            .bind(period.to_string())
            .bind(since_ms)
            .fetch_all(self.pool())
            .await
            .map_err(w)?;
        let mut buckets: BTreeMap<i64, Vec<(i64, i64)>> = BTreeMap::new();
        for r in &lat {
            buckets
                .entry(r.try_get("start_ms").map_err(w)?)
                .or_default()
                .push((r.try_get("bucket").map_err(w)?, r.try_get("n").map_err(w)?));
        }
        for (start, counts) in buckets {
            if let Some(row) = out.get_mut(&start) {
                row.p50_ms = quantile(&counts, 0.50);
                row.p95_ms = quantile(&counts, 0.95);
                row.p99_ms = quantile(&counts, 0.99);
            }
        }
        let codes = sqlx::query("SELECT start_ms, code, CAST(SUM(count) AS BIGINT) AS n FROM rollup_codes WHERE check_name = $1 AND period = $2 AND start_ms >= $3 GROUP BY start_ms, code")
            .bind(check.to_string())
            .bind(period.to_string())
            .bind(since_ms)
            .fetch_all(self.pool())
            .await
            .map_err(w)?;
        for r in &codes {
            let start: i64 = r.try_get("start_ms").map_err(w)?;
            if let Some(row) = out.get_mut(&start) {
                row.codes
                    .insert(r.try_get("code").map_err(w)?, r.try_get("n").map_err(w)?);
            }
        }
        Ok(out.into_values().collect())
    }
}
