//! One connection in the fast path: parse, answer from the table, or hand over to hyper.

use super::send::respond;
use super::table::{StaticTable, Verb};
use crate::asset::{negotiate_value, Encoding};
use crate::server::HEADER_READ_TIMEOUT;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::Instant;

/// Request heads longer than this go to hyper, which has its own limits and error answers.
const MAX_HEAD_BYTES: usize = 16 * 1024;
/// More header lines than this go to hyper too.
const MAX_HEADERS: usize = 64;
/// How much room each read gets.
const READ_CHUNK: usize = 4096;

/// How the fast path let go of a connection.
#[derive(Debug)]
pub(crate) enum Handoff {
    /// The connection is finished: closed by either side, timed out, or ended by shutdown.
    Closed,
    /// A request the table does not answer: hyper takes over, reading `prefix` first.
    Fallback {
        /// The socket.
        stream: TcpStream,
        /// Bytes read from the socket and not answered, from the start of a request.
        prefix: Vec<u8>,
    },
}

/// What the bytes at the front of the buffer are.
#[derive(Debug)]
enum Parsed<'t> {
    /// A whole request the table answers; `len` bytes long.
    Static {
        response: &'t super::table::Prepared,
        len: usize,
        close: bool,
    },
    /// The start of a request: read more.
    Partial,
    /// Anything else: hyper decides.
    Other,
}

/// `HeaderValue::to_str` as the router sees it: visible ASCII and tabs only.
fn header_str(v: &[u8]) -> Option<&str> {
    v.iter()
        .all(|&b| b == b'\t' || (32..127).contains(&b))
        .then(|| std::str::from_utf8(v).ok())
        .flatten()
}

fn tokens(v: &[u8]) -> impl Iterator<Item = &[u8]> {
    v.split(|&b| b == b',').map(|t| t.trim_ascii())
}

/// Parses one request from the front of `buf` and decides whether the table answers it.
fn parse<'t>(buf: &[u8], table: &'t StaticTable) -> Parsed<'t> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    let len = match req.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Parsed::Partial,
        Err(_) => return Parsed::Other,
    };
    // HTTP/1.0 has other keep-alive rules; leave it to hyper.
    if req.version != Some(1) {
        return Parsed::Other;
    }
    let verb = match req.method {
        Some("GET") => Verb::Get,
        Some("HEAD") => Verb::Head,
        _ => return Parsed::Other,
    };
    // The table is keyed by exact path: a query string, absolute form or `*` never matches.
    let Some(path) = req.path else {
        return Parsed::Other;
    };
    let mut accept_encoding = None;
    let mut close = false;
    for h in req.headers.iter() {
        let name = h.name;
        let is = |n: &str| name.eq_ignore_ascii_case(n);
        if is("accept-encoding") {
            // The router reads the first value only (`HeaderMap::get`).
            if accept_encoding.is_none() {
                accept_encoding = Some(header_str(h.value));
            }
        } else if is("connection") {
            for t in tokens(h.value) {
                if t.eq_ignore_ascii_case(b"close") {
                    close = true;
                } else if t.eq_ignore_ascii_case(b"upgrade") {
                    return Parsed::Other;
                }
            }
        } else if is("content-length") {
            if h.value.trim_ascii() != b"0" {
                return Parsed::Other;
            }
        } else if [
            "transfer-encoding",
            "expect",
            "upgrade",
            "if-none-match",
            "if-modified-since",
            "if-match",
            "if-unmodified-since",
            "if-range",
            "range",
        ]
        .iter()
        .any(|n| is(n))
        {
            // A body, an upgrade or a conditional: the router (or hyper) has the rules for these.
            return Parsed::Other;
        }
    }
    let enc: Encoding = negotiate_value(accept_encoding.flatten());
    match table.lookup(verb, path, enc) {
        Some(response) => Parsed::Static {
            response,
            len,
            close,
        },
        None => Parsed::Other,
    }
}

fn stopping(stop: &watch::Receiver<bool>) -> bool {
    *stop.borrow() || stop.has_changed().is_err()
}

