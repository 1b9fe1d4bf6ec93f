//! The reading rule as code: the status gives the class, the body decides the exact condition, headers add
//! evidence and timing, and a disagreement between status and body becomes the `conflict` sentence.

use crate::headers::{self, HeaderFacts};
use crate::json::Value;
use crate::message::{self, Reading};
use crate::table::tables;
use crate::vendor::{self, Body, Finding};
use crate::HttpResponse;
use apiprobe_catalog::{Catalog, Category, Entry, Report};
use std::borrow::Cow;
use std::cell::RefCell;

/// Most body bytes read; a larger body is cut here and the evidence says so. Error bodies are small: a
/// bigger one is a page or a dump, and its first megabyte says as much as the rest.
pub const MAX_BODY: usize = 1 << 20;

/// Shortens `s` to at most `max` characters on a character boundary, marking the cut.
pub(crate) fn clip(s: &str, max: usize) -> Cow<'_, str> {
    // A string of at most `max` bytes has at most `max` characters: no need to walk it.
    if s.len() <= max {
        return Cow::Borrowed(s);
    }
    match s.char_indices().nth(max) {
        Some((i, _)) => Cow::Owned(cat([&s[..i], "..."])),
        None => Cow::Borrowed(s),
    }
}

/// The pieces joined into one string of exactly their length: sentences are built on every batch line,
/// and `format!` costs a guess at the capacity, regrowth and the formatting machinery for plain text.
pub(crate) fn cat<const N: usize>(parts: [&str; N]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

/// The catalog entry a `maps_to` target names: a probe name (`RATE_LIMITED`) or a code (`PRB-1001`, `429`).
pub(crate) fn entry_for<'c>(catalog: &'c Catalog, target: &str) -> Option<&'c Entry> {
    catalog.by_name(target).or_else(|| catalog.by_code(target))
}

/// The evidence line of a report whose code is only its status's default.
const BY_DEFAULT: &str = "nothing more specific than the status: ";

/// How the exact condition was decided, strongest first.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Basis {
    VendorCode,
    /// A vendor code its table marks `refine`: it covers several conditions (Google Maps
    /// `REQUEST_DENIED` is a missing key, an invalid key or an API not enabled).
    BroadVendorCode,
    VendorMessage,
    Parser,
    Header,
    /// The message reader (`crate::message`).
    Text,
    Keywords,
}

/// Maps a finding to a catalog entry: vendor table by code, then by message, the parser's own conclusion,
/// then generic keywords in the message.
fn resolve<'c>(
    catalog: &'c Catalog,
    f: &Finding,
    status: u16,
    text: &Reading,
) -> Option<(&'c Entry, Basis, String)> {
    let decided = decide(catalog, f, status);
    // A vendor code that only says "validation failed" or "bad request" leaves the condition open: the
    // message's words may name it (a field that is required, a thing that does not exist).
    if let Some((e, basis, why)) = &decided {
        let open = match basis {
            Basis::BroadVendorCode => true,
            Basis::VendorCode | Basis::VendorMessage | Basis::Parser => coarseness(e) > 0,
            _ => false,
        };
        if !open {
            return decided;
        }
        let refines = |t: &Entry| {
            let finer = coarseness(t) < coarseness(e) || *basis == Basis::BroadVendorCode;
            finer && coarseness(t) < 2 && t.category == e.category && t.name != e.name
        };
        if let Some((t, said)) = conditions(catalog, text).find(|(t, _)| refines(t)) {
            return Some((
                t,
                Basis::Text,
                cat([
                    why,
                    "; the message refines it: '",
                    said,
                    "' reads as ",
                    t.label(),
                ]),
            ));
        }
        return decided;
    }
    // A status that names its own condition (401, 403, 404) picks among several the words name.
    let wanted = matches!(status, 401 | 403 | 404 | 407)
        .then(|| Category::for_status(status))
        .flatten();
    let chosen = conditions(catalog, text)
        .find(|(t, _)| Some(t.category) == wanted)
        .or_else(|| from_text(catalog, text));
    if let Some((t, said)) = chosen {
        return Some((
            t,
            Basis::Text,
            cat(["message text: '", said, "' reads as ", t.label()]),
        ));
    }
    let message = f
        .message
        .as_deref()
        .filter(|m| !only_reason_phrase(catalog, m, status));
    keywords(catalog, message.or(f.vendor_code.as_deref())?, status)
        .or_else(|| keywords(catalog, f.vendor_code.as_deref()?, status))
}

