//! Monitor suites: the suite file of `apiprobe run`, plus the keys that only make sense on a schedule.
//!
//! ```toml
//! [defaults]
//! interval = "30s"          # start to start; default 60s
//! failure_threshold = 3     # consecutive failures before the check is down
//! success_threshold = 2     # consecutive passes before it is up again
//! degraded_latency = "800ms"
//! tls_expiry_warning = [30, 7]   # days; one alert per threshold crossed
//!
//! [[check]]
//! name = "health"
//! url = "https://api.example.com/healthz"
//! interval = "10s"
//!
//! [[maintenance]]
//! cron = "0 2 * * SUN"      # or start = "...", end = "..." (RFC 3339, or local time in `timezone`)
//! duration = "1h"
//! timezone = "Europe/Berlin"
//! checks = ["health"]       # default: every check
//!
//! [[alert]]
//! kind = "slack"            # "webhook", "slack" or "alertmanager"
//! url = "${SLACK_WEBHOOK}"
//! timeout = "10s"           # per delivery; a destination that hangs is retried with backoff
//!
//! [retention]
//! max_age = "30d"
//! max_runs = 100000         # per check
//!
//! [api]
//! public_read = false       # reads need a token too; default true
//!
//! [[token]]
//! env = "MONITOR_TOKEN"     # the bearer token is this variable's value
//! access = "read-write"     # or "read"
//! ```
//!
//! The run keys are read by `apiprobe-probe`'s own suite parser, so both commands accept exactly the
//! same checks. Monitor keys are blanked out of the text it sees (line breaks kept, so its file:line
//! errors still point at the file as written) and read here from the same text.

use crate::maintenance::Maintenance;
use apiprobe_probe::{parse_duration, CheckSpec, Suite, SuiteError};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use toml::Spanned;

/// Keys a `[[check]]` or `[defaults]` table may have on top of those of `apiprobe run`.
const MONITOR_CHECK_KEYS: &[&str] = &[
    "interval",
    "failure_threshold",
    "success_threshold",
    "degraded_latency",
    "tls_expiry_warning",
];

/// Top-level tables only the monitor reads.
const MONITOR_TABLES: &[&str] = &["maintenance", "alert", "retention", "token", "api"];

/// One check with its schedule and state rules.
#[derive(Debug, Clone)]
pub struct MonitorCheck {
    /// The request and expectations, exactly as `apiprobe run` would build them.
    pub spec: CheckSpec,
    /// Start to start.
    pub interval: Duration,
    /// Consecutive failures before the check is down.
    pub failure_threshold: u32,
    /// Consecutive passes before a down or degraded check is up again.
    pub success_threshold: u32,
    /// A passing run slower than this counts as degraded.
    pub degraded_latency: Option<Duration>,
    /// Days before certificate expiry at which to warn, largest first.
    pub tls_expiry_warning: Vec<u32>,
}

impl MonitorCheck {
    /// The name runs, metrics and alerts use.
    pub fn name(&self) -> &str {
        &self.spec.name
    }
}

/// Where alerts go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertKind {
    /// A JSON POST of the whole alert.
    Webhook,
    /// A Slack incoming webhook.
    Slack,
    /// Prometheus Alertmanager, API v2 (`POST /api/v2/alerts`).
    Alertmanager,
}

impl AlertKind {
    /// As written in the suite.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::Webhook => "webhook",
            AlertKind::Slack => "slack",
            AlertKind::Alertmanager => "alertmanager",
        }
    }
}

/// One `[[alert]]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertDest {
    /// The kind of receiver.
    pub kind: AlertKind,
    /// Where to send (for Alertmanager, its base URL or the full `/api/v2/alerts` URL).
    pub url: String,
    /// Only these checks; empty means all.
    pub checks: Vec<String>,
    /// Extra request headers.
    pub headers: Vec<(String, String)>,
    /// How long one delivery may take before it counts as failed and is retried.
    pub timeout: Duration,
}

impl AlertDest {
    /// Whether alerts of `check` go here.
    pub fn covers(&self, check: &str) -> bool {
        self.checks.is_empty() || self.checks.iter().any(|c| c == check)
    }

