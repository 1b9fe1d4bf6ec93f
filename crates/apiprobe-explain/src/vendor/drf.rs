//! Django REST Framework errors: `{"detail": "..."}` with DRF's default texts, field errors
//! `{"email": ["Enter a valid email address."]}` and `{"non_field_errors": [...]}`.

use super::access::message;
use super::{Body, Finding};
use crate::json::Value;

/// DRF's default messages and the `default_code` each belongs to (rest_framework/exceptions.py, fields.py).
const MESSAGES: &[(&str, &str)] = &[
    (
        "Authentication credentials were not provided.",
        "not_authenticated",
    ),
    (
        "Incorrect authentication credentials.",
        "authentication_failed",
    ),
    ("Invalid token.", "authentication_failed"),
    (
        "Given token not valid for any token type",
        "token_not_valid",
    ),
    (
        "You do not have permission to perform this action.",
        "permission_denied",
    ),
    ("Not found.", "not_found"),
    ("No ", "not_found"),
    ("Method \"", "method_not_allowed"),
    ("Request was throttled.", "throttled"),
    ("Malformed request.", "parse_error"),
    ("JSON parse error", "parse_error"),
    ("Unsupported media type", "unsupported_media_type"),
    (
        "Could not satisfy the request Accept header.",
        "not_acceptable",
    ),
    ("This field is required.", "required"),
    ("This field may not be blank.", "blank"),
    ("This field may not be null.", "null"),
    ("Enter a valid email address.", "invalid"),
    ("A valid integer is required.", "invalid"),
    ("Ensure this field has no more than", "max_length"),
    ("Invalid pk \"", "does_not_exist"),
];

fn code_for(msg: &str) -> Option<&'static str> {
    MESSAGES
        .iter()
        .find(|(m, _)| msg.starts_with(m))
        .map(|(_, c)| *c)
}

/// Recognises a DRF error body.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let obj = b.json?.as_object()?;
    let mut f = Finding {
        format: "drf",
        vendor: Some("drf"),
        ..Finding::default()
    };
    if let (1, Some(Value::String(detail))) = (obj.len(), obj.get("detail")) {
        let code = code_for(detail.as_ref())?;
        // "No Foo matches the given query." is DRF's get_object_or_404 text; plain "No ..." is too loose.
        if code == "not_found"
            && detail.starts_with("No ")
            && !detail.ends_with("matches the given query.")
        {
            return None;
        }
        f.vendor_code = Some(code.to_string());
        f.message = message(detail.as_ref());
        f.confidence = 0.8;
        if code == "throttled" {
            // "Request was throttled. Expected available in 5 seconds."
            f.retry_after_s = detail
                .split_once("available in ")
                .and_then(|(_, r)| r.split_whitespace().next())
                .and_then(|n| n.parse().ok());
        }
        f.evidence.push(format!("body: DRF detail ({code})"));
        return Some(f);
    }
    // Field errors: every member a list of strings, at least one of them a DRF default text.
    let mut first: Option<(&str, &str)> = None;
    let mut known = false;
    for (k, v) in obj {
        let msgs = v.as_array()?;
        let m = msgs.first()?.as_str()?;
        known |= msgs
            .iter()
            .filter_map(Value::as_str)
            .any(|m| code_for(m).is_some());
        if first.is_none()
            || k != "non_field_errors" && first.is_some_and(|(fk, _)| fk == "non_field_errors")
        {
            first = Some((k, m));
        }
    }
    let (field, msg) = first?;
    if !(known || obj.contains_key("non_field_errors")) {
        return None;
    }
    if field != "non_field_errors" {
        f.field = Some(field.to_string());
    }
    f.vendor_code = code_for(msg).map(str::to_string);
    f.message = message(msg);
    if f.vendor_code.is_none() {
        f.maps_to = Some(
            if f.field.is_some() {
                "INVALID_FIELD_VALUE"
            } else {
                "VALIDATION_FAILED"
            }
            .to_string(),
        );
    }
    f.confidence = 0.7;
    f.evidence
        .push(format!("body: DRF field errors on {} field(s)", obj.len()));
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::super::cases::{run, run_body};
    use super::*;

    #[test]
    fn reads_missing_credentials() {
        let f = run(parse, "drf_1").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("not_authenticated"));
    }

    #[test]
    fn reads_field_errors() {
        let f = run(parse, "drf_2").unwrap();
        assert_eq!(f.field.as_deref(), Some("email"));
        assert_eq!(f.vendor_code.as_deref(), Some("required"));
    }

    #[test]
    fn reads_throttling_with_its_wait() {
        let f = run(parse, "drf_3").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("throttled"));
        assert_eq!(f.retry_after_s, Some(56.0));
    }

    #[test]
    fn reads_non_field_errors() {
        let f = run(parse, "drf_4").unwrap();
        assert_eq!(f.field, None);
        assert_eq!(f.maps_to.as_deref(), Some("VALIDATION_FAILED"));
    }

    #[test]
    fn fastapi_and_rails_bodies_are_not_drf() {
        assert!(run_body(parse, 404, r#"{"detail":"Not Found"}"#).is_none());
        assert!(run_body(parse, 422, r#"{"title":["can't be blank"]}"#).is_none());
    }
}
