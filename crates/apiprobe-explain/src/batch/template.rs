//! Lines that differ only in their request ids, explained once.
//!
//! In a real log the same error comes back many times with a new `x-request-id` (or `request-id`,
//! `cf-ray`, ...) each time, so [`super::memo`]'s exact-line cache misses them all. Explaining only echoes
//! such a value (see [`crate::headers::is_echoed_id`]): it lands in `details` and in the "quote request
//! id" step, and otherwise only its presence and its issuer prefix count (letters and a `_` or `-`:
//! Stripe's `req_`). So a line is explained with each such value cut to its prefix plus a marker
//! character, the output is kept with the markers in it, and every line of that shape gets the kept
//! output with its own values put back.
//!
//! An id that the body repeats as `<RequestId>id</RequestId>` (S3 and the other AWS XML errors send
//! the `x-amz-request-id` again there) is cut in the body too, with the header's marker. That is sound
//! only for the reader that takes the element's text as an opaque id: the marked reading of such a line
//! is used (and kept) only when it is an AWS XML error, else the line is read again as it is; and only
//! for ids of letters, digits, `-` and `_`, which cannot change how XML or JSON around them is read.
//! The decoded body must hold the id exactly once, in that element, so the copy cut in the raw line
//! is that one (an escape cannot spell the id's bytes without making a second copy).
//!
//! Only values that JSON writes byte for byte (printable ASCII without `"` or `\`, no surrounding
//! spaces) take this path, and only lines whose text holds no marker character of its own; anything
//! else is explained as it is.
//!
//! The key of a shape is the raw line with each marked value's end replaced by its marker. It is kept
//! only from a line read in full (`super::scan`), so it stands for a valid line whose marked values are
//! exactly its echoed ids. A new line is first looked up before any reading: its ids are found by
//! walking the `"name":"value"` pairs of its headers object, unchecked. That guess needs no proof: when
//! the key it gives is one kept, the line is a kept line with other plain values in the marked places,
//! which is still valid JSON of the same shape, so its output is the kept one with its own values put
//! back. A guess that misses costs a lookup, and the line is then read in full and looked up by its
//! real key.

use super::memo::Memo;
use super::scan::{Scratch, Span};
use super::Summary;
use crate::headers::is_echoed_id;
use std::hash::{BuildHasher, Hasher};

/// The markers: private-use characters U+E000.., one per echoed header of a line (UTF-8 `EE 80 80+k`).
const MARK_LEAD: [u8; 2] = [0xee, 0x80];
/// At most this many echoed headers per line take the template path.
const MAX_MARKS: usize = 16;
/// Values longer than this are explained as they are.
const MAX_VALUE: usize = 256;

/// Per-worker state of the template path.
#[derive(Default)]
pub(super) struct Templates {
    memo: Memo,
    /// The line as it was read, each marked value's end replaced by its marker.
    key: Vec<u8>,
    /// The cut-off ends of the echoed values, by marker number.
    ends: Vec<Vec<u8>>,
    /// Which headers were marked (index into the scanned headers) and how much of each value stays.
    marked: Vec<(usize, usize)>,
    /// The cut-off ends of the marked values: where each lies in the line, and its marker. Header
    /// values come first, marker `k` for the `k`th; then their copies in the body, with the same marker.
    cuts: Vec<(usize, usize, usize)>,
    /// The whole of each marked header value (before its cut), by marker.
    values: Vec<(usize, usize)>,
    /// Finds `<RequestId>` in a body.
    request_id: Option<memchr::memmem::Finder<'static>>,
    /// The hash of the key the cuts guessed before reading gave (the cuts, key and ends are still in
    /// place for [`Templates::mark`] to reuse).
    guessed: Option<u64>,
    spare: Vec<u8>,
    /// Finds where the headers object starts.
    headers: Option<memchr::memmem::Finder<'static>>,
    /// How the shapes of each family of lines (same status and header names) have fared.
    families: Vec<Family>,
    /// The family of the line being handled, when its headers could be walked.
    family: Option<u64>,
    /// The line being handled belongs to a family whose shapes never come back: leave it alone.
    skip: bool,
}

/// Kept shapes and hits of one family of lines. A family whose bodies differ every time (an S3 error
/// names its request id in the body, a validation error its value) never hits, and keeping its shapes
/// only costs copies and pushes out shapes that do come back; after [`FAMILY_TRIAL`] keeps without a
/// hit it is left out, and one line in [`FAMILY_RETRY`] still tries, so a change is noticed.
#[derive(Clone, Copy, Default)]
struct Family {
    hash: u64,
    kept: u32,
    hits: u32,
    passed: u32,
}

