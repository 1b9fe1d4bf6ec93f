//! Maintenance windows: runs inside one are recorded but neither alert nor count against uptime.
//!
//! A window is either fixed (`start` and `end`) or recurring (`cron` plus `duration`), in `timezone`
//! (an IANA name, default UTC). Fixed times are RFC 3339 (`2026-12-05T02:00:00Z`) or a local time
//! (`2026-12-05 02:00`) read in `timezone`.

use crate::suite::{Locator, RawMaintenance};
use apiprobe_probe::{parse_duration, SuiteError};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use croner::Cron;
use std::time::Duration;

/// When a window is open.
#[derive(Debug, Clone)]
pub enum Window {
    /// Once, from `start` (inclusive) to `end` (exclusive).
    Fixed {
        /// Opens.
        start: DateTime<Utc>,
        /// Closes.
        end: DateTime<Utc>,
    },
    /// At every cron occurrence in `tz`, for `duration`.
    Recurring {
        /// The schedule.
        cron: Box<Cron>,
        /// Its time zone.
        tz: Tz,
        /// How long each window lasts.
        duration: Duration,
    },
}

/// One `[[maintenance]]` table.
#[derive(Debug, Clone)]
pub struct Maintenance {
    /// A label for logs.
    pub name: String,
    /// When.
    pub window: Window,
    /// The checks it covers; empty means all.
    pub checks: Vec<String>,
}

impl Maintenance {
    /// Whether `check` is in this window at `now`.
    pub fn covers(&self, check: &str, now: DateTime<Utc>) -> bool {
        self.applies_to(check) && self.is_open(now)
    }

    /// Whether the window names `check` (or names none, so applies to every check).
    pub fn applies_to(&self, check: &str) -> bool {
        self.checks.is_empty() || self.checks.iter().any(|c| c == check)
    }

