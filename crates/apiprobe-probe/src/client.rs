//! One check, phase by phase: url, dns, connect, (proxy tunnel), tls, request, response, body,
//! redirects, then the HTTP verdict and the assertions. Each phase is timed on its own; the first
//! failure becomes the result.

use crate::assert::evaluate;
use crate::classify::{failure_report, fmt_dur, named_report, Failure};
use crate::spec::{CheckSpec, HttpVersion};
use crate::tls::{cert_summary, Verifiers};
use crate::{dns, proxy, tls};
use apiprobe_catalog::{Catalog, Phase, Report, Timings, TlsSummary};
use apiprobe_explain::HttpResponse;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::borrow::Cow;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use url::Url;

/// Bytes of a body kept for explain and assertions; the rest is read and counted, not stored.
const MAX_KEPT_BODY: usize = 4 << 20;

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// Runs checks. Cheap to share: one per process, used by every concurrent check.
pub struct Prober {
    catalog: Cow<'static, Catalog>,
    verifiers: Verifiers,
}

/// A response as received, before any verdict.
struct Received {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// One request of a check: the first, or one after a redirect.
struct Hop<'a> {
    url: &'a Url,
    method: &'a str,
    body: Option<&'a [u8]>,
    /// The URL's origin differs from the one the user named: credentials are not sent.
    foreign: bool,
}

