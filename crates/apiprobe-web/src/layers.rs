//! The tower-http layers every response passes through: request tracing, security headers, a time
//! limit and a body size limit, with the limits' bare refusals turned into our problem documents.

use crate::error::AppError;
use crate::MAX_BODY_BYTES;
use axum::body::Body;
use axum::response::{IntoResponse, Response};
use axum::Router;
use http::header::{
    CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use http::{HeaderValue, StatusCode};
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

/// Scripts and styles only from our own origin (no inline code), no framing, forms post only to us.
pub(crate) const CSP: &str =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// How long a request may take from its headers to its answer, body upload included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Wraps `router` in the layers `apiprobe serve` answers through. [`crate::app`] is
/// `with_layers(routes(state))`; to serve more routes under the same layers, merge them into
/// [`crate::routes`] first.
///
/// Tracing: one event per request at `info` (method, path, status, latency), none below it, so the
/// default `warn` filter logs nothing per request.
pub fn with_layers(router: Router) -> Router {
    // Listed outermost first: the trace sees every answer, the headers go on every answer, and
    // the limits' own refusals are rewritten before either.
    let layers = ServiceBuilder::new()
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_request(())
                .on_response(DefaultOnResponse::new().level(Level::INFO))
                .on_body_chunk(())
                .on_eos(())
                .on_failure(()),
        )
        .layer(SetResponseHeaderLayer::if_not_present(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(axum::middleware::map_response(problem_for_refusal))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES));
    router.layer(layers)
}

/// The timeout and body limit layers answer with an empty or plain-text body; the API promises
/// problem documents, so those answers become ours. Our own answers (problem+json, pages) pass.
async fn problem_for_refusal<B>(res: Response<B>) -> Response
where
    B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    let ours = res.headers().get(CONTENT_TYPE).is_some_and(|v| {
        let v = v.as_bytes();
        v.starts_with(b"application/problem+json") || v.starts_with(b"text/html")
    });
    match res.status() {
        StatusCode::REQUEST_TIMEOUT if !ours => {
            AppError::RequestTimeout(REQUEST_TIMEOUT.as_secs()).into_response()
        }
        StatusCode::PAYLOAD_TOO_LARGE if !ours => AppError::PayloadTooLarge {
            limit: MAX_BODY_BYTES,
        }
        .into_response(),
        _ => res.map(Body::new),
    }
}
