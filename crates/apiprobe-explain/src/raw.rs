//! Raw HTTP responses as `curl -si` (or `-siL`, `-v` stripped, `nc`) prints them: a status line, header
//! lines, a blank line, the body. HTTP/1.0, 1.1, 2 and 3 status lines; CRLF or bare LF line ends.
//!
//! Several heads in a row are the interim or intermediate responses curl shows before the final one
//! (`100 Continue`, `103 Early Hints`, a proxy's `200 Connection established`, each redirect under `-L`):
//! only the last response is kept.

use crate::HttpResponse;

/// Most header lines read from one head; past this the input is not a real response.
pub const MAX_HEADERS: usize = 100_000;

/// Why bytes could not be read as an HTTP response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Nothing but whitespace.
    #[error("the input is empty")]
    Empty,
    /// The first line is not an `HTTP/<version> <status>` line.
    #[error("the input does not start with an HTTP status line (saw {start:?})")]
    NotHttp {
        /// The first few characters, for the message.
        start: String,
    },
    /// A status line whose status is not three digits.
    #[error("bad status line at byte {offset}: {line:?} (expected e.g. 'HTTP/1.1 404 Not Found' or 'HTTP/2 404')")]
    BadStatusLine {
        /// Where the line starts.
        offset: usize,
        /// The line, shortened.
        line: String,
    },
    /// More header lines than [`MAX_HEADERS`].
    #[error("more than {MAX_HEADERS} header lines in one response head")]
    TooManyHeaders,
}

/// Whether `bytes` (after leading blank lines) starts like an HTTP status line.
pub fn looks_like_http(bytes: &[u8]) -> bool {
    let b = skip_blank(bytes, 0);
    bytes[b..].starts_with(b"HTTP/")
}

fn skip_blank(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\r' | b'\n') {
        i += 1;
    }
    i
}

/// The line starting at `i`: (content without CR/LF, index after the line end).
fn line_at(bytes: &[u8], i: usize) -> (&[u8], usize) {
    match memchr::memchr(b'\n', &bytes[i..]) {
        Some(n) => {
            let mut line = &bytes[i..i + n];
            if line.last() == Some(&b'\r') {
                line = &line[..line.len() - 1];
            }
            (line, i + n + 1)
        }
        None => {
            let mut line = &bytes[i..];
            if line.last() == Some(&b'\r') {
                line = &line[..line.len() - 1];
            }
            (line, bytes.len())
        }
    }
}

fn shorten(line: &[u8]) -> String {
    let s = String::from_utf8_lossy(&line[..line.len().min(60)]);
    s.into_owned()
}

/// Parses `HTTP/1.1 404 Not Found`, `HTTP/2 404`, `HTTP/3 200`; `None` when the status is not 3 digits.
fn status_of(line: &[u8]) -> Option<u16> {
    let rest = line.strip_prefix(b"HTTP/")?;
    let sp = rest.iter().position(|&c| c == b' ')?;
    let version = &rest[..sp];
    if version.is_empty() || !version.iter().all(|c| c.is_ascii_digit() || *c == b'.') {
        return None;
    }
    let after = &rest[sp..];
    let after = &after[after.iter().position(|&c| c != b' ')?..];
    let digits = after.get(..3)?;
    if !digits.iter().all(u8::is_ascii_digit)
        || after.get(3).is_some_and(|c| *c != b' ' && *c != b'\t')
    {
        return None;
    }
    let n = digits
        .iter()
        .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'));
    (100..=999).contains(&n).then_some(n)
}

/// Reads a raw response; with several in a row, the last. Header names keep their spelling.
pub fn parse_raw(bytes: &[u8]) -> Result<HttpResponse, ParseError> {
    let mut i = skip_blank(bytes, 0);
    if i >= bytes.len() {
        return Err(ParseError::Empty);
    }
    if !bytes[i..].starts_with(b"HTTP/") {
        return Err(ParseError::NotHttp {
            start: shorten(&bytes[i..]),
        });
    }
    loop {
        let start = i;
        let (line, next) = line_at(bytes, i);
        let status = status_of(line).ok_or_else(|| ParseError::BadStatusLine {
            offset: start,
            line: shorten(line),
        })?;
        i = next;
        let mut headers: Vec<(String, String)> = Vec::new();
        while i < bytes.len() {
            let (line, next) = line_at(bytes, i);
            i = next;
            if line.is_empty() {
                break;
            }
            if matches!(line[0], b' ' | b'\t') {
                // obs-fold (RFC 9112 section 5.2): a continuation of the previous header value.
                if let Some((_, v)) = headers.last_mut() {
                    v.push(' ');
                    v.push_str(String::from_utf8_lossy(line).trim());
                }
                continue;
            }
            if headers.len() >= MAX_HEADERS {
                return Err(ParseError::TooManyHeaders);
            }
            // A line without a colon is not a header; curl never prints one, so skip it rather than fail.
            if let Some(colon) = memchr::memchr(b':', line) {
                let name = String::from_utf8_lossy(&line[..colon]).trim().to_string();
                let value = String::from_utf8_lossy(&line[colon + 1..])
                    .trim()
                    .to_string();
                if !name.is_empty() {
                    headers.push((name, value));
                }
            }
        }
        // Another head follows: this one was interim (1xx), a proxy CONNECT reply, or a followed redirect.
        let after = skip_blank(bytes, i);
        if after < bytes.len()
            && bytes[after..].starts_with(b"HTTP/")
            && status_of(line_at(bytes, after).0).is_some()
        {
            i = after;
            continue;
        }
        let mut body = bytes[i.min(bytes.len())..].to_vec();
        let chunked = headers.iter().any(|(n, v)| {
            n.eq_ignore_ascii_case("transfer-encoding")
                && v.to_ascii_lowercase().contains("chunked")
        });
        if chunked {
            if let Some(decoded) = dechunk(&body) {
                body = decoded;
            }
        }
        return Ok(HttpResponse {
            status,
            headers,
            body,
        });
    }
}

