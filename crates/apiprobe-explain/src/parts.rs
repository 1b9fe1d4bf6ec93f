//! Batch responses: several HTTP responses carried in one 2xx body. Two shapes:
//! - `multipart/mixed`, each part an `application/http` message (Google's batch endpoints, OData and
//!   Microsoft `$batch`, Azure Storage blob batch), read per RFC 2046 section 5.1 (the boundary
//!   delimiter, the close delimiter) and RFC 9112 (each part's message);
//! - JSON: Microsoft Graph's `{"responses": [{"id", "status", "headers", "body"}]}` and Meta Graph's
//!   top-level array of `{"code", "headers": [{"name", "value"}], "body"}`.
//!
//! The envelope succeeds while a part fails, so the failure is the first part whose own status is 4xx
//! or 5xx, read as a response of its own; the report keeps the envelope's status and says which part
//! failed and how many did. A body that does not follow either shape is read as any other body. The
//! JSON shapes are looked for in the body as the reader has already parsed it, never parsed again.

use crate::json::Value;
use crate::raw::parse_raw;
use crate::reading::{explain_parts, Steps};
use crate::HttpResponse;
use apiprobe_catalog::{Catalog, Report};

/// Most parts looked at: a batch holds at most a few hundred requests (Google allows 1,000).
const MAX_PARTS: usize = 1000;

/// The first failed part of a 2xx batch response, explained, or `None` when `body` is not a batch
/// or no part failed. `json` is the body as parsed JSON, when it is JSON.
pub(crate) fn failed_part(
    catalog: &Catalog,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
    json: Option<&Value<'_>>,
    steps: Steps,
) -> Option<Report> {
    let content_type = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let (kind, responses) = match multipart_boundary(content_type) {
        Some(boundary) => (
            "multipart/mixed",
            split(body, boundary.as_bytes())
                .iter()
                .filter_map(|p| part_response(p))
                .collect(),
        ),
        None => ("JSON", json_batch(json?)?),
    };
    let failed: Vec<(usize, &HttpResponse)> = responses
        .iter()
        .enumerate()
        .filter(|(_, r)| r.status >= 400)
        .collect();
    let &(at, first) = failed.first()?;
    // A failed part has a 4xx or 5xx status, which never reads as a batch again: one level deep.
    let mut report = explain_parts(catalog, first.status, &first.headers, &first.body, steps);
    report.evidence.insert(
        0,
        format!(
            "batch response ({kind}, status {status}): part {} of {} failed with status {}; {} of {} failed",
            at + 1,
            responses.len(),
            first.status,
            failed.len(),
            responses.len()
        ),
    );
    report.status = Some(status);
    report
        .details
        .insert("part_status".to_string(), first.status.to_string());
    report.details.insert(
        "failed_parts".to_string(),
        format!("{} of {}", failed.len(), responses.len()),
    );
    Some(report)
}

/// The responses of a JSON batch, when every item of its list is shaped as one (a status and a body
/// or headers); `None` for any other JSON.
fn json_batch(v: &Value<'_>) -> Option<Vec<HttpResponse>> {
    // Graph's items give a `status`, Meta's a `code`; each shape only its own.
    let (items, status_key) = match v {
        Value::Object(o) => (o.get("responses")?.as_array()?, "status"),
        Value::Array(a) => (a, "code"),
        _ => return None,
    };
    if items.is_empty() {
        return None;
    }
    items
        .iter()
        .take(MAX_PARTS)
        .map(|item| {
            let o = item.as_object()?;
            let status = o.get(status_key)?.as_u64()?;
            let status = u16::try_from(status)
                .ok()
                .filter(|s| (100..600).contains(s))?;
            if !(o.contains_key("body") || o.contains_key("headers")) {
                return None;
            }
            let text = |v: &Value<'_>| match v {
                Value::String(s) => s.to_string(),
                other => other.to_string(),
            };
            let headers = match o.get("headers") {
                Some(Value::Object(h)) => h.iter().map(|(n, v)| (n.to_string(), text(v))).collect(),
                Some(Value::Array(h)) => h
                    .iter()
                    .filter_map(|e| {
                        let name = e.get("name")?.as_str()?;
                        Some((name.to_string(), text(e.get("value")?)))
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let body = match o.get("body") {
                None | Some(Value::Null) => Vec::new(),
                Some(other) => text(other).into_bytes(),
            };
            Some(HttpResponse {
                status,
                headers,
                body,
            })
        })
        .collect()
}

/// The `boundary` parameter of a `multipart/mixed` content type, unquoted.
fn multipart_boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let kind = params.next()?.trim();
    if !kind.eq_ignore_ascii_case("multipart/mixed") {
        return None;
    }
    params.find_map(|p| {
        let (name, value) = p.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("boundary") {
            return None;
        }
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        // RFC 2046: 1 to 70 characters.
        (!value.is_empty() && value.len() <= 70).then(|| value.to_string())
    })
}

/// The parts between `--boundary` delimiters, up to the close delimiter `--boundary--`.
fn split<'b>(body: &'b [u8], boundary: &[u8]) -> Vec<&'b [u8]> {
    let delimiter = [b"--".as_slice(), boundary].concat();
    let mut starts = memchr::memmem::find_iter(body, &delimiter)
        // A delimiter begins the body or a line.
        .filter(|&i| i == 0 || body[i - 1] == b'\n')
        .peekable();
    let mut parts = Vec::new();
    while let Some(at) = starts.next() {
        let after = at + delimiter.len();
        if body[after..].starts_with(b"--") || parts.len() == MAX_PARTS {
            break;
        }
        let end = starts.peek().copied().unwrap_or(body.len());
        // The line break before the next delimiter belongs to it.
        let part = &body[after..end];
        let part = part.strip_suffix(b"\n").unwrap_or(part);
        let part = part.strip_suffix(b"\r").unwrap_or(part);
        parts.push(part);
    }
    parts
}

