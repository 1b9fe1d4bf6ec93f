//! The fault server: one path per failure, plain HTTP or TLS, always `Connection: close`.
//!
//! Paths (the same as the reference scenarios the probe's classification is checked against):
//! `/ok`, `/status/N`, `/slow-headers?ms=N`, `/slow-body?ms=N`, `/reset`, `/close`, `/garbage`,
//! `/truncated`, `/bad-header`, `/bad-chunked`, `/redirect-loop`, `/redirect/N`, `/redirect-to?url=U`, `/headers`,
//! `/json-error/slack`, `/json-error/validation`, `/retry-after`.

use crate::certs::{certs, CertKind};
use crate::TestkitError;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

/// What a server does with a connection.
#[derive(Clone)]
enum Mode {
    Plain,
    Tls(tokio_rustls::TlsAcceptor),
    H2(tokio_rustls::TlsAcceptor),
    Abort,
}

async fn serve_h2(stream: tokio_rustls::server::TlsStream<TcpStream>) {
    use http_body_util::Full;
    let service = hyper::service::service_fn(|_req| async {
        hyper::Response::builder()
            .header("content-type", "application/json")
            .body(Full::new(bytes::Bytes::from_static(
                br#"{"ok":true,"version":"h2"}"#,
            )))
    });
    let _ = hyper::server::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new())
        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
        .await;
}

/// A running fault server; stops when dropped.
#[derive(Debug)]
pub struct FaultServer {
    /// Where it listens.
    pub addr: SocketAddr,
    tls: bool,
    stop: Option<oneshot::Sender<()>>,
}

impl FaultServer {
    /// Starts a plain HTTP fault server on 127.0.0.1 with a free port.
    pub fn spawn() -> Result<FaultServer, TestkitError> {
        Self::start(Mode::Plain)
    }

    /// Starts a server that reads the client's first bytes (a TLS ClientHello) and closes the
    /// connection without answering: a handshake aborted by the server.
    pub fn spawn_handshake_abort() -> Result<FaultServer, TestkitError> {
        Self::start(Mode::Abort)
    }

    /// Starts an HTTPS fault server presenting the given test certificate.
    pub fn spawn_tls(kind: CertKind) -> Result<FaultServer, TestkitError> {
        let pair = certs().pair(kind);
        let cert = rustls::pki_types::CertificateDer::from(pair.cert_der.clone());
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(pair.key_der.clone().into());
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)?;
        Self::start(Mode::Tls(tokio_rustls::TlsAcceptor::from(Arc::new(config))))
    }

    /// Starts an HTTPS server that speaks only HTTP/2 (ALPN `h2`): `/ok` and any other path answer
    /// 200 with `{"ok":true,"version":"h2"}`. A client offering only http/1.1 gets a TLS alert.
    pub fn spawn_h2(kind: CertKind) -> Result<FaultServer, TestkitError> {
        let pair = certs().pair(kind);
        let cert = rustls::pki_types::CertificateDer::from(pair.cert_der.clone());
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(pair.key_der.clone().into());
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)?;
        config.alpn_protocols = vec![b"h2".to_vec()];
        Self::start(Mode::H2(tokio_rustls::TlsAcceptor::from(Arc::new(config))))
    }

    fn start(mode: Mode) -> Result<FaultServer, TestkitError> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let is_tls = !matches!(mode, Mode::Plain);
        let (tx, rx) = oneshot::channel();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        std::thread::spawn(move || {
            rt.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                    return;
                };
                tokio::select! {
                    _ = accept_loop(listener, mode) => {}
                    _ = rx => {}
                }
            })
        });
        Ok(FaultServer {
            addr,
            tls: is_tls,
            stop: Some(tx),
        })
    }

    /// The URL of a path on this server, `http://127.0.0.1:PORT/path` (or `https://`).
    pub fn url(&self, path: &str) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}{path}", self.addr)
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

