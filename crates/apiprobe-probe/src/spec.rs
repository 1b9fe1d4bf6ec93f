//! What one check asks for: the request, the connection options and the expectations on the response.
//!
//! The expectation syntax is shared by `apiprobe check` flags and suite files:
//! - status: `200`, `2xx`, `20x`, or a comma list (`200,204`);
//! - header: `Name: regex` (or just `Name` to require the header);
//! - json: `$.path OP value` with OP one of `==`, `!=`, `<`, `<=`, `>`, `>=`, or `$.path exists`;
//!   the value is JSON (`true`, `3`, `"x"`) or, when it is not valid JSON, a bare string;
//! - latency: a duration (`300ms`, `2s`).

use regex::Regex;
use serde_json_path::JsonPath;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

/// A malformed option or expectation, said in the words the user wrote.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    /// `--expect-status` could not be read.
    #[error("status pattern '{0}' is not a status (200) or a class (2xx)")]
    Status(String),
    /// `--expect-header` could not be read.
    #[error("header expectation '{input}': {reason}")]
    Header {
        /// As written.
        input: String,
        /// What is wrong.
        reason: String,
    },
    /// `--expect-json` could not be read.
    #[error("JSON expectation '{input}': {reason}")]
    Json {
        /// As written.
        input: String,
        /// What is wrong.
        reason: String,
    },
    /// A duration could not be read.
    #[error("duration '{input}': {reason} (try 300ms, 2s, 1m)")]
    Duration {
        /// As written.
        input: String,
        /// What is wrong.
        reason: String,
    },
    /// `--resolve` could not be read.
    #[error("resolve entry '{0}' is not HOST:PORT:ADDR (for example api.test:443:127.0.0.1)")]
    Resolve(String),
    /// `-H` could not be read.
    #[error("header '{0}' is not 'Name: value'")]
    RequestHeader(String),
    /// `--json-body` is not JSON.
    #[error("the JSON body is not valid JSON: {0}")]
    JsonBody(String),
    /// `http` is not a version the probe speaks.
    #[error("http = '{0}': use \"1.1\", \"2\" or \"auto\"")]
    HttpVersion(String),
    /// A check without a URL.
    #[error("'url' is missing")]
    MissingUrl,
    /// More than one of `body`, `body_file` and `json_body`.
    #[error("set one of 'body', 'body_file' and 'json_body', not several")]
    TwoBodies,
    /// The body file cannot be read.
    #[error("cannot read body file {path}: {reason}")]
    BodyFile {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The CA file cannot be used (the message names the file).
    #[error("{0}")]
    CaFile(String),
}

/// Which HTTP version to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HttpVersion {
    /// Offer h2 and http/1.1 over TLS (ALPN), HTTP/1.1 on plain connections.
    #[default]
    Auto,
    /// HTTP/1.1 only.
    Http1,
    /// HTTP/2 only (prior knowledge on plain connections).
    Http2,
}

/// One expected status: exact (`200`) or a pattern with `x` wildcards (`2xx`, `20x`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusPattern {
    text: String,
}

impl StatusPattern {
    /// Reads `200`, `2xx`, `20X`.
    pub fn parse(s: &str) -> Result<StatusPattern, SpecError> {
        let t = s.trim().to_ascii_lowercase();
        let b = t.as_bytes();
        let ok = b.len() == 3
            && (b'1'..=b'5').contains(&b[0])
            && b[1..].iter().all(|c| c.is_ascii_digit() || *c == b'x');
        if !ok {
            return Err(SpecError::Status(s.to_string()));
        }
        Ok(StatusPattern { text: t })
    }

    /// Whether `status` fits.
    pub fn matches(&self, status: u16) -> bool {
        let s = status.to_string();
        s.len() == 3
            && self
                .text
                .bytes()
                .zip(s.bytes())
                .all(|(p, c)| p == b'x' || p == c)
    }

