//! The page frame and small pieces shared by the status pages. maud escapes every value, so check
//! names, URLs and messages render as text.

use apiprobe_web::page::Frame;
use maud::{html, Markup, PreEscaped};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything but unreserved characters (RFC 3986) is escaped in a path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A check name as one path segment.
pub(crate) fn seg(name: &str) -> String {
    utf8_percent_encode(name, SEGMENT).to_string()
}

/// The page of a check.
pub(crate) fn check_href(name: &str) -> String {
    format!("/status/{}", seg(name))
}

/// The reference entry of a code.
pub(crate) fn code_href(code: &str) -> String {
    format!("/codes/{}", seg(code))
}

/// `99.95%`: two decimals, never rounded up to 100% unless it is.
pub(crate) struct Percent(pub f64);

impl std::fmt::Display for Percent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = (self.0 * 10_000.0).floor() / 100.0;
        if p >= 100.0 {
            f.write_str("100%")
        } else {
            write!(f, "{p:.2}%")
        }
    }
}

/// [`Percent`] as a string.
pub(crate) fn percent(ratio: f64) -> String {
    Percent(ratio).to_string()
}

/// `42 ms`, `1.3 s`.
pub(crate) fn millis(ms: f64) -> String {
    if ms < 1000.0 {
        format!("{} ms", ms.round())
    } else {
        format!("{:.1} s", ms / 1000.0)
    }
}

/// A UTC time, `2026-12-04 15:02 UTC`.
pub(crate) fn when(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| "-".into())
}

/// A `<time>` element with the machine form in `datetime`.
pub(crate) fn time(ms: i64) -> Markup {
    let iso = chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default();
    html! { time datetime=(iso) { (when(ms)) } }
}

/// How long since `ms`: `3 min`, `5 h 2 min`, `4 d 3 h`.
pub(crate) fn age(ms: i64, now_ms: i64) -> String {
    let s = (now_ms - ms).max(0) / 1000;
    let (d, h, m) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
    if d > 0 {
        format!("{d} d {h} h")
    } else if h > 0 {
        format!("{h} h {m} min")
    } else if m > 0 {
        format!("{m} min")
    } else {
        format!("{s} s")
    }
}

/// How a state reads on the page.
pub(crate) fn state_label(state: &str) -> &'static str {
    match state {
        "up" => "Up",
        "degraded" => "Degraded",
        "down" => "Down",
        "maintenance" => "In maintenance",
        "paused" => "Paused",
        _ => "No data yet",
    }
}

/// A state as a coloured pill (colour and word, never colour alone).
pub(crate) fn pill(state: &str) -> Markup {
    let known = match state {
        "up" | "degraded" | "down" | "maintenance" | "paused" => state,
        _ => "unknown",
    };
    let class = format!("pill st-{known}");
    html! { span class=(class) { (state_label(state)) } }
}

/// The frame of the status pages: the reference's, with the status stylesheet and no script.
pub(crate) const FRAME: Frame = Frame {
    site: "apiprobe status",
    stylesheets: &["/static/app.css", super::STATUS_CSS_PATH],
    scripts: &[],
    nav: &[
        ("/status", "Status"),
        ("/reference", "Error reference"),
        ("/openapi.json", "JSON API"),
    ],
    footer:
        "Every failure carries a catalog code; follow it to the reference for causes and fixes.",
    api: "/api/v1/monitor",
    home: ("/status", "Back to the status page"),
};

/// A status page: `main` in [`FRAME`].
pub(crate) fn layout(title: &str, description: &str, main: Markup) -> Markup {
    apiprobe_web::page::layout(&FRAME, title, description, main)
}

/// A coordinate in SVG, one decimal.
pub(crate) fn num(v: f64) -> PreEscaped<String> {
    PreEscaped(format!("{v:.1}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_formats() {
        assert_eq!(percent(0.99999), "99.99%");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(0.5), "50.00%");
        assert_eq!(millis(42.4), "42 ms");
        assert_eq!(millis(1340.0), "1.3 s");
        assert_eq!(age(0, 3_725_000), "1 h 2 min");
        assert_eq!(seg("a b/<c>"), "a%20b%2F%3Cc%3E");
        assert_eq!(when(0), "1970-01-01 00:00 UTC");
        assert_eq!(
            pill("maintenance").into_string(),
            "<span class=\"pill st-maintenance\">In maintenance</span>"
        );
    }
}
