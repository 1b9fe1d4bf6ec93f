//! Reads real API error responses (and client error lines) and says what they mean, as a [`Report`].
//!
//! The reading rule: the HTTP status gives the broad class; the API's own error code and message give the
//! exact condition; when they disagree, both are kept and the disagreement is said in `conflict`.

#[allow(dead_code)]
mod table;
mod tool;
#[allow(dead_code)]
mod vendor;

use apiprobe_catalog::{Catalog, Report};

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

/// Explains one response. A 2xx whose body carries no error comes back with `ok = true` and no `code`.
pub fn explain_response(catalog: &Catalog, resp: &HttpResponse) -> Report {
    let mut report = Report { status: Some(resp.status), ..Report::default() };
    if (200..300).contains(&resp.status) {
        report.ok = true;
        return report;
    }
    if let Some(entry) = catalog.by_status(resp.status) {
        report.set_entry(entry);
        report.evidence.push(format!("status {}", resp.status));
        report.confidence = 0.5;
    }
    report
}

/// Explains a line or lines of client or server log text (not an HTTP response).
pub fn explain_text(catalog: &Catalog, text: &str) -> Option<Report> {
    tool::explain_text(catalog, text)
}
