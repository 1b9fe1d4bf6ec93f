//! Headers as evidence: retry timing (`Retry-After`, `RateLimit-*`, `X-RateLimit-*`), challenges
//! (`WWW-Authenticate`, `Proxy-Authenticate`) and the facts worth keeping (`Server`, `Via`, request ids).

use crate::reading::{cat, clip};
use std::time::{SystemTime, UNIX_EPOCH};

/// Headers that carry an id of one request; the first present becomes `details.request_id`.
const REQUEST_ID_HEADERS: &[&str] = &[
    "x-amzn-requestid",
    "x-amz-request-id",
    "x-request-id",
    "request-id",
    "x-github-request-id",
    "x-ms-request-id",
    "apim-request-id",
    "x-correlation-id",
    "x-cloud-trace-context",
];

/// What the headers say, gathered in one pass.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct HeaderFacts {
    /// Seconds to wait, from `Retry-After` or an exhausted rate-limit window.
    pub retry_after_s: Option<f64>,
    /// The rate-limit headers say no requests remain.
    pub rate_limit_exhausted: bool,
    /// One line per header that mattered.
    pub evidence: Vec<String>,
    /// `request_id`, `server`, `via`, `cf_ray`, `content_type`, ... for `Report::details`.
    pub details: Vec<(&'static str, String)>,
}

/// One auth challenge: `Bearer realm="x", error="invalid_token"`.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Challenge {
    /// The scheme (`Bearer`, `Basic`, `Digest`, `Negotiate`), as sent.
    pub scheme: String,
    /// Parameters, names lower-cased, values unquoted.
    pub params: Vec<(String, String)>,
}

impl Challenge {
    /// A parameter by lower-case name.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses the first challenge of a `WWW-Authenticate`/`Proxy-Authenticate` value (RFC 9110 section 11.6.1).
pub(crate) fn challenge(value: &str) -> Option<Challenge> {
    let value = value.trim();
    let (scheme, mut rest) = match value.find(char::is_whitespace) {
        Some(i) => (&value[..i], value[i..].trim_start()),
        None => (value, ""),
    };
    if scheme.is_empty() || scheme.contains('=') {
        return None;
    }
    let mut params = Vec::new();
    while !rest.is_empty() {
        let Some(eq) = rest.find('=') else { break };
        let name = rest[..eq].trim().trim_start_matches(',').trim();
        // A second challenge starts with its scheme: `..., Basic realm="x"`; stop at it.
        if name.contains(char::is_whitespace) {
            break;
        }
        let after = rest[eq + 1..].trim_start();
        let (val, tail) = if let Some(q) = after.strip_prefix('"') {
            let mut out = String::new();
            let mut esc = false;
            let mut end = q.len();
            for (i, c) in q.char_indices() {
                if esc {
                    out.push(c);
                    esc = false;
                } else if c == '\\' {
                    esc = true;
                } else if c == '"' {
                    end = i + 1;
                    break;
                } else {
                    out.push(c);
                }
            }
            (out, &q[end.min(q.len())..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_string(), &after[end..])
        };
        params.push((name.to_ascii_lowercase(), val));
        rest = tail.trim_start().trim_start_matches(',').trim_start();
    }
    Some(Challenge {
        scheme: scheme.to_string(),
        params,
    })
}

fn now_s() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// The reference "now": the response's own `Date` when present (so a saved response reads the same
/// later), else the clock.
fn reference_now(headers: &[(String, String)]) -> f64 {
    find(headers, "date")
        .and_then(|d| httpdate::parse_http_date(d.trim()).ok())
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or_else(now_s, |d| d.as_secs_f64())
}

fn find<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// `Retry-After` as seconds: delay-seconds or an HTTP-date (RFC 9110 section 10.2.3).
pub(crate) fn retry_after(value: &str, headers: &[(String, String)]) -> Option<f64> {
    let v = value.trim();
    if let Ok(n) = v.parse::<f64>() {
        return (n.is_finite() && n >= 0.0).then_some(n);
    }
    let at = httpdate::parse_http_date(v)
        .ok()?
        .duration_since(UNIX_EPOCH)
        .ok()?
        .as_secs_f64();
    Some((at - reference_now(headers)).max(0.0))
}

/// A reset value: delta seconds, or epoch seconds (GitHub's `X-RateLimit-Reset`) when it is that large.
fn reset_seconds(value: &str, headers: &[(String, String)]) -> Option<f64> {
    let v = value.trim();
    let n: f64 = v.parse().ok().or_else(|| duration(v))?;
    if !n.is_finite() || n < 0.0 {
        return None;
    }
    // Anything past 2001-09-09 as a delta would be 30 years: read it as a timestamp.
    if n > 1_000_000_000.0 {
        return Some((n - reference_now(headers)).max(0.0));
    }
    Some(n)
}

/// Durations like OpenAI's `x-ratelimit-reset-requests: 6m0s` / `1s` / `20ms`.
fn duration(v: &str) -> Option<f64> {
    let mut total = 0.0;
    let mut num = String::new();
    let mut chars = v.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
            continue;
        }
        let n: f64 = num.parse().ok()?;
        num.clear();
        let unit = match c {
            'h' => 3600.0,
            'm' if chars.peek() == Some(&'s') => {
                chars.next();
                0.001
            }
            'm' => 60.0,
            's' => 1.0,
            _ => return None,
        };
        total += n * unit;
        any = true;
    }
    (any && num.is_empty()).then_some(total)
}

