//! Bodies no family claimed: plain text (`Internal Server Error`, `upstream connect error ...`) and JSON with
//! only a message member (`{"message": "Forbidden"}` from API Gateway, `{"error": "Not Found"}`).
//! The message is kept; generic phrases may still name the condition.

use super::{code_text, msg, s, Body, Finding};
use crate::json::Value;

/// Members that hold a message in unclaimed JSON bodies. The explanatory ones come first: beside a
/// `message` that repeats the reason phrase (`"Bad Request"`), an `explanation` says what was wrong.
const MESSAGE_KEYS: &[&str] = &[
    "explanation",
    "message",
    "error",
    "detail",
    "error_message",
    "errorMessage",
    "error_description",
    "msg",
    "info",
    "title",
    "description",
];

/// Members that hold the API's own code.
const CODE_KEYS: &[&str] = &["code", "error_code", "errorCode", "reason", "type"];

/// Members that name the field at fault.
const FIELD_KEYS: &[&str] = &["field", "param", "parameter", "property", "attribute"];

/// `v[key]`, or `v[Key]`: APIs written in C#, Go or Java often spell members in PascalCase
/// (`{"Code": "..", "Message": ".."}`).
fn member<'a, 'j>(v: &'a Value<'j>, key: &str) -> Option<&'a Value<'j>> {
    v.get(key).or_else(|| {
        // Keys here are short and ASCII: spelled on the stack, as this runs for every unclaimed body.
        let mut buf = [0u8; 32];
        let b = buf.get_mut(..key.len()).filter(|b| !b.is_empty())?;
        b.copy_from_slice(key.as_bytes());
        b[0] = b[0].to_ascii_uppercase();
        v.get(std::str::from_utf8(b).ok()?)
    })
}

/// `message` -> `Message`.
fn pascal(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut chars = key.chars();
    out.extend(chars.next().map(|c| c.to_ascii_uppercase()));
    out.extend(chars);
    out
}

/// The first string of `v[key]`, whether it is a string or a list of them (`"error": ["..."]`).
fn text_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    match member(v, key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.as_ref()),
        Value::Array(a) => a.first().and_then(Value::as_str),
        _ => None,
    }
}

/// The field an object names: a field member, the first of `fields`, or a pydantic `loc` path.
fn field_of(v: &Value) -> Option<String> {
    if let Some(f) = FIELD_KEYS.iter().find_map(|k| s(v, k)) {
        return Some(f.to_string());
    }
    if let Some(f) = v
        .get("fields")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    {
        return f.as_str().map(str::to_string);
    }
    let loc = v.get("loc")?.as_array()?;
    let parts: Vec<String> = loc
        .iter()
        .filter_map(|p| match p {
            Value::String(s) => Some(s.to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .collect();
    // FastAPI puts where the value came from first: `["body", "email"]`.
    let skip = usize::from(
        parts.len() > 1 && matches!(parts[0].as_str(), "body" | "query" | "path" | "header"),
    );
    (parts.len() > skip).then(|| parts[skip..].join("."))
}

/// Reads a JSON body of no known family: its message, code and field wherever the usual members put them.
fn json_finding(v: &Value) -> Finding {
    // A bare list of errors (pydantic's `[{"loc": [...], "msg": "..."}]`): its first entry speaks.
    let v = match v {
        Value::Array(a) => a.first().unwrap_or(v),
        _ => v,
    };
    // The error object: `error`, or the one member of a wrapper (WebHDFS `{"RemoteException": {..}}`).
    let error = member(v, "error")
        .or_else(|| {
            let o = v.as_object()?;
            let mut members = o.iter();
            match (members.next(), members.next()) {
                (Some((_, only)), None) => Some(only),
                _ => None,
            }
        })
        .filter(|e| e.as_object().is_some());
    let inner = error
        .and_then(|e| e.get("errors"))
        .or_else(|| v.get("errors"))
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .filter(|e| e.as_object().is_some());
    let m = inner
        .and_then(|e| MESSAGE_KEYS.iter().find_map(|k| text_of(e, k)))
        .or_else(|| MESSAGE_KEYS.iter().find_map(|k| text_of(v, k)))
        .or_else(|| error.and_then(|e| MESSAGE_KEYS.iter().find_map(|k| text_of(e, k))));
    let code = CODE_KEYS
        .iter()
        .find_map(|k| member(v, k).and(code_text(v, k).or_else(|| code_text(v, &pascal(k)))))
        .or_else(|| {
            error.and_then(|e| {
                ["code", "type", "exception"]
                    .iter()
                    .find_map(|k| code_text(e, k).or_else(|| code_text(e, &pascal(k))))
            })
        });
    let field = inner
        .and_then(field_of)
        .or_else(|| field_of(v))
        .or_else(|| error.and_then(field_of));
    let mut f = Finding {
        format: "json",
        vendor_code: code,
        message: m.and_then(msg),
        field,
        confidence: 0.4,
        ..Finding::default()
    };
    f.evidence.push("body: JSON of no known family".to_string());
    if f.message.is_none() && f.vendor_code.is_none() {
        f.confidence = 0.2;
    }
    if f.field.is_some() && f.maps_to.is_none() {
        // An error that names a field is about that field's value, until the words say more.
        f.maps_to = Some("INVALID_FIELD_VALUE".to_string());
    }
    f
}

/// Takes the message of any non-empty body that is not HTML.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let text = b.text.trim();
    if text.is_empty() {
        return None;
    }
    if let Some(v) = b.json {
        return Some(json_finding(v));
    }
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or(text);
    let mut f = Finding {
        format: "plain",
        message: msg(first_line),
        confidence: 0.35,
        ..Finding::default()
    };
    f.evidence.push("body: plain text".to_string());
    Some(f)
}
