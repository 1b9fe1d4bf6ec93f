//! The apiprobe web reference page and its JSON API, served by `apiprobe serve`.
//!
//! Everything a request can ask for without parameters is rendered once when the [`AppState`] is built:
//! the home page, each entry's page and JSON, the code lists, the stylesheet and script, the OpenAPI
//! document. Each is kept as bytes with its ETag and its gzip and brotli forms, so serving it costs a
//! hash lookup and a write. Searches, filters with a status, explains and translations are rendered per
//! request through the same code.
//!
//! - [`app`]: the router, used by `apiprobe serve` and by the tests: [`routes`] wrapped in
//!   [`with_layers`] (tracing, security headers, time and body limits, all tower-http).
//! - [`AppState`]: the catalog and the pre-rendered site.
//! - [`serve`]: runs a router on a listener with hyper until a shutdown signal, with a header read
//!   timeout.
//! - [`AppError`]: every failure, answered as `application/problem+json` (RFC 9457) ([`Problem`]) or a
//!   short page ([`page::error_page`]).
//! - [`page`]: the frame of every HTML page, for routes other crates merge in.
//!
//! ```
//! use apiprobe_catalog::Catalog;
//! use apiprobe_web::{app, AppState};
//! use std::sync::Arc;
//! let state = AppState::new(Arc::new(Catalog::builtin().clone()));
//! let _router = app(state);
//! ```
//!
//! More routes are served under the same layers by merging them before the layers go on:
//!
//! ```
//! use apiprobe_catalog::Catalog;
//! use apiprobe_web::{routes, with_layers, AppState};
//! use std::sync::Arc;
//! let state = AppState::new(Arc::new(Catalog::builtin().clone()));
//! let extra = axum::Router::new().route("/extra", axum::routing::get(|| async { "ok" }));
//! let _router = with_layers(routes(state).merge(extra));
//! ```

#![forbid(unsafe_code)]
// The OpenAPI document is one large `json!` literal.
#![recursion_limit = "512"]

mod asset;
mod body;
mod error;
mod layers;
mod negotiate;
pub mod page;
mod routes;
mod server;
mod site;
mod state;
mod view;

pub use error::{AppError, Field, Problem};
pub use layers::{with_layers, REQUEST_TIMEOUT};
pub use routes::{app, method_not_allowed, route_table, routes};
pub use server::{serve, ServeError, HEADER_READ_TIMEOUT, SHUTDOWN_GRACE};
pub use state::AppState;

/// The largest request body accepted (explain requests); larger bodies get 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The longest query string accepted; longer ones get 414.
pub const MAX_QUERY_BYTES: usize = 8 * 1024;