/// Reads every header once; names must be lower-cased.
pub(crate) fn facts(headers: &[(String, String)]) -> HeaderFacts {
    let mut f = HeaderFacts::default();
    let mut remaining: Option<f64> = None;
    let mut reset: Option<f64> = None;
    // Names arrive lower-cased (see `reading::lower_headers`), so no per-header allocation here.
    for (name, value) in headers {
        match name.as_str() {
            "retry-after" => {
                if let Some(s) = retry_after(value, headers) {
                    f.retry_after_s = Some(s);
                    f.evidence.push(cat(["Retry-After: ", value.trim()]));
                }
            }
            "ratelimit-remaining"
            | "x-ratelimit-remaining"
            | "x-rate-limit-remaining"
            | "x-ratelimit-remaining-requests"
            | "x-ratelimit-remaining-tokens" => {
                if let Ok(n) = value.trim().parse::<f64>() {
                    remaining = Some(remaining.map_or(n, |r: f64| r.min(n)));
                    if n <= 0.0 {
                        f.evidence.push(cat([name, ": ", value.trim()]));
                    }
                }
            }
            "ratelimit-reset"
            | "x-ratelimit-reset"
            | "x-rate-limit-reset"
            | "x-ratelimit-reset-requests"
            | "x-ratelimit-reset-tokens" => {
                if let Some(s) = reset_seconds(value, headers) {
                    reset = Some(reset.map_or(s, |r: f64| r.max(s)));
                }
            }
            // The IETF draft's combined field: `RateLimit: limit=100, remaining=0, reset=50`.
            "ratelimit" => {
                for part in value.split([',', ';']) {
                    if let Some((k, v)) = part.split_once('=') {
                        match k.trim() {
                            "remaining" | "r" => remaining = v.trim().parse().ok(),
                            "reset" | "t" => reset = v.trim().parse().ok(),
                            _ => {}
                        }
                    }
                }
                f.evidence.push(cat(["RateLimit: ", value.trim()]));
            }
            "www-authenticate" | "proxy-authenticate" => {
                f.evidence.push(cat([name, ": ", &clip(value.trim(), 200)]));
            }
            "server" => f.details.push(("server", value.trim().to_string())),
            "via" => f.details.push(("via", value.trim().to_string())),
            "cf-ray" => f.details.push(("cf_ray", value.trim().to_string())),
            "content-type" => f.details.push(("content_type", value.trim().to_string())),
            id if REQUEST_ID_HEADERS.contains(&id)
                && !f.details.iter().any(|(k, _)| *k == "request_id") =>
            {
                f.details.push(("request_id", value.trim().to_string()));
            }
            "x-amz-id-2" => f.details.push(("amz_id_2", value.trim().to_string())),
            "x-amzn-errortype" => f.evidence.push(cat(["x-amzn-ErrorType: ", value.trim()])),
            _ => {}
        }
    }
    if remaining.is_some_and(|r| r <= 0.0) {
        f.rate_limit_exhausted = true;
        if f.retry_after_s.is_none() {
            f.retry_after_s = reset;
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        // The pipeline lower-cases names before `facts` sees them.
        pairs
            .iter()
            .map(|(a, b)| (a.to_ascii_lowercase(), b.to_string()))
            .collect()
    }

    #[test]
    fn retry_after_seconds_and_http_date() {
        assert_eq!(
            facts(&h(&[("retry-after", "120")])).retry_after_s,
            Some(120.0)
        );
        let f = facts(&h(&[
            ("date", "Wed, 21 Oct 2015 07:28:00 GMT"),
            ("retry-after", "Wed, 21 Oct 2015 07:29:30 GMT"),
        ]));
        assert_eq!(f.retry_after_s, Some(90.0));
        assert_eq!(facts(&h(&[("retry-after", "soon")])).retry_after_s, None);
    }

    #[test]
    fn exhausted_rate_limit_gives_the_reset() {
        let f = facts(&h(&[
            ("date", "Tue, 14 Nov 2023 22:13:20 GMT"),
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "1700000060"),
        ]));
        assert!(f.rate_limit_exhausted);
        assert_eq!(f.retry_after_s, Some(60.0));
        let f = facts(&h(&[
            ("RateLimit-Remaining", "5"),
            ("RateLimit-Reset", "30"),
        ]));
        assert!(!f.rate_limit_exhausted);
        assert_eq!(f.retry_after_s, None);
        let f = facts(&h(&[("ratelimit", "limit=100, remaining=0, reset=50")]));
        assert_eq!(f.retry_after_s, Some(50.0));
        let f = facts(&h(&[
            ("x-ratelimit-remaining-requests", "0"),
            ("x-ratelimit-reset-requests", "6m0s"),
        ]));
        assert_eq!(f.retry_after_s, Some(360.0));
    }

    #[test]
    fn parses_bearer_challenges() {
        let c = challenge(r#"Bearer realm="example", error="invalid_token", error_description="The access token expired""#)
            .unwrap();
        assert_eq!(c.scheme, "Bearer");
        assert_eq!(c.param("error"), Some("invalid_token"));
        assert_eq!(
            c.param("error_description"),
            Some("The access token expired")
        );
        let c = challenge(r#"Bearer error="insufficient_scope", scope="repo read:org""#).unwrap();
        assert_eq!(c.param("scope"), Some("repo read:org"));
        let c = challenge("Basic realm=\"x\", charset=UTF-8").unwrap();
        assert_eq!(c.param("charset"), Some("UTF-8"));
        assert!(challenge("").is_none());
    }

    #[test]
    fn request_ids_and_server_go_to_details() {
        let f = facts(&h(&[
            ("x-amzn-RequestId", "abc"),
            ("Server", "nginx"),
            ("CF-RAY", "8a-LHR"),
        ]));
        assert!(f.details.contains(&("request_id", "abc".to_string())));
        assert!(f.details.contains(&("server", "nginx".to_string())));
        assert!(f.details.contains(&("cf_ray", "8a-LHR".to_string())));
    }
}
