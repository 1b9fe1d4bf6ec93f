//! The monitor's web server: the app of `apiprobe serve` (reference pages, `/codes/{id}`, the JSON
//! API) with `/metrics` added.

use crate::metrics::{Metrics, CONTENT_TYPE};
use apiprobe_catalog::Catalog;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

/// The router: the web app plus `GET /metrics`.
pub fn router(catalog: Arc<Catalog>, metrics: Arc<Metrics>) -> Router {
    let state = apiprobe_web::AppState::new(catalog);
    let extra = Router::new().route(
        "/metrics",
        get(move || {
            let metrics = metrics.clone();
            async move {
                (
                    [(axum::http::header::CONTENT_TYPE, CONTENT_TYPE)],
                    metrics.encode(),
                )
            }
        }),
    );
    apiprobe_web::app(state).merge(extra)
}