/// Slots of the family table (a power of two).
const FAMILIES: usize = 256;
/// Keeps without a hit before a family is left out.
const FAMILY_TRIAL: u32 = 32;
/// While left out, one line in this many still takes the template path.
const FAMILY_RETRY: u32 = 64;

/// The issuer prefix of an id: leading letters and the `_` or `-` after them (`req_`), else nothing.
fn issuer_prefix(v: &[u8]) -> usize {
    let letters = v.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    match v.get(letters) {
        Some(b'_' | b'-') if letters > 0 => letters + 1,
        _ => 0,
    }
}

/// Whether `v` is written by JSON byte for byte and has something after its issuer prefix.
fn plain_value(v: &[u8]) -> bool {
    v.len() <= MAX_VALUE
        && v.len() > issuer_prefix(v)
        && v.iter()
            .all(|&b| (0x21..0x7f).contains(&b) && b != b'"' && b != b'\\')
}

/// The marker for number `k` (below [`MAX_MARKS`]): U+E000 + k, UTF-8 `EE 80 80+k`.
fn marker(k: usize) -> char {
    char::from_u32(0xe000 + (k as u32 & 0x3f)).unwrap_or('\u{e000}')
}

impl Templates {
    /// Marks the echoed headers of `line`, just scanned into `scratch`, working on its raw bytes: a
    /// line whose output is kept needs no decoding. `None` when the line has no such header (or
    /// cannot take this path).
    pub(super) fn mark(&mut self, line: &[u8], scratch: &Scratch) -> Option<u64> {
        self.marked.clear();
        let raw = |s: Span| line.get(s.start..s.end);
        let spans = scratch.header_spans();
        for (i, &(name, value)) in spans.iter().enumerate() {
            // A string with escapes is not its raw bytes; such a header is left as it is.
            if name.escaped || value.escaped {
                continue;
            }
            let (Some(n), Some(v)) = (raw(name), raw(value)) else {
                continue;
            };
            if is_echoed_id(n) && plain_value(v) {
                if self.marked.len() == MAX_MARKS {
                    return None;
                }
                self.marked.push((i, issuer_prefix(v)));
            }
        }
        let guessed = self.guessed.take();
        let guessed_cuts = self.cuts.len();
        // The real cuts go after the guessed ones, to be compared with them.
        self.values.clear();
        for (k, &(i, kept)) in self.marked.iter().enumerate() {
            let value = spans.get(i).map_or(Span::default(), |s| s.1);
            self.values.push((value.start, value.end));
            self.cuts.push((value.start + kept, value.end, k));
        }
        let after_headers = spans.iter().map(|(_, v)| v.end + 1).max().unwrap_or(0);
        self.add_body_cuts(line, after_headers, guessed_cuts);
        let (guess, real) = self.cuts.split_at(guessed_cuts);
        // The guess made before reading, if any: when the real cuts are the same, so is the key.
        let same = guess == real;
        self.cuts.drain(..guessed_cuts);
        match guessed {
            Some(hash) if same => Some(hash),
            _ => self.key_from_cuts(line),
        }
    }

    /// Adds to `cuts` (after its first `first` entries) the copies of the marked header values (the
    /// entries from `first` on) that the body, in `line[from..]`, repeats as `<RequestId>value</RequestId>`.
    fn add_body_cuts(&mut self, line: &[u8], from: usize, first: usize) {
        let Some(rest) = line.get(from..) else {
            return;
        };
        let tag = self
            .request_id
            .get_or_insert_with(|| memchr::memmem::Finder::new(REQUEST_ID_OPEN).into_owned());
        if self.cuts.len() == first || tag.find(rest).is_none() {
            return;
        }
        let header_cuts = self.cuts.len();
        // Each `<RequestId>` element's text, against each marked value. The one copy that the decoded body
        // must hold is checked when the line is read (`Templates::cut`); a line guessed before reading
        // needs no check: matching a kept key, it is a kept line with other values in the marked places.
        let mut at = 0;
        while let Some(found) = rest.get(at..).and_then(|r| tag.find(r)) {
            at += found + REQUEST_ID_OPEN.len();
            let text = &rest[at..];
            let Some(len) = memchr::memchr(b'<', text) else {
                break;
            };
            if !text[len..].starts_with(REQUEST_ID_CLOSE) || !opaque_id(&text[..len]) {
                continue;
            }
            for c in first..header_cuts {
                let (cut, _, k) = self.cuts[c];
                let Some(&(start, end)) = self.values.get(k) else {
                    continue;
                };
                if line[start..end] == text[..len] {
                    self.cuts
                        .push((from + at + (cut - start), from + at + len, k));
                }
            }
        }
        self.cuts[header_cuts..].sort_unstable();
    }

