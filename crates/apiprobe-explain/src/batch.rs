//! Batch mode for logs: JSON Lines in (`{"status":..,"headers":{..},"body":".."}` or `{"raw":".."}`), one
//! JSON [`Report`] per line out, in input order; a line that cannot be read yields a [`LineError`] in place.
//!
//! Batch reports carry only the next steps specific to each response (wait N s, fix field X); the catalog's
//! general fixes for a code are one `apiprobe lookup CODE` away.
//!
//! Memory stays flat: the input is cut into chunks of whole lines, a bounded queue feeds one worker per
//! core, and a writer puts the finished chunks back in order. At most `2 × workers` chunks are in flight.

mod counts;
mod memo;
mod scan;
mod template;

use crate::reading::{explain_parts, Steps};
use apiprobe_catalog::{Catalog, LineError, Report};
use memo::Memo;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::{self, Read, Write};
use std::sync::mpsc::{channel, sync_channel, Receiver};
use std::sync::Mutex;

/// Bytes per chunk of input handed to a worker.
const CHUNK: usize = 256 * 1024;
/// Longest input line read; a longer one is reported as an error and skipped.
pub const MAX_LINE: usize = 16 * 1024 * 1024;

/// How to run a batch.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Worker threads; 0 means one per available core.
    pub workers: usize,
}

/// Counts over a whole batch.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Input lines seen (blank lines are skipped and not counted).
    pub lines: u64,
    /// Lines explained.
    pub explained: u64,
    /// Lines that were not readable (`{"line":N,"error":..}` in the output).
    pub errors: u64,
    /// Responses without an error (2xx, nothing in the body).
    pub ok: u64,
    /// Reports by category (`client`, `auth`, `server`, and `none` when no catalog entry fits).
    pub by_category: BTreeMap<String, u64>,
    /// Reports by catalog code (`PRB-1401`, `404`).
    pub by_code: BTreeMap<String, u64>,
    /// Reports by vendor whose own code was read (`none` when no vendor's format was recognised).
    pub by_vendor: BTreeMap<String, u64>,
}

impl Summary {
    /// Counts one explained report (the reference for `counts::Counts`, which batches do it with).
    #[cfg(test)]
    fn add(&mut self, r: &Report) {
        self.explained += 1;
        if r.ok {
            self.ok += 1;
            return;
        }
        self.count(
            r.category.map_or("none", |c| c.as_str()),
            r.code.as_deref().unwrap_or("none"),
            r.vendor.as_deref().unwrap_or("none"),
        );
    }

    #[cfg(test)]
    fn count(&mut self, category: &str, code: &str, vendor: &str) {
        self.count_n(category, code, vendor, 1);
    }

    fn count_n(&mut self, category: &str, code: &str, vendor: &str, n: u64) {
        bump(&mut self.by_category, category, n);
        bump(&mut self.by_code, code, n);
        bump(&mut self.by_vendor, vendor, n);
    }

    fn merge(&mut self, o: Summary) {
        self.lines += o.lines;
        self.explained += o.explained;
        self.errors += o.errors;
        self.ok += o.ok;
        for (map, other) in [
            (&mut self.by_category, o.by_category),
            (&mut self.by_code, o.by_code),
            (&mut self.by_vendor, o.by_vendor),
        ] {
            for (k, v) in other {
                *map.entry(k).or_insert(0) += v;
            }
        }
    }
}

fn bump(map: &mut BTreeMap<String, u64>, key: &str, n: u64) {
    match map.get_mut(key) {
        Some(c) => *c += n,
        None => {
            map.insert(key.to_string(), n);
        }
    }
}

/// Headers as an object (`{"name": "value"}`), or a list of `[name, value]` pairs; values may be strings,
/// numbers or lists of strings (repeated headers).
struct Headers(Vec<(String, String)>);

