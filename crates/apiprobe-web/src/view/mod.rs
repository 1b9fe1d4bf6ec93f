//! HTML views, written with maud: escaping is on for every value, so user text renders as text.

mod entry;
mod explain;
mod home;
mod reference;

pub(crate) use entry::entry_page;
pub(crate) use explain::{explain_page, ExplainForm};
pub(crate) use home::{home_page, Filter};
pub(crate) use reference::{reference_page, REFERENCE_PATH};

use crate::error::Problem;
use apiprobe_catalog::{Category, Entry, Kind};
use maud::{html, Markup, DOCTYPE};

/// The site's name as shown in titles.
pub(crate) const SITE: &str = "apiprobe error reference";

/// How a category is named on the page.
pub(crate) fn category_label(c: Category) -> &'static str {
    match c {
        Category::Client => "Client error",
        Category::Auth => "Authentication error",
        Category::Server => "Server error",
    }
}

/// How a category is named in running text, in the plural: "in server errors".
pub(crate) fn category_plural(c: Category) -> &'static str {
    match c {
        Category::Client => "client errors",
        Category::Auth => "authentication errors",
        Category::Server => "server errors",
    }
}

/// How a kind is named on the page.
pub(crate) fn kind_label(k: Kind) -> &'static str {
    match k {
        Kind::Http => "HTTP status",
        Kind::Probe => "Probe code",
    }
}

/// How a kind is named in running text, in the plural: "(probe codes only)".
pub(crate) fn kind_plural(k: Kind) -> &'static str {
    match k {
        Kind::Http => "HTTP statuses",
        Kind::Probe => "probe codes",
    }
}

/// The link to an entry's own page.
pub(crate) fn entry_href(code: &str) -> String {
    format!("/codes/{code}")
}

pub(crate) fn badge(c: Category) -> Markup {
    html! { span class={ "badge badge-" (c.as_str()) } { (category_label(c)) } }
}

/// A related code as a link when the catalog has it (related lists may hold names as well as codes).
pub(crate) fn related_links(catalog: &apiprobe_catalog::Catalog, entry: &Entry) -> Markup {
    html! {
        @if !entry.related.is_empty() {
            ul.related aria-label="Related codes" {
                @for r in &entry.related {
                    li {
                        @if let Some(e) = catalog.get(r) {
                            a href=(entry_href(&e.code)) title=(e.title) { (e.code) }
                        } @else {
                            (r)
                        }
                    }
                }
            }
        }
    }
}

/// The page frame: landmarks, skip link, stylesheet and script (both from our origin, for the CSP).
pub(crate) fn layout(title: &str, description: &str, main: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                title { (title) }
                meta name="description" content=(description);
                link rel="icon" href="/favicon.svg" type="image/svg+xml";
                link rel="stylesheet" href="/static/app.css";
                script src="/static/app.js" defer {}
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header.site {
                    nav aria-label="Site" {
                        a.brand href="/" { "apiprobe" }
                        ul {
                            li { a href=(REFERENCE_PATH) { "Full reference" } }
                            li { a href="/#find" { "Search" } }
                            li { a href="/explain" { "Explain a response" } }
                            li { a href="/openapi.json" { "JSON API" } }
                        }
                    }
                }
                main #main tabindex="-1" { (main) }
                footer.site {
                    p {
                        "HTTP statuses follow the IANA registry and RFC 9110; probe codes are apiprobe's own. "
                        "The same data is available as JSON under " code { "/api/v1" } "."
                    }
                }
            }
        }
    }
}

/// A short page for a failed request, naming the catalog code that describes the failure.
pub(crate) fn error_page(p: &Problem) -> Markup {
    layout(
        &format!("{} {} - {SITE}", p.status, p.title),
        &p.detail,
        html! {
            section.card.error aria-labelledby="error-title" {
                h1 #error-title { (p.status) " " (p.title) }
                p { (p.detail) }
                p { "Catalog code: " a href=(p.r#type) { (p.code) } }
                p { a href="/" { "Back to the reference" } }
            }
        },
    )
}
