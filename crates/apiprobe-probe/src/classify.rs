//! A failed phase becomes exactly one catalog probe code, with a message naming the cause.
//!
//! The mapping agrees with curl's exit codes for the same condition (see [`Failure::curl_exit`]):
//! a monitor built on apiprobe and a script built on curl see the same failure the same way.

use apiprobe_catalog::Phase;
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
    /// The certificate is expired (or not yet valid).
    TlsExpired {
        /// The host name checked.
        host: String,
        /// The certificate's notAfter date, `YYYY-MM-DD`.
        not_after: Option<String>,
        /// True when the certificate is not valid *yet*.
        not_yet_valid: bool,
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
        /// `host:port`.
        target: String,
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
        /// The proxy, `host:port`.
        proxy: String,
    },
}

impl Failure {
    /// The catalog name of the probe code for this failure.
    pub fn name(&self) -> &'static str {
        match self {
            Failure::InvalidUrl { .. } => "INVALID_URL",
            Failure::UnsupportedScheme { .. } => "UNSUPPORTED_SCHEME",
            Failure::InvalidHeader { .. } => "INVALID_HEADER",
            Failure::DnsNotFound { .. } => "DNS_NOT_FOUND",
            Failure::DnsTimeout { .. } => "DNS_TIMEOUT",
            Failure::DnsServerFailure { .. } => "DNS_SERVER_FAILURE",
            Failure::HostUnreachable { .. } => "HOST_UNREACHABLE",
            Failure::TlsSelfSigned { .. } => "TLS_SELF_SIGNED_CERT",
            Failure::TlsRevoked { .. } => "TLS_CERT_REVOKED",
            Failure::TlsProtocolMismatch { .. } => "TLS_PROTOCOL_MISMATCH",
            Failure::TlsVersionUnsupported { .. } => "TLS_VERSION_UNSUPPORTED",
            Failure::InvalidHeaderInResponse { .. } => "INVALID_HEADER_IN_RESPONSE",
            Failure::InvalidChunked { .. } => "INVALID_CHUNKED_ENCODING",
            Failure::Http2Protocol { .. } => "HTTP2_PROTOCOL_ERROR",
            Failure::InvalidRedirect { .. } => "INVALID_REDIRECT",
            Failure::ConnectionRefused { .. } => "CONNECTION_REFUSED",
            Failure::ConnectTimeout { .. } => "CONNECT_TIMEOUT",
            Failure::ConnectionReset { .. } => "CONNECTION_RESET",
            Failure::TlsUntrusted { .. } => "TLS_UNTRUSTED_CERT",
            Failure::TlsExpired {
                not_yet_valid: true,
                ..
            } => "TLS_CERT_NOT_YET_VALID",
            Failure::TlsExpired { .. } => "TLS_EXPIRED_CERT",
            Failure::TlsHostname { .. } => "TLS_HOSTNAME_MISMATCH",
            Failure::TlsHandshake { .. } => "TLS_HANDSHAKE_FAILED",
            Failure::EmptyReply { .. } => "EMPTY_REPLY",
            Failure::InvalidResponse { .. } => "INVALID_RESPONSE",
            Failure::TruncatedBody { .. } => "TRUNCATED_BODY",
            Failure::ResponseTimeout { .. } => "RESPONSE_TIMEOUT",
            Failure::BodyTimeout { .. } => "BODY_TIMEOUT",
            Failure::RedirectLoop { .. } => "REDIRECT_LOOP",
            Failure::TooManyRedirects { .. } => "TOO_MANY_REDIRECTS",
            Failure::ProxyRefused { status: 407, .. } => "PROXY_AUTH_REQUIRED",
            Failure::ProxyRefused { .. } => "BAD_GATEWAY",
        }
    }

    /// The phase the failure arose in.
    pub fn phase(&self) -> Phase {
        match self {
            Failure::InvalidUrl { .. }
            | Failure::UnsupportedScheme { .. }
            | Failure::InvalidHeader { .. } => Phase::Request,
            Failure::DnsNotFound { .. }
            | Failure::DnsTimeout { .. }
            | Failure::DnsServerFailure { .. } => Phase::Dns,
            Failure::HostUnreachable { .. } => Phase::Connect,
            Failure::TlsSelfSigned { .. }
            | Failure::TlsRevoked { .. }
            | Failure::TlsProtocolMismatch { .. }
            | Failure::TlsVersionUnsupported { .. } => Phase::Tls,
            Failure::InvalidHeaderInResponse { .. } | Failure::Http2Protocol { .. } => {
                Phase::Response
            }
            Failure::InvalidChunked { .. } => Phase::Body,
            Failure::InvalidRedirect { .. } => Phase::Redirect,
            Failure::ConnectionRefused { .. }
            | Failure::ConnectTimeout { .. }
            | Failure::ProxyRefused { .. } => Phase::Connect,
            Failure::ConnectionReset { phase, .. } => *phase,
            Failure::TlsUntrusted { .. }
            | Failure::TlsExpired { .. }
            | Failure::TlsHostname { .. }
            | Failure::TlsHandshake { .. } => Phase::Tls,
            Failure::EmptyReply { .. } | Failure::ResponseTimeout { .. } => Phase::Response,
            Failure::InvalidResponse { phase, .. } => *phase,
            Failure::TruncatedBody { .. } | Failure::BodyTimeout { .. } => Phase::Body,
            Failure::RedirectLoop { .. } | Failure::TooManyRedirects { .. } => Phase::Redirect,
        }
    }

    /// The exit code curl gives for the same condition (`man curl`, EXIT CODES).
    pub fn curl_exit(&self) -> u8 {
        match self {
            Failure::InvalidUrl { .. } => 3,
            Failure::UnsupportedScheme { .. } => 1,
            Failure::InvalidHeader { .. } => 43,
            Failure::DnsNotFound { .. }
            | Failure::DnsTimeout { .. }
            | Failure::DnsServerFailure { .. } => 6,
            Failure::HostUnreachable { .. } => 7,
            Failure::TlsSelfSigned { .. } | Failure::TlsRevoked { .. } => 60,
            Failure::TlsProtocolMismatch { .. } | Failure::TlsVersionUnsupported { .. } => 35,
            Failure::InvalidHeaderInResponse { .. } => 8,
            Failure::InvalidChunked { .. } => 56,
            Failure::Http2Protocol { .. } => 16,
            Failure::InvalidRedirect { .. } => 3,
            Failure::ConnectionRefused { .. } => 7,
            Failure::ConnectTimeout { .. }
            | Failure::ResponseTimeout { .. }
            | Failure::BodyTimeout { .. } => 28,
            Failure::ConnectionReset {
                phase: Phase::Tls, ..
            } => 35,
            Failure::ConnectionReset { .. } => 56,
            Failure::TlsUntrusted { .. }
            | Failure::TlsExpired { .. }
            | Failure::TlsHostname { .. } => 60,
            Failure::TlsHandshake { .. } => 35,
            Failure::EmptyReply { .. } => 52,
            Failure::InvalidResponse {
                phase: Phase::Body, ..
            } => 56,
            Failure::InvalidResponse { .. } => 8,
            Failure::TruncatedBody { .. } => 18,
            Failure::RedirectLoop { .. } | Failure::TooManyRedirects { .. } => 47,
            Failure::ProxyRefused { .. } => 56,
        }
    }

    /// A specific, human-readable message.
    pub fn message(&self) -> String {
        match self {
            Failure::InvalidUrl { reason } => format!("the URL is not valid: {reason}"),
            Failure::UnsupportedScheme { scheme } => {
                format!("scheme '{scheme}' is not supported (use http or https)")
            }
            Failure::InvalidHeader { reason } => format!("the request is not valid HTTP: {reason}"),
            Failure::DnsNotFound { host, detail } => {
                format!("host name '{host}' does not resolve: {detail}")
            }
            Failure::DnsTimeout { host, after } => format!(
                "no answer from the name server for '{host}' within {}",
                fmt_dur(*after)
            ),
            Failure::DnsServerFailure { host, detail } => {
                format!("the name server failed to resolve '{host}': {detail}")
            }
            Failure::HostUnreachable { addr, detail } => {
                format!("{addr} is unreachable: {detail}")
            }
            Failure::TlsSelfSigned { host } => format!(
                "TLS certificate for {host} is self-signed: no certificate authority vouches for it (pass --cacert with it to trust it)"
            ),
            Failure::TlsRevoked { host } => {
                format!("TLS certificate for {host} has been revoked by its issuer")
            }
            Failure::TlsProtocolMismatch { target, detail } => format!(
                "{target} answered the TLS handshake with bytes that are not TLS ({detail}); the port likely speaks plain http"
            ),
            Failure::TlsVersionUnsupported { host, detail } => {
                format!("{host} offers no TLS version the probe accepts (TLS 1.2 or 1.3): {detail}")
            }
            Failure::InvalidHeaderInResponse { detail } => {
                format!("a response header is not valid HTTP: {detail}")
            }
            Failure::InvalidChunked { detail } => {
                format!("the chunked response body is malformed: {detail}")
            }
            Failure::Http2Protocol { detail } => format!("HTTP/2 protocol error: {detail}"),
            Failure::InvalidRedirect {
                status,
                location,
                reason,
            } => format!("redirect {status} has an unusable Location '{location}': {reason}"),
            Failure::ConnectionRefused { addr, detail } => {
                format!("connection to {addr} refused ({detail})")
            }
            Failure::ConnectTimeout { addr, after } => format!(
                "TCP connection to {addr} not established within {}",
                fmt_dur(*after)
            ),
            Failure::ConnectionReset { addr, phase } => {
                format!("connection to {addr} reset by the peer during the {phase} phase")
            }
            Failure::TlsUntrusted { host, detail } => format!(
                "TLS certificate for {host} is not trusted: {detail} (pass --cacert with its CA)"
            ),
            Failure::TlsExpired {
                host,
                not_after,
                not_yet_valid,
            } => match (not_yet_valid, not_after) {
                (true, _) => format!("TLS certificate for {host} is not valid yet"),
                (false, Some(d)) => format!("TLS certificate for {host} expired on {d}"),
                (false, None) => format!("TLS certificate for {host} has expired"),
            },
            Failure::TlsHostname { host, presented } if !presented.is_empty() => format!(
                "TLS certificate is not valid for {host}: it names {}",
                presented.join(", ")
            ),
            Failure::TlsHostname { host, .. } => {
                format!("TLS certificate is not valid for {host}")
            }
            Failure::TlsHandshake { host, detail } => {
                format!("TLS handshake with {host} failed: {detail}")
            }
            Failure::EmptyReply { addr } => {
                format!("{addr} closed the connection without sending any response")
            }
            Failure::InvalidResponse { detail, .. } => {
                format!("the server's reply is not valid HTTP: {detail}")
            }
            Failure::TruncatedBody { received, expected } => match expected {
                Some(e) => format!(
                    "the body ended after {received} of {e} bytes announced by Content-Length"
                ),
                None => format!("the body ended early, after {received} bytes"),
            },
            Failure::ResponseTimeout { after } => {
                format!("no response headers within {}", fmt_dur(*after))
            }
            Failure::BodyTimeout { after, received } => format!(
                "the body did not finish within {} ({received} bytes received)",
                fmt_dur(*after)
            ),
            Failure::RedirectLoop { url } => {
                format!("redirect loop: {url} redirects back to a URL already visited")
            }
            Failure::TooManyRedirects { max } => {
                format!("more than {max} redirects (raise --max-redirects)")
            }
            Failure::ProxyRefused { status, proxy } => {
                format!("proxy {proxy} refused the tunnel with status {status}")
            }
        }
    }
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

    #[test]
    fn curl_exit_codes_agree_for_each_condition() {
        let d = Duration::from_secs(1);
        let cases = [
            (
                Failure::DnsNotFound {
                    host: "h".into(),
                    detail: "x".into(),
                },
                6,
            ),
            (
                Failure::DnsTimeout {
                    host: "h".into(),
                    after: d,
                },
                6,
            ),
            (
                Failure::ConnectionRefused {
                    addr: "a".into(),
                    detail: "x".into(),
                },
                7,
            ),
            (
                Failure::ConnectTimeout {
                    addr: "a".into(),
                    after: d,
                },
                28,
            ),
            (Failure::ResponseTimeout { after: d }, 28),
            (
                Failure::BodyTimeout {
                    after: d,
                    received: 1,
                },
                28,
            ),
            (
                Failure::TlsHandshake {
                    host: "h".into(),
                    detail: "x".into(),
                },
                35,
            ),
            (Failure::RedirectLoop { url: "u".into() }, 47),
            (Failure::TooManyRedirects { max: 5 }, 47),
            (Failure::EmptyReply { addr: "a".into() }, 52),
            (
                Failure::ConnectionReset {
                    addr: "a".into(),
                    phase: Phase::Response,
                },
                56,
            ),
            (
                Failure::TlsExpired {
                    host: "h".into(),
                    not_after: None,
                    not_yet_valid: false,
                },
                60,
            ),
            (
                Failure::TlsUntrusted {
                    host: "h".into(),
                    detail: "x".into(),
                },
                60,
            ),
            (
                Failure::TlsHostname {
                    host: "h".into(),
                    presented: vec![],
                },
                60,
            ),
            (
                Failure::TruncatedBody {
                    received: 1,
                    expected: Some(2),
                },
                18,
            ),
            (
                Failure::InvalidResponse {
                    detail: "x".into(),
                    phase: Phase::Response,
                },
                8,
            ),
        ];
        for (f, code) in cases {
            assert_eq!(f.curl_exit(), code, "{}", f.name());
        }
    }

    #[test]
    fn messages_name_the_cause() {
        let f = Failure::TlsExpired {
            host: "127.0.0.1".into(),
            not_after: Some("2024-01-01".into()),
            not_yet_valid: false,
        };
        assert_eq!(
            f.message(),
            "TLS certificate for 127.0.0.1 expired on 2024-01-01"
        );
        assert_eq!(fmt_dur(Duration::from_millis(1500)), "1.5s");
    }
}
