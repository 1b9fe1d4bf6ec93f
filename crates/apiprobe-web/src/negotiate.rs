//! Which form an error takes: a page for a browser, a problem document (RFC 9457) for a program. The
//! `Accept` header decides, with its quality values (RFC 9110 section 12.5.1); where it leaves a tie,
//! the kind of route does: a page route answers its page, the API and unknown paths a problem document.

use crate::error::Problem;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use headers_accept::Accept;
use http::header::{ACCEPT, VARY};
use http::{HeaderMap, HeaderValue};
use mediatype::MediaType;
use std::str::FromStr;
use std::sync::LazyLock;

/// The two forms an error can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// A short HTML page.
    Page,
    /// `application/problem+json`.
    Problem,
}

const HTML: &str = "text/html";
const PROBLEM: &str = "application/problem+json";
/// A client that asks for plain JSON reads a problem document too (it is JSON).
const JSON: &str = "application/json";

static PAGE_FIRST: LazyLock<Vec<MediaType<'static>>> =
    LazyLock::new(|| media_types(&[HTML, PROBLEM, JSON]));
static PROBLEM_FIRST: LazyLock<Vec<MediaType<'static>>> =
    LazyLock::new(|| media_types(&[PROBLEM, JSON, HTML]));

fn media_types(names: &[&'static str]) -> Vec<MediaType<'static>> {
    names
        .iter()
        .filter_map(|n| MediaType::parse(n).ok())
        .collect()
}

/// The form `headers` ask for; `tie` when they name none of ours above the others (no `Accept`,
/// `*/*`, an unreadable header, or only types we cannot give).
pub(crate) fn preferred(headers: &HeaderMap, tie: Form) -> Form {
    preferred_by(headers.get(ACCEPT), tie)
}

/// [`preferred`], from the `Accept` value alone.
fn preferred_by(accept: Option<&HeaderValue>, tie: Form) -> Form {
    let Some(accept) = accept
        .and_then(|v| v.to_str().ok())
        .and_then(|v| Accept::from_str(v).ok())
    else {
        return tie;
    };
    let available = match tie {
        Form::Page => &*PAGE_FIRST,
        Form::Problem => &*PROBLEM_FIRST,
    };
    match accept.negotiate(available.iter()) {
        Some(m) if m.essence().to_string() == HTML => Form::Page,
        Some(_) => Form::Problem,
        None => tie,
    }
}

/// The error a page route answered with, kept on its page response so that [`errors_as_asked`] can
/// answer a program with the problem document instead.
#[derive(Debug, Clone)]
pub(crate) struct PageProblem(pub(crate) Problem);

/// Middleware over every route: an error page becomes its problem document when the request prefers
/// one, and either way says that it varies with `Accept`.
pub(crate) async fn errors_as_asked(req: Request, next: Next) -> Response {
    // Kept aside, and read only when the answer is an error page: most answers are not.
    let accept = req.headers().get(ACCEPT).cloned();
    let mut res = next.run(req).await;
    let Some(PageProblem(problem)) = res.extensions_mut().remove::<PageProblem>() else {
        return res;
    };
    if preferred_by(accept.as_ref(), Form::Page) == Form::Problem {
        res = problem.into_response();
    }
    res.headers_mut()
        .append(VARY, HeaderValue::from_static("Accept"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(accept: Option<&str>, tie: Form) -> Form {
        let mut h = HeaderMap::new();
        if let Some(a) = accept {
            h.insert(ACCEPT, HeaderValue::from_str(a).expect("header value"));
        }
        preferred(&h, tie)
    }

    #[test]
    fn browsers_get_pages_and_programs_get_problems() {
        let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert_eq!(form(Some(browser), Form::Problem), Form::Page);
        assert_eq!(form(Some(browser), Form::Page), Form::Page);
        for program in [
            "application/problem+json",
            "application/json",
            "application/problem+json, text/html;q=0.9",
            "text/html;q=0.5, application/json",
        ] {
            assert_eq!(form(Some(program), Form::Page), Form::Problem, "{program}");
        }
    }

    #[test]
    fn ties_go_to_the_route_kind() {
        for tie in [Form::Page, Form::Problem] {
            assert_eq!(form(None, tie), tie);
            assert_eq!(form(Some("*/*"), tie), tie);
            assert_eq!(form(Some("image/png"), tie), tie);
            assert_eq!(form(Some("not a media type;;;"), tie), tie);
        }
        // Equal quality: the order the client wrote them in.
        assert_eq!(
            form(Some("text/html, application/problem+json"), Form::Problem),
            Form::Page
        );
        assert_eq!(
            form(Some("application/problem+json, text/html"), Form::Page),
            Form::Problem
        );
    }
}
