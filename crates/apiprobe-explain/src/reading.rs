//! The reading rule as code: the status gives the class, the body decides the exact condition, headers add
//! evidence and timing, and a disagreement between status and body becomes the `conflict` sentence.

use crate::headers::{self, HeaderFacts};
use crate::table::tables;
use crate::vendor::{self, Body, Finding};
use crate::HttpResponse;
use apiprobe_catalog::{Catalog, Category, Entry, Report};
use serde_json::Value;
use std::borrow::Cow;

/// Most body bytes read; a larger body is cut here and the evidence says so. Error bodies are small: a
/// bigger one is a page or a dump, and its first megabyte says as much as the rest.
pub const MAX_BODY: usize = 1 << 20;

/// Shortens `s` to at most `max` characters on a character boundary, marking the cut.
pub(crate) fn clip(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        Some((i, _)) => Cow::Owned(format!("{}...", &s[..i])),
        None => Cow::Borrowed(s),
    }
}

/// The catalog entry a `maps_to` target names: a probe name (`RATE_LIMITED`) or a code (`PRB-1001`, `429`).
pub(crate) fn entry_for<'c>(catalog: &'c Catalog, target: &str) -> Option<&'c Entry> {
    catalog.by_name(target).or_else(|| catalog.by_code(target))
}

/// How the exact condition was decided, strongest first.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Basis {
    VendorCode,
    VendorMessage,
    Parser,
    Header,
    Keywords,
}

/// Maps a finding to a catalog entry: vendor table by code, then by message, the parser's own conclusion,
/// then generic keywords in the message.
fn resolve<'c>(
    catalog: &'c Catalog,
    f: &Finding,
    status: u16,
) -> Option<(&'c Entry, Basis, String)> {
    let t = tables();
    if let (Some(vendor), Some(reason)) = (f.vendor, f.reason.as_deref()) {
        if let Some(rule) = t.code(vendor, reason, status) {
            if let Some(e) = entry_for(catalog, &rule.maps_to) {
                return Some((
                    e,
                    Basis::VendorCode,
                    format!("{vendor} reason {reason} means {}", rule.maps_to),
                ));
            }
        }
    }
    if let (Some(vendor), Some(code)) = (f.vendor, f.vendor_code.as_deref()) {
        if let Some(rule) = t.code(vendor, code, status) {
            if let Some(e) = entry_for(catalog, &rule.maps_to) {
                return Some((
                    e,
                    Basis::VendorCode,
                    format!("{vendor} code {code} means {}", rule.maps_to),
                ));
            }
        }
    }
    if let (Some(vendor), Some(msg)) = (f.vendor, f.message.as_deref()) {
        if let Some(rule) = t.message(vendor, msg, status) {
            if let Some(e) = entry_for(catalog, &rule.maps_to) {
                return Some((
                    e,
                    Basis::VendorMessage,
                    format!("{vendor} message mentions '{}'", rule.contains),
                ));
            }
        }
    }
    if let Some(target) = f.maps_to.as_deref() {
        if let Some(e) = entry_for(catalog, target) {
            return Some((
                e,
                Basis::Parser,
                format!("{} body reads as {target}", f.format),
            ));
        }
    }
    keywords(
        catalog,
        f.message.as_deref().or(f.vendor_code.as_deref())?,
        status,
    )
    .or_else(|| keywords(catalog, f.vendor_code.as_deref()?, status))
}

/// Generic phrases (`data/vendors/generic.toml`) in a message.
fn keywords<'c>(
    catalog: &'c Catalog,
    text: &str,
    status: u16,
) -> Option<(&'c Entry, Basis, String)> {
    let rule = tables().message("generic", text, status)?;
    let e = entry_for(catalog, &rule.maps_to)?;
    Some((
        e,
        Basis::Keywords,
        format!("message mentions '{}'", rule.contains),
    ))
}

