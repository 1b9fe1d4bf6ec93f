//! The one result type shared by `explain`, `check`, `run` and the web API.
//!
//! Every field is always serialized (null, false or empty where it does not apply), so scripts can rely on
//! the same keys whichever command produced the result.
//!
//! Why here, in the catalog, when some fields only a probe run fills: a [`Report`] is made of
//! catalog words (an [`Entry`]'s code, title and category, a [`Phase`]), and everything that makes or
//! shows one (explain, the probe, the web API, the CLI) already depends on this crate and on nothing
//! else in common. In the probe crate it would pull its network stack (hyper, rustls, DNS) into
//! explain and the web server; in a crate of its own it could not fill itself from an [`Entry`]. The
//! probe-only parts are plain data with no behaviour, kept apart in the `probe` module: the probe
//! fills them, every other producer leaves them null or empty.

mod probe;

pub use probe::{Assertion, Timings, TlsSummary};

use crate::model::{Category, Entry, Phase};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What apiprobe concluded about one error response, log line or probe run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// `true` when nothing failed (a passing check; an explained response is never ok).
    pub ok: bool,
    /// The URL probed (check/run), when known.
    pub url: Option<String>,
    /// The HTTP status of the response, when one came.
    pub status: Option<u16>,
    /// `client`, `auth` or `server`.
    pub category: Option<Category>,
    /// The catalog code naming the exact condition: a probe code, or the HTTP status entry when no probe code fits.
    pub code: Option<String>,
    /// The SCREAMING_SNAKE name of `code` (probe codes only).
    pub name: Option<String>,
    /// The catalog title of `code`.
    pub title: Option<String>,
    /// Which parser or tool recognised the input (`problem_json`, `stripe`, `curl`, ...); `probe` for checks.
    pub format: Option<String>,
    /// The API or tool whose own code is in `vendor_code`.
    pub vendor: Option<String>,
    /// The API's or tool's own error code (`card_declined`, `ThrottlingException`, `60`).
    pub vendor_code: Option<String>,
    /// The human-readable message: the API's own, or the probe's.
    pub message: Option<String>,
    /// The request field the message names.
    pub field: Option<String>,
    /// The permission or scope the message names.
    pub permission: Option<String>,
    /// The resource the message names.
    pub resource: Option<String>,
    /// Whether repeating the request unchanged may succeed.
    pub retryable: Option<bool>,
    /// How long to wait before retrying, from `Retry-After`, rate-limit headers or the body.
    pub retry_after_s: Option<f64>,
    /// How sure the conclusion is, 0 to 1.
    pub confidence: f64,
    /// What led to the conclusion, one fact per item (`status 401`, `WWW-Authenticate error=invalid_token`).
    pub evidence: Vec<String>,
    /// A sentence when the status class and the body disagree, else null.
    pub conflict: Option<String>,
    /// What to do next, most useful first.
    pub next_steps: Vec<String>,
    /// Where the failure arose (`dns`, `connect`, `tls`, ...).
    pub phase: Option<Phase>,
    // From here to `tls`, a probe run's own facts (see `probe`).
    /// Per-phase timings of a probe run.
    pub timings_ms: Option<Timings>,
    /// The checks made on a response, each with expected and actual values.
    pub assertions: Vec<Assertion>,
    /// The address actually connected to.
    pub remote_addr: Option<String>,
    /// The negotiated TLS session, for https.
    pub tls: Option<TlsSummary>,
    /// How other tools name the same condition (curl exit code, Node code, ...).
    pub aliases: Vec<AliasRef>,
    /// Other facts pulled from the input: `host`, `port`, `address`, `timeout`, `cert_subject`, `cert_not_after`, `request_id`, ...
    pub details: BTreeMap<String, String>,
}

/// A pointer to how another tool names a condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliasRef {
    /// The tool (`curl`, `node`).
    pub tool: String,
    /// Its code (`7`, `ECONNREFUSED`).
    pub code: String,
}

impl Report {
    /// Fills `code`, `name`, `title`, `category` and `retryable` from a catalog entry, and `aliases`
    /// from the curl and Node names of the same condition.
    pub fn set_entry(&mut self, entry: &Entry) {
        self.code = Some(entry.code.clone());
        self.name = entry.name.clone();
        self.title = Some(entry.title.clone());
        self.category = Some(entry.category);
        if self.retryable.is_none() {
            self.retryable = Some(entry.retryable);
        }
        self.aliases = entry
            .aliases
            .iter()
            .map(|a| AliasRef {
                tool: a.tool.clone(),
                code: a.code.clone(),
            })
            .collect();
    }
}

/// A batch line that could not be read, reported in place of a [`Report`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineError {
    /// 1-based line number in the input.
    pub line: u64,
    /// What was wrong with it.
    pub error: String,
}
