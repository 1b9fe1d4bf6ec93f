//! The common batch line read without serde: `{"status":N,"headers":{"name":"value",..},"body":".."}`.
//!
//! Nearly every line of a log has this one shape, and reading it through serde costs an allocation per
//! header name, per header value and for the body. This reader works in two steps. [`scan`] checks the
//! line and notes where each string lies in it; [`Scratch::decode`] then fills buffers that live as long
//! as the worker.
//!
//! It is strict: it answers only for lines that serde would read to the very same status, headers and
//! body, and returns `None` for everything else (other members such as `raw`, header values that are
//! numbers or lists, duplicate members, escapes it does not decode, bad UTF-8, trailing bytes, a status
//! outside 100–999...). The caller then takes the serde path, which has the error messages.

/// Where a JSON string's contents (between its quotes) lie in the line.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Span {
    pub start: usize,
    pub end: usize,
    /// Whether it holds escapes: without them the raw bytes are the decoded text.
    pub escaped: bool,
}

/// Where the body of the line last scanned is.
#[derive(Debug, Clone, Copy)]
enum Body {
    /// In the line, without escapes.
    Raw(usize, usize),
    /// Decoded: the first `n` bytes of the scratch buffer.
    Decoded(usize),
}

/// Buffers reused from line to line.
#[derive(Default)]
pub(super) struct Scratch {
    /// Name and value spans of the headers of the line last scanned.
    spans: Vec<(Span, Span)>,
    /// Where the body is: `None` without one, else in the line as it is or decoded into `body`.
    body_at: Option<Body>,
    /// The decoded body is `body[..n]` for [`Body::Decoded`]`(n)`. The scan lengthens the buffer to
    /// the room a line needs before writing to it, so whole words past `n` need no zeroing first.
    body: Vec<u8>,
    headers: Vec<(String, String)>,
    used: usize,
}

impl Scratch {
    /// Decodes the headers of `text`, the line last given to [`scan`] as the scan gave it back; its
    /// body was decoded by the scan.
    pub(super) fn decode(&mut self, text: &str) {
        if self.headers.len() < self.spans.len() {
            self.headers.resize_with(self.spans.len(), Default::default);
        }
        for ((name, value), (n, v)) in self.headers.iter_mut().zip(&self.spans) {
            decode_into(text, *n, name);
            decode_into(text, *v, value);
        }
        self.used = self.spans.len();
    }

    /// The headers decoded by [`Scratch::decode`] and the body of `line`, as bytes: the explainer checks
    /// them as UTF-8 itself.
    pub(super) fn parts<'s>(&'s self, line: &'s [u8]) -> (&'s [(String, String)], &'s [u8]) {
        let headers = self.headers.get(..self.used).unwrap_or_default();
        let body = match self.body_at {
            Some(Body::Decoded(n)) => self.body.get(..n),
            Some(Body::Raw(start, end)) => line.get(start..end),
            None => None,
        };
        let body = body.unwrap_or_default();
        (headers, body)
    }
}

/// Checks that `line` has the common shape and notes its strings in `scratch`; returns the status and
/// the line as text. `None` sends the line down the serde path.
pub(super) fn scan<'l>(line: &'l [u8], scratch: &mut Scratch) -> Option<(u16, &'l str)> {
    scratch.spans.clear();
    scratch.body_at = None;
    scratch.used = 0;
    // Checked once for the whole line: outside strings only ASCII is valid JSON anyway, and escapes are
    // ASCII, so every string's text is UTF-8 exactly when the line is. Spans then slice it for free.
    let text = std::str::from_utf8(line).ok()?;
    let mut r = Reader { b: line, i: 0 };
    r.ws();
    r.eat(b'{')?;
    let (mut status, mut seen_headers, mut seen_body) = (None, false, false);
    r.ws();
    if !r.eat_if(b'}') {
        loop {
            r.ws();
            let key = r.plain_string()?;
            r.ws();
            r.eat(b':')?;
            r.ws();
            match key {
                b"status" if status.is_none() => status = Some(r.status()?),
                b"headers" if !seen_headers => {
                    seen_headers = true;
                    if !r.null() {
                        r.headers(&mut scratch.spans)?;
                    }
                }
                b"body" if !seen_body => {
                    seen_body = true;
                    if !r.null() {
                        scratch.body_at = Some(r.body(&mut scratch.body)?);
                    }
                }
                // `raw`, a repeated member or any other member: serde decides.
                _ => return None,
            }
            r.ws();
            if r.eat_if(b',') {
                continue;
            }
            r.eat(b'}')?;
            break;
        }
    }
    r.ws();
    if r.i != line.len() {
        return None;
    }
    Some((status?, text))
}