/// How little a condition says: 2 for "the request was wrong" (or only the status's class), 1 for "a
/// field's value was wrong" (which field and how may be said in words: required, too long, taken), 0 for
/// an exact condition. A code is refined only by words that say strictly more.
fn coarseness(e: &Entry) -> u8 {
    match e.name.as_deref() {
        Some(
            "VALIDATION_FAILED" | "MALFORMED_REQUEST" | "HTTP_CLIENT_ERROR" | "HTTP_AUTH_ERROR"
            | "HTTP_SERVER_ERROR",
        ) => 2,
        Some("INVALID_FIELD_VALUE") => 1,
        _ => 0,
    }
}

/// The catalog entry the message reader's condition names, with the words that named it.
fn from_text<'c, 't>(catalog: &'c Catalog, text: &'t Reading) -> Option<(&'c Entry, &'t str)> {
    let e = entry_for(catalog, text.maps_to.as_deref()?)?;
    Some((e, text.said.as_deref().unwrap_or("")))
}

/// Every condition the message reader found, the first first, each with the words that named it.
fn conditions<'c, 't>(
    catalog: &'c Catalog,
    text: &'t Reading,
) -> impl Iterator<Item = (&'c Entry, &'t str)> + use<'c, 't> {
    let first = text
        .maps_to
        .as_deref()
        .map(|m| (m, text.said.as_deref().unwrap_or("")));
    first
        .into_iter()
        .chain(text.others.iter().map(|(m, s)| (m.as_str(), s.as_str())))
        .filter_map(|(m, said)| Some((entry_for(catalog, m)?, said)))
}

/// Whether a message is only the status's reason phrase (`Bad Request`, `404 Not Found`): it says
/// nothing the status did not, so its words must not name a condition the status does not.
/// A reason phrase of another status says no more (Mailgun answers a 401 with the text `Forbidden`).
fn only_reason_phrase(catalog: &Catalog, message: &str, status: u16) -> bool {
    let words = message
        .trim()
        .trim_start_matches(|c: char| c.is_ascii_digit() || c.is_whitespace())
        .trim_end_matches(['.', '!']);
    if words.len() > 40 {
        return false;
    }
    let same = |title: &str| title.len() == words.len() && words.eq_ignore_ascii_case(title);
    // At a success status, an error's reason phrase does say more than the status.
    catalog.by_status(status).is_some_and(|e| same(&e.title))
        || (400..600).contains(&status)
            && catalog
                .entries()
                .iter()
                .filter(|e| e.code.len() == 3 && e.code.starts_with(['4', '5']))
                .any(|e| same(&e.title))
}

/// The vendor's code, its message rules, or the parser's own conclusion.
fn decide<'c>(
    catalog: &'c Catalog,
    f: &Finding,
    status: u16,
) -> Option<(&'c Entry, Basis, String)> {
    let t = tables();
    // The finer reason first (Google `ErrorInfo.reason`, Stripe `decline_code`), then the code.
    for (what, code) in [(" reason ", &f.reason), (" code ", &f.vendor_code)] {
        if let (Some(vendor), Some(code)) = (f.vendor, code.as_deref()) {
            if let Some(rule) = t.code(vendor, code, status) {
                if let Some(e) = entry_for(catalog, &rule.maps_to) {
                    let basis = if rule.refine {
                        Basis::BroadVendorCode
                    } else {
                        Basis::VendorCode
                    };
                    return Some((
                        e,
                        basis,
                        cat([vendor, what, code, " means ", &rule.maps_to]),
                    ));
                }
            }
        }
    }
    if let (Some(vendor), Some(msg)) = (f.vendor, f.message.as_deref()) {
        if let Some(rule) = t.message(vendor, msg, status) {
            if let Some(e) = entry_for(catalog, &rule.maps_to) {
                return Some((
                    e,
                    Basis::VendorMessage,
                    cat([vendor, " message mentions '", &rule.contains, "'"]),
                ));
            }
        }
    }
    if let Some(target) = f.maps_to.as_deref() {
        if let Some(e) = entry_for(catalog, target) {
            return Some((e, Basis::Parser, cat([f.format, " body reads as ", target])));
        }
    }
    None
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
        cat(["message mentions '", &rule.contains, "'"]),
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
    let control = control_bytes(head);
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
    // A byte order mark (Azure Storage puts one before its XML) is not part of the document.
    let text = match text {
        Cow::Borrowed(s) => Cow::Borrowed(s.strip_prefix('\u{feff}').unwrap_or(s)),
        Cow::Owned(s) => match s.strip_prefix('\u{feff}') {
            Some(rest) => Cow::Owned(rest.to_string()),
            None => Cow::Owned(s),
        },
    };
    (text, false)
}

