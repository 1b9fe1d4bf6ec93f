//! `apiprobe monitor`: suites run on a schedule, with history by failure code, Prometheus metrics and
//! alerts.
//!
//! - [`suite`]: the suite file of `apiprobe run` plus schedule, threshold, maintenance, alert and
//!   retention keys.
//! - [`maintenance`]: maintenance windows (fixed or cron, in a time zone).
//! - [`metrics`]: the Prometheus families, blackbox names plus the failure code.
//! - [`state`]: up, degraded and down from consecutive runs and the thresholds.
//! - [`store`]: the history in SQLite or PostgreSQL, and its read API.
//! - [`suite_api`]: the `[api]` and `[[token]]` tables: who may read and change the monitor.
//! - [`web`]: the status pages, badges and monitor API, merged into the app of `apiprobe serve`.

pub mod maintenance;
pub mod metrics;
pub mod state;
pub mod store;
pub mod suite;
pub mod suite_api;
pub mod web;

pub use store::{Backend, Store, StoreError};
pub use suite::{AlertDest, AlertKind, MonitorCheck, MonitorSuite, Retention};
