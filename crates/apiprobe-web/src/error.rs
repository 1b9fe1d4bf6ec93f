//! The one error type of the web layer, answered as `application/problem+json` (RFC 9457) for the API
//! and as a short page for browsers. Each failure carries one of our own catalog codes.

use crate::asset::{Asset, CACHE_NONE, HTML};
use crate::negotiate::PageProblem;
use apiprobe_catalog::Catalog;
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use http::{HeaderValue, StatusCode};
use serde::Serialize;

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No catalog entry has this code, status or name.
    #[error("no catalog entry for '{wanted}'{hint}")]
    UnknownCode {
        /// What was asked for.
        wanted: String,
        /// A " (did you mean 'X'?)" suffix, or empty.
        hint: String,
    },
    /// Another tool's code that no alias maps.
    #[error("no catalog code for {tool} code '{code}'{hint}")]
    UnknownAlias {
        /// The tool named.
        tool: String,
        /// Its code as given.
        code: String,
        /// A suggestion, or empty.
        hint: String,
    },
    /// Text that no explainer recognised.
    #[error("the text was not recognised as an error from a known tool or an HTTP response")]
    NotRecognised,
    /// No route has this path.
    #[error("there is nothing at {0}")]
    NoRoute(String),
    /// The path exists but not for this method.
    #[error("{method} is not allowed on {path}")]
    MethodNotAllowed {
        /// The request method.
        method: String,
        /// The request path.
        path: String,
    },
    /// A query parameter is missing, repeated or has a value outside its set.
    #[error("invalid query parameter: {0}")]
    InvalidQuery(String),
    /// The body is not valid JSON, or not the expected shape.
    #[error("request body is not valid JSON for this endpoint: {0}")]
    InvalidJson(String),
    /// Raw text that starts like an HTTP response but cannot be read as one: the request was
    /// well-formed, its content is not.
    #[error("the raw response could not be read: {0}")]
    UnreadableResponse(String),
    /// A form or JSON field has a value outside its range.
    #[error("{0}")]
    InvalidField(String),
    /// The body's media type is not one this endpoint reads.
    #[error("content type '{got}' is not accepted here; send {expected}")]
    UnsupportedMediaType {
        /// The Content-Type sent, or `none`.
        got: String,
        /// What the endpoint reads.
        expected: &'static str,
    },
    /// The body is over [`crate::MAX_BODY_BYTES`].
    #[error("request body is over the {limit} byte limit")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The query string is over [`crate::MAX_QUERY_BYTES`].
    #[error("query string is {len} bytes, over the {limit} byte limit")]
    QueryTooLong {
        /// Its length.
        len: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The request (its body, or the answer to it) took longer than [`crate::REQUEST_TIMEOUT`].
    #[error("the request was not complete within {0} seconds")]
    RequestTimeout(u64),
    /// A failure of ours; the detail is logged, not sent.
    #[error("internal error: {0}")]
    Internal(String),
    /// Another error, with the request fields or parameters it concerns, which the problem document
    /// lists under `errors` (see [`AppError::at`]).
    #[error("{error}")]
    Named {
        /// The error.
        error: Box<AppError>,
        /// What it concerns.
        fields: Vec<Field>,
    },
}

/// A part of the request an error concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// A member of the body (JSON or form), as a JSON pointer: `/status`, `/headers/0`.
    Member(String),
    /// A query parameter, by name.
    Parameter(String),
}

impl Field {
    /// A top-level member of the body, by name.
    pub fn member(name: &str) -> Field {
        Field::Member(format!("/{}", name.replace('~', "~0").replace('/', "~1")))
    }

    /// A query parameter, by name.
    pub fn parameter(name: &str) -> Field {
        Field::Parameter(name.to_owned())
    }
}

impl AppError {
    /// No entry answers to `code`: the nearest names as a hint, and the asked-for text kept short.
    pub(crate) fn unknown_code(catalog: &Catalog, code: &str) -> AppError {
        AppError::UnknownCode {
            hint: catalog.suggest(code),
            wanted: code.chars().take(100).collect(),
        }
    }

    /// This error, concerning `field` too: the problem document names it under `errors`, as RFC 9457
    /// section 3 shows (`{"detail", "pointer"}`, or `"parameter"` for a query parameter).
    pub fn at(self, field: Field) -> AppError {
        match self {
            AppError::Named { error, mut fields } => {
                fields.push(field);
                AppError::Named { error, fields }
            }
            error => AppError::Named {
                error: Box::new(error),
                fields: vec![field],
            },
        }
    }