/// A body as text: lossy UTF-8, capped at [`MAX_BODY`], with notes on what was done to it.
fn body_text<'b>(body: &'b [u8], evidence: &mut Vec<String>) -> (Cow<'b, str>, bool) {
    let mut bytes = body;
    if bytes.len() > MAX_BODY {
        evidence.push(format!(
            "body is {} bytes; only the first {MAX_BODY} were read",
            bytes.len()
        ));
        bytes = &bytes[..MAX_BODY];
    }
    let head = &bytes[..bytes.len().min(512)];
    let control = head
        .iter()
        .filter(|&&c| c < 0x09 || (c > 0x0d && c < 0x20) || c == 0x7f)
        .count();
    if !head.is_empty() && control * 10 > head.len() {
        evidence.push(format!(
            "body is binary ({} bytes), not read as text",
            body.len()
        ));
        return (Cow::Borrowed(""), true);
    }
    // Valid UTF-8 (nearly every body) is checked by the fast validator; the lossy pass only on failure.
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    };
    if matches!(text, Cow::Owned(_)) {
        evidence.push("body is not valid UTF-8; invalid bytes were replaced".to_string());
    }
    (text, false)
}

/// Parses a body that looks like JSON; a failure is evidence, not an error.
fn body_json(text: &str, evidence: &mut Vec<String>) -> Option<Value> {
    let first = text.trim_start().as_bytes().first()?;
    if *first != b'{' && *first != b'[' {
        return None;
    }
    match serde_json::from_str::<Value>(text) {
        Ok(v) => Some(v),
        Err(e) if e.is_eof() => {
            evidence.push(format!(
                "body is truncated JSON (it ends at line {} column {})",
                e.line(),
                e.column()
            ));
            None
        }
        Err(e) => {
            evidence.push(format!(
                "body looks like JSON but does not parse: {}",
                clip(&e.to_string(), 120)
            ));
            None
        }
    }
}

fn lower_headers(headers: &[(String, String)]) -> Cow<'_, [(String, String)]> {
    if headers
        .iter()
        .all(|(n, _)| !n.bytes().any(|b| b.is_ascii_uppercase()))
    {
        Cow::Borrowed(headers)
    } else {
        Cow::Owned(
            headers
                .iter()
                .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
                .collect(),
        )
    }
}

/// Formats seconds for a sentence: `30`, `1.5`.
fn secs(s: f64) -> String {
    if s.fract() == 0.0 && s < 1e15 {
        format!("{}", s as u64)
    } else {
        format!("{s:.1}")
    }
}

/// Parsers whose shapes mean something only on an error status: on a 1xx-3xx they would claim any page.
const ERROR_STATUS_ONLY: &[&str] = &["html", "plain", "empty", "bearer"];

/// See [`crate::explain_response`].
pub(crate) fn explain_response(catalog: &Catalog, resp: &HttpResponse) -> Report {
    explain_parts(catalog, resp.status, &resp.headers, &resp.body, Steps::All)
}

/// Which next steps a report carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Steps {
    /// The specific steps and the catalog entry's fixes.
    All,
    /// Only the steps specific to this response (wait N s, fix field X): batch output, where the same
    /// catalog fixes repeated on every line would triple the output (`apiprobe lookup CODE` has them).
    Specific,
}

