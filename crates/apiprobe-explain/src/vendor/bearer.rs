//! Auth challenges as evidence: RFC 6750 `WWW-Authenticate: Bearer error="invalid_token"`, other schemes'
//! challenges on a 401, and `Proxy-Authenticate` on a 407. Read beside the body, not instead of it.

use super::{msg, Body, Finding};
use crate::headers::challenge;

/// A finding from `WWW-Authenticate` / `Proxy-Authenticate`, when the response carries one.
pub(crate) fn challenge_finding(b: &Body<'_>) -> Option<Finding> {
    let (header, value) = match (b.header("www-authenticate"), b.header("proxy-authenticate")) {
        (_, Some(p)) if b.status == 407 => ("Proxy-Authenticate", p),
        (Some(w), _) => ("WWW-Authenticate", w),
        (None, Some(p)) => ("Proxy-Authenticate", p),
        (None, None) => return None,
    };
    let c = challenge(value)?;
    let mut f = Finding {
        format: "bearer",
        vendor: Some("bearer"),
        confidence: 0.85,
        ..Finding::default()
    };
    match c.param("error") {
        Some(code) => {
            f.vendor_code = Some(code.to_string());
            f.evidence.push(format!("{header} error={code}"));
            // The table leaves invalid_token out: error_description tells expired from revoked from bad.
            if code == "invalid_token" {
                f.maps_to = Some("TOKEN_INVALID".to_string());
            }
        }
        None if header == "Proxy-Authenticate" => {
            f.maps_to = Some("PROXY_AUTH_REQUIRED".to_string());
            f.evidence.push(format!("{header}: {} challenge", c.scheme));
        }
        // RFC 6750 section 3.1: a Bearer challenge without an error code answers a request that sent no
        // credentials. Other schemes (Basic, RFC 7617) challenge missing and wrong credentials alike.
        None if b.status == 401 => {
            if c.scheme.eq_ignore_ascii_case("bearer") {
                f.maps_to = Some("MISSING_CREDENTIALS".to_string());
            }
            f.evidence.push(format!(
                "{header}: {} challenge without an error code",
                c.scheme
            ));
            f.confidence = 0.7;
        }
        None => return None,
    }
    f.message = c.param("error_description").and_then(msg);
    f.permission = c.param("scope").map(str::to_string);
    if let Some(realm) = c.param("realm") {
        f.resource = Some(realm.to_string());
    }
    Some(f)
}
