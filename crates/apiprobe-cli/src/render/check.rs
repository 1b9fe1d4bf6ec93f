//! Probe results for a terminal: one line per check, the failed assertions under it, and a summary.

use super::Style;
use apiprobe_catalog::{Report, Timings};
use std::collections::BTreeMap;

fn fmt_ms(v: Option<f64>) -> String {
    match v {
        None => "-".into(),
        Some(ms) if ms >= 1000.0 => format!("{:.2}s", ms / 1000.0),
        Some(ms) => format!("{ms:.1}ms"),
    }
}

/// `dns 0.1ms  connect 0.3ms  tls 4.2ms  ttfb 6.0ms  total 6.4ms`.
pub fn timings_text(t: &Timings) -> String {
    let mut parts = vec![
        format!("dns {}", fmt_ms(t.dns)),
        format!("connect {}", fmt_ms(t.connect)),
    ];
    if t.tls.is_some() {
        parts.push(format!("tls {}", fmt_ms(t.tls)));
    }
    parts.push(format!("ttfb {}", fmt_ms(t.ttfb)));
    parts.push(format!("total {}", fmt_ms(Some(t.total))));
    parts.join("  ")
}

/// One check as one line: status mark, HTTP status, code and name, name of the check, message, timings;
/// then one indented line per failed assertion.
pub fn check_line(label: Option<&str>, r: &Report, style: Style) -> String {
    let mut line = String::new();
    if r.ok {
        line.push_str(&style.good("PASS"));
    } else {
        line.push_str(&style.bad("FAIL"));
    }
    line.push(' ');
    line.push_str(&match r.status {
        Some(s) => format!("{s}"),
        None => "---".into(),
    });
    if let Some(code) = &r.code {
        line.push(' ');
        line.push_str(&style.bold(code));
    }
    if let Some(name) = r.name.as_deref().or(if r.code.is_none() {
        None
    } else {
        r.title.as_deref()
    }) {
        line.push(' ');
        match r.category {
            Some(c) if !r.ok => line.push_str(&format!("{name} ({})", style.category(c))),
            _ => line.push_str(name),
        }
    }
    if let Some(l) = label.filter(|l| !l.is_empty()) {
        line.push_str(&format!("  {}", style.bold(l)));
    }
    if let Some(m) = &r.message {
        line.push_str(&format!("  {m}"));
    }
    if let Some(p) = r.phase.filter(|_| !r.ok) {
        line.push_str(&style.dim(&format!("  [{p}]")));
    }
    if let Some(t) = &r.timings_ms {
        line.push_str(&format!("  {}", style.dim(&timings_text(t))));
    }
    line.push('\n');
    for a in r.assertions.iter().filter(|a| !a.passed) {
        line.push_str(&format!(
            "     {} {}: expected {}, got {}\n",
            style.bad("x"),
            a.kind,
            a.expected,
            a.actual.as_deref().unwrap_or("nothing")
        ));
    }
    line
}

/// Extra lines for a single `check`: where it connected, the TLS session, the API's own code, next steps.
pub fn check_details(r: &Report, style: Style) -> String {
    let mut out = String::new();
    if let Some(a) = &r.remote_addr {
        out.push_str(&format!("     {} {a}\n", style.dim("address")));
    }
    if let Some(t) = &r.tls {
        let mut parts = Vec::new();
        for v in [&t.version, &t.cipher, &t.alpn].into_iter().flatten() {
            parts.push(v.clone());
        }
        if !parts.is_empty() {
            out.push_str(&format!("     {} {}\n", style.dim("tls"), parts.join(" ")));
        }
        if let Some(s) = &t.subject {
            out.push_str(&format!(
                "     {} {s} (issuer {}, expires {})\n",
                style.dim("certificate"),
                t.issuer.as_deref().unwrap_or("?"),
                t.not_after.as_deref().unwrap_or("?")
            ));
        }
    }
    if let (Some(v), Some(c)) = (&r.vendor, &r.vendor_code) {
        out.push_str(&format!("     {} {v} {c}\n", style.dim("api code")));
    }
    if let Some(f) = &r.field {
        out.push_str(&format!("     {} {f}\n", style.dim("field")));
    }
    if !r.ok {
        if let Some(step) = r.next_steps.first() {
            out.push_str(&format!("     {} {step}\n", style.dim("next")));
        }
    }
    out
}

