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
    // "Api validation failed: label" names the field when the cause does not.
    if let Some(rest) = summary.strip_prefix("Api validation failed: ") {
        let name = rest.trim();
        if !name.is_empty() && !name.contains(' ') {
            f.field = Some(name.to_string());
        }
    }
    Some(f)
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
