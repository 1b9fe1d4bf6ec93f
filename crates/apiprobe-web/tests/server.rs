//! `serve` on a real 127.0.0.1 listener: what hyper adds on the wire (date, keep-alive, HEAD,
//! HTTP/1.0, HTTP/2, 400 for garbage) around the router's answers, and shutdown.

mod common;

use apiprobe_web::{route_table, serve};
use axum::body::Body;
use http::{Method, Request};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

const WAIT: Duration = Duration::from_secs(20);

/// A server on 127.0.0.1 with its shutdown trigger.
struct Server {
    addr: std::net::SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

async fn start() -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let shutdown = async {
            let _ = stopped.await;
        };
        serve(listener, common::router(), shutdown)
            .await
            .expect("serve");
    });
    Server {
        addr,
        stop: Some(stop),
        task,
    }
}

/// A response as it came off the wire.
#[derive(Debug, PartialEq, Eq)]
struct Wire {
    status: u16,
    /// Every header but `date`, in order, names lower-cased.
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
    date: Option<Vec<u8>>,
}

impl Wire {
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_slice())
    }
}

/// The status and headers of a complete response head (without its blank line).
fn parse_head(head: &[u8]) -> (u16, Vec<(String, Vec<u8>)>) {
    let text = std::str::from_utf8(head).expect("an ASCII head");
    let mut lines = text.split("\r\n");
    let status_line = lines.next().expect("a status line");
    let status = status_line
        .strip_prefix("HTTP/1.1 ")
        .or_else(|| status_line.strip_prefix("HTTP/1.0 "))
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP/1.x status line: {status_line}"));
    let headers = lines
        .map(|l| {
            let (name, value) = l.split_once(':').expect("name: value");
            (name.to_ascii_lowercase(), value.trim().as_bytes().to_vec())
        })
        .collect();
    (status, headers)
}

/// A client connection that reads responses one at a time.
struct Client {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Client {
    async fn connect(addr: std::net::SocketAddr) -> Client {
        let stream = TcpStream::connect(addr).await.expect("connect");
        Client::from(stream)
    }

    fn from(stream: TcpStream) -> Client {
        stream.set_nodelay(true).expect("nodelay");
        Client {
            stream,
            buf: Vec::new(),
        }
    }

    async fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.expect("write");
    }

    async fn fill(&mut self) -> usize {
        let mut chunk = [0u8; 65536];
        let n = tokio::time::timeout(WAIT, self.stream.read(&mut chunk))
            .await
            .expect("server answered in time")
            .unwrap_or(0);
        self.buf.extend_from_slice(&chunk[..n]);
        n
    }

    /// Reads one response; `head` says it answers a HEAD (no body whatever the length says).
    async fn response(&mut self, head: bool) -> Wire {
        loop {
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let (status, all) = parse_head(&self.buf[..end]);
                let len = end + 4;
                let date = all
                    .iter()
                    .find(|(k, _)| k == "date")
                    .map(|(_, v)| v.clone());
                let headers: Vec<_> = all.into_iter().filter(|(k, _)| k != "date").collect();
                let length: usize = headers
                    .iter()
                    .find(|(k, _)| k == "content-length")
                    .map(|(_, v)| {
                        std::str::from_utf8(v)
                            .expect("ascii")
                            .parse()
                            .expect("length")
                    })
                    .unwrap_or(0);
                let body_len = if head || status == 304 { 0 } else { length };
                while self.buf.len() < len + body_len {
                    assert!(self.fill().await > 0, "connection closed mid-body");
                }
                let body = self.buf[len..len + body_len].to_vec();
                self.buf.drain(..len + body_len);
                return Wire {
                    status,
                    headers,
                    body,
                    date,
                };
            }
            assert!(self.fill().await > 0, "connection closed before a response");
        }
    }

    /// Whether the server closed the connection (after any buffered bytes): EOF within a moment,
    /// rather than silence.
    async fn closed(&mut self) -> bool {
        let mut chunk = [0u8; 1024];
        match tokio::time::timeout(Duration::from_millis(300), self.stream.read(&mut chunk)).await {
            Err(_) => false,
            Ok(Ok(0)) => self.buf.is_empty(),
            Ok(Ok(n)) => panic!(
                "unexpected bytes: {:?}",
                String::from_utf8_lossy(&chunk[..n])
            ),
            Ok(Err(e)) => panic!("read failed: {e}"),
        }
    }
}

