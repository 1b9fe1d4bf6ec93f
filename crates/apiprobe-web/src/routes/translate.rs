//! `/api/v1/translate`: another tool's code (`?tool=curl&code=60`) or a line of its output (`?text=...`)
//! to our catalog code, as a [`Report`].

use crate::asset::{Asset, CACHE_CATALOG, CACHE_NONE, JSON};
use crate::body::Params;
use crate::error::{AppError, Field};
use crate::site::to_json;
use crate::state::AppState;
use apiprobe_catalog::{Catalog, Report};
use axum::extract::State;
use axum::response::Response;
use http::HeaderMap;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub(crate) struct TranslateQuery {
    tool: Option<String>,
    code: Option<String>,
    text: Option<String>,
}

/// The report for a tool's own code, from the catalog's alias tables.
pub(crate) fn translate_alias(
    catalog: &Catalog,
    tool: &str,
    code: &str,
) -> Result<Report, AppError> {
    let Some((entry, alias)) = catalog.by_alias(tool, code) else {
        return Err(AppError::UnknownAlias {
            tool: tool.chars().take(50).collect(),
            code: code.chars().take(100).collect(),
            hint: alias_hint(catalog, tool, code),
        });
    };
    let mut r = Report::default();
    r.set_entry(entry);
    r.format = Some(alias.tool.clone());
    r.vendor = Some(alias.tool.clone());
    r.vendor_code = Some(alias.code.clone());
    r.message = alias.text.clone();
    r.phase = entry.phase;
    r.confidence = 1.0;
    let named = alias
        .name
        .as_deref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    r.evidence
        .push(format!("{} code {}{named}", alias.tool, alias.code));
    r.next_steps = entry.fixes.clone();
    Ok(r)
}

/// " (did you mean ...)" for an unknown tool or code.
fn alias_hint(catalog: &Catalog, tool: &str, code: &str) -> String {
    let tools = catalog.alias_tools();
    let tool_l = tool.trim().to_ascii_lowercase();
    if !tools.contains(&tool_l.as_str()) {
        return if tools.is_empty() {
            " (the catalog has no aliases)".to_owned()
        } else {
            format!(" (known tools: {})", tools.join(", "))
        };
    }
    let code_l = code.trim().to_ascii_lowercase();
    let best = catalog
        .entries()
        .iter()
        .flat_map(|e| e.aliases.iter())
        .filter(|a| a.tool == tool_l)
        .map(|a| {
            (
                strsim::levenshtein(&a.code.to_ascii_lowercase(), &code_l),
                &a.code,
            )
        })
        .min_by_key(|(d, _)| *d);
    match best {
        Some((d, c)) if d <= 3 => format!(" (did you mean '{c}'?)"),
        _ => String::new(),
    }
}

pub(crate) async fn translate(
    State(s): State<AppState>,
    Params(q): Params<TranslateQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let nonempty = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let (report, cache) = match (nonempty(&q.text), nonempty(&q.tool), nonempty(&q.code)) {
        (Some(text), None, None) => (
            apiprobe_explain::explain_text(&s.catalog, &text).ok_or(AppError::NotRecognised)?,
            // Log lines can hold private host names and addresses.
            CACHE_NONE,
        ),
        (None, Some(tool), Some(code)) => {
            (translate_alias(&s.catalog, &tool, &code)?, CACHE_CATALOG)
        }
        _ => {
            return Err(AppError::InvalidQuery(
                "give either tool and code (?tool=curl&code=60) or text (?text=...)".to_owned(),
            )
            .at(Field::parameter("tool"))
            .at(Field::parameter("code"))
            .at(Field::parameter("text")))
        }
    };
    Ok(Asset::dynamic(JSON, cache, to_json(&report)?).respond(&headers))
}
