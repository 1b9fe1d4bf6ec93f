//! FastAPI / Starlette errors: `{"detail":"Not Found"}` and request validation errors
//! `{"detail":[{"loc":["body","name"],"msg":..,"type":..}]}` (pydantic v1 and v2 spellings).

use super::access::{message, str_of};
use super::{Body, Finding};
use crate::json::Value;

/// Default texts Starlette and FastAPI's security helpers send as a bare `detail`.
const STARLETTE_DETAILS: &[&str] = &[
    "Not Found",
    "Method Not Allowed",
    "Not authenticated",
    "Internal Server Error",
];

/// Where a parameter came from; the field name follows it in `loc`.
const LOCATIONS: &[&str] = &["body", "query", "path", "header", "cookie"];

/// Recognises a FastAPI error body.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let obj = b.json?.as_object()?;
    if obj.len() != 1 {
        return None;
    }
    let mut f = Finding {
        format: "fastapi",
        vendor: Some("fastapi"),
        ..Finding::default()
    };
    match obj.get("detail")? {
        Value::String(s) => {
            let uvicorn = b
                .header("server")
                .is_some_and(|s| s.eq_ignore_ascii_case("uvicorn"));
            if !(STARLETTE_DETAILS.contains(&s.as_ref()) || uvicorn) {
                return None;
            }
            f.message = message(s.as_ref());
            f.confidence = if uvicorn { 0.8 } else { 0.6 };
            f.evidence.push(format!("body: FastAPI detail \"{s}\""));
        }
        Value::Array(items) => {
            let first = items.first()?;
            let loc = first.get("loc")?.as_array()?;
            let msg = str_of(first, "msg")?;
            let ty = str_of(first, "type")?;
            let parts: Vec<String> = loc
                .iter()
                .map(|p| match p {
                    Value::String(s) => s.to_string(),
                    other => other.to_string(),
                })
                .collect();
            let skip = usize::from(
                parts
                    .first()
                    .is_some_and(|p| LOCATIONS.contains(&p.as_str())),
            );
            let field = parts[skip.min(parts.len())..].join(".");
            f.field = (!field.is_empty()).then_some(field);
            f.vendor_code = Some(ty.to_string());
            f.message = message(msg);
            // Any other pydantic error type on a named field is a value the field does not accept.
            if f.field.is_some() {
                f.maps_to = Some(
                    if parts.first().map(String::as_str) == Some("query") {
                        "INVALID_QUERY_PARAMETER"
                    } else {
                        "INVALID_FIELD_VALUE"
                    }
                    .to_string(),
                );
            }
            f.confidence = 0.9;
            f.evidence.push(format!(
                "body: FastAPI validation error, {} item(s), first {ty} at {}",
                items.len(),
                parts.join(".")
            ));
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
    fn reads_a_pydantic_v2_missing_field() {
        let f = run(parse, "fastapi_1").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("missing"));
        assert_eq!(f.field.as_deref(), Some("price"));
    }

    #[test]
    fn reads_a_pydantic_v1_type_error_in_the_path() {
        let f = run(parse, "fastapi_2").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("type_error.integer"));
        assert_eq!(f.field.as_deref(), Some("item_id"));
    }

    #[test]
    fn reads_the_default_not_found() {
        let f = run(parse, "fastapi_3").unwrap();
        assert_eq!(f.message.as_deref(), Some("Not Found"));
    }

    #[test]
    fn nested_locations_join_with_dots() {
        let f = run_body(parse, 422, r#"{"detail":[{"type":"int_parsing","loc":["body","items",0,"qty"],"msg":"x","input":"a"}]}"#).unwrap();
        assert_eq!(f.field.as_deref(), Some("items.0.qty"));
    }

    #[test]
    fn drf_and_custom_details_are_not_fastapi() {
        assert!(run_body(parse, 404, r#"{"detail":"Not found."}"#).is_none());
        assert!(run_body(parse, 400, r#"{"detail":"Something custom"}"#).is_none());
    }
}
