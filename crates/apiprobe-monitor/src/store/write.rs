//! Writing: one batch of runs with the state changes, rollups and alerts they caused, in one
//! transaction; the alert outbox; pruning in small steps.

use super::schema::latency_bucket;
use super::{placeholders, Backend, Store, StoreError};
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, Executor, Row};
use std::collections::BTreeMap;

/// One run as stored (and, with its id, as read back: [`super::RunRow`]).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct RunRecord {
    /// When it started (unix ms).
    pub at_ms: i64,
    /// The check.
    pub check: String,
    /// Where it ran from.
    pub location: String,
    /// Passed.
    pub ok: bool,
    /// Passed, slower than `degraded_latency`.
    pub degraded: bool,
    /// Ran in a maintenance window.
    pub maintenance: bool,
    /// The HTTP status, when a response came.
    pub status: Option<u16>,
    /// The failure code.
    pub code: Option<String>,
    /// The phase the failure arose in.
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

/// A state change as stored and as read back.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EventRecord {
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

/// The state machine of one check after a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct StateRecord {
    /// The check.
    pub check: String,
    /// Where.
    pub location: String,
    /// The suite's name.
    pub suite: String,
    /// The check's URL.
    pub url: String,
    /// `up`, `degraded`, `down`, `unknown`.
    pub health: String,
    /// Since when (unix ms).
    pub since_ms: i64,
    /// The failure code while down.
    pub code: Option<String>,
    /// The last run's message.
    pub message: Option<String>,
    /// Consecutive failures.
    pub fail_streak: u32,
    /// Consecutive slow passes.
    pub slow_streak: u32,
    /// Consecutive fast passes.
    pub ok_streak: u32,
    /// The last run (unix ms).
    pub last_run_ms: i64,
    /// Whether the last run passed.
    pub last_ok: bool,
    /// The last run's duration.
    pub last_total_ms: Option<f64>,
    /// The certificate's notAfter, when the check uses TLS.
    pub tls_not_after_ms: Option<i64>,
    /// The smallest `tls_expiry_warning` threshold already alerted on (0: none).
    pub tls_warned_days: u32,
}

/// An alert to put in the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAlert {
    /// When it was raised (unix ms).
    pub created_ms: i64,
    /// The check.
    pub check: String,
    /// Where.
    pub location: String,
    /// The destination key ([`crate::AlertDest::key`]).
    pub destination: String,
    /// `firing` or `resolved`.
    pub status: String,
    /// The alert as JSON (see [`crate::alert::Alert`]).
    pub payload: String,
}

/// An alert in the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRow {
    /// Its id.
    pub id: i64,
    /// The destination key.
    pub destination: String,
    /// The alert as JSON.
    pub payload: String,
    /// Attempts so far.
    pub attempts: i64,
    /// Sent (unix ms), if it was.
    pub sent_ms: Option<i64>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
}

/// What one writer flush stores.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    /// Runs.
    pub runs: Vec<RunRecord>,
    /// State changes.
    pub events: Vec<EventRecord>,
    /// The latest state of each check touched.
    pub states: Vec<StateRecord>,
    /// Alerts raised.
    pub alerts: Vec<NewAlert>,
}

impl Batch {
    /// Whether there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
            && self.events.is_empty()
            && self.states.is_empty()
            && self.alerts.is_empty()
    }
}

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 86_400_000;

/// Parameters per INSERT: well below both backends' limits, and small enough that SQLite's
/// statement preparation (which grows faster than the statement) stays cheap.
const CHUNK_PARAMS: usize = 3_000;

#[derive(Default)]
struct RollupDelta {
    runs: i64,
    ok: i64,
    degraded: i64,
    maintenance: i64,
    total_ms_sum: f64,
}