/// Serves requests on `stream` from `table` until one needs hyper, the client leaves, the header
/// read timeout passes, or `stop` turns true.
pub(crate) async fn serve_static(
    mut stream: TcpStream,
    table: &StaticTable,
    stop: &mut watch::Receiver<bool>,
) -> Handoff {
    let mut buf: Vec<u8> = Vec::with_capacity(READ_CHUNK);
    let mut head = Vec::with_capacity(1024);
    // Counted from when we start waiting for a request, idle time included, as hyper counts it.
    let mut deadline: Option<Instant> = None;
    loop {
        match parse(&buf, table) {
            Parsed::Static {
                response,
                len,
                close,
            } => {
                // After shutdown began, answer the request in hand and no more (as hyper does).
                let last = close || stopping(stop);
                if respond(&stream, table, response, last, &mut head)
                    .await
                    .is_err()
                {
                    return Handoff::Closed;
                }
                buf.drain(..len.min(buf.len()));
                deadline = None;
                if last {
                    let _ = stream.shutdown().await;
                    return Handoff::Closed;
                }
                continue;
            }
            Parsed::Partial if buf.len() < MAX_HEAD_BYTES => {}
            Parsed::Partial | Parsed::Other => {
                return Handoff::Fallback {
                    stream,
                    prefix: buf,
                };
            }
        }
        let until = *deadline.get_or_insert_with(|| Instant::now() + HEADER_READ_TIMEOUT);
        buf.reserve(READ_CHUNK);
        tokio::select! {
            read = stream.read_buf(&mut buf) => match read {
                Ok(0) if buf.is_empty() => return Handoff::Closed,
                // A request cut short by the client's half-close: hyper answers it as it would.
                Ok(0) => return Handoff::Fallback { stream, prefix: buf },
                Ok(_) => {}
                Err(_) => return Handoff::Closed,
            },
            () = tokio::time::sleep_until(until) => return Handoff::Closed,
            _ = stop.wait_for(|s| *s) => return Handoff::Closed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fast_path::table::Prepared;
    use crate::fast_path::BodySend;
    use crate::{app, AppState};
    use apiprobe_catalog::Catalog;
    use std::sync::Arc;

    async fn table() -> StaticTable {
        let router = app(AppState::new(Arc::new(Catalog::builtin().clone())));
        StaticTable::build(&router, &crate::route_table(), BodySend::Sendfile).await
    }

    fn is_static(p: &Parsed<'_>) -> bool {
        matches!(p, Parsed::Static { .. })
    }

    fn same(a: &Prepared, b: Option<&Prepared>) -> bool {
        b.is_some_and(|b| std::ptr::eq(a, b))
    }

    #[tokio::test]
    async fn answers_plain_gets_and_heads_of_static_paths() {
        let t = table().await;
        let req = b"GET /api/v1/codes HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip, br\r\n\r\nGET";
        let Parsed::Static {
            response,
            len,
            close,
        } = parse(req, &t)
        else {
            panic!("not static");
        };
        assert_eq!(len, req.len() - 3);
        assert!(!close);
        assert!(same(
            response,
            t.lookup(Verb::Get, "/api/v1/codes", Encoding::Brotli)
        ));
        let head = parse(
            b"HEAD / HTTP/1.1\r\nConnection: keep-alive, Close\r\n\r\n",
            &t,
        );
        assert!(matches!(head, Parsed::Static { close: true, .. }));
        assert!(is_static(&parse(
            b"GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
            &t
        )));
    }

    #[tokio::test]
    async fn negotiates_on_the_first_accept_encoding_like_the_router() {
        let t = table().await;
        let req = b"GET / HTTP/1.1\r\nAccept-Encoding: gzip\r\nAccept-Encoding: br\r\n\r\n";
        let Parsed::Static { response, .. } = parse(req, &t) else {
            panic!("not static");
        };
        assert!(same(response, t.lookup(Verb::Get, "/", Encoding::Gzip)));
        // Not visible ASCII: the router sees no usable header and sends identity.
        let req = b"GET / HTTP/1.1\r\nAccept-Encoding: br\xff\r\n\r\n";
        let Parsed::Static { response, .. } = parse(req, &t) else {
            panic!("not static");
        };
        assert!(same(response, t.lookup(Verb::Get, "/", Encoding::Identity)));
    }

    #[tokio::test]
    async fn leaves_everything_else_to_hyper() {
        let t = table().await;
        let other: &[&[u8]] = &[
            b"GET /?q=timeout HTTP/1.1\r\n\r\n",
            b"GET /api/v1/codes? HTTP/1.1\r\n\r\n",
            b"GET /healthz HTTP/1.1\r\n\r\n",
            b"GET /nope HTTP/1.1\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
            b"GET / HTTP/1.0\r\n\r\n",
            b"GET http://x/ HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
            b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            b"GET / HTTP/1.1\r\nIf-None-Match: \"x\"\r\n\r\n",
            b"GET / HTTP/1.1\r\nRange: bytes=0-1\r\n\r\n",
            b"GET / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n",
            b"GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
            b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
            b"GET / HTTP/1.1\r\nBad Header\r\n\r\n",
        ];
        for req in other {
            let got = parse(req, &t);
            assert!(
                matches!(got, Parsed::Other),
                "{}: {got:?}",
                String::from_utf8_lossy(req)
            );
        }
        let many: String = (0..MAX_HEADERS + 1)
            .map(|i| format!("X-{i}: a\r\n"))
            .collect();
        let req = format!("GET / HTTP/1.1\r\n{many}\r\n");
        assert!(matches!(parse(req.as_bytes(), &t), Parsed::Other));
        assert!(matches!(
            parse(b"GET / HTTP/1.1\r\nHost:", &t),
            Parsed::Partial
        ));
        assert!(matches!(parse(b"", &t), Parsed::Partial));
    }

    #[tokio::test]
    async fn hands_over_with_every_unanswered_byte() {
        let t = table().await;
        let (mut client, server) = crate::fast_path::connected_pair().await;
        let sent = b"GET /static/app.css HTTP/1.1\r\n\r\nGET /healthz HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n";
        client.write_all(sent).await.expect("write");
        let (_tx, mut rx) = watch::channel(false);
        let Handoff::Fallback { prefix, .. } = serve_static(server, &t, &mut rx).await else {
            panic!("closed");
        };
        assert_eq!(prefix, &sent[32..]);
        let mut got = vec![0; 64];
        let n = client.read(&mut got).await.expect("read");
        assert!(got[..n].starts_with(b"HTTP/1.1 200 OK\r\ncontent-type: text/css"));
    }

    #[tokio::test]
    async fn idle_connections_end_at_shutdown() {
        let t = table().await;
        let (_client, server) = crate::fast_path::connected_pair().await;
        let (tx, mut rx) = watch::channel(false);
        let task = tokio::spawn(async move {
            matches!(serve_static(server, &t, &mut rx).await, Handoff::Closed)
        });
        tx.send(true).expect("send");
        let closed = tokio::time::timeout(std::time::Duration::from_secs(5), task)
            .await
            .expect("ended in time")
            .expect("no panic");
        assert!(closed);
    }
}
