//! The catalog's vocabulary: categories, kinds, phases and entries.
//!
//! This file is also compiled into `build.rs`, so it depends on nothing but `serde` and `std`.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Generates a closed set: the enum, `as_str`, `FromStr`, `Display` and an `ALL` slice.
macro_rules! closed_set {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "lowercase")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The lower-case name used in data files, JSON and on the command line.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s.trim().to_ascii_lowercase().as_str() {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!(
                        "unknown {} '{}' (expected one of: {})",
                        stringify!($name).to_ascii_lowercase(),
                        other,
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

closed_set! {
    /// The three groups every error falls into.
    Category {
        /// Something in the request is not acceptable (most 4xx).
        Client = "client",
        /// Credentials, tokens or permissions (401, 403, 407, 511).
        Auth = "auth",
        /// The service, its network path or a dependency failed (5xx).
        Server = "server",
    }
}

closed_set! {
    /// Whether an entry is an HTTP status or one of the probe's own codes.
    Kind {
        /// An HTTP status code (`404`).
        Http = "http",
        /// A probe code (`PRB-3001`).
        Probe = "probe",
    }
}

closed_set! {
    /// Where in a request's life a probe code arises.
    Phase {
        /// Resolving the host name.
        Dns = "dns",
        /// Opening the TCP connection.
        Connect = "connect",
        /// The TLS handshake and certificate checks.
        Tls = "tls",
        /// Building or sending the request.
        Request = "request",
        /// Waiting for and parsing the status line and headers.
        Response = "response",
        /// Reading the response body.
        Body = "body",
        /// Following redirects.
        Redirect = "redirect",
        /// Checking the response against expectations.
        Assertion = "assertion",
        /// An HTTP error status reported by the API.
        Http = "http",
    }
}

impl Category {
    /// The seed's rule for HTTP statuses: 401, 403, 407 and 511 are `auth`, other 4xx `client`, 5xx `server`.
    pub fn for_status(status: u16) -> Option<Category> {
        match status {
            401 | 403 | 407 | 511 => Some(Category::Auth),
            400..=499 => Some(Category::Client),
            500..=599 => Some(Category::Server),
            _ => None,
        }
    }

    /// The digit a probe code of this category carries (`PRB-<digit>NNN`).
    pub fn digit(self) -> char {
        match self {
            Category::Client => '1',
            Category::Auth => '2',
            Category::Server => '3',
        }
    }
}

/// One meaning of a status number as a particular vendor uses it (nginx 499, Cloudflare 520, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    /// Who uses the number this way: `nginx`, `Cloudflare`, `AWS Elastic Load Balancing`, ...
    pub origin: String,
    /// The name that vendor gives it.
    pub title: String,
    /// What it means when that vendor sends it.
    pub meaning: String,
}

/// How another tool names the same condition as a probe code (curl exit 7, Node `ECONNREFUSED`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alias {
    /// The tool: `curl`, `node`, `chromium`, `k6`, ...
    pub tool: String,
    /// The tool's own code, numeric or symbolic (`60`, `ECONNREFUSED`, `ERR_CERT_DATE_INVALID`).
    pub code: String,
    /// A second, symbolic name for the code where the tool has one (`CURLE_PEER_FAILED_VERIFICATION`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The text the tool prints for it, as documented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The tool gives this code for several conditions and it reads back as another entry (curl's 28
    /// is every timeout, read as RESPONSE_TIMEOUT): looking the code up never lands here.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub shared: bool,
}

/// One catalog entry: an HTTP status or a probe code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// `404` or `PRB-3001`.
    pub code: String,
    /// `http` or `probe`.
    pub kind: Kind,
    /// The registered reason phrase (HTTP) or a short title (probe).
    pub title: String,
    /// `client`, `auth` or `server`.
    pub category: Category,
    /// What the error means, in our words.
    pub meaning: String,
    /// Why it usually happens (at least two).
    pub likely_causes: Vec<String>,
    /// What to do about it (at least one).
    pub fixes: Vec<String>,
    /// Whether repeating the same request unchanged may succeed later.
    pub retryable: bool,
    /// Codes worth reading next.
    pub related: Vec<String>,
    /// HTTP entries: the status number.
    pub status: Option<u16>,
    /// HTTP entries: who defines it (`IANA`, `nginx`, `Cloudflare`, ...).
    pub origin: Option<String>,
    /// HTTP entries: the defining document (`RFC 9110, Section 15.5.5`).
    pub reference: Option<String>,
    /// HTTP entries: other meanings of the same number, each with its origin.
    #[serde(default)]
    pub variants: Vec<Variant>,
    /// HTTP entries: the probe code (`PRB-3504`) a response with this status gets when nothing in it
    /// names a more exact condition, so every failure carries a probe code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_probe: Option<String>,
    /// Probe entries: the SCREAMING_SNAKE name.
    pub name: Option<String>,
    /// Probe entries: where it arises.
    pub phase: Option<Phase>,
    /// Probe entries: the HTTP statuses it typically comes with.
    #[serde(default)]
    pub statuses: Vec<u16>,
    /// Probe entries: the message template, with `{placeholders}`.
    pub message: Option<String>,
    /// How other tools name the same condition.
    #[serde(default)]
    pub aliases: Vec<Alias>,
    /// Where the facts come from (RFC, vendor documentation URL).
    #[serde(default)]
    pub source: Option<String>,
}

impl Entry {
    /// The name to show: the probe name, or the title for HTTP entries.
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.title)
    }
}
