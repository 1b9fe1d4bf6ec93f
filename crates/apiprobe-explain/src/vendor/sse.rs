//! Errors inside a Server-Sent Events stream (usually a 200): an `event: error` whose `data:` is JSON, or
//! a `data:` line carrying an `{"error": ...}` object, as LLM streaming APIs send mid-stream.

use super::access::{has, message, str_of};
use super::{anthropic, openai, Body, Finding};
use crate::json::Value;

/// Recognises the first error event of an event stream and reads its data with the matching JSON parser.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let stream = b
        .header("content-type")
        .is_some_and(|c| c.starts_with("text/event-stream"));
    // Only a `data:` line can carry an event's data: other bodies are turned down without walking lines.
    if !has(b.text, "data:") {
        return None;
    }
    let mut event = "";
    let mut data = String::new();
    // Events are separated by blank lines; `data:` lines of one event are joined with newlines.
    for line in b.text.lines().chain(std::iter::once("")) {
        if line.is_empty() {
            if !data.is_empty() {
                if let Some(f) = error_event(b, event, &data, stream) {
                    return Some(f);
                }
            }
            event = "";
            data.clear();
        } else if let Some(v) = line.strip_prefix("event:") {
            event = v.trim();
        } else if let Some(v) = line.strip_prefix("data:") {
            if !data.is_empty() {
                data.push('\n');
            }
            data.push_str(v.strip_prefix(' ').unwrap_or(v));
        }
    }
    None
}

fn error_event(b: &Body<'_>, event: &str, data: &str, stream: bool) -> Option<Finding> {
    let named = event == "error";
    if !(named || stream) {
        return None;
    }
    let json: Value = crate::json::parse(data).ok()?;
    if !(named || json.get("error").is_some()) {
        return None;
    }
    let inner = Body::new(b.status, b.headers, data, Some(&json));
    let mut f = anthropic::from_json(&json)
        .or_else(|| openai::parse(&inner))
        .unwrap_or_else(|| {
            let err = json.get("error").unwrap_or(&json);
            Finding {
                vendor_code: str_of(err, "code")
                    .or_else(|| str_of(err, "type"))
                    .map(str::to_string),
                message: str_of(err, "message")
                    .or_else(|| err.as_str())
                    .and_then(message),
                confidence: 0.6,
                ..Finding::default()
            }
        });
    if f.vendor_code.is_none() && f.message.is_none() {
        return None;
    }
    let inner_format = f.format;
    f.format = "sse";
    f.evidence.insert(
        0,
        format!(
            "body: event stream error event{}",
            if named { " (event: error)" } else { "" }
        ),
    );
    if !inner_format.is_empty() {
        f.evidence
            .push(format!("event data read as {inner_format}"));
    }
    if b.status == 200 {
        f.evidence
            .push("error carried inside a 200 response".to_string());
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::super::cases::{run, run_body};
    use super::*;

    #[test]
    fn reads_an_anthropic_overloaded_event() {
        let f = run(parse, "sse_1").unwrap();
        assert_eq!(f.vendor, Some("anthropic"));
        assert_eq!(f.vendor_code.as_deref(), Some("overloaded_error"));
    }

    #[test]
    fn reads_an_openai_error_in_data() {
        let f = run(parse, "sse_2").unwrap();
        assert_eq!(f.vendor, Some("openai"));
        assert_eq!(f.vendor_code.as_deref(), Some("server_error"));
    }

    #[test]
    fn reads_a_generic_error_event() {
        let f = run(parse, "sse_3").unwrap();
        assert_eq!(f.vendor, None);
        assert_eq!(f.message.as_deref(), Some("Internal server error"));
    }

    #[test]
    fn ordinary_events_are_not_errors() {
        assert!(run_body(
            parse,
            200,
            "event: message_start\ndata: {\"type\":\"message_start\"}\n\n"
        )
        .is_none());
    }
}
