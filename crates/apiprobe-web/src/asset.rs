//! A rendered response body kept with its ETag and its compressed forms, answered with content
//! negotiation and conditional requests.

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use http::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_NONE_MATCH, VARY,
};
use http::{HeaderMap, HeaderValue, StatusCode};
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::sync::OnceLock;

/// Bodies smaller than this are sent as they are: compressing them saves less than the header costs.
const MIN_COMPRESS_BYTES: usize = 512;

pub(crate) const HTML: &str = "text/html; charset=utf-8";
pub(crate) const JSON: &str = "application/json";
pub(crate) const CSS: &str = "text/css; charset=utf-8";
pub(crate) const JS: &str = "text/javascript; charset=utf-8";
pub(crate) const SVG: &str = "image/svg+xml";

/// How long clients and caches may reuse catalog data before revalidating with the ETag.
pub(crate) const CACHE_CATALOG: &str = "public, max-age=300";
/// Per-request answers that must not be stored (explain results may quote private responses).
pub(crate) const CACHE_NONE: &str = "no-store";

/// A content coding the client accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Identity,
    Gzip,
    Brotli,
}

/// Picks brotli, then gzip, then identity from an `Accept-Encoding` header (RFC 9110, Section 12.5.3);
/// a coding with `q=0` is refused.
pub(crate) fn negotiate(headers: &HeaderMap) -> Encoding {
    let Some(value) = headers.get(ACCEPT_ENCODING).and_then(|v| v.to_str().ok()) else {
        return Encoding::Identity;
    };
    let (mut br, mut gzip, mut any) = (None, None, None);
    for item in value.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim();
        let q = parts
            .filter_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .or_else(|| p.trim().strip_prefix("Q="))
            })
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let accepted = q > 0.0;
        if name.eq_ignore_ascii_case("br") {
            br = Some(accepted);
        } else if name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip") {
            gzip = Some(accepted);
        } else if name == "*" {
            any = Some(accepted);
        }
    }
    if br.or(any) == Some(true) {
        Encoding::Brotli
    } else if gzip.or(any) == Some(true) {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

fn gzip(data: &[u8], fast: bool) -> Option<Bytes> {
    let level = if fast {
        flate2::Compression::new(5)
    } else {
        flate2::Compression::best()
    };
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), level);
    enc.write_all(data).ok()?;
    enc.finish().ok().map(Bytes::from)
}

fn brotli(data: &[u8], fast: bool) -> Option<Bytes> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: if fast { 4 } else { 9 },
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &data[..], &mut out, &params).ok()?;
    Some(Bytes::from(out))
}

/// A strong validator from the bytes: the same body always gets the same tag, across restarts.
fn etag_of(data: &[u8]) -> String {
    // SipHash with fixed keys is stable for a given build, which is all a validator needs.
    let mut a = std::collections::hash_map::DefaultHasher::new();
    data.hash(&mut a);
    let mut b = std::collections::hash_map::DefaultHasher::new();
    (data.len(), 0x6170_6970_726f_6265u64).hash(&mut b);
    data.hash(&mut b);
    format!("{:016x}{:016x}", a.finish(), b.finish())
}

fn header(value: &str) -> HeaderValue {
    // Every value passed here is built from hex digits and fixed ASCII.
    HeaderValue::from_str(value).unwrap_or_else(|_| HeaderValue::from_static("invalid"))
}

/// One response body, ready to send.
#[derive(Debug)]
pub(crate) struct Asset {
    content_type: HeaderValue,
    cache_control: HeaderValue,
    tag: String,
    etags: [HeaderValue; 3],
    identity: Bytes,
    gzip: OnceLock<Option<Bytes>>,
    br: OnceLock<Option<Bytes>>,
    /// Rendered for one request: compress quickly rather than small.
    fast: bool,
}

impl Asset {
    /// Wraps rendered bytes; the compressed forms are made on first demand (see [`Asset::warm`]).
    pub(crate) fn new(
        content_type: &'static str,
        cache: &'static str,
        body: impl Into<Bytes>,
    ) -> Asset {
        let identity = body.into();
        let tag = etag_of(&identity);
        // Each coding is a different representation, so each gets its own tag (RFC 9110, Section 8.8.3).
        let etags = [
            header(&format!("\"{tag}\"")),
            header(&format!("\"{tag}-gz\"")),
            header(&format!("\"{tag}-br\"")),
        ];
        Asset {
            content_type: HeaderValue::from_static(content_type),
            cache_control: HeaderValue::from_static(cache),
            tag,
            etags,
            identity,
            gzip: OnceLock::new(),
            br: OnceLock::new(),
            fast: false,
        }
    }

    /// An answer rendered for one request; it is compressed with cheaper settings.
    pub(crate) fn dynamic(
        content_type: &'static str,
        cache: &'static str,
        body: impl Into<Bytes>,
    ) -> Asset {
        Asset {
            fast: true,
            ..Asset::new(content_type, cache, body)
        }
    }

