//! The "Explain a response" form and its result card.

use super::{badge, entry_href, layout, SITE};
use apiprobe_catalog::Report;
use maud::{html, Markup};

/// What the form was filled with, to show it again beside the result.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub(crate) struct ExplainForm {
    /// A raw HTTP response or a log line.
    #[serde(default)]
    pub(crate) raw: String,
    /// The status, when given as parts.
    #[serde(default)]
    pub(crate) status: String,
    /// Header lines (`Name: value`), when given as parts.
    #[serde(default)]
    pub(crate) headers: String,
    /// The body, when given as parts.
    #[serde(default)]
    pub(crate) body: String,
}

pub(crate) fn explain_form(form: &ExplainForm) -> Markup {
    html! {
        form.explain method="post" action="/explain" {
            div.field {
                label for="raw" { "Raw response or log line" }
                textarea #raw name="raw" rows="8" spellcheck="false"
                    placeholder="HTTP/1.1 429 Too Many Requests\nRetry-After: 30\n\n{\"error\":\"rate_limited\"}" { (form.raw) }
            }
            details open[!form.status.is_empty()] {
                summary { "Or give the status, headers and body separately" }
                div.field {
                    label for="status" { "Status" }
                    input #status name="status" type="number" min="100" max="999" inputmode="numeric" value=(form.status);
                }
                div.field {
                    label for="headers" { "Headers, one " code { "Name: value" } " per line" }
                    textarea #headers name="headers" rows="3" spellcheck="false" { (form.headers) }
                }
                div.field {
                    label for="body" { "Body" }
                    textarea #body name="body" rows="5" spellcheck="false" { (form.body) }
                }
            }
            button type="submit" { "Explain" }
        }
    }
}

/// The explain result: code, title, category, then evidence and next steps.
pub(crate) fn report_card(r: &Report) -> Markup {
    html! {
        section.card.result aria-labelledby="result-title" {
            h2 #result-title {
                @if let Some(code) = &r.code {
                    a href=(entry_href(code)) { span.code { (code) } }
                    @if let Some(t) = &r.title { " " (t) }
                } @else if r.ok {
                    "Not an error"
                } @else {
                    "Not recognised"
                }
            }
            p {
                @if let Some(c) = r.category { (badge(c)) " " }
                @if let Some(n) = &r.name { code.name { (n) } " " }
                span.confidence { "Confidence " (format!("{:.0}%", r.confidence * 100.0)) }
            }
            @if let Some(m) = &r.message { p { "Message: " q { (m) } } }
            @if let Some(c) = &r.conflict { p.conflict { strong { "Status and body disagree: " } (c) } }
            dl.facts {
                @if let Some(s) = r.status { dt { "Status" } dd { (s) } }
                @if let Some(f) = &r.format { dt { "Recognised as" } dd { (f) } }
                @if let Some(v) = &r.vendor { dt { "Vendor" } dd { (v) } }
                @if let Some(v) = &r.vendor_code { dt { "Vendor code" } dd { code { (v) } } }
                @if let Some(f) = &r.field { dt { "Field" } dd { code { (f) } } }
                @if let Some(p) = &r.permission { dt { "Permission" } dd { code { (p) } } }
                @if let Some(p) = &r.resource { dt { "Resource" } dd { code { (p) } } }
                @if let Some(p) = r.phase { dt { "Phase" } dd { (p.as_str()) } }
                @if let Some(rt) = r.retryable { dt { "Retry unchanged?" } dd { @if rt { "May succeed later" } @else { "No" } } }
                @if let Some(s) = r.retry_after_s { dt { "Retry after" } dd { (s) " s" } }
                @for (k, v) in &r.details { dt { (k) } dd { (v) } }
            }
            @if !r.evidence.is_empty() {
                h3 { "Evidence" }
                ul { @for e in &r.evidence { li { (e) } } }
            }
            @if !r.next_steps.is_empty() {
                h3 { "Next steps" }
                ol { @for s in &r.next_steps { li { (s) } } }
            }
            @if !r.aliases.is_empty() {
                h3 { "Also seen as" }
                ul.chips { @for a in &r.aliases { li { (a.tool) " " code { (a.code) } } } }
            }
        }
    }
}

/// The explain page: the form, and the result card when there is one.
pub(crate) fn explain_page(form: &ExplainForm, result: Option<Result<&Report, String>>) -> Markup {
    let main = html! {
        h1 { "Explain a response" }
        p { "Paste a raw HTTP response (status line, headers, body) or an error line from a client or server log; the answer uses the same reading rule as the reference." }
        @match result {
            Some(Ok(r)) => (report_card(r)),
            Some(Err(msg)) => section.card.error role="alert" { h2 { "Could not explain that" } p { (msg) } },
            None => {},
        }
        (explain_form(form))
    };
    layout(
        &format!("Explain a response - {SITE}"),
        "Paste an API error response or a client error line and see what it means.",
        main,
    )
}
