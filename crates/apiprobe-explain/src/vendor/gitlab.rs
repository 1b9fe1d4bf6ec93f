//! GitLab REST API errors: `{"message":"404 Project Not Found"}`, `{"message":{"name":["has already been
//! taken"]}}`, and the token errors `{"error":"insufficient_scope","error_description":..,"scope":..}`.

use super::access::message;
use super::{Body, Finding};
use crate::json::Value;

/// Recognises a GitLab error body.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let obj = b.json?.as_object()?;
    let mut f = Finding {
        format: "gitlab",
        vendor: Some("gitlab"),
        ..Finding::default()
    };
    if let Some(scope) = obj.get("scope").and_then(Value::as_str) {
        // Only GitLab adds the required `scope` beside the OAuth-style pair.
        let err = obj.get("error").and_then(Value::as_str)?;
        f.vendor_code = Some(err.to_string());
        f.message = obj
            .get("error_description")
            .and_then(Value::as_str)
            .and_then(message);
        f.permission = Some(scope.to_string());
        f.confidence = 0.8;
        f.evidence
            .push(format!("body: GitLab token error {err}, scope {scope}"));
        return Some(f);
    }
    if obj.len() != 1 {
        return None;
    }
    match obj.get("message")? {
        Value::String(s) => {
            // "404 Project Not Found": the status, then what is missing or wrong.
            let (num, rest) = s.split_once(' ')?;
            if num.len() != 3
                || !num.bytes().all(|c| c.is_ascii_digit())
                || num.parse::<u16>().ok()? != b.status
            {
                return None;
            }
            f.message = message(s.as_ref());
            if num == "404" {
                f.resource = rest.strip_suffix(" Not Found").map(str::to_string);
            }
            f.confidence = 0.7;
            f.evidence.push(format!("body: GitLab message \"{}\"", s));
        }
        Value::Object(fields) => {
            let (field, msgs) = fields.iter().next()?;
            let first = msgs.as_array()?.first()?.as_str()?;
            f.field = Some(field.to_string());
            f.vendor_code = Some(first.to_string());
            f.message = message(&format!("{field} {first}"));
            f.confidence = 0.7;
            f.evidence
                .push(format!("body: GitLab field errors, first on {field}"));
        }
        _ => return None,
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::super::cases::{run, run_body};
    use super::*;

    #[test]
    fn reads_a_missing_project() {
        let f = run(parse, "gitlab_1").unwrap();
        assert_eq!(f.resource.as_deref(), Some("Project"));
    }

    #[test]
    fn reads_field_errors() {
        let f = run(parse, "gitlab_2").unwrap();
        assert_eq!(f.field.as_deref(), Some("name"));
        assert_eq!(f.vendor_code.as_deref(), Some("has already been taken"));
    }

    #[test]
    fn reads_the_required_scope() {
        let f = run(parse, "gitlab_3").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("insufficient_scope"));
        assert_eq!(f.permission.as_deref(), Some("api"));
    }

    #[test]
    fn github_and_plain_messages_are_not_gitlab() {
        assert!(run_body(
            parse,
            404,
            r#"{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}"#
        )
        .is_none());
        assert!(run_body(parse, 500, r#"{"message":"Something went wrong"}"#).is_none());
        assert!(run_body(parse, 404, r#"{"message":"401 Unauthorized"}"#).is_none());
    }
}
