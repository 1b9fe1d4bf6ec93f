//! AWS: XML `<Error><Code>..</Code><Message>..</Message></Error>` (S3; the Query APIs wrap it in
//! `<ErrorResponse>`, EC2 in `<Response><Errors>`), JSON `__type` (`com.amazon.coral.validate#ValidationException`)
//! and the `x-amzn-ErrorType` header (API Gateway, Lambda, the JSON protocols).

use super::access::{find, has_start_tag};
use super::{between, cat, msg, s, Body, Finding};
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

/// Which slot of [`XmlError`] the text of the element being read goes to.
#[derive(Clone, Copy)]
enum Slot {
    Code,
    Message,
    Resource,
    RequestId,
}

fn read_xml(text: &str) -> Option<XmlError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut out = XmlError::default();
    // The slot is settled at the start tag: `in_error` only changes there, and a start tag also ends the
    // element whose text was awaited.
    let mut current: Option<Slot> = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = e.local_name();
                let name = name.as_ref();
                if name == b"Error" {
                    out.in_error = true;
                }
                current = match name {
                    b"Code" if out.in_error => Some(Slot::Code),
                    b"Message" if out.in_error => Some(Slot::Message),
                    b"Resource" | b"Key" | b"BucketName" => Some(Slot::Resource),
                    b"RequestId" | b"RequestID" => Some(Slot::RequestId),
                    _ => None,
                };
            }
            Ok(Event::Text(t)) => {
                let slot = match current {
                    Some(Slot::Code) => &mut out.code,
                    Some(Slot::Message) => &mut out.message,
                    Some(Slot::Resource) => &mut out.resource,
                    Some(Slot::RequestId) => &mut out.request_id,
                    None => continue,
                };
                // The first text wins: later ones are not even unescaped.
                if slot.is_none() {
                    *slot = Some(t.unescape().map(|c| c.into_owned()).unwrap_or_default());
                }
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

/// What `text.split(sep).nth(1)` gives: the text after the first `sep`, up to the next one.
fn second_piece<'a>(text: &'a str, sep: &str) -> Option<&'a str> {
    let start = find(text, sep)? + sep.len();
    let rest = &text[start..];
    Some(find(rest, sep).map_or(rest, |end| &rest[..end]))
}

/// `com.amazon.coral.validate#ValidationException` -> `ValidationException`;
/// `ValidationException:http://internal.amazon.com/...` -> `ValidationException`.
fn short_type(t: &str) -> &str {
    let t = t.rsplit('#').next().unwrap_or(t);
    t.split(':').next().unwrap_or(t).trim()
}

/// `TopicArn`, `Attribute.Name`: a parameter's name, not a sentence.
fn is_identifier(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
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
        f.evidence.push(cat([
            "body: AWS XML error, Code ",
            x.code.as_deref().unwrap_or_default(),
        ]));
        f.vendor_code = x.code;
        f.message = x.message.as_deref().and_then(msg);
        f.resource = x.resource;
        if let Some(id) = x.request_id {
            f.evidence.push(cat(["RequestId ", &id]));
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
            Some(_) => cat(["body: AWS JSON error, __type ", code]),
            None => cat(["x-amzn-ErrorType ", code]),
        });
    } else {
        let code = header_type?;
        f.vendor_code = Some(code.to_string());
        f.message = msg(b.text);
        f.evidence.push(cat(["x-amzn-ErrorType ", code]));
        f.confidence = 0.8;
    }
    if let Some(m) = f.message.clone() {
        // "... is not authorized to perform: dynamodb:PutItem on resource: arn:aws:..."
        if let Some(p) = between(&m, "to perform: ", ' ')
            .or_else(|| second_piece(&m, "to perform: ").map(str::trim))
        {
            f.permission = Some(p.to_string());
        }
        if let Some(r) = second_piece(&m, "on resource: ") {
            f.resource = Some(r.split_whitespace().next().unwrap_or(r).to_string());
        }
        // "Value null at 'tableName' failed to satisfy constraint"
        if let Some(field) = between(&m, " at '", '\'') {
            f.field = Some(field.to_string());
        }
        // The Query APIs (SNS, SQS) may send a parameter error whose message is only the parameter.
        let names_a_parameter = f
            .vendor_code
            .as_deref()
            .is_some_and(|c| c.contains("Parameter"));
        if names_a_parameter && f.field.is_none() && is_identifier(&m) {
            f.field = Some(m.clone());
        }
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// `second_piece` is `split(sep).nth(1)` without the general searcher.
        #[test]
        fn second_piece_is_the_second_split(text in "[ab: ]{0,30}", sep in "[ab: ]{1,3}") {
            proptest::prop_assert_eq!(second_piece(&text, &sep), text.split(sep.as_str()).nth(1));
        }
    }

    #[test]
    fn reads_s3_xml() {
        let text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>NoSuchKey</Code>\n  <Message>The resource you requested does not exist</Message>\n  <Resource>/mybucket/myfoto.jpg</Resource>\n  <RequestId>4442587FB7D0A2F9</RequestId>\n</Error>";
        let f = parse(&Body::new(404, &[], text, None)).unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("NoSuchKey"));
        assert_eq!(f.resource.as_deref(), Some("/mybucket/myfoto.jpg"));
    }

    #[test]
    fn a_parameter_error_whose_message_is_a_name_names_the_field() {
        let text = "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>TopicArn</Message></Error></ErrorResponse>";
        let f = parse(&Body::new(400, &[], text, None)).expect("aws");
        assert_eq!(f.field.as_deref(), Some("TopicArn"));
        let text = "<ErrorResponse><Error><Code>InvalidParameter</Code><Message>Invalid parameter: Topic Name</Message></Error></ErrorResponse>";
        let f = parse(&Body::new(400, &[], text, None)).expect("aws");
        assert_eq!(f.field, None);
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