    /// Writes the kept output for `line`, not read yet, when the shape its headers suggest is kept (see
    /// the module notes); `false` otherwise.
    pub(super) fn replay_unread(&mut self, line: &[u8], out: &mut Vec<u8>) -> bool {
        self.cuts.clear();
        self.values.clear();
        self.guessed = None;
        self.family = None;
        self.skip = false;
        if self.guess_cuts(line).is_none() || self.cuts.is_empty() {
            return false;
        }
        if let Some(f) = self.family.and_then(|h| self.family_of(h)) {
            if f.kept >= FAMILY_TRIAL && f.hits == 0 {
                f.passed = f.passed.wrapping_add(1);
                if f.passed % FAMILY_RETRY != 0 {
                    self.skip = true;
                    return false;
                }
            }
        }
        self.guessed = self.key_from_cuts(line);
        match self.guessed {
            Some(hash) => self.replay(hash, out),
            None => false,
        }
    }

    /// Fills `cuts` from the `"name":"value"` pairs of the line's `"headers"` object, read without any
    /// checks (a wrong guess only misses); `None` when the object is not in its compact form.
    fn guess_cuts(&mut self, line: &[u8]) -> Option<()> {
        let headers = self
            .headers
            .get_or_insert_with(|| memchr::memmem::Finder::new(b"\"headers\":{").into_owned());
        let mut i = headers.find(line)? + 11;
        // The family: what comes before the headers (the status, in the common shape) and their names.
        let mut family = foldhash::fast::FixedState::default().build_hasher();
        family.write(&line[..i]);
        loop {
            if line.get(i) != Some(&b'"') {
                return None;
            }
            let name_end = i + 1 + memchr::memchr(b'"', line.get(i + 1..)?)?;
            if line.get(name_end..name_end + 3)? != b"\":\"" {
                return None;
            }
            let start = name_end + 3;
            let end = start + memchr::memchr(b'"', line.get(start..)?)?;
            let value = &line[start..end];
            family.write(&line[i..name_end]);
            if is_echoed_id(&line[i + 1..name_end]) && plain_value(value) {
                if self.cuts.len() == MAX_MARKS {
                    return None;
                }
                let k = self.cuts.len();
                self.values.push((start, end));
                self.cuts.push((start + issuer_prefix(value), end, k));
            }
            match line.get(end + 1)? {
                b',' => i = end + 2,
                b'}' => {
                    self.family = Some(family.finish());
                    self.add_body_cuts(line, end + 2, 0);
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// Builds the key and the cut-off ends from `cuts`; the key's hash, or `None` when nothing is cut
    /// or the line holds a marker of its own.
    fn key_from_cuts(&mut self, line: &[u8]) -> Option<u64> {
        // A marker already in the text would be mistaken for ours (escapes decode to ASCII only, so
        // the raw line holds one whenever the text does).
        if self.cuts.is_empty() || find_lead(line).is_some() {
            return None;
        }
        self.key.clear();
        let headers = self
            .cuts
            .iter()
            .enumerate()
            .take_while(|&(c, &(_, _, k))| c == k)
            .count();
        self.ends.resize_with(headers, Vec::new);
        let mut at = 0;
        for (c, &(cut, end, k)) in self.cuts.iter().enumerate() {
            self.key.extend_from_slice(line.get(at..cut)?);
            self.key
                .extend_from_slice(marker(k).encode_utf8(&mut [0; 4]).as_bytes());
            let value_end = line.get(cut..end)?;
            let kept_end = self.ends.get_mut(k)?;
            if c == k {
                kept_end.clear();
                kept_end.extend_from_slice(value_end);
            } else if kept_end != value_end {
                // A body copy that is not the header's value: not this path.
                return None;
            }
            at = end;
        }
        self.key.extend_from_slice(line.get(at..)?);
        Some(self.memo.hash(&self.key))
    }

    /// Cuts the marked values of the decoded line in `scratch` as [`Templates::mark`] cut them in the key;
    /// `false`, cutting nothing, when a body copy cut in the key is not the decoded body's one copy.
    pub(super) fn cut(&self, line: &[u8], scratch: &mut Scratch) -> bool {
        let body_cuts = &self.cuts[self.marked.len().min(self.cuts.len())..];
        if !body_cuts.is_empty() {
            // Where each copy lies in the decoded body, found before anything changes.
            let mut places = [(0usize, 0usize, 0usize); MAX_MARKS];
            let (_, body) = scratch.parts(line);
            // Only an XML body: there the id is the text of its own element (see the module notes).
            if body.trim_ascii_start().first() != Some(&b'<') {
                return false;
            }
            for (place, &(_, _, k)) in places.iter_mut().zip(body_cuts) {
                let (Some(&(start, end)), Some(&(cut, _, _))) =
                    (self.values.get(k), self.cuts.get(k))
                else {
                    return false;
                };
                let Some(at) = body_copy(body, &line[start..end]) else {
                    return false;
                };
                // The header's own cut: the copy keeps the same issuer prefix.
                *place = (at + (cut - start), at + (end - start), k);
            }
            // From the last copy back, so earlier places stay where they are.
            for &(from, to, k) in places[..body_cuts.len()].iter().rev() {
                let mark = marker(k);
                if !scratch.splice_body(line, from..to, mark.encode_utf8(&mut [0; 4]).as_bytes()) {
                    return false;
                }
            }
        }
        let headers = scratch.headers_mut();
        for (k, &(i, kept)) in self.marked.iter().enumerate() {
            if let Some((_, value)) = headers.get_mut(i) {
                value.truncate(kept);
                value.push(marker(k));
            }
        }
        true
    }

    /// Whether the shape being kept cuts a copy of an id in the body (see the module notes).
    pub(super) fn cuts_body(&self) -> bool {
        self.cuts.len() > self.marked.len()
    }

    /// Whether the line being handled was left out of the template path ([`Family`]): it is then
    /// neither marked nor kept.
    pub(super) fn skipped(&self) -> bool {
        self.skip
    }

    /// The table slot family `hash` goes to, whichever family holds it now.
    fn family_place(&mut self, hash: u64) -> Option<&mut Family> {
        if self.families.is_empty() {
            self.families = vec![Family::default(); FAMILIES];
        }
        self.families.get_mut((hash >> 56) as usize % FAMILIES)
    }

    /// The table slot of family `hash`, when it holds that family.
    fn family_of(&mut self, hash: u64) -> Option<&mut Family> {
        self.family_place(hash).filter(|f| f.hash == hash)
    }

    /// Writes the kept output for the marked line to `out`, values put back; `false` when not kept.
    pub(super) fn replay(&mut self, hash: u64, out: &mut Vec<u8>) -> bool {
        match self.memo.get(hash, &self.key) {
            Some(kept) => {
                unmark(kept, &self.ends, out);
                if let Some(f) = self.family.and_then(|h| self.family_of(h)) {
                    f.hits = f.hits.saturating_add(1);
                }
                true
            }
            None => false,
        }
    }

    /// Keeps `out[start..]`, the output of the marked line, then puts the values back into it.
    pub(super) fn keep(
        &mut self,
        hash: u64,
        out: &mut Vec<u8>,
        start: usize,
        report: &apiprobe_catalog::Report,
        summary: &mut Summary,
    ) {
        let written = out.get(start..).unwrap_or_default();
        self.memo.keep(hash, &self.key, written, report, summary);
        self.count_keep();
        self.put_back(out, start);
    }

    /// Whether `report`, the reading of the marked line, answers for the line itself: always, but where
    /// a copy of an id was cut in the body, which stands for an opaque id only where the AWS XML reader
    /// took it (see the module notes).
    pub(super) fn stands_for_line(&self, report: &apiprobe_catalog::Report) -> bool {
        !self.cuts_body() || report.format.as_deref() == Some("aws")
    }

    /// Notes a marked line whose reading did not answer for it: counted for its family like a keep
    /// without a hit, so a family of such lines is soon left out.
    pub(super) fn refuse(&mut self) {
        self.count_keep();
    }

    /// Counts a keep for the family of the line being handled.
    fn count_keep(&mut self) {
        if let Some(h) = self.family {
            if let Some(f) = self.family_place(h) {
                if f.hash != h {
                    // A new family takes the slot over.
                    *f = Family {
                        hash: h,
                        ..Family::default()
                    };
                }
                f.kept = f.kept.saturating_add(1);
            }
        }
    }

    /// Puts the values back into `out[start..]`, the output of the marked line.
    fn put_back(&mut self, out: &mut Vec<u8>, start: usize) {
        let written = out.get(start..).unwrap_or_default();
        let mut spare = std::mem::take(&mut self.spare);
        spare.clear();
        spare.extend_from_slice(written);
        out.truncate(start);
        unmark(&spare, &self.ends, out);
        self.spare = spare;
    }

    /// Adds replays since the last flush to `summary`.
    pub(super) fn flush(&mut self, summary: &mut Summary) {
        self.memo.flush(summary);
    }
}

/// The element that holds the request id in AWS XML errors.
const REQUEST_ID_OPEN: &[u8] = b"<RequestId>";
const REQUEST_ID_CLOSE: &[u8] = b"</RequestId>";

/// Whether `value` is an id that XML and JSON around it cannot read otherwise than as it stands: letters,
/// digits, `-` and `_`.
fn opaque_id(value: &[u8]) -> bool {
    !value.is_empty()
        && value
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Where `value` stands in `body` as the one copy of it there, right inside `<RequestId>..</RequestId>`.
fn body_copy(body: &[u8], value: &[u8]) -> Option<usize> {
    if !opaque_id(value) {
        return None;
    }
    let at = memchr::memmem::find(body, value)?;
    let once = memchr::memmem::find(&body[at + 1..], value).is_none();
    let inside = body[..at].ends_with(REQUEST_ID_OPEN)
        && body[at + value.len()..].starts_with(REQUEST_ID_CLOSE);
    (once && inside).then_some(at)
}

/// Where the two lead bytes of a marker first stand in `bytes` (a memchr for the first byte: lead
/// bytes are rare in text, and a two-byte pattern is not worth building a searcher for).
fn find_lead(bytes: &[u8]) -> Option<usize> {
    memchr::memchr_iter(MARK_LEAD[0], bytes).find(|&i| bytes.get(i + 1) == Some(&MARK_LEAD[1]))
}

/// Copies `marked` to `out`, each marker replaced by the value end it stands for.
fn unmark(marked: &[u8], ends: &[Vec<u8>], out: &mut Vec<u8>) {
    let mut rest = marked;
    while let Some(at) = find_lead(rest) {
        let k = rest.get(at + 2).map(|b| usize::from(b.wrapping_sub(0x80)));
        out.extend_from_slice(&rest[..at]);
        match k.and_then(|k| ends.get(k)) {
            Some(end) => {
                out.extend_from_slice(end);
                rest = &rest[at + 3..];
            }
            // Not one of ours (cannot happen: lines holding the lead bytes never get here); kept as is.
            None => {
                out.extend_from_slice(&MARK_LEAD);
                rest = &rest[at + 2..];
            }
        }
    }
    out.extend_from_slice(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_values_are_cut() {
        assert!(plain_value(b"req_8d7f6a5e4b3c"));
        assert!(plain_value(b"769FA399E1BFFF1A"));
        assert!(plain_value(b"abcd"));
        assert!(!plain_value(b"req_"), "nothing left after the prefix");
        assert!(!plain_value(b" req_123"));
        assert!(!plain_value(b"req 123"));
        assert!(!plain_value(b"req_\"1\""));
        assert!(!plain_value("req_é".as_bytes()));
        assert!(!plain_value("x".repeat(MAX_VALUE + 1).as_bytes()));
    }

    #[test]
    fn the_issuer_prefix_is_letters_and_a_separator() {
        assert_eq!(issuer_prefix(b"req_8d7f"), 4);
        assert_eq!(issuer_prefix(b"abc-123"), 4);
        assert_eq!(issuer_prefix(b"769FA399"), 0);
        assert_eq!(issuer_prefix(b"request123"), 0);
        assert_eq!(issuer_prefix(b"_x"), 0);
    }

    #[test]
    fn markers_are_replaced_by_their_values() {
        let ends = vec![b"123".to_vec(), b"xyz".to_vec()];
        let mut out = Vec::new();
        let marked = "a req_\u{e000} b \u{e001}\u{e000}".as_bytes();
        unmark(marked, &ends, &mut out);
        assert_eq!(out, b"a req_123 b xyz123");
    }
}
