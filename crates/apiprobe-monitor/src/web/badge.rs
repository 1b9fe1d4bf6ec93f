//! Shields-style SVG badges: `/badge/{check}/status.svg`, `/uptime.svg?window=30d`, `/latency.svg`.
//! Cacheable for a minute with an ETag, so a README with many badges costs little.

use super::api::{check_name, may_read, windowed};
use super::params::{Params, Window};
use super::problem::BadgeError;
use super::state::StatusState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use maud::html;
use sha2::{Digest, Sha256};

pub(crate) const GREEN: &str = "#2e7d32";
pub(crate) const YELLOW: &str = "#a15c00";
pub(crate) const RED: &str = "#c62828";
pub(crate) const BLUE: &str = "#1565c0";
pub(crate) const GREY: &str = "#555";

/// Approximate width of `text` in 11px Verdana, the shields font: wide letters count more.
fn text_width(text: &str) -> u32 {
    text.chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '!' | '|' | '\'' | ' ' => 4,
            'f' | 't' | 'r' | 'I' | '(' | ')' | '[' | ']' | '-' => 5,
            'm' | 'w' | 'M' | 'W' | '%' | '@' => 10,
            c if c.is_ascii_uppercase() => 8,
            c if c.is_ascii() => 7,
            _ => 11,
        })
        .sum()
}

/// A flat badge: `label` on grey, `message` on `color`. Both texts are escaped.
pub(crate) fn render(label: &str, message: &str, color: &str) -> String {
    let label: String = label.chars().take(40).collect();
    let message: String = message.chars().take(40).collect();
    let lw = text_width(&label) + 12;
    let mw = text_width(&message) + 12;
    let total = lw + mw;
    let title = format!("{label}: {message}");
    html! {
        svg xmlns="http://www.w3.org/2000/svg" width=(total) height="20" role="img" aria-label=(title) {
            title { (title) }
            linearGradient id="s" x2="0" y2="100%" {
                stop offset="0" stop-color="#bbb" stop-opacity=".1";
                stop offset="1" stop-opacity=".1";
            }
            clipPath id="r" { rect width=(total) height="20" rx="3" fill="#fff"; }
            g clip-path="url(#r)" {
                rect width=(lw) height="20" fill="#555";
                rect x=(lw) width=(mw) height="20" fill=(color);
                rect width=(total) height="20" fill="url(#s)";
            }
            g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11" {
                text x=(lw / 2) y="15" fill="#010101" fill-opacity=".3" { (label) }
                text x=(lw / 2) y="14" { (label) }
                text x=(lw + mw / 2) y="15" fill="#010101" fill-opacity=".3" { (message) }
                text x=(lw + mw / 2) y="14" { (message) }
            }
        }
    }
    .into_string()
}

/// The colour of a state.
pub(crate) fn state_color(state: &str) -> &'static str {
    match state {
        "up" => GREEN,
        "degraded" => YELLOW,
        "down" => RED,
        "maintenance" => BLUE,
        _ => GREY,
    }
}

fn uptime_color(ratio: f64) -> &'static str {
    if ratio >= 0.999 {
        GREEN
    } else if ratio >= 0.99 {
        YELLOW
    } else {
        RED
    }
}

/// Whether an `If-None-Match` header names `etag` (weak or strong, or `*`).
fn matches(headers: &HeaderMap, etag: &str) -> bool {
    headers.get_all(IF_NONE_MATCH).iter().any(|v| {
        v.to_str().is_ok_and(|v| {
            v.split(',').any(|t| {
                let t = t.trim();
                t == "*" || t.trim_start_matches("W/") == etag
            })
        })
    })
}

/// The badge with its ETag; `304 Not Modified` when the client has it.
fn answer(state: &StatusState, headers: &HeaderMap, svg: String) -> Response {
    let digest = Sha256::digest(svg.as_bytes());
    let etag = format!(
        "\"{}\"",
        digest[..12]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let cache = if state.suite().api.public_read {
        "public, max-age=60"
    } else {
        "private, max-age=60"
    };
    let mut res = if matches(headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = svg.into_response();
        r.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"));
        r
    };
    let h = res.headers_mut();
    h.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(ETAG, v);
    }
    res
}

pub(crate) async fn status(
    State(state): State<StatusState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, BadgeError> {
    let check = check_name(path)?;
    may_read(&state, &headers)?;
    Params::parse(uri.query(), &[])?;
    let views = state.known(&check).await?;
    let shown = super::model::overall(views.iter().map(|v| v.state));
    Ok(answer(
        &state,
        &headers,
        render(&check, shown, state_color(shown)),
    ))
}

pub(crate) async fn uptime(
    State(state): State<StatusState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, BadgeError> {
    let (check, w, since) = windowed(&state, path, &headers, &uri, Window::MONTH).await?;
    let up = state.inner.store.uptime(&check, since).await?;
    let label = format!("uptime {}", w.label());
    let svg = match up.ratio {
        Some(r) => render(&label, &super::view::percent(r), uptime_color(r)),
        None => render(&label, "no data", GREY),
    };
    Ok(answer(&state, &headers, svg))
}

pub(crate) async fn latency(
    State(state): State<StatusState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, BadgeError> {
    let (check, w, since) = windowed(&state, path, &headers, &uri, Window::DAY).await?;
    let rows = state.inner.store.rollups(&check, "hour", since).await?;
    let (mut sum, mut n) = (0.0, 0i64);
    for r in &rows {
        if let Some(m) = r.mean_ms {
            sum += m * r.runs as f64;
            n += r.runs;
        }
    }
    let label = format!("latency {}", w.label());
    let svg = if n > 0 {
        let mean = sum / n as f64;
        let color = if mean < 500.0 {
            GREEN
        } else if mean < 2000.0 {
            YELLOW
        } else {
            RED
        };
        render(&label, &super::view::millis(mean), color)
    } else {
        render(&label, "no data", GREY)
    };
    Ok(answer(&state, &headers, svg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn badges_escape_their_text() {
        let svg = render("<script>x</script>", "a&b\"c", RED);
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(
            svg.contains("&lt;script&gt;") && svg.contains("a&amp;b"),
            "{svg}"
        );
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    }

    #[test]
    fn if_none_match_forms() {
        let mut h = HeaderMap::new();
        h.insert(IF_NONE_MATCH, HeaderValue::from_static("\"a\", W/\"b\""));
        assert!(matches(&h, "\"b\"") && matches(&h, "\"a\"") && !matches(&h, "\"c\""));
        h.insert(IF_NONE_MATCH, HeaderValue::from_static("*"));
        assert!(matches(&h, "\"z\""));
    }
}
