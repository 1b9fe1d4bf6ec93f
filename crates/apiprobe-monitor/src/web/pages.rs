//! The status pages: `/status` (every check, 90 days of uptime) and `/status/{check}` (latency,
//! uptime, failures by code, state changes, last runs).

use super::api::{check_name, may_read};
use super::chart;
use super::model::{overall, CheckView};
use super::params::{Params, DAY_MS, HOUR_MS};
use super::problem::PageError;
use super::queries::{day_start, ClosedBar};
use super::state::StatusState;
use super::view::{age, check_href, code_href, layout, millis, percent, pill, time};
use crate::store::RunQuery;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use std::collections::BTreeMap;

/// Days in the uptime bar.
const BAR_DAYS: i64 = 90;

fn page(markup: Markup) -> Response {
    let mut res = markup.into_string().into_response();
    let h = res.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

/// The sentence at the top of the page.
fn headline(state: &str, views: &[CheckView]) -> String {
    let count = |s: &str| views.iter().filter(|v| v.state == s).count();
    match state {
        "down" => format!("{} of {} checks down", count("down"), views.len()),
        "degraded" => format!("{} of {} checks degraded", count("degraded"), views.len()),
        "unknown" => "Some checks have not run yet".into(),
        "maintenance" => "Some checks are in maintenance".into(),
        "paused" => "All running checks up; some are paused".into(),
        _ if views.is_empty() => "No checks yet".into(),
        _ => "All checks up".into(),
    }
}

fn failure_line(v: &CheckView) -> Markup {
    html! {
        @if v.health == "down" {
            p.fail {
                @if let Some(code) = &v.code {
                    a.code href=(code_href(code)) { code { (code) } }
                    @if let Some(name) = &v.name { " " span.name { (name) } }
                    @if let Some(t) = &v.title { " \u{2013} " (t) }
                }
                @if let Some(m) = &v.message { br; span.msg { (m) } }
            }
        }
    }
}

pub(crate) async fn status(
    State(state): State<StatusState>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, PageError> {
    may_read(&state, &headers)?;
    Params::parse(uri.query(), &[])?;
    let now = super::now_ms();
    let views = state.views(state.inner.store.states().await?);
    let today = day_start(now);
    let first = today - (BAR_DAYS - 1) * DAY_MS;
    let days = state
        .inner
        .days
        .days(&state.inner.store, first, now)
        .await?;
    let top = overall(views.iter().map(|v| v.state));
    let labels = chart::day_labels(today, BAR_DAYS);
    // The closed days of every bar are drawn once and kept: only today's cells are drawn here.
    let closed = days.closed_bars(first, |cells| ClosedBar {
        svg: chart::day_cells(cells.iter(), first, &labels).into_string(),
        runs: cells.iter().map(|c| c.runs).sum(),
        ok: cells.iter().map(|c| c.ok).sum(),
    });
    let none = ClosedBar::default();
    // Suite, then location, then check.
    let mut groups: BTreeMap<&str, BTreeMap<&str, Vec<&CheckView>>> = BTreeMap::new();
    for v in &views {
        groups
            .entry(v.suite.as_str())
            .or_default()
            .entry(v.location.as_deref().unwrap_or(""))
            .or_default()
            .push(v);
    }
    let body = html! {
        h1 { "Status" }
        section class=(format!("overall st-{top}")) aria-live="polite" {
            p.big { (pill(top)) " " (headline(top, &views)) }
            p.muted { "As of " (time(now)) ". Uptime bars: one cell per day, the last " (BAR_DAYS) " days, UTC." }
        }
        @for (suite, locations) in &groups {
            h2 { "Suite " (suite) }
            @for (location, checks) in locations {
            @if !location.is_empty() { h3.loc { "From " (location) } }
            ul.checks {
                @for v in checks {
                    @let past = closed.get(&v.check).unwrap_or(&none);
                    @let (runs, ok) = days.open_cells(&v.check).fold((past.runs, past.ok), |(r, o), c| (r + c.runs, o + c.ok));
                    li.check id=(format!("check-{}", super::view::seg(&v.check))) {
                        div.head {
                            a.name href=(check_href(&v.check)) { (v.check) }
                            " " (pill(v.state))
                            @if let Some(since) = v.since_ms {
                                span.since { " since " (time(since)) " (" (age(since, now)) ")" }
                            }
                        }
                        (failure_line(v))
                        (chart::uptime_bar(&past.svg, days.open_cells(&v.check), first, &labels, &format!("Uptime of {} per day, last {BAR_DAYS} days", v.check)))
                        p.barlegend {
                            span { (BAR_DAYS) " days ago" }
                            span { @if runs > 0 { (percent(ok as f64 / runs as f64)) " uptime" } @else { "no runs counted" } }
                            span { "today" }
                        }
                    }
                }
            }
            }
        }
    };
    Ok(page(layout(
        "Status - apiprobe",
        "The state of every check, with 90 days of uptime",
        body,
    )))
}

pub(crate) async fn check(
    State(state): State<StatusState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, PageError> {
    let name = check_name(path)?;
    may_read(&state, &headers)?;
    Params::parse(uri.query(), &[])?;
    let views = state.known(&name).await?;
    let store = &state.inner.store;
    let now = super::now_ms();
    let top = overall(views.iter().map(|v| v.state));
    let windows = [
        ("24 hours", DAY_MS, "hour", HOUR_MS),
        ("7 days", 7 * DAY_MS, "hour", HOUR_MS),
        ("30 days", 30 * DAY_MS, "day", DAY_MS),
    ];
    let mut charts = Vec::new();
    let mut uptimes = Vec::new();
    for (label, span, period, step) in windows {
        let from = now - span;
        let rows = store
            .rollups(&name, period, from - from.rem_euclid(step))
            .await?;
        charts.push((label, chart::latency(&rows, from, now, step, label)));
        uptimes.push((label, store.uptime(&name, from).await?));
    }
    let failures = store.failures(&name, now - 30 * DAY_MS).await?;
    let events = store.events(&name, 50).await?;
    let runs = store
        .runs(&RunQuery {
            check: Some(name.clone()),
            limit: Some(50),
            ..RunQuery::default()
        })
        .await?;
    let catalog = &state.inner.catalog;
    let body = html! {
        p.crumbs { a href="/status" { "Status" } " / " (name) }
        h1 { (name) " " (pill(top)) }
        @for v in &views {
            div.locstate {
                p {
                    @if let Some(l) = &v.location { "From " strong { (l) } ": " }
                    (pill(v.state))
                    @if let Some(since) = v.since_ms { " since " (time(since)) " (" (age(since, now)) ")" }
                    @if let Some(ms) = v.last_total_ms { ", last run " (millis(ms)) }
                }
                p.muted { code { (v.url) } }
                (failure_line(v))
            }
        }
        section aria-labelledby="uptime" {
            h2 #uptime { "Uptime" }
            table.data {
                thead { tr { th scope="col" { "Window" } th scope="col" { "Uptime" } th scope="col" { "Runs counted" } } }
                tbody {
                    @for (label, u) in &uptimes {
                        tr { td { "Last " (label) } td { @if let Some(r) = u.ratio { (percent(r)) } @else { "-" } } td { (u.runs) } }
                    }
                }
            }
            p.muted { "Runs in maintenance windows do not count." }
        }
        section aria-labelledby="latency" {
            h2 #latency { "Latency" }
            p.legend { span.key-p50 { "p50" } " " span.key-p95 { "p95" } }
            @for (label, svg) in &charts {
                figure.chart { figcaption { "Last " (label) } (svg) }
            }
        }
        section aria-labelledby="failures" {
            h2 #failures { "Failures by code, last 30 days" }
            @if failures.is_empty() {
                p { "No failed runs in the kept history." }
            } @else {
                table.data {
                    thead { tr { th scope="col" { "Code" } th scope="col" { "What it means" } th scope="col" { "Runs" } th scope="col" { "First seen" } th scope="col" { "Last seen" } } }
                    tbody {
                        @for f in &failures {
                            @let e = catalog.get(&f.code);
                            tr {
                                td { a href=(code_href(&f.code)) { code { (f.code) } } }
                                td { @if let Some(e) = e { @if let Some(n) = &e.name { code { (n) } " " } (e.title) } }
                                td.num { (f.count) }
                                td { (time(f.first_ms)) }
                                td { (time(f.last_ms)) }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="changes" {
            h2 #changes { "State changes" }
            @if events.is_empty() {
                p { "No state changes recorded." }
            } @else {
                table.data {
                    thead { tr { th scope="col" { "When" } th scope="col" { "From" } th scope="col" { "Change" } th scope="col" { "Code" } th scope="col" { "Message" } } }
                    tbody {
                        @for e in &events {
                            tr {
                                td { (time(e.at_ms)) }
                                td { (e.location) }
                                td { (pill(&e.from)) " \u{2192} " (pill(&e.to)) }
                                td { @if let Some(c) = &e.code { a href=(code_href(c)) { code { (c) } } } }
                                td.msg { @if let Some(m) = &e.message { (m) } }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="runs" {
            h2 #runs { "Last runs" }
            @if runs.runs.is_empty() {
                p { "No runs yet." }
            } @else {
                div.scroll {
                    table.data {
                        thead { tr {
                            th scope="col" { "Started" } th scope="col" { "From" } th scope="col" { "Result" } th scope="col" { "Status" }
                            th scope="col" { "Code" } th scope="col" { "DNS" } th scope="col" { "Connect" } th scope="col" { "TLS" }
                            th scope="col" { "First byte" } th scope="col" { "Total" }
                        } }
                        tbody {
                            @for r in &runs.runs {
                                tr {
                                    td { (time(r.at_ms)) }
                                    td { (r.location) }
                                    td { @if r.maintenance { "maintenance" } @else if !r.ok { strong { "failed" } } @else if r.degraded { "slow" } @else { "passed" } }
                                    td.num { @if let Some(s) = r.status { (s) } }
                                    td { @if let Some(c) = &r.code { a href=(code_href(c)) { code { (c) } } } }
                                    @for t in [r.dns_ms, r.connect_ms, r.tls_ms, r.ttfb_ms, Some(r.total_ms)] {
                                        td.num { @if let Some(t) = t { (millis(t)) } @else { "-" } }
                                    }
                                }
                            }
                        }
                    }
                }
                p { a href=(format!("/api/v1/monitor/checks/{}/runs", super::view::seg(&name))) { "All runs as JSON" } }
            }
        }
        section aria-labelledby="badges" {
            h2 #badges { "Badges" }
            @let base = format!("/badge/{}", super::view::seg(&name));
            p.badges {
                img src=(format!("{base}/status.svg")) alt=(format!("status of {name}"));
                " " img src=(format!("{base}/uptime.svg?window=30d")) alt=(format!("30-day uptime of {name}"));
                " " img src=(format!("{base}/latency.svg")) alt=(format!("latency of {name}"));
            }
        }
    };
    Ok(page(layout(
        &format!("{name} - status - apiprobe"),
        &format!("Latency, uptime, failures by code and the last runs of {name}"),
        body,
    )))
}

pub(crate) async fn css() -> Response {
    let mut res = super::STATUS_CSS.into_response();
    let h = res.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    h.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    res
}
