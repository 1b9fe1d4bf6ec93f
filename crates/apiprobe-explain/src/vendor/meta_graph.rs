//! Meta (Facebook / Instagram / WhatsApp) Graph API errors:
//! `{"error":{"message":..,"type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":..}}`.

use super::access::{code_of, message, str_of};
use super::{Body, Finding};

/// Recognises a Graph API error: a numeric `code` with `fbtrace_id` or one of Meta's exception types.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let err = b.json?.get("error").filter(|e| e.is_object())?;
    let code = err.get("code")?.as_i64()?;
    let etype = str_of(err, "type");
    let traced = str_of(err, "fbtrace_id").is_some();
    let meta_type = etype.is_some_and(|t| {
        matches!(
            t,
            "OAuthException" | "GraphMethodException" | "FacebookApiException" | "IGApiException"
        )
    });
    // Google's `error.status` and Azure's string codes never come with these markers.
    if !(traced || meta_type) || err.get("status").is_some() {
        return None;
    }
    let mut f = Finding {
        format: "meta_graph",
        vendor: Some("meta_graph"),
        vendor_code: Some(code.to_string()),
        message: str_of(err, "error_user_msg")
            .or_else(|| str_of(err, "message"))
            .and_then(message),
        confidence: if traced && meta_type { 0.95 } else { 0.8 },
        ..Finding::default()
    };
    f.evidence.push(format!(
        "body: Meta Graph API error, code {code}{}",
        etype.map(|t| format!(" ({t})")).unwrap_or_default()
    ));
    if let Some(sub) = code_of(err, "error_subcode") {
        f.evidence.push(format!("error_subcode {sub}"));
        // The finer reason, looked up before the code: `190/463` (code 190, subcode 463) in the table.
        f.reason = Some(format!("{code}/{sub}"));
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::super::cases::{run, run_body};
    use super::*;

    #[test]
    fn reads_an_invalid_token() {
        let f = run(parse, "meta_graph_1").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("190"));
        assert_eq!(f.message.as_deref(), Some("Invalid OAuth access token."));
    }

    #[test]
    fn reads_a_graph_method_exception() {
        let f = run(parse, "meta_graph_2").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("100"));
    }

    #[test]
    fn reads_an_expired_token_subcode() {
        let f = run(parse, "meta_graph_3").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("190"));
        assert_eq!(f.reason.as_deref(), Some("190/463"));
        assert!(f.evidence.iter().any(|e| e == "error_subcode 463"));
    }

    #[test]
    fn google_and_openai_errors_are_not_meta() {
        assert!(run_body(
            parse,
            400,
            r#"{"error":{"code":400,"message":"x","status":"INVALID_ARGUMENT"}}"#
        )
        .is_none());
        assert!(run_body(parse, 401, r#"{"error":{"message":"x","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#).is_none());
    }
}