    /// A stable key naming this destination in the alert outbox.
    pub fn key(&self) -> String {
        format!("{}:{}", self.kind.as_str(), self.url)
    }
}

/// How much history to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Runs older than this are deleted.
    pub max_age: Duration,
    /// At most this many runs per check are kept.
    pub max_runs: u64,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            max_age: Duration::from_secs(30 * 86_400),
            max_runs: 100_000,
        }
    }
}

/// A loaded monitor suite.
#[derive(Debug, Clone)]
pub struct MonitorSuite {
    /// The suite's name (the file stem), used as the `suite` metric label.
    pub name: String,
    /// The file.
    pub path: PathBuf,
    /// The checks in file order; names are unique.
    pub checks: Vec<MonitorCheck>,
    /// Maintenance windows.
    pub maintenance: Vec<Maintenance>,
    /// Alert destinations.
    pub alerts: Vec<AlertDest>,
    /// History limits.
    pub retention: Retention,
    /// Who may use the monitor API (see [`crate::web`]).
    pub api: crate::suite_api::ApiAccess,
}

#[derive(Debug, Default, Deserialize)]
struct RawMonitorKeys {
    name: Option<String>,
    interval: Option<Spanned<String>>,
    failure_threshold: Option<Spanned<i64>>,
    success_threshold: Option<Spanned<i64>>,
    degraded_latency: Option<Spanned<String>>,
    tls_expiry_warning: Option<Spanned<DaysList>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum DaysList {
    One(i64),
    Many(Vec<i64>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMaintenance {
    pub name: Option<String>,
    pub start: Option<Spanned<String>>,
    pub end: Option<Spanned<String>>,
    pub cron: Option<Spanned<String>>,
    pub duration: Option<Spanned<String>>,
    pub timezone: Option<Spanned<String>>,
    #[serde(default)]
    pub checks: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlert {
    kind: Spanned<String>,
    url: Spanned<String>,
    #[serde(default)]
    checks: Vec<Spanned<String>>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    timeout: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRetention {
    max_age: Option<Spanned<String>>,
    max_runs: Option<Spanned<i64>>,
}

/// The whole file as the monitor reads it: run keys are left to the probe parser.
#[derive(Debug, Deserialize)]
struct RawFile {
    defaults: Option<RawMonitorKeys>,
    #[serde(default)]
    check: Vec<Spanned<RawMonitorKeys>>,
    #[serde(default)]
    maintenance: Vec<Spanned<RawMaintenance>>,
    #[serde(default)]
    alert: Vec<Spanned<RawAlert>>,
    retention: Option<RawRetention>,
    #[serde(default)]
    token: Vec<Spanned<crate::suite_api::RawToken>>,
    api: Option<crate::suite_api::RawApi>,
}

/// Places an error at a byte offset of the file.
pub(crate) struct Locator<'a> {
    pub file: &'a str,
    pub text: &'a str,
}

impl Locator<'_> {
    pub(crate) fn at(&self, offset: usize, message: impl Into<String>) -> SuiteError {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        SuiteError::At {
            file: self.file.to_string(),
            line: before.matches('\n').count() + 1,
            col: before.rfind('\n').map_or(offset, |p| offset - p - 1) + 1,
            message: message.into(),
        }
    }

    fn duration(&self, s: &Spanned<String>, key: &str) -> Result<Duration, SuiteError> {
        let d = parse_duration(s.get_ref())
            .map_err(|e| self.at(s.span().start, format!("{key}: {e}")))?;
        if d.is_zero() {
            return Err(self.at(s.span().start, format!("{key} must be longer than 0s")));
        }
        Ok(d)
    }
}

/// The name of a table header line (`[[check]]` is `check`, `[alert.headers]` is `alert.headers`).
fn header_name(line: &str) -> Option<String> {
    let t = line.trim();
    if !t.starts_with('[') {
        return None;
    }
    let t = t.split('#').next().unwrap_or(t).trim();
    let inner = t.trim_start_matches('[').trim_end_matches(']').trim();
    Some(inner.to_string())
}

/// The key of a `key = value` line, without quotes.
fn line_key(line: &str) -> Option<&str> {
    let (k, _) = line.split_once('=')?;
    Some(k.trim().trim_matches('"').trim_matches('\''))
}

/// Open brackets minus closed ones outside strings, for values that continue on the next line.
fn bracket_depth(line: &str) -> i32 {
    let mut depth = 0;
    let mut quote = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '#') => break,
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth -= 1,
            _ => {}
        }
    }
    depth
}