/// The HTTP response a part carries: the part's own header lines, a blank line, then the message.
fn part_response(part: &[u8]) -> Option<HttpResponse> {
    // The rest of the delimiter line (transport padding), then the part's headers.
    let line_end = memchr::memchr(b'\n', part)?;
    let rest = &part[line_end + 1..];
    let (head, message) = match find_blank_line(rest) {
        Some((i, len)) => (&rest[..i], &rest[i + len..]),
        None => (rest, &[][..]),
    };
    let is_http = String::from_utf8_lossy(head).lines().any(|l| {
        l.split_once(':').is_some_and(|(n, v)| {
            n.trim().eq_ignore_ascii_case("content-type")
                && v.trim()
                    .to_ascii_lowercase()
                    .starts_with("application/http")
        })
    });
    let message = message.trim_ascii_start();
    (is_http || message.starts_with(b"HTTP/"))
        .then(|| parse_raw(message).ok())
        .flatten()
}

/// Where the first blank line starts and how long its line breaks are (CRLF CRLF or LF LF); a part
/// with no headers starts with one.
fn find_blank_line(bytes: &[u8]) -> Option<(usize, usize)> {
    if bytes.starts_with(b"\r\n") {
        return Some((0, 2));
    }
    if bytes.starts_with(b"\n") {
        return Some((0, 1));
    }
    let crlf = memchr::memmem::find(bytes, b"\r\n\r\n").map(|i| (i, 4));
    let lf = memchr::memmem::find(bytes, b"\n\n").map(|i| (i, 2));
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(ct: &str) -> Vec<(String, String)> {
        vec![("Content-Type".to_string(), ct.to_string())]
    }

    /// What the reader gives: the body parsed as JSON when it is JSON.
    fn failed_part(
        catalog: &Catalog,
        status: u16,
        headers: &[(String, String)],
        body: &[u8],
        steps: Steps,
    ) -> Option<Report> {
        let text = String::from_utf8_lossy(body);
        let json = crate::json::parse(&text).ok();
        super::failed_part(catalog, status, headers, body, json.as_ref(), steps)
    }

    const GOOGLE: &str = "--batch_x\r\nContent-Type: application/http\r\nContent-ID: <response-1>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"id\":\"a\"}\r\n--batch_x\r\nContent-Type: application/http\r\nContent-ID: <response-2>\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{\"error\":{\"code\":404,\"message\":\"No such object: bucket/key\",\"errors\":[{\"message\":\"No such object: bucket/key\",\"domain\":\"global\",\"reason\":\"notFound\"}]}}\r\n\r\n--batch_x--\r\n";

    #[test]
    fn the_first_failed_part_is_read_and_the_envelope_says_so() {
        let catalog = Catalog::builtin();
        let r = failed_part(
            catalog,
            200,
            &headers("multipart/mixed; boundary=batch_x"),
            GOOGLE.as_bytes(),
            Steps::All,
        )
        .expect("a failed part");
        assert_eq!(r.status, Some(200));
        assert_eq!(r.name.as_deref(), Some("RESOURCE_NOT_FOUND"));
        assert_eq!(
            r.details.get("part_status").map(String::as_str),
            Some("404")
        );
        assert_eq!(
            r.details.get("failed_parts").map(String::as_str),
            Some("1 of 2")
        );
        assert!(
            r.evidence[0].contains("part 2 of 2 failed with status 404"),
            "{:?}",
            r.evidence
        );
    }

    #[test]
    fn quoted_boundaries_and_bare_line_feeds() {
        let catalog = Catalog::builtin();
        let body = GOOGLE.replace("\r\n", "\n");
        let r = failed_part(
            catalog,
            200,
            &headers("Multipart/Mixed; charset=utf-8; boundary=\"batch_x\""),
            body.as_bytes(),
            Steps::All,
        );
        assert_eq!(
            r.and_then(|r| r.name).as_deref(),
            Some("RESOURCE_NOT_FOUND")
        );
    }

    #[test]
    fn not_a_batch_or_nothing_failed() {
        let catalog = Catalog::builtin();
        let ok = GOOGLE.replace("404 Not Found", "204 No Content");
        for (ct, body) in [
            ("multipart/mixed; boundary=batch_x", ok.as_str()),
            ("application/json", GOOGLE),
            ("multipart/mixed", GOOGLE),
            ("multipart/mixed; boundary=other", GOOGLE),
            ("multipart/mixed; boundary=", GOOGLE),
            ("multipart/mixed; boundary=batch_x", ""),
            ("multipart/mixed; boundary=batch_x", "--batch_x"),
            (
                "multipart/mixed; boundary=batch_x",
                "--batch_x\r\n\r\nHTTP/1.1",
            ),
            (
                "multipart/mixed; boundary=batch_x",
                "--batch_x--\r\n--batch_x\r\n\r\nHTTP/1.1 500 X\r\n\r\n",
            ),
        ] {
            assert!(
                failed_part(catalog, 200, &headers(ct), body.as_bytes(), Steps::All).is_none(),
                "{ct} {body:?}"
            );
        }
    }

    #[test]
    fn json_batches_of_graph_apis() {
        let catalog = Catalog::builtin();
        let graph = r#"{"responses":[{"id":"1","status":200,"headers":{"Content-Type":"application/json"},"body":{"id":"u1"}},{"id":"2","status":403,"headers":{"Content-Type":"application/json"},"body":{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}}]}"#;
        let r = failed_part(
            catalog,
            200,
            &headers("application/json"),
            graph.as_bytes(),
            Steps::All,
        )
        .expect("a failed part");
        assert_eq!(
            r.details.get("part_status").map(String::as_str),
            Some("403")
        );
        assert_eq!(r.category.map(|c| c.as_str()), Some("auth"));
        assert!(r.evidence[0].starts_with("batch response (JSON, status 200): part 2 of 2"));
        let meta = r#"[{"code":200,"headers":[{"name":"Content-Type","value":"text/javascript"}],"body":"{\"id\":\"1\"}"},{"code":400,"headers":[{"name":"Content-Type","value":"text/javascript"}],"body":"{\"error\":{\"message\":\"(#100) Unsupported get request.\",\"type\":\"GraphMethodException\",\"code\":100}}"}]"#;
        let r = failed_part(
            catalog,
            200,
            &headers("text/javascript"),
            meta.as_bytes(),
            Steps::All,
        )
        .expect("a failed part");
        assert_eq!(
            r.details.get("part_status").map(String::as_str),
            Some("400")
        );
        assert!(r.code.is_some());
        // Lists that are not batches.
        for body in [
            "[]",
            "[1,2]",
            r#"[{"code":400}]"#,
            r#"[{"status":"400","body":""}]"#,
            r#"[{"status":500,"body":"a list of checks, not a batch"}]"#,
            r#"{"responses":[{"code":500,"body":{}}]}"#,
            r#"{"responses":[]}"#,
            r#"{"responses":[{"status":200,"body":{}}]}"#,
            r#"{"errors":[{"status":404,"detail":"x"}]}"#,
            "[{\"code\":400,\"body\":",
        ] {
            assert!(
                failed_part(
                    catalog,
                    200,
                    &headers("application/json"),
                    body.as_bytes(),
                    Steps::All
                )
                .is_none(),
                "{body}"
            );
        }
    }

    #[test]
    fn huge_and_hostile_batches_end() {
        let catalog = Catalog::builtin();
        let part = "--b\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 200 OK\r\n\r\n\r\n";
        let many = part.repeat(5000)
            + "--b\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 500 Oops\r\n\r\n\r\n--b--";
        // Past the part limit: the failure is not reached, and nothing breaks.
        assert!(failed_part(
            catalog,
            200,
            &headers("multipart/mixed; boundary=b"),
            many.as_bytes(),
            Steps::All
        )
        .is_none());
        let nested = "--b\r\n".repeat(10_000);
        assert!(failed_part(
            catalog,
            200,
            &headers("multipart/mixed; boundary=b"),
            nested.as_bytes(),
            Steps::All
        )
        .is_none());
        let binary: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
        assert!(failed_part(
            catalog,
            200,
            &headers("multipart/mixed; boundary=b"),
            &binary,
            Steps::All
        )
        .is_none());
    }
}
