//! Delivering the outbox: each destination in order of the alerts, retried with exponential
//! backoff (1 s doubling to 10 min) while it fails, so nothing stored is lost to a restart or an
//! outage and a hanging receiver delays only its own alerts.

use super::alertmanager;
use crate::store::{AlertRow, Store};
use crate::suite::{AlertDest, AlertKind};
use apiprobe_probe::{parse_statuses, CheckSpec, Prober};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// How long one delivery may take unless its `[[alert]]` table sets `timeout`.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// The wait before attempt `attempts + 1`.
pub fn backoff(attempts: i64) -> Duration {
    let exp = u32::try_from(attempts.clamp(0, 20)).unwrap_or(20);
    Duration::from_secs(2u64.saturating_pow(exp)).min(Duration::from_secs(600))
}

/// Sends one request body to a destination; the error is the probe's reading of what went wrong.
pub async fn deliver(
    prober: &Prober,
    dest: &AlertDest,
    body: &serde_json::Value,
) -> Result<(), String> {
    let url = match dest.kind {
        AlertKind::Alertmanager => alertmanager::endpoint(&dest.url),
        _ => dest.url.clone(),
    };
    let mut spec = CheckSpec::new(url);
    spec.name = format!("alert {}", dest.kind.as_str());
    spec.method = "POST".into();
    spec.timeout = dest.timeout;
    spec.connect_timeout = dest.timeout;
    spec.max_redirects = 0;
    spec.headers = dest.headers.clone();
    spec.set_json_body(serde_json::to_vec(body).map_err(|e| e.to_string())?);
    spec.expect.status = parse_statuses("2xx").map_err(|e| e.to_string())?;
    let report = prober.check(&spec).await;
    if report.ok {
        return Ok(());
    }
    Err(format!(
        "{}{}",
        report.code.map(|c| format!("{c} ")).unwrap_or_default(),
        report.message.unwrap_or_else(|| "delivery failed".into())
    ))
}

/// Destinations with a delivery under way.
pub type Busy = Arc<std::sync::Mutex<std::collections::HashSet<String>>>;

/// Delivers every due alert once: per destination in id order, stopping at a destination's first
/// failure (its later alerts wait, so a resolved never overtakes its firing). A destination still
/// busy from an earlier call is left alone, so a hanging receiver holds up only itself. With
/// `wait`, returns when every delivery started here is done.
pub async fn deliver_due(
    store: &Store,
    prober: &Arc<Prober>,
    dests: &[AlertDest],
    busy: &Busy,
    wait: bool,
) -> usize {
    let now = crate::store::now_ms();
    let due = match store.due_alerts(now, 500).await {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the alert outbox; will retry");
            return 0;
        }
    };
    let mut by_dest: BTreeMap<String, Vec<AlertRow>> = BTreeMap::new();
    for a in due {
        by_dest.entry(a.destination.clone()).or_default().push(a);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (key, rows) in by_dest {
        let Some(dest) = dests.iter().find(|d| d.key() == key).cloned() else {
            // The destination left the suite; its alerts stay stored, unsent.
            continue;
        };
        if !busy
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key.clone())
        {
            continue;
        }
        let (store, prober, busy) = (store.clone(), prober.clone(), busy.clone());
        tasks.spawn(async move {
            let _release = Release(busy, key);
            let mut sent = 0;
            for row in rows {
                if !store.claim_alert(row.id, crate::store::now_ms(), dest.timeout * 3).await.unwrap_or(false) {
                    continue;
                }
                let result = match serde_json::from_str::<super::Alert>(&row.payload) {
                    Ok(alert) => deliver(&prober, &dest, &alert.body(dest.kind)).await,
                    Err(e) => Err(format!("stored alert is not readable: {e}")),
                };
                let now = crate::store::now_ms();
                let failed = result.is_err();
                if let Err(e) = &result {
                    tracing::warn!(destination = %dest.kind.as_str(), url = %dest.url, attempts = row.attempts + 1, error = %e, "alert not delivered; will retry");
                } else {
                    tracing::info!(destination = %dest.kind.as_str(), id = row.id, "alert delivered");
                    sent += 1;
                }
                let next = now + i64::try_from(backoff(row.attempts).as_millis()).unwrap_or(600_000);
                if let Err(e) = store.alert_attempted(row.id, now, result, next).await {
                    tracing::warn!(error = %e, "cannot record an alert delivery");
                }
                if failed {
                    break;
                }
            }
            sent
        });
    }
    if !wait {
        tasks.detach_all();
        return 0;
    }
    let mut total = 0;
    while let Some(r) = tasks.join_next().await {
        total += r.unwrap_or(0);
    }
    total
}

/// Marks a destination free again however its delivery task ends.
struct Release(Busy, String);

impl Drop for Release {
    fn drop(&mut self) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.1);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_doubles_up_to_ten_minutes() {
        assert_eq!(super::backoff(0).as_secs(), 1);
        assert_eq!(super::backoff(3).as_secs(), 8);
        assert_eq!(super::backoff(100).as_secs(), 600);
    }
}
