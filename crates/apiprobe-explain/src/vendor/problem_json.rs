//! RFC 9457 (formerly 7807) problem details: `type`, `title`, `status`, `detail`, `instance`, and the
//! validation extensions seen in the wild: `invalid-params` (RFC 7807's example), `errors` as a list of
//! `{detail, pointer}` (RFC 9457's example) or as a map of field -> messages (ASP.NET Core).

use super::{cat, decimal, msg, s, Body, Finding};
use crate::json::Value;

/// Recognises a problem document by its media type, or by its members when the media type is plain JSON.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let j = b.json?.as_object()?;
    let by_type = b.media_is("application/problem+json");
    let shaped = j.get("title").is_some_and(Value::is_string)
        && (j.get("type").is_some_and(Value::is_string)
            || j.get("status").is_some_and(Value::is_u64))
        && !j.contains_key("error");
    if !by_type && !shaped {
        return None;
    }
    let v = b.json?;
    let ptype = s(v, "type").filter(|t| !t.is_empty() && *t != "about:blank");
    let mut f = Finding {
        format: "problem_json",
        vendor: Some("problem_json"),
        vendor_code: ptype.map(str::to_string),
        message: s(v, "detail").or_else(|| s(v, "title")).and_then(msg),
        resource: s(v, "instance").and_then(msg),
        confidence: if by_type { 0.9 } else { 0.75 },
        ..Finding::default()
    };
    f.evidence.push(if by_type {
        "Content-Type: application/problem+json".to_string()
    } else {
        "body has the problem-details members (type, title, status)".to_string()
    });
    if let Some(t) = s(v, "title") {
        f.evidence.push(cat(["problem title: ", t]));
    }
    if let Some(st) = v.get("status").and_then(Value::as_u64) {
        if st != u64::from(b.status) {
            f.evidence.push(format!(
                "problem status {st} differs from the HTTP status {}",
                b.status
            ));
        }
    }
    let (field, why) = invalid_field(v);
    if let Some(field) = field {
        f.field = Some(field);
    }
    if let Some(why) = why {
        f.evidence.push(why);
        f.maps_to = Some("VALIDATION_FAILED".to_string());
    }
    // The title is the problem type's summary: when the detail names nothing, the title still can.
    if f.vendor_code.is_none() {
        f.reason = s(v, "title").map(str::to_string);
    }
    Some(f)
}

/// The first invalid field named by `invalid-params`, `errors[]` or `errors{}`.
fn invalid_field(v: &Value) -> (Option<String>, Option<String>) {
    if let Some(list) = v.get("invalid-params").and_then(Value::as_array) {
        let first = list.first();
        let name = first.and_then(|p| s(p, "name")).map(str::to_string);
        return (
            name,
            Some(cat([
                "invalid-params lists ",
                &decimal(list.len() as u64),
                " field(s)",
            ])),
        );
    }
    match v.get("errors") {
        Some(Value::Array(list)) if !list.is_empty() => {
            let first = &list[0];
            let name = s(first, "pointer")
                .or_else(|| s(first, "field"))
                .or_else(|| s(first, "name"))
                .or_else(|| s(first, "parameter"))
                .map(|p| {
                    p.trim_start_matches('#')
                        .trim_start_matches('/')
                        .replace('/', ".")
                });
            (
                name,
                Some(cat([
                    "errors lists ",
                    &decimal(list.len() as u64),
                    " problem(s)",
                ])),
            )
        }
        Some(Value::Object(map)) if !map.is_empty() => {
            let name = map.keys().next().map(str::to_string);
            let why = cat(["errors names ", &decimal(map.len() as u64), " field(s)"]);
            (name, Some(why))
        }
        _ => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(status: u16, ct: &str, body: &str) -> Option<Finding> {
        let headers = vec![("content-type".to_string(), ct.to_string())];
        let json: Option<Value> = crate::json::parse(body).ok();
        parse(&Body::new(status, &headers, body, json.as_ref()))
    }

    #[test]
    fn reads_rfc7807_invalid_params() {
        let f = run(400, "application/problem+json", r#"{"type":"https://example.net/validation-error","title":"Your request parameters didn't validate.","invalid-params":[{"name":"age","reason":"must be a positive integer"},{"name":"color","reason":"must be 'green', 'red' or 'blue'"}]}"#).unwrap();
        assert_eq!(f.field.as_deref(), Some("age"));
        assert_eq!(f.maps_to.as_deref(), Some("VALIDATION_FAILED"));
    }

    #[test]
    fn reads_aspnet_errors_map_without_problem_media_type() {
        let f = run(400, "application/json", r#"{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,"errors":{"Name":["The Name field is required."]}}"#).unwrap();
        assert_eq!(f.field.as_deref(), Some("Name"));
        assert!((f.confidence - 0.75).abs() < 1e-9);
    }

    #[test]
    fn leaves_other_json_alone() {
        assert!(run(
            400,
            "application/json",
            r#"{"error":{"code":400,"message":"x"}}"#
        )
        .is_none());
        assert!(run(
            400,
            "application/json",
            r#"{"title":"x","error":"y","status":400}"#
        )
        .is_none());
    }
}
