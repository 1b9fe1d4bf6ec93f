//! Static files, the OpenAPI document and the health check.

use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use http::HeaderMap;

pub(crate) async fn css(State(s): State<AppState>, h: HeaderMap) -> Response {
    s.site.css.respond(&h)
}

pub(crate) async fn js(State(s): State<AppState>, h: HeaderMap) -> Response {
    s.site.js.respond(&h)
}

pub(crate) async fn favicon(State(s): State<AppState>, h: HeaderMap) -> Response {
    s.site.favicon.respond(&h)
}

pub(crate) async fn openapi(State(s): State<AppState>, h: HeaderMap) -> Response {
    s.site.openapi.respond(&h)
}

pub(crate) async fn health(State(s): State<AppState>, h: HeaderMap) -> Response {
    s.site.health.respond(&h)
}
