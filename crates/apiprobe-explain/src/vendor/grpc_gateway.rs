//! grpc-gateway JSON errors: `{"code":5,"message":"..","details":[..]}` where `code` is the numeric gRPC
//! status (v1 also repeats the message as `error`).

use super::access::{arr_of, message, str_of};
use super::{Body, Finding};

/// gRPC status names by number (grpc/grpc doc/statuscodes.md).
const STATUS: [&str; 17] = [
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
];

/// Recognises a grpc-gateway error body.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let json = b.json?;
    let obj = json.as_object()?;
    let code = usize::try_from(json.get("code")?.as_u64()?).ok()?;
    let name = STATUS.get(code).filter(|_| code != 0)?;
    let msg = str_of(json, "message")?;
    let details = arr_of(json, "details")?;
    // Only these members; anything else is another API that happens to use `code` and `message`.
    if !obj
        .keys()
        .all(|k| matches!(k, "code" | "message" | "details" | "error"))
    {
        return None;
    }
    let mut f = Finding {
        format: "grpc_gateway",
        vendor: Some("grpc"),
        vendor_code: Some((*name).to_string()),
        message: message(msg),
        confidence: 0.85,
        ..Finding::default()
    };
    f.evidence.push(format!(
        "body: grpc-gateway error, gRPC code {code} ({name})"
    ));
    for d in details {
        let ty = str_of(d, "@type").unwrap_or_default();
        if ty.ends_with("google.rpc.BadRequest") {
            f.field = d
                .get("fieldViolations")
                .and_then(|v| v.as_array()?.first())
                .and_then(|v| str_of(v, "field"))
                .map(str::to_string);
        } else if ty.ends_with("google.rpc.ErrorInfo") {
            if let Some(reason) = str_of(d, "reason") {
                f.evidence.push(format!("ErrorInfo reason {reason}"));
            }
        } else if ty.ends_with("google.rpc.RetryInfo") {
            f.retry_after_s = d
                .get("retryDelay")
                .and_then(|v| v.as_str())
                .and_then(|s| s.strip_suffix('s'))
                .and_then(|s| s.parse().ok());
        }
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::super::cases::{run, run_body};
    use super::*;

    #[test]
    fn reads_not_found() {
        let f = run(parse, "grpc_gateway_1").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("NOT_FOUND"));
    }

    #[test]
    fn reads_a_field_violation() {
        let f = run(parse, "grpc_gateway_2").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("INVALID_ARGUMENT"));
        assert_eq!(f.field.as_deref(), Some("name"));
    }

    #[test]
    fn reads_the_v1_form() {
        let f = run(parse, "grpc_gateway_3").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("UNAUTHENTICATED"));
    }

    #[test]
    fn other_code_message_bodies_are_not_grpc() {
        assert!(run_body(
            parse,
            404,
            r#"{"code":20404,"message":"x","more_info":"y","status":404}"#
        )
        .is_none());
        assert!(run_body(parse, 400, r#"{"code":3,"message":"x"}"#).is_none());
    }
}