/// How many bytes of `head` are control characters other than tab, newline, vertical tab, form feed and
/// carriage return. Counted per 64-byte chunk in a `u8` with bitwise tests and no early exit, so the
/// compiler turns it into vector compares: this runs on every body.
fn control_bytes(head: &[u8]) -> usize {
    head.chunks(64)
        .map(|chunk| {
            chunk.iter().fold(0u8, |n, &c| {
                let control = (c < 0x09) | ((c > 0x0d) & (c < 0x20)) | (c == 0x7f);
                n + u8::from(control)
            })
        })
        .map(usize::from)
        .sum()
}

/// Parses a body that looks like JSON; a failure is evidence, not an error.
fn body_json<'t>(text: &'t str, evidence: &mut Vec<String>) -> Option<Value<'t>> {
    let first = text.trim_start().as_bytes().first()?;
    if *first != b'{' && *first != b'[' {
        return None;
    }
    match crate::json::parse(text) {
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

/// A lowered header list is handed back to its thread for reuse only up to this many headers and
/// bytes, so one huge response does not stay in memory for the rest of a batch.
const LOWERED_KEEP_HEADERS: usize = 64;
const LOWERED_KEEP_BYTES: usize = 64 * 1024;

thread_local! {
    /// The buffers of the last lowered header list: `Content-Type` style names (most logs) are
    /// lower-cased into them without a fresh allocation per name and value.
    static LOWERED: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
}

/// Headers with lower-case names: the caller's own list when its names are already lower-case, else
/// a copy in this thread's reused buffers (given back when dropped).
enum LowerHeaders<'h> {
    Borrowed(&'h [(String, String)]),
    Lowered(Vec<(String, String)>),
}

impl std::ops::Deref for LowerHeaders<'_> {
    type Target = [(String, String)];
    fn deref(&self) -> &Self::Target {
        match self {
            LowerHeaders::Borrowed(h) => h,
            LowerHeaders::Lowered(h) => h,
        }
    }
}

impl Drop for LowerHeaders<'_> {
    fn drop(&mut self) {
        let LowerHeaders::Lowered(buf) = self else {
            return;
        };
        let bytes: usize = buf.iter().map(|(n, v)| n.capacity() + v.capacity()).sum();
        if buf.len() > LOWERED_KEEP_HEADERS || bytes > LOWERED_KEEP_BYTES {
            return;
        }
        let buf = std::mem::take(buf);
        // A busy cell or a thread being torn down only means the buffers are freed instead.
        let _ = LOWERED.try_with(|cell| {
            if let Ok(mut kept) = cell.try_borrow_mut() {
                *kept = buf;
            }
        });
    }
}

fn lower_headers(headers: &[(String, String)]) -> LowerHeaders<'_> {
    if headers
        .iter()
        .all(|(n, _)| !n.bytes().any(|b| b.is_ascii_uppercase()))
    {
        return LowerHeaders::Borrowed(headers);
    }
    let mut buf = LOWERED
        .try_with(|cell| {
            cell.try_borrow_mut()
                .map(|mut kept| std::mem::take(&mut *kept))
                .unwrap_or_default()
        })
        .unwrap_or_default();
    buf.truncate(headers.len());
    for (i, (name, value)) in headers.iter().enumerate() {
        match buf.get_mut(i) {
            Some((n, v)) => {
                n.clear();
                n.push_str(name);
                n.make_ascii_lowercase();
                v.clear();
                v.push_str(value);
            }
            None => buf.push((name.to_ascii_lowercase(), value.clone())),
        }
    }
    LowerHeaders::Lowered(buf)
}

