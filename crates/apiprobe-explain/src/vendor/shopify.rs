//! Shopify Admin REST errors: `{"errors":"..."}` or `{"errors":{"field":["message"]}}`. The object form is
//! Rails' own, so it counts as Shopify only with a Shopify header or Shopify's `[API]` message prefix.

use super::access::message;
use super::{Body, Finding};
use crate::json::Value;

/// Recognises a Shopify REST error body.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let obj = b.json?.as_object()?;
    let errors = obj.get("errors")?;
    let header = b
        .headers
        .iter()
        .any(|(n, _)| n.to_ascii_lowercase().starts_with("x-shopify-"));
    let mut f = Finding {
        format: "shopify",
        vendor: Some("shopify"),
        ..Finding::default()
    };
    match errors {
        Value::String(s) => {
            if !(header || s.starts_with("[API]")) {
                return None;
            }
            f.message = message(s.as_ref());
        }
        Value::Object(fields) if header => {
            let (field, msgs) = fields.iter().next()?;
            let first = msgs.as_array()?.first()?.as_str()?;
            f.field = Some(field.to_string());
            f.vendor_code = Some(first.to_string());
            f.message = message(&format!("{field} {first}"));
        }
        _ => return None,
    }
    f.confidence = if header { 0.9 } else { 0.7 };
    f.evidence.push(if header {
        "header x-shopify-*".to_string()
    } else {
        "body: Shopify [API] message".to_string()
    });
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::super::cases::{run, run_body};
    use super::*;

    #[test]
    fn reads_an_invalid_key() {
        let f = run(parse, "shopify_1").unwrap();
        assert!(f.message.unwrap().starts_with("[API] Invalid API key"));
    }

    #[test]
    fn reads_a_field_error_with_shopify_headers() {
        let f = run(parse, "shopify_2").unwrap();
        assert_eq!(f.field.as_deref(), Some("title"));
        assert_eq!(f.vendor_code.as_deref(), Some("can't be blank"));
    }

    #[test]
    fn reads_a_throttle_message() {
        let f = run(parse, "shopify_3").unwrap();
        assert!(f
            .message
            .unwrap()
            .starts_with("Exceeded 2 calls per second"));
    }

    #[test]
    fn rails_bodies_without_shopify_headers_are_not_shopify() {
        assert!(run_body(parse, 422, r#"{"errors":{"title":["can't be blank"]}}"#).is_none());
        assert!(run_body(parse, 404, r#"{"errors":"Not Found"}"#).is_none());
    }
}