    /// As written, lower-case.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// Reads a comma list of status patterns.
pub fn parse_statuses(s: &str) -> Result<Vec<StatusPattern>, SpecError> {
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(StatusPattern::parse)
        .collect()
}

/// `Name: regex`: a response header whose value must match.
#[derive(Debug, Clone)]
pub struct HeaderExpect {
    /// The header name, compared case-insensitively.
    pub name: String,
    /// The pattern the value must match; `None` means the header must only be present.
    pub pattern: Option<Regex>,
    /// As written.
    pub text: String,
}

impl HeaderExpect {
    /// Reads `Name: regex` or `Name`.
    pub fn parse(s: &str) -> Result<HeaderExpect, SpecError> {
        let (name, pat) = match s.split_once(':') {
            Some((n, p)) => (n.trim(), Some(p.trim())),
            None => (s.trim(), None),
        };
        if name.is_empty() || !name.bytes().all(is_token_byte) {
            return Err(SpecError::Header {
                input: s.into(),
                reason: "the header name is empty or has characters a header name cannot have"
                    .into(),
            });
        }
        let pattern = match pat {
            Some(p) if !p.is_empty() => Some(Regex::new(p).map_err(|e| SpecError::Header {
                input: s.into(),
                reason: format!("bad regex: {e}"),
            })?),
            _ => None,
        };
        Ok(HeaderExpect {
            name: name.to_string(),
            pattern,
            text: s.trim().to_string(),
        })
    }
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// A comparison in a JSON expectation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `exists`
    Exists,
}

/// `$.path OP value`.
#[derive(Debug, Clone)]
pub struct JsonExpect {
    /// The compiled path.
    pub path: JsonPath,
    /// The path as written (`$.data.id`).
    pub path_text: String,
    /// The comparison.
    pub op: JsonOp,
    /// The value compared against (null for `exists`).
    pub value: serde_json::Value,
    /// As written.
    pub text: String,
}

impl JsonExpect {
    /// Reads `$.a.b[0] == 3`, `$.ok exists`.
    pub fn parse(s: &str) -> Result<JsonExpect, SpecError> {
        let err = |reason: String| SpecError::Json {
            input: s.into(),
            reason,
        };
        let t = s.trim();
        if !t.starts_with('$') {
            return Err(err("it must start with a JSONPath such as $.data.id".into()));
        }
        let (path_text, op, value_text) = if let Some(p) = t.strip_suffix("exists") {
            (p.trim(), JsonOp::Exists, "")
        } else {
            let (at, op, len) = find_op(t).ok_or_else(|| {
                err("no comparison found (use ==, !=, <, <=, >, >= or 'exists')".into())
            })?;
            (t[..at].trim(), op, t[at + len..].trim())
        };
        let path = JsonPath::parse(path_text).map_err(|e| err(format!("bad path: {e}")))?;
        let value = if op == JsonOp::Exists {
            serde_json::Value::Null
        } else if value_text.is_empty() {
            return Err(err("the value after the comparison is missing".into()));
        } else {
            serde_json::from_str(value_text)
                .unwrap_or_else(|_| serde_json::Value::String(value_text.to_string()))
        };
        Ok(JsonExpect {
            path,
            path_text: path_text.to_string(),
            op,
            value,
            text: t.to_string(),
        })
    }
}

/// Finds the first comparison operator outside brackets and quotes: (byte offset, op, length).
fn find_op(s: &str) -> Option<(usize, JsonOp, usize)> {
    let b = s.as_bytes();
    let (mut depth, mut quote) = (0i32, None::<u8>);
    for i in 0..b.len() {
        let c = b[i];
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            b'\'' | b'"' => quote = Some(c),
            b'[' | b'(' => depth += 1,
            b']' | b')' => depth -= 1,
            b'=' | b'!' | b'<' | b'>' if depth == 0 => {
                let next = b.get(i + 1).copied();
                return match (c, next) {
                    (b'=', Some(b'=')) => Some((i, JsonOp::Eq, 2)),
                    (b'!', Some(b'=')) => Some((i, JsonOp::Ne, 2)),
                    (b'<', Some(b'=')) => Some((i, JsonOp::Le, 2)),
                    (b'>', Some(b'=')) => Some((i, JsonOp::Ge, 2)),
                    (b'<', _) => Some((i, JsonOp::Lt, 1)),
                    (b'>', _) => Some((i, JsonOp::Gt, 1)),
                    _ => None,
                };
            }
            _ => {}
        }
    }
    None
}

/// Reads `300ms`, `2s`, `1m 30s`.
pub fn parse_duration(s: &str) -> Result<Duration, SpecError> {
    humantime::parse_duration(s.trim()).map_err(|e| SpecError::Duration {
        input: s.into(),
        reason: e.to_string(),
    })
}

/// One `--resolve HOST:PORT:ADDR` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveEntry {
    /// The host name, lower-case.
    pub host: String,
    /// The port.
    pub port: u16,
    /// The address to use instead of asking DNS.
    pub addr: IpAddr,
}

impl ResolveEntry {
    /// Reads `api.test:443:127.0.0.1` or `api.test:443:[::1]`.
    pub fn parse(s: &str) -> Result<ResolveEntry, SpecError> {
        let bad = || SpecError::Resolve(s.to_string());
        let (host, rest) = s.split_once(':').ok_or_else(bad)?;
        let (port, addr) = rest.split_once(':').ok_or_else(bad)?;
        let addr = addr.trim_start_matches('[').trim_end_matches(']');
        Ok(ResolveEntry {
            host: host.trim().to_ascii_lowercase(),
            port: port.trim().parse().map_err(|_| bad())?,
            addr: addr.trim().parse().map_err(|_| bad())?,
        })
    }
}

/// Splits `Name: value`.
pub fn parse_request_header(s: &str) -> Result<(String, String), SpecError> {
    let (n, v) = s
        .split_once(':')
        .ok_or_else(|| SpecError::RequestHeader(s.into()))?;
    let n = n.trim();
    if n.is_empty() || !n.bytes().all(is_token_byte) {
        return Err(SpecError::RequestHeader(s.into()));
    }
    Ok((n.to_string(), v.trim().to_string()))
}