/// Formats seconds for a sentence: `30`, `1.5`.
fn secs(s: f64) -> String {
    if s.fract() == 0.0 && s < 1e15 {
        itoa::Buffer::new().format(s as u64).to_string()
    } else {
        format!("{s:.1}")
    }
}

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
    if (200..300).contains(&status) {
        if let Some(report) =
            crate::parts::failed_part(catalog, status, &headers, body, json.as_ref(), steps)
        {
            return report;
        }
    }
    let body = Body::new(status, &headers, &text, json.as_ref());

    // A binary body has no text for a parser to read: only the status and headers speak.
    let finding = vendor::PARSERS
        .iter()
        .filter(|_| !binary)
        .filter(|(name, _)| is_error_status || !vendor::is_shape(name))
        .find_map(|(_, parse)| parse(&body));
    // The challenge header is read on its own: it can name the condition when the body does not.
    let challenge = if is_error_status {
        vendor::challenge_finding(&body)
    } else {
        None
    };

    // What the message says in words: the condition when nothing stronger names it, and the field,
    // resource and permission when the format itself does not carry them.
    let words = finding
        .as_ref()
        .and_then(|f| f.message.as_deref())
        .filter(|_| is_error_status || finding.is_some())
        .map(|m| message::read(m, status))
        .unwrap_or_default();
    let mut resolved = finding
        .as_ref()
        .and_then(|f| resolve(catalog, f, status, &words));
    let mut primary = finding;
    if resolved.is_none() {
        if let Some(c) = challenge.as_ref() {
            if let Some((e, _, why)) = resolve(catalog, c, status, &Reading::default()) {
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
    let mut num = itoa::Buffer::new();
    let status_text = num.format(status);
    if !is_error_status && primary.is_none() {
        report.ok = (200..300).contains(&status);
        if (300..400).contains(&status) {
            evidence.push(cat([
                "status ",
                status_text,
                " is a redirect, not an error; follow its Location header",
            ]));
        }
        report.evidence = evidence;
        return report;
    }

    // Room for the usual lines (status, notes, the reason, the parser's and headers' facts) in one go.
    report.evidence.reserve(8 + evidence.len());
    if is_error_status {
        report.evidence.push(cat(["status ", status_text]));
    } else {
        report.evidence.push(cat([
            "status ",
            status_text,
            ", but the body reports an error",
        ]));
    }
    report.evidence.append(&mut evidence);
    let mut confidence;
    let mut by_default = false;
    let by_header = matches!(resolved, Some((_, Basis::Header, _)));
    match resolved {
        Some((entry, basis, why)) => {
            report.set_entry(entry);
            report.evidence.push(why);
            let parser_conf = primary.as_ref().map_or(0.6, |f| f.confidence);
            confidence = match basis {
                Basis::VendorCode | Basis::BroadVendorCode => 0.6 + 0.35 * parser_conf,
                Basis::VendorMessage | Basis::Parser => 0.5 + 0.35 * parser_conf,
                Basis::Header => 0.75,
                Basis::Text => 0.5 + 0.3 * parser_conf,
                Basis::Keywords => 0.6,
            };
        }
        None => {
            // Nothing says more than the status: its catalog default, so every failure still has a
            // probe code (the status itself stays in `status`).
            if let Some(e) = catalog.default_for_status(status) {
                report.set_entry(e);
                report.evidence.push(cat([
                    BY_DEFAULT,
                    e.label(),
                    " is the catalog's default for ",
                    status_text,
                ]));
                by_default = true;
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
    if report.code.is_some() && !words.is_empty() {
        for (slot, found, what) in [
            (&mut report.field, &words.field, "field"),
            (&mut report.resource, &words.resource, "resource"),
            (&mut report.permission, &words.permission, "permission"),
        ] {
            if let (None, Some(v)) = (slot.as_ref(), found) {
                report
                    .evidence
                    .push(cat(["message text names the ", what, " '", v, "'"]));
                *slot = Some(v.clone());
            }
        }
    }
    if let Some(c) = challenge {
        if report.permission.is_none() {
            report.permission = c.permission;
        }
        if !by_header {
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
        // The first value of a fact wins; the key is copied only when it is new.
        if !report.details.contains_key(k) {
            report.details.insert(k.to_string(), v);
        }
    }
    // A default drawn from the status cannot disagree with it (419 -> CSRF_TOKEN_INVALID is an auth
    // condition on a client status because the number itself means that).
    report.conflict = if by_default {
        None
    } else {
        conflict(status, &report)
    };
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
    // The vendor's own code quoted, else the catalog name: `'card_declined'`, `RATE_LIMITED`.
    let (open, said, close) = match r.vendor_code.as_deref() {
        Some(v) => ("'", v, "'"),
        None => ("", code, ""),
    };
    let mut num = itoa::Buffer::new();
    let status_text = num.format(status);
    match Category::for_status(status) {
        None => Some(cat([
            "status ",
            status_text,
            " says success, but the body reports ",
            open,
            said,
            close,
            ", ",
            article(body_cat),
            " ",
            body_cat.as_str(),
            " error: trust the body",
        ])),
        Some(s) if s != body_cat => {
            let extra = if s == Category::Server && body_cat == Category::Client {
                " (a server answering a bad request with 5xx: fix the input, and tell the API owner)"
            } else {
                ""
            };
            let (named_open, named, named_close) = if r.vendor_code.is_some() {
                (" (", code, ")")
            } else {
                ("", "", "")
            };
            Some(cat([
                "status ",
                status_text,
                " is ",
                article(s),
                " ",
                s.as_str(),
                " error, but the body's ",
                open,
                said,
                close,
                " is ",
                article(body_cat),
                " ",
                body_cat.as_str(),
                " error",
                named_open,
                named,
                named_close,
                "; the body names the exact condition",
                extra,
            ]))
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
    match r.retry_after_s {
        // A reset time already past (an old log line, a clock ahead of the server's): no wait is left.
        Some(s) if s <= 0.0 => {
            steps.push("The wait the response asked for is over: retry now.".to_string())
        }
        Some(s) => steps.push(cat(["Wait ", &secs(s), " s before retrying."])),
        None => {}
    }
    if let Some(field) = &r.field {
        steps.push(cat(["Fix the request field '", field, "'."]));
    }
    if let Some(p) = &r.permission {
        steps.push(cat([
            "Get the permission or scope '",
            p,
            "' for these credentials.",
        ]));
    }
    if let Some(res) = &r.resource {
        if r.name.as_deref() == Some("RESOURCE_NOT_FOUND") {
            steps.push(cat([
                "Check that '",
                res,
                "' exists and that its name or ID is spelled right.",
            ]));
        }
    }
    if which == Steps::All {
        if let Some(entry) = r.code.as_deref().and_then(|c| catalog.by_code(c)) {
            steps.extend(entry.fixes.iter().cloned());
        }
    }
    if let Some(id) = r.details.get("request_id") {
        steps.push(cat([
            "If it persists, quote request id ",
            id,
            " to the API's support.",
        ]));
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
            let words = message::read(msg, 0);
            if let Some((e, said)) = from_text(catalog, &words) {
                report.set_entry(e);
                report.format = Some("message".to_string());
                report
                    .evidence
                    .push(cat(["message text: '", said, "' reads as ", e.label()]));
                confidence = 0.55;
            } else if let Some((e, _, why)) = keywords(catalog, msg, 0) {
                report.set_entry(e);
                report.format = Some("message".to_string());
                report.evidence.push(why);
                confidence = 0.55;
            }
            report.field = words.field;
            report.resource = words.resource;
            report.permission = words.permission;
        }
    }
    report.code.as_ref()?;
    report.confidence = confidence;
    report.next_steps = next_steps(catalog, &report, Steps::All);
    Some(report)
}

/// Whether a report says more than the bare status: a recognised body, header or code. A name that is
/// only the status's catalog default (an empty 503 reads as SERVICE_UNAVAILABLE) is not more.
pub fn recognised(r: &Report) -> bool {
    r.ok || r.format.as_deref().is_some_and(|f| f != "empty")
        || (r.name.is_some() && !r.evidence.iter().any(|e| e.starts_with(BY_DEFAULT)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn control_bytes_slowly(head: &[u8]) -> usize {
        head.iter()
            .filter(|&&c| c < 0x09 || (c > 0x0d && c < 0x20) || c == 0x7f)
            .count()
    }

    #[test]
    fn a_wait_already_over_says_retry_now() {
        let catalog = Catalog::builtin();
        let mut r = Report {
            retry_after_s: Some(0.0),
            ..Report::default()
        };
        let steps = next_steps(catalog, &r, Steps::Specific);
        assert_eq!(
            steps,
            ["The wait the response asked for is over: retry now."]
        );
        r.retry_after_s = Some(30.0);
        let steps = next_steps(catalog, &r, Steps::Specific);
        assert_eq!(steps, ["Wait 30 s before retrying."]);
    }

    #[test]
    fn counts_control_bytes_but_not_whitespace() {
        assert_eq!(control_bytes(b"{\"a\":\t1}\r\n"), 0);
        assert_eq!(control_bytes(b"\x00\x01\x08\x0e\x1f\x7f"), 6);
        assert_eq!(control_bytes(&[0u8; 512]), 512);
        assert_eq!(control_bytes(b""), 0);
    }

    #[test]
    fn clip_marks_only_a_real_cut() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("abcd", 3), "abc...");
        // Three characters in six bytes: not cut.
        assert_eq!(clip("ééé", 3), "ééé");
        assert_eq!(clip("éééé", 3), "ééé...");
    }

    #[test]
    fn cat_joins_in_order() {
        assert_eq!(cat(["status ", "429", ""]), "status 429");
        assert_eq!(cat::<0>([]), "");
    }

    #[test]
    fn conflict_names_both_categories() {
        let catalog = Catalog::builtin();
        let mut r = Report::default();
        r.set_entry(catalog.by_name("RATE_LIMITED").expect("catalog entry"));
        r.vendor_code = Some("Throttling".to_string());
        let text = conflict(500, &r).expect("a conflict");
        assert_eq!(
            text,
            "status 500 is a server error, but the body's 'Throttling' is a client error (RATE_LIMITED); \
             the body names the exact condition (a server answering a bad request with 5xx: fix the input, \
             and tell the API owner)"
        );
        let text = conflict(200, &r).expect("a conflict");
        assert_eq!(
            text,
            "status 200 says success, but the body reports 'Throttling', a client error: trust the body"
        );
        assert_eq!(conflict(429, &r), None);
    }

    #[test]
    fn whole_seconds_print_without_a_fraction() {
        assert_eq!(secs(30.0), "30");
        assert_eq!(secs(1.5), "1.5");
        assert_eq!(secs(0.0), "0");
    }

    #[test]
    fn json_bodies_are_read_and_failures_are_evidence() {
        let mut evidence = Vec::new();
        let a = body_json(r#" {"error":{"code":7}}"#, &mut evidence).expect("json");
        assert_eq!(
            a.get("error")
                .and_then(|e| e.get("code"))
                .and_then(Value::as_u64),
            Some(7)
        );
        assert!(body_json("not json", &mut evidence).is_none());
        assert!(evidence.is_empty());
        for _ in 0..2 {
            assert!(body_json(r#"{"error": "#, &mut evidence).is_none());
        }
        assert!(body_json(r#"{"error": 1]"#, &mut evidence).is_none());
        assert_eq!(evidence.len(), 3, "{evidence:?}");
        assert!(evidence[0].starts_with("body is truncated JSON"));
        assert_eq!(evidence[0], evidence[1]);
        assert!(evidence[2].starts_with("body looks like JSON but does not parse"));
    }

    #[test]
    fn lowered_headers_reuse_buffers_without_mixing_lists() {
        let h = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect()
        };
        let first = h(&[
            ("Content-Type", "text/html"),
            ("X-Request-Id", "a1"),
            ("Via", "1.1 x"),
        ]);
        let second = h(&[("Retry-After", "30")]);
        let lower = h(&[("server", "nginx")]);
        for _ in 0..2 {
            assert_eq!(
                &*lower_headers(&first),
                &h(&[
                    ("content-type", "text/html"),
                    ("x-request-id", "a1"),
                    ("via", "1.1 x")
                ])[..]
            );
            assert_eq!(&*lower_headers(&second), &h(&[("retry-after", "30")])[..]);
            assert!(matches!(lower_headers(&lower), LowerHeaders::Borrowed(_)));
        }
        // Two lists alive at once: the second cannot reuse the first's buffers, and must not need to.
        let a = lower_headers(&first);
        let b = lower_headers(&second);
        assert_eq!(a.len(), 3);
        assert_eq!(b[0].0, "retry-after");
    }

    proptest! {
        #[test]
        fn control_count_matches_the_plain_definition(head in proptest::collection::vec(any::<u8>(), 0..600)) {
            prop_assert_eq!(control_bytes(&head), control_bytes_slowly(&head));
        }

        #[test]
        fn clip_agrees_with_counting_characters(s in "\\PC{0,20}", max in 0usize..25) {
            let clipped = clip(&s, max);
            if s.chars().count() > max {
                let kept: String = s.chars().take(max).collect();
                prop_assert_eq!(clipped.into_owned(), format!("{kept}..."));
            } else {
                prop_assert_eq!(clipped.as_ref(), s.as_str());
            }
        }
    }
}
