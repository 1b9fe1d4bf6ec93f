//! Error lines from other tools (curl, hurl, k6, Datadog, Node, Chromium, Go, Python, Java, .NET, OpenSSL,
//! nginx, Envoy, HAProxy, blackbox_exporter) mapped to probe codes.
//!
//! The recognition patterns are data (`data/tools/<tool>.toml`, one file per tool family); the mapping from
//! a tool's own code to a probe code is the catalog's alias table (`apiprobe-catalog/data/aliases/`). This
//! module scans every line, keeps the rules that match, and answers with the most specific one: in a stack
//! trace that is the root cause, not the wrapper that reported it.

pub(crate) mod rules;

use apiprobe_catalog::{Catalog, Entry, Report};
use regex_automata::util::captures::Captures;
use rules::{Compiled, Rule, RuleSet};
use std::cell::{OnceCell, RefCell};
use std::collections::BTreeMap;

/// Longest stretch of one line that is scanned; log lines longer than this are cut (at a char boundary).
const MAX_LINE: usize = 8 * 1024;

/// Longest message quoted back in the report.
const MAX_MESSAGE: usize = 400;

/// How many matching rules besides the answer lend their facts to `details`.
const MAX_DETAIL_HITS: usize = 8;

/// One rule matching one line.
struct Hit<'r> {
    rule: &'r Rule,
    re: &'r Compiled,
    line: usize,
    /// The rule's captures on the line, taken at most once: at match time for rules whose groups always
    /// end up in the report, else only when the hit is read.
    caps: OnceCell<Option<Captures>>,
}

impl Hit<'_> {
    fn caps(&self, lines: &[&str]) -> Option<&Captures> {
        self.caps
            .get_or_init(|| {
                let mut caps = self.re.regex.create_captures();
                self.re.regex.captures(lines[self.line], &mut caps);
                caps.is_match().then_some(caps)
            })
            .as_ref()
    }

    /// A group's text, trimmed of blanks and quotes; `None` when absent or empty.
    fn group<'t>(&self, lines: &[&'t str], index: Option<usize>) -> Option<&'t str> {
        let span = self.caps(lines)?.get_group(index?)?;
        let v = lines[self.line]
            .get(span.range())?
            .trim()
            .trim_matches(['"', '\''])
            .trim();
        (!v.is_empty()).then_some(v)
    }

    /// Copies the detail groups into `out`, keeping values already there.
    fn add_details(&self, lines: &[&str], out: &mut BTreeMap<String, String>) {
        for (name, index) in &self.re.details {
            if out.contains_key(name) {
                continue;
            }
            if let Some(v) = self.group(lines, Some(*index)) {
                out.insert(name.clone(), v.to_string());
            }
        }
    }
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
}

/// Recognises the tool and condition in log text; `None` when nothing is recognised.
pub(crate) fn explain_text(catalog: &Catalog, text: &str) -> Option<Report> {
    let set = rules::rules().ok()?;
    // Batch mode sends one line at a time: no list to allocate for it.
    let one;
    let many: Vec<&str>;
    let lines: &[&str] = if text.contains('\n') {
        many = text
            .split('\n')
            .map(|l| clip(l.trim_end_matches('\r')))
            .collect();
        &many
    } else {
        one = [clip(text.trim_end_matches('\r'))];
        &one
    };
    let hits = scan(set, lines);
    if hits.is_empty() {
        return None;
    }
    // The condition comes from the most specific non-wrapper hit that the catalog can resolve; a later line
    // wins a tie, because stack traces put the root cause ("Caused by: ...") last, and on the same line the
    // earlier rule wins. Hits are tried in that order and the first that resolves is the answer.
    let mut order: Vec<usize> = (0..hits.len()).filter(|&i| !hits[i].rule.wrapper).collect();
    order.sort_by(|&a, &b| {
        let (ha, hb) = (&hits[a], &hits[b]);
        hb.rule
            .confidence
            .total_cmp(&ha.rule.confidence)
            .then(hb.line.cmp(&ha.line))
            .then(a.cmp(&b))
    });
    let best = order
        .iter()
        .find_map(|&i| resolve(catalog, &hits[i], lines).map(|r| (i, r)));
    let wrapper = hits
        .iter()
        .enumerate()
        .filter(|(_, h)| h.rule.wrapper)
        .max_by(|(_, a), (_, b)| a.rule.confidence.total_cmp(&b.rule.confidence))
        .map(|(i, _)| i);
    let (at, res) = match best {
        Some(b) => b,
        // Only an envelope was recognised: its own mapping is the answer.
        None => {
            let w = wrapper?;
            (w, resolve(catalog, &hits[w], lines)?)
        }
    };
    let hit = &hits[at];
    let rule = hit.rule;
    // Facts from other matching lines fill gaps (a host named on one line, the errno on another).
    let mut details = BTreeMap::new();
    hit.add_details(lines, &mut details);
    for (_, other) in hits
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != at)
        .take(MAX_DETAIL_HITS)
    {
        other.add_details(lines, &mut details);
    }
    let quoted = quote(lines[hit.line]);
    let mut report = Report {
        confidence: rule.confidence,
        status: res.status,
        ..Report::default()
    };
    report.set_entry(res.entry);
    report.phase = res.entry.phase;
    let mut tool = rule.tool.as_str();
    let mut vendor_code = res.code;
    report.evidence.push(format!(
        "{} line {}: {quoted}",
        display_tool(&rule.tool),
        hit.line + 1,
    ));
    report.evidence.push(res.how);
    report.message = Some(quoted);
    if let Some(w) = wrapper
        .map(|w| &hits[w])
        .filter(|w| w.rule.tool != rule.tool)
    {
        let wr = w.rule;
        tool = &wr.tool;
        let own = w
            .group(lines, w.re.code)
            .map(str::to_string)
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
    report.format = Some(tool.to_string());
    report.vendor = Some(tool.to_string());
    report.vendor_code = vendor_code;
    report.next_steps = res.entry.fixes.clone();
    report.details = details;
    Some(report)
}

