//! `apiprobe monitor`: suites run on a schedule, with history by failure code, Prometheus metrics and
//! alerts.
//!
//! - [`suite`]: the suite file of `apiprobe run` plus schedule, threshold, maintenance, alert and
//!   retention keys.
//! - [`engine`]: runs it all: the schedule, the writer, alert delivery, pruning, reloads, shutdown.
//! - [`schedule`]: start times spread over each interval, a task per check.
//! - [`writer`]: state changes, alerts and metrics from each run; batched writes.
//! - [`alert`]: webhook, Slack and Alertmanager delivery from a stored outbox.
//! - [`http`]: the web app of `apiprobe serve` plus `/metrics`.
//! - [`maintenance`]: maintenance windows (fixed or cron, in a time zone).
//! - [`metrics`]: the Prometheus families, blackbox names plus the failure code.
//! - [`state`]: up, degraded and down from consecutive runs and the thresholds.
//! - [`store`]: the history in SQLite or PostgreSQL, and its read API.
//! - [`suite_api`]: the `[api]` and `[[token]]` tables: who may read and change the monitor.
//! - [`web`]: the status pages, badges and monitor API, merged into the app of `apiprobe serve`.

pub mod alert;
pub mod engine;
pub mod http;
pub mod maintenance;
pub mod metrics;
pub mod schedule;
pub mod state;
pub mod store;
pub mod suite;
pub mod suite_api;
pub mod web;
pub mod writer;

pub use engine::{run, MonitorError, Options, Summary};
pub use store::{Backend, Store, StoreError};
pub use suite::{AlertDest, AlertKind, MonitorCheck, MonitorSuite, Retention};
