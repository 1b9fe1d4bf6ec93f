//! Error lines from other tools (curl, hurl, k6, Datadog, Node, Chromium, Go, Python, Java, .NET, OpenSSL,
//! nginx, Envoy, HAProxy, blackbox_exporter) mapped to probe codes.
//!
//! The recognition patterns are data (`data/tools/<tool>.toml`, one file per tool family); the mapping from
//! a tool's own code to a probe code is the catalog's alias table (`apiprobe-catalog/data/aliases/`). This
//! module scans every line, keeps the rules that match, and answers with the most specific one: in a stack
//! trace that is the root cause, not the wrapper that reported it.

mod rules;

use apiprobe_catalog::{Catalog, Entry, Report};
use rules::{Rule, RuleSet};
use std::collections::BTreeMap;

/// Longest stretch of one line that is scanned; log lines longer than this are cut (at a char boundary).
const MAX_LINE: usize = 8 * 1024;

/// Longest message quoted back in the report.
const MAX_MESSAGE: usize = 400;

/// Capture names that are not copied into `details`.
const RESERVED: &[&str] = &["code", "status", "message"];

/// One rule matching one line.
#[derive(Debug, Clone, Copy)]
struct Hit {
    rule: u32,
    line: usize,
}

/// What a hit resolves to in the catalog.
struct Resolved<'c> {
    entry: &'c Entry,
    /// The tool's own code (`60`, `ECONNREFUSED`), when the rule or line gives one.
    code: Option<String>,
    /// The HTTP status the line carries.
    status: Option<u16>,
    /// A sentence saying how the code was mapped.
    how: String,
    details: BTreeMap<String, String>,
}

/// Recognises the tool and condition in log text; `None` when nothing is recognised.
pub(crate) fn explain_text(catalog: &Catalog, text: &str) -> Option<Report> {
    let set = rules::rules().ok()?;
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| clip(l.trim_end_matches('\r')))
        .collect();
    let mut hits = Vec::new();
    let mut scratch = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        set.candidates(line, &mut scratch);
        for &id in &scratch {
            let rule = &set.rules[id as usize];
            if rule.regex().is_some_and(|re| re.is_match(line)) {
                hits.push(Hit { rule: id, line: n });
            }
        }
    }
    if hits.is_empty() {
        return None;
    }
    // The condition comes from the most specific non-wrapper hit that the catalog can resolve; a later line
    // wins a tie, because stack traces put the root cause ("Caused by: ...") last.
    let mut best: Option<(Hit, Resolved<'_>)> = None;
    for &hit in hits.iter().filter(|h| !set.rules[h.rule as usize].wrapper) {
        let Some(res) = resolve(catalog, set, hit, &lines) else {
            continue;
        };
        let better = match &best {
            None => true,
            Some((b, _)) => {
                let (c, bc) = (rule_of(set, hit).confidence, rule_of(set, *b).confidence);
                c > bc || (c == bc && hit.line > b.line)
            }
        };
        if better {
            best = Some((hit, res));
        }
    }
    let wrapper = hits
        .iter()
        .copied()
        .filter(|h| rule_of(set, *h).wrapper)
        .max_by(|a, b| {
            rule_of(set, *a)
                .confidence
                .total_cmp(&rule_of(set, *b).confidence)
        });
    let (hit, mut res) = match best {
        Some(b) => b,
        // Only an envelope was recognised: its own mapping is the answer.
        None => {
            let w = wrapper?;
            (w, resolve(catalog, set, w, &lines)?)
        }
    };
    let rule = rule_of(set, hit);
    // Facts from other matching lines fill gaps (a host named on one line, the errno on another).
    for &other in hits
        .iter()
        .filter(|h| h.line != hit.line || h.rule != hit.rule)
        .take(8)
    {
        for (k, v) in captures(rule_of(set, other), lines[other.line]) {
            if !RESERVED.contains(&k.as_str()) {
                res.details.entry(k).or_insert(v);
            }
        }
    }
    let mut report = Report {
        confidence: rule.confidence,
        status: res.status,
        message: Some(quote(lines[hit.line])),
        ..Report::default()
    };
    report.set_entry(res.entry);
    report.phase = res.entry.phase;
    let mut tool = rule.tool.clone();
    let mut vendor_code = res.code.clone();
    report.evidence.push(format!(
        "{} line {}: {}",
        display_tool(&rule.tool),
        hit.line + 1,
        quote(lines[hit.line])
    ));
    report.evidence.push(res.how);
    if let Some(w) = wrapper.filter(|w| rule_of(set, *w).tool != rule.tool) {
        let wr = rule_of(set, w);
        tool = wr.tool.clone();
        let own = captures(wr, lines[w.line])
            .remove("code")
            .or_else(|| wr.code.clone());
        vendor_code = own
            .or_else(|| {
                res.entry
                    .aliases
                    .iter()
                    .find(|a| a.tool == wr.tool)
                    .map(|a| a.code.clone())
            })
            .or(vendor_code);
        report.evidence.push(format!(
            "the {} error is reported inside a {} log line (line {})",
            display_tool(&rule.tool),
            display_tool(&wr.tool),
            w.line + 1
        ));
    }
    report.format = Some(tool.clone());
    report.vendor = Some(tool);
    report.vendor_code = vendor_code;
    report.next_steps = res.entry.fixes.clone();
    report.details = res.details;
    Some(report)
}

fn rule_of(set: &RuleSet, hit: Hit) -> &Rule {
    &set.rules[hit.rule as usize]
}

