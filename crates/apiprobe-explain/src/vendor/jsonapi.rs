//! JSON:API error documents: `{"errors":[{"status":"422","code":..,"title":..,"detail":..,
//! "source":{"pointer":"/data/attributes/x"}}]}`.

use super::access::{arr_of, message, str_of};
use super::{Body, Finding};

/// Members the JSON:API specification allows in an error object.
const MEMBERS: &[&str] = &[
    "id", "links", "status", "code", "title", "detail", "source", "meta",
];

/// Recognises a JSON:API error document.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let json = b.json?;
    let errors = arr_of(json, "errors")?;
    let first = errors.first()?;
    let spec_shaped = errors.iter().all(|e| {
        e.as_object().is_some_and(|o| {
            !o.is_empty()
                && o.keys().all(|k| MEMBERS.contains(&k))
                && (o.contains_key("title")
                    || o.contains_key("source")
                    || o.get("status").is_some_and(|s| s.is_string()))
        })
    });
    let media = b
        .header("content-type")
        .is_some_and(|c| c.contains("application/vnd.api+json"));
    if !spec_shaped {
        return None;
    }
    let source = first.get("source");
    let pointer = source.and_then(|s| str_of(s, "pointer"));
    let parameter = source.and_then(|s| str_of(s, "parameter"));
    let mut f = Finding {
        format: "jsonapi",
        vendor: Some("jsonapi"),
        vendor_code: str_of(first, "code").map(str::to_string),
        message: str_of(first, "detail")
            .or_else(|| str_of(first, "title"))
            .and_then(message),
        confidence: if media { 0.95 } else { 0.75 },
        ..Finding::default()
    };
    if let Some(p) = pointer {
        // "/data/attributes/firstName" names the attribute; other pointers are kept whole.
        let field = p
            .strip_prefix("/data/attributes/")
            .or_else(|| p.strip_prefix("/data/relationships/"))
            .unwrap_or(p);
        f.field = Some(field.trim_start_matches('/').to_string()).filter(|s| !s.is_empty());
        f.maps_to = Some("INVALID_FIELD_VALUE".to_string());
    } else if let Some(p) = parameter {
        f.field = Some(p.to_string());
        f.maps_to = Some("INVALID_QUERY_PARAMETER".to_string());
    }
    f.evidence.push(format!(
        "body: JSON:API errors[] ({} item(s))",
        errors.len()
    ));
    if media {
        f.evidence
            .push("Content-Type application/vnd.api+json".to_string());
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::super::cases::{run, run_body};
    use super::*;

    #[test]
    fn reads_an_invalid_attribute() {
        let f = run(parse, "jsonapi_1").unwrap();
        assert_eq!(f.field.as_deref(), Some("firstName"));
        assert_eq!(
            f.message.as_deref(),
            Some("First name must contain at least two characters.")
        );
    }

    #[test]
    fn reads_a_query_parameter() {
        let f = run(parse, "jsonapi_2").unwrap();
        assert_eq!(f.field.as_deref(), Some("include"));
        assert_eq!(f.maps_to.as_deref(), Some("INVALID_QUERY_PARAMETER"));
    }

    #[test]
    fn reads_the_code_member() {
        let f = run(parse, "jsonapi_3").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("123"));
    }

    #[test]
    fn registry_and_graphql_errors_are_not_jsonapi() {
        assert!(run_body(parse, 401, r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}"#).is_none());
        assert!(run_body(
            parse,
            200,
            r#"{"errors":[{"message":"x","locations":[{"line":1,"column":2}]}]}"#
        )
        .is_none());
    }
}
