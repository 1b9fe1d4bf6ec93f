//! Stripe: `{"error": {"type": "card_error", "code": "card_declined", "decline_code": .., "param": ..,
//! "message": .., "doc_url": ..}}`. OpenAI copies the envelope, so Stripe needs a Stripe-only mark.

use super::{cat, msg, s, Body, Finding};

const TYPES: &[&str] = &[
    "api_error",
    "card_error",
    "idempotency_error",
    "invalid_request_error",
    "authentication_error",
    "rate_limit_error",
    "api_connection_error",
];

/// Recognises a Stripe error by its type plus a doc link, a decline code, a `Request-Id`/`Stripe-*` header
/// or a Stripe key in the message.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let v = b.json?;
    // Anthropic's envelope (`"type": "error"` beside `error`) shares the error types and `req_` request
    // ids, but never comes from Stripe.
    if s(v, "type") == Some("error") {
        return None;
    }
    let err = v.get("error")?;
    let ty = s(err, "type").filter(|t| TYPES.contains(t))?;
    let message = s(err, "message");
    let marked = s(err, "doc_url").is_some_and(|u| u.contains("stripe.com"))
        || err.get("decline_code").is_some()
        || s(err, "request_log_url").is_some_and(|u| u.contains("stripe.com"))
        || matches!(ty, "card_error" | "idempotency_error")
        || b.headers
            .iter()
            .any(|(n, v)| n == "request-id" && v.starts_with("req_") || n.starts_with("stripe-"))
        || message.is_some_and(|m| {
            m.contains("sk_test_") || m.contains("sk_live_") || m.contains("stripe.com")
        });
    if !marked {
        return None;
    }
    let code = s(err, "code");
    let mut f = Finding {
        format: "stripe",
        vendor: Some("stripe"),
        vendor_code: Some(code.unwrap_or(ty).to_string()),
        reason: s(err, "decline_code").map(str::to_string),
        message: message.and_then(msg),
        field: s(err, "param")
            .filter(|p| !p.trim().is_empty())
            .map(str::to_string),
        confidence: 0.9,
        ..Finding::default()
    };
    f.evidence.push(match code {
        Some(c) => cat(["body: Stripe error, type ", ty, ", code ", c]),
        None => cat(["body: Stripe error, type ", ty]),
    });
    if let Some(d) = &f.reason {
        f.evidence.push(cat(["decline_code ", d]));
    }
    // Without a code the type is coarse; the message (an invalid key, a missing param) says more.
    if code.is_none() && ty == "invalid_request_error" {
        f.vendor_code = None;
        f.confidence = 0.7;
    }
    Some(f)
}
