//! The static fast path on a real listener: its answers are the router's, byte for byte, and every
//! request it does not answer reaches hyper on the same connection.

mod common;

use apiprobe_web::{route_table, serve};
use axum::body::Body;
use http::{Method, Request};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
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
    /// The raw head with the date line taken out.
    raw_head: Vec<u8>,
}

/// A client connection that reads responses one at a time.
struct Client {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Client {
    async fn connect(addr: std::net::SocketAddr) -> Client {
        let stream = TcpStream::connect(addr).await.expect("connect");
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
            let mut headers = [httparse::EMPTY_HEADER; 64];
            let mut res = httparse::Response::new(&mut headers);
            if let httparse::Status::Complete(len) = res.parse(&self.buf).expect("valid response") {
                let status = res.code.expect("status");
                let mut list = Vec::new();
                let mut date = None;
                let mut length = 0;
                for h in res.headers.iter() {
                    let name = h.name.to_ascii_lowercase();
                    if name == "date" {
                        date = Some(h.value.to_vec());
                        continue;
                    }
                    if name == "content-length" {
                        length = std::str::from_utf8(h.value)
                            .expect("ascii")
                            .parse()
                            .expect("length");
                    }
                    list.push((name, h.value.to_vec()));
                }
                let raw: Vec<u8> = String::from_utf8_lossy(&self.buf[..len])
                    .split("\r\n")
                    .filter(|l| !l.to_ascii_lowercase().starts_with("date:"))
                    .collect::<Vec<_>>()
                    .join("\r\n")
                    .into_bytes();
                let body_len = if head || status == 304 { 0 } else { length };
                while self.buf.len() < len + body_len {
                    assert!(self.fill().await > 0, "connection closed mid-body");
                }
                let body = self.buf[len..len + body_len].to_vec();
                self.buf.drain(..len + body_len);
                return Wire {
                    status,
                    headers: list,
                    body,
                    date,
                    raw_head: raw,
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

/// What the router answers through `oneshot`, in the same shape (hyper adds `date` on the wire).
async fn routed(method: &str, uri: &str, headers: &[(&str, &str)], body: &str) -> Wire {
    let mut b = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).expect("method"))
        .uri(uri);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let got = common::send(
        &common::router(),
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
        raw_head: Vec::new(),
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

/// Asserts the wire answer is the router's, date aside, and that a date came with it.
fn assert_same(wire: &Wire, routed: &Wire, what: &str) {
    assert_eq!(wire.status, routed.status, "{what}");
    assert_eq!(wire.headers, routed.headers, "{what}");
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
}

/// Request headers, in order.
type Headers<'a> = &'a [(&'a str, &'a str)];

/// A request: method, target, headers, body.
type Req = (
    &'static str,
    &'static str,
    Vec<(&'static str, &'static str)>,
    &'static str,
);

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
                // A fresh connection each time, so the fast path (not hyper after a handoff) answers
                // whatever it can.
                let mut c = Client::connect(server.addr).await;
                exchange(&mut c, method, path, headers, "").await;
                // And the connection stays open for the next request.
                exchange(&mut c, "GET", "/api/v1/codes", &[], "").await;
            }
        }
    }
}

#[tokio::test]
async fn fast_answers_are_hypers_bytes_on_the_wire() {
    let server = start().await;
    // An empty query string goes to hyper and the router answers it with the same document.
    for (path, hyper_path) in [("/api/v1/codes", "/api/v1/codes?"), ("/", "/?")] {
        for method in ["GET", "HEAD"] {
            for headers in CODINGS {
                for close in [false, true] {
                    let mut h = headers.to_vec();
                    if close {
                        h.push(("connection", "close"));
                    }
                    let mut fast = Client::connect(server.addr).await;
                    fast.send(&request(method, path, &h, "")).await;
                    let a = fast.response(method == "HEAD").await;
                    let mut slow = Client::connect(server.addr).await;
                    slow.send(&request(method, hyper_path, &h, "")).await;
                    let b = slow.response(method == "HEAD").await;
                    assert_eq!(a.raw_head, b.raw_head, "{method} {path} {h:?}");
                    assert!(a.body == b.body);
                    assert!(a.date.is_some() && b.date.is_some());
                    assert_eq!(fast.closed().await, close, "{method} {path} {h:?}");
                    assert_eq!(slow.closed().await, close, "{method} {path} {h:?}");
                }
            }
        }
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
    let reqs: [(&str, &str, Headers<'_>); 4] = [
        ("GET", "/api/v1/codes", &[("accept-encoding", "gzip")]),
        ("HEAD", "/", &[]),
        ("GET", "/static/app.js", &[]),
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

/// Requests the fast path leaves to hyper, with what the router should answer.
fn others() -> Vec<Req> {
    vec![
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
        ("GET", "/", vec![("x-pad", PAD)], ""),
    ]
}

/// 64 bytes; repeated 320 times it makes a 20 KiB header, more than the fast path reads before it
/// leaves a head to hyper.
const PAD: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

#[tokio::test]
async fn other_requests_reach_hyper_on_the_same_connection_both_ways() {
    let server = start().await;
    let pad = PAD.repeat(320); // 20 KiB of header
    for (m, u, h, b) in others() {
        let h: Vec<(&str, &str)> = h
            .into_iter()
            .map(|(k, v)| (k, if k == "x-pad" { pad.as_str() } else { v }))
            .collect();
        // Static first, then the other.
        let mut c = Client::connect(server.addr).await;
        exchange(&mut c, "GET", "/api/v1/codes", &[], "").await;
        exchange(&mut c, m, u, &h, b).await;
        exchange(&mut c, "GET", "/", &[("accept-encoding", "gzip")], "").await;
        // The other first, then static (now answered by hyper).
        let mut c = Client::connect(server.addr).await;
        exchange(&mut c, m, u, &h, b).await;
        exchange(&mut c, "HEAD", "/api/v1/codes", &[], "").await;
        exchange(&mut c, "GET", "/api/v1/codes", &[], "").await;
    }
}

#[tokio::test]
async fn validators_get_the_routers_304() {
    let server = start().await;
    let mut c = Client::connect(server.addr).await;
    c.send(&request("GET", "/", &[("accept-encoding", "br")], ""))
        .await;
    let first = c.response(false).await;
    let etag = first
        .headers
        .iter()
        .find(|(k, _)| k == "etag")
        .map(|(_, v)| String::from_utf8(v.clone()).expect("ascii"))
        .expect("etag");
    let h = [("accept-encoding", "br"), ("if-none-match", etag.as_str())];
    c.send(&request("GET", "/", &h, "")).await;
    let wire = c.response(false).await;
    assert_eq!(wire.status, 304);
    let mut want = routed("GET", "/", &h, "").await;
    // A 304 has no content (RFC 9110, Section 15.4.5); hyper leaves out the router's `content-length: 0`.
    want.headers.retain(|(k, _)| k != "content-length");
    assert_same(&wire, &want, "304");
}

#[tokio::test]
async fn http_1_0_after_a_static_request() {
    let server = start().await;
    let mut c = Client::connect(server.addr).await;
    exchange(&mut c, "GET", "/api/v1/codes", &[], "").await;
    c.send(b"GET /api/v1/codes HTTP/1.0\r\n\r\n").await;
    let wire = c.response(false).await;
    let want = routed("GET", "/api/v1/codes", &[], "").await;
    assert_eq!(wire.body, want.body);
    assert_eq!(wire.status, 200);
    // HTTP/1.0 without keep-alive: hyper closes after the answer.
    assert!(c.closed().await);
}

/// The HTTP/2 connection preface and an empty SETTINGS frame (RFC 9113, Section 3.4).
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00";

async fn assert_h2_settings(c: &mut Client) {
    while c.buf.len() < 9 {
        assert!(c.fill().await > 0, "closed before SETTINGS");
    }
    // A frame header: 24-bit length, then type 0x4 (SETTINGS) on stream 0.
    assert_eq!(c.buf[3], 0x04, "{:?}", &c.buf[..9]);
    assert_eq!(&c.buf[5..9], &[0, 0, 0, 0]);
}

#[tokio::test]
async fn h2_prior_knowledge_reaches_hyper() {
    let server = start().await;
    let mut c = Client::connect(server.addr).await;
    c.send(H2_PREFACE).await;
    assert_h2_settings(&mut c).await;
    // In pieces, the preface still looks like an unfinished request until hyper sees it whole.
    let mut c = Client::connect(server.addr).await;
    for piece in H2_PREFACE.chunks(5) {
        c.send(piece).await;
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    assert_h2_settings(&mut c).await;
    // After an answer from the fast path, the connection is still fresh to hyper, which then finds
    // the preface at its start; had hyper answered the first request, the preface would be a bad
    // HTTP/1.1 request. So this also shows that the fast path, not hyper, served `/api/v1/codes`.
    let mut c = Client::connect(server.addr).await;
    exchange(&mut c, "GET", "/api/v1/codes", &[], "").await;
    c.send(H2_PREFACE).await;
    assert_h2_settings(&mut c).await;
    // The control: after a request hyper answered, the same bytes get no HTTP/2 reply (hyper's
    // HTTP/1.1 side drops the connection).
    let mut c = Client::connect(server.addr).await;
    exchange(&mut c, "GET", "/healthz", &[], "").await;
    c.send(H2_PREFACE).await;
    while c.fill().await > 0 {}
    assert!(
        c.buf.is_empty() || c.buf.starts_with(b"HTTP/1.1 "),
        "{:?}",
        &c.buf
    );
}

#[tokio::test]
async fn garbage_gets_hypers_400_after_a_static_answer() {
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
        let mut c = Client::connect(server.addr).await;
        // A shrunken receive window keeps most of the page in the server's hands.
        let _ = socket2::SockRef::from(&c.stream).set_recv_buffer_size(4096);
        c.send(&request("GET", "/", &[], "")).await;
        c.send(&request("GET", "/", &[], "")).await;
        c.fill().await;
        drop(c);
    }
    let mut c = Client::connect(server.addr).await;
    exchange(&mut c, "GET", "/", &[], "").await;
}

#[tokio::test]
async fn shutdown_ends_idle_fast_path_connections() {
    let mut server = start().await;
    let mut idle = Client::connect(server.addr).await;
    exchange(&mut idle, "GET", "/api/v1/codes", &[], "").await;
    let mut waiting = Client::connect(server.addr).await;
    // Half a request: the fast path is still reading it.
    waiting.send(b"GET /api/v1/co").await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let _ = server.stop.take().map(|s| s.send(()));
    tokio::time::timeout(Duration::from_secs(5), &mut server.task)
        .await
        .expect("serve returned well within the grace period")
        .expect("no panic");
    assert!(idle.closed().await);
    assert!(waiting.closed().await);
}