/// The text with every monitor-only key and table replaced by blank lines.
pub(crate) fn run_keys_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut section = String::new();
    let mut continuing = 0i32;
    let mut in_multiline = false;
    for line in text.split_inclusive('\n') {
        let blank = |out: &mut String| {
            if line.ends_with('\n') {
                out.push('\n');
            }
        };
        if in_multiline {
            if line.matches("\"\"\"").count() % 2 == 1 || line.matches("'''").count() % 2 == 1 {
                in_multiline = false;
            }
            if continuing > 0 || MONITOR_TABLES.contains(&top(&section)) {
                blank(&mut out);
            } else {
                out.push_str(line);
            }
            continue;
        }
        if continuing > 0 {
            continuing += bracket_depth(line);
            blank(&mut out);
            continue;
        }
        if let Some(name) = header_name(line) {
            section = name;
        }
        let opens_multiline =
            line.matches("\"\"\"").count() % 2 == 1 || line.matches("'''").count() % 2 == 1;
        let drop = if MONITOR_TABLES.contains(&top(&section)) {
            true
        } else if section == "defaults" || section == "check" {
            line_key(line).is_some_and(|k| MONITOR_CHECK_KEYS.contains(&k))
        } else {
            false
        };
        if drop {
            continuing = bracket_depth(line).max(0);
            blank(&mut out);
        } else {
            out.push_str(line);
        }
        in_multiline = opens_multiline;
    }
    out
}

fn top(section: &str) -> &str {
    section.split('.').next().unwrap_or(section).trim()
}

