//! Ruby on Rails error bodies: `{"status":404,"error":"Not Found"}` from the public exceptions app (with
//! `exception` and `traces` in development), and `{"errors":{"title":["can't be blank"]}}` from scaffolds.

use super::access::message;
use super::{Body, Finding};
use crate::json::Value;

/// Recognises a Rails error body.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let obj = b.json?.as_object()?;
    let mut f = Finding {
        format: "rails",
        vendor: Some("rails"),
        ..Finding::default()
    };
    if let (Some(status), Some(error)) = (
        obj.get("status").and_then(Value::as_u64),
        obj.get("error").and_then(Value::as_str),
    ) {
        if !obj
            .keys()
            .all(|k| matches!(k, "status" | "error" | "exception" | "traces"))
            || status < 400
        {
            return None;
        }
        // Elasticsearch 1.x shares the shape; its `error` is an exception class with a bracketed message.
        if error.contains("Exception[") || error.len() > 80 {
            return None;
        }
        f.message = message(error);
        f.confidence = 0.55;
        if let Some(exc) = obj.get("exception").and_then(Value::as_str) {
            // "#<ActiveRecord::RecordNotFound: Couldn't find User with 'id'=1>"
            let inner = exc.trim_start_matches("#<").trim_end_matches('>');
            let (class, text) = inner.split_once(": ").unwrap_or((inner, ""));
            f.vendor_code = Some(class.to_string());
            f.message = message(text).or(f.message);
            f.confidence = 0.9;
        }
        f.evidence.push(format!(
            "body: Rails error {{status: {status}, error: \"{error}\"}}"
        ));
        return Some(f);
    }
    // Shopify is a Rails app and answers in the same shape; its headers say whose it is.
    if obj.len() != 1
        || b.headers
            .iter()
            .any(|(n, _)| n.to_ascii_lowercase().starts_with("x-shopify-"))
    {
        return None;
    }
    let fields = obj.get("errors")?.as_object()?;
    let (field, msgs) = fields.iter().next()?;
    let first = msgs.as_array()?.first()?.as_str()?;
    f.field = Some(field.to_string());
    f.vendor_code = Some(first.to_string());
    f.message = message(&format!("{field} {first}"));
    if !fields
        .values()
        .all(|v| v.as_array().is_some_and(|a| a.iter().all(Value::is_string)))
    {
        return None;
    }
    f.confidence = 0.7;
    f.evidence.push(format!(
        "body: Rails validation errors on {} field(s)",
        fields.len()
    ));
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::super::cases::{run, run_body};
    use super::*;

    #[test]
    fn reads_the_public_exceptions_body() {
        let f = run(parse, "rails_1").unwrap();
        assert_eq!(f.message.as_deref(), Some("Not Found"));
    }

    #[test]
    fn reads_the_development_exception() {
        let f = run(parse, "rails_2").unwrap();
        assert_eq!(
            f.vendor_code.as_deref(),
            Some("ActiveRecord::RecordNotFound")
        );
        assert_eq!(
            f.message.as_deref(),
            Some("Couldn't find Article with 'id'=42")
        );
    }

    #[test]
    fn reads_validation_errors() {
        let f = run(parse, "rails_3").unwrap();
        // Members come back in key order, so "body" is read first.
        assert_eq!(f.field.as_deref(), Some("body"));
        assert_eq!(
            f.vendor_code.as_deref(),
            Some("is too short (minimum is 10 characters)")
        );
    }

    #[test]
    fn elasticsearch_legacy_errors_are_not_rails() {
        assert!(run_body(
            parse,
            404,
            r#"{"error":"IndexMissingException[[x] missing]","status":404}"#
        )
        .is_none());
    }
}
