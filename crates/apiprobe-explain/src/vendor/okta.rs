//! Okta: `{"errorCode": "E0000001", "errorSummary": "Api validation failed: label", "errorCauses":
//! [{"errorSummary": "label: Label must be specified"}]}`. The code is coarse (E0000001 is every
//! validation failure); the first cause says which field and why, so it is the message read.

use super::{cat, msg, s, Body, Finding};
use crate::json::Value;

/// Recognises an `errorCode` of the form `E` + seven digits beside an `errorSummary`.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let v = b.json?;
    let code = s(v, "errorCode")?;
    let summary = s(v, "errorSummary")?;
    if code.len() != 8 || !code.starts_with('E') || !code[1..].bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let cause = v
        .get("errorCauses")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(|c| s(c, "errorSummary"));
    let mut f = Finding {
        format: "okta",
        vendor: Some("okta"),
        vendor_code: Some(code.to_string()),
        message: cause.or(Some(summary)).and_then(msg),
        confidence: 0.9,
        ..Finding::default()
    };
    f.evidence.push(cat(["body: Okta errorCode ", code]));
    if cause.is_some() {
        f.evidence.push(cat(["errorSummary: ", summary]));
    }
    // A cause names its field first ("label: Label must be specified") or in its words ("Invalid
    // target field tempProperty"); "Api validation failed: label" names it when no cause does, unless
    // what it names is a type ("JsonWebKey", "com.okta.....AuthenticatorCatalog") rather than a field.
    let summary_field = summary
        .strip_prefix("Api validation failed: ")
        .map(str::trim)
        .filter(|n| is_field_name(n));
    f.field = cause
        .and_then(leading_field)
        .or_else(|| cause.and_then(|c| crate::message::read(c, b.status).field))
        .or(summary_field.map(str::to_string));
    Some(f)
}

/// A field's name as Okta spells one: an identifier starting lower-case (`label`, `providerType`).
fn is_field_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

/// `providerType: The field cannot be left blank` -> `providerType`.
fn leading_field(cause: &str) -> Option<String> {
    let (head, _) = cause.split_once(": ")?;
    is_field_name(head).then(|| head.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_first_cause_and_the_field() {
        let text = r#"{"errorCode":"E0000001","errorSummary":"Api validation failed: label","errorCauses":[{"errorSummary":"label: Label must be specified"}]}"#;
        let v = crate::json::parse(text).expect("json");
        let f = parse(&Body::new(400, &[], text, Some(&v))).expect("okta");
        assert_eq!(f.vendor_code.as_deref(), Some("E0000001"));
        assert_eq!(f.message.as_deref(), Some("label: Label must be specified"));
        assert_eq!(f.field.as_deref(), Some("label"));
        for (text, field) in [
            (
                r#"{"errorCode":"E0000001","errorSummary":"Api validation failed: updateMapping","errorCauses":[{"errorSummary":"Invalid target field tempProperty"}]}"#,
                Some("tempProperty"),
            ),
            (
                r#"{"errorCode":"E0000001","errorSummary":"Api validation failed: feature","errorCauses":[{"errorSummary":"Provisioning is not supported."}]}"#,
                Some("feature"),
            ),
            (
                r#"{"errorCode":"E0000001","errorSummary":"Api validation failed: JsonWebKey","errorCauses":[{"errorSummary":"Key too short"}]}"#,
                None,
            ),
        ] {
            let v = crate::json::parse(text).expect("json");
            let f = parse(&Body::new(400, &[], text, Some(&v))).expect("okta");
            assert_eq!(f.field.as_deref(), field, "{text}");
        }
        for other in [
            r#"{"errorCode":"E1","errorSummary":"x"}"#,
            r#"{"errorCode":"E0000001"}"#,
            "[]",
        ] {
            let v = crate::json::parse(other).expect("json");
            assert!(
                parse(&Body::new(400, &[], other, Some(&v))).is_none(),
                "{other}"
            );
        }
    }
}
