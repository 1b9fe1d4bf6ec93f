//! X (Twitter) API v2: `errors[]` of problem objects whose `type` is
//! `https://api.twitter.com/2/problems/<kind>`, with `parameter`, `value` and `resource_type`. Beside
//! `data` they are a partial error: what was found came back, and the errors name what was not.

use super::{cat, msg, s, Body, Finding};

const PROBLEMS: &str = "https://api.twitter.com/2/problems/";

/// Recognises an `errors[]` entry with a v2 problem type.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let v = b.json?;
    let errors = v.get("errors")?.as_array()?;
    let first = errors
        .iter()
        .find(|e| s(e, "type").is_some_and(|t| t.starts_with(PROBLEMS)))?;
    let kind = s(first, "type")?.strip_prefix(PROBLEMS)?;
    let partial = v.get("data").is_some_and(|d| !d.is_null());
    let mut f = Finding {
        format: "twitter",
        vendor: Some("twitter"),
        vendor_code: Some(kind.to_string()),
        message: s(first, "detail")
            .or_else(|| s(first, "message"))
            .or_else(|| s(first, "title"))
            .and_then(msg),
        field: s(first, "parameter").map(str::to_string),
        confidence: 0.9,
        ..Finding::default()
    };
    if kind == "resource-not-found" || kind == "not-authorized-for-resource" {
        f.resource = s(first, "value")
            .or_else(|| s(first, "resource_id"))
            .map(str::to_string);
    }
    f.evidence.push(cat(["body: X API v2 problem ", kind]));
    if partial {
        f.evidence.push(cat([
            "partial error: data came back, and ",
            &super::decimal(errors.len() as u64),
            " error(s) name what did not",
        ]));
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partial_error_says_so_and_names_the_missing_thing() {
        let text = r#"{"data":[{"id":"1","text":"hi"}],"errors":[{"value":"99","detail":"Could not find tweet with ids: [99].","title":"Not Found Error","resource_type":"tweet","parameter":"ids","resource_id":"99","type":"https://api.twitter.com/2/problems/resource-not-found"}]}"#;
        let v = crate::json::parse(text).expect("json");
        let f = parse(&Body::new(200, &[], text, Some(&v))).expect("read");
        assert_eq!(f.vendor_code.as_deref(), Some("resource-not-found"));
        assert_eq!(f.resource.as_deref(), Some("99"));
        assert_eq!(f.field.as_deref(), Some("ids"));
        assert!(f.evidence.iter().any(|e| e.starts_with("partial error")));
    }
}
