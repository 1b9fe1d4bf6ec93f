//! Express (finalhandler) default error pages: `<title>Error</title>` and `<pre>Cannot GET /x</pre>`, or
//! `<pre>PayloadTooLargeError: request entity too large<br> &nbsp; &nbsp;at ...</pre>` in development.

use super::access::{between, message, plain_text};
use super::{Body, Finding};

/// Recognises finalhandler's page.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    if b.json.is_some() || !b.text.contains("<title>Error</title>") {
        return None;
    }
    let pre = between(b.text, "<pre>", "</pre>")?;
    // Development pages put the stack after <br>; the first line is "Name: message" or the status text.
    let first = pre.split("<br>").next().unwrap_or(pre);
    let line = plain_text(first);
    let mut f = Finding {
        format: "express",
        vendor: Some("express"),
        message: message(&line),
        ..Finding::default()
    };
    if let Some(rest) = line.strip_prefix("Cannot ") {
        let (method, path) = rest.split_once(' ')?;
        f.resource = Some(path.to_string());
        f.evidence
            .push(format!("body: Express \"Cannot {method}\" (no route)"));
        f.confidence = 0.9;
    } else {
        if let Some((name, _)) = line.split_once(": ") {
            if name.ends_with("Error") && name.chars().all(|c| c.is_ascii_alphanumeric()) {
                f.vendor_code = Some(name.to_string());
            }
        }
        f.evidence
            .push("body: Express default error page".to_string());
        f.confidence = 0.8;
    }
    if b.header("x-powered-by")
        .is_some_and(|v| v.eq_ignore_ascii_case("express"))
    {
        f.evidence.push("X-Powered-By: Express".to_string());
        f.confidence = (f.confidence + 0.05_f64).min(0.95);
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::super::cases::{run, run_body};
    use super::*;

    #[test]
    fn reads_a_missing_route() {
        let f = run(parse, "express_1").unwrap();
        assert_eq!(f.resource.as_deref(), Some("/nothing"));
        assert_eq!(f.message.as_deref(), Some("Cannot GET /nothing"));
    }

    #[test]
    fn reads_a_body_parser_error() {
        let f = run(parse, "express_2").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("PayloadTooLargeError"));
    }

    #[test]
    fn reads_a_json_syntax_error() {
        let f = run(parse, "express_3").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("SyntaxError"));
    }

    #[test]
    fn other_pre_pages_are_not_express() {
        assert!(run_body(
            parse,
            500,
            "<html><body><pre>Internal error</pre></body></html>"
        )
        .is_none());
    }
}
