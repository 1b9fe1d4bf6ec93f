//! Request input: query strings (length, then serde) and bodies (media type; size and time are
//! limited by the layers, see [`crate::with_layers`]).

use crate::error::AppError;
use crate::{MAX_BODY_BYTES, MAX_QUERY_BYTES};
use axum::body::Body;
use axum::extract::FromRequestParts;
use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::request::Parts;
use http::HeaderMap;
use http_body_util::BodyExt;
use http_body_util::LengthLimitError;
use serde::de::DeserializeOwned;

/// Query parameters, checked for length before they are parsed.
#[derive(Debug)]
pub(crate) struct Params<T>(pub(crate) T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AppError> {
        parse_query(parts.uri.query().unwrap_or("")).map(Params)
    }
}

/// Parses a query string into `T`, refusing one over [`MAX_QUERY_BYTES`].
pub(crate) fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, AppError> {
    if query.len() > MAX_QUERY_BYTES {
        return Err(AppError::QueryTooLong {
            len: query.len(),
            limit: MAX_QUERY_BYTES,
        });
    }
    serde_urlencoded::from_str(query).map_err(|e| AppError::InvalidQuery(e.to_string()))
}

/// A non-negative integer query value: ASCII digits only (no sign, no spaces, not empty), as the
/// OpenAPI document's `integer` promises. Too many digits read as `u64::MAX`, which every range
/// check then places.
pub(crate) fn integer_param(value: &str) -> Option<u64> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(value.parse().unwrap_or(u64::MAX))
}

/// The media types a body may come as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyType {
    /// `application/json` or any `+json` type.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
}

impl BodyType {
    fn describe(self) -> &'static str {
        match self {
            BodyType::Json => "application/json",
            BodyType::Form => "application/x-www-form-urlencoded",
        }
    }

    fn matches(self, essence: &str) -> bool {
        match self {
            BodyType::Json => {
                essence == "application/json"
                    || (essence.starts_with("application/") && essence.ends_with("+json"))
            }
            BodyType::Form => essence == "application/x-www-form-urlencoded",
        }
    }
}

/// Checks the media type, then reads the whole body. The body limit layer refuses a declared
/// length over [`MAX_BODY_BYTES`] before the handler runs, and stops a longer undeclared body here.
pub(crate) async fn read_body(
    headers: &HeaderMap,
    body: Body,
    want: BodyType,
) -> Result<Bytes, AppError> {
    let ct = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if !want.matches(&essence) {
        return Err(AppError::UnsupportedMediaType {
            got: if ct.is_empty() {
                "none".to_owned()
            } else {
                ct.chars().take(100).collect()
            },
            expected: want.describe(),
        });
    }
    match body.collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if over_limit(&e) => Err(AppError::PayloadTooLarge {
            limit: MAX_BODY_BYTES,
        }),
        Err(e) => Err(AppError::InvalidField(format!(
            "the request body could not be read: {e}"
        ))),
    }
}

/// Whether a body read failed on the size limit, however many wrappers the error went through.
fn over_limit(e: &(dyn std::error::Error + 'static)) -> bool {
    std::iter::successors(Some(e), |e| e.source()).any(|e| e.is::<LengthLimitError>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Q {
        q: Option<String>,
    }

    #[test]
    fn long_queries_are_refused_before_parsing() {
        let long = format!("q={}", "a".repeat(MAX_QUERY_BYTES));
        assert!(matches!(
            parse_query::<Q>(&long),
            Err(AppError::QueryTooLong { .. })
        ));
        let ok: Q = parse_query("q=%3Cscript%3E").expect("parses");
        assert_eq!(ok.q.as_deref(), Some("<script>"));
    }

    #[test]
    fn integer_params_are_plain_digits() {
        assert_eq!(integer_param("404"), Some(404));
        assert_eq!(integer_param(&"9".repeat(40)), Some(u64::MAX));
        for bad in ["", " 404", "404 ", "+404", "-1", "4e2", "０"] {
            assert_eq!(integer_param(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn json_suffix_types_count_as_json() {
        assert!(BodyType::Json.matches("application/problem+json"));
        assert!(!BodyType::Json.matches("text/plain"));
        assert!(!BodyType::Form.matches("multipart/form-data"));
    }
}