type RollupKey = (String, String, &'static str, i64);

fn b(v: bool) -> i64 {
    i64::from(v)
}

impl Store {
    /// The `VALUES` list of a multi-row INSERT: `rows` tuples of `cols` parameters. SQLite gets
    /// anonymous `?` parameters: numbered ones (`$N`, `?N`) make it look each up by name in a list,
    /// which made preparing a 2,000-row INSERT cost more than everything else the monitor does.
    fn values(&self, rows: usize, cols: usize) -> String {
        if self.backend() == Backend::Postgres {
            return (0..rows)
                .map(|i| placeholders(i * cols + 1, cols))
                .collect::<Vec<_>>()
                .join(", ");
        }
        let mut tuple = String::from("(?");
        for _ in 1..cols {
            tuple.push_str(", ?");
        }
        tuple.push(')');
        vec![tuple; rows].join(", ")
    }

    /// Writes a batch in one transaction.
    pub async fn write_batch(&self, batch: &Batch) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        self.ensure_file().await?;
        self.write_batch_inner(batch)
            .await
            .map_err(|e| self.wrap(e))
    }

    async fn write_batch_inner(&self, batch: &Batch) -> Result<(), sqlx::Error> {
        let mut conn = self.pool().acquire().await?;
        let result = self.write_on(&mut conn, batch).await;
        if result.is_err() {
            // A connection whose write failed half-way (a full disk, an I/O error) can stay broken
            // after the cause is gone: it is closed, and the retry gets a fresh one.
            conn.close_on_drop();
        }
        result
    }

    async fn write_on(
        &self,
        conn: &mut sqlx::pool::PoolConnection<Any>,
        batch: &Batch,
    ) -> Result<(), sqlx::Error> {
        let mut tx = sqlx::Connection::begin(&mut **conn).await?;
        const RUN_COLS: usize = 15;
        for chunk in batch.runs.chunks(CHUNK_PARAMS / RUN_COLS) {
            let mut sql = String::from(
                "INSERT INTO runs (at_ms, check_name, location, ok, degraded, maintenance, status, code, phase, dns_ms, connect_ms, tls_ms, ttfb_ms, total_ms, message) VALUES ",
            );
            sql.push_str(&self.values(chunk.len(), RUN_COLS));
            let mut q = sqlx::query(&sql);
            for r in chunk {
                q = q
                    .bind(r.at_ms)
                    .bind(r.check.clone())
                    .bind(r.location.clone())
                    .bind(b(r.ok))
                    .bind(b(r.degraded))
                    .bind(b(r.maintenance))
                    .bind(r.status.map(i64::from))
                    .bind(r.code.clone())
                    .bind(r.phase.clone())
                    .bind(r.dns_ms)
                    .bind(r.connect_ms)
                    .bind(r.tls_ms)
                    .bind(r.ttfb_ms)
                    .bind(r.total_ms)
                    .bind(r.message.clone());
            }
            q.execute(&mut *tx).await?;
        }
        // Rollups: summed here so each key appears once per statement, added to the stored rows.
        let mut rollups: BTreeMap<RollupKey, RollupDelta> = BTreeMap::new();
        let mut codes: BTreeMap<(RollupKey, String), i64> = BTreeMap::new();
        let mut latency: BTreeMap<(RollupKey, i64), i64> = BTreeMap::new();
        for r in &batch.runs {
            for (period, len) in [("hour", HOUR_MS), ("day", DAY_MS)] {
                let key = (
                    r.check.clone(),
                    r.location.clone(),
                    period,
                    r.at_ms - r.at_ms.rem_euclid(len),
                );
                let d = rollups.entry(key.clone()).or_default();
                d.runs += 1;
                d.maintenance += b(r.maintenance);
                // Maintenance runs count neither for nor against uptime.
                d.ok += b(r.ok && !r.maintenance);
                d.degraded += b(r.degraded);
                d.total_ms_sum += r.total_ms;
                if !r.ok {
                    if let Some(c) = &r.code {
                        *codes.entry((key.clone(), c.clone())).or_default() += 1;
                    }
                }
                *latency
                    .entry((key, latency_bucket(r.total_ms)))
                    .or_default() += 1;
            }
        }
        let rows: Vec<_> = rollups.into_iter().collect();
        for chunk in rows.chunks(CHUNK_PARAMS / 9) {
            let mut sql = String::from(
                "INSERT INTO rollups (check_name, location, period, start_ms, runs, ok, degraded, maintenance, total_ms_sum) VALUES ",
            );
            sql.push_str(&self.values(chunk.len(), 9));
            sql.push_str(
                " ON CONFLICT (check_name, location, period, start_ms) DO UPDATE SET runs = rollups.runs + excluded.runs, ok = rollups.ok + excluded.ok, degraded = rollups.degraded + excluded.degraded, maintenance = rollups.maintenance + excluded.maintenance, total_ms_sum = rollups.total_ms_sum + excluded.total_ms_sum",
            );
            let mut q = sqlx::query(&sql);
            for ((check, loc, period, start), d) in chunk {
                q = q
                    .bind(check.clone())
                    .bind(loc.clone())
                    .bind(*period)
                    .bind(*start)
                    .bind(d.runs)
                    .bind(d.ok)
                    .bind(d.degraded)
                    .bind(d.maintenance)
                    .bind(d.total_ms_sum);
            }
            q.execute(&mut *tx).await?;
        }
        let code_rows: Vec<_> = codes.into_iter().map(|((k, c), n)| (k, c, n)).collect();
        for chunk in code_rows.chunks(CHUNK_PARAMS / 6) {
            let mut q_sql = String::from(
                "INSERT INTO rollup_codes (check_name, location, period, start_ms, code, count) VALUES ",
            );
            q_sql.push_str(&self.values(chunk.len(), 6));
            q_sql.push_str(" ON CONFLICT (check_name, location, period, start_ms, code) DO UPDATE SET count = rollup_codes.count + excluded.count");
            let mut q = sqlx::query(&q_sql);
            for ((check, loc, period, start), code, n) in chunk {
                q = q
                    .bind(check.clone())
                    .bind(loc.clone())
                    .bind(*period)
                    .bind(*start)
                    .bind(code.clone())
                    .bind(*n);
            }
            q.execute(&mut *tx).await?;
        }
        let lat_rows: Vec<_> = latency.into_iter().collect();
        for chunk in lat_rows.chunks(CHUNK_PARAMS / 6) {
            let mut q_sql = String::from(
                "INSERT INTO rollup_latency (check_name, location, period, start_ms, bucket, count) VALUES ",
            );
            q_sql.push_str(&self.values(chunk.len(), 6));
            q_sql.push_str(" ON CONFLICT (check_name, location, period, start_ms, bucket) DO UPDATE SET count = rollup_latency.count + excluded.count");
            let mut q = sqlx::query(&q_sql);
            for (((check, loc, period, start), bucket), n) in chunk {
                q = q
                    .bind(check.clone())
                    .bind(loc.clone())
                    .bind(*period)
                    .bind(*start)
                    .bind(*bucket)
                    .bind(*n);
            }
            q.execute(&mut *tx).await?;
        }
        // Rollups of an earlier day changed: readers that keep past days must read them again.
        let today = now_ms() - now_ms().rem_euclid(DAY_MS);
        if batch.runs.iter().any(|r| r.at_ms < today) {
            tx.execute("UPDATE past_days SET generation = generation + 1")
                .await?;
        }
        for e in &batch.events {
            sqlx::query("INSERT INTO events (at_ms, check_name, location, from_state, to_state, code, message) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(e.at_ms)
                .bind(e.check.clone())
                .bind(e.location.clone())
                .bind(e.from.clone())
                .bind(e.to.clone())
                .bind(e.code.clone())
                .bind(e.message.clone())
                .execute(&mut *tx)
                .await?;
        }
        const STATE_COLS: usize = 16;
        for chunk in batch.states.chunks(CHUNK_PARAMS / STATE_COLS) {
            let mut sql = String::from(
                "INSERT INTO check_state (check_name, location, suite, url, health, since_ms, code, message, fail_streak, slow_streak, ok_streak, last_run_ms, last_ok, last_total_ms, tls_not_after_ms, tls_warned_days) VALUES ",
            );
            sql.push_str(&self.values(chunk.len(), STATE_COLS));
            sql.push_str(" ON CONFLICT (check_name, location) DO UPDATE SET suite = excluded.suite, url = excluded.url, health = excluded.health, since_ms = excluded.since_ms, code = excluded.code, message = excluded.message, fail_streak = excluded.fail_streak, slow_streak = excluded.slow_streak, ok_streak = excluded.ok_streak, last_run_ms = excluded.last_run_ms, last_ok = excluded.last_ok, last_total_ms = excluded.last_total_ms, tls_not_after_ms = excluded.tls_not_after_ms, tls_warned_days = excluded.tls_warned_days");
            let mut q: Query<'_, Any, AnyArguments<'_>> = sqlx::query(&sql);
            for s in chunk {
                q = q
                    .bind(s.check.clone())
                    .bind(s.location.clone())
                    .bind(s.suite.clone())
                    .bind(s.url.clone())
                    .bind(s.health.clone())
                    .bind(s.since_ms)
                    .bind(s.code.clone())
                    .bind(s.message.clone())
                    .bind(i64::from(s.fail_streak))
                    .bind(i64::from(s.slow_streak))
                    .bind(i64::from(s.ok_streak))
                    .bind(s.last_run_ms)
                    .bind(b(s.last_ok))
                    .bind(s.last_total_ms)
                    .bind(s.tls_not_after_ms)
                    .bind(i64::from(s.tls_warned_days));
            }
            q.execute(&mut *tx).await?;
        }
        for a in &batch.alerts {
            sqlx::query("INSERT INTO alerts (created_ms, check_name, location, destination, status, payload, attempts, next_attempt_ms) VALUES ($1, $2, $3, $4, $5, $6, 0, $1)")
                .bind(a.created_ms)
                .bind(a.check.clone())
                .bind(a.location.clone())
                .bind(a.destination.clone())
                .bind(a.status.clone())
                .bind(a.payload.clone())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await
    }

    /// Alerts not yet sent whose next attempt is due, oldest first.
    pub async fn due_alerts(&self, now_ms: i64, limit: i64) -> Result<Vec<AlertRow>, StoreError> {
        let q = sqlx::query("SELECT id, destination, payload, attempts, sent_ms, last_error FROM alerts WHERE sent_ms IS NULL AND next_attempt_ms <= $1 ORDER BY id LIMIT $2")
            .bind(now_ms)
            .bind(limit);
        self.fetch(q, alert_row).await
    }

    /// Every alert of a check, oldest first (for tests and the API).
    pub async fn alerts_of(&self, check: &str) -> Result<Vec<AlertRow>, StoreError> {
        let q = sqlx::query("SELECT id, destination, payload, attempts, sent_ms, last_error FROM alerts WHERE check_name = $1 ORDER BY id")
            .bind(check.to_string());
        self.fetch(q, alert_row).await
    }

    /// Takes an alert for delivery: true when this process may send it now (no other process
    /// holds it); it is held for `hold`, after which another attempt may take it.
    pub async fn claim_alert(
        &self,
        id: i64,
        now_ms: i64,
        hold: std::time::Duration,
    ) -> Result<bool, StoreError> {
        let until = now_ms + i64::try_from(hold.as_millis()).unwrap_or(60_000);
        let n = sqlx::query("UPDATE alerts SET next_attempt_ms = $3 WHERE id = $1 AND sent_ms IS NULL AND next_attempt_ms <= $2")
            .bind(id)
            .bind(now_ms)
            .bind(until)
            .execute(self.pool())
            .await
            .map_err(|e| self.wrap(e))?
            .rows_affected();
        Ok(n == 1)
    }

    /// Claims the run of `check` at `location` for the slot starting `slot_ms`, with a lease to
    /// `until_ms`: true for exactly one of the processes sharing the database, which then runs it.
    /// The holder of a lease renews it at each of its slots; another process gets the check only
    /// once the lease has ended, so the holder may run the slots its lease covers without asking.
    pub async fn claim_run(
        &self,
        check: &str,
        location: &str,
        slot_ms: i64,
        until_ms: i64,
        owner: &str,
    ) -> Result<bool, StoreError> {
        let n = sqlx::query("INSERT INTO leases (check_name, location, next_due_ms, owner) VALUES ($1, $2, $3, $4) ON CONFLICT (check_name, location) DO UPDATE SET next_due_ms = excluded.next_due_ms, owner = excluded.owner WHERE leases.owner = excluded.owner OR leases.next_due_ms <= $5")
            .bind(check.to_string())
            .bind(location.to_string())
            .bind(until_ms)
            .bind(owner.to_string())
            .bind(slot_ms)
            .execute(self.pool())
            .await
            .map_err(|e| self.wrap(e))?
            .rows_affected();
        Ok(n == 1)
    }

    /// Records the outcome of a delivery attempt.
    pub async fn alert_attempted(
        &self,
        id: i64,
        now_ms: i64,
        result: Result<(), String>,
        next_attempt_ms: i64,
    ) -> Result<(), StoreError> {
        let q = match result {
            Ok(()) => sqlx::query("UPDATE alerts SET attempts = attempts + 1, sent_ms = $2, last_error = NULL WHERE id = $1")
                .bind(id)
                .bind(now_ms),
            Err(e) => sqlx::query("UPDATE alerts SET attempts = attempts + 1, next_attempt_ms = $2, last_error = $3 WHERE id = $1")
                .bind(id)
                .bind(next_attempt_ms)
                .bind(e),
        };
        q.execute(self.pool()).await.map_err(|e| self.wrap(e))?;
        Ok(())
    }

    /// Deletes runs older than `cutoff_ms` and beyond `max_runs` per check, at most `step` rows per
    /// statement so the writer is never blocked for long; returns how many went. Rollups are kept
    /// (hourly ones for twice `max_age`, daily ones for 400 days).
    pub async fn prune(&self, cutoff_ms: i64, max_runs: u64, step: i64) -> Result<u64, StoreError> {
        let mut deleted = 0u64;
        let w = |e| self.wrap(e);
        loop {
            let n = sqlx::query("DELETE FROM runs WHERE id IN (SELECT id FROM runs WHERE at_ms < $1 ORDER BY id LIMIT $2)")
                .bind(cutoff_ms)
                .bind(step)
                .execute(self.pool())
                .await
                .map_err(w)?
                .rows_affected();
            deleted += n;
            if n < step as u64 {
                break;
            }
            tokio::task::yield_now().await;
        }
        let checks = sqlx::query(
            "SELECT check_name, location, COUNT(*) AS n FROM runs GROUP BY check_name, location",
        )
        .fetch_all(self.pool())
        .await
        .map_err(w)?;
        for row in checks {
            let (check, loc, n): (String, String, i64) = (
                row.try_get("check_name").map_err(w)?,
                row.try_get("location").map_err(w)?,
                row.try_get("n").map_err(w)?,
            );
            let keep = i64::try_from(max_runs).unwrap_or(i64::MAX);
            let mut excess = n - keep;
            while excess > 0 {
                let take = excess.min(step);
                let gone = sqlx::query("DELETE FROM runs WHERE id IN (SELECT id FROM runs WHERE check_name = $1 AND location = $2 ORDER BY id LIMIT $3)")
                    .bind(check.clone())
                    .bind(loc.clone())
                    .bind(take)
                    .execute(self.pool())
                    .await
                    .map_err(w)?
                    .rows_affected();
                deleted += gone;
                if gone == 0 {
                    break;
                }
                excess -= take;
                tokio::task::yield_now().await;
            }
        }
        let hour_cutoff = cutoff_ms - (self.retention_span(cutoff_ms));
        for (table, period, before) in [
            ("rollups", "hour", hour_cutoff),
            ("rollup_codes", "hour", hour_cutoff),
            ("rollup_latency", "hour", hour_cutoff),
            ("rollups", "day", cutoff_ms.min(now_ms() - 400 * DAY_MS)),
            (
                "rollup_codes",
                "day",
                cutoff_ms.min(now_ms() - 400 * DAY_MS),
            ),
            (
                "rollup_latency",
                "day",
                cutoff_ms.min(now_ms() - 400 * DAY_MS),
            ),
        ] {
            sqlx::query(&format!(
                "DELETE FROM {table} WHERE period = $1 AND start_ms < $2"
            ))
            .bind(period)
            .bind(before)
            .execute(self.pool())
            .await
            .map_err(w)?;
        }
        if self.backend() == Backend::Sqlite && deleted > 0 {
            // Give a bounded number of free pages back to the file system; never a full VACUUM.
            sqlx::query("PRAGMA incremental_vacuum(2000)")
                .execute(self.pool())
                .await
                .map_err(w)?;
        }
        Ok(deleted)
    }

    fn retention_span(&self, cutoff_ms: i64) -> i64 {
        (now_ms() - cutoff_ms).max(0)
    }
}

fn alert_row(r: &sqlx::any::AnyRow) -> Result<AlertRow, sqlx::Error> {
    Ok(AlertRow {
        id: r.try_get("id")?,
        destination: r.try_get("destination")?,
        payload: r.try_get("payload")?,
        attempts: r.try_get("attempts")?,
        sent_ms: r.try_get("sent_ms")?,
        last_error: r.try_get("last_error")?,
    })
}

/// Now, unix ms.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