/// What the phases learnt, success or not.
#[derive(Default)]
struct Trace {
    dns: f64,
    connect: f64,
    tls: Option<f64>,
    ttfb: Option<f64>,
    remote: Option<SocketAddr>,
    tls_summary: Option<TlsSummary>,
    details: Vec<(&'static str, String)>,
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

impl Prober {
    /// A prober that names failures with `catalog`.
    pub fn new(catalog: Cow<'static, Catalog>) -> Prober {
        Prober {
            catalog,
            verifiers: Verifiers::default(),
        }
    }

    /// The catalog in use.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Runs one check to the end and says how it went. Never fails: every problem is a [`Report`].
    pub async fn check(&self, spec: &CheckSpec) -> Report {
        self.check_keeping_response(spec).await.0
    }

    /// [`Prober::check`], also handing back the final response as received (the body up to 4 MiB),
    /// for callers that judge the response themselves; `None` when no response came.
    pub async fn check_keeping_response(&self, spec: &CheckSpec) -> (Report, Option<HttpResponse>) {
        let start = Instant::now();
        let mut trace = Trace::default();
        let outcome = self.follow(spec, start, &mut trace).await;
        let total = start.elapsed();
        let timings = Timings {
            dns: Some(trace.dns),
            connect: Some(trace.connect),
            tls: trace.tls,
            ttfb: trace.ttfb,
            total: ms(total),
        };
        let mut kept = None;
        let mut report = match outcome {
            Ok((url, resp)) => {
                kept = Some(HttpResponse {
                    status: resp.status,
                    headers: resp.headers.clone(),
                    body: resp.body.clone(),
                });
                self.verdict(spec, url, resp, total)
            }
            Err(f) => {
                let mut context: Vec<(&str, &str)> = vec![("url", &spec.url)];
                context.extend(trace.details.iter().map(|(k, v)| (*k, v.as_str())));
                failure_report(&self.catalog, &f, &context)
            }
        };
        report.url = Some(spec.url.clone());
        if report.format.is_none() {
            report.format = Some("probe".into());
        }
        report.timings_ms = Some(timings);
        report.remote_addr = trace.remote.map(|a| a.to_string());
        report.tls = trace.tls_summary.take();
        for (k, v) in trace.details {
            report.details.insert(k.to_string(), v);
        }
        if !spec.name.is_empty() {
            report.details.insert("check".into(), spec.name.clone());
        }
        (report, kept)
    }

    /// Follows redirects; returns the final URL and response.
    async fn follow(
        &self,
        spec: &CheckSpec,
        start: Instant,
        trace: &mut Trace,
    ) -> Result<(Url, Received), Failure> {
        let mut url = parse_url(&spec.url)?;
        let mut method = spec.method.to_ascii_uppercase();
        let mut body = spec.body.clone();
        let mut visited: HashSet<String> = HashSet::new();
        visited.insert(url.as_str().to_string());
        let mut hops = 0u32;
        let origin = url.origin();
        loop {
            // Credentials go only to the origin the user named, as curl does on redirects.
            let foreign = url.origin() != origin;
            let hop = Hop {
                url: &url,
                method: &method,
                body: body.as_deref(),
                foreign,
            };
            let resp = self.exchange(spec, hop, start, trace).await?;
            let location = resp
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("location"))
                .map(|(_, v)| v.clone());
            let redirect = matches!(resp.status, 301 | 302 | 303 | 307 | 308);
            let (true, Some(location), true) = (redirect, location, spec.max_redirects > 0) else {
                return Ok((url, resp));
            };
            let next = url.join(&location).map_err(|e| Failure::InvalidRedirect {
                status: resp.status,
                from: url.to_string(),
                location: location.clone(),
                reason: e.to_string(),
            })?;
            if !matches!(next.scheme(), "http" | "https") {
                return Err(Failure::InvalidRedirect {
                    status: resp.status,
                    from: url.to_string(),
                    location,
                    reason: format!("scheme '{}' cannot be followed", next.scheme()),
                });
            }
            if !visited.insert(next.as_str().to_string()) {
                return Err(Failure::RedirectLoop {
                    url: next.to_string(),
                    hops: hops + 1,
                });
            }
            hops += 1;
            if hops > spec.max_redirects {
                return Err(Failure::TooManyRedirects {
                    max: spec.max_redirects,
                });
            }
            // RFC 9110 15.4: 303 always becomes GET; 301/302 turn POST into GET as browsers do.
            if resp.status == 303 || (matches!(resp.status, 301 | 302) && method == "POST") {
                if method != "HEAD" {
                    method = "GET".into();
                }
                body = None;
            }
            trace.details.push(("redirects", hops.to_string()));
            url = next;
        }
    }

    async fn exchange(
        &self,
        spec: &CheckSpec,
        hop: Hop<'_>,
        start: Instant,
        trace: &mut Trace,
    ) -> Result<Received, Failure> {
        let Hop {
            url,
            method,
            body,
            foreign,
        } = hop;
        let https = url.scheme() == "https";
        let host = url
            .host_str()
            .ok_or_else(|| Failure::InvalidUrl {
                reason: "it has no host".into(),
            })?
            .to_string();
        let bare_host = host.trim_matches(['[', ']']).to_string();
        let port = url.port_or_known_default().unwrap_or(80);
        let deadline = start + spec.timeout;
        let connect_deadline = (start + spec.connect_timeout).min(deadline);
        let via = proxy::for_url(url)?;
        let (conn_host, conn_port) = match &via {
            Some(p) => (p.host.clone(), p.port),
            None => (bare_host.clone(), port),
        };
        trace.details.retain(|(k, _)| *k == "redirects");
        trace.details.push(("host", bare_host.clone()));
        trace.details.push(("port", port.to_string()));
        if let Some(p) = &via {
            trace.details.push(("proxy", p.display()));
        }

        // dns
        let t = Instant::now();
        let limit = connect_deadline.saturating_duration_since(t);
        let budget = spec.connect_timeout.min(spec.timeout);
        let addrs = dns::resolve(&conn_host, conn_port, &spec.resolve, limit, budget).await;
        trace.dns += ms(t.elapsed());
        let addrs = addrs?;

        // connect: each address in turn, within what is left of the connect budget.
        let t = Instant::now();
        let tcp = connect(
            &addrs,
            connect_deadline,
            spec.connect_timeout.min(spec.timeout),
        )
        .await;
        trace.connect += ms(t.elapsed());
        let (tcp, addr) = tcp?;
        trace.remote = Some(addr);
        trace.details.push(("address", addr.to_string()));
        let _ = tcp.set_nodelay(true);
        let mut stream: Box<dyn Io> = Box::new(tcp);

        if let (Some(p), true) = (&via, https) {
            stream = tunnel(stream, &bare_host, port, p, deadline, spec.timeout, addr).await?;
        }

        // tls
        let mut h2 = !https && spec.http == HttpVersion::Http2;
        if https {
            let t = Instant::now();
            let (cfg, rec) = self
                .verifiers
                .client_config(spec.cacert.as_deref(), spec.insecure, spec.http)
                .map_err(|detail| Failure::TlsHandshake {
                    host: bare_host.clone(),
                    detail,
                })?;
            let name = rustls::pki_types::ServerName::try_from(bare_host.clone()).map_err(|e| {
                Failure::InvalidUrl {
                    reason: format!("'{bare_host}' is not a valid TLS server name: {e}"),
                }
            })?;
            let connector = tokio_rustls::TlsConnector::from(Arc::new(cfg));
            let hs =
                tokio::time::timeout_at(deadline.into(), connector.connect(name, stream)).await;
            trace.tls = Some(ms(t.elapsed()));
            let leaf = rec.leaf();
            let mut summary = TlsSummary::default();
            if let Some(der) = &leaf {
                cert_summary(der, &mut summary);
            }
            let tls_stream = match hs {
                Err(_) => {
                    trace.tls_summary = Some(summary);
                    return Err(Failure::TlsHandshake {
                        host: bare_host,
                        detail: format!("no handshake within {}", fmt_dur(spec.timeout)),
                    });
                }
                Ok(Err(e)) => {
                    trace.tls_summary = leaf.is_some().then_some(summary);
                    return Err(tls::classify(&e, &bare_host, leaf.as_deref()));
                }
                Ok(Ok(s)) => s,
            };
            let (_, conn) = tls_stream.get_ref();
            summary.version = conn
                .protocol_version()
                .and_then(|v| v.as_str())
                .map(Into::into);
            summary.cipher = conn
                .negotiated_cipher_suite()
                .and_then(|c| c.suite().as_str())
                .map(Into::into);
            summary.alpn = conn
                .alpn_protocol()
                .map(|a| String::from_utf8_lossy(a).into_owned());
            h2 = conn.alpn_protocol() == Some(b"h2");
            trace.tls_summary = Some(summary);
            stream = Box::new(tls_stream);
        }

        // request
        let target = if h2 || (via.is_some() && !https) {
            url.as_str().to_string()
        } else {
            url[url::Position::BeforePath..url::Position::AfterQuery].to_string()
        };
        let mut builder = http::Request::builder().method(method).uri(target);
        if !h2 {
            let authority = match url.port() {
                Some(p) => format!("{host}:{p}"),
                None => host.clone(),
            };
            builder = builder.header(http::header::HOST, authority);
        }
        builder = builder
            .header(
                http::header::USER_AGENT,
                concat!("apiprobe/", env!("CARGO_PKG_VERSION")),
            )
            .header(http::header::ACCEPT, "*/*");
        if let (Some(p), false) = (&via, https) {
            if let Some(auth) = &p.auth {
                builder = builder.header(http::header::PROXY_AUTHORIZATION, auth.as_str());
            }
        }
        let mut req = builder
            .body(Full::new(Bytes::copy_from_slice(body.unwrap_or_default())))
            .map_err(|e| Failure::InvalidHeader {
                header: ":method".into(),
                reason: format!("method '{method}': {e}"),
            })?;
        for (name, value) in &spec.headers {
            let n = http::HeaderName::from_bytes(name.as_bytes()).map_err(|e| {
                Failure::InvalidHeader {
                    header: name.clone(),
                    reason: format!("the name: {e}"),
                }
            })?;
            let v = http::HeaderValue::from_str(value).map_err(|e| Failure::InvalidHeader {
                header: name.clone(),
                reason: format!("the value: {e}"),
            })?;
            if h2 && n == http::header::HOST {
                continue;
            }
            let secret = n == http::header::AUTHORIZATION
                || n == http::header::COOKIE
                || n == http::header::PROXY_AUTHORIZATION;
            if foreign && secret {
                continue;
            }
            req.headers_mut().insert(n, v);
        }

        let io = TokioIo::new(stream);
        let peer = addr.to_string();
        let sent = if h2 {
            let (mut sender, conn) =
                hyper::client::conn::http2::handshake(TokioExecutor::new(), io)
                    .await
                    .map_err(|e| hyper_failure(&e, Phase::Response, &peer, 0, None))?;
            tokio::spawn(conn);
            tokio::time::timeout_at(deadline.into(), sender.send_request(req)).await
        } else {
            // Title-case names (`Host`, `User-Agent`) as curl sends them: some servers still care.
            let (mut sender, conn) = hyper::client::conn::http1::Builder::new()
                .title_case_headers(true)
                .handshake(io)
                .await
                .map_err(|e| hyper_failure(&e, Phase::Response, &peer, 0, None))?;
            tokio::spawn(conn);
            tokio::time::timeout_at(deadline.into(), sender.send_request(req)).await
        };
        let resp = match sent {
            Err(_) => {
                return Err(Failure::ResponseTimeout {
                    after: spec.timeout,
                })
            }
            Ok(Err(e)) => return Err(hyper_failure(&e, Phase::Response, &peer, 0, None)),
            Ok(Ok(r)) => r,
        };
        trace.ttfb = Some(ms(start.elapsed()));
        let status = resp.status().as_u16();
        let headers: Vec<(String, String)> = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let expected_len = resp
            .headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());

        // body
        let mut body = resp.into_body();
        let mut kept = Vec::new();
        let mut received = 0u64;
        loop {
            match tokio::time::timeout_at(deadline.into(), body.frame()).await {
                Err(_) => {
                    return Err(Failure::BodyTimeout {
                        after: spec.timeout,
                        received,
                    })
                }
                Ok(None) => break,
                Ok(Some(Err(e))) => {
                    return Err(hyper_failure(
                        &e,
                        Phase::Body,
                        &peer,
                        received,
                        expected_len,
                    ))
                }
                Ok(Some(Ok(frame))) => {
                    if let Some(data) = frame.data_ref() {
                        received += data.len() as u64;
                        let room = MAX_KEPT_BODY.saturating_sub(kept.len());
                        kept.extend_from_slice(&data[..data.len().min(room)]);
                    }
                }
            }
        }
        if let Some(e) = expected_len.filter(|e| *e > received && method != "HEAD") {
            return Err(Failure::TruncatedBody {
                received,
                expected: Some(e),
            });
        }
        Ok(Received {
            status,
            headers,
            body: kept,
        })
    }

