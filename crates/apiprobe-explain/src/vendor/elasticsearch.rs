//! Elasticsearch / OpenSearch errors: `{"error":{"root_cause":[..],"type":..,"reason":..},"status":N}`,
//! and the 1.x form `{"error":"IndexMissingException[[x] missing]","status":404}`.

use super::access::{arr_of, between, message, str_of};
use super::{Body, Finding};

/// Recognises an Elasticsearch error body.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let json = b.json?;
    json.get("status")?.as_u64()?;
    let err = json.get("error")?;
    if let Some(old) = err.as_str() {
        return parse_legacy(old);
    }
    let etype = str_of(err, "type")?;
    // root_cause is what sets this family apart from other `error.type` bodies (OpenAI, Meta).
    let root = arr_of(err, "root_cause")?.first();
    let reason = str_of(err, "reason").or_else(|| root.and_then(|r| str_of(r, "reason")));
    let mut f = Finding {
        format: "elasticsearch",
        vendor: Some("elasticsearch"),
        vendor_code: Some(etype.to_string()),
        message: reason.and_then(message),
        confidence: 0.9,
        ..Finding::default()
    };
    f.evidence
        .push(format!("body: Elasticsearch error, type {etype}"));
    if let Some(rt) = root
        .and_then(|r| str_of(r, "type"))
        .filter(|rt| *rt != etype)
    {
        f.evidence.push(format!("root cause {rt}"));
    }
    f.resource = str_of(err, "resource.id")
        .or_else(|| str_of(err, "index"))
        .or_else(|| root.and_then(|r| str_of(r, "index")))
        .map(str::to_string);
    if let Some(r) = reason {
        // "failed to parse field [age] of type [long]", "unknown field [foo]".
        f.field = between(r, "field [", "]").map(str::to_string);
        if etype == "security_exception" {
            // "action [indices:data/read/search] is unauthorized for user [...]".
            f.permission = between(r, "action [", "]").map(str::to_string);
            f.maps_to = Some(
                if b.status == 403 || f.permission.is_some() {
                    "PERMISSION_DENIED"
                } else {
                    "INVALID_CREDENTIALS"
                }
                .to_string(),
            );
        }
    }
    Some(f)
}

fn parse_legacy(text: &str) -> Option<Finding> {
    // The exception class leads, followed by its bracketed message: "IndexMissingException[[x] missing]".
    let (class, _) = text.split_once('[')?;
    if !class.ends_with("Exception") || !class.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let mut f = Finding {
        format: "elasticsearch",
        vendor: Some("elasticsearch"),
        vendor_code: Some(class.to_string()),
        message: message(text),
        confidence: 0.8,
        ..Finding::default()
    };
    f.resource = between(text, "[[", "]").map(str::to_string);
    f.evidence
        .push(format!("body: Elasticsearch 1.x error, {class}"));
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::super::cases::{run, run_body};
    use super::*;

    #[test]
    fn reads_index_not_found() {
        let f = run(parse, "elasticsearch_1").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("index_not_found_exception"));
        assert_eq!(f.resource.as_deref(), Some("bloonix-2016-02"));
        assert_eq!(f.message.as_deref(), Some("no such index"));
    }

    #[test]
    fn reads_missing_credentials_security_exception() {
        let f = run(parse, "elasticsearch_2").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("security_exception"));
        assert_eq!(f.maps_to.as_deref(), Some("INVALID_CREDENTIALS"));
    }

    #[test]
    fn reads_the_unauthorized_action_as_permission() {
        let f = run(parse, "elasticsearch_3").unwrap();
        assert_eq!(f.permission.as_deref(), Some("indices:data/read/search"));
        assert_eq!(f.maps_to.as_deref(), Some("PERMISSION_DENIED"));
    }

    #[test]
    fn reads_the_field_of_a_mapping_error() {
        let f = run(parse, "elasticsearch_4").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("mapper_parsing_exception"));
        assert_eq!(f.field.as_deref(), Some("age"));
    }

    #[test]
    fn reads_the_1x_form() {
        let f = run(parse, "elasticsearch_5").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("IndexMissingException"));
        assert_eq!(f.resource.as_deref(), Some("ecapilog-2015-2-4"));
    }

    #[test]
    fn rails_status_error_pairs_are_not_elasticsearch() {
        assert!(run_body(parse, 404, r#"{"status":404,"error":"Not Found"}"#).is_none());
    }
}
