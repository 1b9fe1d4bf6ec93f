//! Prometheus Alertmanager, API v2: `POST /api/v2/alerts` with one postable alert.
//!
//! The labels identify the problem (a resolved alert must carry the same labels as its firing one,
//! so the failure code, which may change while a check is down, is an annotation); routing,
//! grouping and silencing stay in Alertmanager.

use super::{Alert, AlertTopic};

/// How long a firing alert stands in Alertmanager without its resolved message.
pub const FIRING_DAYS: i64 = 7;

/// The alerts endpoint for a configured URL: a base URL gets `/api/v2/alerts` appended.
pub fn endpoint(url: &str) -> String {
    if url.trim_end_matches('/').ends_with("/api/v2/alerts") {
        url.to_string()
    } else {
        format!("{}/api/v2/alerts", url.trim_end_matches('/'))
    }
}

/// The request body: a list with one alert.
pub fn body(alert: &Alert) -> serde_json::Value {
    let (alertname, severity) = match alert.topic {
        AlertTopic::Down => ("ApiprobeCheckDown", "critical"),
        AlertTopic::Degraded => ("ApiprobeCheckDegraded", "warning"),
        AlertTopic::TlsExpiry => ("ApiprobeCertificateExpiry", "warning"),
    };
    let mut labels = serde_json::json!({
        "alertname": alertname,
        "severity": severity,
        "suite": alert.suite,
        "check": alert.check,
        "location": alert.location,
    });
    if alert.topic == AlertTopic::TlsExpiry {
        labels["days"] = serde_json::json!(alert.days_left.unwrap_or(0).to_string());
    }
    let mut annotations = serde_json::json!({
        "summary": alert.summary(),
        "url": alert.url,
    });
    for (k, v) in [
        ("code", &alert.code),
        ("name", &alert.name),
        ("category", &alert.category),
        ("message", &alert.message),
        ("runbook_url", &alert.link),
    ] {
        if let Some(v) = v {
            annotations[k] = serde_json::json!(v);
        }
    }
    if let Some(c) = alert.causes.first() {
        annotations["cause"] = serde_json::json!(c);
    }
    if let Some(f) = alert.fixes.first() {
        annotations["fix"] = serde_json::json!(f);
    }
    let mut a = serde_json::json!({
        "labels": labels,
        "annotations": annotations,
        "startsAt": alert.started_at,
    });
    if let Some(link) = &alert.link {
        a["generatorURL"] = serde_json::json!(link);
    }
    // Without endsAt, Alertmanager resolves an alert that is not re-sent within its
    // resolve_timeout; a firing alert is sent once, so it says how long it may stand.
    let ends = alert.ended_at.clone().or_else(|| {
        chrono::DateTime::parse_from_rfc3339(&alert.started_at)
            .ok()
            .map(|t| {
                (t + chrono::Duration::days(FIRING_DAYS))
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            })
    });
    if let Some(end) = ends {
        a["endsAt"] = serde_json::json!(end);
    }
    serde_json::json!([a])
}

#[cfg(test)]
mod tests {
    #[test]
    fn postable_alerts_with_matching_labels() {
        let firing = super::body(&super::super::tests::sample(true));
        let resolved = super::body(&super::super::tests::sample(false));
        assert_eq!(firing[0]["labels"], resolved[0]["labels"]);
        assert_eq!(firing[0]["labels"]["alertname"], "ApiprobeCheckDown");
        assert_eq!(firing[0]["annotations"]["code"], "PRB-1002");
        assert_eq!(firing[0]["endsAt"], "2023-11-21T22:13:20Z");
        assert_eq!(resolved[0]["endsAt"], "2023-11-14T22:23:20Z");
        assert_eq!(
            super::endpoint("http://127.0.0.1:9093/"),
            "http://127.0.0.1:9093/api/v2/alerts"
        );
        assert_eq!(
            super::endpoint("http://h/api/v2/alerts"),
            "http://h/api/v2/alerts"
        );
    }
}
