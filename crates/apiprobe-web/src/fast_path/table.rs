//! The responses the fast path may send, asked of the real router once at startup.

use crate::asset::{negotiate, Encoding};
use axum::body::Body;
use axum::Router;
use http::header::{
    ACCEPT, ACCEPT_ENCODING, ACCEPT_LANGUAGE, CACHE_CONTROL, CONNECTION, CONTENT_LENGTH, DATE,
    ETAG, TRANSFER_ENCODING, USER_AGENT, VARY,
};
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use std::collections::HashMap;
use std::ops::Range;
use tower::ServiceExt;

/// How a body leaves the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodySend {
    /// sendfile(2) from a sealed memfd holding every body: the kernel takes the pages by reference
    /// instead of copying the bytes from user memory.
    Sendfile,
    /// One writev(2) of head and body from memory, as hyper does.
    Write,
}

/// A request method the fast path answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verb {
    Get,
    Head,
}

/// One response, ready to send.
#[derive(Debug)]
pub(crate) struct Prepared {
    /// The status line and headers as hyper writes them, each line ending in CRLF; `connection`,
    /// `date` and the blank line are added per request.
    pub(crate) head: Box<[u8]>,
    /// Where the body lies in the table's store (empty for HEAD).
    pub(crate) body: Range<usize>,
}

#[derive(Debug, Default)]
struct Variants {
    get: [Option<Prepared>; 3],
    head: [Option<Prepared>; 3],
}

/// Every static response by path, method and content coding, and the bodies they send.
#[derive(Debug)]
pub(crate) struct StaticTable {
    routes: HashMap<Box<str>, Variants>,
    /// Every distinct body, end to end.
    bodies: Vec<u8>,
    #[cfg(target_os = "linux")]
    memfd: Option<std::os::fd::OwnedFd>,
}

/// Headers a browser or tool commonly sends that a fixed response must not depend on; asking again
/// with them catches a handler that varies on one of them without saying so in `Vary`.
fn with_common_headers(req: &mut Request<Body>) {
    let h = req.headers_mut();
    h.insert(
        ACCEPT,
        http::HeaderValue::from_static("text/html,application/json;q=0.9,*/*;q=0.8"),
    );
    h.insert(
        ACCEPT_LANGUAGE,
        http::HeaderValue::from_static("en-GB,en;q=0.5"),
    );
    h.insert(USER_AGENT, http::HeaderValue::from_static("curl/8.5.0"));
}

fn request(verb: Verb, path: &str, enc: Encoding, common: bool) -> Option<Request<Body>> {
    let method = match verb {
        Verb::Get => Method::GET,
        Verb::Head => Method::HEAD,
    };
    let mut b = Request::builder().method(method).uri(path);
    if let Some(v) = enc.accept_value() {
        b = b.header(ACCEPT_ENCODING, v);
    }
    let mut req = b.body(Body::empty()).ok()?;
    if common {
        with_common_headers(&mut req);
    }
    // The fast path picks the variant with the router's own negotiation; make sure this request
    // lands on the variant it is stored under.
    (negotiate(req.headers()) == enc).then_some(req)
}

/// The router's whole answer: status, headers, body.
type Answer = (StatusCode, HeaderMap, bytes::Bytes);

async fn ask(app: &Router, req: Request<Body>) -> Option<Answer> {
    let Ok(res) = app.clone().oneshot(req).await;
    let (parts, body) = res.into_parts();
    let body = body.collect().await.ok()?.to_bytes();
    Some((parts.status, parts.headers, body))
}

