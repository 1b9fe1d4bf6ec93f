//! Google APIs (AIP-193): `{"error": {"code": 403, "message": .., "status": "PERMISSION_DENIED",
//! "details": [..]}}` with `google.rpc.ErrorInfo` (reason, metadata), `BadRequest` (fieldViolations),
//! `QuotaFailure`, `RetryInfo` and `ResourceInfo`; and the older `error.errors[]` with `domain`/`reason`.

use super::{between, cat, decimal, msg, s, Body, Finding};
use crate::json::Value;

/// Recognises the Google error envelope.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let err = b.json?.get("error")?;
    let code = err.get("code").and_then(Value::as_u64)?;
    let status =
        s(err, "status").filter(|x| x.bytes().all(|c| c.is_ascii_uppercase() || c == b'_'));
    let legacy = err
        .get("errors")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .filter(|e| s(e, "domain").is_some());
    let details = err.get("details").and_then(Value::as_array);
    let typed_details = details.is_some_and(|d| {
        d.iter()
            .any(|x| s(x, "@type").is_some_and(|t| t.contains("google.rpc.")))
    });
    if status.is_none() && legacy.is_none() && !typed_details {
        return None;
    }
    let message = s(err, "message");
    let mut f = Finding {
        format: "google",
        vendor: Some("google"),
        vendor_code: status.map(str::to_string),
        message: message.and_then(msg),
        confidence: 0.9,
        ..Finding::default()
    };
    f.evidence.push(cat([
        "body: Google error, code ",
        &decimal(code),
        status.map_or("", |_| " status "),
        status.unwrap_or_default(),
    ]));
    if let Some(l) = legacy {
        f.reason = s(l, "reason").map(str::to_string);
        if f.vendor_code.is_none() {
            f.vendor_code = f.reason.clone();
        }
        if let Some(d) = s(l, "domain") {
            f.evidence.push(cat(["error domain ", d]));
        }
        f.field = s(l, "location").map(str::to_string);
    }
    for d in details.into_iter().flatten() {
        let t = s(d, "@type").unwrap_or_default();
        let kind = t.rsplit('.').next().unwrap_or_default();
        match kind {
            "ErrorInfo" => {
                if let Some(r) = s(d, "reason") {
                    f.reason = Some(r.to_string());
                    f.evidence.push(cat(["ErrorInfo reason ", r]));
                }
                let meta = d.get("metadata");
                if let Some(p) = meta.and_then(|m| s(m, "permission")) {
                    f.permission = Some(p.to_string());
                }
                if let Some(svc) = meta
                    .and_then(|m| s(m, "service"))
                    .or_else(|| s(d, "domain"))
                {
                    f.resource.get_or_insert_with(|| svc.to_string());
                }
            }
            "BadRequest" => {
                if let Some(v) = d
                    .get("fieldViolations")
                    .and_then(Value::as_array)
                    .and_then(|a| a.first())
                {
                    f.field = s(v, "field").map(str::to_string);
                    if let Some(desc) = s(v, "description") {
                        f.evidence.push(cat(["field violation: ", desc]));
                    }
                    f.maps_to
                        .get_or_insert_with(|| "INVALID_FIELD_VALUE".to_string());
                }
            }
            "QuotaFailure" => {
                if let Some(v) = d
                    .get("violations")
                    .and_then(Value::as_array)
                    .and_then(|a| a.first())
                {
                    f.resource = s(v, "subject").map(str::to_string).or(f.resource.take());
                    if let Some(desc) = s(v, "description") {
                        f.evidence.push(cat(["quota violation: ", desc]));
                    }
                }
                f.maps_to = Some("QUOTA_EXCEEDED".to_string());
            }
            "RetryInfo" => {
                f.retry_after_s = s(d, "retryDelay").and_then(seconds);
                f.retryable = Some(true);
            }
            "ResourceInfo" => {
                f.resource = s(d, "resourceName")
                    .map(str::to_string)
                    .or(f.resource.take());
            }
            _ => {}
        }
    }
    if f.permission.is_none() {
        f.permission = message
            .and_then(|m| between(m, "Permission '", '\''))
            .map(str::to_string);
    }
    Some(f)
}

/// A protobuf Duration in JSON form: `"30s"`, `"1.5s"`.
fn seconds(d: &str) -> Option<f64> {
    let n: f64 = d.trim().strip_suffix('s')?.parse().ok()?;
    (n.is_finite() && n >= 0.0).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(body: &str) -> Option<Finding> {
        let json: Option<Value> = crate::json::parse(body).ok();
        parse(&Body::new(400, &[], body, json.as_ref()))
    }

    #[test]
    fn reads_error_info_and_retry_info() {
        let f = run(r#"{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"RATE_LIMIT_EXCEEDED","domain":"googleapis.com","metadata":{"service":"translate.googleapis.com"}},{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"30s"}]}}"#).unwrap();
        assert_eq!(f.reason.as_deref(), Some("RATE_LIMIT_EXCEEDED"));
        assert_eq!(f.retry_after_s, Some(30.0));
        assert_eq!(f.resource.as_deref(), Some("translate.googleapis.com"));
    }

    #[test]
    fn reads_the_legacy_errors_list() {
        let f = run(r#"{"error":{"errors":[{"domain":"usageLimits","reason":"dailyLimitExceeded","message":"Daily Limit Exceeded"}],"code":403,"message":"Daily Limit Exceeded"}}"#).unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("dailyLimitExceeded"));
    }

    #[test]
    fn leaves_other_error_envelopes_alone() {
        assert!(run(r#"{"error":{"code":"NotFound","message":"x"}}"#).is_none());
        assert!(run(r#"{"error":{"code":400,"message":"x","type":"OAuthException"}}"#).is_none());
    }
}