/// Everything checked about a response.
#[derive(Debug, Clone, Default)]
pub struct Expectations {
    /// Any of these statuses passes; empty means "below 400".
    pub status: Vec<StatusPattern>,
    /// Every header expectation must hold.
    pub headers: Vec<HeaderExpect>,
    /// Every JSON expectation must hold.
    pub json: Vec<JsonExpect>,
    /// The body must contain each of these.
    pub body_contains: Vec<String>,
    /// The whole exchange must take at most this long.
    pub max_latency: Option<Duration>,
}

/// One check: the request, how to connect, and what to expect.
#[derive(Debug, Clone)]
pub struct CheckSpec {
    /// A name for reports (suite checks); the URL when empty.
    pub name: String,
    /// The URL as given; parsed when the check runs, so a bad URL becomes an `INVALID_URL` result.
    pub url: String,
    /// The method, `GET` by default.
    pub method: String,
    /// Request headers in order.
    pub headers: Vec<(String, String)>,
    /// The request body.
    pub body: Option<Vec<u8>>,
    /// The whole exchange, redirects included (like curl's `--max-time`).
    pub timeout: Duration,
    /// Name resolution plus TCP connect (like curl's `--connect-timeout`).
    pub connect_timeout: Duration,
    /// Redirects to follow; 0 reports the redirect response itself.
    pub max_redirects: u32,
    /// Extra trusted CA certificates (PEM file).
    pub cacert: Option<PathBuf>,
    /// Skip certificate verification (the certificate is still reported).
    pub insecure: bool,
    /// Which HTTP version to speak.
    pub http: HttpVersion,
    /// `--resolve` entries.
    pub resolve: Vec<ResolveEntry>,
    /// What to check.
    pub expect: Expectations,
}

impl CheckSpec {
    /// A GET of `url` with the defaults of `apiprobe check`.
    pub fn new(url: impl Into<String>) -> CheckSpec {
        CheckSpec {
            name: String::new(),
            url: url.into(),
            method: "GET".into(),
            headers: Vec::new(),
            body: None,
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(10),
            max_redirects: 5,
            cacert: None,
            insecure: false,
            http: HttpVersion::Auto,
            resolve: Vec::new(),
            expect: Expectations::default(),
        }
    }

    /// Sends `json` as the body, declaring `Content-Type: application/json` unless a header already
    /// names a content type.
    pub fn set_json_body(&mut self, json: Vec<u8>) {
        self.body = Some(json);
        if !self
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        {
            self.headers
                .push(("Content-Type".into(), "application/json".into()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_patterns_match_exact_and_class() {
        let p = parse_statuses("200, 3xx").unwrap_or_default();
        assert!(p[0].matches(200) && !p[0].matches(201));
        assert!(p[1].matches(301) && !p[1].matches(404));
        assert!(StatusPattern::parse("20x").is_ok_and(|p| p.matches(204)));
        for bad in ["2", "600", "abc", "2xxx", "099"] {
            assert!(StatusPattern::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn json_expectations_split_at_the_operator_outside_brackets() {
        let e = JsonExpect::parse("$.items[0].name == \"a==b\"").expect("parses");
        assert_eq!(e.op, JsonOp::Eq);
        assert_eq!(e.value, serde_json::json!("a==b"));
        let e = JsonExpect::parse("$['a<b'] >= 3").expect("parses");
        assert_eq!(e.op, JsonOp::Ge);
        let e = JsonExpect::parse("$.user.id exists").expect("parses");
        assert_eq!(e.op, JsonOp::Exists);
        let e = JsonExpect::parse("$.state != ready").expect("bare string");
        assert_eq!(e.value, serde_json::json!("ready"));
        assert!(JsonExpect::parse("ok == true").is_err());
        assert!(JsonExpect::parse("$.ok").is_err());
        assert!(JsonExpect::parse("$.ok ==").is_err());
        assert!(JsonExpect::parse("$[ == 1").is_err());
    }

    #[test]
    fn header_expectations_need_a_valid_name_and_regex() {
        let h = HeaderExpect::parse("Content-Type: ^application/json").expect("parses");
        assert_eq!(h.name, "Content-Type");
        assert!(h.pattern.is_some());
        assert!(HeaderExpect::parse("X-Id").is_ok_and(|h| h.pattern.is_none()));
        assert!(HeaderExpect::parse("Bad Name: x").is_err());
        assert!(HeaderExpect::parse("X: (").is_err());
    }

    #[test]
    fn resolve_entries_accept_ipv4_and_bracketed_ipv6() {
        let r = ResolveEntry::parse("API.test:443:127.0.0.1").expect("parses");
        assert_eq!((r.host.as_str(), r.port), ("api.test", 443));
        assert!(ResolveEntry::parse("h:80:[::1]").is_ok());
        assert!(ResolveEntry::parse("h:80").is_err());
        assert!(ResolveEntry::parse("h:x:127.0.0.1").is_err());
    }

    #[test]
    fn durations_use_humantime() {
        assert_eq!(parse_duration("300ms"), Ok(Duration::from_millis(300)));
        assert!(parse_duration("fast").is_err());
    }
}
