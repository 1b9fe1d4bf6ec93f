//! AWS: XML `<Error><Code>..</Code><Message>..</Message></Error>` (S3; the Query APIs wrap it in
//! `<ErrorResponse>`, EC2 in `<Response><Errors>`), JSON `__type` (`com.amazon.coral.validate#ValidationException`)
//! and the `x-amzn-ErrorType` header (API Gateway, Lambda, the JSON protocols).

use super::access::has_start_tag;
use super::{between, msg, s, Body, Finding};
use quick_xml::events::Event;
use quick_xml::Reader;

/// The fields of the first `<Error>` element, read with a streaming reader (no recursion, no DOM).
#[derive(Default)]
struct XmlError {
    code: Option<String>,
    message: Option<String>,
    resource: Option<String>,
    request_id: Option<String>,
    in_error: bool,
}

fn read_xml(text: &str) -> Option<XmlError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut out = XmlError::default();
    let mut current: Option<Vec<u8>> = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = e.local_name().as_ref().to_vec();
                if name == b"Error" {
                    out.in_error = true;
                }
                current = Some(name);
            }
            Ok(Event::Text(t)) => {
                let Some(name) = current.as_deref() else {
                    continue;
                };
                let value = t.unescape().map(|c| c.into_owned()).unwrap_or_default();
                let slot = match name {
                    b"Code" if out.in_error => &mut out.code,
                    b"Message" if out.in_error => &mut out.message,
                    b"Resource" | b"Key" | b"BucketName" => &mut out.resource,
                    b"RequestId" | b"RequestID" => &mut out.request_id,
                    _ => continue,
                };
                slot.get_or_insert(value);
            }
            Ok(Event::End(e)) => {
                if e.local_name().as_ref() == b"Error" && out.code.is_some() {
                    return Some(out);
                }
                current = None;
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    out.code.is_some().then_some(out)
}

/// `com.amazon.coral.validate#ValidationException` -> `ValidationException`;
/// `ValidationException:http://internal.amazon.com/...` -> `ValidationException`.
fn short_type(t: &str) -> &str {
    let t = t.rsplit('#').next().unwrap_or(t);
    t.split(':').next().unwrap_or(t).trim()
}

/// Recognises the AWS error shapes; Azure Storage's look-alike XML (sent with `x-ms-*` headers) is left alone.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    if b.headers.iter().any(|(n, _)| n.starts_with("x-ms-")) {
        return None;
    }
    let header_type = b
        .header("x-amzn-errortype")
        .map(short_type)
        .filter(|t| !t.is_empty());
    let mut f = Finding {
        format: "aws",
        vendor: Some("aws"),
        confidence: 0.9,
        ..Finding::default()
    };
    let trimmed = b.head;
    if trimmed.starts_with('<') {
        // HTML pages and other XML reach here too: without `<Error` and `<Code` start tags (any prefix) the
        // reader below cannot find a code, so skip tokenising the whole document.
        if !(has_start_tag(trimmed, "Error") && has_start_tag(trimmed, "Code")) {
            return None;
        }
        let x = read_xml(trimmed)?;
        f.evidence.push(format!(
            "body: AWS XML error, Code {}",
            x.code.as_deref().unwrap_or_default()
        ));
        f.vendor_code = x.code;
        f.message = x.message.as_deref().and_then(msg);
        f.resource = x.resource;
        if let Some(id) = x.request_id {
            f.evidence.push(format!("RequestId {id}"));
        }
    } else if let Some(v) = b.json {
        let t = s(v, "__type").map(short_type).filter(|t| !t.is_empty());
        let code = t.or(header_type)?;
        f.vendor_code = Some(code.to_string());
        f.message = s(v, "message")
            .or_else(|| s(v, "Message"))
            .or_else(|| s(v, "errorMessage"))
            .and_then(msg);
        f.evidence.push(match t {
            Some(_) => format!("body: AWS JSON error, __type {code}"),
            None => format!("x-amzn-ErrorType {code}"),
        });
    } else {
        let code = header_type?;
        f.vendor_code = Some(code.to_string());
        f.message = msg(b.text);
        f.evidence.push(format!("x-amzn-ErrorType {code}"));
        f.confidence = 0.8;
    }
    if let Some(m) = f.message.clone() {
        // "... is not authorized to perform: dynamodb:PutItem on resource: arn:aws:..."
        if let Some(p) = between(&m, "to perform: ", ' ')
            .or_else(|| m.split("to perform: ").nth(1).map(str::trim))
        {
            f.permission = Some(p.to_string());
        }
        if let Some(r) = m.split("on resource: ").nth(1) {
            f.resource = Some(r.split_whitespace().next().unwrap_or(r).to_string());
        }
        // "Value null at 'tableName' failed to satisfy constraint"
        if let Some(field) = between(&m, " at '", '\'') {
            f.field = Some(field.to_string());
        }
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_s3_xml() {
        let text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>NoSuchKey</Code>\n  <Message>The resource you requested does not exist</Message>\n  <Resource>/mybucket/myfoto.jpg</Resource>\n  <RequestId>4442587FB7D0A2F9</RequestId>\n</Error>";
        let f = parse(&Body::new(404, &[], text, None)).unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("NoSuchKey"));
        assert_eq!(f.resource.as_deref(), Some("/mybucket/myfoto.jpg"));
    }

    #[test]
    fn ignores_xml_without_an_error_code() {
        let text = "<ListBucketResult><Name>x</Name></ListBucketResult>";
        assert!(parse(&Body::new(400, &[], text, None)).is_none());
        assert!(parse(&Body::new(400, &[], "<Error><Code>", None)).is_none());
    }

    #[test]
    fn short_type_strips_namespaces() {
        assert_eq!(
            short_type("com.amazon.coral.validate#ValidationException"),
            "ValidationException"
        );
        assert_eq!(
            short_type("ValidationException:http://internal.amazon.com/coral/x/"),
            "ValidationException"
        );
    }
}
