//! Envoy and Istio local replies: short plain-text bodies such as
//! `upstream connect error or disconnect/reset before headers. reset reason: connection failure`,
//! `no healthy upstream`, `upstream request timeout`, `RBAC: access denied`, `Jwt is expired`.

use super::access::message;
use super::{Body, Finding};

/// Fixed local-reply texts Envoy and its Istio filters write; the text itself is the vendor code.
const PHRASES: &[&str] = &[
    "no healthy upstream",
    "upstream request timeout",
    "RBAC: access denied",
    "Jwt is expired",
    "Jwt is missing",
    "Jwt verification fails",
    "Jwt issuer is not configured",
    "local_rate_limited",
    "upstream connect error or disconnect/reset before headers",
];

/// Recognises an Envoy local reply by its text, with `server: envoy` / `istio-envoy` as support.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    if b.json.is_some() || b.text.len() > 2048 {
        return None;
    }
    let text = b.text.trim();
    let phrase = PHRASES.iter().find(|p| text.starts_with(**p))?;
    let server = b.header("server").map(str::to_ascii_lowercase);
    let by_envoy = server
        .as_deref()
        .is_some_and(|s| s == "envoy" || s == "istio-envoy");
    let envoy_header = b
        .headers
        .iter()
        .any(|(n, _)| n.to_ascii_lowercase().starts_with("x-envoy-"));
    let mut f = Finding {
        format: "envoy",
        vendor: Some("envoy"),
        vendor_code: Some((*phrase).to_string()),
        message: message(text),
        confidence: if by_envoy || envoy_header { 0.95 } else { 0.75 },
        ..Finding::default()
    };
    // "... reset reason: connection failure, transport failure reason: ..." - the reason is the exact code.
    if let Some((_, reason)) = text.rsplit_once("reset reason: ") {
        let reason = reason.split(',').next().unwrap_or(reason).trim();
        if !reason.is_empty() {
            f.vendor_code = Some(reason.to_string());
            f.evidence.push(format!("reset reason {reason}"));
        }
    }
    f.evidence
        .push(format!("body: Envoy local reply \"{phrase}\""));
    if let Some(s) = server {
        if by_envoy {
            f.evidence.push(format!("Server: {s}"));
        }
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::super::cases::{run, run_body};
    use super::*;

    #[test]
    fn reads_a_connect_failure() {
        let f = run(parse, "envoy_1").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("connection failure"));
        assert!(f.confidence > 0.9);
    }

    #[test]
    fn reads_no_healthy_upstream() {
        let f = run(parse, "envoy_2").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("no healthy upstream"));
    }

    #[test]
    fn reads_the_latest_reset_reason_after_retries() {
        let f = run(parse, "envoy_3").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("remote connection failure"));
    }

    #[test]
    fn reads_an_istio_rbac_denial() {
        let f = run(parse, "envoy_4").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("RBAC: access denied"));
    }

    #[test]
    fn other_plain_text_is_not_envoy() {
        assert!(run_body(parse, 502, "Bad Gateway").is_none());
        assert!(run_body(parse, 503, "Service Unavailable: upstream overloaded").is_none());
    }
}