    /// Compresses now, so the first client asking for gzip or brotli does not wait.
    pub(crate) fn warm(&self) {
        self.body(Encoding::Gzip);
        self.body(Encoding::Brotli);
    }

    fn body(&self, enc: Encoding) -> Option<(&Bytes, Encoding)> {
        if self.identity.len() < MIN_COMPRESS_BYTES {
            return None;
        }
        let slot = match enc {
            Encoding::Identity => return None,
            Encoding::Gzip => self.gzip.get_or_init(|| gzip(&self.identity, self.fast)),
            Encoding::Brotli => self.br.get_or_init(|| brotli(&self.identity, self.fast)),
        };
        slot.as_ref()
            .filter(|b| b.len() < self.identity.len())
            .map(|b| (b, enc))
    }

    fn not_modified(&self, req: &HeaderMap) -> bool {
        req.get_all(IF_NONE_MATCH).iter().any(|v| {
            v.to_str().is_ok_and(|s| {
                s.split(',').any(|t| {
                    let t = t.trim().trim_start_matches("W/").trim_matches('"');
                    t == "*" || t.split('-').next() == Some(self.tag.as_str())
                })
            })
        })
    }

    /// The response to a GET with these request headers: 304 when the client's copy is current,
    /// else the body in the best coding the client accepts.
    pub(crate) fn respond(&self, req: &HeaderMap) -> Response {
        self.respond_with(req, StatusCode::OK)
    }

    /// As [`Asset::respond`], with another status for a fresh body.
    pub(crate) fn respond_with(&self, req: &HeaderMap, status: StatusCode) -> Response {
        let chosen = self.body(negotiate(req));
        let etag = match chosen {
            Some((_, Encoding::Brotli)) => &self.etags[2],
            Some((_, Encoding::Gzip)) => &self.etags[1],
            _ => &self.etags[0],
        };
        if status == StatusCode::OK && self.not_modified(req) {
            let mut res = Response::new(Body::empty());
            *res.status_mut() = StatusCode::NOT_MODIFIED;
            let h = res.headers_mut();
            h.insert(ETAG, etag.clone());
            h.insert(CACHE_CONTROL, self.cache_control.clone());
            h.insert(VARY, HeaderValue::from_static("accept-encoding"));
            return res;
        }
        let (bytes, coding) = match chosen {
            Some((b, Encoding::Brotli)) => (b.clone(), Some("br")),
            Some((b, Encoding::Gzip)) => (b.clone(), Some("gzip")),
            _ => (self.identity.clone(), None),
        };
        let mut res = Response::new(Body::from(bytes));
        *res.status_mut() = status;
        // Room for ours, the four security headers and hyper's length and date, so the map is
        // allocated once rather than grown as the layers add to it.
        *res.headers_mut() = HeaderMap::with_capacity(16);
        let h = res.headers_mut();
        h.insert(CONTENT_TYPE, self.content_type.clone());
        h.insert(CACHE_CONTROL, self.cache_control.clone());
        h.insert(ETAG, etag.clone());
        h.insert(VARY, HeaderValue::from_static("accept-encoding"));
        if let Some(c) = coding {
            h.insert(CONTENT_ENCODING, HeaderValue::from_static(c));
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ae(v: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(ACCEPT_ENCODING, HeaderValue::from_static(v));
        h
    }

    #[test]
    fn negotiation_prefers_brotli_and_honours_q_zero() {
        assert_eq!(negotiate(&HeaderMap::new()), Encoding::Identity);
        assert_eq!(negotiate(&ae("gzip, deflate, br")), Encoding::Brotli);
        assert_eq!(negotiate(&ae("gzip")), Encoding::Gzip);
        assert_eq!(negotiate(&ae("br;q=0, gzip;q=0.5")), Encoding::Gzip);
        assert_eq!(negotiate(&ae("*;q=0")), Encoding::Identity);
        assert_eq!(negotiate(&ae("identity")), Encoding::Identity);
    }

    #[test]
    fn small_bodies_are_not_compressed() {
        let a = Asset::new(JSON, CACHE_CATALOG, "{}");
        let res = a.respond(&ae("br"));
        assert!(res.headers().get(CONTENT_ENCODING).is_none());
    }

    #[test]
    fn etag_matches_give_304_for_any_coding_tag() {
        let a = Asset::new(HTML, CACHE_CATALOG, "x".repeat(4096));
        let tag = a.respond(&ae("gzip")).headers()[ETAG].clone();
        let mut h = ae("br");
        h.insert(IF_NONE_MATCH, tag);
        assert_eq!(a.respond(&h).status(), StatusCode::NOT_MODIFIED);
        let mut h = HeaderMap::new();
        h.insert(IF_NONE_MATCH, HeaderValue::from_static("\"0000\""));
        assert_eq!(a.respond(&h).status(), StatusCode::OK);
    }
}
