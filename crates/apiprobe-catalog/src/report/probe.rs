//! The parts of a [`Report`](super::Report) only a probe run fills: timings, assertions and the TLS
//! session. Plain data; `apiprobe-probe` makes them, explain leaves them out.

use serde::{Deserialize, Serialize};

/// Milliseconds spent in each phase of a probe, like curl's `-w` timings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    /// Name resolution.
    pub dns: Option<f64>,
    /// TCP connect.
    pub connect: Option<f64>,
    /// TLS handshake.
    pub tls: Option<f64>,
    /// Time to first byte of the response, from the start.
    pub ttfb: Option<f64>,
    /// The whole exchange.
    pub total: f64,
}

/// One expectation checked against a response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assertion {
    /// What was checked: `status`, `header`, `json`, `body`, `latency`.
    pub kind: String,
    /// The expectation as written (`2xx`, `$.ok == true`).
    pub expected: String,
    /// What the response had, or null when it had nothing to compare.
    pub actual: Option<String>,
    /// Whether it held.
    pub passed: bool,
}

/// What the TLS handshake settled on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TlsSummary {
    /// `TLSv1.3`, `TLSv1.2`.
    pub version: Option<String>,
    /// The cipher suite name.
    pub cipher: Option<String>,
    /// The negotiated ALPN protocol (`h2`, `http/1.1`).
    pub alpn: Option<String>,
    /// The leaf certificate's subject.
    pub subject: Option<String>,
    /// The leaf certificate's issuer.
    pub issuer: Option<String>,
    /// The leaf certificate's notAfter, RFC 3339.
    pub not_after: Option<String>,
}
