//! A failed phase becomes exactly one catalog probe code; the catalog entry says the rest.
//!
//! [`Failure::describe`] is the one table here: which entry a failure is, and the facts it knows (host,
//! timeout, reason, ...). From the entry come the message (its template filled with those facts, so
//! `check` prints what `lookup` documents), the phase, and the exit code curl gives for the same
//! condition (the entry's first curl alias): a monitor built on apiprobe and a script built on curl
//! see the same failure the same way.

use apiprobe_catalog::{Catalog, Entry, Phase, Report};
use std::time::Duration;

/// Why a check could not get a usable response.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The URL does not parse.
    InvalidUrl {
        /// What is wrong with it.
        reason: String,
    },
    /// Not http or https.
    UnsupportedScheme {
        /// The scheme given.
        scheme: String,
    },
    /// A request header or method is not valid HTTP.
    InvalidHeader {
        /// The header's name (`:method` for the method).
        header: String,
        /// What is wrong.
        reason: String,
    },
    /// The name does not exist (NXDOMAIN) or has no address.
    DnsNotFound {
        /// The host name.
        host: String,
        /// What the resolver said.
        detail: String,
    },
    /// No answer from the name server in time.
    DnsTimeout {
        /// The host name.
        host: String,
        /// The time allowed.
        after: Duration,
    },
    /// The name server answered with a failure (SERVFAIL, or a temporary failure from the system resolver).
    DnsServerFailure {
        /// The host name.
        host: String,
        /// What the resolver said.
        detail: String,
    },
    /// No route to the address (EHOSTUNREACH, ENETUNREACH).
    HostUnreachable {
        /// `addr:port`.
        addr: String,
        /// The operating system's words.
        detail: String,
    },
    /// The TCP connection was refused.
    ConnectionRefused {
        /// `addr:port`.
        addr: String,
        /// The operating system's words.
        detail: String,
    },
    /// The TCP handshake did not complete in time.
    ConnectTimeout {
        /// `addr:port`.
        addr: String,
        /// The time allowed.
        after: Duration,
    },
    /// The peer reset the connection.
    ConnectionReset {
        /// `addr:port`.
        addr: String,
        /// When it happened.
        phase: Phase,
    },
    /// The certificate chain does not lead to a trusted root.
    TlsUntrusted {
        /// The host name checked.
        host: String,
        /// The verifier's words.
        detail: String,
    },
    /// The certificate is expired.
    TlsExpired {
        /// The host name checked.
        host: String,
        /// The certificate's notAfter date, `YYYY-MM-DD`.
        not_after: Option<String>,
    },
    /// The certificate is not valid yet.
    TlsNotYetValid {
        /// The host name checked.
        host: String,
        /// The certificate's notBefore date, `YYYY-MM-DD`.
        not_before: Option<String>,
    },
    /// The certificate is signed by its own key.
    TlsSelfSigned {
        /// The host name checked.
        host: String,
    },
    /// The certificate was revoked by its issuer.
    TlsRevoked {
        /// The host name checked.
        host: String,
    },
    /// The bytes answering the handshake are not TLS (an http port reached with https).
    TlsProtocolMismatch {
        /// The host name.
        host: String,
        /// What the TLS library said.
        detail: String,
    },
    /// The server offers only TLS versions the probe refuses.
    TlsVersionUnsupported {
        /// The host name.
        host: String,
        /// What the TLS library said.
        detail: String,
    },
    /// The certificate is not issued for this host.
    TlsHostname {
        /// The host name checked.
        host: String,
        /// The names the certificate holds, when known.
        presented: Vec<String>,
    },
    /// The TLS handshake failed for another reason.
    TlsHandshake {
        /// The host name.
        host: String,
        /// What went wrong.
        detail: String,
    },
    /// The connection closed before any response byte.
    EmptyReply {
        /// `addr:port`.
        addr: String,
    },
    /// The bytes received are not HTTP.
    InvalidResponse {
        /// What the parser said.
        detail: String,
        /// `response` (status line and headers) or `body` (framing).
        phase: Phase,
    },
    /// A response header breaks HTTP syntax.
    InvalidHeaderInResponse {
        /// What the parser said.
        detail: String,
    },
    /// A chunked body is malformed.
    InvalidChunked {
        /// What the decoder said.
        detail: String,
    },
    /// An HTTP/2 protocol error (stream reset, GOAWAY, bad frame).
    Http2Protocol {
        /// What the HTTP/2 layer said.
        detail: String,
    },
    /// A redirect whose Location cannot be followed.
    InvalidRedirect {
        /// The status of the redirect.
        status: u16,
        /// The URL that answered with the redirect.
        from: String,
        /// The Location value.
        location: String,
        /// Why it cannot be followed.
        reason: String,
    },
    /// The body ended before its declared length.
    TruncatedBody {
        /// Bytes received.
        received: u64,
        /// Bytes announced by Content-Length, when known.
        expected: Option<u64>,
    },
    /// No response headers in time.
    ResponseTimeout {
        /// The time allowed.
        after: Duration,
    },
    /// The body did not finish in time.
    BodyTimeout {
        /// The time allowed.
        after: Duration,
        /// Bytes received before the deadline.
        received: u64,
    },
    /// A redirect pointed back to a URL already visited.
    RedirectLoop {
        /// The URL seen twice.
        url: String,
        /// The redirects followed when it came back.
        hops: u32,
    },
    /// More redirects than allowed.
    TooManyRedirects {
        /// The limit.
        max: u32,
    },
    /// The proxy refused to open a tunnel.
    ProxyRefused {
        /// The proxy's status.
        status: u16,
        /// The `host:port` the tunnel was for.
        target: String,
        /// The proxy, `host:port`.
        proxy: String,
    },
}

