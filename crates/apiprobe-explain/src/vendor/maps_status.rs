//! Google Maps Platform web services: HTTP 200 whose `status` member says the request failed
//! (`REQUEST_DENIED`, `OVER_QUERY_LIMIT`, `INVALID_REQUEST`, ...), with an optional `error_message`.
//! `OK` and `ZERO_RESULTS` are answers, not errors: a search that found nothing still succeeded.

use super::{cat, msg, s, Body, Finding};

/// The statuses the Maps web services document as failures.
const FAILURES: &[&str] = &[
    "INVALID_REQUEST",
    "MAX_ELEMENTS_EXCEEDED",
    "MAX_DIMENSIONS_EXCEEDED",
    "MAX_WAYPOINTS_EXCEEDED",
    "MAX_ROUTE_LENGTH_EXCEEDED",
    "NOT_FOUND",
    "OVER_DAILY_LIMIT",
    "OVER_QUERY_LIMIT",
    "REQUEST_DENIED",
    "UNKNOWN_ERROR",
];

/// Recognises a top-level `status` string of the Maps vocabulary.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let v = b.json?;
    let status = s(v, "status")?;
    if !FAILURES.contains(&status) {
        return None;
    }
    // The vocabulary alone is not enough ("NOT_FOUND" is common): a Maps body has one of its result
    // members or its `error_message`, and no `error` envelope of another family.
    let shaped = [
        "error_message",
        "results",
        "result",
        "candidates",
        "predictions",
        "routes",
        "rows",
        "geocoded_waypoints",
        "html_attributions",
    ]
    .iter()
    .any(|k| v.get(k).is_some());
    if !shaped || v.get("error").is_some() {
        return None;
    }
    let mut f = Finding {
        format: "maps_status",
        vendor: Some("google_maps"),
        vendor_code: Some(status.to_string()),
        message: s(v, "error_message").and_then(msg),
        confidence: 0.85,
        ..Finding::default()
    };
    f.evidence
        .push(cat(["body: Maps-style \"status\": ", status]));
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Option<Finding> {
        let v = crate::json::parse(text).expect("json");
        parse(&Body::new(200, &[], text, Some(&v)))
    }

    #[test]
    fn failures_are_read_and_zero_results_is_not_one() {
        let f = read(r#"{"status":"OVER_QUERY_LIMIT","results":[]}"#).expect("failure");
        assert_eq!(f.vendor_code.as_deref(), Some("OVER_QUERY_LIMIT"));
        assert!(read(r#"{"status":"ZERO_RESULTS","results":[]}"#).is_none());
        assert!(read(r#"{"status":"OK","results":[]}"#).is_none());
        assert!(read(r#"{"status":"NOT_FOUND"}"#).is_none());
        let f = read(
            r#"{"status":"REQUEST_DENIED","error_message":"The provided API key is invalid."}"#,
        )
        .expect("failure");
        assert_eq!(
            f.message.as_deref(),
            Some("The provided API key is invalid.")
        );
    }
}
