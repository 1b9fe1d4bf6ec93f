//! The common batch line read without serde: `{"status":N,"headers":{"name":"value",..},"body":".."}`.
//!
//! Nearly every line of a log has this one shape, and reading it through serde costs an allocation per
//! header name, per header value and for the body. This reader fills buffers that live as long as the
//! worker instead. It is strict: it answers only for lines that serde would read to the very same
//! status, headers and body, and returns `None` for everything else (other members such as `raw`,
//! header values that are numbers or lists, duplicate members, escapes it does not decode, bad UTF-8,
//! trailing bytes, a status outside 100–999...). The caller then takes the serde path, which has the
//! error messages.

/// Buffers reused from line to line.
#[derive(Default)]
pub(super) struct Scratch {
    body: String,
    headers: Vec<(String, String)>,
    used: usize,
}

impl Scratch {
    /// The headers and body of the line last read by [`scan`] (only meaningful after a `Some`).
    pub(super) fn parts(&self) -> (&[(String, String)], &str) {
        (
            self.headers.get(..self.used).unwrap_or_default(),
            &self.body,
        )
    }

    /// The headers of the line last read, to change values in place.
    pub(super) fn headers_mut(&mut self) -> &mut [(String, String)] {
        let used = self.used.min(self.headers.len());
        &mut self.headers[..used]
    }
}

/// A line read by [`scan`]: borrowed from the [`Scratch`] it was read into.
pub(super) struct Parts<'s> {
    pub status: u16,
    pub headers: &'s [(String, String)],
    pub body: &'s str,
}

/// Reads `line` into `scratch` when it has the common shape; `None` sends it down the serde path.
pub(super) fn scan<'s>(line: &[u8], scratch: &'s mut Scratch) -> Option<Parts<'s>> {
    scratch.body.clear();
    scratch.used = 0;
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
                        r.headers(scratch)?;
                    }
                }
                b"body" if !seen_body => {
                    seen_body = true;
                    if !r.null() {
                        r.string_into(&mut scratch.body)?;
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
    let status = status?;
    Some(Parts {
        status,
        headers: &scratch.headers[..scratch.used],
        body: &scratch.body,
    })
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

    /// A JSON string decoded into `out` (replacing what it held), validated as serde_json validates
    /// it: no raw control characters, UTF-8 throughout, escapes among the JSON ones. `\u` escapes go
    /// to serde. On `None`, `out` holds some of the string or nothing.
    fn string_into(&mut self, out: &mut String) -> Option<()> {
        // Decoded as bytes into the emptied buffer (its capacity kept) and checked as UTF-8 once.
        out.clear();
        let mut bytes = std::mem::take(out).into_bytes();
        let read = self.bytes_into(&mut bytes);
        match String::from_utf8(bytes) {
            Ok(s) => {
                *out = s;
                read
            }
            Err(e) => {
                let mut bytes = e.into_bytes();
                bytes.clear();
                *out = String::from_utf8(bytes).unwrap_or_default();
                None
            }
        }
    }

    fn bytes_into(&mut self, out: &mut Vec<u8>) -> Option<()> {
        self.eat(b'"')?;
        let b = self.b;
        let mut run = self.i;
        loop {
            // `None`: the line ends inside the string.
            let k = super::next_json_special(b, run)?;
            out.extend_from_slice(b.get(run..k)?);
            match *b.get(k)? {
                b'"' => {
                    self.i = k + 1;
                    return Some(());
                }
                b'\\' => {
                    out.push(match *b.get(k + 1)? {
                        c @ (b'"' | b'\\' | b'/') => c,
                        b'b' => 0x08,
                        b'f' => 0x0c,
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        _ => return None,
                    });
                    run = k + 2;
                }
                // A raw control character, which JSON does not allow in a string.
                _ => return None,
            }
        }
    }

    /// A headers object whose values are all strings; names and values go into the reused pairs.
    fn headers(&mut self, scratch: &mut Scratch) -> Option<()> {
        self.eat(b'{')?;
        self.ws();
        if self.eat_if(b'}') {
            return Some(());
        }
        loop {
            self.ws();
            if scratch.used == scratch.headers.len() {
                scratch.headers.push(Default::default());
            }
            let (name, value) = scratch.headers.get_mut(scratch.used)?;
            name.clear();
            value.clear();
            self.string_into(name)?;
            self.ws();
            self.eat(b':')?;
            self.ws();
            self.string_into(value)?;
            scratch.used += 1;
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
        scan(line.as_bytes(), &mut s).map(|p| (p.status, p.headers.to_vec(), p.body.to_string()))
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
        let a = scan(
            br#"{"status":401,"headers":{"a":"1","b":"2"},"body":"long body"}"#,
            &mut s,
        )
        .map(|p| (p.headers.len(), p.body.len()));
        assert_eq!(a, Some((2, 9)));
        let b = scan(br#"{"status":500,"headers":{"c":"3"}}"#, &mut s)
            .map(|p| (p.headers.to_vec(), p.body.to_string()));
        assert_eq!(b, Some((vec![pair("c", "3")], String::new())));
        // A line refused halfway leaves nothing behind for the next one.
        assert!(scan(br#"{"status":500,"headers":{"d":"4","e":1}}"#, &mut s).is_none());
        let c = scan(br#"{"status":503}"#, &mut s).map(|p| p.headers.len());
        assert_eq!(c, Some(0));
    }

    /// Whatever `scan` reads, serde reads the same way.
    fn agrees_with_serde(line: &[u8]) {
        let mut s = Scratch::default();
        let Some(p) = scan(line, &mut s) else { return };
        let l: super::super::Line<'_> = match serde_json::from_slice(line) {
            Ok(l) => l,
            Err(e) => panic!("scan read a line serde refuses ({e}): {line:?}"),
        };
        assert!(l.raw.is_none());
        assert_eq!(l.status, Some(p.status));
        assert_eq!(l.headers.map(|h| h.0).unwrap_or_default(), p.headers);
        assert_eq!(l.body.as_deref().unwrap_or(""), p.body);
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
