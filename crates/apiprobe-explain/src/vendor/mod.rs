//! One parser per error-body family. Each looks at a response and, when it recognises its format, returns a
//! [`Finding`]: the API's own code and message, what they name, and the probe code they map to.

use serde_json::Value;

/// What a format parser sees: the status, headers and body of one response.
pub(crate) struct Body<'a> {
    /// The HTTP status (200 for errors carried inside a success).
    pub status: u16,
    /// Header names (lower-cased) and values.
    pub headers: &'a [(String, String)],
    /// The body as text (lossy UTF-8).
    pub text: &'a str,
    /// The body parsed as JSON, when it is JSON.
    pub json: Option<&'a Value>,
}

impl Body<'_> {
    /// The first value of a header, by lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// What a format parser recognised.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Finding {
    /// The parser's name, reported as `format` (`problem_json`, `stripe`, `aws_xml`, ...).
    pub format: &'static str,
    /// The API family whose codes `vendor_code` belongs to; also the key into `data/vendors/*.toml`.
    pub vendor: Option<&'static str>,
    /// The API's own error code.
    pub vendor_code: Option<String>,
    /// The API's human-readable message.
    pub message: Option<String>,
    /// The request field the body names.
    pub field: Option<String>,
    /// The permission or scope the body names.
    pub permission: Option<String>,
    /// The resource the body names.
    pub resource: Option<String>,
    /// The probe code name (or code) the parser itself concluded, when the vendor table has nothing better.
    pub maps_to: Option<String>,
    /// Seconds to wait, when the body says so (Google `RetryInfo`, ...).
    pub retry_after_s: Option<f64>,
    /// Facts that led here, one per item.
    pub evidence: Vec<String>,
    /// How specific the recognition is, 0 to 1.
    pub confidence: f64,
}

/// A parser: `None` when the body is not of its family.
pub(crate) type Parser = fn(&Body<'_>) -> Option<Finding>;

/// Every parser, most specific first; the first that recognises a body wins.
pub(crate) const PARSERS: &[(&str, Parser)] = &[];
