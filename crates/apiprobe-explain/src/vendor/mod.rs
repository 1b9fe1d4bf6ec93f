//! One parser per error-body family. Each looks at a response and, when it recognises its format, returns a
//! [`Finding`]: the API's own code and message, what they name, and the probe code they map to.
//!
//! Adding a family: write `src/vendor/<family>.rs` with `pub(crate) fn parse(b: &Body<'_>) -> Option<Finding>`,
//! declare it below, add one line to [`PARSERS`], and put its code table in `data/vendors/<vendor>.toml`
//! (picked up by `build.rs`, no list to edit). The pipeline (`crate::reading`) then:
//! 1. runs the parsers in [`PARSERS`] order; the first `Some` wins, so specific families come before
//!    generic shapes (a bare `{"error": "..."}` or an HTML page);
//! 2. maps `vendor_code` through the vendor's table (`[[map]]`, then `[[message]]` rules on `message`);
//! 3. falls back to the parser's own `maps_to`, then to keywords in the message, then to the status entry;
//! 4. adds header evidence, retry timing, the conflict sentence and next steps.
//!
//! A parser never panics and never recurses on input: bodies can be hostile.

mod access;
mod anthropic;
mod atlassian;
#[cfg(test)]
mod cases;
mod django_html;
mod drf;
mod elasticsearch;
mod envoy;
mod express;
mod fastapi;
mod gitlab;
mod grpc_gateway;
mod jsonapi;
mod jsonrpc;
mod kubernetes;
mod mailchimp;
mod meta_graph;
mod oci_registry;
mod openai;
mod paypal;
mod rails;
mod salesforce;
mod sendgrid;
mod shopify;
mod soap;
mod spring_boot;
mod squid;
mod sse;
mod twilio;
mod werkzeug;

mod aws;
mod azure;
mod bearer;
mod empty;
mod github;
mod google;
mod graphql;
mod html;
mod oauth;
mod plain;
mod problem_json;
mod slack;
mod stripe;

pub(crate) use bearer::challenge_finding;
use serde_json::Value;

/// What a format parser sees: the status, headers and body of one response.
pub(crate) struct Body<'a> {
    /// The HTTP status (200 for errors carried inside a success).
    pub status: u16,
    /// Header names (lower-cased) and values.
    pub headers: &'a [(String, String)],
    /// The body as text (lossy UTF-8; capped, see `crate::reading::MAX_BODY`).
    pub text: &'a str,
    /// The body parsed as JSON, when it is JSON.
    pub json: Option<&'a Value>,
}

impl Body<'_> {
    /// The first value of a header, by name, ignoring ASCII case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The media type of `Content-Type`, lower-cased, without parameters (`application/problem+json`).
    pub fn media_type(&self) -> Option<String> {
        self.header("content-type").map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
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
    /// A finer code under `vendor_code` (Google `ErrorInfo.reason`, Stripe `decline_code`); looked up in the
    /// vendor table before `vendor_code`.
    pub reason: Option<String>,
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
    /// Whether the body itself says a retry may work (overrides the catalog entry's default).
    pub retryable: Option<bool>,
    /// Facts that led here, one per item.
    pub evidence: Vec<String>,
    /// How specific the recognition is, 0 to 1.
    pub confidence: f64,
}

/// A parser: `None` when the body is not of its family.
pub(crate) type Parser = fn(&Body<'_>) -> Option<Finding>;

/// Every parser, most specific first; the first that recognises a body wins.
pub(crate) const PARSERS: &[(&str, Parser)] = &[
    // The common families first (most traffic, strict marks), then the long tail, then generic shapes.
    // Mailchimp's bodies are problem documents with a mailchimp.com type: the specific reading first.
    ("mailchimp", mailchimp::parse),
    ("problem_json", problem_json::parse),
    ("google", google::parse),
    // Stripe before OpenAI: OpenAI copied Stripe's envelope; Stripe's parser needs a Stripe-only mark.
    ("stripe", stripe::parse),
    ("aws", aws::parse),
    ("azure", azure::parse),
    ("slack", slack::parse),
    ("graphql", graphql::parse),
    ("github", github::parse),
    ("jsonrpc", jsonrpc::parse),
    ("soap", soap::parse),
    ("kubernetes", kubernetes::parse),
    ("elasticsearch", elasticsearch::parse),
    ("meta_graph", meta_graph::parse),
    ("anthropic", anthropic::parse),
    ("openai", openai::parse),
    ("sse", sse::parse),
    ("twilio", twilio::parse),
    ("paypal", paypal::parse),
    ("salesforce", salesforce::parse),
    ("oci_registry", oci_registry::parse),
    ("jsonapi", jsonapi::parse),
    ("sendgrid", sendgrid::parse),
    ("grpc_gateway", grpc_gateway::parse),
    ("spring_boot", spring_boot::parse),
    ("atlassian", atlassian::parse),
    ("shopify", shopify::parse),
    ("gitlab", gitlab::parse),
    ("fastapi", fastapi::parse),
    ("drf", drf::parse),
    ("rails", rails::parse),
    ("envoy", envoy::parse),
    ("squid", squid::parse),
    ("werkzeug", werkzeug::parse),
    ("django_html", django_html::parse),
    ("express", express::parse),
    ("oauth", oauth::parse),
    ("html", html::parse),
    ("plain", plain::parse),
    ("empty", empty::parse),
];

/// A string member of a JSON object.
pub(crate) fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// A member as text when it is a non-empty string or a number (codes come as either).
pub(crate) fn code_text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(x) if !x.trim().is_empty() => Some(x.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A message worth keeping: trimmed, at most 500 characters, `None` when blank.
pub(crate) fn msg(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| crate::reading::clip(t, 500).into_owned())
}

/// The text after `prefix` up to the next `close` (`Permission 'x.y' denied` -> `x.y`).
pub(crate) fn between<'a>(text: &'a str, prefix: &str, close: char) -> Option<&'a str> {
    let start = text.find(prefix)? + prefix.len();
    let rest = &text[start..];
    let end = rest.find(close)?;
    let got = rest[..end].trim();
    (!got.is_empty()).then_some(got)
}
