//! Anthropic-style API errors: `{"type":"error","error":{"type":"not_found_error","message":..},
//! "request_id":..}`.

use super::access::{message, str_of};
use super::{Body, Finding};
use crate::json::Value;

/// Recognises an Anthropic-style error envelope in a JSON value (shared with the SSE parser).
pub(crate) fn from_json(json: &Value) -> Option<Finding> {
    if str_of(json, "type") != Some("error") {
        return None;
    }
    let err = json.get("error")?;
    let ty = str_of(err, "type")?;
    let mut f = Finding {
        format: "anthropic",
        vendor: Some("anthropic"),
        vendor_code: Some(ty.to_string()),
        message: str_of(err, "message").and_then(message),
        confidence: 0.95,
        ..Finding::default()
    };
    f.evidence
        .push(format!("body: Anthropic-style error, type {ty}"));
    if let Some(id) = str_of(json, "request_id") {
        f.evidence.push(format!("request_id {id}"));
    }
    Some(f)
}

/// Recognises an Anthropic-style error body.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    from_json(b.json?)
}

#[cfg(test)]
mod tests {
    use super::super::cases::{run, run_body};
    use super::*;

    #[test]
    fn reads_not_found() {
        let f = run(parse, "anthropic_1").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("not_found_error"));
    }

    #[test]
    fn reads_overloaded() {
        let f = run(parse, "anthropic_2").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("overloaded_error"));
    }

    #[test]
    fn reads_an_authentication_error() {
        let f = run(parse, "anthropic_3").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("authentication_error"));
        assert_eq!(f.message.as_deref(), Some("invalid x-api-key"));
    }

    #[test]
    fn openai_errors_are_not_anthropic() {
        assert!(run_body(
            parse,
            400,
            r#"{"error":{"message":"x","type":"invalid_request_error","param":null,"code":null}}"#
        )
        .is_none());
    }
}
