//! The one schema of the history, for SQLite and PostgreSQL alike.
//!
//! Each migration is a list of statements written once; `{ID}` becomes the auto-increment key of the
//! backend. Integers are BIGINT and flags are 0/1 so both backends read back the same types. Times
//! are unix milliseconds (UTC).

/// Migrations in order; the number of the last applied one is kept in `schema_version`.
pub const MIGRATIONS: &[&[&str]] = &[&[
    // One row per run.
    "CREATE TABLE runs (
        id {ID},
        at_ms BIGINT NOT NULL,
        check_name TEXT NOT NULL,
        location TEXT NOT NULL,
        ok BIGINT NOT NULL,
        degraded BIGINT NOT NULL,
        maintenance BIGINT NOT NULL,
        status BIGINT,
        code TEXT,
        phase TEXT,
        dns_ms DOUBLE PRECISION,
        connect_ms DOUBLE PRECISION,
        tls_ms DOUBLE PRECISION,
        ttfb_ms DOUBLE PRECISION,
        total_ms DOUBLE PRECISION NOT NULL,
        message TEXT
    )",
    "CREATE INDEX runs_check_at ON runs (check_name, at_ms)",
    // Only failed runs have a code: the index leaves the passing ones out. Pruning by age walks
    // the ids from the oldest, so time needs no index of its own.
    "CREATE INDEX runs_code_at ON runs (code, at_ms) WHERE code IS NOT NULL",
    // State changes: up/degraded/down, and down to down when the failure code changes.
    "CREATE TABLE events (
        id {ID},
        at_ms BIGINT NOT NULL,
        check_name TEXT NOT NULL,
        location TEXT NOT NULL,
        from_state TEXT NOT NULL,
        to_state TEXT NOT NULL,
        code TEXT,
        message TEXT
    )",
    "CREATE INDEX events_check_at ON events (check_name, at_ms)",
    // The state machine of each check, so a restart neither forgets a down check nor alerts twice.
    "CREATE TABLE check_state (
        check_name TEXT NOT NULL,
        location TEXT NOT NULL,
        suite TEXT NOT NULL,
        url TEXT NOT NULL,
        health TEXT NOT NULL,
        since_ms BIGINT NOT NULL,
        code TEXT,
        message TEXT,
        fail_streak BIGINT NOT NULL,
        slow_streak BIGINT NOT NULL,
        ok_streak BIGINT NOT NULL,
        last_run_ms BIGINT NOT NULL,
        last_ok BIGINT NOT NULL,
        last_total_ms DOUBLE PRECISION,
        tls_not_after_ms BIGINT,
        tls_warned_days BIGINT NOT NULL,
        PRIMARY KEY (check_name, location)
    )",
    // Rollups per hour and per day: counts, a count per failure code, and latency buckets
    // (see `LATENCY_BUCKETS_MS`), all additive so several writers can add to one row.
    "CREATE TABLE rollups (
        check_name TEXT NOT NULL,
        location TEXT NOT NULL,
        period TEXT NOT NULL,
        start_ms BIGINT NOT NULL,
        runs BIGINT NOT NULL,
        ok BIGINT NOT NULL,
        degraded BIGINT NOT NULL,
        maintenance BIGINT NOT NULL,
        total_ms_sum DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (check_name, location, period, start_ms)
    )",
    "CREATE TABLE rollup_codes (
        check_name TEXT NOT NULL,
        location TEXT NOT NULL,
        period TEXT NOT NULL,
        start_ms BIGINT NOT NULL,
        code TEXT NOT NULL,
        count BIGINT NOT NULL,
        PRIMARY KEY (check_name, location, period, start_ms, code)
    )",
    "CREATE TABLE rollup_latency (
        check_name TEXT NOT NULL,
        location TEXT NOT NULL,
        period TEXT NOT NULL,
        start_ms BIGINT NOT NULL,
        bucket BIGINT NOT NULL,
        count BIGINT NOT NULL,
        PRIMARY KEY (check_name, location, period, start_ms, bucket)
    )",
    // The alert outbox: written in the same transaction as the run that caused it, sent after.
    "CREATE TABLE alerts (
        id {ID},
        created_ms BIGINT NOT NULL,
        check_name TEXT NOT NULL,
        location TEXT NOT NULL,
        destination TEXT NOT NULL,
        status TEXT NOT NULL,
        payload TEXT NOT NULL,
        attempts BIGINT NOT NULL,
        next_attempt_ms BIGINT NOT NULL,
        sent_ms BIGINT,
        last_error TEXT
    )",
    "CREATE INDEX alerts_due ON alerts (sent_ms, next_attempt_ms)",
    // Who runs which check, when several processes share one database and location: the owner holds
    // it until next_due_ms (its lease end); another process may take it from then on.
    "CREATE TABLE leases (
        check_name TEXT NOT NULL,
        location TEXT NOT NULL,
        next_due_ms BIGINT NOT NULL,
        owner TEXT NOT NULL,
        PRIMARY KEY (check_name, location)
    )",
], &[
    // Checks paused through the API, so a restart keeps them paused.
    "CREATE TABLE paused (
        check_name TEXT NOT NULL PRIMARY KEY,
        since_ms BIGINT NOT NULL
    )",
    // Bumped by every batch holding a run of an earlier day (UTC): rollups of past days change
    // only then, so a reader may keep past days in memory for as long as this number holds.
    "CREATE TABLE past_days (generation BIGINT NOT NULL)",
    "INSERT INTO past_days (generation) VALUES (0)",
    // Daily rollups across every check (the status page's uptime bars); the primary keys lead with
    // the check. Partial on `period = 'day'` written as a literal: the per-check reads bind the
    // period as a parameter, so the planner keeps the primary key for them (a plain
    // `(period, start_ms)` index drew them onto a scan of every hourly row). IF NOT EXISTS: earlier
    // versions created these at start-up.
    "DROP INDEX IF EXISTS rollups_period_start",
    "DROP INDEX IF EXISTS rollup_codes_period_start",
    "CREATE INDEX IF NOT EXISTS rollups_day_start ON rollups (start_ms) WHERE period = 'day'",
    "CREATE INDEX IF NOT EXISTS rollup_codes_day_start ON rollup_codes (start_ms) WHERE period = 'day'",
]];

