//! The plain reader of a batch line: a log line, or a JSON object read with serde. It reads every form
//! the batch format allows (`raw`, header lists, numbers and lists as header values) and gives the
//! error messages; [`super::scan`] is a faster reader of the one common form, checked against this one.

use crate::reading::{explain_parts, Steps};
use apiprobe_catalog::{Catalog, Report};
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::borrow::Cow;
use std::fmt;

/// Headers as an object (`{"name": "value"}`), or a list of `[name, value]` pairs; values may be strings,
/// numbers or lists of strings (repeated headers).
pub(super) struct Headers(pub(super) Vec<(String, String)>);

impl<'de> Deserialize<'de> for Headers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Headers;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of header names to values, or a list of [name, value] pairs")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Headers, A::Error> {
                let mut out = Vec::new();
                while let Some(name) = m.next_key::<Cow<'de, str>>()? {
                    match m.next_value::<HeaderValue>()? {
                        HeaderValue::One(v) => out.push((name.into_owned(), v)),
                        HeaderValue::Many(vs) => {
                            out.extend(vs.into_iter().map(|v| (name.to_string(), v)))
                        }
                        // Raised here, after the value, so the position in the message is the one
                        // serde_json gives an error found between values.
                        HeaderValue::Bad => return Err(serde::de::Error::custom(NO_HEADER_FORM)),
                    }
                }
                Ok(Headers(out))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut s: A,
            ) -> Result<Headers, A::Error> {
                let mut out = Vec::new();
                while let Some((n, v)) = s.next_element::<(String, String)>()? {
                    out.push((n, v));
                }
                Ok(Headers(out))
            }
            fn visit_unit<E>(self) -> Result<Headers, E> {
                Ok(Headers(Vec::new()))
            }
        }
        d.deserialize_any(V)
    }
}

enum HeaderValue {
    One(String),
    Many(Vec<String>),
    /// Neither a string, a number nor a list of strings (the whole value was read).
    Bad,
}

/// The message serde gives when no form of a header value fits; kept word for word because it is part
/// of the `error` text batch output carries for such a line.
const NO_HEADER_FORM: &str = "data did not match any variant of untagged enum Raw";

impl<'de> Deserialize<'de> for HeaderValue {
    /// Reads a string, a number or a list of strings straight from the input (no buffering of the value
    /// to try each form in turn); anything else is consumed whole and then refused.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = HeaderValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, a number or a list of strings")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<HeaderValue, E> {
                Ok(HeaderValue::One(v.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<HeaderValue, E> {
                Ok(HeaderValue::One(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<HeaderValue, E> {
                Ok(HeaderValue::One(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<HeaderValue, E> {
                Ok(HeaderValue::One(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<HeaderValue, E> {
                Ok(serde_json::Number::from_f64(v)
                    .map_or(HeaderValue::Bad, |n| HeaderValue::One(n.to_string())))
            }
            fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<HeaderValue, E> {
                Ok(HeaderValue::Bad)
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<HeaderValue, E> {
                Ok(HeaderValue::Bad)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<HeaderValue, A::Error> {
                while m
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(HeaderValue::Bad)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut s: A,
            ) -> Result<HeaderValue, A::Error> {
                let mut out = Vec::new();
                let mut all_strings = true;
                while let Some(item) = s.next_element::<MaybeString>()? {
                    match item.0 {
                        Some(v) if all_strings => out.push(v),
                        _ => all_strings = false,
                    }
                }
                if all_strings {
                    Ok(HeaderValue::Many(out))
                } else {
                    Ok(HeaderValue::Bad)
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// Any JSON value, kept when it is a string: a list of header values is read to its end before a
/// non-string item refuses it, as the error position in the message depends on it.
struct MaybeString(Option<String>);

impl<'de> Deserialize<'de> for MaybeString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MaybeString;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<MaybeString, E> {
                Ok(MaybeString(Some(v.to_string())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<MaybeString, E> {
                Ok(MaybeString(Some(v)))
            }
            fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<MaybeString, A::Error> {
                while m
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(MaybeString(None))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut s: A,
            ) -> Result<MaybeString, A::Error> {
                while s.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(MaybeString(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// One input line.
#[derive(Deserialize)]
pub(super) struct Line<'a> {
    #[serde(default)]
    pub(super) status: Option<u16>,
    #[serde(default)]
    pub(super) headers: Option<Headers>,
    #[serde(default, borrow)]
    pub(super) body: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub(super) raw: Option<Cow<'a, str>>,
}

/// Explains one line (at most [`super::MAX_LINE`] bytes); the error string for a `LineError` otherwise.
pub(super) fn explain(catalog: &Catalog, line: &[u8]) -> Result<Report, String> {
    // A line that is not a JSON object is a log line from some client or proxy.
    if line.trim_ascii_start().first() != Some(&b'{') {
        let text = String::from_utf8_lossy(line);
        return crate::explain_text(catalog, &text).ok_or_else(|| {
            "not a JSON object, and no tool's error line recognised in it".to_string()
        });
    }
    let l: Line<'_> = serde_json::from_slice(line)
        .map_err(|e| format!("not a JSON object of a response: {e}"))?;
    if let Some(raw) = l.raw {
        let resp = crate::parse_raw(raw.as_bytes()).map_err(|e| e.to_string())?;
        return Ok(explain_parts(
            catalog,
            resp.status,
            &resp.headers,
            &resp.body,
            Steps::Specific,
        ));
    }
    let status = l.status.ok_or("no \"status\" (or \"raw\") member")?;
    if !(100..=999).contains(&status) {
        return Err(format!("status {status} is not an HTTP status"));
    }
    let headers = l.headers.map(|h| h.0).unwrap_or_default();
    let body = l.body.as_deref().unwrap_or("");
    Ok(explain_parts(
        catalog,
        status,
        &headers,
        body.as_bytes(),
        Steps::Specific,
    ))
}
