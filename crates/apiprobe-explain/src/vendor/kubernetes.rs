//! Kubernetes API `Status` objects: `{"kind":"Status","status":"Failure","message":..,"reason":"NotFound",
//! "details":{"name":..,"kind":..,"causes":[..]},"code":404}`.

use super::access::{arr_of, between, message, str_of};
use super::{Body, Finding};

/// Recognises a failed Kubernetes `Status`.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let json = b.json?;
    // Without `kind` (a Status copied out of its envelope), the Status members still mark it: `metadata`
    // and a numeric `code` beside `status: Failure`.
    let status_shaped = str_of(json, "kind") == Some("Status")
        || (json
            .get("metadata")
            .is_some_and(|m| m.as_object().is_some())
            && json.get("code").is_some_and(|c| c.as_u64().is_some()));
    if !status_shaped || str_of(json, "status") != Some("Failure") {
        return None;
    }
    let reason = str_of(json, "reason");
    let msg = str_of(json, "message");
    let mut f = Finding {
        format: "kubernetes",
        vendor: Some("kubernetes"),
        vendor_code: reason.map(str::to_string),
        message: msg.and_then(message),
        confidence: 0.95,
        ..Finding::default()
    };
    f.evidence.push(format!(
        "body: Kubernetes Status, reason {}",
        reason.unwrap_or("(none)")
    ));
    if let Some(d) = json.get("details") {
        let kind = str_of(d, "kind");
        let name = str_of(d, "name");
        f.resource = match (kind, name) {
            (Some(k), Some(n)) => Some(format!("{k}/{n}")),
            (None, Some(n)) => Some(n.to_string()),
            (Some(k), None) => Some(k.to_string()),
            _ => None,
        };
        f.field = arr_of(d, "causes")
            .and_then(|c| c.first())
            .and_then(|c| str_of(c, "field"))
            .map(str::to_string);
    }
    // RBAC denials say: User "x" cannot list resource "pods" in API group "" ...
    if let Some(m) = msg {
        if let Some(verb) = between(m, "\" cannot ", " resource \"") {
            if let Some(res) = between(m, " resource \"", "\"") {
                f.permission = Some(format!("{verb} {res}"));
            }
        }
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::super::cases::{run, run_body};
    use super::*;

    #[test]
    fn reads_not_found_with_resource() {
        let f = run(parse, "kubernetes_1").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("NotFound"));
        assert_eq!(f.resource.as_deref(), Some("pods/foo"));
    }

    #[test]
    fn reads_the_denied_verb_and_resource() {
        let f = run(parse, "kubernetes_2").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("Forbidden"));
        assert_eq!(f.permission.as_deref(), Some("list pods"));
    }

    #[test]
    fn reads_the_field_of_an_invalid_object() {
        let f = run(parse, "kubernetes_3").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("Invalid"));
        assert_eq!(f.field.as_deref(), Some("metadata.name"));
    }

    #[test]
    fn success_status_is_not_an_error() {
        assert!(run_body(
            parse,
            200,
            r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success"}"#
        )
        .is_none());
    }
}