/// Maps one hit to a catalog entry: the rule's `maps_to`, else an HTTP status in the line (the status
/// rules), else the tool's code through the alias table.
fn resolve<'c>(
    catalog: &'c Catalog,
    set: &RuleSet,
    hit: Hit,
    lines: &[&str],
) -> Option<Resolved<'c>> {
    let rule = rule_of(set, hit);
    let mut caps = captures(rule, lines[hit.line]);
    let code = caps.remove("code").or_else(|| rule.code.clone());
    let status = caps
        .remove("status")
        .and_then(|s| s.parse::<u16>().ok())
        .filter(|s| (100..=599).contains(s));
    caps.remove("message");
    let tool = display_tool(&rule.tool);
    let alias_tool = rule.alias_tool.as_deref().unwrap_or(&rule.tool);
    let by_code = code
        .as_deref()
        .and_then(|c| catalog.by_alias(alias_tool, c));
    let (entry, how) = if let Some(name) = &rule.maps_to {
        let entry = catalog.get(name)?;
        let said = code
            .as_deref()
            .map(|c| format!("{tool} code {c} with this text"))
            .unwrap_or_else(|| format!("this {tool} text"));
        (
            entry,
            format!("{said} means {} {}", entry.code, entry.label()),
        )
    } else if let (Some((entry, alias)), true) = (by_code, rule.code_first || status.is_none()) {
        (entry, alias_sentence(alias_tool, alias, entry))
    } else if let Some(s) = status {
        let entry = catalog.by_status(s)?;
        (
            entry,
            format!("the {tool} line carries HTTP status {s}; read by the status rules"),
        )
    } else {
        return None;
    };
    Some(Resolved {
        entry,
        code,
        status,
        how,
        details: caps,
    })
}

/// "curl code 60 (CURLE_PEER_FAILED_VERIFICATION) maps to PRB-3101 TLS_UNTRUSTED_CERT".
fn alias_sentence(tool: &str, alias: &apiprobe_catalog::Alias, entry: &Entry) -> String {
    let named = alias
        .name
        .as_deref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    format!(
        "{} code {}{named} maps to {} {}",
        display_tool(tool),
        alias.code,
        entry.code,
        entry.label()
    )
}

/// The named captures of a rule on a line, trimmed, empty ones dropped.
fn captures(rule: &Rule, line: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Some(re) = rule.regex() else {
        return out;
    };
    let Some(caps) = re.captures(line) else {
        return out;
    };
    for name in re.capture_names().flatten() {
        if let Some(m) = caps.name(name) {
            let v = m.as_str().trim().trim_matches(['"', '\'']).trim();
            if !v.is_empty() {
                out.insert(name.to_string(), v.to_string());
            }
        }
    }
    out
}

/// How a tool is named in sentences.
fn display_tool(tool: &str) -> &str {
    match tool {
        "text" => "log",
        "dotnet" => ".NET",
        "blackbox" => "blackbox_exporter",
        other => other,
    }
}

/// A line cut to [`MAX_LINE`] bytes at a char boundary.
fn clip(line: &str) -> &str {
    if line.len() <= MAX_LINE {
        return line;
    }
    let mut end = MAX_LINE;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    &line[..end]
}

/// A line as quoted back: trimmed and cut to [`MAX_MESSAGE`] bytes.
fn quote(line: &str) -> String {
    let t = line.trim();
    if t.len() <= MAX_MESSAGE {
        return t.to_string();
    }
    let mut end = MAX_MESSAGE;
    while !t.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &t[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn explain(text: &str) -> Option<Report> {
        explain_text(Catalog::builtin(), text)
    }

    #[test]
    fn curl_exit_code_maps_through_the_alias_table() {
        let r = explain("curl: (7) Failed to connect to localhost port 8080 after 0 ms: Couldn't connect to server")
            .expect("recognised");
        assert_eq!(r.name.as_deref(), Some("CONNECTION_REFUSED"));
        assert_eq!(r.format.as_deref(), Some("curl"));
        assert_eq!(r.vendor_code.as_deref(), Some("7"));
        assert_eq!(r.details.get("host").map(String::as_str), Some("localhost"));
        assert_eq!(r.details.get("port").map(String::as_str), Some("8080"));
        assert!(r.confidence >= 0.5);
    }

    #[test]
    fn status_in_text_goes_through_the_status_rules() {
        let r = explain("curl: (22) The requested URL returned error: 503").expect("recognised");
        assert_eq!(r.code.as_deref(), Some("503"));
        assert_eq!(r.status, Some(503));
    }

    #[test]
    fn stack_trace_answers_with_the_root_cause() {
        let trace = "Exception in thread \"main\" java.lang.RuntimeException: call failed\n\
            \tat com.acme.Client.call(Client.java:42)\n\
            Caused by: java.net.ConnectException: Connection refused\n\
            \tat java.base/sun.nio.ch.Net.connect0(Native Method)";
        let r = explain(trace).expect("recognised");
        assert_eq!(r.name.as_deref(), Some("CONNECTION_REFUSED"));
        assert_eq!(r.format.as_deref(), Some("java"));
    }

    #[test]
    fn unknown_text_is_none_or_a_low_confidence_guess() {
        assert!(explain("everything is fine, 200 OK").is_none_or(|r| r.confidence < 0.5));
        assert!(explain("").is_none());
        assert!(explain("\u{0}\u{1}\u{2}").is_none());
    }

    #[test]
    fn never_panics_on_long_or_odd_lines() {
        let long = "é".repeat(20_000) + " connection refused";
        let _ = explain(&long);
        let _ = explain("curl: (999999999999999999999) x");
        let _ = explain("curl: (22) The requested URL returned error: 99999");
    }
}