    /// The HTTP verdict and the assertions, for a response that arrived whole.
    fn verdict(&self, spec: &CheckSpec, url: Url, resp: Received, total: Duration) -> Report {
        let http = HttpResponse {
            status: resp.status,
            headers: resp.headers,
            body: resp.body,
        };
        let explained = apiprobe_explain::explain_response(&self.catalog, &http);
        let checked = evaluate(&spec.expect, &http, total);
        let status_ok = if spec.expect.status.is_empty() {
            http.status < 400
        } else {
            spec.expect.status.iter().any(|p| p.matches(http.status))
        };
        let body_error =
            (200..300).contains(&http.status) && !explained.ok && explained.code.is_some();
        let mut report;
        if (!status_ok && http.status >= 400) || body_error {
            report = explained;
            report.ok = false;
            if report.phase.is_none() {
                report.phase = Some(Phase::Http);
            }
            if report.message.is_none() {
                let host = url.host_str().unwrap_or("");
                let what = match (&report.title, &report.vendor_code) {
                    (Some(t), Some(c)) => format!("{t} ({c})"),
                    (Some(t), None) => t.clone(),
                    (None, Some(c)) => c.clone(),
                    (None, None) => "an error".into(),
                };
                report.message = Some(if body_error {
                    format!(
                        "{what}: the body of the HTTP {} response from {host} reports an error",
                        http.status
                    )
                } else {
                    format!("HTTP {} {what} from {host}", http.status)
                });
            }
            if report.code.is_none() && !spec.expect.status.is_empty() {
                if let Some(e) = self.catalog.by_name("ASSERTION_STATUS") {
                    report.set_entry(e);
                }
                report.name = Some("ASSERTION_STATUS".into());
            }
        } else if let Some(failed) = checked.iter().find(|c| !c.assertion.passed) {
            let host = url.host_str().unwrap_or_default();
            let context = [("url", spec.url.as_str()), ("host", host)];
            report = named_report(&self.catalog, failed.name, &failed.facts, &context);
            report.phase = Some(Phase::Assertion);
        } else {
            report = Report {
                ok: true,
                status: Some(http.status),
                message: Some(format!("HTTP {} in {}", http.status, fmt_dur(total))),
                confidence: 1.0,
                ..Report::default()
            };
        }
        report.status = Some(http.status);
        report.assertions = checked.into_iter().map(|c| c.assertion).collect();
        if url.as_str() != spec.url {
            report.details.insert("final_url".into(), url.to_string());
        }
        report
    }
}

