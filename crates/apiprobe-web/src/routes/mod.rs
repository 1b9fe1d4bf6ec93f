//! The router: one file per group of routes, all listed here once.

mod codes;
mod explain;
mod meta;
pub(crate) mod openapi;
mod pages;
mod translate;

use crate::error::AppError;
use crate::negotiate::{errors_as_asked, preferred, Form};
use crate::state::AppState;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::Router;

/// Every route: its path and its handlers. The OpenAPI document must list exactly these (tested).
fn route_list() -> Vec<(&'static str, MethodRouter<AppState>)> {
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
    route_list().into_iter().map(|(p, _)| p).collect()
}

/// Whether an error should be a page rather than problem+json: a browser (a client preferring HTML)
/// asking for anything but the API.
fn wants_page(req: &Request) -> bool {
    !req.uri().path().starts_with("/api/") && preferred(req.headers(), Form::Problem) == Form::Page
}

async fn no_route(req: Request) -> Response {
    let err = AppError::NoRoute(req.uri().path().chars().take(200).collect());
    if wants_page(&req) {
        err.into_page()
    } else {
        err.into_response()
    }
}

/// The answer when a path exists but not for the method: 405 as problem+json, or a page for a
/// browser. Public so routers merged into the app answer the same way.
pub async fn method_not_allowed(req: Request) -> Response {
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

/// Every route and the fallbacks over the shared state, without the layers: merge more routes into
/// it, then wrap the whole in [`crate::with_layers`].
pub fn routes(state: AppState) -> Router {
    let mut router = Router::new();
    for (path, handlers) in route_list() {
        router = router.route(path, handlers);
    }
    router
        .fallback(no_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(errors_as_asked))
        .with_state(state)
}

/// The whole application as `apiprobe serve` runs it: [`routes`] inside [`crate::with_layers`].
pub fn app(state: AppState) -> Router {
    crate::layers::with_layers(routes(state))
}