/// The router the wire answers are compared with, rendered once for the whole file.
static ROUTER: std::sync::LazyLock<axum::Router> = std::sync::LazyLock::new(common::router);

/// What the router answers through `oneshot`, in the same shape (hyper adds `date` on the wire).
async fn routed(method: &str, uri: &str, headers: &[(&str, &str)], body: &str) -> Wire {
    let mut b = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).expect("method"))
        .uri(uri);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let got = common::send(
        &ROUTER,
        b.body(Body::from(body.to_owned())).expect("request"),
    )
    .await;
    Wire {
        status: got.status.as_u16(),
        headers: got
            .headers
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.as_bytes().to_vec()))
            .collect(),
        body: got.body.to_vec(),
        date: None,
    }
}

fn request(method: &str, uri: &str, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut out = format!("{method} {uri} HTTP/1.1\r\nhost: 127.0.0.1\r\n");
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() {
        out.push_str(&format!("content-length: {}\r\n", body.len()));
    }
    out.push_str("\r\n");
    out.push_str(body);
    out.into_bytes()
}

/// Asserts the wire answer is the router's, and that hyper added a valid date to it. Hyper owns
/// the framing headers: the length (a HEAD keeps the GET's, a 304 has none) and `connection`.
fn assert_same(wire: &Wire, routed: &Wire, what: &str) {
    assert_eq!(wire.status, routed.status, "{what}");
    let framing = |k: &str| k == "content-length" || k == "connection";
    let mut want = routed.headers.clone();
    want.retain(|(k, _)| !framing(k));
    let mut got = wire.headers.clone();
    got.retain(|(k, _)| !framing(k));
    want.sort();
    got.sort();
    assert_eq!(got, want, "{what}");
    assert!(wire.body == routed.body, "{what}: bodies differ");
    let date = wire.date.as_deref().expect("a date header");
    let text = std::str::from_utf8(date).expect("ascii date");
    assert!(
        httpdate::parse_http_date(text).is_ok(),
        "{what}: date {text}"
    );
}

async fn exchange(c: &mut Client, method: &str, uri: &str, headers: &[(&str, &str)], body: &str) {
    c.send(&request(method, uri, headers, body)).await;
    let wire = c.response(method == "HEAD").await;
    let want = routed(method, uri, headers, body).await;
    assert_same(&wire, &want, &format!("{method} {uri} {headers:?}"));
    if method == "GET" && wire.status == 200 {
        let length = wire.header("content-length").expect("a declared length");
        assert_eq!(length, wire.body.len().to_string().as_bytes(), "{uri}");
    }
}

/// Request headers, in order.
type Headers<'a> = &'a [(&'a str, &'a str)];

/// A request: method, target, headers, body.
type Req<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>, &'a str);

const CODINGS: [Headers<'static>; 4] = [
    &[],
    &[("accept-encoding", "gzip")],
    &[("accept-encoding", "br")],
    &[("accept-encoding", "gzip, deflate, br, zstd")],
];

#[tokio::test]
async fn every_route_without_parameters_answers_as_the_router_does() {
    let server = start().await;
    for path in route_table().into_iter().filter(|p| !p.contains('{')) {
        for method in ["GET", "HEAD"] {
            for headers in CODINGS {
                let mut c = Client::connect(server.addr).await;
                exchange(&mut c, method, path, headers, "").await;
                // And the connection stays open for the next request.
                exchange(&mut c, "GET", "/api/v1/codes", &[], "").await;
            }
        }
    }
}

#[tokio::test]
async fn head_declares_the_get_length_and_sends_no_body() {
    let server = start().await;
    for (path, headers) in [
        ("/", &[][..]),
        ("/api/v1/codes", &[("accept-encoding", "br")][..]),
    ] {
        let mut c = Client::connect(server.addr).await;
        c.send(&request("GET", path, headers, "")).await;
        let get = c.response(false).await;
        c.send(&request("HEAD", path, headers, "")).await;
        let head = c.response(true).await;
        assert_eq!(head.status, 200);
        assert_eq!(head.headers, get.headers, "{path}");
        // Nothing follows the HEAD answer: the next response starts right after its head.
        exchange(&mut c, "GET", "/healthz", &[], "").await;
    }
}

