//! Django's own HTML error pages: the DEBUG 404 ("Page not found at /x") and exception pages, and the
//! production defaults ("Not Found", "Server Error (500)", "Bad Request (400)", CSRF "Forbidden (403)").

use super::access::{between, has, message, plain_text};
use super::{Body, Finding};

/// Recognises a Django error page.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    if b.json.is_some() {
        return None;
    }
    let text = b.text;
    let title = between(text, "<title>", "</title>").map(str::trim)?;
    let mut f = Finding {
        format: "django_html",
        vendor: Some("django"),
        ..Finding::default()
    };
    // The explanation's apostrophe is typographic in current Django and plain in older releases.
    let debug = has(
        text,
        "seeing this error because you have <code>DEBUG = True</code>",
    );
    if debug {
        if let Some(path) = title.strip_prefix("Page not found at ") {
            f.resource = Some(path.to_string());
            f.vendor_code = Some("Http404".to_string());
            f.message = message(title);
        } else {
            // "ZeroDivisionError at /boom/" - the exception class, then the path.
            let (exc, path) = title.split_once(" at ")?;
            f.vendor_code = Some(exc.to_string());
            f.resource = Some(path.to_string());
            f.message = between(text, "<pre class=\"exception_value\">", "</pre>")
                .and_then(|m| message(&plain_text(m)));
        }
        f.confidence = 0.95;
        f.evidence
            .push(format!("body: Django DEBUG page \"{title}\""));
    } else if has(text, "CSRF verification failed") {
        f.vendor_code = Some("csrf_failure".to_string());
        f.message = message("CSRF verification failed. Request aborted.");
        f.confidence = 0.9;
        f.evidence
            .push("body: Django CSRF failure page".to_string());
    } else {
        // The production templates are tiny and fixed: title, h1, and (for 404) one sentence.
        let h1 = between(text, "<h1>", "</h1>")?;
        let known = match h1 {
            "Not Found" => has(text, "The requested resource was not found on this server."),
            "Server Error (500)" | "Bad Request (400)" | "403 Forbidden" => true,
            _ => false,
        };
        if !known {
            return None;
        }
        f.message = message(&plain_text(h1));
        f.confidence = 0.7;
        f.evidence
            .push(format!("body: Django default page \"{h1}\""));
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::super::cases::{run, run_body};
    use super::*;

    #[test]
    fn reads_the_debug_404() {
        let f = run(parse, "django_html_1").unwrap();
        assert_eq!(f.resource.as_deref(), Some("/nothing/"));
    }

    #[test]
    fn reads_the_production_404() {
        let f = run(parse, "django_html_2").unwrap();
        assert_eq!(f.message.as_deref(), Some("Not Found"));
    }

    #[test]
    fn reads_the_csrf_failure() {
        let f = run(parse, "django_html_3").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("csrf_failure"));
    }

    #[test]
    fn reads_the_production_500() {
        let f = run(parse, "django_html_4").unwrap();
        assert_eq!(f.message.as_deref(), Some("Server Error (500)"));
    }

    #[test]
    fn other_pages_are_not_django() {
        assert!(run_body(parse, 404, "<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1><p>The requested URL was not found on this server.</p></body></html>").is_none());
    }
}
