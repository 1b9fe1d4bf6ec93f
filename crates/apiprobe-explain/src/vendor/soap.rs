//! SOAP faults: 1.1 (`<faultcode>`, `<faultstring>`, `<faultactor>`) and 1.2 (`<Code><Value>`,
//! `<Subcode><Value>`, `<Reason><Text>`), whatever the envelope's namespace prefix.

use super::access::{has_start_tag, message, plain_text, xml_element};
use super::{Body, Finding};

/// Recognises a SOAP envelope whose body is a `Fault`.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let text = b.head;
    // The substring checks turn down other markup (HTML pages, S3 errors) without walking every tag.
    if !(text.starts_with('<')
        && has_start_tag(text, "Envelope")
        && has_start_tag(text, "Fault")
        && xml_element(text, "Envelope").is_some())
    {
        return None;
    }
    let fault = xml_element(text, "Fault")?;
    let (version, code, sub, reason) = if let Some(code) = xml_element(fault, "faultcode") {
        ("1.1", code, None, xml_element(fault, "faultstring"))
    } else {
        let code_el = xml_element(fault, "Code")?;
        let value = xml_element(code_el, "Value")?;
        let sub = xml_element(code_el, "Subcode").and_then(|s| xml_element(s, "Value"));
        let reason = xml_element(fault, "Reason").and_then(|r| xml_element(r, "Text"));
        ("1.2", value, sub, reason)
    };
    let code = local(code);
    if code.is_empty() {
        return None;
    }
    let mut f = Finding {
        format: "soap",
        vendor: Some("soap"),
        vendor_code: Some(code.to_string()),
        message: reason.and_then(|r| message(&plain_text(r))),
        confidence: 0.9,
        ..Finding::default()
    };
    f.evidence
        .push(format!("body: SOAP {version} fault, code {code}"));
    if let Some(sub) = sub.map(local).filter(|s| !s.is_empty()) {
        f.evidence.push(format!("fault subcode {sub}"));
    }
    // 1.1 codes may be refined with dots ("Client.Authentication"); the table knows the standard heads.
    if code.contains('.') {
        f.maps_to = code
            .split('.')
            .next()
            .and_then(standard_head)
            .map(str::to_string);
        f.confidence = 0.7;
    }
    if let Some(actor) = xml_element(fault, "faultactor").or_else(|| xml_element(fault, "Node")) {
        f.resource = message(actor);
    }
    Some(f)
}

/// The local part of a qualified name: `env:Sender` -> `Sender`, `sf:INVALID_LOGIN` -> `INVALID_LOGIN`.
fn local(qname: &str) -> &str {
    let q = qname.trim();
    q.rsplit(':').next().unwrap_or(q)
}

/// The probe code for a standard fault-code head, used only for dotted 1.1 refinements.
fn standard_head(head: &str) -> Option<&'static str> {
    match head {
        "Client" | "Sender" | "VersionMismatch" | "MustUnderstand" => Some("MALFORMED_REQUEST"),
        "Server" | "Receiver" => Some("INTERNAL_ERROR"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::cases::{run, run_body};
    use super::*;

    #[test]
    fn reads_a_soap_11_server_fault() {
        let f = run(parse, "soap_1").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("Server"));
        assert_eq!(f.message.as_deref(), Some("Server Error"));
    }

    #[test]
    fn reads_a_soap_12_fault_with_subcode() {
        let f = run(parse, "soap_2").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("Sender"));
        assert_eq!(f.message.as_deref(), Some("Sender Timeout"));
        assert!(f
            .evidence
            .iter()
            .any(|e| e == "fault subcode MessageTimeout"));
    }

    #[test]
    fn reads_a_vendor_fault_code() {
        let f = run(parse, "soap_3").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("INVALID_LOGIN"));
        assert!(f
            .message
            .unwrap()
            .starts_with("INVALID_LOGIN: Invalid username"));
    }

    #[test]
    fn reads_a_mustunderstand_fault() {
        let f = run(parse, "soap_4").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("MustUnderstand"));
    }

    #[test]
    fn dotted_codes_fall_back_to_their_head() {
        let body = "<soap:Envelope xmlns:soap=\"x\"><soap:Body><soap:Fault><faultcode>soap:Client.Auth</faultcode>\
                    <faultstring>bad</faultstring></soap:Fault></soap:Body></soap:Envelope>";
        let f = run_body(parse, 500, body).unwrap();
        assert_eq!(f.maps_to.as_deref(), Some("MALFORMED_REQUEST"));
    }

    #[test]
    fn ignores_envelopes_without_faults_and_other_xml() {
        assert!(run_body(
            parse,
            200,
            "<e:Envelope><e:Body><r>ok</r></e:Body></e:Envelope>"
        )
        .is_none());
        assert!(run_body(
            parse,
            403,
            "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
        )
        .is_none());
    }
}
