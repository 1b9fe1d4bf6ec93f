//! `/api/v1/codes`, `/api/v1/codes/{code}` and `/api/v1/search`.

use super::pages::{parse_opt, FilterQuery};
use crate::asset::{Asset, CACHE_CATALOG, JSON};
use crate::body::{integer_param, Params};
use crate::error::{AppError, Field};
use crate::site::{to_json, CodeList, Summary};
use crate::state::AppState;
use apiprobe_catalog::{Catalog, Category, Entry, Kind};
use axum::extract::{Path, State};
use axum::response::Response;
use http::HeaderMap;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
pub(crate) struct ListQuery {
    category: Option<String>,
    kind: Option<String>,
    status: Option<String>,
}

pub(crate) async fn list(
    State(s): State<AppState>,
    Params(q): Params<ListQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let category = parse_opt::<Category>("category", q.category.as_deref())?;
    let kind = parse_opt::<Kind>("kind", q.kind.as_deref())?;
    // An empty value is not a number: the document says integer, so `?status=` is refused.
    let status = match q.status.as_deref() {
        None => None,
        Some(v) => Some(
            integer_param(v)
                .filter(|s| (100..=999).contains(s))
                .and_then(|s| u16::try_from(s).ok())
                .ok_or_else(|| {
                    AppError::InvalidQuery(format!(
                        "status: '{}' is not a number between 100 and 999",
                        v.chars().take(20).collect::<String>()
                    ))
                    .at(Field::parameter("status"))
                })?,
        ),
    };
    let Some(status) = status else {
        // Every category and kind combination was rendered at startup.
        return s
            .site
            .lists
            .get(&(category, kind))
            .map(|a| a.respond(&headers))
            .ok_or_else(|| AppError::Internal("a pre-rendered code list is missing".to_owned()));
    };
    // A status selects its own entry and the probe codes that usually come with it.
    let doc = CodeList::of(
        s.catalog
            .filter(category, kind)
            .filter(|e| e.status == Some(status) || e.statuses.contains(&status)),
    );
    Ok(Asset::dynamic(JSON, CACHE_CATALOG, to_json(&doc)?).respond(&headers))
}

pub(crate) async fn one(
    State(s): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    if let Some(a) = s.site.entries.get(&code) {
        return Ok(a.respond(&headers));
    }
    s.catalog
        .get(&code)
        .and_then(|e| s.site.entries.get(&e.code))
        .map(|a| a.respond(&headers))
        .ok_or_else(|| AppError::unknown_code(&s.catalog, &code))
}

#[derive(Debug, Deserialize)]
pub(crate) struct SearchQuery {
    #[serde(flatten)]
    filter: FilterQuery,
    limit: Option<String>,
}

/// A related code as the page shows it: the entry's own code and title when the catalog has it.
#[derive(Debug, Serialize)]
struct RelatedRef<'a> {
    /// The related entry's code, or the text as written when the catalog has no such entry.
    code: &'a str,
    /// `None` when the catalog has no such entry: show `code` as plain text, not as a link.
    title: Option<&'a str>,
}

/// A search result: the summary, plus what the reference shows of the entry, so a client can render
/// the same card as the page does without fetching each entry.
#[derive(Debug, Serialize)]
struct SearchHit<'a> {
    #[serde(flatten)]
    summary: Summary<'a>,
    likely_causes: &'a [String],
    fixes: &'a [String],
    related_entries: Vec<RelatedRef<'a>>,
}

impl<'a> SearchHit<'a> {
    fn of(catalog: &'a Catalog, e: &'a Entry) -> SearchHit<'a> {
        let related_entries = e
            .related
            .iter()
            .map(|r| match catalog.get(r) {
                Some(found) => RelatedRef {
                    code: &found.code,
                    title: Some(&found.title),
                },
                None => RelatedRef {
                    code: r,
                    title: None,
                },
            })
            .collect();
        SearchHit {
            summary: Summary::of(e),
            likely_causes: &e.likely_causes,
            fixes: &e.fixes,
            related_entries,
        }
    }
}

#[derive(Debug, Serialize)]
struct SearchResult<'a> {
    query: &'a str,
    category: Option<Category>,
    kind: Option<Kind>,
    count: usize,
    results: Vec<SearchHit<'a>>,
}

/// The number of search results when `limit` is not given.
const DEFAULT_LIMIT: usize = 20;

pub(crate) async fn search(
    State(s): State<AppState>,
    Params(q): Params<SearchQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let filter = q.filter.to_filter()?;
    let limit = match q.limit.as_deref() {
        None => DEFAULT_LIMIT,
        Some(v) => integer_param(v)
            .filter(|&n| n > 0)
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
            .ok_or_else(|| {
                AppError::InvalidQuery(format!(
                    "limit: '{}' is not a positive number",
                    v.chars().take(20).collect::<String>()
                ))
                .at(Field::parameter("limit"))
            })?,
    };
    let found = filter.apply(&s.catalog);
    let results: Vec<SearchHit<'_>> = found
        .into_iter()
        .take(limit)
        .map(|e| SearchHit::of(&s.catalog, e))
        .collect();
    let doc = SearchResult {
        query: filter.q.trim(),
        category: filter.category,
        kind: filter.kind,
        count: results.len(),
        results,
    };
    Ok(Asset::dynamic(JSON, CACHE_CATALOG, to_json(&doc)?).respond(&headers))
}
