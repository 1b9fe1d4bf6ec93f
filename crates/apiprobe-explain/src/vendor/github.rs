//! GitHub REST: `{"message": .., "documentation_url": "https://docs.github.com/..", "errors": [{"resource",
//! "field", "code"}]}`; a 403/404 whose token (`X-OAuth-Scopes`) has none of the scopes the action checks
//! for (`X-Accepted-OAuth-Scopes`, any one of which suffices) names the scope.

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
        let have: Vec<&str> = have
            .split(',')
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .collect();
        let mut wanted = want.split(',').map(str::trim).filter(|w| !w.is_empty());
        let granted = wanted
            .clone()
            .any(|w| have.iter().any(|h| scope_covers(h, w)));
        if let Some(missing) = wanted.next().filter(|_| !granted) {
            f.permission = Some(missing.to_string());
            f.evidence.push(format!(
                "X-Accepted-OAuth-Scopes wants {want}, the token has: {}",
                have.join(", ")
            ));
            if b.status == 403 || b.status == 404 {
                f.maps_to = Some("INSUFFICIENT_SCOPE".to_string());
            }
        }
    }
    Some(f)
}

/// Whether a token scope grants `wanted`, by GitHub's scope hierarchy: `repo` includes `public_repo` and
/// the `repo:` scopes, `user` the `user:` scopes and `read:user`, `admin:x` includes `write:x` and
/// `read:x`, and `write:x` includes `read:x`.
fn scope_covers(have: &str, wanted: &str) -> bool {
    if have == wanted {
        return true;
    }
    match have {
        "repo" => {
            wanted == "public_repo" || wanted.starts_with("repo:") || wanted == "repo_deployment"
        }
        "user" => wanted == "read:user" || wanted.starts_with("user:"),
        _ => {
            let Some((level, object)) = have.split_once(':') else {
                return false;
            };
            let Some((want_level, want_object)) = wanted.split_once(':') else {
                return false;
            };
            object == want_object
                && match level {
                    "admin" => matches!(want_level, "write" | "read"),
                    "write" => want_level == "read",
                    _ => false,
                }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scoped(status: u16, want: &str, have: &str) -> Finding {
        let text = r#"{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}"#;
        let headers = [
            ("x-accepted-oauth-scopes".to_string(), want.to_string()),
            ("x-oauth-scopes".to_string(), have.to_string()),
        ];
        let v = crate::json::parse(text).expect("json");
        parse(&Body::new(status, &headers, text, Some(&v))).expect("github")
    }

    #[test]
    fn a_scope_is_missing_only_when_the_token_has_none_the_action_accepts() {
        let f = scoped(404, "repo", "read:org, gist");
        assert_eq!(f.permission.as_deref(), Some("repo"));
        assert_eq!(f.maps_to.as_deref(), Some("INSUFFICIENT_SCOPE"));
        // Any one accepted scope is enough, and a broader scope includes the narrower ones.
        for (want, have) in [
            ("read:org, repo, user", "admin:org, repo"),
            ("read:org", "admin:org"),
            ("read:org", "write:org"),
            ("public_repo", "repo"),
            ("read:user", "user"),
            ("", "repo"),
        ] {
            let f = scoped(404, want, have);
            assert_eq!(f.permission, None, "{want} / {have}");
            assert_eq!(f.maps_to, None, "{want} / {have}");
        }
        assert_eq!(
            scoped(404, "write:org", "read:org").permission.as_deref(),
            Some("write:org")
        );
    }
}
