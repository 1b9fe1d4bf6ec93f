//! Security headers added to every response.

use axum::response::Response;
use http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use http::HeaderValue;

/// Scripts and styles only from our own origin (no inline code), no framing, forms post only to us.
pub(crate) const CSP: &str =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Adds the policy headers; a handler that set one already keeps its own.
pub(crate) async fn add_security_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.entry(CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(CSP));
    h.entry(X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    h.entry(REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("no-referrer"));
    h.entry(X_FRAME_OPTIONS)
        .or_insert(HeaderValue::from_static("DENY"));
    res
}
