//! Alerts: built when a check changes state after its thresholds, stored in the outbox in the same
//! transaction as the run, then delivered (with retries and backoff) by [`sender`].
//!
//! One [`Alert`] is rendered per destination kind: [`webhook`] (the alert as JSON), [`slack`] (an
//! incoming-webhook message) and [`alertmanager`] (Alertmanager's API v2).

pub mod alertmanager;
pub mod sender;
pub mod slack;
pub mod webhook;

use crate::suite::AlertKind;
use apiprobe_catalog::Catalog;
use serde::{Deserialize, Serialize};

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertTopic {
    /// The check is down.
    Down,
    /// The check is degraded (slow).
    Degraded,
    /// The server certificate expires within a warning threshold.
    TlsExpiry,
}

/// One alert, as stored in the outbox and sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// `firing` or `resolved`.
    pub status: String,
    /// What it is about.
    pub topic: AlertTopic,
    /// The suite's name.
    pub suite: String,
    /// The check.
    pub check: String,
    /// The check's URL.
    pub url: String,
    /// Where the monitor runs.
    pub location: String,
    /// The check's state now (`down`, `degraded`, `up`).
    pub state: String,
    /// Its state before.
    pub previous_state: String,
    /// The catalog code of the failure (of the last failure, when resolved).
    pub code: Option<String>,
    /// The code's name (`CONNECTION_REFUSED`).
    pub name: Option<String>,
    /// The code's title.
    pub title: Option<String>,
    /// `client`, `auth` or `server`.
    pub category: Option<String>,
    /// The probe's message.
    pub message: Option<String>,
    /// The catalog's first likely causes.
    pub causes: Vec<String>,
    /// The catalog's first fixes.
    pub fixes: Vec<String>,
    /// The code's entry page.
    pub link: Option<String>,
    /// When the problem started (RFC 3339).
    pub started_at: String,
    /// When it ended (RFC 3339), for resolved alerts.
    pub ended_at: Option<String>,
    /// Days until the certificate expires (TLS expiry alerts).
    pub days_left: Option<i64>,
}

/// The facts an alert is built from.
#[derive(Debug, Clone)]
pub struct AlertFacts<'a> {
    /// `firing` or `resolved`.
    pub firing: bool,
    /// What about.
    pub topic: AlertTopic,
    /// The suite.
    pub suite: &'a str,
    /// The check.
    pub check: &'a str,
    /// Its URL.
    pub url: &'a str,
    /// Where.
    pub location: &'a str,
    /// State now.
    pub state: &'a str,
    /// State before.
    pub previous_state: &'a str,
    /// The failure code.
    pub code: Option<String>,
    /// The probe's message.
    pub message: Option<&'a str>,
    /// Problem start (unix ms).
    pub started_ms: i64,
    /// Problem end (unix ms), when resolved.
    pub ended_ms: Option<i64>,
    /// Days left on the certificate.
    pub days_left: Option<i64>,
}

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Alert {
    /// Builds an alert, with the code's name, category, first causes and fixes from `catalog` and a
    /// link to its entry under `link_base` (the monitor's own address serves the reference).
    pub fn new(f: &AlertFacts, catalog: &Catalog, link_base: &str) -> Alert {
        let entry = f.code.as_deref().and_then(|c| catalog.get(c));
        Alert {
            status: if f.firing { "firing" } else { "resolved" }.into(),
            topic: f.topic,
            suite: f.suite.into(),
            check: f.check.into(),
            url: f.url.into(),
            location: f.location.into(),
            state: f.state.into(),
            previous_state: f.previous_state.into(),
            code: entry.map(|e| e.code.clone()).or(f.code.clone()),
            name: entry.and_then(|e| e.name.clone()),
            title: entry.map(|e| e.title.clone()),
            category: entry.map(|e| e.category.as_str().to_string()),
            message: f.message.map(str::to_string),
            causes: entry
                .map(|e| e.likely_causes.iter().take(2).cloned().collect())
                .unwrap_or_default(),
            fixes: entry
                .map(|e| e.fixes.iter().take(2).cloned().collect())
                .unwrap_or_default(),
            link: entry.map(|e| format!("{}/codes/{}", link_base.trim_end_matches('/'), e.code)),
            started_at: rfc3339(f.started_ms),
            ended_at: f.ended_ms.map(rfc3339),
            days_left: f.days_left,
        }
    }

    /// One line for logs and chat: `api is down: PRB-1002 CONNECTION_REFUSED (server): message`.
    pub fn summary(&self) -> String {
        let what = match (self.topic, self.status.as_str()) {
            (AlertTopic::TlsExpiry, _) => format!(
                "the certificate of {} expires in {} days",
                self.check,
                self.days_left.unwrap_or(0)
            ),
            (_, "resolved") => format!(
                "{} is {} again (was {})",
                self.check, self.state, self.previous_state
            ),
            _ => format!("{} is {}", self.check, self.state),
        };
        let mut s = what;
        if self.status == "firing" && self.topic == AlertTopic::Down {
            if let Some(code) = &self.code {
                s.push_str(": ");
                s.push_str(code);
                if let Some(n) = &self.name {
                    s.push(' ');
                    s.push_str(n);
                }
                if let Some(c) = &self.category {
                    s.push_str(&format!(" ({c})"));
                }
            }
            if let Some(m) = &self.message {
                s.push_str(": ");
                s.push_str(m);
            }
        }
        s
    }

    /// The request body for a destination kind.
    pub fn body(&self, kind: AlertKind) -> serde_json::Value {
        match kind {
            AlertKind::Webhook => webhook::body(self),
            AlertKind::Slack => slack::body(self),
            AlertKind::Alertmanager => alertmanager::body(self),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample(firing: bool) -> Alert {
        Alert::new(
            &AlertFacts {
                firing,
                topic: AlertTopic::Down,
                suite: "prod",
                check: "api",
                url: "http://127.0.0.1:9/",
                location: "eu",
                state: if firing { "down" } else { "up" },
                previous_state: if firing { "up" } else { "down" },
                code: Some("PRB-1002".into()),
                message: Some("connection refused by 127.0.0.1:9"),
                started_ms: 1_700_000_000_000,
                ended_ms: (!firing).then_some(1_700_000_600_000),
                days_left: None,
            },
            Catalog::builtin(),
            "http://127.0.0.1:9464/",
        )
    }

    #[test]
    fn alerts_carry_the_catalog_entry() {
        let a = sample(true);
        assert_eq!(a.code.as_deref(), Some("PRB-1002"));
        assert!(a.name.is_some() && a.category.is_some());
        assert!(!a.causes.is_empty() && !a.fixes.is_empty());
        assert_eq!(
            a.link.as_deref(),
            Some("http://127.0.0.1:9464/codes/PRB-1002")
        );
        assert_eq!(a.started_at, "2023-11-14T22:13:20Z");
        let s = a.summary();
        assert!(s.starts_with("api is down: PRB-1002 "), "{s}");
        assert!(s.ends_with("connection refused by 127.0.0.1:9"), "{s}");
        assert_eq!(sample(false).summary(), "api is up again (was down)");
    }
}
