//! `POST /api/v1/explain`: a response as parts (`{"status","headers","body"}`) or raw text
//! (`{"raw": "..."}`: a whole response, or a log line from a client or server), answered with the
//! same [`Report`] the CLI prints.

use crate::asset::{Asset, CACHE_NONE, JSON};
use crate::body::{read_body, BodyType};
use crate::error::AppError;
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

/// The JSON request body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExplainRequest {
    status: Option<u16>,
    headers: Option<HeadersIn>,
    body: Option<String>,
    raw: Option<String>,
}

impl ExplainRequest {
    fn into_input(self) -> Result<ExplainInput, AppError> {
        match (self.status, self.raw) {
            (Some(_), Some(_)) => Err(AppError::InvalidField(
                "give either status (with headers and body) or raw, not both".to_owned(),
            )),
            (Some(status), None) => {
                if !(100..=999).contains(&status) {
                    return Err(AppError::InvalidField(format!(
                        "status {status} is outside 100-999"
                    )));
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
                    return Err(AppError::InvalidField(
                        "headers and body go with status; raw text stands alone".to_owned(),
                    ));
                }
                Ok(ExplainInput::Raw(raw))
            }
            (None, _) => Err(AppError::InvalidField(
                "give status (with optional headers and body) or a non-empty raw".to_owned(),
            )),
        }
    }
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
                    .map_err(|e| AppError::InvalidField(e.to_string()))?;
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
    let req: ExplainRequest =
        serde_json::from_slice(&bytes).map_err(|e| AppError::InvalidJson(e.to_string()))?;
    let report = explain_input(&s.catalog, req.into_input()?)?;
    Ok(Asset::dynamic(JSON, CACHE_NONE, to_json(&report)?).respond(&headers))
}
