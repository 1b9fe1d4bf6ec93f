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
    let first_meta = meta.and_then(|a| a.first()).and_then(Value::as_str);
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
        if let Some(ptr) = super::between(m, "[json-pointer:/", ']') {
            f.field = Some(ptr.replace('/', "."));
        }
    }
    Some(f)
}
