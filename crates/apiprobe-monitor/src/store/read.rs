//! Reading the history: what the status page and the monitor API show.

use super::schema::quantile;
use super::{EventRecord, RunRecord, StateRecord, Store, StoreError};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::BTreeMap;

/// One stored run: its id and the run as written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunRow {
    /// Its id (the cursor of [`RunPage`]).
    pub id: i64,
    /// The run.
    #[serde(flatten)]
    pub run: RunRecord,
}

/// A stored run reads as the run it stores: `row.at_ms`, `row.code`.
impl std::ops::Deref for RunRow {
    type Target = RunRecord;

    fn deref(&self) -> &RunRecord {
        &self.run
    }
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
        run: RunRecord {
            at_ms: r.try_get("at_ms")?,
            check: r.try_get("check_name")?,
            location: r.try_get("location")?,
            ok: flag(r, "ok")?,
            degraded: flag(r, "degraded")?,
            maintenance: flag(r, "maintenance")?,
            // Written from a u16; anything else in the column is not a status.
            status: r
                .try_get::<Option<i64>, _>("status")?
                .and_then(|s| u16::try_from(s).ok()),
            code: r.try_get("code")?,
            phase: r.try_get("phase")?,
            dns_ms: r.try_get("dns_ms")?,
            connect_ms: r.try_get("connect_ms")?,
            tls_ms: r.try_get("tls_ms")?,
            ttfb_ms: r.try_get("ttfb_ms")?,
            total_ms: r.try_get("total_ms")?,
            message: r.try_get("message")?,
        },
    })
}

