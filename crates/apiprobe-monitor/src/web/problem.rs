//! Failures of the monitor routes: `application/problem+json` (RFC 9457) with our catalog code for
//! the API, a short page for the status pages, a grey badge for badges. The problem document and
//! the error page are those of the reference ([`apiprobe_web::Problem`], [`apiprobe_web::page`]).

pub use apiprobe_web::Problem;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The realm named in every bearer challenge.
const REALM: &str = "apiprobe monitor";

/// Everything a monitor route can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No check has this name.
    #[error("no check is named '{0}'")]
    UnknownCheck(String),
    /// A `code` parameter the catalog does not have (with a suggestion, if any).
    #[error("no catalog entry for '{0}'")]
    UnknownCode(String),
    /// A query parameter is missing, repeated, unknown or out of range.
    #[error("invalid query parameter: {0}")]
    BadQuery(String),
    /// The request needs a bearer token and has none.
    #[error("this request needs a bearer token: send Authorization: Bearer TOKEN")]
    MissingToken,
    /// The bearer token is not one of the suite's tokens.
    #[error("the bearer token is not one of this monitor's tokens")]
    InvalidToken,
    /// A read-only token on a write.
    #[error(
        "this token may only read; running, pausing and resuming checks need a read-write token"
    )]
    InsufficientScope,
    /// Run, pause and resume need the running monitor, and this server has none.
    #[error("this server shows stored history only; run, pause and resume need a running `apiprobe monitor`")]
    NoControl,
    /// A failure of ours; the detail is logged, not sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// The HTTP status and the catalog code naming the condition.
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::UnknownCheck(_) | ApiError::UnknownCode(_) => {
                (StatusCode::NOT_FOUND, "PRB-1151")
            }
            ApiError::BadQuery(_) => (StatusCode::BAD_REQUEST, "PRB-1105"),
            ApiError::MissingToken => (StatusCode::UNAUTHORIZED, "PRB-2001"),
            ApiError::InvalidToken => (StatusCode::UNAUTHORIZED, "PRB-2004"),
            ApiError::InsufficientScope => (StatusCode::FORBIDDEN, "PRB-2101"),
            ApiError::NoControl => (StatusCode::SERVICE_UNAVAILABLE, "503"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "PRB-3501"),
        }
    }

    /// The problem document.
    pub fn problem(&self) -> Problem {
        let (status, code) = self.status_and_code();
        let detail = match self {
            ApiError::Internal(_) => Problem::INTERNAL_DETAIL.to_owned(),
            other => other.to_string(),
        };
        Problem::new(status, code, detail)
    }

    /// The `WWW-Authenticate` challenge of RFC 6750, on 401 and 403.
    fn challenge(&self) -> Option<String> {
        match self {
            ApiError::MissingToken => Some(format!("Bearer realm=\"{REALM}\"")),
            ApiError::InvalidToken => {
                Some(format!("Bearer realm=\"{REALM}\", error=\"invalid_token\""))
            }
            ApiError::InsufficientScope => Some(format!(
                "Bearer realm=\"{REALM}\", error=\"insufficient_scope\", scope=\"read-write\""
            )),
            _ => None,
        }
    }

    /// Logs a failure of ours and adds the bearer challenge, on any answer to this error.
    fn finish(&self, mut res: Response) -> Response {
        if let ApiError::Internal(detail) = self {
            tracing::error!(detail = %detail, "monitor web: internal error");
        }
        if let Some(c) = self
            .challenge()
            .and_then(|c| HeaderValue::from_str(&c).ok())
        {
            res.headers_mut().insert(WWW_AUTHENTICATE, c);
        }
        res
    }

    /// Status, challenge and no-store caching on a body of `content_type`.
    fn respond(&self, content_type: &'static str, body: Vec<u8>) -> Response {
        let (status, _) = self.status_and_code();
        let mut res = (status, body).into_response();
        let h = res.headers_mut();
        h.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        self.finish(res)
    }

    /// A short HTML page with the same status, for the status pages.
    pub(crate) fn into_page(self) -> Response {
        let page = apiprobe_web::page::error_page(&super::view::FRAME, &self.problem());
        self.respond("text/html; charset=utf-8", page.into_string().into_bytes())
    }

    /// A grey badge with the same status, so an `<img>` still shows what is wrong.
    pub(crate) fn into_badge(self) -> Response {
        let message = match &self {
            ApiError::UnknownCheck(_) => "unknown check",
            ApiError::BadQuery(_) => "bad request",
            ApiError::MissingToken | ApiError::InvalidToken | ApiError::InsufficientScope => {
                "needs a token"
            }
            _ => "error",
        };
        let svg = super::badge::render("monitor", message, super::badge::GREY);
        self.respond("image/svg+xml", svg.into_bytes())
    }
}

impl From<crate::StoreError> for ApiError {
    fn from(e: crate::StoreError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.finish(self.problem().into_response())
    }
}

/// An error answered in the form of the route that failed: a page, or a badge when `BADGE`.
pub(crate) struct Shown<const BADGE: bool>(pub ApiError);

/// An error answered as a page.
pub(crate) type PageError = Shown<false>;

/// An error answered as a badge.
pub(crate) type BadgeError = Shown<true>;

impl<const BADGE: bool> From<ApiError> for Shown<BADGE> {
    fn from(e: ApiError) -> Self {
        Shown(e)
    }
}

impl<const BADGE: bool> From<crate::StoreError> for Shown<BADGE> {
    fn from(e: crate::StoreError) -> Self {
        Shown(e.into())
    }
}

impl<const BADGE: bool> IntoResponse for Shown<BADGE> {
    fn into_response(self) -> Response {
        if BADGE {
            self.0.into_badge()
        } else {
            self.0.into_page()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_in_the_catalog_and_lists_its_status() {
        for e in [
            ApiError::UnknownCheck("x".into()),
            ApiError::UnknownCode("x".into()),
            ApiError::BadQuery("x".into()),
            ApiError::MissingToken,
            ApiError::InvalidToken,
            ApiError::InsufficientScope,
            ApiError::NoControl,
            ApiError::Internal("x".into()),
        ] {
            let (status, code) = e.status_and_code();
            let entry = apiprobe_catalog::Catalog::builtin()
                .by_code(code)
                .expect("code exists");
            assert!(
                entry.statuses.is_empty() || entry.statuses.contains(&status.as_u16()),
                "{code} does not list {status}"
            );
        }
        assert_eq!(
            apiprobe_catalog::Catalog::builtin()
                .by_code("PRB-2001")
                .map(|e| e.name.as_deref()),
            Some(Some("MISSING_CREDENTIALS"))
        );
    }
}
