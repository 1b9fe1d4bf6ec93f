//! APIs that answer HTTP 200 with `{"success": false, "error": {"code": 101, "type":
//! "invalid_access_key", "info": "..."}}` (apilayer's ipstack, fixer, ...): the flag says the call
//! failed whatever the status; the error's `type` is its code and `info` or `message` its text.

use super::{cat, code_text, msg, s, Body, Finding};
use crate::json::Value;

/// Recognises `"success": false` beside an `error` object or string.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let v = b.json?;
    if v.get("success") != Some(&Value::Bool(false)) {
        return None;
    }
    let error = v.get("error")?;
    let (code, message) = match error {
        Value::String(text) => (None, Some(text.as_ref())),
        Value::Object(_) => (
            s(error, "type")
                .map(str::to_string)
                .or_else(|| code_text(error, "code")),
            ["info", "message", "detail", "description"]
                .iter()
                .find_map(|k| s(error, k)),
        ),
        _ => return None,
    };
    if code.is_none() && message.is_none() {
        return None;
    }
    let mut f = Finding {
        format: "success_flag",
        vendor_code: code,
        message: message.and_then(msg),
        confidence: 0.7,
        ..Finding::default()
    };
    f.evidence.push(cat([
        "body: \"success\": false",
        if b.status < 300 {
            " inside a success status"
        } else {
            ""
        },
    ]));
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_and_the_error_are_both_needed() {
        let text = r#"{"success":false,"error":{"code":101,"type":"invalid_access_key","info":"You have not supplied a valid API Access Key."}}"#;
        let v = crate::json::parse(text).expect("json");
        let f = parse(&Body::new(200, &[], text, Some(&v))).expect("read");
        assert_eq!(f.vendor_code.as_deref(), Some("invalid_access_key"));
        for other in [
            r#"{"success":true,"error":"x"}"#,
            r#"{"success":false}"#,
            r#"{"success":false,"error":3}"#,
        ] {
            let v = crate::json::parse(other).expect("json");
            assert!(
                parse(&Body::new(200, &[], other, Some(&v))).is_none(),
                "{other}"
            );
        }
    }
}