/// What a failure is in catalog terms: the entry's name and the facts for its message template.
#[derive(Debug, Clone, PartialEq)]
pub struct Described {
    /// The probe name (`CONNECTION_REFUSED`).
    pub name: &'static str,
    /// Facts by template placeholder name (`host`, `timeout`, `detail`); they win over the check's own.
    pub facts: Vec<(&'static str, String)>,
    /// Where it happened, for the conditions that can arise in more than one phase; else the entry's.
    pub phase: Option<Phase>,
    /// The entry whose curl code curl exits with here, when curl files the condition under another
    /// name (a reset during the handshake is, to curl, a failed handshake).
    pub curl_as: Option<&'static str>,
}

impl Failure {
    /// The catalog entry this failure is and the facts it carries.
    pub fn describe(&self) -> Described {
        use Failure as F;
        let d = |name, facts: Vec<(&'static str, String)>| Described {
            name,
            facts,
            phase: None,
            curl_as: None,
        };
        let s = |v: &str| v.to_string();
        match self {
            F::InvalidUrl { reason } => d("INVALID_URL", vec![("reason", s(reason))]),
            F::UnsupportedScheme { scheme } => d("UNSUPPORTED_SCHEME", vec![("scheme", s(scheme))]),
            F::InvalidHeader { header, reason } => d(
                "INVALID_HEADER",
                vec![("header", s(header)), ("reason", s(reason))],
            ),
            F::DnsNotFound { host, detail } => d(
                "DNS_NOT_FOUND",
                vec![("host", s(host)), ("detail", s(detail))],
            ),
            F::DnsTimeout { host, after } => d(
                "DNS_TIMEOUT",
                vec![("host", s(host)), ("timeout", fmt_dur(*after))],
            ),
            F::DnsServerFailure { host, detail } => d(
                "DNS_SERVER_FAILURE",
                vec![("host", s(host)), ("detail", s(detail))],
            ),
            F::HostUnreachable { addr, detail } => d(
                "HOST_UNREACHABLE",
                vec![("address", ip_of(addr)), ("detail", s(detail))],
            ),
            F::ConnectionRefused { addr, detail } => d(
                "CONNECTION_REFUSED",
                vec![("address", ip_of(addr)), ("detail", s(detail))],
            ),
            F::ConnectTimeout { addr, after } => d(
                "CONNECT_TIMEOUT",
                vec![("address", ip_of(addr)), ("timeout", fmt_dur(*after))],
            ),
            F::ConnectionReset { addr, phase } => Described {
                phase: Some(*phase),
                curl_as: (*phase == Phase::Tls).then_some("TLS_HANDSHAKE_FAILED"),
                ..d(
                    "CONNECTION_RESET",
                    vec![("address", ip_of(addr)), ("phase", phase.to_string())],
                )
            },
            F::TlsUntrusted { host, detail } => d(
                "TLS_UNTRUSTED_CERT",
                vec![("host", s(host)), ("detail", s(detail))],
            ),
            F::TlsExpired { host, not_after } => d(
                "TLS_EXPIRED_CERT",
                vec![("host", s(host)), ("not_after", date_or_unknown(not_after))],
            ),
            F::TlsNotYetValid { host, not_before } => d(
                "TLS_CERT_NOT_YET_VALID",
                vec![
                    ("host", s(host)),
                    ("not_before", date_or_unknown(not_before)),
                ],
            ),
            F::TlsSelfSigned { host } => d("TLS_SELF_SIGNED_CERT", vec![("host", s(host))]),
            F::TlsRevoked { host } => d("TLS_CERT_REVOKED", vec![("host", s(host))]),
            F::TlsProtocolMismatch { host, detail } => d(
                "TLS_PROTOCOL_MISMATCH",
                vec![("host", s(host)), ("detail", s(detail))],
            ),
            F::TlsVersionUnsupported { host, detail } => d(
                "TLS_VERSION_UNSUPPORTED",
                vec![("host", s(host)), ("detail", s(detail))],
            ),
            F::TlsHostname { host, presented } => {
                let names = if presented.is_empty() {
                    s("other names")
                } else {
                    presented.join(", ")
                };
                d(
                    "TLS_HOSTNAME_MISMATCH",
                    vec![("host", s(host)), ("names", names)],
                )
            }
            F::TlsHandshake { host, detail } => d(
                "TLS_HANDSHAKE_FAILED",
                vec![("host", s(host)), ("detail", s(detail))],
            ),
            F::EmptyReply { addr } => d("EMPTY_REPLY", vec![("address", ip_of(addr))]),
            F::InvalidResponse { detail, phase } => Described {
                phase: Some(*phase),
                // curl reads a broken body as a failure to receive data.
                curl_as: (*phase == Phase::Body).then_some("CONNECTION_RESET"),
                ..d("INVALID_RESPONSE", vec![("detail", s(detail))])
            },
            F::InvalidHeaderInResponse { detail } => {
                d("INVALID_HEADER_IN_RESPONSE", vec![("detail", s(detail))])
            }
            F::InvalidChunked { detail } => {
                d("INVALID_CHUNKED_ENCODING", vec![("detail", s(detail))])
            }
            F::Http2Protocol { detail } => d("HTTP2_PROTOCOL_ERROR", vec![("detail", s(detail))]),
            F::InvalidRedirect {
                status,
                from,
                location,
                reason,
            } => d(
                "INVALID_REDIRECT",
                vec![
                    ("status", status.to_string()),
                    ("url", s(from)),
                    ("location", s(location)),
                    ("reason", s(reason)),
                ],
            ),
            F::TruncatedBody { received, expected } => d(
                "TRUNCATED_BODY",
                vec![
                    ("received", received.to_string()),
                    (
                        "expected",
                        expected.map_or_else(|| s("an unannounced number of"), |e| e.to_string()),
                    ),
                ],
            ),
            F::ResponseTimeout { after } => {
                d("RESPONSE_TIMEOUT", vec![("timeout", fmt_dur(*after))])
            }
            F::BodyTimeout { after, received } => d(
                "BODY_TIMEOUT",
                vec![
                    ("timeout", fmt_dur(*after)),
                    ("received", received.to_string()),
                ],
            ),
            F::RedirectLoop { url, hops } => d(
                "REDIRECT_LOOP",
                vec![("location", s(url)), ("hops", hops.to_string())],
            ),
            F::TooManyRedirects { max } => {
                d("TOO_MANY_REDIRECTS", vec![("limit", max.to_string())])
            }
            // A proxy that will not open the tunnel is, to curl, a failure to receive data.
            F::ProxyRefused {
                status: 407, proxy, ..
            } => Described {
                phase: Some(Phase::Connect),
                curl_as: Some("CONNECTION_RESET"),
                ..d("PROXY_AUTH_REQUIRED", vec![("proxy", s(proxy))])
            },
            // The proxy is the gateway in front of the target.
            F::ProxyRefused { target, .. } => Described {
                phase: Some(Phase::Connect),
                curl_as: Some("CONNECTION_RESET"),
                ..d("BAD_GATEWAY", vec![("service", s(target))])
            },
        }
    }