// Zero linger is the point here: it makes close send a TCP RST. With a zero timeout the close never
// blocks, which is what the deprecation warns about.
#[allow(deprecated)]
async fn accept_loop(listener: tokio::net::TcpListener, mode: Mode) {
    loop {
        let Ok((mut tcp, _)) = listener.accept().await else {
            continue;
        };
        let mode = mode.clone();
        tokio::spawn(async move {
            let _ = tcp.set_nodelay(true);
            match mode {
                Mode::H2(acceptor) => {
                    if let Ok(stream) = acceptor.accept(tcp).await {
                        serve_h2(stream).await;
                    }
                }
                Mode::Abort => {
                    let mut buf = [0u8; 4096];
                    let _ = tcp.read(&mut buf).await;
                    let _ = tcp.shutdown().await;
                }
                Mode::Plain => {
                    let _ =
                        handle(tcp, |s: &mut TcpStream| s.set_linger(Some(Duration::ZERO))).await;
                }
                Mode::Tls(acceptor) => {
                    if let Ok(stream) = acceptor.accept(tcp).await {
                        let _ = handle(
                            stream,
                            |s: &mut tokio_rustls::server::TlsStream<TcpStream>| {
                                s.get_ref().0.set_linger(Some(Duration::ZERO))
                            },
                        )
                        .await;
                    }
                }
            }
        });
    }
}

