//! SVG drawn on the server: the latency chart of a check and the 90-day uptime bar. Colours come
//! from classes in the stylesheet (no inline style, for the CSP, and dark mode for free).

use super::queries::DayCell;
use super::view::{num, when, Percent};
use crate::store::RollupRow;
use maud::{html, Markup, PreEscaped};

const W: f64 = 640.0;
const H: f64 = 200.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;

/// The smallest of 1, 2, 5 times a power of ten at or above `v`.
fn nice_ceiling(v: f64) -> f64 {
    if !(v.is_finite() && v > 0.0) {
        return 10.0;
    }
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|c| *c >= v)
        .unwrap_or(10.0 * p)
}

/// Polyline point lists for one series, broken where rollups are missing.
fn segments(
    rows: &[RollupRow],
    value: impl Fn(&RollupRow) -> Option<f64>,
    x: impl Fn(i64) -> f64,
    y: impl Fn(f64) -> f64,
    step_ms: i64,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut last: Option<i64> = None;
    for r in rows {
        let Some(v) = value(r) else {
            continue;
        };
        if last.is_some_and(|l| r.start_ms - l > step_ms * 3 / 2) && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(&format!("{:.1},{:.1}", x(r.start_ms), y(v)));
        last = Some(r.start_ms);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// p50 and p95 latency from `rows` (hourly or daily rollups) between `from_ms` and `to_ms`.
pub(crate) fn latency(
    rows: &[RollupRow],
    from_ms: i64,
    to_ms: i64,
    step_ms: i64,
    label: &str,
) -> Markup {
    let max = rows
        .iter()
        .filter_map(|r| r.p95_ms.or(r.p50_ms))
        .fold(0.0f64, f64::max);
    let top = nice_ceiling(max);
    let span = (to_ms - from_ms).max(1) as f64;
    let x = |t: i64| LEFT + (t - from_ms) as f64 / span * (W - LEFT - RIGHT);
    let y = |v: f64| TOP + (1.0 - (v / top).clamp(0.0, 1.0)) * (H - TOP - BOTTOM);
    let p50 = segments(rows, |r| r.p50_ms, x, y, step_ms);
    let p95 = segments(rows, |r| r.p95_ms, x, y, step_ms);
    let title = format!("Latency over {label}: p50 and p95");
    let has_data = !p50.is_empty() || !p95.is_empty();
    html! {
        svg.chart viewBox=(format!("0 0 {W} {H}")) role="img" aria-label=(title) {
            title { (title) }
            @for frac in [0.0, 0.5, 1.0] {
                line.grid x1=(num(LEFT)) x2=(num(W - RIGHT)) y1=(num(y(top * frac))) y2=(num(y(top * frac)));
                text.axis x=(num(LEFT - 6.0)) y=(num(y(top * frac) + 4.0)) text-anchor="end" { (super::view::millis(top * frac)) }
            }
            text.axis x=(num(LEFT)) y=(num(H - 8.0)) { (when(from_ms)) }
            text.axis x=(num(W - RIGHT)) y=(num(H - 8.0)) text-anchor="end" { (when(to_ms)) }
            @for pts in &p95 { polyline.p95 points=(pts); }
            @for pts in &p50 { polyline.p50 points=(pts); }
            @if !has_data {
                text.axis x=(num(W / 2.0)) y=(num(H / 2.0)) text-anchor="middle" { "No runs in this window" }
            }
        }
    }
}

/// The uptime class of a day: colour by how much of it was up.
fn day_class(c: &DayCell) -> &'static str {
    match c.ratio() {
        None if c.maintenance > 0 => "u-maint",
        None => "u-none",
        Some(r) if r >= 0.9995 => "u-ok",
        Some(r) if r >= 0.99 => "u-minor",
        Some(r) if r >= 0.95 => "u-partial",
        Some(_) => "u-major",
    }
}

/// The tooltip of one day. Displayed straight into the page, which escapes it: there is one per
/// cell, tens of thousands on a large status page, so none gets a string of its own.
struct DayTitle<'a> {
    cell: &'a DayCell,
    day: &'a str,
}

