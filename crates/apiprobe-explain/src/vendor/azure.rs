//! Azure Resource Manager, Microsoft Graph and OData JSON errors: `{"error": {"code": "..", "message": "..",
//! "target": .., "details": [..], "innererror": {..}}}`, the OData v3 `odata.error` with `message.value`, and
//! Azure Storage's XML `<Error><Code>` (sent with `x-ms-*` headers).

use super::{between, cat, msg, s, Body, Finding};
use crate::json::Value;

/// Recognises the Microsoft error shapes.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let ms_headers = b
        .headers
        .iter()
        .any(|(n, _)| n.starts_with("x-ms-") || n == "client-request-id");
    if let Some(v) = b.json {
        if let Some(e) = v.get("odata.error") {
            let code = s(e, "code")?;
            let message = e
                .get("message")
                .and_then(|m| s(m, "value").or_else(|| m.as_str()));
            return Some(finding(code, message, e, "body: OData error", 0.85));
        }
        let e = v.get("error")?;
        let code =
            s(e, "code").filter(|c| !c.is_empty() && !c.bytes().all(|x| x.is_ascii_digit()))?;
        let message = s(e, "message")?;
        if e.get("type").is_some() || e.get("status").is_some() {
            return None;
        }
        let shaped =
            inner_of(e).is_some() || e.get("details").is_some() || e.get("target").is_some();
        if !shaped && !ms_headers {
            return None;
        }
        return Some(finding(
            code,
            Some(message),
            e,
            "body: Azure/Graph error",
            if shaped { 0.9 } else { 0.8 },
        ));
    }
    // Azure Storage's XML errors only with Microsoft's headers: the same shape as S3's.
    if ms_headers && b.text.trim_start().starts_with('<') {
        let code = between(b.text, "<Code>", '<')?;
        let message = between(b.text, "<Message>", '<');
        let mut f = finding(
            code,
            message,
            &Value::Null,
            "body: Azure Storage XML error",
            0.85,
        );
        f.message = message.and_then(|m| msg(m.lines().next().unwrap_or(m)));
        // The extended error information Storage adds for a header or query parameter at fault.
        f.field = between(b.text, "<HeaderName>", '<')
            .or_else(|| between(b.text, "<QueryParameterName>", '<'))
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string);
        return Some(f);
    }
    None
}

fn finding(code: &str, message: Option<&str>, e: &Value, what: &str, confidence: f64) -> Finding {
    let mut f = Finding {
        format: "azure",
        vendor: Some("azure"),
        vendor_code: Some(code.to_string()),
        message: message.and_then(msg),
        field: s(e, "target").map(str::to_string),
        confidence,
        ..Finding::default()
    };
    f.evidence.push(cat([what, ", code ", code]));
    // The innermost code is the most specific (Graph nests them; ARM puts one in details[0]).
    let mut inner = inner_of(e);
    let mut depth = 0;
    while let Some(i) = inner {
        if let Some(c) = s(i, "code") {
            f.reason = Some(c.to_string());
        }
        inner = inner_of(i);
        depth += 1;
        if depth > 8 {
            break;
        }
    }
    if let Some(d) = e
        .get("details")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    {
        if f.reason.is_none() {
            f.reason = s(d, "code").map(str::to_string);
        }
        if f.field.is_none() {
            f.field = s(d, "target").map(str::to_string);
        }
        if let Some(m) = s(d, "message") {
            f.evidence
                .push(format!("details[0]: {}", crate::reading::clip(m, 160)));
        }
    }
    if let Some(r) = &f.reason {
        f.evidence.push(cat(["inner code ", r]));
    }
    if let Some(m) = message {
        // "... does not have authorization to perform action 'Microsoft.Compute/virtualMachines/read' over scope '/subscriptions/..'"
        f.permission = between(m, "perform action '", '\'').map(str::to_string);
        // ARM's not-found messages: "The Resource 'Microsoft.Network/virtualNetworks/x' under resource
        // group 'rg' was not found.", "Resource group 'rg' could not be found."
        f.resource = between(m, "over scope '", '\'')
            .or_else(|| between(m, "The Resource '", '\''))
            .or_else(|| between(m, "Resource group '", '\''))
            .map(str::to_string);
    }
    f
}

/// Graph spells it `innerError`, ARM and OData `innererror`.
fn inner_of<'a, 'j>(e: &'a Value<'j>) -> Option<&'a Value<'j>> {
    e.get("innererror").or_else(|| e.get("innerError"))
}