/// Replaces `${NAME}` in a monitor value (alert URLs and headers) from the environment.
fn expand(
    s: &str,
    at: usize,
    loc: &Locator,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<String, SuiteError> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let end = after
            .find('}')
            .ok_or_else(|| loc.at(at, "'${' is not closed by '}'"))?;
        let name = &after[..end];
        let value = env(name).ok_or_else(|| {
            loc.at(
                at,
                format!("environment variable {name} is not set (used as ${{{name}}})"),
            )
        })?;
        out.push_str(&value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn threshold(
    v: &Option<Spanned<i64>>,
    d: &Option<Spanned<i64>>,
    default: u32,
    key: &str,
    loc: &Locator,
) -> Result<u32, SuiteError> {
    match v.as_ref().or(d.as_ref()) {
        None => Ok(default),
        Some(s) => match u32::try_from(*s.get_ref()) {
            Ok(n) if (1..=1000).contains(&n) => Ok(n),
            _ => Err(loc.at(s.span().start, format!("{key} must be between 1 and 1000"))),
        },
    }
}

impl MonitorSuite {
    /// Reads a monitor suite, with `${VAR}` from the process environment.
    pub fn load(path: &Path) -> Result<MonitorSuite, SuiteError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| SuiteError::Read {
            file: file.clone(),
            source,
        })?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut suite = MonitorSuite::parse(&text, &file, &base, &|n| std::env::var(n).ok())?;
        suite.path = path.to_path_buf();
        Ok(suite)
    }

    /// Parses suite text; `file` names it in errors, `base` is where relative paths start.
    pub fn parse(
        text: &str,
        file: &str,
        base: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<MonitorSuite, SuiteError> {
        let probe_suite = Suite::parse(&run_keys_only(text), file, base, env)?;
        let loc = Locator { file, text };
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            loc.at(
                e.span().map_or(0, |s| s.start),
                e.message().trim_end().to_string(),
            )
        })?;
        let d = raw.defaults.unwrap_or_default();
        let mut checks = Vec::with_capacity(probe_suite.len());
        let mut seen = std::collections::HashMap::new();
        for (spec, keys) in probe_suite.checks().zip(raw.check.iter()) {
            let mut spec = spec?;
            let k = keys.get_ref();
            let at = keys.span().start;
            if let Some(prev) = seen.insert(spec.name.clone(), at) {
                let (line, _) = line_of(text, prev);
                return Err(loc.at(
                    at,
                    format!(
                        "check '{}' is already defined on line {line}: names must be unique",
                        spec.name
                    ),
                ));
            }
            let interval = match k.interval.as_ref().or(d.interval.as_ref()) {
                Some(s) => loc.duration(s, "interval")?,
                None => Duration::from_secs(60),
            };
            if interval < Duration::from_secs(1) {
                let s = k.interval.as_ref().or(d.interval.as_ref());
                return Err(loc.at(
                    s.map_or(at, |s| s.span().start),
                    "interval must be at least 1s",
                ));
            }
            // A run may not outlive its slot: the next start is due then.
            spec.timeout = spec.timeout.min(interval);
            spec.connect_timeout = spec.connect_timeout.min(spec.timeout);
            let degraded_latency = k
                .degraded_latency
                .as_ref()
                .or(d.degraded_latency.as_ref())
                .map(|s| loc.duration(s, "degraded_latency"))
                .transpose()?;
            let mut tls = Vec::new();
            if let Some(s) = k
                .tls_expiry_warning
                .as_ref()
                .or(d.tls_expiry_warning.as_ref())
            {
                let days = match s.get_ref() {
                    DaysList::One(n) => vec![*n],
                    DaysList::Many(v) => v.clone(),
                };
                for n in days {
                    let n = u32::try_from(n)
                        .ok()
                        .filter(|n| (1..=3650).contains(n))
                        .ok_or_else(|| {
                            loc.at(
                                s.span().start,
                                "tls_expiry_warning: days between 1 and 3650",
                            )
                        })?;
                    tls.push(n);
                }
                tls.sort_unstable_by(|a, b| b.cmp(a));
                tls.dedup();
            }
            checks.push(MonitorCheck {
                failure_threshold: threshold(
                    &k.failure_threshold,
                    &d.failure_threshold,
                    3,
                    "failure_threshold",
                    &loc,
                )?,
                success_threshold: threshold(
                    &k.success_threshold,
                    &d.success_threshold,
                    2,
                    "success_threshold",
                    &loc,
                )?,
                spec,
                interval,
                degraded_latency,
                tls_expiry_warning: tls,
            });
            let _ = &k.name;
        }
        let names: Vec<&str> = checks.iter().map(MonitorCheck::name).collect();
        let unknown_check = |c: &Spanned<String>| -> Result<(), SuiteError> {
            if names.contains(&c.get_ref().as_str()) {
                Ok(())
            } else {
                Err(loc.at(
                    c.span().start,
                    format!("no check is named '{}'", c.get_ref()),
                ))
            }
        };
        let mut maintenance = Vec::new();
        for m in &raw.maintenance {
            for c in &m.get_ref().checks {
                if !names.contains(&c.as_str()) {
                    return Err(loc.at(
                        m.span().start,
                        format!("[[maintenance]]: no check is named '{c}'"),
                    ));
                }
            }
            maintenance.push(Maintenance::from_raw(m.get_ref(), m.span().start, &loc)?);
        }
        let mut alerts = Vec::new();
        for a in &raw.alert {
            let r = a.get_ref();
            let kind = match r.kind.get_ref().as_str() {
                "webhook" => AlertKind::Webhook,
                "slack" => AlertKind::Slack,
                "alertmanager" => AlertKind::Alertmanager,
                other => {
                    return Err(loc.at(
                        r.kind.span().start,
                        format!(
                            "kind = \"{other}\": use \"webhook\", \"slack\" or \"alertmanager\""
                        ),
                    ))
                }
            };
            let url = expand(r.url.get_ref(), r.url.span().start, &loc, env)?;
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(loc.at(
                    r.url.span().start,
                    format!("url '{url}' must start with http:// or https://"),
                ));
            }
            for c in &r.checks {
                unknown_check(c)?;
            }
            let mut headers = Vec::new();
            for (k, v) in &r.headers {
                let v = expand(v, a.span().start, &loc, env)?;
                apiprobe_probe::parse_request_header(&format!("{k}: {v}"))
                    .map_err(|e| loc.at(a.span().start, e.to_string()))?;
                headers.push((k.clone(), v));
            }
            let timeout = match &r.timeout {
                Some(t) => loc.duration(t, "timeout")?,
                None => crate::alert::sender::DELIVERY_TIMEOUT,
            };
            alerts.push(AlertDest {
                kind,
                url,
                checks: r.checks.iter().map(|c| c.get_ref().clone()).collect(),
                headers,
                timeout,
            });
        }
        let mut retention = Retention::default();
        if let Some(r) = &raw.retention {
            if let Some(s) = &r.max_age {
                retention.max_age = loc.duration(s, "max_age")?;
            }
            if let Some(n) = &r.max_runs {
                retention.max_runs = u64::try_from(*n.get_ref())
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| loc.at(n.span().start, "max_runs must be 1 or more"))?;
            }
        }
        let api = crate::suite_api::ApiAccess::from_raw(&raw.token, raw.api.as_ref(), &loc, env)?;
        let name = Path::new(file)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "suite".into());
        Ok(MonitorSuite {
            name,
            path: PathBuf::from(file),
            checks,
            maintenance,
            alerts,
            retention,
            api,
        })
    }
}

