//! Docker / OCI distribution registry errors: `{"errors":[{"code":"UNAUTHORIZED","message":..,
//! "detail":[{"Type":"repository","Name":..,"Action":"pull"}]}]}`.

use super::access::{arr_of, message, str_of};
use super::{Body, Finding};
use crate::json::Value;

/// Error codes defined by the OCI distribution specification and Docker's registry.
const CODES: &[&str] = &[
    "BLOB_UNKNOWN",
    "BLOB_UPLOAD_INVALID",
    "BLOB_UPLOAD_UNKNOWN",
    "DIGEST_INVALID",
    "MANIFEST_BLOB_UNKNOWN",
    "MANIFEST_INVALID",
    "MANIFEST_UNKNOWN",
    "MANIFEST_UNVERIFIED",
    "NAME_INVALID",
    "NAME_UNKNOWN",
    "SIZE_INVALID",
    "TAG_INVALID",
    "UNAUTHORIZED",
    "DENIED",
    "UNSUPPORTED",
    "TOOMANYREQUESTS",
    "PAGINATION_NUMBER_INVALID",
    "RANGE_INVALID",
    "UNKNOWN",
];

/// Recognises a registry error: a spec code, or any upper-case code with the registry's API header.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let first = arr_of(b.json?, "errors")?.first()?;
    let code = str_of(first, "code")?;
    str_of(first, "message")?;
    let header = b.header("docker-distribution-api-version").is_some();
    let upper = !code.is_empty() && code.bytes().all(|c| c.is_ascii_uppercase() || c == b'_');
    if !(CODES.contains(&code) || header && upper) {
        return None;
    }
    let mut f = Finding {
        format: "oci_registry",
        vendor: Some("oci_registry"),
        vendor_code: Some(code.to_string()),
        message: str_of(first, "message").and_then(message),
        confidence: if header { 0.95 } else { 0.85 },
        ..Finding::default()
    };
    f.evidence.push(format!("body: registry error {code}"));
    // `detail` is free-form; for auth errors it lists the access that was needed.
    let access = match first.get("detail") {
        Some(Value::Array(a)) => a.first(),
        Some(v @ Value::Object(_)) => Some(v),
        _ => None,
    };
    if let Some(a) = access {
        f.resource = str_of(a, "Name")
            .or_else(|| str_of(a, "name"))
            .map(str::to_string);
        f.permission = str_of(a, "Action").map(str::to_string);
        if f.resource.is_none() {
            f.resource = str_of(a, "Tag")
                .or_else(|| str_of(a, "Digest"))
                .map(str::to_string);
        }
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::super::cases::{run, run_body};
    use super::*;

    #[test]
    fn reads_an_unauthorized_pull() {
        let f = run(parse, "oci_registry_1").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("UNAUTHORIZED"));
        assert_eq!(f.resource.as_deref(), Some("library/nosuchimage"));
        assert_eq!(f.permission.as_deref(), Some("pull"));
    }

    #[test]
    fn reads_an_unknown_manifest() {
        let f = run(parse, "oci_registry_2").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("MANIFEST_UNKNOWN"));
    }

    #[test]
    fn reads_the_pull_rate_limit() {
        let f = run(parse, "oci_registry_3").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("TOOMANYREQUESTS"));
    }

    #[test]
    fn other_coded_error_arrays_are_not_registry_errors() {
        assert!(run_body(
            parse,
            400,
            r#"{"errors":[{"code":"invalid","message":"x"}]}"#
        )
        .is_none());
    }
}