/// Upper bounds of the latency buckets in milliseconds; the last bucket is everything slower.
pub const LATENCY_BUCKETS_MS: &[f64] = &[
    5.0, 10.0, 25.0, 50.0, 75.0, 100.0, 150.0, 200.0, 300.0, 400.0, 500.0, 750.0, 1000.0, 1500.0,
    2000.0, 3000.0, 5000.0, 7500.0, 10000.0, 15000.0, 30000.0, 60000.0,
];

/// The bucket of a latency.
pub fn latency_bucket(ms: f64) -> i64 {
    LATENCY_BUCKETS_MS
        .iter()
        .position(|b| ms <= *b)
        .unwrap_or(LATENCY_BUCKETS_MS.len()) as i64
}

/// The latency at quantile `q` (0..1) from bucket counts, interpolated inside its bucket.
pub fn quantile(counts: &[(i64, i64)], q: f64) -> Option<f64> {
    let total: i64 = counts.iter().map(|(_, c)| *c).sum();
    if total <= 0 {
        return None;
    }
    let mut sorted: Vec<(i64, i64)> = counts.to_vec();
    sorted.sort_unstable();
    let rank = q.clamp(0.0, 1.0) * total as f64;
    let mut seen = 0i64;
    for (bucket, count) in sorted {
        if count <= 0 {
            continue;
        }
        let b = usize::try_from(bucket).unwrap_or(0);
        let lo = if b == 0 {
            0.0
        } else {
            LATENCY_BUCKETS_MS.get(b - 1).copied().unwrap_or(60000.0)
        };
        let hi = LATENCY_BUCKETS_MS.get(b).copied().unwrap_or(lo * 2.0);
        if (seen + count) as f64 >= rank {
            let within = (rank - seen as f64) / count as f64;
            return Some(lo + (hi - lo) * within.clamp(0.0, 1.0));
        }
        seen += count;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_and_quantiles() {
        assert_eq!(latency_bucket(0.3), 0);
        assert_eq!(latency_bucket(5.0), 0);
        assert_eq!(latency_bucket(5.1), 1);
        assert_eq!(latency_bucket(1e9), LATENCY_BUCKETS_MS.len() as i64);
        // 90 runs at ~40 ms, 10 at ~900 ms.
        let counts = [(latency_bucket(40.0), 90), (latency_bucket(900.0), 10)];
        let p50 = quantile(&counts, 0.5).expect("p50");
        assert!((25.0..=50.0).contains(&p50), "{p50}");
        let p95 = quantile(&counts, 0.95).expect("p95");
        assert!((750.0..=1000.0).contains(&p95), "{p95}");
        assert_eq!(quantile(&[], 0.5), None);
    }
}