/// [`explain_response`] on borrowed parts (the batch path avoids building an [`HttpResponse`]).
pub(crate) fn explain_parts(
    catalog: &Catalog,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
    steps: Steps,
) -> Report {
    let is_error_status = status >= 400;
    let mut report = Report {
        status: Some(status),
        ..Report::default()
    };
    let mut evidence: Vec<String> = Vec::new();
    let headers = lower_headers(headers);
    let facts: HeaderFacts = headers::facts(&headers);
    if headers.len() > 1000 {
        evidence.push(format!("{} header lines", headers.len()));
    }
    let (text, binary) = body_text(body, &mut evidence);
    let json = if binary {
        None
    } else {
        body_json(&text, &mut evidence)
    };
    let body = Body {
        status,
        headers: &headers,
        text: &text,
        json: json.as_ref(),
    };

    // A binary body has no text for a parser to read: only the status and headers speak.
    let finding = vendor::PARSERS
        .iter()
        .filter(|_| !binary)
        .filter(|(name, _)| is_error_status || !ERROR_STATUS_ONLY.contains(name))
        .find_map(|(_, parse)| parse(&body));
    // The challenge header is read on its own: it can name the condition when the body does not.
    let challenge = if is_error_status {
        vendor::challenge_finding(&body)
    } else {
        None
    };

    let mut resolved = finding.as_ref().and_then(|f| resolve(catalog, f, status));
    let mut primary = finding;
    if resolved.is_none() {
        if let Some(c) = challenge.as_ref() {
            if let Some((e, _, why)) = resolve(catalog, c, status) {
                resolved = Some((e, Basis::Header, why));
                let mut merged = c.clone();
                if let Some(p) = primary.take() {
                    merged.message = p.message.or(merged.message);
                    merged.evidence.splice(0..0, p.evidence);
                    if p.format != "empty" {
                        merged.format = p.format;
                    }
                }
                primary = Some(merged);
            }
        }
    }
    if resolved.is_none() && facts.rate_limit_exhausted && matches!(status, 403 | 429) {
        if let Some(e) = entry_for(catalog, "RATE_LIMITED") {
            resolved = Some((
                e,
                Basis::Header,
                "rate-limit headers show no requests remaining".to_string(),
            ));
        }
    }
    if !is_error_status && primary.is_none() {
        report.ok = (200..300).contains(&status);
        if (300..400).contains(&status) {
            evidence.push(format!(
                "status {status} is a redirect, not an error; follow its Location header"
            ));
        }
        report.evidence = evidence;
        return report;
    }

    if is_error_status {
        report.evidence.push(format!("status {status}"));
    } else {
        report
            .evidence
            .push(format!("status {status}, but the body reports an error"));
    }
    report.evidence.append(&mut evidence);
    let status_entry = catalog.by_status(status);
    let mut confidence;
    match &resolved {
        Some((entry, basis, why)) => {
            report.set_entry(entry);
            report.evidence.push(why.clone());
            let parser_conf = primary.as_ref().map_or(0.6, |f| f.confidence);
            confidence = match basis {
                Basis::VendorCode => 0.6 + 0.35 * parser_conf,
                Basis::VendorMessage | Basis::Parser => 0.5 + 0.35 * parser_conf,
                Basis::Header => 0.75,
                Basis::Keywords => 0.6,
            };
        }
        None => {
            if let Some(e) = status_entry {
                report.set_entry(e);
            }
            confidence = if primary.as_ref().is_some_and(|f| f.format != "empty") {
                0.45
            } else {
                0.35
            };
        }
    }
    if let Some(f) = primary {
        report.format = Some(f.format.to_string());
        report.vendor = f.vendor.map(str::to_string);
        report.vendor_code = f.vendor_code;
        report.message = f.message;
        report.field = f.field;
        report.permission = f.permission;
        report.resource = f.resource;
        report.retry_after_s = f.retry_after_s;
        if f.retryable.is_some() {
            report.retryable = f.retryable;
        }
        report.evidence.extend(f.evidence);
    }
    if let Some(c) = challenge {
        if report.permission.is_none() {
            report.permission = c.permission;
        }
        if !matches!(resolved, Some((_, Basis::Header, _))) {
            report.evidence.extend(c.evidence);
        }
    }
    report.evidence.extend(facts.evidence);
    if facts.retry_after_s.is_some() {
        report.retry_after_s = facts.retry_after_s;
    }
    if report.retry_after_s.is_some() && report.retryable.is_none() {
        report.retryable = Some(true);
    }
    for (k, v) in facts.details {
        report.details.entry(k.to_string()).or_insert(v);
    }
    report.conflict = conflict(status, &report);
    if report.conflict.is_some() {
        confidence -= 0.05;
    }
    report.confidence = (confidence.clamp(0.05, 0.99) * 100.0).round() / 100.0;
    report.next_steps = next_steps(catalog, &report, steps);
    report
}