    /// The catalog name of the probe code for this failure.
    pub fn name(&self) -> &'static str {
        self.describe().name
    }
}

/// The IP of an `addr:port` (or `[v6]:port`) text, or the text itself when it has no port.
fn ip_of(addr: &str) -> String {
    match addr.parse::<std::net::SocketAddr>() {
        Ok(a) => a.ip().to_string(),
        Err(_) => addr.to_string(),
    }
}

fn date_or_unknown(date: &Option<String>) -> String {
    date.clone()
        .unwrap_or_else(|| "a date the certificate does not state".into())
}

/// Every fact name a message template may use. A template naming anything else is a mistake in the
/// catalog data (the tests check every probe code's template against this list).
#[rustfmt::skip]
pub const FACT_NAMES: &[&str] = &[
    "accept", "account", "action", "actual", "address", "allowed", "broken", "column", "comparison",
    "content_type", "count", "decline_code", "dependency", "description", "detail", "documented",
    "elapsed", "encoding", "evidence", "expected", "expired_at", "feature", "field", "format",
    "grant_type", "header", "hop", "hops", "host", "id", "key", "key_prefix", "length", "limit",
    "line", "location", "method", "names", "not_after", "not_before", "origin", "owner",
    "parameter", "path", "period", "permission", "phase", "pointer", "port", "principal",
    "protocol", "proxy", "range", "reason", "received", "region", "request_time", "reset_at",
    "resource", "retry_after", "revoked_at", "rule", "scheme", "scope", "server_time", "service",
    "size", "status", "string_to_sign", "subject", "supported", "timeout", "until", "url", "used",
    "version", "window",
];

