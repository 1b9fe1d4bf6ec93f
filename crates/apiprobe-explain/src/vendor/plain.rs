//! Bodies no family claimed: plain text (`Internal Server Error`, `upstream connect error ...`) and JSON with
//! only a message member (`{"message": "Forbidden"}` from API Gateway, `{"error": "Not Found"}`).
//! The message is kept; generic phrases may still name the condition.

use super::{code_text, msg, s, Body, Finding};

/// Members that hold a message in unclaimed JSON bodies, most common first.
const MESSAGE_KEYS: &[&str] = &[
    "message",
    "error",
    "detail",
    "error_message",
    "errorMessage",
    "msg",
    "title",
    "description",
];

/// Takes the message of any non-empty body that is not HTML.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let text = b.text.trim();
    if text.is_empty() {
        return None;
    }
    if let Some(v) = b.json {
        let m = MESSAGE_KEYS
            .iter()
            .find_map(|k| s(v, k))
            .or_else(|| v.get("error").and_then(|e| s(e, "message")));
        let code = ["code", "error_code", "errorCode"]
            .iter()
            .find_map(|k| code_text(v, k))
            .or_else(|| v.get("error").and_then(|e| code_text(e, "code")));
        let mut f = Finding {
            format: "json",
            vendor_code: code,
            message: m.and_then(msg),
            confidence: 0.4,
            ..Finding::default()
        };
        f.evidence.push("body: JSON of no known family".to_string());
        if f.message.is_none() && f.vendor_code.is_none() {
            f.confidence = 0.2;
        }
        return Some(f);
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