/// Reads the request head (and any Content-Length body) so closing never resets by accident.
async fn read_request<S: AsyncRead + Unpin>(
    s: &mut S,
) -> std::io::Result<(String, String, Vec<u8>)> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
        // A TLS ClientHello sent to the plain port: answer like an HTTP server would, so the
        // client sees non-TLS bytes instead of waiting forever for a head that never ends.
        if buf[0] == 0x16 {
            return Ok(("TLS".into(), "/tls-to-plain\n".into(), Vec::new()));
        }
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        if buf.len() > 64 * 1024 {
            return Err(std::io::ErrorKind::InvalidData.into());
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let len = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < len {
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let first = head.lines().next().unwrap_or_default().to_string();
    let mut parts = first.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default().to_string();
    Ok((method, format!("{target}\n{head}"), body))
}

fn response(status: u16, ctype: &str, extra: &[(&str, String)], body: &[u8]) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        404 => "Not Found",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\nX-Request-Id: fault-1\r\n",
        body.len()
    );
    for (k, v) in extra {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

fn query_ms(target: &str) -> u64 {
    target
        .split_once('?')
        .and_then(|(_, q)| q.split('&').find_map(|kv| kv.strip_prefix("ms=")))
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
        .min(600_000)
}

async fn handle<S, F>(mut s: S, rst: F) -> std::io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
    F: FnOnce(&mut S) -> std::io::Result<()>,
{
    let (method, target_head, _body) = read_request(&mut s).await?;
    let (target, head) = target_head.split_once('\n').unwrap_or((&target_head, ""));
    // A proxied request arrives in absolute form (`GET http://host/path`): serve its path, so the
    // server doubles as a plain HTTP proxy for tests that need one.
    let target = match target.strip_prefix("http://") {
        Some(rest) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => target,
    };
    let path = target.split('?').next().unwrap_or("/");
    let json = "application/json";
    let out: Vec<u8> = match path {
        "/tls-to-plain" => response(400, "text/plain", &[], b"this port speaks plain HTTP\n"),
        "/ok" => response(200, json, &[], br#"{"ok":true}"#),
        "/headers" => {
            let lines: Vec<String> = head
                .lines()
                .skip(1)
                .filter(|l| !l.is_empty())
                .map(|l| format!("{l:?}"))
                .collect();
            let body = format!(r#"{{"method":{method:?},"headers":[{}]}}"#, lines.join(","));
            response(200, json, &[], body.as_bytes())
        }
        p if p.starts_with("/status/") => {
            let code = p["/status/".len()..].parse::<u16>().unwrap_or(400);
            let body = format!(r#"{{"status":{code},"path":"{p}"}}"#);
            response(code, json, &[], body.as_bytes())
        }
        "/slow-headers" => {
            tokio::time::sleep(Duration::from_millis(query_ms(target))).await;
            response(200, json, &[], br#"{"ok":true,"slow":"headers"}"#)
        }
        "/slow-body" => {
            let full = response(200, json, &[], br#"{"ok":true,"slow":"body","pad":"xxxxxxxxxxxxxxxx"}"#);
            let split = full.len() - 40;
            s.write_all(&full[..split]).await?;
            s.flush().await?;
            tokio::time::sleep(Duration::from_millis(query_ms(target))).await;
            full[split..].to_vec()
        }
        "/reset" => {
            // SO_LINGER 0 turns the close into a TCP RST.
            rst(&mut s)?;
            return Ok(());
        }
        "/close" => {
            s.shutdown().await?;
            return Ok(());
        }
        "/garbage" => b"\x16\x03\x01garbage, not HTTP \xff\xfe\x00\r\nzzzz\r\n\r\n".to_vec(),
        "/truncated" => b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\nConnection: close\r\n\r\n0123456789".to_vec(),
        "/bad-header" => b"HTTP/1.1 200 OK\r\nNoColonHere\r\nContent-Length: 0\r\n\r\n".to_vec(),
        "/bad-chunked" => b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n".to_vec(),
        "/redirect-loop" => response(302, json, &[("Location", "/redirect-loop".into())], br#"{"redirect":"/redirect-loop"}"#),
        "/redirect-to" => {
            let loc = target
                .split_once("?url=")
                .map_or("/ok", |(_, u)| u)
                .to_string();
            response(302, json, &[("Location", loc)], b"{}")
        }
        p if p.starts_with("/redirect/") => {
            let n = p["/redirect/".len()..].parse::<u32>().unwrap_or(0);
            if n == 0 {
                response(200, json, &[], br#"{"ok":true}"#)
            } else {
                let loc = if n == 1 { "/ok".to_string() } else { format!("/redirect/{}", n - 1) };
                response(302, json, &[("Location", loc)], b"{}")
            }
        }
        // Slack's Web API answers 200 with "ok": false and an error string (api.slack.com/web#responses).
        "/json-error/slack" => response(200, json, &[], br#"{"ok":false,"error":"invalid_auth"}"#),
        // An RFC 9457 problem document naming the invalid field.
        "/json-error/validation" => response(
            422,
            "application/problem+json",
            &[],
            br#"{"type":"https://example.com/probs/validation","title":"Validation failed","status":422,"detail":"field 'email' is required","errors":[{"field":"email","message":"is required"}]}"#,
        ),
        "/retry-after" => response(429, json, &[("Retry-After", "7".into())], br#"{"error":"rate_limited","retry_after":7}"#),
        _ => response(404, "application/problem+json", &[], br#"{"type":"about:blank","title":"Not Found","status":404}"#),
    };
    s.write_all(&out).await?;
    s.flush().await?;
    s.shutdown().await?;
    Ok(())
}

/// A port on 127.0.0.1 where nothing listens: bound, noted, closed.
pub fn closed_port() -> std::io::Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    let port = l.local_addr()?.port();
    drop(l);
    Ok(port)
}

/// A listener with backlog 0 whose single accept slot is kept full and which never accepts, so the
/// kernel drops further SYNs and a connect to it times out.
#[derive(Debug)]
pub struct StallPort {
    /// Where it listens.
    pub addr: SocketAddr,
    _fillers: Vec<std::net::TcpStream>,
    stop: Option<oneshot::Sender<()>>,
}

impl StallPort {
    /// Starts the listener and fills its queue.
    pub fn spawn() -> Result<StallPort, TestkitError> {
        let (tx, rx) = oneshot::channel();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        std::thread::spawn(move || {
            rt.block_on(async move {
                let listener = (|| {
                    let sock = tokio::net::TcpSocket::new_v4()?;
                    sock.bind("127.0.0.1:0".parse().map_err(std::io::Error::other)?)?;
                    let l = sock.listen(0)?;
                    let addr = l.local_addr()?;
                    Ok::<_, std::io::Error>((l, addr))
                })();
                match listener {
                    Ok((l, addr)) => {
                        let _ = addr_tx.send(Ok(addr));
                        let _ = rx.await;
                        drop(l);
                    }
                    Err(e) => {
                        let _ = addr_tx.send(Err(e));
                    }
                }
            })
        });
        let addr = addr_rx
            .recv()
            .map_err(|e| std::io::Error::other(e.to_string()))??;
        let mut fillers = Vec::new();
        for _ in 0..3 {
            if let Ok(c) = std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
                fillers.push(c);
            }
        }
        Ok(StallPort {
            addr,
            _fillers: fillers,
            stop: Some(tx),
        })
    }
}

impl Drop for StallPort {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}
