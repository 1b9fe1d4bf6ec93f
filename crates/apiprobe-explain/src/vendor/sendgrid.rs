//! Twilio SendGrid v3 errors: `{"errors":[{"message":..,"field":..,"help":..}]}`.

use super::access::{arr_of, message, str_of};
use super::{Body, Finding};

/// Recognises a SendGrid error array: entries carry `message` with `field` and/or `help`, and no `code`.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let json = b.json?;
    // SendGrid sends the array alone (at most with a request id); Mailchimp's field errors sit beside a title.
    if !json.as_object()?.keys().all(|k| k == "errors" || k == "id") {
        return None;
    }
    let errors = arr_of(json, "errors")?;
    let first = errors.first()?.as_object()?;
    let shaped = errors.iter().filter_map(|e| e.as_object()).all(|e| {
        e.contains_key("message")
            && (e.contains_key("field") || e.contains_key("help"))
            && e.keys()
                .all(|k| matches!(k, "message" | "field" | "help" | "error_id" | "parameter"))
    });
    if !shaped {
        return None;
    }
    let entry = errors.first()?;
    let mut f = Finding {
        format: "sendgrid",
        vendor: Some("sendgrid"),
        message: str_of(entry, "message").and_then(message),
        field: str_of(entry, "field").map(str::to_string),
        confidence: if first.contains_key("help") { 0.8 } else { 0.6 },
        ..Finding::default()
    };
    if f.field.is_some() {
        f.maps_to = Some("INVALID_FIELD_VALUE".to_string());
    }
    f.evidence.push(format!(
        "body: SendGrid errors[] ({} entr{})",
        errors.len(),
        if errors.len() == 1 { "y" } else { "ies" }
    ));
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::super::cases::{run, run_body};
    use super::*;

    #[test]
    fn reads_an_invalid_grant() {
        let f = run(parse, "sendgrid_1").unwrap();
        assert_eq!(
            f.message.as_deref(),
            Some("The provided authorization grant is invalid, expired, or revoked")
        );
        assert_eq!(f.field, None);
    }

    #[test]
    fn reads_the_field_of_a_mail_send_error() {
        let f = run(parse, "sendgrid_2").unwrap();
        assert_eq!(f.field.as_deref(), Some("from.email"));
    }

    #[test]
    fn reads_authorization_required() {
        let f = run(parse, "sendgrid_3").unwrap();
        assert_eq!(f.message.as_deref(), Some("authorization required"));
    }

    #[test]
    fn jsonapi_registry_and_mailchimp_errors_are_not_sendgrid() {
        assert!(run_body(
            parse,
            400,
            r#"{"title":"Invalid Resource","errors":[{"field":"email_address","message":"x"}]}"#
        )
        .is_none());
        assert!(run_body(
            parse,
            401,
            r#"{"errors":[{"code":"UNAUTHORIZED","message":"x","detail":null}]}"#
        )
        .is_none());
        assert!(run_body(
            parse,
            422,
            r#"{"errors":[{"status":"422","title":"x","detail":"y"}]}"#
        )
        .is_none());
    }
}