/// The decoded text of a string `span` of `line` (checked by [`scan`]) into `out`, replacing what it held.
fn decode_into(line: &str, span: Span, out: &mut String) {
    out.clear();
    let raw = line.get(span.start..span.end).unwrap_or_default();
    if !span.escaped {
        out.push_str(raw);
        return;
    }
    let mut bytes = std::mem::take(out).into_bytes();
    unescape(raw.as_bytes(), &mut bytes);
    // Escapes decode to ASCII, so this holds; on the impossible failure the buffer is kept, empty.
    *out = String::from_utf8(bytes).unwrap_or_else(|e| {
        let mut bytes = e.into_bytes();
        bytes.clear();
        String::from_utf8(bytes).unwrap_or_default()
    });
}

/// The byte a JSON escape `\c` stands for (the escapes [`scan`] lets through; `\u` is not one of them).
fn unescaped(c: u8) -> Option<u8> {
    Some(match c {
        b'"' | b'\\' | b'/' => c,
        b'b' => 0x08,
        b'f' => 0x0c,
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        _ => return None,
    })
}

/// Appends `raw` (string contents [`scan`] accepted) with its escapes decoded. Eight bytes are copied at
/// a time and the write position moves on by the bytes before the next backslash, so the short runs
/// between escapes (a JSON body inside a JSON string escapes every quote) cost no call each.
fn unescape(raw: &[u8], out: &mut Vec<u8>) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let base = out.len();
    // Room for a whole word written at the last position.
    out.resize(base + raw.len() + 8, 0);
    let buf = &mut out[base..];
    let (mut src, mut dst) = (0, 0);
    while src < raw.len() {
        let Some(word) = raw.get(src..src + 8) else {
            // The last few bytes, one at a time.
            let (Some(&c), Some(slot)) = (raw.get(src), buf.get_mut(dst)) else {
                break;
            };
            if c == b'\\' {
                *slot = raw.get(src + 1).copied().and_then(unescaped).unwrap_or(c);
                src += 2;
            } else {
                *slot = c;
                src += 1;
            }
            dst += 1;
            continue;
        };
        let Some(slot) = buf.get_mut(dst..dst + 8) else {
            break;
        };
        slot.copy_from_slice(word);
        let x = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
        let v = x ^ (ONES * u64::from(b'\\'));
        // The lowest marked byte is the first backslash (marks above it may be false).
        let mask = v.wrapping_sub(ONES) & !v & HIGH;
        if mask == 0 {
            src += 8;
            dst += 8;
            continue;
        }
        let k = (mask.trailing_zeros() / 8) as usize;
        src += k;
        dst += k;
        if let Some(slot) = buf.get_mut(dst) {
            *slot = raw
                .get(src + 1)
                .copied()
                .and_then(unescaped)
                .unwrap_or(b'\\');
        }
        src += 2;
        dst += 1;
    }
    out.truncate(base + dst);
}

/// The eight bytes of `b` from `i` as a little-endian word, padded with spaces past the end; `None` when
/// `i` is past the end.
fn word_at(b: &[u8], i: usize) -> Option<u64> {
    if let Some(w) = b.get(i..i + 8) {
        return w.try_into().ok().map(u64::from_le_bytes);
    }
    let rest = b.get(i..).filter(|r| !r.is_empty())?;
    let mut w = [b' '; 8];
    for (d, s) in w.iter_mut().zip(rest) {
        *d = *s;
    }
    Some(u64::from_le_bytes(w))
}

/// Marks (bit 7 of the byte) exactly the bytes of `x` that end a run of plain string bytes: control
/// characters, `"` and `\\`. Each byte is tested in its low seven bits, so no carry crosses bytes.
fn special_bytes(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let is_zero = |v: u64| !(((v & LOW) + LOW) | v) & HIGH;
    let control = !(((x & LOW) + ONES * 0x60) | x) & HIGH;
    control | is_zero(x ^ (ONES * u64::from(b'"'))) | is_zero(x ^ (ONES * u64::from(b'\\')))
}