/// Decodes a chunked body captured raw (curl decodes it, `nc` does not); `None` when it is not chunked.
fn dechunk(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    loop {
        if i >= body.len() {
            // A capture cut short still gives the chunks read so far.
            return (!out.is_empty()).then_some(out);
        }
        let (line, next) = line_at(body, i);
        let size_text = line.split(|&c| c == b';').next()?;
        let size_text = std::str::from_utf8(size_text).ok()?.trim();
        let size = usize::from_str_radix(size_text, 16).ok()?;
        if size == 0 {
            return Some(out);
        }
        let end = next.checked_add(size)?;
        let chunk = body.get(next..end.min(body.len()))?;
        out.extend_from_slice(chunk);
        i = skip_crlf(body, end);
    }
}

fn skip_crlf(b: &[u8], mut i: usize) -> usize {
    if b.get(i) == Some(&b'\r') {
        i += 1;
    }
    if b.get(i) == Some(&b'\n') {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_http11_with_crlf() {
        let r =
            parse_raw(b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n\r\nnope").unwrap();
        assert_eq!(r.status, 404);
        assert_eq!(
            r.headers,
            vec![("Content-Type".to_string(), "text/plain".to_string())]
        );
        assert_eq!(r.body, b"nope");
    }

    #[test]
    fn reads_http2_and_http3_lines_with_lf() {
        assert_eq!(
            parse_raw(b"HTTP/2 429\nretry-after: 3\n\n{}")
                .unwrap()
                .status,
            429
        );
        assert_eq!(parse_raw(b"HTTP/3 200\n\n").unwrap().status, 200);
        assert_eq!(
            parse_raw(b"HTTP/1.0 503 Service Unavailable\n")
                .unwrap()
                .status,
            503
        );
    }

    #[test]
    fn keeps_the_last_of_several_responses() {
        let raw = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 301 Moved Permanently\r\nLocation: /b\r\n\r\nHTTP/2 403\r\nserver: x\r\n\r\ndenied";
        let r = parse_raw(raw).unwrap();
        assert_eq!(r.status, 403);
        assert_eq!(r.headers.len(), 1);
        assert_eq!(r.body, b"denied");
    }

    #[test]
    fn status_line_alone_and_headers_without_body() {
        let r = parse_raw(b"HTTP/1.1 500").unwrap();
        assert_eq!((r.status, r.headers.len(), r.body.len()), (500, 0, 0));
        let r = parse_raw(b"HTTP/1.1 502 Bad Gateway\r\nServer: nginx\r\n").unwrap();
        assert_eq!((r.status, r.headers.len(), r.body.len()), (502, 1, 0));
    }

    #[test]
    fn rejects_what_is_not_a_response() {
        assert_eq!(parse_raw(b"  \n"), Err(ParseError::Empty));
        assert!(matches!(
            parse_raw(b"curl: (7) Failed to connect"),
            Err(ParseError::NotHttp { .. })
        ));
        assert!(matches!(
            parse_raw(b"HTTP/1.1 abc\r\n"),
            Err(ParseError::BadStatusLine { .. })
        ));
        assert!(matches!(
            parse_raw(b"HTTP/1.1 4040 x"),
            Err(ParseError::BadStatusLine { .. })
        ));
    }

    #[test]
    fn folds_continuation_lines_and_skips_junk_lines() {
        let r = parse_raw(b"HTTP/1.1 400 x\nA: one\n  two\njunk\nB: 3\n\nbody").unwrap();
        assert_eq!(r.headers[0].1, "one two");
        assert_eq!(r.headers[1].0, "B");
    }

    #[test]
    fn decodes_a_raw_chunked_body() {
        let r = parse_raw(b"HTTP/1.1 500 x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n").unwrap();
        assert_eq!(r.body, b"Wikipedia");
        // curl already decoded it: the body stays as it is.
        let r =
            parse_raw(b"HTTP/1.1 500 x\r\nTransfer-Encoding: chunked\r\n\r\n{\"a\":1}").unwrap();
        assert_eq!(r.body, b"{\"a\":1}");
    }

    #[test]
    fn ten_thousand_headers_are_read() {
        let mut raw = b"HTTP/1.1 431 x\r\n".to_vec();
        for n in 0..10_000 {
            raw.extend_from_slice(format!("X-H{n}: v\r\n").as_bytes());
        }
        raw.extend_from_slice(b"\r\n");
        assert_eq!(parse_raw(&raw).unwrap().headers.len(), 10_000);
    }

    proptest! {
        #[test]
        fn never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse_raw(&bytes);
        }

        #[test]
        fn never_panics_on_response_shapes(
            status in "[0-9]{0,4}", version in "(1\\.0|1\\.1|2|3|x)",
            lines in prop::collection::vec("[ -~]{0,20}", 0..8), body in "(?s).{0,64}",
            crlf in any::<bool>(),
        ) {
            let eol = if crlf { "\r\n" } else { "\n" };
            let raw = format!("HTTP/{version} {status} R{eol}{}{eol}{body}", lines.join(eol));
            let _ = parse_raw(raw.as_bytes());
        }
    }
}
