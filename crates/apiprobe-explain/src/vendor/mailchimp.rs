//! Mailchimp Marketing API errors: problem-details-like `{"type":..,"title":..,"status":..,"detail":..,
//! "instance":..}`, with `errors[]` of `{field, message}` for invalid resources.

use super::access::{arr_of, has, message, str_of};
use super::{Body, Finding};

/// Recognises a Mailchimp error by its documentation `type` URL.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let json = b.json?;
    let ty = str_of(json, "type")?;
    if !(has(ty, "mailchimp.com/developer") || has(ty, "developer.mailchimp.com")) {
        return None;
    }
    let title = str_of(json, "title")?;
    let mut f = Finding {
        format: "mailchimp",
        vendor: Some("mailchimp"),
        vendor_code: Some(title.to_string()),
        message: str_of(json, "detail").and_then(message),
        confidence: 0.95,
        ..Finding::default()
    };
    if let Some(first) = arr_of(json, "errors").and_then(|e| e.first()) {
        f.field = str_of(first, "field")
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        if let Some(m) = str_of(first, "message") {
            f.evidence.push(format!("field error: {m}"));
        }
    }
    f.evidence
        .push(format!("body: Mailchimp error \"{title}\""));
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::super::cases::{run, run_body};
    use super::*;

    #[test]
    fn reads_resource_not_found() {
        let f = run(parse, "mailchimp_1").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("Resource Not Found"));
    }

    #[test]
    fn reads_an_invalid_key() {
        let f = run(parse, "mailchimp_2").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("API Key Invalid"));
    }

    #[test]
    fn reads_the_field_of_an_invalid_resource() {
        let f = run(parse, "mailchimp_3").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("Invalid Resource"));
        assert_eq!(f.field.as_deref(), Some("email_address"));
    }

    #[test]
    fn other_problem_details_are_not_mailchimp() {
        assert!(run_body(
            parse,
            403,
            r#"{"type":"https://example.com/probs/out-of-credit","title":"x","status":403}"#
        )
        .is_none());
    }
}