struct Reader<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        self.eat_if(c).then_some(())
    }

    fn eat_if(&mut self, c: u8) -> bool {
        let hit = self.peek() == Some(c);
        if hit {
            self.i += 1;
        }
        hit
    }

    fn null(&mut self) -> bool {
        let hit = self.b.get(self.i..self.i + 4) == Some(b"null");
        if hit {
            self.i += 4;
        }
        hit
    }

    /// An HTTP status: digits only, no leading zero, 100–999 (anything else is serde's to judge).
    fn status(&mut self) -> Option<u16> {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        let digits = self.b.get(start..self.i)?;
        if digits.len() != 3 || digits[0] == b'0' {
            return None;
        }
        // A fraction or exponent makes it a float, which serde refuses for a status.
        if matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        Some(
            digits
                .iter()
                .fold(0u16, |n, d| n * 10 + u16::from(d - b'0')),
        )
    }

    /// A string with no escapes, as raw bytes (member names).
    fn plain_string(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let start = self.i;
        let end = start + memchr::memchr2(b'"', b'\\', self.b.get(start..)?)?;
        if self.b[end] != b'"' {
            return None;
        }
        self.i = end + 1;
        self.b.get(start..end)
    }

    /// A JSON string checked as serde_json checks it: no raw control characters, escapes among the JSON
    /// ones (`\u` escapes go to serde); UTF-8 is checked for the whole line. Returns where its contents
    /// lie.
    fn string(&mut self) -> Option<Span> {
        self.eat(b'"')?;
        let b = self.b;
        let start = self.i;
        let mut i = start;
        let mut escaped = false;
        'words: loop {
            // `None`: the line ends inside the string.
            let mut marks = special_bytes(word_at(b, i)?);
            // Every special byte of the word, lowest first, without loading it again.
            while marks != 0 {
                let j = (marks.trailing_zeros() / 8) as usize;
                let k = i + j;
                match *b.get(k)? {
                    b'"' => {
                        self.i = k + 1;
                        return Some(Span {
                            start,
                            end: k,
                            escaped,
                        });
                    }
                    b'\\' => {
                        unescaped(*b.get(k + 1)?)?;
                        escaped = true;
                        // The escaped byte is next: past this word, or cleared with all below it.
                        if j == 7 {
                            i = k + 2;
                            continue 'words;
                        }
                        marks &= u64::MAX.checked_shl(8 * (j as u32 + 2)).unwrap_or(0);
                    }
                    // A raw control character, which JSON does not allow in a string.
                    _ => return None,
                }
            }
            i += 8;
        }
    }

    /// The body string, checked as [`Reader::string`] checks and decoded in the same pass into `buf`
    /// when it holds escapes. Each word is copied whole; at an escape the rest of the word, still in
    /// the register, is copied again one place further down, so the short runs between escapes (a JSON
    /// body inside a JSON string escapes every quote) cost neither a call nor a fresh load each.
    fn body(&mut self, buf: &mut Vec<u8>) -> Option<Body> {
        self.eat(b'"')?;
        let b = self.b;
        let start = self.i;
        // Decoded text is never longer than the rest of the line; a word may be written past its end.
        let room = b.len() - start + 8;
        if buf.len() < room {
            buf.resize(room, 0);
        }
        let (mut src, mut dst) = (start, 0);
        let mut escaped = false;
        'words: loop {
            // `None`: the line ends inside the string.
            let word = word_at(b, src)?;
            buf.get_mut(dst..dst + 8)?
                .copy_from_slice(&word.to_le_bytes());
            let mut marks = special_bytes(word);
            // Bytes of the word already dealt with.
            let mut used = 0;
            while marks != 0 {
                let j = (marks.trailing_zeros() / 8) as usize;
                src += j - used;
                dst += j - used;
                match *b.get(src)? {
                    b'"' => {
                        self.i = src + 1;
                        return Some(if escaped {
                            Body::Decoded(dst)
                        } else {
                            Body::Raw(start, src)
                        });
                    }
                    b'\\' => {
                        *buf.get_mut(dst)? = unescaped(*b.get(src + 1)?)?;
                        escaped = true;
                        src += 2;
                        dst += 1;
                        used = j + 2;
                        if used >= 8 {
                            // The escaped byte ended the word, or lies in the next one.
                            continue 'words;
                        }
                        let rest = word >> (8 * used);
                        buf.get_mut(dst..dst + 8)?
                            .copy_from_slice(&rest.to_le_bytes());
                        marks &= u64::MAX << (8 * used);
                    }
                    // A raw control character, which JSON does not allow in a string.
                    _ => return None,
                }
            }
            src += 8 - used;
            dst += 8 - used;
        }
    }

    /// A headers object whose values are all strings; the spans of names and values go to `spans`.
    fn headers(&mut self, spans: &mut Vec<(Span, Span)>) -> Option<()> {
        self.eat(b'{')?;
        self.ws();
        if self.eat_if(b'}') {
            return Some(());
        }
        loop {
            self.ws();
            let name = self.string()?;
            self.ws();
            self.eat(b':')?;
            self.ws();
            let value = self.string()?;
            spans.push((name, value));
            self.ws();
            if self.eat_if(b',') {
                continue;
            }
            return self.eat(b'}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    type Read = (u16, Vec<(String, String)>, String);

    fn read(line: &str) -> Option<Read> {
        let mut s = Scratch::default();
        let (status, text) = scan(line.as_bytes(), &mut s)?;
        s.decode(text);
        let (headers, body) = s.parts(line.as_bytes());
        Some((
            status,
            headers.to_vec(),
            String::from_utf8(body.to_vec()).ok()?,
        ))
    }

    fn pair(n: &str, v: &str) -> (String, String) {
        (n.to_string(), v.to_string())
    }

    #[test]
    fn reads_the_common_shape_in_any_order() {
        let got = read(
            r#" {"body":"{\"a\":\"x\\ny\"}","headers":{"Content-Type":"application/json","x":""},"status":404} "#,
        );
        assert_eq!(
            got,
            Some((
                404,
                vec![pair("Content-Type", "application/json"), pair("x", "")],
                "{\"a\":\"x\\ny\"}".to_string()
            ))
        );
        assert_eq!(
            read(r#"{"status":500}"#),
            Some((500, vec![], String::new()))
        );
        assert_eq!(
            read(r#"{"status":502,"headers":null,"body":null}"#),
            Some((502, vec![], String::new()))
        );
        assert_eq!(
            read(r#"{"status":400,"headers":{},"body":"\/\b\f\r\t\"é"}"#),
            Some((400, vec![], "/\u{8}\u{c}\r\t\"é".to_string()))
        );
    }

    #[test]
    fn leaves_everything_else_to_serde() {
        for line in [
            "",
            "{",
            "{}",
            r#"{"status":404"#,
            r#"{"status":404}x"#,
            r#"{"status":404,}"#,
            r#"{"status":"404"}"#,
            r#"{"status":404.0}"#,
            r#"{"status":4e2}"#,
            r#"{"status":0404}"#,
            r#"{"status":99}"#,
            r#"{"status":1000}"#,
            r#"{"status":-404}"#,
            r#"{"status":404,"status":500}"#,
            r#"{"status":404,"raw":"HTTP/1.1 404"}"#,
            r#"{"status":404,"extra":1}"#,
            r#"{"st\u0061tus":404}"#,
            r#"{"status":404,"headers":{"a":1}}"#,
            r#"{"status":404,"headers":{"a":["x","y"]}}"#,
            r#"{"status":404,"headers":[["a","b"]]}"#,
            r#"{"status":404,"body":"\u00e9"}"#,
            r#"{"status":404,"body":"\x"}"#,
            "{\"status\":404,\"body\":\"a\tb\"}",
            r#"{"status":404,"body":"unterminated}"#,
            r#"{"status":404,"body":5}"#,
        ] {
            assert_eq!(read(line), None, "{line}");
        }
        let mut s = Scratch::default();
        assert!(scan(b"{\"status\":404,\"body\":\"\xff\"}", &mut s).is_none());
    }

    #[test]
    fn buffers_are_reused_without_leaking_between_lines() {
        let mut s = Scratch::default();
        let mut read_into = |line: &[u8]| {
            let (_, text) = scan(line, &mut s)?;
            s.decode(text);
            let (headers, body) = s.parts(line);
            Some((headers.to_vec(), String::from_utf8(body.to_vec()).ok()?))
        };
        let a = read_into(br#"{"status":401,"headers":{"a":"1","b":"2"},"body":"long \"body\""}"#);
        assert_eq!(
            a,
            Some((vec![pair("a", "1"), pair("b", "2")], "long \"body\"".into()))
        );
        let b = read_into(br#"{"status":500,"headers":{"c":"3"}}"#);
        assert_eq!(b, Some((vec![pair("c", "3")], String::new())));
        // A line refused halfway leaves nothing behind for the next one.
        assert!(read_into(br#"{"status":500,"headers":{"d":"4","e":1}}"#).is_none());
        let c = read_into(br#"{"status":503}"#);
        assert_eq!(c, Some((vec![], String::new())));
    }

    #[test]
    fn special_bytes_are_marked_exactly() {
        for pos in 0..8 {
            for c in 0u8..=255 {
                let mut w = [b'a'; 8];
                w[pos] = c;
                // A special byte below must not disturb the marks above it.
                w[0] = if pos == 0 { c } else { b'"' };
                let marks = special_bytes(u64::from_le_bytes(w));
                for (k, &byte) in w.iter().enumerate() {
                    let want = byte < 0x20 || byte == b'"' || byte == b'\\';
                    assert_eq!(marks >> (8 * k + 7) & 1 == 1, want, "{w:?} byte {k}");
                }
            }
        }
    }

    #[test]
    fn unescaping_matches_serde_at_every_offset() {
        for pad in 0..20 {
            for esc in ["\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"] {
                let raw = format!("{}{esc}{}{esc}{esc}é", "a".repeat(pad), "b".repeat(pad % 9));
                let mut out = b"keep".to_vec();
                unescape(raw.as_bytes(), &mut out);
                let want: String = serde_json::from_str(&format!("\"{raw}\"")).unwrap();
                assert_eq!(out, [b"keep".as_slice(), want.as_bytes()].concat(), "{raw}");
            }
        }
    }

    /// Whatever `scan` reads, serde reads the same way.
    fn agrees_with_serde(line: &[u8]) {
        let mut s = Scratch::default();
        let Some((status, text)) = scan(line, &mut s) else {
            return;
        };
        s.decode(text);
        let (headers, body) = s.parts(line);
        let l: super::super::line::Line<'_> = match serde_json::from_slice(line) {
            Ok(l) => l,
            Err(e) => panic!("scan read a line serde refuses ({e}): {line:?}"),
        };
        assert!(l.raw.is_none());
        assert_eq!(l.status, Some(status));
        assert_eq!(l.headers.map(|h| h.0).unwrap_or_default(), headers);
        assert_eq!(l.body.as_deref().unwrap_or("").as_bytes(), body);
    }

    fn member() -> impl Strategy<Value = String> {
        let text = "[a-zA-Z0-9 \"\\\\/\t\n\u{7f}\u{e9}\u{1F600}-]{0,12}";
        prop_oneof![
            prop_oneof![
                Just("404"),
                Just("99"),
                Just("0404"),
                Just("404.0"),
                Just("null"),
                Just("\"500\"")
            ]
            .prop_map(|v| format!("\"status\":{v}")),
            prop::collection::vec((text, text), 0..4).prop_map(|hs| {
                let obj: serde_json::Map<String, serde_json::Value> =
                    hs.into_iter().map(|(k, v)| (k, v.into())).collect();
                format!("\"headers\":{}", serde_json::Value::Object(obj))
            }),
            text.prop_map(|b| format!("\"body\":{}", serde_json::Value::from(b))),
            Just("\"body\":null".to_string()),
            Just("\"raw\":\"HTTP/1.1 500\"".to_string()),
        ]
    }

    proptest::proptest! {
        #[test]
        fn generated_lines_read_alike(members in prop::collection::vec(member(), 0..5), ws in "[ \t]{0,2}") {
            let line = format!("{ws}{{{}}}{ws}", members.join(&format!(",{ws}")));
            agrees_with_serde(line.as_bytes());
        }

        #[test]
        fn damaged_lines_read_alike(
            members in prop::collection::vec(member(), 1..4),
            cuts in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        ) {
            let mut line = format!("{{{}}}", members.join(",")).into_bytes();
            for (at, byte) in cuts {
                let i = at.index(line.len());
                line[i] = byte;
            }
            agrees_with_serde(&line);
        }
    }
}
