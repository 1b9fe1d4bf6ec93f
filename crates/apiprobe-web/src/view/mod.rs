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
use crate::page::Frame;
use apiprobe_catalog::{Category, Entry, Kind};
use maud::{html, Markup};

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

/// The frame of the reference pages.
pub(crate) const FRAME: Frame = Frame {
    site: SITE,
    stylesheets: &["/static/app.css"],
    scripts: &["/static/app.js"],
    nav: &[
        (REFERENCE_PATH, "Full reference"),
        ("/#find", "Search"),
        ("/explain", "Explain a response"),
        ("/openapi.json", "JSON API"),
    ],
    footer: "HTTP statuses follow the IANA registry and RFC 9110; probe codes are apiprobe's own.",
    api: "/api/v1",
    home: ("/", "Back to the reference"),
};

/// A reference page: `main` in [`FRAME`].
pub(crate) fn layout(title: &str, description: &str, main: Markup) -> Markup {
    crate::page::layout(&FRAME, title, description, main)
}

/// A short page for a failed request, naming the catalog code that describes the failure.
pub(crate) fn error_page(p: &Problem) -> Markup {
    crate::page::error_page(&FRAME, p)
}
