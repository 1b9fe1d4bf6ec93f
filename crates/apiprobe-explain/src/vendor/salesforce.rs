//! Salesforce REST API errors: a JSON array of `{"message":..,"errorCode":..,"fields":[..]}`.

use super::access::{arr_of, message, str_of};
use super::{Body, Finding};

/// Recognises a Salesforce REST error array; the first entry speaks for the response.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let first = b.json?.as_array()?.first()?;
    let code = str_of(first, "errorCode")?;
    let msg = str_of(first, "message")?;
    let mut f = Finding {
        format: "salesforce",
        vendor: Some("salesforce"),
        vendor_code: Some(code.to_string()),
        message: message(msg),
        confidence: 0.85,
        ..Finding::default()
    };
    f.evidence
        .push(format!("body: Salesforce error array, errorCode {code}"));
    f.field = arr_of(first, "fields")
        .and_then(|a| a.first())
        .and_then(|v| v.as_str())
        .map(str::to_string);
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::super::cases::{run, run_body};
    use super::*;

    #[test]
    fn reads_an_expired_session() {
        let f = run(parse, "salesforce_1").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("INVALID_SESSION_ID"));
        assert_eq!(f.message.as_deref(), Some("Session expired or invalid"));
    }

    #[test]
    fn reads_the_field_of_a_malformed_id() {
        let f = run(parse, "salesforce_2").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("MALFORMED_ID"));
        assert_eq!(f.field.as_deref(), Some("Id"));
    }

    #[test]
    fn reads_a_missing_required_field() {
        let f = run(parse, "salesforce_3").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("REQUIRED_FIELD_MISSING"));
        assert_eq!(f.field.as_deref(), Some("Name"));
    }

    #[test]
    fn ignores_other_arrays() {
        assert!(run_body(parse, 400, r#"[{"message":"x","code":"y"}]"#).is_none());
        assert!(run_body(parse, 400, "[]").is_none());
    }
}