    /// Whether the window is open at `now`.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        match &self.window {
            Window::Fixed { start, end } => *start <= now && now < *end,
            Window::Recurring { cron, tz, duration } => {
                // Open when an occurrence falls in (now - duration, now].
                let Ok(d) = chrono::Duration::from_std(*duration) else {
                    return false;
                };
                let from = (now - d).with_timezone(tz);
                match cron.find_next_occurrence(&from, false) {
                    Ok(t) => t.with_timezone(&Utc) <= now,
                    Err(_) => false,
                }
            }
        }
    }

    pub(crate) fn from_raw(
        m: &RawMaintenance,
        at: usize,
        loc: &Locator,
    ) -> Result<Maintenance, SuiteError> {
        let tz: Tz = match &m.timezone {
            None => Tz::UTC,
            Some(s) => s.get_ref().parse().map_err(|_| {
                loc.at(
                    s.span().start,
                    format!(
                        "timezone '{}' is not an IANA time zone name (such as Europe/Berlin or UTC)",
                        s.get_ref()
                    ),
                )
            })?,
        };
        let time = |s: &toml::Spanned<String>| -> Result<DateTime<Utc>, SuiteError> {
            let text = s.get_ref().trim();
            if let Ok(t) = DateTime::parse_from_rfc3339(text) {
                return Ok(t.with_timezone(&Utc));
            }
            for fmt in [
                "%Y-%m-%d %H:%M",
                "%Y-%m-%dT%H:%M",
                "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%dT%H:%M:%S",
            ] {
                if let Ok(n) = NaiveDateTime::parse_from_str(text, fmt) {
                    return tz
                        .from_local_datetime(&n)
                        .earliest()
                        .map(|t| t.with_timezone(&Utc))
                        .ok_or_else(|| {
                            loc.at(s.span().start, format!("'{text}' does not exist in {tz}"))
                        });
                }
            }
            Err(loc.at(
                s.span().start,
                format!("'{text}' is not a time: use RFC 3339 (2026-12-05T02:00:00Z) or '2026-12-05 02:00'"),
            ))
        };
        let window = match (&m.start, &m.end, &m.cron, &m.duration) {
            (Some(s), Some(e), None, None) => {
                let (start, end) = (time(s)?, time(e)?);
                if end <= start {
                    return Err(loc.at(e.span().start, "end must be after start"));
                }
                Window::Fixed { start, end }
            }
            (None, None, Some(c), Some(d)) => {
                let cron = Cron::new(c.get_ref())
                    .with_seconds_optional()
                    .parse()
                    .map_err(|e| loc.at(c.span().start, format!("cron '{}': {e}", c.get_ref())))?;
                let duration = parse_duration(d.get_ref())
                    .map_err(|e| loc.at(d.span().start, format!("duration: {e}")))?;
                if duration.is_zero() || duration > Duration::from_secs(366 * 86_400) {
                    return Err(loc.at(d.span().start, "duration must be between 1s and a year"));
                }
                Window::Recurring {
                    cron: Box::new(cron),
                    tz,
                    duration,
                }
            }
            _ => {
                return Err(loc.at(
                    at,
                    "[[maintenance]] needs either start and end, or cron and duration",
                ))
            }
        };
        Ok(Maintenance {
            name: m.name.clone().unwrap_or_else(|| "maintenance".into()),
            window,
            checks: m.checks.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::MonitorSuite;
    use chrono::{TimeZone, Utc};
    use std::path::Path;

    fn suite(extra: &str) -> Result<MonitorSuite, apiprobe_probe::SuiteError> {
        let text = format!("[[check]]\nname = \"a\"\nurl = \"http://h/\"\n[[check]]\nname = \"b\"\nurl = \"http://h/\"\n{extra}");
        MonitorSuite::parse(&text, "m.toml", Path::new("."), &|_| None)
    }

    #[test]
    fn fixed_window_in_a_time_zone() {
        let s = suite("[[maintenance]]\nstart = \"2026-12-05 02:00\"\nend = \"2026-12-05 03:00\"\ntimezone = \"Europe/Berlin\"\nchecks = [\"a\"]\n")
            .expect("parses");
        let m = &s.maintenance[0];
        // 02:00 in Berlin in winter is 01:00 UTC.
        assert!(m.covers("a", Utc.with_ymd_and_hms(2026, 12, 5, 1, 30, 0).unwrap()));
        assert!(!m.covers("b", Utc.with_ymd_and_hms(2026, 12, 5, 1, 30, 0).unwrap()));
        assert!(!m.covers("a", Utc.with_ymd_and_hms(2026, 12, 5, 2, 0, 0).unwrap()));
        assert!(!m.covers("a", Utc.with_ymd_and_hms(2026, 12, 5, 0, 59, 0).unwrap()));
    }

    #[test]
    fn cron_window_with_duration() {
        let s = suite(
            "[[maintenance]]\ncron = \"0 2 * * SUN\"\nduration = \"1h\"\ntimezone = \"UTC\"\n",
        )
        .expect("parses");
        let m = &s.maintenance[0];
        // 2026-12-06 is a Sunday.
        assert!(m.covers("b", Utc.with_ymd_and_hms(2026, 12, 6, 2, 0, 0).unwrap()));
        assert!(m.covers("a", Utc.with_ymd_and_hms(2026, 12, 6, 2, 59, 59).unwrap()));
        assert!(!m.covers("a", Utc.with_ymd_and_hms(2026, 12, 6, 3, 0, 1).unwrap()));
        assert!(!m.covers("a", Utc.with_ymd_and_hms(2026, 12, 5, 2, 30, 0).unwrap()));
    }

    #[test]
    fn broken_windows_are_located() {
        let cases = [
            ("[[maintenance]]\ncron = \"61 * * * *\"\nduration = \"1h\"\n", "m.toml:8:8: cron '61 * * * *'"),
            ("[[maintenance]]\ncron = \"0 2 * * *\"\n", "m.toml:7:1: [[maintenance]] needs"),
            ("[[maintenance]]\nstart = \"tomorrow\"\nend = \"2026-01-01 00:00\"\n", "m.toml:8:9: 'tomorrow' is not a time"),
            ("[[maintenance]]\nstart = \"2026-01-02 00:00\"\nend = \"2026-01-01 00:00\"\n", "m.toml:9:7: end must be after start"),
            ("[[maintenance]]\ncron = \"0 2 * * *\"\nduration = \"1h\"\ntimezone = \"Mars/Olympus\"\n", "m.toml:10:12: timezone 'Mars/Olympus'"),
            ("[[maintenance]]\ncron = \"0 2 * * *\"\nduration = \"1h\"\nchecks = [\"zz\"]\n", "m.toml:7:1: [[maintenance]]: no check is named 'zz'"),
        ];
        for (extra, want) in cases {
            let e = suite(extra).expect_err(extra).to_string();
            assert!(e.starts_with(want), "got: {e}\nwant: {want}");
        }
    }
}
