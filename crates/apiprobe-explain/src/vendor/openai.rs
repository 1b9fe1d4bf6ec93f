//! OpenAI-style API errors: `{"error":{"message":..,"type":"invalid_request_error","param":null,
//! "code":"invalid_api_key"}}`, as sent by OpenAI and the many servers that copy its API.

use super::access::{message, str_of};
use super::{Body, Finding};
use crate::json::Value;

/// Recognises an OpenAI-style error: `error.type` and `error.message` strings, a `param` member (even null),
/// and a string or null `code`.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let json = b.json?;
    // Anthropic wraps the same words in a top-level `"type":"error"`; that is its own family.
    if str_of(json, "type").is_some() {
        return None;
    }
    let err = json.get("error")?.as_object()?;
    let ty = err.get("type").and_then(Value::as_str)?;
    let msg = err.get("message").and_then(Value::as_str)?;
    if !err.contains_key("param")
        || !matches!(
            err.get("code"),
            None | Some(Value::Null) | Some(Value::String(_))
        )
    {
        return None;
    }
    // Stripe's envelope has the same members; its `doc_url` points at Stripe.
    if err
        .get("doc_url")
        .and_then(Value::as_str)
        .is_some_and(|u| u.contains("stripe.com"))
    {
        return None;
    }
    let code = err.get("code").and_then(Value::as_str);
    let mut f = Finding {
        format: "openai",
        vendor: Some("openai"),
        vendor_code: Some(code.unwrap_or(ty).to_string()),
        message: message(msg),
        field: err.get("param").and_then(Value::as_str).map(str::to_string),
        confidence: 0.85,
        ..Finding::default()
    };
    f.evidence.push(format!(
        "body: OpenAI-style error, type {ty}{}",
        code.map(|c| format!(", code {c}")).unwrap_or_default()
    ));
    // "Please try again in 4.368s." / "in 20ms."
    if let Some((_, rest)) = msg.split_once("try again in ") {
        let num: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let unit = &rest[num.len()..];
        if let Ok(n) = num.trim_end_matches('.').parse::<f64>() {
            f.retry_after_s = Some(if unit.starts_with("ms") {
                n / 1000.0
            } else {
                n
            });
        }
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::super::cases::{run, run_body};
    use super::*;

    #[test]
    fn reads_an_invalid_key() {
        let f = run(parse, "openai_1").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("invalid_api_key"));
    }

    #[test]
    fn reads_insufficient_quota() {
        let f = run(parse, "openai_2").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("insufficient_quota"));
    }

    #[test]
    fn reads_a_rate_limit_and_its_wait() {
        let f = run(parse, "openai_3").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("rate_limit_exceeded"));
        assert_eq!(f.retry_after_s, Some(6.0));
    }

    #[test]
    fn reads_the_param() {
        let f = run(parse, "openai_4").unwrap();
        assert_eq!(f.field.as_deref(), Some("messages"));
        assert_eq!(f.vendor_code.as_deref(), Some("context_length_exceeded"));
    }

    #[test]
    fn azure_and_meta_errors_are_not_openai() {
        assert!(run_body(
            parse,
            400,
            r#"{"error":{"code":"BadRequest","message":"x"}}"#
        )
        .is_none());
        assert!(run_body(
            parse,
            400,
            r#"{"error":{"message":"x","type":"OAuthException","code":190,"fbtrace_id":"a"}}"#
        )
        .is_none());
    }
}
