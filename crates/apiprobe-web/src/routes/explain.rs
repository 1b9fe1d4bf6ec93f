//! `POST /api/v1/explain`: a response as parts (`{"status","headers","body"}`) or raw text
//! (`{"raw": "..."}`: a whole response, or a log line from a client or server), answered with the
//! same [`Report`] the CLI prints.

use crate::asset::{Asset, CACHE_NONE, JSON};
use crate::body::{read_body, BodyType};
use crate::error::{AppError, Field};
use crate::site::to_json;
use crate::state::AppState;
use apiprobe_catalog::{Catalog, Report};
use apiprobe_explain::HttpResponse;
use axum::body::Body;
use axum::extract::State;
use axum::response::Response;
use http::HeaderMap;
use serde::Deserialize;
use std::collections::BTreeMap;

/// What to explain.
#[derive(Debug)]
pub(crate) enum ExplainInput {
    /// A response given field by field.
    Parts {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Pasted text: a raw response when it starts with a status line, else log text.
    Raw(String),
}

/// Headers as an object (`{"Retry-After": "30"}`) or as pairs (`[["Retry-After", "30"]]`, which keeps
/// repeated names and order).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum HeadersIn {
    Map(BTreeMap<String, String>),
    Pairs(Vec<(String, String)>),
}

/// The JSON request body. A field may be left out but not given as `null`: the document types
/// each field without null.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExplainRequest {
    #[serde(default, deserialize_with = "status_number")]
    status: Option<u16>,
    #[serde(default, deserialize_with = "present")]
    headers: Option<HeadersIn>,
    #[serde(default, deserialize_with = "present")]
    body: Option<String>,
    #[serde(default, deserialize_with = "present")]
    raw: Option<String>,
}

/// The status as a JSON number with no fraction (`404` or `404.0`, both integers in JSON Schema),
/// within `u16`; `null` and anything else are refused.
fn status_number<'de, D>(d: D) -> Result<Option<u16>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let n = serde_json::Number::deserialize(d)?;
    n.as_u64()
        .or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && (0.0..=f64::from(u16::MAX)).contains(f))
                .map(|f| f as u64)
        })
        .and_then(|v| u16::try_from(v).ok())
        .map(Some)
        .ok_or_else(|| {
            serde::de::Error::custom(format!("status {n} is not an integer from 0 to 65535"))
        })
}

/// A field that is there: its value must be a `T`, so `null` is refused (absence is `default`).
fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

impl ExplainRequest {
    fn into_input(self) -> Result<ExplainInput, AppError> {
        match (self.status, self.raw) {
            (Some(_), Some(_)) => Err(AppError::InvalidField(
                "give either status (with headers and body) or raw, not both".to_owned(),
            )
            .at(Field::member("status"))
            .at(Field::member("raw"))),
            (Some(status), None) => {
                if !(100..=999).contains(&status) {
                    return Err(AppError::InvalidField(format!(
                        "status {status} is outside 100-999"
                    ))
                    .at(Field::member("status")));
                }
                let headers = match self.headers {
                    None => Vec::new(),
                    Some(HeadersIn::Map(m)) => m.into_iter().collect(),
                    Some(HeadersIn::Pairs(p)) => p,
                };
                Ok(ExplainInput::Parts {
                    status,
                    headers,
                    body: self.body.unwrap_or_default().into_bytes(),
                })
            }
            (None, Some(raw)) if !raw.trim().is_empty() => {
                if self.headers.is_some() || self.body.is_some() {
                    let mut e = AppError::InvalidField(
                        "headers and body go with status; raw text stands alone".to_owned(),
                    );
                    for (name, given) in [
                        ("headers", self.headers.is_some()),
                        ("body", self.body.is_some()),
                    ] {
                        if given {
                            e = e.at(Field::member(name));
                        }
                    }
                    return Err(e);
                }
                Ok(ExplainInput::Raw(raw))
            }
            (None, _) => Err(AppError::InvalidField(
                "give status (with optional headers and body) or a non-empty raw".to_owned(),
            )
            .at(Field::member("status"))
            .at(Field::member("raw"))),
        }
    }
}

/// The request body, or an error naming the member at fault (`status: invalid type: string ...`)
/// when the JSON is well-formed but a member is not what the document says.
fn parse_request(bytes: &[u8]) -> Result<ExplainRequest, AppError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        // Only a member whose value is not what the document says is named: a syntax error or a
        // cut body is about the text, wherever the parser was.
        let pointer = pointer_of(e.path());
        let inner = e.into_inner();
        let data = inner.classify() == serde_json::error::Category::Data;
        match pointer.filter(|_| data) {
            None => AppError::InvalidJson(inner.to_string()),
            Some(p) if p == "/headers" => AppError::InvalidJson(
                "headers: give an object of names to string values, or a list of [name, value] pairs"
                    .to_owned(),
            )
            .at(Field::Member(p)),
            Some(p) => {
                AppError::InvalidJson(format!("{}: {inner}", &p[1..])).at(Field::Member(p))
            }
        }
    })
}

/// A serde path as a JSON pointer (`/headers/0`); `None` at the top level or where the path is unknown.
fn pointer_of(path: &serde_path_to_error::Path) -> Option<String> {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Map { key } => {
                out.push('/');
                out.push_str(&key.replace('~', "~0").replace('/', "~1"));
            }
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Enum { .. } => {}
            Segment::Unknown => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Explains parts or raw text with the explain library.
pub(crate) fn explain_input(catalog: &Catalog, input: ExplainInput) -> Result<Report, AppError> {
    match input {
        ExplainInput::Parts {
            status,
            headers,
            body,
        } => Ok(apiprobe_explain::explain_response(
            catalog,
            &HttpResponse {
                status,
                headers,
                body,
            },
        )),
        ExplainInput::Raw(raw) => {
            if raw.trim_start().starts_with("HTTP/") {
                let resp = apiprobe_explain::parse_raw(raw.as_bytes())
                    .map_err(|e| AppError::UnreadableResponse(e.to_string()))?;
                Ok(apiprobe_explain::explain_response(catalog, &resp))
            } else {
                apiprobe_explain::explain_text(catalog, &raw).ok_or(AppError::NotRecognised)
            }
        }
    }
}

pub(crate) async fn explain(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    let bytes = read_body(&headers, body, BodyType::Json).await?;
    let req = parse_request(&bytes)?;
    let report = explain_input(&s.catalog, req.into_input()?)?;
    Ok(Asset::dynamic(JSON, CACHE_NONE, to_json(&report)?).respond(&headers))
}
