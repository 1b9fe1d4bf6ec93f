//! JSON-RPC 2.0 error objects (`{"jsonrpc":"2.0","error":{"code":-32601,"message":..,"data":..},"id":..}`),
//! alone or inside a batch array, whatever the HTTP status (JSON-RPC servers usually answer 200).

use super::access::{code_of, message, str_of};
use super::{Body, Finding};
use crate::json::Value;

/// Recognises a JSON-RPC 2.0 error response; codes come from the spec's reserved range or the server's own.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let json = b.json?;
    // A batch answer is an array of responses: the first one carrying an error speaks for the batch.
    let resp = match json {
        Value::Array(items) => items.iter().find(|r| is_error_response(r))?,
        v if is_error_response(v) => v,
        _ => return None,
    };
    let err = resp.get("error")?;
    let code = err.get("code")?.as_i64()?;
    let mut f = Finding {
        format: "jsonrpc",
        vendor: Some("jsonrpc"),
        vendor_code: code_of(err, "code"),
        message: str_of(err, "message").and_then(message),
        confidence: 0.9,
        ..Finding::default()
    };
    f.evidence
        .push(format!("body: JSON-RPC 2.0 error object, code {code}"));
    if b.status == 200 {
        f.evidence
            .push("error carried inside a 200 response".to_string());
    }
    // -32000..-32099 is "reserved for implementation-defined server-errors": the spec gives no finer meaning.
    if (-32099..=-32000).contains(&code) {
        f.maps_to = Some("INTERNAL_ERROR".to_string());
        f.confidence = 0.6;
    }
    if let Some(data) = err.get("data") {
        f.field = str_of(data, "param")
            .or_else(|| str_of(data, "field"))
            .map(str::to_string);
        f.resource = str_of(data, "method").map(str::to_string);
    }
    Some(f)
}

fn is_error_response(v: &Value) -> bool {
    str_of(v, "jsonrpc") == Some("2.0")
        && v.get("error")
            .is_some_and(|e| e.get("code").is_some_and(Value::is_i64) && e.get("message").is_some())
}

#[cfg(test)]
mod tests {
    use super::super::cases::{run, run_body};
    use super::*;

    #[test]
    fn reads_the_spec_method_not_found_example() {
        let f = run(parse, "jsonrpc_1").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("-32601"));
        assert_eq!(f.message.as_deref(), Some("Method not found"));
        assert!(f.evidence.iter().any(|e| e.contains("inside a 200")));
    }

    #[test]
    fn reads_the_first_error_of_a_batch() {
        let f = run(parse, "jsonrpc_2").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("-32600"));
        assert_eq!(f.message.as_deref(), Some("Invalid Request"));
    }

    #[test]
    fn server_error_range_falls_back_to_internal_error() {
        let f = run(parse, "jsonrpc_3").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("-32000"));
        assert_eq!(f.maps_to.as_deref(), Some("INTERNAL_ERROR"));
    }

    #[test]
    fn names_the_method_from_data() {
        let f = run(parse, "jsonrpc_4").unwrap();
        assert_eq!(f.resource.as_deref(), Some("tools/unknown_action"));
    }

    #[test]
    fn ignores_success_and_other_versions() {
        assert!(run_body(parse, 200, r#"{"jsonrpc":"2.0","result":19,"id":1}"#).is_none());
        assert!(run_body(
            parse,
            200,
            r#"{"jsonrpc":"1.0","error":{"code":1,"message":"x"}}"#
        )
        .is_none());
        assert!(run_body(parse, 400, r#"{"error":{"code":-32601,"message":"x"}}"#).is_none());
    }
}