fn state_record(r: &AnyRow) -> Result<StateRecord, sqlx::Error> {
    let n = |c: &str| -> Result<u32, sqlx::Error> {
        Ok(u32::try_from(r.try_get::<i64, _>(c)?).unwrap_or(0))
    };
    Ok(StateRecord {
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
}

impl Store {
    /// The current state of every check, by check then location.
    pub async fn states(&self) -> Result<Vec<StateRecord>, StoreError> {
        let q = sqlx::query("SELECT * FROM check_state ORDER BY check_name, location");
        self.fetch(q, state_record).await
    }

    /// The current state of one check at every location.
    pub async fn state(&self, check: &str) -> Result<Vec<StateRecord>, StoreError> {
        let q = sqlx::query("SELECT * FROM check_state WHERE check_name = $1 ORDER BY location")
            .bind(check.to_string());
        self.fetch(q, state_record).await
    }

    /// The state machine of each check at `location`, to resume after a restart.
    pub async fn saved_states(&self, location: &str) -> Result<Vec<StateRecord>, StoreError> {
        let q =
            sqlx::query("SELECT * FROM check_state WHERE location = $1").bind(location.to_string());
        self.fetch(q, state_record).await
    }

    /// A number that changes whenever rollups of an earlier day (UTC) do: past days read while it
    /// holds are still current.
    pub async fn past_days_generation(&self) -> Result<i64, StoreError> {
        let w = |e| self.wrap(e);
        let row = sqlx::query("SELECT MAX(generation) AS g FROM past_days")
            .fetch_one(self.pool())
            .await
            .map_err(w)?;
        Ok(row.try_get::<Option<i64>, _>("g").map_err(w)?.unwrap_or(0))
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
        let mut runs = self.fetch(query.bind(limit + 1), run_row).await?;
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
    pub async fn events(&self, check: &str, limit: i64) -> Result<Vec<EventRecord>, StoreError> {
        let q = sqlx::query("SELECT at_ms, check_name, location, from_state, to_state, code, message FROM events WHERE check_name = $1 ORDER BY id DESC LIMIT $2")
            .bind(check.to_string())
            .bind(limit.clamp(1, 10_000));
        self.fetch(q, |r| {
            Ok(EventRecord {
                at_ms: r.try_get("at_ms")?,
                check: r.try_get("check_name")?,
                location: r.try_get("location")?,
                from: r.try_get("from_state")?,
                to: r.try_get("to_state")?,
                code: r.try_get("code")?,
                message: r.try_get("message")?,
            })
        })
        .await
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
        let q = sqlx::query("SELECT code, COUNT(*) AS n, MIN(at_ms) AS first_ms, MAX(at_ms) AS last_ms FROM runs WHERE check_name = $1 AND at_ms >= $2 AND ok = 0 AND code IS NOT NULL GROUP BY code ORDER BY n DESC, code")
            .bind(check.to_string())
            .bind(since_ms);
        self.fetch(q, |r| {
            Ok(CodeCount {
                code: r.try_get("code")?,
                count: r.try_get("n")?,
                first_ms: r.try_get("first_ms")?,
                last_ms: r.try_get("last_ms")?,
            })
        })
        .await
    }

    /// Hourly (`period = "hour"`) or daily (`"day"`) rollups of a check since `since_ms`, oldest
    /// first, summed over locations, with percentiles from the latency buckets.
    pub async fn rollups(
        &self,
        check: &str,
        period: &str,
        since_ms: i64,
    ) -> Result<Vec<RollupRow>, StoreError> {
        let q = |sql| {
            sqlx::query(sql)
                .bind(check.to_string())
                .bind(period.to_string())
                .bind(since_ms)
        };
        let rows = self.fetch(q("SELECT start_ms, CAST(SUM(runs) AS BIGINT) AS runs, CAST(SUM(ok) AS BIGINT) AS ok, CAST(SUM(degraded) AS BIGINT) AS degraded, CAST(SUM(maintenance) AS BIGINT) AS maintenance, SUM(total_ms_sum) AS total FROM rollups WHERE check_name = $1 AND period = $2 AND start_ms >= $3 GROUP BY start_ms ORDER BY start_ms"), |r| {
            let runs: i64 = r.try_get("runs")?;
            let total: f64 = r.try_get("total")?;
            Ok(RollupRow {
                start_ms: r.try_get("start_ms")?,
                runs,
                ok: r.try_get("ok")?,
                degraded: r.try_get("degraded")?,
                maintenance: r.try_get("maintenance")?,
                mean_ms: (runs > 0).then(|| total / runs as f64),
                p50_ms: None,
                p95_ms: None,
                p99_ms: None,
                codes: BTreeMap::new(),
            })
        }).await?;
        let mut out: BTreeMap<i64, RollupRow> = rows.into_iter().map(|r| (r.start_ms, r)).collect();
        let lat = self.fetch(q("SELECT start_ms, bucket, CAST(SUM(count) AS BIGINT) AS n FROM rollup_latency WHERE check_name = $1 AND period = $2 AND start_ms >= $3 GROUP BY start_ms, bucket"), |r| {
            Ok((r.try_get::<i64, _>("start_ms")?, (r.try_get::<i64, _>("bucket")?, r.try_get::<i64, _>("n")?)))
        }).await?;
        let mut buckets: BTreeMap<i64, Vec<(i64, i64)>> = BTreeMap::new();
        for (start, count) in lat {
            buckets.entry(start).or_default().push(count);
        }
        for (start, counts) in buckets {
            if let Some(row) = out.get_mut(&start) {
                row.p50_ms = quantile(&counts, 0.50);
                row.p95_ms = quantile(&counts, 0.95);
                row.p99_ms = quantile(&counts, 0.99);
            }
        }
        let codes = self.fetch(q("SELECT start_ms, code, CAST(SUM(count) AS BIGINT) AS n FROM rollup_codes WHERE check_name = $1 AND period = $2 AND start_ms >= $3 GROUP BY start_ms, code"), |r| {
            Ok((r.try_get::<i64, _>("start_ms")?, r.try_get::<String, _>("code")?, r.try_get::<i64, _>("n")?))
        }).await?;
        for (start, code, n) in codes {
            if let Some(row) = out.get_mut(&start) {
                row.codes.insert(code, n);
            }
        }
        Ok(out.into_values().collect())
    }
}
