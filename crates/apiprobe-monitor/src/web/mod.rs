//! The monitor on the web: the status pages, badges and the monitor API, as an axum [`Router`] the
//! monitor's `--addr` server merges with the app of `apiprobe serve` ([`attach`]), so a failure
//! code on the status page links straight to its entry at `/codes/{code}`.
//!
//! - `/status`, `/status/{check}`: server-rendered pages, no script, no inline style.
//! - `/badge/{check}/status.svg`, `/uptime.svg?window=30d`, `/latency.svg`: shields-style badges.
//! - `/api/v1/monitor/checks...`: JSON reads; `POST .../run`, `.../pause`, `.../resume` with a
//!   read-write token ([`crate::suite_api`]). Errors are `application/problem+json` with catalog codes.
//! - `/openapi.json`: the document of `apiprobe serve` with the monitor routes added ([`openapi`]).
//!
//! ```no_run
//! # async fn demo(store: apiprobe_monitor::Store, suite: apiprobe_monitor::MonitorSuite) {
//! use apiprobe_catalog::Catalog;
//! use apiprobe_monitor::web::{attach, StatusState};
//! use std::sync::Arc;
//! let catalog = Arc::new(Catalog::builtin().clone());
//! let (_tx, rx) = tokio::sync::watch::channel(Arc::new(suite));
//! let state = StatusState::new(store, catalog.clone(), rx);
//! let app = attach(apiprobe_web::app(apiprobe_web::AppState::new(catalog)), state);
//! # let _ = app;
//! # }
//! ```

mod api;
mod auth;
mod badge;
mod chart;
mod control;
mod model;
pub mod openapi;
mod pages;
mod params;
mod problem;
mod queries;
mod state;
mod view;

pub use control::{Controls, RunHook};
pub use problem::{ApiError, Problem};
pub use state::StatusState;

use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::HeaderValue;
use axum::response::Response;
use axum::routing::{get, post, MethodRouter};
use axum::Router;

/// Now, unix ms.
pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The status stylesheet's path and text.
pub(crate) const STATUS_CSS_PATH: &str = "/static/status.css";
pub(crate) const STATUS_CSS: &str = include_str!("../../static/status.css");

/// The same policy as the reference pages: nothing inline, everything from our origin.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Every monitor route with its handlers. `/openapi.json` lists exactly these (tested).
pub fn route_list() -> Vec<(&'static str, MethodRouter<StatusState>)> {
    vec![
        ("/status", get(pages::status)),
        ("/status/{check}", get(pages::check)),
        (STATUS_CSS_PATH, get(pages::css)),
        ("/badge/{check}/status.svg", get(badge::status)),
        ("/badge/{check}/uptime.svg", get(badge::uptime)),
        ("/badge/{check}/latency.svg", get(badge::latency)),
        ("/api/v1/monitor/checks", get(api::list)),
        ("/api/v1/monitor/checks/{check}", get(api::one)),
        ("/api/v1/monitor/checks/{check}/runs", get(api::runs)),
        ("/api/v1/monitor/checks/{check}/events", get(api::events)),
        ("/api/v1/monitor/checks/{check}/uptime", get(api::uptime)),
        (
            "/api/v1/monitor/checks/{check}/failures",
            get(api::failures),
        ),
        ("/api/v1/monitor/checks/{check}/run", post(api::run_now)),
        ("/api/v1/monitor/checks/{check}/pause", post(api::pause)),
        ("/api/v1/monitor/checks/{check}/resume", post(api::resume)),
    ]
}

async fn security_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    for (name, value) in [
        (CONTENT_SECURITY_POLICY, CSP),
        (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (REFERRER_POLICY, "no-referrer"),
        (X_FRAME_OPTIONS, "DENY"),
    ] {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    }
    res
}

/// The monitor routes alone, with the security headers of the reference pages.
pub fn router(state: StatusState) -> Router {
    let mut r = Router::new();
    for (path, handlers) in route_list() {
        r = r.route(path, handlers);
    }
    r.method_not_allowed_fallback(apiprobe_web::method_not_allowed)
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

/// `app` (the app of `apiprobe serve`) with the monitor routes merged in and the monitor routes
/// added to its `/openapi.json`.
pub fn attach(app: Router, state: StatusState) -> Router {
    app.merge(router(state))
        .layer(axum::middleware::from_fn(openapi::merge_document))
}