impl<'de> Deserialize<'de> for Headers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Headers;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of header names to values, or a list of [name, value] pairs")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Headers, A::Error> {
                let mut out = Vec::new();
                while let Some(name) = m.next_key::<Cow<'de, str>>()? {
                    match m.next_value::<HeaderValue>()? {
                        HeaderValue::One(v) => out.push((name.into_owned(), v)),
                        HeaderValue::Many(vs) => {
                            out.extend(vs.into_iter().map(|v| (name.to_string(), v)))
                        }
                        // Raised here, after the value, so the position in the message is the one
                        // serde_json gives an error found between values.
                        HeaderValue::Bad => return Err(serde::de::Error::custom(NO_HEADER_FORM)),
                    }
                }
                Ok(Headers(out))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut s: A,
            ) -> Result<Headers, A::Error> {
                let mut out = Vec::new();
                while let Some((n, v)) = s.next_element::<(String, String)>()? {
                    out.push((n, v));
                }
                Ok(Headers(out))
            }
            fn visit_unit<E>(self) -> Result<Headers, E> {
                Ok(Headers(Vec::new()))
            }
        }
        d.deserialize_any(V)
    }
}

enum HeaderValue {
    One(String),
    Many(Vec<String>),
    /// Neither a string, a number nor a list of strings (the whole value was read).
    Bad,
}

/// The message serde gives when no form of a header value fits; kept word for word because it is part
/// of the `error` text batch output carries for such a line.
const NO_HEADER_FORM: &str = "data did not match any variant of untagged enum Raw";

