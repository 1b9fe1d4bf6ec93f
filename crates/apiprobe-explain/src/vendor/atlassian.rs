//! Atlassian (Jira, Confluence server) errors: `{"errorMessages":[..],"errors":{"field":"message"}}`.

use super::access::{arr_of, message, obj_of};
use super::{Body, Finding};
use crate::json::Value;

/// Recognises a Jira-style error collection: both members present, as Jira always sends them.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let json = b.json?;
    let msgs = arr_of(json, "errorMessages")?;
    let fields = obj_of(json, "errors")?;
    let first_field = fields.iter().find_map(|(k, v)| v.as_str().map(|m| (k, m)));
    let text = msgs
        .iter()
        .find_map(Value::as_str)
        .or(first_field.map(|(_, m)| m));
    let mut f = Finding {
        format: "atlassian",
        vendor: Some("atlassian"),
        message: text.and_then(message),
        field: first_field.map(|(k, _)| k.to_string()),
        confidence: 0.85,
        ..Finding::default()
    };
    if f.field.is_some() {
        f.maps_to = Some("VALIDATION_FAILED".to_string());
    }
    f.evidence.push(format!(
        "body: Jira errorMessages ({}) and errors ({})",
        msgs.len(),
        fields.len()
    ));
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::super::cases::{run, run_body};
    use super::*;

    #[test]
    fn reads_a_missing_issue() {
        let f = run(parse, "atlassian_1").unwrap();
        assert_eq!(
            f.message.as_deref(),
            Some("Issue does not exist or you do not have permission to see it.")
        );
        assert_eq!(f.field, None);
    }

    #[test]
    fn reads_a_field_error() {
        let f = run(parse, "atlassian_2").unwrap();
        assert_eq!(f.field.as_deref(), Some("summary"));
        assert_eq!(f.maps_to.as_deref(), Some("VALIDATION_FAILED"));
    }

    #[test]
    fn reads_a_jql_error() {
        let f = run(parse, "atlassian_3").unwrap();
        assert!(f.message.unwrap().contains("does not exist"));
    }

    #[test]
    fn needs_both_members() {
        assert!(run_body(parse, 400, r#"{"errors":{"summary":"x"}}"#).is_none());
    }
}
