//! The monitor API under `/api/v1/monitor`: JSON for reads, the shared `Report` for a run made now.

use super::auth::authorize;
use super::params::{self, Params, Window, DAY_MS};
use super::problem::ApiError;
use super::state::StatusState;
use crate::store::RunQuery;
use crate::suite_api::Access;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::json;
use std::sync::Arc;

/// A JSON answer that is never cached: it is the state of now.
pub(crate) fn json_response<T: Serialize>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => {
            let mut res = body.into_response();
            let h = res.headers_mut();
            h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            res
        }
        Err(e) => ApiError::Internal(e.to_string()).into_response(),
    }
}

/// The check named in the path; a path that does not decode is a 400 like any bad parameter.
pub(crate) fn check_name(path: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    match path {
        Ok(Path(c)) if !c.is_empty() && c.chars().count() <= 512 => Ok(c),
        Ok(_) => Err(ApiError::BadQuery(
            "the check name is empty or longer than 512 characters".into(),
        )),
        Err(e) => Err(ApiError::BadQuery(format!(
            "the check name in the path: {}",
            e.body_text()
        ))),
    }
}

/// A read over a window of one known check: the check from the path, the read rule, `window`
/// (`default` without it) as the only parameter; returns the check, the window and its start.
pub(crate) async fn windowed(
    state: &StatusState,
    path: Result<Path<String>, PathRejection>,
    headers: &HeaderMap,
    uri: &Uri,
    default: Window,
) -> Result<(String, Window, i64), ApiError> {
    let check = check_name(path)?;
    may_read(state, headers)?;
    let p = Params::parse(uri.query(), &["window"])?;
    let w = params::window(&p, "window", default)?;
    state.known(&check).await?;
    Ok((check, w, super::now_ms() - w.ms))
}

/// Reads are open unless the suite says `[api] public_read = false`.
pub(crate) fn may_read(state: &StatusState, headers: &HeaderMap) -> Result<(), ApiError> {
    authorize(&state.suite().api, headers, Access::Read)
}

pub(crate) async fn list(
    State(state): State<StatusState>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    may_read(&state, &headers)?;
    Params::parse(uri.query(), &[])?;
    let views = state.views(state.inner.store.states().await?);
    let overall = super::model::overall(views.iter().map(|v| v.state));
    Ok(json_response(
        &json!({ "overall": overall, "checks": views }),
    ))
}

pub(crate) async fn one(
    State(state): State<StatusState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    let check = check_name(path)?;
    may_read(&state, &headers)?;
    Params::parse(uri.query(), &[])?;
    let views = state.known(&check).await?;
    let now = super::now_ms();
    let store = &state.inner.store;
    let mut uptime = serde_json::Map::new();
    for (label, ms) in [("24h", DAY_MS), ("7d", 7 * DAY_MS), ("30d", 30 * DAY_MS)] {
        uptime.insert(label.into(), json!(store.uptime(&check, now - ms).await?));
    }
    let overall = super::model::overall(views.iter().map(|v| v.state));
    Ok(json_response(&json!({
        "check": check,
        "state": overall,
        "locations": views,
        "uptime": uptime,
    })))
}

pub(crate) async fn runs(
    State(state): State<StatusState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    let check = check_name(path)?;
    may_read(&state, &headers)?;
    let p = Params::parse(uri.query(), &["since", "until", "code", "limit", "cursor"])?;
    let q = RunQuery {
        check: Some(check.clone()),
        since_ms: params::time(&p, "since")?,
        until_ms: params::time(&p, "until")?,
        code: params::code(&p, &state.inner.catalog)?,
        limit: Some(params::limit(&p, 100, 1000)?),
        cursor: params::cursor(&p)?,
    };
    // `since` after `until` is an empty window, answered as such.
    state.known(&check).await?;
    let page = state.inner.store.runs(&q).await?;
    Ok(json_response(&json!({
        "check": check,
        "runs": page.runs,
        "next_cursor": page.next_cursor.map(|c| c.to_string()),
    })))
}

pub(crate) async fn events(
    State(state): State<StatusState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    let check = check_name(path)?;
    may_read(&state, &headers)?;
    let p = Params::parse(uri.query(), &["limit"])?;
    let limit = params::limit(&p, 100, 1000)?;
    state.known(&check).await?;
    let events = state.inner.store.events(&check, limit).await?;
    Ok(json_response(&json!({ "check": check, "events": events })))
}

pub(crate) async fn uptime(
    State(state): State<StatusState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    let (check, w, since) = windowed(&state, path, &headers, &uri, Window::MONTH).await?;
    let up = state.inner.store.uptime(&check, since).await?;
    Ok(json_response(&json!({
        "check": check,
        "window": w.label(),
        "since_ms": since,
        "runs": up.runs,
        "ok": up.ok,
        "ratio": up.ratio,
    })))
}

pub(crate) async fn failures(
    State(state): State<StatusState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    let (check, w, since) = windowed(&state, path, &headers, &uri, Window::MONTH).await?;
    let rows = state.inner.store.failures(&check, since).await?;
    let catalog = &state.inner.catalog;
    let failures: Vec<_> = rows
        .iter()
        .map(|c| {
            let e = catalog.get(&c.code);
            json!({
                "code": c.code,
                "name": e.and_then(|e| e.name.clone()),
                "title": e.map(|e| e.title.clone()),
                "category": e.map(|e| e.category),
                "count": c.count,
                "first_ms": c.first_ms,
                "last_ms": c.last_ms,
            })
        })
        .collect();
    Ok(json_response(&json!({
        "check": check,
        "window": w.label(),
        "since_ms": since,
        "failures": failures,
    })))
}

/// The write routes: a read-write token, a running monitor, and a check of its suite.
async fn writable(
    state: &StatusState,
    path: Result<Path<String>, PathRejection>,
    headers: &HeaderMap,
    uri: &Uri,
) -> Result<(String, Arc<super::Controls>), ApiError> {
    let check = check_name(path)?;
    authorize(&state.suite().api, headers, Access::ReadWrite)?;
    Params::parse(uri.query(), &[])?;
    if !state.suite().checks.iter().any(|c| c.name() == check) {
        return Err(ApiError::UnknownCheck(check.chars().take(100).collect()));
    }
    let controls = state.inner.controls.clone().ok_or(ApiError::NoControl)?;
    Ok((check, controls))
}

pub(crate) async fn run_now(
    State(state): State<StatusState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    let (check, controls) = writable(&state, path, &headers, &uri).await?;
    let suite = state.suite();
    let spec = suite
        .checks
        .iter()
        .find(|c| c.name() == check)
        .cloned()
        .ok_or_else(|| ApiError::UnknownCheck(check.clone()))?;
    let report = controls.run_now(Arc::new(spec)).await;
    Ok(json_response(&report))
}

async fn set_paused(
    state: StatusState,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    uri: Uri,
    paused: bool,
) -> Result<Response, ApiError> {
    let (check, controls) = writable(&state, path, &headers, &uri).await?;
    let changed = controls.set_paused(&check, paused).await?;
    if changed {
        tracing::info!(check = %check, paused, "monitor: check paused or resumed through the API");
    }
    Ok(json_response(&json!({
        "check": check,
        "paused": paused,
        "changed": changed,
    })))
}

pub(crate) async fn pause(
    State(state): State<StatusState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    set_paused(state, path, headers, uri, true).await
}

pub(crate) async fn resume(
    State(state): State<StatusState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    set_paused(state, path, headers, uri, false).await
}