/// Running totals for the end-of-run summary; constant size whatever the number of checks.
#[derive(Debug, Default)]
pub struct Summary {
    passed: u64,
    failed: u64,
    by_code: BTreeMap<String, u64>,
    total_ms: f64,
    max_ms: f64,
}

impl Summary {
    /// Counts one result.
    pub fn add(&mut self, r: &Report) {
        if r.ok {
            self.passed += 1;
        } else {
            self.failed += 1;
            let key = match (&r.code, &r.name.as_ref().or(r.title.as_ref())) {
                (Some(c), Some(n)) => format!("{c} {n}"),
                (Some(c), None) => c.clone(),
                (None, Some(n)) => n.to_string(),
                (None, None) => "(no code)".into(),
            };
            *self.by_code.entry(key).or_default() += 1;
        }
        if let Some(t) = &r.timings_ms {
            self.total_ms += t.total;
            self.max_ms = self.max_ms.max(t.total);
        }
    }

    /// Whether any check failed.
    pub fn any_failed(&self) -> bool {
        self.failed > 0
    }

    /// The summary table.
    pub fn render(&self, wall_secs: f64, style: Style) -> String {
        let n = self.passed + self.failed;
        let mut out = String::new();
        out.push_str(&style.bold("RESULT   CHECKS"));
        out.push('\n');
        out.push_str(&format!("{}     {:>6}\n", style.good("pass"), self.passed));
        out.push_str(&format!("{}     {:>6}\n", style.bad("fail"), self.failed));
        for (code, count) in &self.by_code {
            out.push_str(&format!("  {count:>6}  {code}\n"));
        }
        let avg = if n > 0 { self.total_ms / n as f64 } else { 0.0 };
        let rate = if wall_secs > 0.0 {
            n as f64 / wall_secs
        } else {
            0.0
        };
        out.push_str(&style.dim(&format!(
            "{n} checks in {wall_secs:.2}s ({rate:.0}/s), latency avg {} max {}",
            fmt_ms(Some(avg)),
            fmt_ms(Some(self.max_ms))
        )));
        out.push('\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style() -> Style {
        Style::detect(crate::cli::ColorChoice::Never)
    }

    #[test]
    fn a_failing_line_shows_code_name_message_and_timings() {
        let r = Report {
            ok: false,
            code: Some("PRB-3001".into()),
            name: Some("CONNECTION_REFUSED".into()),
            category: Some(apiprobe_catalog::Category::Server),
            message: Some("connection to 127.0.0.1:1 refused".into()),
            phase: Some(apiprobe_catalog::Phase::Connect),
            timings_ms: Some(Timings {
                dns: Some(0.0),
                connect: Some(0.2),
                tls: None,
                ttfb: None,
                total: 0.3,
            }),
            ..Report::default()
        };
        assert_eq!(
            check_line(Some("api"), &r, style()),
            "FAIL --- PRB-3001 CONNECTION_REFUSED (server)  api  connection to 127.0.0.1:1 refused  [connect]  dns 0.0ms  connect 0.2ms  ttfb -  total 0.3ms\n"
        );
    }

    #[test]
    fn summary_counts_by_code() {
        let mut s = Summary::default();
        s.add(&Report {
            ok: true,
            ..Report::default()
        });
        let bad = Report {
            code: Some("503".into()),
            title: Some("Service Unavailable".into()),
            ..Report::default()
        };
        s.add(&bad);
        s.add(&bad);
        let text = s.render(1.0, style());
        assert!(text.contains("fail          2"), "{text}");
        assert!(text.contains("       2  503 Service Unavailable"), "{text}");
        assert!(s.any_failed());
    }
}
