//! Spring Boot's default error body: `{"timestamp":..,"status":404,"error":"Not Found","message":..,
//! "path":"/x"}`, with `errors[]` of field errors when validation failed.

use super::access::{arr_of, message, str_of};
use super::{Body, Finding};

/// Recognises Spring Boot's `DefaultErrorAttributes` output.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let json = b.json?;
    json.get("timestamp")?;
    json.get("status")?.as_u64()?;
    let error = str_of(json, "error")?;
    let path = str_of(json, "path")?;
    // "No message available" is Spring's placeholder when the message is hidden.
    let msg = str_of(json, "message").filter(|m| !m.is_empty() && *m != "No message available");
    let mut f = Finding {
        format: "spring_boot",
        vendor: Some("spring_boot"),
        message: msg.or(Some(error)).and_then(message),
        resource: Some(path.to_string()),
        confidence: 0.9,
        ..Finding::default()
    };
    f.evidence.push(format!(
        "body: Spring Boot error attributes, \"{error}\" at {path}"
    ));
    if let Some(first) = arr_of(json, "errors").and_then(|e| e.first()) {
        f.field = str_of(first, "field").map(str::to_string);
        f.vendor_code = str_of(first, "code").map(str::to_string);
        if let Some(m) = str_of(first, "defaultMessage") {
            f.message = message(&format!("{} {m}", f.field.as_deref().unwrap_or("")));
        }
    }
    if let Some(ex) = str_of(json, "exception") {
        f.evidence.push(format!("exception {ex}"));
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::super::cases::{run, run_body};
    use super::*;

    #[test]
    fn reads_a_missing_path() {
        let f = run(parse, "spring_boot_1").unwrap();
        assert_eq!(f.resource.as_deref(), Some("/api/nothing"));
        assert_eq!(f.message.as_deref(), Some("Not Found"));
    }

    #[test]
    fn reads_a_validation_field_error() {
        let f = run(parse, "spring_boot_2").unwrap();
        assert_eq!(f.field.as_deref(), Some("name"));
        assert_eq!(f.vendor_code.as_deref(), Some("NotBlank"));
    }

    #[test]
    fn reads_an_internal_error() {
        let f = run(parse, "spring_boot_3").unwrap();
        assert_eq!(f.resource.as_deref(), Some("/orders"));
    }

    #[test]
    fn rails_bodies_are_not_spring() {
        assert!(run_body(parse, 404, r#"{"status":404,"error":"Not Found"}"#).is_none());
    }
}
