//! HTML pages: the home page with its server-side search, the full reference, entry pages and the
//! explain form.

use super::explain::{explain_input, ExplainInput};
use crate::asset::{Asset, CACHE_CATALOG, CACHE_NONE, HTML};
use crate::body::{integer_param, parse_query, read_body, BodyType};
use crate::error::{AppError, Field, PageError};
use crate::negotiate::PageProblem;
use crate::state::AppState;
use crate::view::{self, ExplainForm, Filter};
use apiprobe_catalog::{Category, Kind};
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::HeaderMap;
use serde::Deserialize;

/// The reference's query string: `/?q=timeout&category=server&kind=probe`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct FilterQuery {
    #[serde(default)]
    pub(crate) q: Option<String>,
    #[serde(default)]
    pub(crate) category: Option<String>,
    #[serde(default)]
    pub(crate) kind: Option<String>,
}

/// Parses an optional closed-set value; an empty value (an untouched form select) means no filter.
pub(crate) fn parse_opt<T: std::str::FromStr<Err = String>>(
    name: &str,
    value: Option<&str>,
) -> Result<Option<T>, AppError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|e: String| {
            AppError::InvalidQuery(format!("{name}: {e}")).at(Field::parameter(name))
        }),
    }
}

impl FilterQuery {
    pub(crate) fn to_filter(&self) -> Result<Filter, AppError> {
        Ok(Filter {
            q: self.q.clone().unwrap_or_default(),
            category: parse_opt::<Category>("category", self.category.as_deref())?,
            kind: parse_opt::<Kind>("kind", self.kind.as_deref())?,
        })
    }
}

pub(crate) async fn home(State(s): State<AppState>, req: Request) -> Result<Response, PageError> {
    let query: FilterQuery = parse_query(req.uri().query().unwrap_or(""))?;
    let filter = query.to_filter()?;
    if filter.is_empty() {
        return Ok(s.site.home.respond(req.headers()));
    }
    let page = view::home_page(&s.catalog, &filter).into_string();
    Ok(Asset::dynamic(HTML, CACHE_CATALOG, page).respond(req.headers()))
}

/// The full reference; it takes no parameters (searching is the home page's job).
pub(crate) async fn reference(State(s): State<AppState>, headers: HeaderMap) -> Response {
    s.site.reference.respond(&headers)
}

pub(crate) async fn entry(
    State(s): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    if let Some(page) = s.site.pages.get(&code) {
        return Ok(page.respond(&headers));
    }
    match s.catalog.get(&code) {
        // Names and other spellings lead to the one address per entry.
        Some(e) => Ok(Redirect::permanent(&view::entry_href(&e.code)).into_response()),
        None => Err(AppError::unknown_code(&s.catalog, &code).into()),
    }
}

pub(crate) async fn explain_form(State(s): State<AppState>, headers: HeaderMap) -> Response {
    s.site.explain.respond(&headers)
}

pub(crate) async fn explain_submit(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, PageError> {
    let bytes = read_body(&headers, body, BodyType::Form).await?;
    let form: ExplainForm = serde_urlencoded::from_bytes(&bytes)
        .map_err(|e| AppError::InvalidField(format!("the form could not be read: {e}")))?;
    let input = if !form.status.trim().is_empty() {
        let status = form.status.trim();
        let status = integer_param(status)
            .filter(|s| (100..=999).contains(s))
            .and_then(|s| u16::try_from(s).ok())
            .ok_or_else(|| {
                AppError::InvalidField(format!(
                    "status '{}' is not a number between 100 and 999",
                    form.status.trim().chars().take(20).collect::<String>()
                ))
                .at(Field::member("status"))
            });
        status.map(|status| ExplainInput::Parts {
            status,
            headers: form
                .headers
                .lines()
                .filter_map(|l| l.split_once(':'))
                .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
                .collect(),
            body: form.body.clone().into_bytes(),
        })
    } else if form.raw.trim().is_empty() {
        Err(
            AppError::InvalidField("paste a response or a log line, or give a status".to_owned())
                .at(Field::member("raw"))
                .at(Field::member("status")),
        )
    } else {
        Ok(ExplainInput::Raw(form.raw.clone()))
    };
    let result = input.and_then(|i| explain_input(&s.catalog, i));
    let page = match &result {
        Ok(report) => view::explain_page(&form, Some(Ok(report))),
        Err(e) => view::explain_page(&form, Some(Err(e.to_string()))),
    };
    let status = match &result {
        Ok(_) => http::StatusCode::OK,
        Err(e) => e.status_and_code().0,
    };
    let mut res =
        Asset::dynamic(HTML, CACHE_NONE, page.into_string()).respond_with(&headers, status);
    if let Err(e) = &result {
        // A program that posts the form and prefers JSON gets the problem document instead.
        res.extensions_mut().insert(PageProblem(e.problem()));
    }
    Ok(res)
}
