//! PayPal REST API errors: `{"name":..,"message":..,"debug_id":..,"details":[{"field":..,"issue":..}]}`.

use super::access::{arr_of, message, str_of};
use super::{Body, Finding};

/// Recognises a PayPal error by its `name` + `debug_id` pair.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let json = b.json?;
    let name = str_of(json, "name")?;
    let debug_id = str_of(json, "debug_id")?;
    let detail = arr_of(json, "details").and_then(|d| d.first());
    let issue = detail.and_then(|d| str_of(d, "issue"));
    let mut f = Finding {
        format: "paypal",
        vendor: Some("paypal"),
        // The detail's issue is the fine-grained code; the name is the broad one.
        vendor_code: Some(issue.unwrap_or(name).to_string()),
        message: detail
            .and_then(|d| str_of(d, "description"))
            .or_else(|| str_of(json, "message"))
            .and_then(message),
        confidence: 0.9,
        ..Finding::default()
    };
    f.evidence
        .push(format!("body: PayPal error {name}, debug_id {debug_id}"));
    if let Some(issue) = issue {
        f.evidence.push(format!("detail issue {issue}"));
    }
    f.field = detail
        .and_then(|d| str_of(d, "field"))
        .map(|p| p.trim_start_matches('/').to_string())
        .filter(|p| !p.is_empty());
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::super::cases::{run, run_body};
    use super::*;

    #[test]
    fn reads_a_schema_violation_with_its_field() {
        let f = run(parse, "paypal_1").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("INVALID_PARAMETER_SYNTAX"));
        assert_eq!(
            f.field.as_deref(),
            Some("purchase_units/0/amount/currency_code")
        );
    }

    #[test]
    fn reads_a_declined_instrument() {
        let f = run(parse, "paypal_2").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("INSTRUMENT_DECLINED"));
    }

    #[test]
    fn reads_a_name_without_details() {
        let f = run(parse, "paypal_3").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("RESOURCE_NOT_FOUND"));
    }

    #[test]
    fn needs_a_debug_id() {
        assert!(run_body(parse, 400, r#"{"name":"ValidationError","message":"x"}"#).is_none());
    }
}