/// Fills `{name}` placeholders from `fact`; a name with no fact stays as written, so a gap shows.
pub fn render_message<'a>(template: &str, fact: impl Fn(&str) -> Option<&'a str>) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match fact(name) {
                    Some(v) => out.push_str(v),
                    None => out.push_str(&rest[open..open + close + 2]),
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The result for a catalog-named condition: the entry's code, title and phase, and its message
/// template filled with `facts`, then with the check's own `context` (url, host, port, ...).
pub(crate) fn named_report(
    catalog: &Catalog,
    name: &str,
    facts: &[(&'static str, String)],
    context: &[(&str, &str)],
) -> Report {
    let mut r = Report::default();
    let entry = catalog.by_name(name);
    if let Some(e) = entry {
        r.set_entry(e);
        r.phase = e.phase;
    }
    r.name = Some(name.to_string());
    let fact = |k: &str| {
        facts
            .iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.as_str())
            .or_else(|| context.iter().find(|(n, _)| *n == k).map(|(_, v)| *v))
    };
    r.message = Some(match entry.and_then(|e| e.message.as_deref()) {
        Some(template) => render_message(template, fact),
        // A catalog without the entry still gets every fact said.
        None => {
            let said: Vec<String> = facts.iter().map(|(k, v)| format!("{k} {v}")).collect();
            format!("{name}: {}", said.join(", "))
        }
    });
    r.confidence = 1.0;
    r
}

/// The result for a failed check.
pub(crate) fn failure_report(catalog: &Catalog, f: &Failure, context: &[(&str, &str)]) -> Report {
    let d = f.describe();
    let mut r = named_report(catalog, d.name, &d.facts, context);
    if d.phase.is_some() {
        r.phase = d.phase;
    }
    if let Some(code) = curl_exit(catalog, d.curl_as.unwrap_or(d.name)) {
        r.details.insert("curl_exit".into(), code.to_string());
    }
    r
}

/// The exit code curl gives for the condition: the entry's first curl alias.
fn curl_exit<'c>(catalog: &'c Catalog, name: &str) -> Option<&'c str> {
    let entry: &Entry = catalog.by_name(name)?;
    entry
        .aliases
        .iter()
        .find(|a| a.tool == "curl")
        .map(|a| a.code.as_str())
}

