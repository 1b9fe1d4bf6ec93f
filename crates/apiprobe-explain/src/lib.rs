//! Reads real API error responses (and client error lines) and says what they mean, as a [`Report`].
//!
//! The reading rule: the HTTP status gives the broad class; the API's own error code and message give the
//! exact condition; when they disagree, both are kept and the disagreement is said in `conflict`.
//!
//! - [`parse_raw`]: bytes as `curl -si` prints them into an [`HttpResponse`] (the last of several).
//! - [`explain_response`]: one response into a [`Report`].
//! - [`explain_input`]: whatever the user pasted: a raw response, or log text.
//! - [`explain_code`]: an error code and/or message copied from a UI or a log.
//! - [`batch`]: JSON Lines in, one report per line out, on every core.
//!
//! ```
//! use apiprobe_catalog::Catalog;
//! let raw = b"HTTP/2 429\r\nretry-after: 30\r\ncontent-type: application/json\r\n\r\n{\"message\":\"rate limit exceeded\"}";
//! let resp = apiprobe_explain::parse_raw(raw).unwrap();
//! let report = apiprobe_explain::explain_response(Catalog::builtin(), &resp);
//! assert_eq!(report.retry_after_s, Some(30.0));
//! ```

#![forbid(unsafe_code)]

pub mod batch;
#[cfg(test)]
mod embedded;
mod headers;
mod json;
mod keywords;
mod message;
mod parts;
mod raw;
mod reading;
mod recent;
mod table;
mod tool;
mod vendor;

use apiprobe_catalog::{Catalog, Report};

pub use raw::{looks_like_http, parse_raw, ParseError, MAX_HEADERS};
pub use reading::{recognised, MAX_BODY};

/// One HTTP response as received: status, headers in order, body bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Header names and values, in the order received; names compare case-insensitively.
    pub headers: Vec<(String, String)>,
    /// The body, possibly empty, possibly not UTF-8.
    pub body: Vec<u8>,
}

/// Explains one response. A 2xx whose body carries no error comes back with `ok = true` and no `code`;
/// a 2xx carrying an error (Slack `"ok": false`, GraphQL `errors`, JSON-RPC `error`, SSE `event: error`,
/// a failed part of a batch response) comes back with `ok = false` and that error's code.
pub fn explain_response(catalog: &Catalog, resp: &HttpResponse) -> Report {
    reading::explain_response(catalog, resp)
}

/// Explains a line or lines of client or server log text (not an HTTP response).
pub fn explain_text(catalog: &Catalog, text: &str) -> Option<Report> {
    tool::explain_text(catalog, text)
}

/// Explains an error code (a status, a probe code or name, or any vendor's own code) and/or a message
/// copied from a UI or a log; `None` when neither is recognised.
pub fn explain_code(
    catalog: &Catalog,
    code: Option<&str>,
    message: Option<&str>,
) -> Option<Report> {
    reading::explain_code(catalog, code, message)
}

/// What an input turned out to be.
#[derive(Debug)]
pub enum Input {
    /// A raw HTTP response, explained.
    Response(Box<Report>),
    /// Log text a tool recognised.
    Text(Box<Report>),
    /// Text nobody recognised.
    Unrecognised,
}

/// Explains whatever was pasted: a raw response when it starts with a status line, log text otherwise.
/// A broken status line is an error; other text goes to [`explain_text`], then to message keywords.
pub fn explain_input(catalog: &Catalog, bytes: &[u8]) -> Result<Input, ParseError> {
    if looks_like_http(bytes) {
        let resp = parse_raw(bytes)?;
        return Ok(Input::Response(Box::new(explain_response(catalog, &resp))));
    }
    let capped = &bytes[..bytes.len().min(MAX_BODY)];
    let text = String::from_utf8_lossy(capped);
    if text.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    if let Some(r) = explain_text(catalog, &text) {
        return Ok(Input::Text(Box::new(r)));
    }
    // One line of text with an error message in it: the generic phrases may still name the condition.
    if text.len() <= 2000 && !text.contains('\0') {
        if let Some(r) = explain_code(catalog, None, Some(text.trim())) {
            return Ok(Input::Text(Box::new(r)));
        }
    }
    Ok(Input::Unrecognised)
}

/// For the `keywords` fuzz target: whether the hand-walked keyword index behind the tool rules, the
/// message phrases and the vendor message rules finds, for `keywords` (entry `i / 2` owns keyword `i`,
/// so entries share words), exactly what a plain overlapping Aho-Corasick search finds in `text`.
#[doc(hidden)]
pub fn keyword_index_agrees(keywords: &[&str], text: &str) -> bool {
    keywords::agree(keywords, text)
}

/// For the `message` fuzz target: whether the message reader, which skips the candidate phrases whose
/// match could no longer add anything, reads `text` at `status` exactly as searching every candidate.
#[doc(hidden)]
pub fn message_reading_agrees(text: &str, status: u16) -> bool {
    message::skipping_agrees(text, status)
}
