//! The router: one file per group of routes, all listed here once.

mod codes;
mod explain;
mod meta;
pub(crate) mod openapi;
mod pages;
mod translate;

use crate::error::AppError;
use crate::state::AppState;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::Router;
use http::header::ACCEPT;

/// Every route: its path and its handlers. The OpenAPI document must list exactly these (tested).
fn routes() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        ("/", get(pages::home)),
        ("/reference", get(pages::reference)),
        ("/codes/{code}", get(pages::entry)),
        (
            "/explain",
            get(pages::explain_form).post(pages::explain_submit),
        ),
        ("/static/app.css", get(meta::css)),
        ("/static/app.js", get(meta::js)),
        ("/favicon.svg", get(meta::favicon)),
        ("/api/v1/codes", get(codes::list)),
        ("/api/v1/codes/{code}", get(codes::one)),
        ("/api/v1/search", get(codes::search)),
        ("/api/v1/explain", axum::routing::post(explain::explain)),
        ("/api/v1/translate", get(translate::translate)),
        ("/openapi.json", get(meta::openapi)),
        ("/healthz", get(meta::health)),
    ]
}

/// The paths the router serves, in the router's notation (`/codes/{code}`).
pub fn route_table() -> Vec<&'static str> {
    routes().into_iter().map(|(p, _)| p).collect()
}

/// Whether an error should be a page rather than problem+json: a browser asking for anything but the API.
fn wants_page(req: &Request) -> bool {
    !req.uri().path().starts_with("/api/")
        && req
            .headers()
            .get(ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html"))
}

async fn no_route(req: Request) -> Response {
    let err = AppError::NoRoute(req.uri().path().chars().take(200).collect());
    if wants_page(&req) {
        err.into_page()
    } else {
        err.into_response()
    }
}

async fn wrong_method(req: Request) -> Response {
    let err = AppError::MethodNotAllowed {
        method: req.method().to_string(),
        path: req.uri().path().chars().take(200).collect(),
    };
    if wants_page(&req) {
        err.into_page()
    } else {
        err.into_response()
    }
}

/// The whole application: routes, fallbacks and security headers over the shared state.
pub fn app(state: AppState) -> Router {
    let mut router = Router::new();
    for (path, handlers) in routes() {
        router = router.route(path, handlers);
    }
    router
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(axum::middleware::map_response(
            crate::headers::add_security_headers,
        ))
        .with_state(state)
}
