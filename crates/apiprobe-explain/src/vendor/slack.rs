//! Slack Web API: HTTP 200 with `{"ok": false, "error": "invalid_auth"}`, plus `needed`/`provided` scopes and
//! `response_metadata.messages` for argument problems.

use super::{cat, msg, s, Body, Finding};
use crate::json::Value;

/// Recognises `"ok": false` with an `error` code.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let v = b.json?;
    if v.get("ok") != Some(&Value::Bool(false)) {
        return None;
    }
    let code = s(v, "error")?;
    let meta = v
        .get("response_metadata")
        .and_then(|m| m.get("messages"))
        .and_then(Value::as_array);
    // Of several messages ("failed to match all allowed schemas", "missing required field: type"), the
    // first whose words name a field says most.
    let texts = || meta.into_iter().flatten().filter_map(Value::as_str);
    let named = texts().find_map(|m| {
        let field = crate::message::read(m, b.status).field?;
        Some((m, field))
    });
    let first_meta = named.as_ref().map(|(m, _)| *m).or_else(|| texts().next());
    let mut f = Finding {
        format: "slack",
        vendor: Some("slack"),
        vendor_code: Some(code.to_string()),
        message: first_meta.or_else(|| s(v, "detail")).and_then(msg),
        permission: s(v, "needed").map(str::to_string),
        confidence: 0.9,
        ..Finding::default()
    };
    f.evidence
        .push(cat(["body: Slack \"ok\": false, error ", code]));
    if let Some(p) = s(v, "provided") {
        f.evidence.push(cat(["token scopes provided: ", p]));
    }
    // "[ERROR] missing required field: channel [json-pointer:/channel]"
    if let Some(m) = first_meta {
        let pointer = super::between(m, "[json-pointer:/", ']').map(|p| p.replace('/', "."));
        let word = named.map(|(_, field)| field);
        f.field = match (pointer, word) {
            // The pointer is the object at fault, the words name the member missing from it.
            (Some(p), Some(w)) if !p.is_empty() && p != w && !p.ends_with(&cat([".", &w])) => {
                Some(cat([&p, ".", &w]))
            }
            (Some(p), _) if !p.is_empty() => Some(p),
            (_, w) => w,
        };
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_that_names_a_field_is_read() {
        let text = r#"{"ok":false,"error":"invalid_arguments","response_metadata":{"messages":["[ERROR] failed to match all allowed schemas [json-pointer:\/view]","[ERROR] missing required field: type [json-pointer:\/view]"]}}"#;
        let v = crate::json::parse(text).expect("json");
        let f = parse(&Body::new(200, &[], text, Some(&v))).expect("slack");
        assert_eq!(f.field.as_deref(), Some("view.type"));
        assert!(f
            .message
            .is_some_and(|m| m.contains("missing required field")));
        let text = r#"{"ok":false,"error":"invalid_arguments","response_metadata":{"messages":["[ERROR] missing required field: channel [json-pointer:\/channel]"]}}"#;
        let v = crate::json::parse(text).expect("json");
        let f = parse(&Body::new(200, &[], text, Some(&v))).expect("slack");
        assert_eq!(f.field.as_deref(), Some("channel"));
    }
}