/// `1.5s`, `300ms`.
pub(crate) fn fmt_dur(d: Duration) -> String {
    let ms = d.as_millis();
    if d.subsec_millis() == 0 {
        format!("{}s", ms / 1000)
    } else if ms >= 1000 {
        format!("{:.1}s", d.as_secs_f64())
    } else {
        format!("{ms}ms")
    }
}

/// `YYYY-MM-DD` for a Unix time (days-from-civil inverse, proleptic Gregorian, UTC).
pub(crate) fn unix_date(secs: i64) -> String {
    let (y, m, d) = civil(secs.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// RFC 3339 for a Unix time, UTC.
pub(crate) fn unix_rfc3339(secs: i64) -> String {
    let (y, m, d) = civil(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s % 3600 / 60,
        s % 60
    )
}

fn civil(days: i64) -> (i64, u32, u32) {
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_convert_from_unix_time() {
        assert_eq!(unix_date(0), "1970-01-01");
        assert_eq!(unix_date(1_704_067_200), "2024-01-01");
        assert_eq!(unix_rfc3339(1_709_210_096), "2024-02-29T12:34:56Z");
    }

    /// One failure of every kind, with the phase and curl exit code it must get from the catalog.
    #[rustfmt::skip]
    fn every_failure() -> Vec<(Failure, &'static str, Option<&'static str>)> {
        use Failure as F;
        let (h, x, a) = (|| "api.test".to_string(), || "x".to_string(), || "10.0.0.5:443".to_string());
        let d = Duration::from_millis(1500);
        vec![
            (F::InvalidUrl { reason: x() }, "request", Some("3")),
            (F::UnsupportedScheme { scheme: "ftp".into() }, "request", Some("1")),
            (F::InvalidHeader { header: "X-A".into(), reason: x() }, "request", Some("43")),
            (F::DnsNotFound { host: h(), detail: x() }, "dns", Some("6")),
            (F::DnsTimeout { host: h(), after: d }, "dns", Some("6")),
            (F::DnsServerFailure { host: h(), detail: x() }, "dns", Some("6")),
            (F::HostUnreachable { addr: a(), detail: x() }, "connect", Some("7")),
            (F::ConnectionRefused { addr: a(), detail: x() }, "connect", Some("7")),
            (F::ConnectTimeout { addr: a(), after: d }, "connect", Some("28")),
            (F::ConnectionReset { addr: a(), phase: Phase::Response }, "response", Some("56")),
            (F::ConnectionReset { addr: a(), phase: Phase::Tls }, "tls", Some("35")),
            (F::TlsUntrusted { host: h(), detail: x() }, "tls", Some("60")),
            (F::TlsExpired { host: h(), not_after: Some("2024-01-01".into()) }, "tls", Some("60")),
            (F::TlsExpired { host: h(), not_after: None }, "tls", Some("60")),
            (F::TlsNotYetValid { host: h(), not_before: None }, "tls", Some("60")),
            (F::TlsSelfSigned { host: h() }, "tls", Some("60")),
            (F::TlsRevoked { host: h() }, "tls", Some("60")),
            (F::TlsProtocolMismatch { host: h(), detail: x() }, "tls", Some("35")),
            (F::TlsVersionUnsupported { host: h(), detail: x() }, "tls", Some("35")),
            (F::TlsHostname { host: h(), presented: vec![] }, "tls", Some("60")),
            (F::TlsHostname { host: h(), presented: vec!["a.test".into()] }, "tls", Some("60")),
            (F::TlsHandshake { host: h(), detail: x() }, "tls", Some("35")),
            (F::EmptyReply { addr: a() }, "response", Some("52")),
            (F::InvalidResponse { detail: x(), phase: Phase::Response }, "response", Some("8")),
            (F::InvalidResponse { detail: x(), phase: Phase::Body }, "body", Some("56")),
            (F::InvalidHeaderInResponse { detail: x() }, "response", Some("8")),
            (F::InvalidChunked { detail: x() }, "body", Some("56")),
            (F::Http2Protocol { detail: x() }, "response", Some("16")),
            (F::InvalidRedirect { status: 302, from: x(), location: x(), reason: x() }, "redirect", Some("3")),
            (F::TruncatedBody { received: 1, expected: Some(2) }, "body", Some("18")),
            (F::TruncatedBody { received: 1, expected: None }, "body", Some("18")),
            (F::ResponseTimeout { after: d }, "response", Some("28")),
            (F::BodyTimeout { after: d, received: 1 }, "body", Some("28")),
            (F::RedirectLoop { url: x(), hops: 2 }, "redirect", Some("47")),
            (F::TooManyRedirects { max: 5 }, "redirect", Some("47")),
            (F::ProxyRefused { status: 407, target: x(), proxy: x() }, "connect", Some("56")),
            (F::ProxyRefused { status: 403, target: x(), proxy: x() }, "connect", Some("56")),
        ]
    }

    const CONTEXT: &[(&str, &str)] = &[
        ("url", "https://api.test/v1"),
        ("host", "api.test"),
        ("port", "443"),
    ];

    #[test]
    fn every_failure_gets_its_entry_message_phase_and_curl_code_from_the_catalog() {
        let catalog = Catalog::builtin();
        for (f, phase, curl) in every_failure() {
            let r = failure_report(catalog, &f, CONTEXT);
            let name = f.name();
            assert!(
                r.code.as_deref().is_some_and(|c| c.starts_with("PRB-")),
                "{name}"
            );
            let msg = r.message.unwrap_or_default();
            assert!(
                !msg.contains('{') && !msg.contains('}'),
                "{name}: a gap in {msg:?}"
            );
            assert_eq!(r.phase.map(Phase::as_str), Some(phase), "{name}");
            assert_eq!(
                r.details.get("curl_exit").map(String::as_str),
                curl,
                "{name}"
            );
            for (fact, _) in f.describe().facts {
                assert!(FACT_NAMES.contains(&fact), "{name}: unknown fact {fact}");
            }
        }
    }

    #[test]
    fn messages_are_the_catalog_templates_filled() {
        let catalog = Catalog::builtin();
        let r = failure_report(
            catalog,
            &Failure::ConnectionRefused {
                addr: "127.0.0.1:1".into(),
                detail: "x".into(),
            },
            &[("host", "127.0.0.1"), ("port", "1")],
        );
        assert_eq!(
            r.message.as_deref(),
            Some("Connection to 127.0.0.1:1 at 127.0.0.1 was refused")
        );
        let f = Failure::TlsExpired {
            host: "127.0.0.1".into(),
            not_after: Some("2024-01-01".into()),
        };
        assert_eq!(
            failure_report(catalog, &f, &[]).message.as_deref(),
            Some("TLS certificate for 127.0.0.1 expired on 2024-01-01")
        );
        assert_eq!(fmt_dur(Duration::from_millis(1500)), "1.5s");
    }

    /// The placeholder names of a template.
    fn placeholders(template: &str) -> Vec<String> {
        let seen = std::cell::RefCell::new(Vec::new());
        render_message(template, |n| {
            seen.borrow_mut().push(n.to_string());
            None
        });
        seen.into_inner()
    }

    #[test]
    fn every_probe_template_names_known_facts_and_every_fact_is_used() {
        let mut used = std::collections::BTreeSet::new();
        for e in Catalog::builtin().entries() {
            let Some(template) = &e.message else { continue };
            for name in placeholders(template) {
                assert!(
                    FACT_NAMES.contains(&name.as_str()),
                    "{}: {{{name}}} is not a fact name (FACT_NAMES)",
                    e.code
                );
                used.insert(name);
            }
            let filled = render_message(template, |_| Some("x"));
            assert!(!filled.contains('{'), "{}: {filled}", e.code);
        }
        for name in FACT_NAMES {
            assert!(used.contains(*name), "fact {name} is used by no template");
        }
    }

    #[test]
    fn a_missing_fact_stays_visible() {
        assert_eq!(render_message("a {b} {c", |_| None), "a {b} {c");
        assert_eq!(render_message("{b}{b}", |_| Some("1")), "11");
        assert_eq!(placeholders("{a} and {b_2}"), vec!["a", "b_2"]);
    }
}