fn check_scheme(url: &Url) -> Result<(), Failure> {
    match url.scheme() {
        "http" | "https" => Ok(()),
        other => Err(Failure::UnsupportedScheme {
            scheme: other.to_string(),
        }),
    }
}

fn parse_url(s: &str) -> Result<Url, Failure> {
    let s = s.trim();
    let url = match Url::parse(s) {
        Ok(u) => u,
        // A bare host is taken as http, as curl does.
        Err(url::ParseError::RelativeUrlWithoutBase) if !s.is_empty() && !s.contains("://") => {
            Url::parse(&format!("http://{s}")).map_err(|e| Failure::InvalidUrl {
                reason: e.to_string(),
            })?
        }
        Err(e) => {
            return Err(Failure::InvalidUrl {
                reason: e.to_string(),
            })
        }
    };
    check_scheme(&url)?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Failure::InvalidUrl {
            reason: "it names no host".into(),
        });
    }
    Ok(url)
}

async fn connect(
    addrs: &[SocketAddr],
    deadline: Instant,
    budget: Duration,
) -> Result<(TcpStream, SocketAddr), Failure> {
    let mut last = None;
    for addr in addrs {
        match tokio::time::timeout_at(deadline.into(), TcpStream::connect(addr)).await {
            Ok(Ok(s)) => return Ok((s, *addr)),
            Ok(Err(e)) => {
                use std::io::ErrorKind as K;
                last = Some(match e.kind() {
                    K::HostUnreachable | K::NetworkUnreachable => Failure::HostUnreachable {
                        addr: addr.to_string(),
                        detail: e.to_string(),
                    },
                    _ => Failure::ConnectionRefused {
                        addr: addr.to_string(),
                        detail: e.to_string(),
                    },
                })
            }
            Err(_) => {
                return Err(Failure::ConnectTimeout {
                    addr: addr.to_string(),
                    after: budget,
                })
            }
        }
    }
    Err(last.unwrap_or(Failure::ConnectionRefused {
        addr: "(no address)".into(),
        detail: "no address to connect to".into(),
    }))
}