#[tokio::test]
async fn keep_alive_and_pipelined_requests_in_one_write() {
    let server = start().await;
    let mut c = Client::connect(server.addr).await;
    for _ in 0..3 {
        exchange(&mut c, "GET", "/", &[("accept-encoding", "br")], "").await;
        exchange(&mut c, "HEAD", "/api/v1/codes", &[], "").await;
        exchange(&mut c, "GET", "/static/app.css", &[], "").await;
    }
    let reqs: [(&str, &str, Headers<'_>); 5] = [
        ("GET", "/api/v1/codes", &[("accept-encoding", "gzip")]),
        ("HEAD", "/", &[]),
        ("GET", "/static/app.js", &[]),
        ("GET", "/api/v1/codes?category=auth", &[]),
        ("GET", "/openapi.json", &[("accept-encoding", "br")]),
    ];
    let all: Vec<u8> = reqs
        .iter()
        .flat_map(|(m, u, h)| request(m, u, h, ""))
        .collect();
    c.send(&all).await;
    for (m, u, h) in reqs {
        let wire = c.response(m == "HEAD").await;
        assert_same(&wire, &routed(m, u, h, "").await, u);
    }
}

#[tokio::test]
async fn connection_close_is_honoured_and_keep_alive_is_the_default() {
    let server = start().await;
    for close in [false, true] {
        let mut h = vec![("accept-encoding", "gzip")];
        if close {
            h.push(("connection", "close"));
        }
        let mut c = Client::connect(server.addr).await;
        c.send(&request("GET", "/api/v1/codes", &h, "")).await;
        let wire = c.response(false).await;
        assert_same(
            &wire,
            &routed("GET", "/api/v1/codes", &h, "").await,
            "close",
        );
        let said_close = wire.header("connection") == Some(&b"close"[..]);
        assert_eq!(said_close, close);
        assert_eq!(c.closed().await, close);
    }
}

#[tokio::test]
async fn a_request_in_many_tiny_writes() {
    let server = start().await;
    let mut c = Client::connect(server.addr).await;
    let bytes = request("GET", "/api/v1/codes", &[("accept-encoding", "gzip")], "");
    for chunk in bytes.chunks(3) {
        c.send(chunk).await;
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let wire = c.response(false).await;
    let want = routed("GET", "/api/v1/codes", &[("accept-encoding", "gzip")], "").await;
    assert_same(&wire, &want, "tiny writes");
}

/// 64 bytes; repeated it makes a long header.
const PAD: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

#[tokio::test]
async fn dynamic_posts_and_errors_share_a_connection_with_documents() {
    let server = start().await;
    let pad = PAD.repeat(320); // 20 KiB of header
    let others: Vec<Req<'_>> = vec![
        ("GET", "/?q=timeout", vec![], ""),
        (
            "GET",
            "/api/v1/codes?category=auth",
            vec![("accept-encoding", "br")],
            "",
        ),
        ("GET", "/healthz", vec![], ""),
        ("GET", "/codes/429", vec![], ""),
        ("GET", "/nope", vec![("accept", "text/html")], ""),
        ("DELETE", "/", vec![], ""),
        (
            "POST",
            "/api/v1/explain",
            vec![("content-type", "application/json")],
            r#"{"status":429,"headers":{"retry-after":"30"},"body":""}"#,
        ),
        ("GET", "/", vec![("x-pad", pad.as_str())], ""),
    ];
    for (m, u, h, b) in others {
        let mut c = Client::connect(server.addr).await;
        exchange(&mut c, "GET", "/api/v1/codes", &[], "").await;
        exchange(&mut c, m, u, &h, b).await;
        exchange(&mut c, "GET", "/", &[("accept-encoding", "gzip")], "").await;
    }
}

#[tokio::test]
async fn validators_get_the_routers_304() {
    let server = start().await;
    let mut c = Client::connect(server.addr).await;
    c.send(&request("GET", "/", &[("accept-encoding", "br")], ""))
        .await;
    let first = c.response(false).await;
    let etag = String::from_utf8(first.header("etag").expect("etag").to_vec()).expect("ascii");
    let h = [("accept-encoding", "br"), ("if-none-match", etag.as_str())];
    c.send(&request("GET", "/", &h, "")).await;
    let wire = c.response(false).await;
    assert_eq!(wire.status, 304);
    assert!(wire.body.is_empty());
    assert_same(&wire, &routed("GET", "/", &h, "").await, "304");
}

#[tokio::test]
async fn http_1_0_is_answered_then_closed() {
    let server = start().await;
    let mut c = Client::connect(server.addr).await;
    exchange(&mut c, "GET", "/api/v1/codes", &[], "").await;
    c.send(b"GET /api/v1/codes HTTP/1.0\r\n\r\n").await;
    let wire = c.response(false).await;
    let want = routed("GET", "/api/v1/codes", &[], "").await;
    assert_eq!(wire.body, want.body);
    assert_eq!(wire.status, 200);
    assert!(c.closed().await);
}

/// The HTTP/2 connection preface and an empty SETTINGS frame (RFC 9113, Section 3.4).
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00";

#[tokio::test]
async fn h2_prior_knowledge_is_answered_with_settings() {
    let server = start().await;
    let mut c = Client::connect(server.addr).await;
    for piece in H2_PREFACE.chunks(5) {
        c.send(piece).await;
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    while c.buf.len() < 9 {
        assert!(c.fill().await > 0, "closed before SETTINGS");
    }
    // A frame header: 24-bit length, then type 0x4 (SETTINGS) on stream 0.
    assert_eq!(c.buf[3], 0x04, "{:?}", &c.buf[..9]);
    assert_eq!(&c.buf[5..9], &[0, 0, 0, 0]);
}

#[tokio::test]
async fn garbage_gets_a_400_after_a_good_answer() {
    let server = start().await;
    for junk in [
        &b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nBad Header\r\n\r\n",
        b"GET /\x7f HTTP/1.1\r\n\r\n",
    ] {
        let mut c = Client::connect(server.addr).await;
        exchange(&mut c, "GET", "/", &[], "").await;
        c.send(junk).await;
        while !c.buf.windows(4).any(|w| w == b"\r\n\r\n") {
            assert!(c.fill().await > 0, "closed without an answer");
        }
        assert!(
            c.buf.starts_with(b"HTTP/1.1 400 "),
            "{:?}",
            String::from_utf8_lossy(&c.buf)
        );
    }
}

#[tokio::test]
async fn clients_leaving_mid_body_do_not_hurt_the_server() {
    let server = start().await;
    for _ in 0..20 {
        // A small receive buffer keeps most of the page in the server's hands.
        let socket = TcpSocket::new_v4().expect("socket");
        socket.set_recv_buffer_size(4096).expect("rcvbuf");
        let mut c = Client::from(socket.connect(server.addr).await.expect("connect"));
        c.send(&request("GET", "/reference", &[], "")).await;
        c.send(&request("GET", "/reference", &[], "")).await;
        c.fill().await;
        drop(c);
    }
    let mut c = Client::connect(server.addr).await;
    exchange(&mut c, "GET", "/", &[], "").await;
}

#[tokio::test]
async fn shutdown_ends_idle_connections_at_once() {
    let mut server = start().await;
    let mut idle = Client::connect(server.addr).await;
    exchange(&mut idle, "GET", "/api/v1/codes", &[], "").await;
    let _ = server.stop.take().map(|s| s.send(()));
    tokio::time::timeout(Duration::from_secs(5), &mut server.task)
        .await
        .expect("serve returned well within the grace period")
        .expect("no panic");
    assert!(idle.closed().await);
}

#[tokio::test]
async fn shutdown_waits_no_longer_than_the_grace_for_a_half_sent_request() {
    let mut server = start().await;
    let mut waiting = Client::connect(server.addr).await;
    waiting.send(b"GET /api/v1/co").await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let _ = server.stop.take().map(|s| s.send(()));
    let grace = apiprobe_web::SHUTDOWN_GRACE + Duration::from_secs(5);
    tokio::time::timeout(grace, &mut server.task)
        .await
        .expect("serve returned within the grace period")
        .expect("no panic");
    assert!(waiting.closed().await);
}
