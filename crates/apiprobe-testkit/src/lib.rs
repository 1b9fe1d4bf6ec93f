//! Test support for apiprobe: servers that fail on purpose, all bound to 127.0.0.1.
//!
//! - [`FaultServer`]: a tiny HTTP/1.1 server (plain or TLS) whose paths reproduce one failure each:
//!   a refused or reset connection, an empty reply, garbage bytes, a truncated body, slow headers,
//!   a slow body, redirect loops, error statuses and error bodies.
//! - [`certs`]: throwaway certificates made with rcgen at test time: a CA and leaf certificates that are
//!   valid, expired, issued for the wrong host, or self-signed.
//! - [`StallPort`]: a listener whose accept queue is full, so new connections time out.
//! - [`DnsServer`]: a UDP DNS server that answers NXDOMAIN or SERVFAIL, answers with an address, or never
//!   answers.
//! - [`ContractServer`]: a small API with its own OpenAPI document and one deliberate contract or
//!   error-quality fault per operation, for `apiprobe contract`.
//! - [`closed_port`]: a port on which nothing listens.
//! - [`browser::Browser`]: headless chromium over WebDriver, for page tests.
//!
//! Every server runs on its own thread with its own tokio runtime, so both async and plain
//! `#[test]` functions (which run the real binary) can use them. Dropping a server stops it.

#![forbid(unsafe_code)]

pub mod browser;
mod certs;
mod contract;
mod dns;
mod fault;

pub use certs::{certs, CertKind, CertPair, Certs};
pub use contract::{ContractServer, CONTRACT_DOCUMENT};
pub use dns::{DnsMode, DnsServer};
pub use fault::{closed_port, FaultServer, StallPort};

/// Why a test server could not start.
#[derive(Debug, thiserror::Error)]
pub enum TestkitError {
    /// Binding or configuring a socket failed.
    #[error("test server socket: {0}")]
    Io(#[from] std::io::Error),
    /// The TLS configuration was rejected.
    #[error("test server TLS setup: {0}")]
    Tls(#[from] rustls::Error),
    /// rcgen could not make a certificate.
    #[error("test certificate generation: {0}")]
    Cert(#[from] rcgen::Error),
}