/// Opens a CONNECT tunnel through an HTTP proxy.
async fn tunnel(
    mut s: Box<dyn Io>,
    host: &str,
    port: u16,
    proxy: &proxy::Proxy,
    deadline: Instant,
    timeout: Duration,
    addr: SocketAddr,
) -> Result<Box<dyn Io>, Failure> {
    let authority = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let mut req = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
    if let Some(a) = &proxy.auth {
        req.push_str(&format!("Proxy-Authorization: {a}\r\n"));
    }
    req.push_str("\r\n");
    let reset = |_| Failure::ConnectionReset {
        addr: addr.to_string(),
        phase: Phase::Connect,
    };
    let work = async {
        s.write_all(req.as_bytes()).await.map_err(reset)?;
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        // Byte by byte so nothing after the proxy's head (the tunnelled stream) is consumed.
        while !head.ends_with(b"\r\n\r\n") {
            if head.len() > 16 * 1024 {
                return Err(Failure::InvalidResponse {
                    detail: "the proxy's reply head is too long".into(),
                    phase: Phase::Connect,
                });
            }
            let n = s.read(&mut byte).await.map_err(reset)?;
            if n == 0 {
                return Err(Failure::EmptyReply {
                    addr: proxy.display(),
                });
            }
            head.push(byte[0]);
        }
        let line = String::from_utf8_lossy(&head);
        let status = line
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse::<u16>().ok())
            .ok_or_else(|| Failure::InvalidResponse {
                detail: "the proxy's reply has no status".into(),
                phase: Phase::Connect,
            })?;
        if !(200..300).contains(&status) {
            return Err(Failure::ProxyRefused {
                status,
                target: authority.clone(),
                proxy: proxy.display(),
            });
        }
        Ok(())
    };
    match tokio::time::timeout_at(deadline.into(), work).await {
        Ok(Ok(())) => Ok(s),
        Ok(Err(f)) => Err(f),
        Err(_) => Err(Failure::ResponseTimeout { after: timeout }),
    }
}

