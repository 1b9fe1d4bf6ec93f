//! Twilio REST errors: `{"code":20404,"message":..,"more_info":"https://www.twilio.com/docs/errors/20404",
//! "status":404}`.

use super::access::{between, message, str_of};
use super::{Body, Finding};

/// Recognises a Twilio error by its numeric code and `more_info` link.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    let json = b.json?;
    let code = json.get("code")?.as_u64()?;
    let more = str_of(json, "more_info")?;
    if !more.contains("twilio.com") {
        return None;
    }
    let msg = str_of(json, "message");
    let mut f = Finding {
        format: "twilio",
        vendor: Some("twilio"),
        vendor_code: Some(code.to_string()),
        message: msg.and_then(message),
        confidence: 0.95,
        ..Finding::default()
    };
    f.evidence.push(format!("body: Twilio error {code}"));
    if let Some(m) = msg {
        // Twilio quotes parameter names: "The 'To' number +15005550001 is not a valid phone number."
        f.field = between(m, "'", "'")
            .filter(|s| !s.contains(' ') && !s.is_empty())
            .map(str::to_string);
        f.resource = between(m, "The requested resource ", " was not found").map(str::to_string);
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::super::cases::{run, run_body};
    use super::*;

    #[test]
    fn reads_a_missing_resource() {
        let f = run(parse, "twilio_1").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("20404"));
        assert_eq!(f.resource.as_deref(), Some("/2010-04-01/Accounts/ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Messages/SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX.json"));
    }

    #[test]
    fn reads_the_quoted_parameter() {
        let f = run(parse, "twilio_2").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("21211"));
        assert_eq!(f.field.as_deref(), Some("To"));
    }

    #[test]
    fn reads_an_authentication_failure() {
        let f = run(parse, "twilio_3").unwrap();
        assert_eq!(f.vendor_code.as_deref(), Some("20003"));
    }

    #[test]
    fn needs_the_twilio_link() {
        assert!(run_body(
            parse,
            404,
            r#"{"code":5,"message":"x","more_info":"https://example.com"}"#
        )
        .is_none());
    }
}
