//! The apiprobe prober: real HTTP checks, run phase by phase (dns, connect, tls, request, response,
//! body, redirect, assertion), where every failure becomes exactly one catalog probe code with a message
//! naming the cause, and timings for each phase.
//!
//! - [`CheckSpec`]: one check; [`Prober::check`] runs it and returns an [`apiprobe_catalog::Report`].
//! - [`CheckOptions`]: a check as a suite table or the `check` flags say it; `to_spec` builds it.
//! - [`Suite`]: a TOML suite file of checks; [`run_all`] runs many with bounded concurrency.
//! - [`JunitReport`]: JUnit XML for CI.
//!
//! Name resolution uses the system resolver unless [`DNS_SERVER_ENV`] (`APIPROBE_DNS_SERVER=IP:PORT`)
//! names a DNS server to ask instead. Proxies come from `https_proxy`, `http_proxy`, `all_proxy` and
//! `no_proxy` (either case), as in curl.

#![forbid(unsafe_code)]

mod assert;
mod classify;
mod client;
mod dns;
mod junit;
mod options;
mod proxy;
mod runner;
mod spec;
mod suite;
mod tls;

pub use classify::{render_message, Described, Failure, FACT_NAMES};
pub use client::Prober;
pub use dns::DNS_SERVER_ENV;
pub use junit::JunitReport;
pub use options::{parse_http_version, CheckOptions, JsonBody, DEFAULT_TIMEOUT};
pub use runner::run_all;
pub use spec::{
    parse_duration, parse_request_header, parse_statuses, CheckSpec, Expectations, HeaderExpect,
    HttpVersion, JsonExpect, JsonOp, ResolveEntry, SpecError, StatusPattern,
};
pub use suite::{Suite, SuiteError};
pub use tls::{load_cacert, CaFileError};