/// Maps a hyper error to a failure, looking for the underlying I/O error first.
fn hyper_failure(
    e: &hyper::Error,
    phase: Phase,
    peer: &str,
    received: u64,
    expected: Option<u64>,
) -> Failure {
    let mut src: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    let mut io_kind = None;
    let mut innermost = None;
    while let Some(s) = src {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            io_kind = Some(io.kind());
        }
        innermost = Some(s.to_string());
        src = s.source();
    }
    use std::io::ErrorKind as K;
    match io_kind {
        Some(K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe) => {
            return Failure::ConnectionReset {
                addr: peer.into(),
                phase,
            }
        }
        Some(K::UnexpectedEof) if phase == Phase::Body => {
            return Failure::TruncatedBody { received, expected }
        }
        // Over TLS a close before any response surfaces as an EOF without close_notify.
        Some(K::UnexpectedEof) => return Failure::EmptyReply { addr: peer.into() },
        Some(K::InvalidData | K::InvalidInput) if phase == Phase::Body => {
            let detail = innermost.unwrap_or_else(|| e.to_string());
            return if detail.to_ascii_lowercase().contains("chunk") {
                Failure::InvalidChunked { detail }
            } else {
                Failure::InvalidResponse { detail, phase }
            };
        }
        _ => {}
    }
    if e.is_incomplete_message() {
        return match phase {
            Phase::Body => Failure::TruncatedBody { received, expected },
            _ => Failure::EmptyReply { addr: peer.into() },
        };
    }
    let detail = match innermost {
        Some(inner) if !e.to_string().contains(&inner) => format!("{e}: {inner}"),
        _ => e.to_string(),
    };
    // hyper names the failing part in its parse errors ("invalid HTTP header parsed").
    if e.is_parse() && detail.contains("header") {
        return Failure::InvalidHeaderInResponse { detail };
    }
    if format!("{e:?}").contains("Http2") || detail.contains("http2") {
        return Failure::Http2Protocol { detail };
    }
    Failure::InvalidResponse { detail, phase }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_before_any_network() {
        assert!(matches!(
            parse_url("http://[::1"),
            Err(Failure::InvalidUrl { .. })
        ));
        assert!(matches!(
            parse_url("ftp://h/x"),
            Err(Failure::UnsupportedScheme { .. })
        ));
        assert!(matches!(parse_url(""), Err(Failure::InvalidUrl { .. })));
        assert!(matches!(
            parse_url("http://"),
            Err(Failure::InvalidUrl { .. })
        ));
        assert_eq!(
            parse_url("example.test/x").map(|u| u.to_string()),
            Ok("http://example.test/x".to_string())
        );
    }
}
