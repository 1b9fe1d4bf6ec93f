//! Squid proxy error pages: HTML whose `<body id=ERR_...>` (or footer comment) and `X-Squid-Error` header
//! name the condition, e.g. `ERR_CONNECT_FAIL 111`, `ERR_ACCESS_DENIED 0`, `ERR_DNS_FAIL 0`.

use super::access::{between, has, message, plain_text};
use super::{Body, Finding};

/// Recognises a Squid error by its header or by its page template.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let header = b.header("x-squid-error").map(str::trim);
    let from_header = header
        .and_then(|h| h.split_whitespace().next())
        .filter(|c| is_err_code(c));
    let page = has(b.text, "squid") || has(b.text, "Squid");
    let from_page = if page {
        between(b.text, "<body id=", ">")
            .map(|s| s.trim_matches('"'))
            .or_else(|| {
                b.text
                    .find("<!-- ERR_")
                    .and_then(|i| b.text[i + 5..].split_whitespace().next())
            })
            .filter(|c| is_err_code(c))
    } else {
        None
    };
    let code = from_header.or(from_page)?;
    let mut f = Finding {
        format: "squid",
        vendor: Some("squid"),
        vendor_code: Some(code.to_string()),
        confidence: if from_header.is_some() { 0.95 } else { 0.85 },
        ..Finding::default()
    };
    if let Some(h) = header {
        f.evidence.push(format!("X-Squid-Error: {h}"));
    }
    if from_page.is_some() {
        f.evidence.push(format!("body: Squid error page {code}"));
    }
    // The template puts the requested URL in the first link of the content and the reason in #error.
    f.resource = between(b.text, "retrieve the URL: <a href=\"", "\"").map(str::to_string);
    f.message = between(b.text, "<blockquote id=\"error\">", "</blockquote>")
        .or_else(|| between(b.text, "<h2>", "</h2>"))
        .and_then(|m| message(&plain_text(m)));
    Some(f)
}

fn is_err_code(c: &str) -> bool {
    c.len() > 4
        && c.starts_with("ERR_")
        && c.bytes()
            .all(|b| b.is_ascii_uppercase() || b == b'_' || b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::super::cases::{run, run_body};
    use super::*;

    #[test]
    fn reads_an_access_denied_page() {
        let f = run(parse, "squid_1").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("ERR_ACCESS_DENIED"));
        assert_eq!(f.resource.as_deref(), Some("http://example.com/"));
    }

    #[test]
    fn reads_a_connect_failure_header() {
        let f = run(parse, "squid_2").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("ERR_CONNECT_FAIL"));
        assert!(f
            .evidence
            .iter()
            .any(|e| e == "X-Squid-Error: ERR_CONNECT_FAIL 111"));
    }

    #[test]
    fn reads_a_dns_failure() {
        let f = run(parse, "squid_3").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("ERR_DNS_FAIL"));
    }

    #[test]
    fn other_html_is_not_squid() {
        assert!(run_body(parse, 502, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>").is_none());
    }
}