fn line_of(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    (before.matches('\n').count() + 1, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<MonitorSuite, SuiteError> {
        let env = |n: &str| (n == "HOOK").then(|| "http://127.0.0.1:9/hook".to_string());
        MonitorSuite::parse(text, "mon.toml", Path::new("."), &env)
    }

    #[test]
    fn monitor_keys_with_defaults_and_overrides() {
        let s = parse(
            "[defaults]\ninterval = \"30s\"\nfailure_threshold = 5\ntls_expiry_warning = [7, 30]\ntimeout = \"5s\"\n\n\
             [[check]]\nname = \"a\"\nurl = \"http://127.0.0.1:1/\"\ninterval = \"2s\"\ndegraded_latency = \"300ms\"\n\n\
             [[alert]]\nkind = \"webhook\"\nurl = \"${HOOK}\"\nchecks = [\n  \"a\",\n]\nheaders = { X-Key = \"k\" }\n\n\
             [[check]]\nname = \"b\"\nurl = \"http://127.0.0.1:1/b\"\nsuccess_threshold = 4\n\n\
             [retention]\nmax_age = \"7d\"\nmax_runs = 50\n",
        )
        .expect("parses");
        assert_eq!(s.name, "mon");
        assert_eq!(s.checks.len(), 2);
        let (a, b) = (&s.checks[0], &s.checks[1]);
        assert_eq!(a.interval, Duration::from_secs(2));
        // The timeout never outlives the interval.
        assert_eq!(a.spec.timeout, Duration::from_secs(2));
        assert_eq!(b.spec.timeout, Duration::from_secs(5));
        assert_eq!(b.interval, Duration::from_secs(30));
        assert_eq!((a.failure_threshold, a.success_threshold), (5, 2));
        assert_eq!(b.success_threshold, 4);
        assert_eq!(a.degraded_latency, Some(Duration::from_millis(300)));
        assert_eq!(a.tls_expiry_warning, vec![30, 7]);
        assert_eq!(s.alerts.len(), 1);
        assert_eq!(s.alerts[0].url, "http://127.0.0.1:9/hook");
        assert_eq!(s.alerts[0].checks, vec!["a".to_string()]);
        assert!(s.alerts[0].covers("a") && !s.alerts[0].covers("b"));
        assert_eq!(s.retention.max_runs, 50);
        assert_eq!(s.retention.max_age, Duration::from_secs(7 * 86_400));
    }

    #[test]
    fn defaults_apply_without_monitor_keys() {
        let s = parse("[[check]]\nurl = \"http://127.0.0.1:1/\"\n").expect("parses");
        let c = &s.checks[0];
        assert_eq!(c.interval, Duration::from_secs(60));
        assert_eq!((c.failure_threshold, c.success_threshold), (3, 2));
        assert_eq!(c.name(), "#1");
        assert!(s.alerts.is_empty() && s.maintenance.is_empty());
    }

    #[test]
    fn blanking_keeps_line_numbers_so_probe_errors_point_at_the_file() {
        let text = "[[alert]]\nkind = \"slack\"\nurl = \"http://h/\"\n[[check]]\ninterval = \"5s\"\nurl = \"http://h/\"\nexpect_stauts = 1\n";
        let blanked = run_keys_only(text);
        assert_eq!(blanked.lines().count(), text.lines().count());
        let e = parse(text).expect_err("fails");
        assert!(
            e.to_string()
                .starts_with("mon.toml:7:1: unknown field `expect_stauts`"),
            "{e}"
        );
    }

    #[test]
    fn broken_monitor_keys_name_file_and_line() {
        let cases = [
            ("[[check]]\nurl = \"http://h/\"\ninterval = \"soon\"\n", "mon.toml:3:12: interval: duration 'soon'"),
            ("[[check]]\nurl = \"http://h/\"\ninterval = \"0s\"\n", "mon.toml:3:12: interval must be longer"),
            ("[[check]]\nurl = \"http://h/\"\ninterval = \"200ms\"\n", "mon.toml:3:12: interval must be at least 1s"),
            ("[[check]]\nurl = \"http://h/\"\nfailure_threshold = 0\n", "mon.toml:3:21: failure_threshold must be between"),
            ("[[check]]\nurl = \"http://h/\"\n[[alert]]\nkind = \"pager\"\nurl = \"http://x/\"\n", "mon.toml:4:8: kind = \"pager\""),
            ("[[check]]\nurl = \"http://h/\"\n[[alert]]\nkind = \"slack\"\nurl = \"ftp://x/\"\n", "mon.toml:5:7: url 'ftp://x/'"),
            ("[[check]]\nurl = \"http://h/\"\n[[alert]]\nkind = \"slack\"\nurl = \"${NOPE}\"\n", "mon.toml:5:7: environment variable NOPE"),
            ("[[check]]\nurl = \"http://h/\"\n[[alert]]\nkind = \"slack\"\nurl = \"http://x/\"\nchecks = [\"zz\"]\n", "mon.toml:6:11: no check is named 'zz'"),
            ("[[check]]\nurl = \"http://h/\"\n[[alert]]\nkind = \"slack\"\nurll = \"http://x/\"\n", "mon.toml:5:1: unknown field `urll`"),
            ("[[check]]\nname = \"a\"\nurl = \"http://h/\"\n[[check]]\nname = \"a\"\nurl = \"http://h/\"\n", "mon.toml:4:1: check 'a' is already defined on line 1"),
            ("[[check]]\nurl = \"http://h/\"\n[retention]\nmax_runs = -1\n", "mon.toml:4:12: max_runs"),
            ("[[check]]\nurl = \"http://h/\"\ntls_expiry_warning = [0]\n", "mon.toml:3:22: tls_expiry_warning"),
        ];
        for (text, want) in cases {
            let e = parse(text).expect_err(text).to_string();
            assert!(e.starts_with(want), "{text:?}\n got: {e}\nwant: {want}");
        }
    }

    #[test]
    fn hostile_and_empty_input_is_an_error_not_a_panic() {
        for text in [
            "",
            "[[",
            "\u{0}",
            "[[check]]\nurl = \"\"\"\n[[alert]]\n",
            "[retention]\n[[check]]\n\u{feff}",
        ] {
            let _ = parse(text);
        }
        assert!(parse("").is_err());
        let big = "[[check]]\nurl = \"http://h/\"\ninterval = \"1s\"\n".repeat(20_000);
        assert_eq!(parse(&big).expect("parses").checks.len(), 20_000);
    }
}