impl<'de> Deserialize<'de> for HeaderValue {
    /// Reads a string, a number or a list of strings straight from the input (no buffering of the value
    /// to try each form in turn); anything else is consumed whole and then refused.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = HeaderValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, a number or a list of strings")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<HeaderValue, E> {
                Ok(HeaderValue::One(v.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<HeaderValue, E> {
                Ok(HeaderValue::One(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<HeaderValue, E> {
                Ok(HeaderValue::One(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<HeaderValue, E> {
                Ok(HeaderValue::One(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<HeaderValue, E> {
                Ok(serde_json::Number::from_f64(v)
                    .map_or(HeaderValue::Bad, |n| HeaderValue::One(n.to_string())))
            }
            fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<HeaderValue, E> {
                Ok(HeaderValue::Bad)
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<HeaderValue, E> {
                Ok(HeaderValue::Bad)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<HeaderValue, A::Error> {
                while m
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(HeaderValue::Bad)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut s: A,
            ) -> Result<HeaderValue, A::Error> {
                let mut out = Vec::new();
                let mut all_strings = true;
                while let Some(item) = s.next_element::<MaybeString>()? {
                    match item.0 {
                        Some(v) if all_strings => out.push(v),
                        _ => all_strings = false,
                    }
                }
                if all_strings {
                    Ok(HeaderValue::Many(out))
                } else {
                    Ok(HeaderValue::Bad)
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// Any JSON value, kept when it is a string: a list of header values is read to its end before a
/// non-string item refuses it, as the error position in the message depends on it.
struct MaybeString(Option<String>);

impl<'de> Deserialize<'de> for MaybeString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MaybeString;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<MaybeString, E> {
                Ok(MaybeString(Some(v.to_string())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<MaybeString, E> {
                Ok(MaybeString(Some(v)))
            }
            fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<MaybeString, A::Error> {
                while m
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(MaybeString(None))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut s: A,
            ) -> Result<MaybeString, A::Error> {
                while s.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(MaybeString(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// One input line.
#[derive(Deserialize)]
struct Line<'a> {
    #[serde(default)]
    status: Option<u16>,
    #[serde(default)]
    headers: Option<Headers>,
    #[serde(default, borrow)]
    body: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    raw: Option<Cow<'a, str>>,
}

/// Explains one JSON line; the error string for a [`LineError`] otherwise.
pub fn explain_line(catalog: &Catalog, line: &[u8]) -> Result<Report, String> {
    explain_with(catalog, line, &mut scan::Scratch::default())
}

/// [`explain_line`] with the worker's buffers: read, decoded and explained as it is.
fn explain_with(
    catalog: &Catalog,
    line: &[u8],
    scratch: &mut scan::Scratch,
) -> Result<Report, String> {
    match scan::scan(line, scratch) {
        Some((status, text)) => {
            scratch.decode(text);
            Ok(explain_read(catalog, status, scratch, line))
        }
        None => explain_unscanned(catalog, line),
    }
}

/// Explains `line` as read and decoded into `scratch`.
fn explain_read(catalog: &Catalog, status: u16, scratch: &scan::Scratch, line: &[u8]) -> Report {
    let (headers, body) = scratch.parts(line);
    explain_parts(catalog, status, headers, body, Steps::Specific)
}

/// [`explain_line`] for a line [`scan::scan`] left alone: a log line, a `raw` member, an unusual shape,
/// or something to refuse with serde's message.
fn explain_unscanned(catalog: &Catalog, line: &[u8]) -> Result<Report, String> {
    // A line that is not a JSON object is a log line from some client or proxy.
    if line.trim_ascii_start().first() != Some(&b'{') {
        let text = String::from_utf8_lossy(line);
        return crate::explain_text(catalog, &text).ok_or_else(|| {
            "not a JSON object, and no tool's error line recognised in it".to_string()
        });
    }
    let l: Line<'_> = serde_json::from_slice(line)
        .map_err(|e| format!("not a JSON object of a response: {e}"))?;
    if let Some(raw) = l.raw {
        let resp = crate::parse_raw(raw.as_bytes()).map_err(|e| e.to_string())?;
        return Ok(explain_parts(
            catalog,
            resp.status,
            &resp.headers,
            &resp.body,
            Steps::Specific,
        ));
    }
    let status = l.status.ok_or("no \"status\" (or \"raw\") member")?;
    if !(100..=999).contains(&status) {
        return Err(format!("status {status} is not an HTTP status"));
    }
    let headers = l.headers.map(|h| h.0).unwrap_or_default();
    let body = l.body.as_deref().unwrap_or("");
    Ok(explain_parts(
        catalog,
        status,
        &headers,
        body.as_bytes(),
        Steps::Specific,
    ))
}

struct Job {
    seq: u64,
    first_line: u64,
    /// The buffer; only `data[..len]` is this chunk's (the rest is left from earlier use).
    data: Vec<u8>,
    len: usize,
}

struct Done {
    seq: u64,
    out: Vec<u8>,
    summary: Summary,
}

/// What a worker keeps from chunk to chunk.
#[derive(Default)]
struct Worker {
    memo: Memo,
    counts: counts::Counts,
    scratch: scan::Scratch,
    templates: template::Templates,
}

fn work(catalog: &Catalog, job: &Job, mut out: Vec<u8>, w: &mut Worker) -> Done {
    out.clear();
    let memo = &mut w.memo;
    let mut summary = Summary::default();
    let counts = &mut w.counts;
    let data = job.data.get(..job.len).unwrap_or_default();
    let ends = memchr::memchr_iter(b'\n', data).chain(std::iter::once(data.len()));
    let mut start = 0;
    for (this, end) in (job.first_line..).zip(ends) {
        let line = data.get(start..end).unwrap_or_default();
        start = end + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        summary.lines += 1;
        let hash = memo.hash(line);
        if memo.replay(hash, line, &mut out) {
            out.push(b'\n');
            continue;
        }
        // The same line but for its request ids: explained once per shape (`template`).
        if line.len() <= MAX_LINE && w.templates.replay_unread(line, &mut out) {
            out.push(b'\n');
            continue;
        }
        let start = out.len();
        let mut template = None;
        let res = if line.len() > MAX_LINE {
            Err(format!(
                "line is {} bytes, over the {MAX_LINE} byte limit",
                line.len()
            ))
        } else if let Some((status, text)) = scan::scan(line, &mut w.scratch) {
            if !w.templates.skipped() {
                template = w.templates.mark(line, &w.scratch);
            }
            if let Some(th) = template {
                if w.templates.replay(th, &mut out) {
                    out.push(b'\n');
                    continue;
                }
            }
            w.scratch.decode(text);
            if template.is_some() && !w.templates.cut(line, &mut w.scratch) {
                template = None;
            }
            let r = explain_read(catalog, status, &w.scratch, line);
            if template.is_some() && !w.templates.stands_for_line(&r) {
                // The marked reading does not answer for this line (see `template`): read it as it is.
                template = None;
                w.templates.refuse();
                explain_with(catalog, line, &mut w.scratch)
            } else {
                Ok(r)
            }
        } else {
            explain_unscanned(catalog, line)
        };
        let written = match res {
            Ok(r) => {
                counts.add(&r);
                let written = if write_report(&mut out, &r) {
                    Ok(())
                } else {
                    serde_json::to_writer(&mut out, &r)
                };
                if written.is_ok() {
                    // A line with request ids is kept as its shape only: the ids make the line itself
                    // unique, and keeping it would only push out lines that do come back.
                    match template {
                        Some(th) => w.templates.keep(th, &mut out, start, &r, &mut summary),
                        None if !w.templates.skipped() => {
                            memo.keep(hash, line, &out[start..], &r, &mut summary)
                        }
                        None => {}
                    }
                }
                written
            }
            Err(error) => {
                summary.errors += 1;
                serde_json::to_writer(&mut out, &LineError { line: this, error })
            }
        };
        if written.is_ok() {
            out.push(b'\n');
        }
    }
    // Each chunk's summary carries its own replays, so totals never depend on how chunks were shared.
    memo.flush(&mut summary);
    w.templates.flush(&mut summary);
    counts.drain_into(&mut summary);
    Done {
        seq: job.seq,
        out,
        summary,
    }
}

/// Writes `r` as serde_json's compact form would, byte for byte, but faster: strings are copied in runs
/// between the few bytes JSON escapes instead of byte by byte. Returns `false`, writing nothing, for a
/// report with probe-run parts (phase, timings, assertions, TLS), which explaining never fills; the caller
/// then uses serde_json.
fn write_report(out: &mut Vec<u8>, r: &Report) -> bool {
    if r.phase.is_some() || r.timings_ms.is_some() || !r.assertions.is_empty() || r.tls.is_some() {
        return false;
    }
    out.extend_from_slice(if r.ok {
        b"{\"ok\":true,\"url\":"
    } else {
        b"{\"ok\":false,\"url\":"
    });
    opt_str(out, r.url.as_deref());
    out.extend_from_slice(b",\"status\":");
    match r.status {
        Some(s) => {
            out.extend_from_slice(itoa::Buffer::new().format(s).as_bytes());
        }
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"category\":");
    opt_str(out, r.category.map(|c| c.as_str()));
    for (key, v) in [
        (&b",\"code\":"[..], &r.code),
        (b",\"name\":", &r.name),
        (b",\"title\":", &r.title),
        (b",\"format\":", &r.format),
        (b",\"vendor\":", &r.vendor),
        (b",\"vendor_code\":", &r.vendor_code),
        (b",\"message\":", &r.message),
        (b",\"field\":", &r.field),
        (b",\"permission\":", &r.permission),
        (b",\"resource\":", &r.resource),
    ] {
        out.extend_from_slice(key);
        opt_str(out, v.as_deref());
    }
    out.extend_from_slice(b",\"retryable\":");
    out.extend_from_slice(match r.retryable {
        Some(true) => b"true",
        Some(false) => b"false",
        None => b"null",
    });
    out.extend_from_slice(b",\"retry_after_s\":");
    // Numbers go through serde_json itself: its float formatting is the reference.
    if serde_json::to_writer(&mut *out, &r.retry_after_s).is_err() {
        return false;
    }
    out.extend_from_slice(b",\"confidence\":");
    if serde_json::to_writer(&mut *out, &r.confidence).is_err() {
        return false;
    }
    out.extend_from_slice(b",\"evidence\":");
    str_list(out, &r.evidence);
    out.extend_from_slice(b",\"conflict\":");
    opt_str(out, r.conflict.as_deref());
    out.extend_from_slice(b",\"next_steps\":");
    str_list(out, &r.next_steps);
    out.extend_from_slice(
        b",\"phase\":null,\"timings_ms\":null,\"assertions\":[],\"remote_addr\":",
    );
    opt_str(out, r.remote_addr.as_deref());
    out.extend_from_slice(b",\"tls\":null,\"aliases\":[");
    for (i, a) in r.aliases.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"tool\":");
        json_str(out, &a.tool);
        out.extend_from_slice(b",\"code\":");
        json_str(out, &a.code);
        out.push(b'}');
    }
    out.extend_from_slice(b"],\"details\":{");
    for (i, (k, v)) in r.details.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json_str(out, k);
        out.push(b':');
        json_str(out, v);
    }
    out.extend_from_slice(b"}}");
    true
}

fn opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => json_str(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

fn str_list(out: &mut Vec<u8>, items: &[String]) {
    out.push(b'[');
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json_str(out, s);
    }
    out.push(b']');
}

/// Marks (bit 7 of the byte) the bytes of `x` (little-endian) that a JSON string cannot hold as they
/// are: control characters, `"` and `\\`. The lowest mark is always right, so `trailing_zeros() / 8` is
/// the first such byte; marks above it may be false (borrows), which an "any" test does not mind.
/// The scanner's `scan::special_bytes` marks exactly, at a few more operations a word: the writer
/// needs only the first mark, and with the exact test it ran 1% more instructions per batch line.
fn json_special_mask(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    fn zero_byte(v: u64) -> u64 {
        v.wrapping_sub(ONES) & !v & HIGH
    }
    (x.wrapping_sub(ONES * 0x20) & !x & HIGH)
        | zero_byte(x ^ (ONES * u64::from(b'"')))
        | zero_byte(x ^ (ONES * u64::from(b'\\')))
}

/// The first byte at or after `i` that a JSON string cannot hold as it is (see [`json_special_mask`]),
/// found eight bytes at a time.
#[inline]
fn next_json_special(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start;
    // Long plain runs (titles, next steps, evidence) are passed sixteen bytes at a time: the test
    // below compiles to a few vector instructions.
    while let Some(chunk) = bytes.get(i..i + 16) {
        let special = chunk.iter().fold(0u8, |acc, &b| {
            acc | u8::from((b < 0x20) | (b == b'"') | (b == b'\\'))
        });
        if special != 0 {
            break;
        }
        i += 16;
    }
    let word = |at: usize| {
        bytes
            .get(at..at + 8)
            .and_then(|w| w.try_into().ok())
            .map(u64::from_le_bytes)
    };
    while let Some(w) = word(i) {
        let mask = json_special_mask(w);
        if mask != 0 {
            return Some(i + (mask.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    if i >= bytes.len() {
        return None;
    }
    // The last few bytes: the word that ends the string, overlapping bytes this call found plain. Plain
    // bytes below cause no false marks, so its lowest mark is the answer.
    if let Some(last) = bytes.len().checked_sub(8).filter(|&at| at >= start) {
        let mask = json_special_mask(word(last)?);
        return (mask != 0).then(|| last + (mask.trailing_zeros() / 8) as usize);
    }
    // Fewer than eight bytes searched.
    bytes
        .get(i..)?
        .iter()
        .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
        .map(|k| i + k)
}

/// A JSON string exactly as serde_json writes it: `"` and `\\` escaped, the control characters as
/// `\\b \\t \\n \\f \\r` or `\\u00xx`, everything else (DEL, non-ASCII) as is.
fn json_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    while let Some(k) = next_json_special(bytes, start) {
        out.extend_from_slice(&bytes[start..k]);
        start = k + 1;
        match bytes[k] {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            b => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]),
        }
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Reads JSON Lines from `input`, writes one JSON line per input line to `out`, in order; returns the counts.
pub fn run<R: Read, W: Write + Send>(
    catalog: &Catalog,
    mut input: R,
    out: W,
    opts: &Options,
) -> io::Result<Summary> {
    let workers = if opts.workers == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        opts.workers
    };
    let (job_tx, job_rx) = sync_channel::<Job>(workers * 2);
    let (done_tx, done_rx) = sync_channel::<Done>(workers * 2);
    // Used buffers go back to be filled again: fresh large buffers cost page faults on every chunk.
    let (free_in_tx, free_in_rx) = channel::<Vec<u8>>();
    let (free_out_tx, free_out_rx) = channel::<Vec<u8>>();
    let job_rx = Mutex::new(job_rx);
    let free_out_rx = Mutex::new(free_out_rx);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let done_tx = done_tx.clone();
            let free_in_tx = free_in_tx.clone();
            let (job_rx, free_out_rx) = (&job_rx, &free_out_rx);
            scope.spawn(move || {
                let mut worker = Worker::default();
                loop {
                    let job = match job_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok(job) = job else { return };
                    let out = free_out_rx
                        .lock()
                        .ok()
                        .and_then(|rx| rx.try_recv().ok())
                        .unwrap_or_else(|| Vec::with_capacity(job.len * 3));
                    let done = work(catalog, &job, out, &mut worker);
                    let _ = free_in_tx.send(job.data);
                    if done_tx.send(done).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_tx);
        drop(free_in_tx);
        let writer = scope.spawn(move || write_in_order(done_rx, out, free_out_tx));
        let read = feed(&mut input, &job_tx, &free_in_rx);
        drop(job_tx);
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the writer thread failed")));
        read?;
        written
    })
}

/// Cuts the input into chunks that end on a line break and queues them.
fn feed<R: Read>(
    input: &mut R,
    tx: &std::sync::mpsc::SyncSender<Job>,
    free: &Receiver<Vec<u8>>,
) -> io::Result<()> {
    let mut seq = 0;
    let mut line_no = 1u64;
    let mut carry: Vec<u8> = Vec::new();
    loop {
        // A buffer back from a worker keeps its length: only new room is zeroed, not every chunk.
        let mut buf = free.try_recv().unwrap_or_default();
        let start = carry.len();
        let want = start + CHUNK;
        if buf.len() < want {
            buf.resize(want, 0);
        }
        buf[..start].copy_from_slice(&carry);
        carry.clear();
        let mut filled = start;
        let mut eof = false;
        while filled < want {
            match input.read(&mut buf[filled..want]) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let mut len = filled;
        if !eof {
            match memchr::memrchr(b'\n', &buf[..filled]) {
                Some(i) => {
                    carry.extend_from_slice(&buf[i + 1..filled]);
                    len = i + 1;
                }
                // No line break in the whole buffer: one very long line; keep reading it.
                None if filled <= MAX_LINE + 1 => {
                    carry.extend_from_slice(&buf[..filled]);
                    continue;
                }
                None => {}
            }
        }
        if len > 0 {
            let lines = memchr::memchr_iter(b'\n', &buf[..len]).count() as u64;
            let job = Job {
                seq,
                first_line: line_no,
                data: buf,
                len,
            };
            line_no += lines;
            seq += 1;
            if tx.send(job).is_err() {
                return Ok(());
            }
        }
        if eof {
            return Ok(());
        }
    }
}

fn write_in_order<W: Write>(
    rx: Receiver<Done>,
    mut out: W,
    free: std::sync::mpsc::Sender<Vec<u8>>,
) -> io::Result<Summary> {
    let mut next = 0u64;
    let mut waiting: HashMap<u64, Done> = HashMap::new();
    let mut total = Summary::default();
    let mut failed: Option<io::Error> = None;
    for done in rx {
        waiting.insert(done.seq, done);
        while let Some(d) = waiting.remove(&next) {
            next += 1;
            if failed.is_none() {
                if let Err(e) = out.write_all(&d.out) {
                    failed = Some(e);
                }
            }
            total.merge(d.summary);
            let _ = free.send(d.out);
        }
    }
    if let Some(e) = failed {
        return Err(e);
    }
    out.flush()?;
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_str(input: &str, workers: usize) -> (String, Summary) {
        let mut out = Vec::new();
        let s = run(
            Catalog::builtin(),
            input.as_bytes(),
            &mut out,
            &Options { workers },
        )
        .unwrap();
        (String::from_utf8(out).unwrap(), s)
    }

    #[test]
    fn keeps_order_and_reports_bad_lines_in_place() {
        let mut input = String::new();
        for i in 0..5000 {
            if i % 1000 == 7 {
                input.push_str("{\"status\": 4\n");
            } else {
                input.push_str(&format!(
                    "{{\"status\":{},\"headers\":{{\"retry-after\":\"{}\"}},\"body\":\"\"}}\n",
                    400 + i % 100,
                    i
                ));
            }
        }
        let (out, s) = run_str(&input, 3);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 5000);
        assert_eq!(s.lines, 5000);
        assert_eq!(s.errors, 5);
        assert!(lines[7].starts_with("{\"line\":8,"), "{}", lines[7]);
        let r: Report = serde_json::from_str(lines[4999]).unwrap();
        assert_eq!(r.retry_after_s, Some(4999.0));
        assert_eq!(r.status, Some(499));
    }

    proptest::proptest! {
        #[test]
        fn strings_are_written_as_serde_json_writes_them(s in "(?s).{0,40}", ctl in 0u8..0x20, at in 0usize..41) {
            let mut with_ctl = s.clone();
            let at = with_ctl.char_indices().map(|(i, _)| i).nth(at).unwrap_or(with_ctl.len());
            with_ctl.insert(at, char::from(ctl));
            for text in [s, with_ctl] {
                let mut ours = Vec::new();
                json_str(&mut ours, &text);
                let theirs = serde_json::to_vec(&text).unwrap_or_default();
                proptest::prop_assert_eq!(ours, theirs);
            }
        }
    }

    #[test]
    fn fast_report_writer_matches_serde_json() {
        use apiprobe_catalog::AliasRef;
        let tricky = "q\"b\\s\u{1}\u{8}\u{c}\n\r\t\u{1f}\u{7f} é 日本 🙂 </script>";
        let mut full = Report {
            url: Some(tricky.to_string()),
            status: Some(503),
            category: Some(apiprobe_catalog::Category::Auth),
            code: Some("PRB-1102".into()),
            name: Some(tricky.into()),
            title: Some("t".into()),
            format: Some("f".into()),
            vendor: Some("v".into()),
            vendor_code: Some("".into()),
            message: Some(tricky.into()),
            field: Some("x".into()),
            permission: Some("p".into()),
            resource: Some("r".into()),
            retryable: Some(false),
            retry_after_s: Some(1.5e-7),
            confidence: 0.93,
            evidence: vec![tricky.into(), String::new()],
            conflict: Some("c".into()),
            next_steps: vec!["a".into()],
            remote_addr: Some("127.0.0.1:80".into()),
            aliases: vec![
                AliasRef {
                    tool: "curl".into(),
                    code: "7".into(),
                },
                AliasRef {
                    tool: tricky.into(),
                    code: "E".into(),
                },
            ],
            ..Report::default()
        };
        full.details.insert("request_id".into(), tricky.into());
        full.details.insert("a".into(), "b".into());
        let mut ok = Report {
            ok: true,
            retry_after_s: Some(30.0),
            retryable: Some(true),
            confidence: 1.0,
            ..Report::default()
        };
        for r in [Report::default(), full.clone(), ok.clone()] {
            let mut fast = Vec::new();
            assert!(write_report(&mut fast, &r));
            assert_eq!(
                String::from_utf8(fast).unwrap(),
                serde_json::to_string(&r).unwrap()
            );
        }
        // Every byte value at every offset of an 8-byte word, as serde_json escapes it.
        for b in 0u8..0x80 {
            for pad in 0..10 {
                let text = format!("{}{}{}", "a".repeat(pad), b as char, "é".repeat(pad % 3));
                let mut fast = Vec::new();
                json_str(&mut fast, &text);
                assert_eq!(fast, serde_json::to_vec(&text).unwrap(), "{text:?}");
            }
        }
        ok.phase = Some(apiprobe_catalog::Phase::Dns);
        let mut fast = Vec::new();
        assert!(!write_report(&mut fast, &ok));
        assert!(fast.is_empty());
    }

    #[test]
    fn header_values_are_strings_numbers_or_lists_of_strings() {
        let input = "{\"status\":429,\"headers\":{\"retry-after\":12,\"x-a\":[\"1\",\"2\"],\"x-b\":1.5}}\n{\"status\":429,\"headers\":{\"retry-after\":true}}\n{\"status\":429,\"headers\":{\"x\":[\"a\",{\"b\":[1]}]}}\n";
        let (out, s) = run_str(input, 1);
        let lines: Vec<&str> = out.lines().collect();
        let r: Report = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(r.retry_after_s, Some(12.0));
        assert_eq!(s.errors, 2);
        assert!(
            lines[1].contains("did not match any variant"),
            "{}",
            lines[1]
        );
        assert!(lines[2].contains("column 45"), "{}", lines[2]);
    }

    #[test]
    fn a_family_that_never_repeats_is_left_out_without_changing_any_output() {
        // One family (status and header names); bodies differ for 300 lines, then repeat.
        let mut input = String::new();
        for i in 0..400 {
            let item = if i < 300 { i } else { i % 3 };
            input.push_str(&format!(
                "{{\"status\":404,\"headers\":{{\"content-type\":\"application/json\",\"x-request-id\":\"req_{i:08}\"}},\"body\":\"{{\\\"error\\\":{{\\\"code\\\":\\\"NotFound\\\",\\\"message\\\":\\\"item {item} was not found\\\"}}}}\"}}\n"
            ));
        }
        let (out, s) = run_str(&input, 1);
        assert_eq!(s.lines, 400);
        for (got, line) in out.lines().zip(input.lines()) {
            let alone = explain_line(Catalog::builtin(), line.as_bytes()).unwrap();
            assert_eq!(got, serde_json::to_string(&alone).unwrap());
        }
    }

    #[test]
    fn accepts_raw_responses_and_header_lists() {
        let input = "{\"raw\":\"HTTP/1.1 429 Too Many Requests\\r\\nRetry-After: 7\\r\\n\\r\\n\"}\n{\"status\":401,\"headers\":[[\"WWW-Authenticate\",\"Bearer error=\\\"invalid_token\\\"\"]]}\n\n{\"status\":\"x\"}\n[1]\n";
        let (out, s) = run_str(input, 1);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 4);
        let r: Report = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(r.retry_after_s, Some(7.0));
        let r: Report = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(r.vendor_code.as_deref(), Some("invalid_token"));
        assert!(lines[2].contains("\"line\":4"));
        assert!(lines[3].contains("\"line\":5"));
        assert_eq!((s.lines, s.errors), (4, 2));
    }
}