/// The sentence for a status and a body that put the error in different categories.
fn conflict(status: u16, r: &Report) -> Option<String> {
    let body_cat = r.category?;
    let code = r
        .name
        .as_deref()
        .or(r.code.as_deref())
        .unwrap_or("the error");
    let said = r
        .vendor_code
        .as_deref()
        .map(|v| format!("'{v}'"))
        .unwrap_or_else(|| code.to_string());
    match Category::for_status(status) {
        None => Some(format!(
            "status {status} says success, but the body reports {said}, {} {body_cat} error: trust the body",
            article(body_cat)
        )),
        Some(s) if s != body_cat => {
            let extra = if s == Category::Server && body_cat == Category::Client {
                " (a server answering a bad request with 5xx: fix the input, and tell the API owner)"
            } else {
                ""
            };
            let named = if r.vendor_code.is_some() { format!(" ({code})") } else { String::new() };
            Some(format!(
                "status {status} is {} {s} error, but the body's {said} is {} {body_cat} error{named}; the body names the exact condition{extra}",
                article(s),
                article(body_cat)
            ))
        }
        Some(_) => None,
    }
}

fn article(c: Category) -> &'static str {
    if c == Category::Auth {
        "an"
    } else {
        "a"
    }
}

/// Specific steps first (wait, fix the field, get the scope), then the catalog entry's fixes.
fn next_steps(catalog: &Catalog, r: &Report, which: Steps) -> Vec<String> {
    let mut steps = Vec::new();
    if let Some(s) = r.retry_after_s {
        steps.push(format!("Wait {} s before retrying.", secs(s)));
    }
    if let Some(field) = &r.field {
        steps.push(format!("Fix the request field '{field}'."));
    }
    if let Some(p) = &r.permission {
        steps.push(format!(
            "Get the permission or scope '{p}' for these credentials."
        ));
    }
    if let Some(res) = &r.resource {
        if r.name.as_deref() == Some("RESOURCE_NOT_FOUND") {
            steps.push(format!(
                "Check that '{res}' exists and that its name or ID is spelled right."
            ));
        }
    }
    if which == Steps::All {
        if let Some(entry) = r.code.as_deref().and_then(|c| catalog.by_code(c)) {
            steps.extend(entry.fixes.iter().cloned());
        }
    }
    if let Some(id) = r.details.get("request_id") {
        steps.push(format!(
            "If it persists, quote request id {id} to the API's support."
        ));
    }
    steps
}

/// See [`crate::explain_code`].
pub(crate) fn explain_code(
    catalog: &Catalog,
    code: Option<&str>,
    message: Option<&str>,
) -> Option<Report> {
    let mut report = Report::default();
    let mut confidence: f64 = 0.0;
    if let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) {
        report.vendor_code = Some(code.to_string());
        if let Some(e) = catalog.get(code) {
            report.set_entry(e);
            report
                .evidence
                .push(format!("{code} is the catalog's {}", e.code));
            confidence = 0.9;
        } else {
            let hits = tables().vendors_with_code(code);
            if let Some((vendor, rule)) = hits.first() {
                if let Some(e) = entry_for(catalog, &rule.maps_to) {
                    report.set_entry(e);
                    report.vendor = Some((*vendor).to_string());
                    report.format = Some("code".to_string());
                    report
                        .evidence
                        .push(format!("{vendor} code {code} means {}", rule.maps_to));
                    if hits.len() > 1 {
                        let others: Vec<&str> = hits[1..].iter().map(|(v, _)| *v).collect();
                        report
                            .evidence
                            .push(format!("also a code of: {}", others.join(", ")));
                    }
                    confidence = if hits.len() > 1 { 0.6 } else { 0.8 };
                }
            }
        }
    }
    if let Some(msg) = message.map(str::trim).filter(|m| !m.is_empty()) {
        report.message = Some(msg.to_string());
        if report.code.is_none() {
            if let Some(r) = crate::tool::explain_text(catalog, msg) {
                let mut r = r;
                r.vendor_code = r.vendor_code.or(report.vendor_code.take());
                return Some(r);
            }
            if let Some((e, _, why)) = keywords(catalog, msg, 0) {
                report.set_entry(e);
                report.format = Some("message".to_string());
                report.evidence.push(why);
                confidence = 0.55;
            }
        }
    }
    report.code.as_ref()?;
    report.confidence = confidence;
    report.next_steps = next_steps(catalog, &report, Steps::All);
    Some(report)
}

/// Whether a report says more than the bare status: a recognised body, header or code.
pub fn recognised(r: &Report) -> bool {
    r.ok || r.name.is_some() || r.format.as_deref().is_some_and(|f| f != "empty")
}
