//! Prometheus metrics, named as blackbox_exporter names them so existing dashboards work, plus the
//! failure code: `probe_failure_info{code,name,category} 1` while a check fails.
//!
//! Every `probe_*` series has `suite`, `check`, `url` and `location` labels (not `instance`: one
//! monitor serves many targets).

use apiprobe_catalog::Report;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::Mutex;

/// The labels of every `probe_*` series.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ProbeLabels {
    /// The suite's name.
    pub suite: String,
    /// The check's name.
    pub check: String,
    /// The check's URL.
    pub url: String,
    /// Where the monitor runs.
    pub location: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PhaseLabels {
    suite: String,
    check: String,
    url: String,
    location: String,
    phase: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FailureLabels {
    suite: String,
    check: String,
    url: String,
    location: String,
    code: String,
    name: String,
    category: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RunLabels {
    check: String,
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FailureCountLabels {
    check: String,
    code: String,
    category: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CheckLabel {
    check: String,
}

type FGauge = Gauge<f64, AtomicU64>;

fn duration_histogram() -> Histogram {
    Histogram::new([
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
    ])
}

/// The registry and every family the monitor updates.
pub struct Metrics {
    registry: Registry,
    success: Family<ProbeLabels, Gauge>,
    duration: Family<ProbeLabels, FGauge>,
    status: Family<ProbeLabels, Gauge>,
    phase: Family<PhaseLabels, FGauge>,
    dns: Family<ProbeLabels, FGauge>,
    cert_expiry: Family<ProbeLabels, FGauge>,
    failure_info: Family<FailureLabels, Gauge>,
    runs: Family<RunLabels, Counter>,
    failures: Family<FailureCountLabels, Counter>,
    run_duration: Family<CheckLabel, Histogram, fn() -> Histogram>,
    /// The failure series each check shows now, so it goes when the check passes or the code changes.
    failing: Mutex<HashMap<ProbeLabels, FailureLabels>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// A registry with every family registered.
    pub fn new() -> Metrics {
        let mut registry = Registry::default();
        let m = Metrics {
            registry: Registry::default(),
            success: Family::default(),
            duration: Family::default(),
            status: Family::default(),
            phase: Family::default(),
            dns: Family::default(),
            cert_expiry: Family::default(),
            failure_info: Family::default(),
            runs: Family::default(),
            failures: Family::default(),
            run_duration: Family::new_with_constructor(duration_histogram),
            failing: Mutex::new(HashMap::new()),
        };
        registry.register(
            "probe_success",
            "Whether the last run of the check passed",
            m.success.clone(),
        );
        registry.register(
            "probe_duration_seconds",
            "How long the last run took",
            m.duration.clone(),
        );
        registry.register(
            "probe_http_status_code",
            "The HTTP status of the last response (0 without one)",
            m.status.clone(),
        );
        registry.register(
            "probe_http_duration_seconds",
            "Time of the last run by phase (resolve, connect, tls, processing, transfer)",
            m.phase.clone(),
        );
        registry.register(
            "probe_dns_lookup_time_seconds",
            "Name resolution time of the last run",
            m.dns.clone(),
        );
        registry.register(
            "probe_ssl_earliest_cert_expiry",
            "The notAfter of the server certificate, unix seconds",
            m.cert_expiry.clone(),
        );
        registry.register(
            "probe_failure_info",
            "1 while the check fails, labelled with the catalog code of the failure",
            m.failure_info.clone(),
        );
        registry.register(
            "apiprobe_check_runs",
            "Runs by result (success, failure)",
            m.runs.clone(),
        );
        registry.register(
            "apiprobe_check_failures",
            "Failed runs by catalog code",
            m.failures.clone(),
        );
        registry.register(
            "apiprobe_check_duration_seconds",
            "Run durations",
            m.run_duration.clone(),
        );
        Metrics { registry, ..m }
    }

    /// Records one run of a check.
    pub fn observe(&self, labels: &ProbeLabels, report: &Report) {
        let total_s = report.timings_ms.as_ref().map_or(0.0, |t| t.total) / 1000.0;
        self.success.get_or_create(labels).set(i64::from(report.ok));
        self.duration.get_or_create(labels).set(total_s);
        self.status
            .get_or_create(labels)
            .set(report.status.map_or(0, i64::from));
        if let Some(t) = &report.timings_ms {
            let ms = |v: Option<f64>| v.unwrap_or(0.0);
            let before_ttfb = ms(t.dns) + ms(t.connect) + ms(t.tls);
            let processing = t.ttfb.map_or(0.0, |f| (f - before_ttfb).max(0.0));
            let transfer = t.ttfb.map_or(0.0, |f| (t.total - f).max(0.0));
            for (phase, v) in [
                ("resolve", ms(t.dns)),
                ("connect", ms(t.connect)),
                ("tls", ms(t.tls)),
                ("processing", processing),
                ("transfer", transfer),
            ] {
                self.phase
                    .get_or_create(&PhaseLabels {
                        suite: labels.suite.clone(),
                        check: labels.check.clone(),
                        url: labels.url.clone(),
                        location: labels.location.clone(),
                        phase,
                    })
                    .set(v / 1000.0);
            }
            self.dns.get_or_create(labels).set(ms(t.dns) / 1000.0);
        }
        if let Some(expiry) = cert_expiry(report) {
            self.cert_expiry.get_or_create(labels).set(expiry as f64);
        }
        let result = if report.ok { "success" } else { "failure" };
        self.runs
            .get_or_create(&RunLabels {
                check: labels.check.clone(),
                result,
            })
            .inc();
        self.run_duration
            .get_or_create(&CheckLabel {
                check: labels.check.clone(),
            })
            .observe(total_s);
        let mut failing = self.failing.lock().unwrap_or_else(|p| p.into_inner());
        let now = (!report.ok).then(|| FailureLabels {
            suite: labels.suite.clone(),
            check: labels.check.clone(),
            url: labels.url.clone(),
            location: labels.location.clone(),
            code: report.code.clone().unwrap_or_else(|| "unknown".into()),
            name: report.name.clone().unwrap_or_default(),
            category: report
                .category
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
        });
        if let Some(f) = &now {
            self.failures
                .get_or_create(&FailureCountLabels {
                    check: f.check.clone(),
                    code: f.code.clone(),
                    category: f.category.clone(),
                })
                .inc();
        }
        let before = failing.get(labels).cloned();
        if before != now {
            if let Some(b) = before {
                self.failure_info.remove(&b);
                failing.remove(labels);
            }
            if let Some(f) = now {
                self.failure_info.get_or_create(&f).set(1);
                failing.insert(labels.clone(), f);
            }
        }
    }

    /// Drops the `probe_*` series of checks no longer in the suite (after a reload).
    pub fn retain(&self, keep: &dyn Fn(&ProbeLabels) -> bool) {
        let mut failing = self.failing.lock().unwrap_or_else(|p| p.into_inner());
        let gone: Vec<ProbeLabels> = failing.keys().filter(|l| !keep(l)).cloned().collect();
        for l in gone {
            if let Some(f) = failing.remove(&l) {
                self.failure_info.remove(&f);
            }
        }
        for fam in [&self.success, &self.status] {
            fam.clear();
        }
        for fam in [&self.duration, &self.dns, &self.cert_expiry] {
            fam.clear();
        }
        self.phase.clear();
    }

    /// The OpenMetrics text of every series.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// The certificate's notAfter as unix seconds, from the report's TLS summary.
pub fn cert_expiry(report: &Report) -> Option<i64> {
    let na = report.tls.as_ref()?.not_after.as_deref()?;
    chrono::DateTime::parse_from_rfc3339(na)
        .ok()
        .map(|t| t.timestamp())
}

/// The content type of [`Metrics::encode`].
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[cfg(test)]
mod tests {
    use super::*;
    use apiprobe_catalog::{Category, Timings, TlsSummary};

    fn labels() -> ProbeLabels {
        ProbeLabels {
            suite: "s".into(),
            check: "api".into(),
            url: "http://127.0.0.1:1/".into(),
            location: "here".into(),
        }
    }

    #[test]
    fn failure_info_follows_the_current_code() {
        let m = Metrics::new();
        let fail = |code: &str| Report {
            ok: false,
            code: Some(code.into()),
            name: Some("CONNECTION_REFUSED".into()),
            category: Some(Category::Server),
            timings_ms: Some(Timings {
                dns: Some(1.0),
                connect: Some(2.0),
                ttfb: Some(10.0),
                total: 15.0,
                ..Timings::default()
            }),
            ..Report::default()
        };
        m.observe(&labels(), &fail("PRB-1002"));
        let text = m.encode();
        assert!(text.contains("probe_success{suite=\"s\",check=\"api\",url=\"http://127.0.0.1:1/\",location=\"here\"} 0"), "{text}");
        assert!(text.contains("probe_failure_info{suite=\"s\",check=\"api\",url=\"http://127.0.0.1:1/\",location=\"here\",code=\"PRB-1002\",name=\"CONNECTION_REFUSED\",category=\"server\"} 1"), "{text}");
        assert!(text.contains("apiprobe_check_failures_total{check=\"api\",code=\"PRB-1002\",category=\"server\"} 1"), "{text}");
        assert!(text.contains("phase=\"processing\"} 0.007"), "{text}");
        assert!(text.contains("phase=\"transfer\"} 0.005"), "{text}");
        m.observe(&labels(), &fail("PRB-1001"));
        let text = m.encode();
        assert!(!text.contains("code=\"PRB-1002\",name"), "{text}");
        assert!(text.contains("code=\"PRB-1001\""), "{text}");
        let ok = Report {
            ok: true,
            status: Some(200),
            tls: Some(TlsSummary {
                not_after: Some("2030-01-01T00:00:00Z".into()),
                ..TlsSummary::default()
            }),
            ..Report::default()
        };
        m.observe(&labels(), &ok);
        let text = m.encode();
        assert!(!text.contains("probe_failure_info{"), "{text}");
        assert!(text.contains("probe_http_status_code{suite=\"s\",check=\"api\",url=\"http://127.0.0.1:1/\",location=\"here\"} 200"), "{text}");
        assert!(text.contains("probe_ssl_earliest_cert_expiry{suite=\"s\",check=\"api\",url=\"http://127.0.0.1:1/\",location=\"here\"} 1893456000"), "{text}");
        assert!(
            text.contains("apiprobe_check_runs_total{check=\"api\",result=\"success\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("apiprobe_check_duration_seconds_count{check=\"api\"} 3"),
            "{text}"
        );
        assert!(text.trim_end().ends_with("# EOF"));
    }
}
