//! Flask / Werkzeug default errors: the bare HTML page (`<title>404 Not Found</title>\n<h1>Not Found</h1>
//! \n<p>...`) and the same description as JSON `{"message": ...}` (Flask-RESTful, Flask-RESTX).

use super::access::{between, message, plain_text, str_of};
use super::{Body, Finding};

/// Werkzeug's default exception descriptions, the part of its pages that no other server writes.
const DESCRIPTIONS: &[&str] = &[
    "The requested URL was not found on the server.",
    "The method is not allowed for the requested URL.",
    "The browser (or proxy) sent a request that this server could not understand.",
    "The server could not verify that you are authorized to access the URL requested.",
    "You don't have the permission to access the requested resource.",
    "The server encountered an internal error and was unable to complete your request.",
    "The data value transmitted exceeds the capacity limit.",
    "This user has exceeded an allotted request count.",
    "The server is temporarily unable to service your request",
    "A conflict happened while processing the request.",
    "The request was well-formed but was unable to be followed due to semantic errors.",
];

/// Recognises a Werkzeug default error page or its JSON rendering.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let mut f = Finding {
        format: "werkzeug",
        vendor: Some("werkzeug"),
        ..Finding::default()
    };
    let werkzeug_server = b
        .header("server")
        .is_some_and(|s| s.starts_with("Werkzeug/"));
    if let Some(json) = b.json {
        let msg = str_of(json, "message")?;
        if json.as_object()?.len() != 1 || !DESCRIPTIONS.iter().any(|d| msg.starts_with(d)) {
            return None;
        }
        f.message = message(msg);
        f.confidence = 0.75;
        f.evidence
            .push("body: Werkzeug default description as JSON message".to_string());
    } else {
        let text = b.text.trim_start();
        let title = between(text, "<title>", "</title>")?;
        let para = between(text, "<p>", "</p>")?;
        // The page has no <head> or <body>: title, h1 and one paragraph, in that order.
        if text.contains("<body")
            || !text.contains("<h1>")
            || !DESCRIPTIONS.iter().any(|d| para.starts_with(d))
        {
            return None;
        }
        f.message = message(&plain_text(para));
        f.confidence = if werkzeug_server { 0.95 } else { 0.85 };
        f.evidence
            .push(format!("body: Werkzeug default error page \"{title}\""));
    }
    if werkzeug_server {
        f.evidence.push("Server: Werkzeug".to_string());
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::super::cases::{run, run_body};
    use super::*;

    #[test]
    fn reads_the_404_page() {
        let f = run(parse, "werkzeug_1").unwrap();
        assert!(f
            .message
            .unwrap()
            .starts_with("The requested URL was not found"));
    }

    #[test]
    fn reads_the_old_doctype_405_page() {
        let f = run(parse, "werkzeug_2").unwrap();
        assert_eq!(
            f.message.as_deref(),
            Some("The method is not allowed for the requested URL.")
        );
    }

    #[test]
    fn reads_the_json_form() {
        let f = run(parse, "werkzeug_3").unwrap();
        assert!(f
            .message
            .unwrap()
            .starts_with("The server encountered an internal error"));
    }

    #[test]
    fn nginx_pages_are_not_werkzeug() {
        assert!(run_body(parse, 404, "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n").is_none());
    }
}
