//! OAuth 2.0 error responses (RFC 6749 section 5.2, RFC 8628, OpenID Connect Core 3.1.2.6):
//! `{"error": "invalid_grant", "error_description": "..", "error_uri": ".."}`.

use super::{cat, msg, s, Body, Finding};

/// Error codes registered for OAuth 2.0 and its common extensions.
const CODES: &[&str] = &[
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
    "access_denied",
    "unsupported_response_type",
    "server_error",
    "temporarily_unavailable",
    "invalid_token",
    "insufficient_scope",
    "authorization_pending",
    "slow_down",
    "expired_token",
    "interaction_required",
    "login_required",
    "account_selection_required",
    "consent_required",
    "invalid_request_uri",
    "invalid_request_object",
    "request_not_supported",
    "invalid_dpop_proof",
    "use_dpop_nonce",
    "invalid_target",
    "unsupported_token_type",
    "invalid_redirect_uri",
    "invalid_client_metadata",
];

/// Recognises `error` as a string holding a registered code, or any code with `error_description`.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let v = b.json?;
    let code = s(v, "error")?;
    let described = s(v, "error_description").is_some();
    let snake = code.bytes().all(|c| c.is_ascii_lowercase() || c == b'_');
    if !(CODES.contains(&code) || described && snake) {
        return None;
    }
    let mut f = Finding {
        format: "oauth",
        vendor: Some("oauth"),
        vendor_code: Some(code.to_string()),
        message: s(v, "error_description").and_then(msg),
        confidence: if CODES.contains(&code) { 0.85 } else { 0.6 },
        ..Finding::default()
    };
    f.evidence.push(cat(["body: OAuth 2.0 error ", code]));
    if let Some(u) = s(v, "error_uri") {
        f.evidence.push(cat(["error_uri ", u]));
    }
    // The vendor table leaves this one to the description (see `data/vendors/oauth.toml`).
    if code == "invalid_token" {
        f.maps_to = Some("TOKEN_INVALID".to_string());
    }
    if code == "slow_down" || code == "authorization_pending" {
        f.retryable = Some(true);
    }
    Some(f)
}
