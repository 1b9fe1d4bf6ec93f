//! GitHub REST: `{"message": .., "documentation_url": "https://docs.github.com/..", "errors": [{"resource",
//! "field", "code"}]}`; a 403/404 with `X-Accepted-OAuth-Scopes` beyond `X-OAuth-Scopes` names the scope.

use super::{cat, msg, s, Body, Finding};
use crate::json::Value;

/// Recognises a GitHub error by its documentation link or GitHub's own headers.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let v = b.json?;
    let message = s(v, "message")?;
    let by_doc = s(v, "documentation_url").is_some_and(|u| u.contains("github.com"));
    let by_header =
        b.header("x-github-request-id").is_some() || b.header("x-github-media-type").is_some();
    if !by_doc && !by_header {
        return None;
    }
    let mut f = Finding {
        format: "github",
        vendor: Some("github"),
        message: msg(message),
        confidence: if by_doc { 0.9 } else { 0.75 },
        ..Finding::default()
    };
    f.evidence.push(cat([
        "body: GitHub error \"",
        &crate::reading::clip(message, 80),
        "\"",
    ]));
    if let Some(e) = v
        .get("errors")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    {
        f.vendor_code = s(e, "code").map(str::to_string);
        f.field = s(e, "field").map(str::to_string);
        f.resource = s(e, "resource").map(str::to_string);
        if let Some(m) = s(e, "message") {
            f.message = msg(&cat([message, ": ", m]));
        }
        if let Some(c) = &f.vendor_code {
            f.evidence.push(cat(["errors[0].code ", c]));
        }
    }
    if let (Some(want), Some(have)) = (
        b.header("x-accepted-oauth-scopes"),
        b.header("x-oauth-scopes"),
    ) {
        let have: Vec<&str> = have.split(',').map(str::trim).collect();
        if let Some(missing) = want
            .split(',')
            .map(str::trim)
            .find(|w| !w.is_empty() && !have.contains(w))
        {
            f.permission = Some(missing.to_string());
            f.evidence.push(format!(
                "X-Accepted-OAuth-Scopes wants {missing}, the token has: {}",
                have.join(", ")
            ));
            if b.status == 403 || b.status == 404 {
                f.maps_to = Some("INSUFFICIENT_SCOPE".to_string());
            }
        }
    }
    Some(f)
}