impl std::fmt::Display for DayTitle<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (c, day) = (self.cell, self.day);
        match c.ratio() {
            Some(r) => write!(f, "{day}: {} up, {} runs", Percent(r), c.runs)?,
            None => write!(f, "{day}: maintenance only")?,
        }
        if c.maintenance > 0 {
            write!(f, ", {} in maintenance", c.maintenance)?;
        }
        for (i, (code, n)) in c.top_codes.iter().enumerate() {
            f.write_str(if i == 0 { "; failures: " } else { ", " })?;
            write!(f, "{code} \u{d7}{n}")?;
        }
        Ok(())
    }
}

/// The dates of the `days` days ending with the day starting `today_ms`, oldest first: made once
/// per page, not once per cell.
pub(crate) fn day_labels(today_ms: i64, days: i64) -> Vec<String> {
    (0..days)
        .map(|i| {
            chrono::DateTime::from_timestamp_millis(
                today_ms - (days - 1 - i) * super::params::DAY_MS,
            )
            .map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
        })
        .collect()
}

/// The cells of `cells` on a bar of `labels.len()` days starting at `first_ms`, one `<rect>` with
/// its tooltip each; days outside the bar are left out.
pub(crate) fn day_cells<'a>(
    cells: impl Iterator<Item = &'a DayCell>,
    first_ms: i64,
    labels: &[String],
) -> Markup {
    html! {
        @for c in cells {
            @let i = (c.start_ms - first_ms).div_euclid(super::params::DAY_MS);
            @if let Some(day) = usize::try_from(i).ok().and_then(|i| labels.get(i)) {
                rect class=(day_class(c)) x=(i * 4) y="0" width="3" height="10" {
                    title { (DayTitle { cell: c, day }) }
                }
            }
        }
    }
}

/// The uptime bar: one cell per day of `labels` (starting at `first_ms`), `closed` the cells of the
/// closed days as [`day_cells`] drew them, then the `open` days; days without runs stay grey.
pub(crate) fn uptime_bar<'a>(
    closed: &str,
    open: impl Iterator<Item = &'a DayCell>,
    first_ms: i64,
    labels: &[String],
    label: &str,
) -> Markup {
    let days = labels.len();
    html! {
        svg.bar viewBox=(format!("0 0 {} 10", days * 4)) preserveAspectRatio="none" role="img" aria-label=(label) {
            rect.u-none x="0" y="0" width=(days * 4) height="10";
            (PreEscaped(closed))
            (day_cells(open, first_ms, labels))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_and_gaps() {
        assert_eq!(nice_ceiling(0.0), 10.0);
        assert_eq!(nice_ceiling(42.0), 50.0);
        assert_eq!(nice_ceiling(120.0), 200.0);
        assert_eq!(nice_ceiling(1000.0), 1000.0);
        let row = |h: i64, v: f64| RollupRow {
            start_ms: h * 3_600_000,
            runs: 1,
            ok: 1,
            degraded: 0,
            maintenance: 0,
            mean_ms: Some(v),
            p50_ms: Some(v),
            p95_ms: Some(v),
            p99_ms: Some(v),
            codes: Default::default(),
        };
        // Hours 0, 1, 2, then a gap, then 6: two segments.
        let rows = [row(0, 10.0), row(1, 20.0), row(2, 30.0), row(6, 40.0)];
        let segs = segments(&rows, |r| r.p50_ms, |t| t as f64, |v| v, 3_600_000);
        assert_eq!(segs.len(), 2);
        let svg = latency(&rows, 0, 7 * 3_600_000, 3_600_000, "24 h").into_string();
        assert_eq!(svg.matches("<polyline class=\"p50\"").count(), 2);
    }

    #[test]
    fn day_cells_carry_uptime_and_codes() {
        let c = DayCell {
            start_ms: 0,
            runs: 1000,
            ok: 990,
            maintenance: 0,
            top_codes: vec![("<b>".into(), 7)],
        };
        assert_eq!(day_class(&c), "u-minor");
        let labels = day_labels(0, 90);
        assert_eq!(labels[89], "1970-01-01");
        let first = -89 * super::super::params::DAY_MS;
        let svg = uptime_bar("", [c].iter(), first, &labels, "x").into_string();
        assert!(
            svg.contains("1970-01-01: 99.00% up, 1000 runs; failures: &lt;b&gt; \u{d7}7"),
            "{svg}"
        );
        assert!(
            svg.contains("x=\"356\""),
            "the last day is the last cell: {svg}"
        );
    }
}