    /// The HTTP status and the catalog code naming the condition.
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            AppError::Named { error, .. } => error.status_and_code(),
            AppError::UnknownCode { .. } | AppError::UnknownAlias { .. } | AppError::NoRoute(_) => {
                (StatusCode::NOT_FOUND, "PRB-1151")
            }
            AppError::NotRecognised | AppError::UnreadableResponse(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "PRB-1104")
            }
            AppError::MethodNotAllowed { .. } => (StatusCode::METHOD_NOT_ALLOWED, "PRB-1013"),
            AppError::InvalidQuery(_) => (StatusCode::BAD_REQUEST, "PRB-1105"),
            AppError::InvalidJson(_) => (StatusCode::BAD_REQUEST, "PRB-1101"),
            AppError::InvalidField(_) => (StatusCode::BAD_REQUEST, "PRB-1104"),
            AppError::UnsupportedMediaType { .. } => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "PRB-1012")
            }
            AppError::PayloadTooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "PRB-1108"),
            AppError::QueryTooLong { .. } => (StatusCode::URI_TOO_LONG, "PRB-1007"),
            AppError::RequestTimeout(_) => (StatusCode::REQUEST_TIMEOUT, "PRB-1161"),
            AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "PRB-3501"),
        }
    }

    /// The problem details document for this error.
    pub fn problem(&self) -> Problem {
        let (status, code) = self.status_and_code();
        let inner = match self {
            AppError::Named { error, .. } => error,
            other => other,
        };
        let detail = match inner {
            AppError::Internal(_) => Problem::INTERNAL_DETAIL.to_owned(),
            other => other.to_string(),
        };
        let errors = match self {
            AppError::Named { fields, .. } => fields
                .iter()
                .map(|f| FieldProblem {
                    detail: detail.clone(),
                    pointer: match f {
                        Field::Member(p) => Some(format!("#{p}")),
                        Field::Parameter(_) => None,
                    },
                    parameter: match f {
                        Field::Parameter(p) => Some(p.clone()),
                        Field::Member(_) => None,
                    },
                })
                .collect(),
            _ => Vec::new(),
        };
        Problem {
            errors,
            ..Problem::new(status, code, detail)
        }
    }

    /// A short HTML page for browsers, with the same status. The problem document goes along in the
    /// response's extensions, for a client that asked for it (see [`crate::negotiate`]).
    pub fn into_page(self) -> Response {
        let (status, _) = self.status_and_code();
        let problem = self.problem();
        let page = crate::view::error_page(&problem);
        let mut res = Asset::new(HTML, CACHE_NONE, page.into_string())
            .respond_with(&http::HeaderMap::new(), status);
        res.extensions_mut().insert(PageProblem(problem));
        res
    }
}

/// An RFC 9457 problem details object; `code` is our catalog code, `type` its reference page.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// A URI reference to the catalog page of `code`.
    pub r#type: String,
    /// The catalog title of `code`.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// Our catalog code (`PRB-1101`).
    pub code: &'static str,
    /// The request fields or parameters at fault, when the error concerns some.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

/// One request field or parameter at fault, in the shape of RFC 9457's own example.
#[derive(Debug, Clone, Serialize)]
pub struct FieldProblem {
    /// What is wrong with it.
    pub detail: String,
    /// A JSON pointer fragment into the body (`#/status`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// A query parameter's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
}

impl Problem {
    /// What a client is told of a failure of ours; the failure itself is logged.
    pub const INTERNAL_DETAIL: &'static str = "the server failed to answer; the failure was logged";

    /// The problem named by our catalog `code`, answered with `status`. The title comes from the
    /// catalog so it reads the same as the reference page `type` links to.
    pub fn new(status: StatusCode, code: &'static str, detail: String) -> Problem {
        let title = Catalog::builtin()
            .by_code(code)
            .map(|e| e.title.clone())
            .or_else(|| status.canonical_reason().map(str::to_owned))
            .unwrap_or_else(|| "Error".to_owned());
        Problem {
            r#type: format!("/codes/{code}"),
            title,
            status: status.as_u16(),
            detail,
            code,
            errors: Vec::new(),
        }
    }

    /// The HTTP status.
    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// `application/problem+json`, never cached.
impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self).unwrap_or_else(|_| b"{}".to_vec());
        let mut res = (self.status_code(), body).into_response();
        let h = res.headers_mut();
        h.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        h.insert(CACHE_CONTROL, HeaderValue::from_static(CACHE_NONE));
        res
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(detail) = &self {
            tracing::error!(detail = %detail, "internal error");
        }
        self.problem().into_response()
    }
}

/// An error shown as a page rather than problem+json (HTML routes).
#[derive(Debug)]
pub(crate) struct PageError(pub(crate) AppError);

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.0.into_page()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_used_is_in_the_catalog() {
        let all = [
            AppError::NoRoute("/x".into()),
            AppError::NotRecognised,
            AppError::MethodNotAllowed {
                method: "PUT".into(),
                path: "/".into(),
            },
            AppError::InvalidQuery("x".into()),
            AppError::InvalidJson("x".into()),
            AppError::InvalidField("x".into()),
            AppError::UnreadableResponse("x".into()),
            AppError::UnsupportedMediaType {
                got: "text/plain".into(),
                expected: "application/json",
            },
            AppError::PayloadTooLarge { limit: 1 },
            AppError::QueryTooLong { len: 2, limit: 1 },
            AppError::RequestTimeout(1),
            AppError::Internal("x".into()),
        ];
        for e in all {
            let (status, code) = e.status_and_code();
            let entry = Catalog::builtin().by_code(code).expect("code exists");
            assert!(
                entry.statuses.is_empty() || entry.statuses.contains(&status.as_u16()),
                "{code} does not list {status}"
            );
        }
    }

    #[test]
    fn named_errors_keep_their_status_and_list_their_fields() {
        let e = AppError::InvalidField("status 99 is outside 100-999".into())
            .at(Field::member("status"))
            .at(Field::parameter("kind"));
        assert_eq!(e.status_and_code(), (StatusCode::BAD_REQUEST, "PRB-1104"));
        let p = serde_json::to_value(e.problem()).expect("serializes");
        assert_eq!(p["detail"], "status 99 is outside 100-999");
        assert_eq!(p["errors"][0]["pointer"], "#/status");
        assert_eq!(p["errors"][1]["parameter"], "kind");
        assert!(p["errors"][1].get("pointer").is_none());
        let plain = serde_json::to_value(AppError::NotRecognised.problem()).expect("serializes");
        assert!(plain.get("errors").is_none());
    }

    #[test]
    fn internal_details_are_not_sent() {
        let p = AppError::Internal("secret path /etc".into()).problem();
        assert!(!p.detail.contains("/etc"));
        assert_eq!(p.status, 500);
    }
}