fn has_token(headers: &HeaderMap, name: http::HeaderName, token: &str) -> bool {
    headers.get_all(name).iter().any(|v| {
        v.to_str()
            .is_ok_and(|s| s.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
    })
}

/// Whether an answer is fixed catalog data: a 200 with a validator, public caching, varying on
/// nothing but the content coding, with its length declared and no header the fast path would
/// have to treat specially.
fn is_static(verb: Verb, (status, headers, body): &Answer) -> bool {
    let varies_only_on_coding = headers.get_all(VARY).iter().all(|v| {
        v.to_str().is_ok_and(|s| {
            s.split(',')
                .all(|t| t.trim().eq_ignore_ascii_case("accept-encoding"))
        })
    });
    let length = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let length_ok = match verb {
        Verb::Get => length == Some(body.len()),
        Verb::Head => length.is_some() && body.is_empty(),
    };
    *status == StatusCode::OK
        && headers.contains_key(ETAG)
        && has_token(headers, CACHE_CONTROL, "public")
        && varies_only_on_coding
        && length_ok
        // One line per header name, and none that hyper writes or interprets itself.
        && headers.keys_len() == headers.len()
        && ![DATE, CONNECTION, TRANSFER_ENCODING]
            .iter()
            .any(|n| headers.contains_key(n))
}

/// The head exactly as hyper's HTTP/1.1 encoder writes it: lower-case names in the map's order (hyper
/// then adds `connection: close` when the connection ends, and its cached `date` last).
fn head_bytes(status: StatusCode, headers: &HeaderMap) -> Box<[u8]> {
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(b"HTTP/1.1 ");
    out.extend_from_slice(status.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(status.canonical_reason().unwrap_or("").as_bytes());
    out.extend_from_slice(b"\r\n");
    for (name, value) in headers {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.into_boxed_slice()
}

impl StaticTable {
    /// Asks `app` for each of `paths` (those with `{` parameters are skipped) in every coding, GET
    /// and HEAD, twice (the second time with common browser headers), and keeps the answers that are
    /// static and identical both times. Bodies go to a memfd when `send` is
    /// [`BodySend::Sendfile`] and one can be made.
    pub(crate) async fn build(app: &Router, paths: &[&str], send: BodySend) -> StaticTable {
        let mut routes: HashMap<Box<str>, Variants> = HashMap::new();
        let mut bodies = Vec::new();
        let mut placed: HashMap<bytes::Bytes, Range<usize>> = HashMap::new();
        for path in paths
            .iter()
            .filter(|p| p.starts_with('/') && !p.contains('{'))
        {
            let mut variants = Variants::default();
            for verb in [Verb::Get, Verb::Head] {
                for enc in Encoding::ALL {
                    let (Some(plain), Some(common)) = (
                        request(verb, path, enc, false),
                        request(verb, path, enc, true),
                    ) else {
                        continue;
                    };
                    let (Some(answer), Some(again)) =
                        (ask(app, plain).await, ask(app, common).await)
                    else {
                        continue;
                    };
                    if !is_static(verb, &answer) || answer != again {
                        continue;
                    }
                    let (status, headers, body) = answer;
                    let range = placed
                        .entry(body.clone())
                        .or_insert_with(|| {
                            let start = bodies.len();
                            bodies.extend_from_slice(&body);
                            start..bodies.len()
                        })
                        .clone();
                    let slot = match verb {
                        Verb::Get => &mut variants.get[enc.index()],
                        Verb::Head => &mut variants.head[enc.index()],
                    };
                    *slot = Some(Prepared {
                        head: head_bytes(status, &headers),
                        body: range,
                    });
                }
            }
            routes.insert((*path).into(), variants);
        }
        #[cfg(target_os = "linux")]
        let memfd = match send {
            BodySend::Sendfile => memfd_with(&bodies),
            BodySend::Write => None,
        };
        #[cfg(not(target_os = "linux"))]
        let _ = send;
        StaticTable {
            routes,
            bodies,
            #[cfg(target_os = "linux")]
            memfd,
        }
    }

    /// The response for this method, exact path and coding, if it is static.
    pub(crate) fn lookup(&self, verb: Verb, path: &str, enc: Encoding) -> Option<&Prepared> {
        let v = self.routes.get(path)?;
        match verb {
            Verb::Get => v.get[enc.index()].as_ref(),
            Verb::Head => v.head[enc.index()].as_ref(),
        }
    }

    /// The body bytes of a prepared response.
    pub(crate) fn body(&self, p: &Prepared) -> &[u8] {
        self.bodies.get(p.body.clone()).unwrap_or(&[])
    }

    /// The memfd holding the bodies at the same offsets, when bodies are sent with sendfile(2).
    #[cfg(target_os = "linux")]
    pub(crate) fn memfd(&self) -> Option<std::os::fd::BorrowedFd<'_>> {
        use std::os::fd::AsFd;
        self.memfd.as_ref().map(|f| f.as_fd())
    }
}

/// A sealed memfd holding `bytes`, or `None` when the kernel will not make one (the bodies are then
/// written from memory).
#[cfg(target_os = "linux")]
fn memfd_with(bytes: &[u8]) -> Option<std::os::fd::OwnedFd> {
    use rustix::fs::{fcntl_add_seals, memfd_create, MemfdFlags, SealFlags};
    use std::io::Write;
    if bytes.is_empty() {
        return None;
    }
    let fd = memfd_create(
        "apiprobe-static",
        MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING,
    )
    .ok()?;
    let mut file = std::fs::File::from(fd);
    file.write_all(bytes).ok()?;
    let fd = std::os::fd::OwnedFd::from(file);
    // Sealed, the bytes sendfile reads can never change under a response.
    fcntl_add_seals(
        &fd,
        SealFlags::SHRINK | SealFlags::GROW | SealFlags::WRITE | SealFlags::SEAL,
    )
    .ok()?;
    Some(fd)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{app, AppState};
    use apiprobe_catalog::Catalog;
    use std::sync::Arc;

    async fn table(send: BodySend) -> StaticTable {
        let router = app(AppState::new(Arc::new(Catalog::builtin().clone())));
        StaticTable::build(&router, &crate::route_table(), send).await
    }

    #[tokio::test]
    async fn holds_catalog_documents_in_every_coding_and_not_per_request_answers() {
        let t = table(BodySend::Sendfile).await;
        for path in ["/", "/api/v1/codes", "/static/app.css", "/openapi.json"] {
            for enc in Encoding::ALL {
                for verb in [Verb::Get, Verb::Head] {
                    assert!(
                        t.lookup(verb, path, enc).is_some(),
                        "{path} {enc:?} {verb:?}"
                    );
                }
            }
        }
        let home = t.lookup(Verb::Get, "/", Encoding::Brotli).expect("home");
        let head = String::from_utf8_lossy(&home.head);
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
        assert!(head.contains("\r\ncontent-encoding: br\r\n"), "{head}");
        assert!(head.contains("\r\nx-frame-options: DENY\r\n"), "{head}");
        let length = format!("\r\ncontent-length: {}\r\n", t.body(home).len());
        assert!(head.ends_with(&length), "{head}");
        assert!(t
            .lookup(Verb::Head, "/", Encoding::Identity)
            .is_some_and(|p| p.body.is_empty()));
        // No-cache health, POST-only and parameter routes are never taken over.
        assert!(t
            .lookup(Verb::Get, "/healthz", Encoding::Identity)
            .is_none());
        assert!(t
            .lookup(Verb::Get, "/api/v1/explain", Encoding::Identity)
            .is_none());
        assert!(t
            .lookup(Verb::Get, "/codes/{code}", Encoding::Identity)
            .is_none());
        assert!(t.memfd().is_some());
    }

    #[tokio::test]
    async fn bodies_are_the_routers_bytes_and_shared_between_variants() {
        let t = table(BodySend::Write).await;
        let get = t
            .lookup(Verb::Get, "/api/v1/codes", Encoding::Identity)
            .expect("list");
        let router = app(AppState::new(Arc::new(Catalog::builtin().clone())));
        let req = request(Verb::Get, "/api/v1/codes", Encoding::Identity, false).expect("req");
        let (_, _, body) = ask(&router, req).await.expect("answer");
        assert_eq!(t.body(get), &body[..]);
        assert!(t.memfd().is_none());
        // Equal bodies are stored once: the store is no larger than the distinct bodies.
        let mut distinct = std::collections::HashSet::new();
        for v in t.routes.values() {
            for p in v.get.iter().chain(&v.head).flatten() {
                distinct.insert(t.body(p).to_vec());
            }
        }
        assert_eq!(t.bodies.len(), distinct.iter().map(Vec::len).sum::<usize>());
    }

    #[test]
    fn private_or_varying_answers_are_not_static() {
        let mut h = HeaderMap::new();
        h.insert(ETAG, http::HeaderValue::from_static("\"a\""));
        h.insert(
            CACHE_CONTROL,
            http::HeaderValue::from_static("public, max-age=300"),
        );
        h.insert(CONTENT_LENGTH, http::HeaderValue::from_static("2"));
        let ok = (StatusCode::OK, h.clone(), bytes::Bytes::from_static(b"{}"));
        assert!(is_static(Verb::Get, &ok));
        let mut private = h.clone();
        private.insert(CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
        assert!(!is_static(
            Verb::Get,
            &(StatusCode::OK, private, ok.2.clone())
        ));
        let mut cookie = h.clone();
        cookie.insert(VARY, http::HeaderValue::from_static("cookie"));
        assert!(!is_static(
            Verb::Get,
            &(StatusCode::OK, cookie, ok.2.clone())
        ));
        assert!(!is_static(Verb::Get, &(StatusCode::NOT_FOUND, h, ok.2)));
    }
}