/// Every (rule, line) match, in line order and, within a line, in rule order.
fn scan<'r>(set: &'r RuleSet, lines: &[&str]) -> Vec<Hit<'r>> {
    thread_local! {
        /// The candidate list, kept per thread so that a line does not allocate one.
        static CANDIDATES: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
    }
    CANDIDATES.with(|c| match c.try_borrow_mut() {
        Ok(mut candidates) => scan_with(set, lines, &mut candidates),
        // Only reachable through re-entry, which nothing here does; a fresh list keeps it correct.
        Err(_) => scan_with(set, lines, &mut Vec::new()),
    })
}

fn scan_with<'r>(set: &'r RuleSet, lines: &[&str], candidates: &mut Vec<u32>) -> Vec<Hit<'r>> {
    let mut hits = Vec::new();
    for (n, &line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        set.candidates(line, candidates);
        for &id in candidates.iter() {
            let rule = &set.rules[id as usize];
            let Some(re) = rule.compiled() else {
                continue;
            };
            let caps = OnceCell::new();
            // A rule with detail groups is read whenever it matches, so its captures are taken in the same
            // search; the others only need a yes or no here.
            if re.details.is_empty() {
                if !re.regex.is_match(line) {
                    continue;
                }
                if !re.has_groups() {
                    let _ = caps.set(None);
                }
            } else {
                let mut c = re.regex.create_captures();
                re.regex.captures(line, &mut c);
                if !c.is_match() {
                    continue;
                }
                let _ = caps.set(Some(c));
            }
            hits.push(Hit {
                rule,
                re,
                line: n,
                caps,
            });
        }
    }
    hits
}

/// Maps one hit to a catalog entry: the rule's `maps_to`, else an HTTP status in the line (the status
/// rules), else the tool's code through the alias table.
fn resolve<'c>(catalog: &'c Catalog, hit: &Hit<'_>, lines: &[&str]) -> Option<Resolved<'c>> {
    let rule = hit.rule;
    let code = hit
        .group(lines, hit.re.code)
        .map(str::to_string)
        .or_else(|| rule.code.clone());
    let status = hit
        .group(lines, hit.re.status)
        .and_then(|s| s.parse::<u16>().ok())
        .filter(|s| (100..=599).contains(s));
    let tool = display_tool(&rule.tool);
    let alias_tool = rule.alias_tool.as_deref().unwrap_or(&rule.tool);
    let (entry, how) = if let Some(name) = &rule.maps_to {
        // Rules name entries in the catalog's own spelling, so the exact lookup almost always answers;
        // `get` (any case, codes too) is the fallback without its allocations on every line.
        let entry = catalog.by_name(name).or_else(|| catalog.get(name))?;
        let said = code
            .as_deref()
            .map(|c| format!("{tool} code {c} with this text"))
            .unwrap_or_else(|| format!("this {tool} text"));
        (
            entry,
            format!("{said} means {} {}", entry.code, entry.label()),
        )
    } else if let (Some((entry, alias)), true) = (
        code.as_deref()
            .and_then(|c| catalog.by_alias(alias_tool, c)),
        rule.code_first || status.is_none(),
    ) {
        (entry, alias_sentence(alias_tool, alias, entry))
    } else if let Some(s) = status {
        // The status's catalog default, so the line gets a probe code like a bare response would.
        let entry = catalog
            .default_for_status(s)
            .or_else(|| catalog.by_status(s))?;
        (
            entry,
            format!(
                "the {tool} line carries HTTP status {s}; {} is the catalog's default for it",
                entry.label()
            ),
        )
    } else {
        return None;
    };
    Some(Resolved {
        entry,
        code,
        status,
        how,
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
        assert_eq!(r.code.as_deref(), Some("PRB-3504"));
        assert_eq!(r.name.as_deref(), Some("SERVICE_UNAVAILABLE"));
        assert_eq!(r.status, Some(503));
        for (line, name, status) in [
            ("requests.exceptions.HTTPError: 403 Client Error: Forbidden for url: https://api.example.com/v1/x", "PERMISSION_DENIED", 403),
            ("HTTPError: 403 Client Error: Forbidden", "PERMISSION_DENIED", 403),
            ("AxiosError: Request failed with status code 429", "RATE_LIMITED", 429),
            ("curl: (22) The requested URL returned error: 401", "HTTP_AUTH_ERROR", 401),
        ] {
            let r = explain(line).unwrap_or_else(|| panic!("{line}: not recognised"));
            assert_eq!(r.name.as_deref(), Some(name), "{line}");
            assert_eq!(r.status, Some(status), "{line}");
        }
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
    fn every_maps_to_names_a_catalog_entry_exactly() {
        // The exact-name lookup is the fast path; a rule spelled otherwise would pay for `get` on every
        // line, and one that names nothing would never answer.
        let set = rules::rules().expect("embedded rules parse");
        let bad: Vec<String> = set
            .rules
            .iter()
            .filter_map(|r| r.maps_to.as_deref())
            .filter(|n| Catalog::builtin().by_name(n).is_none())
            .map(str::to_string)
            .collect();
        assert!(bad.is_empty(), "maps_to without an entry: {bad:?}");
    }

    #[test]
    fn never_panics_on_long_or_odd_lines() {
        let long = "é".repeat(20_000) + " connection refused";
        let _ = explain(&long);
        let _ = explain("curl: (999999999999999999999) x");
        let _ = explain("curl: (22) The requested URL returned error: 99999");
    }
}
