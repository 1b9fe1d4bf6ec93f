//! One entry's own page: `/codes/404`, `/codes/PRB-3001`.

use super::reference::reference_href;
use super::{badge, entry_href, kind_label, layout, related_links, REFERENCE_PATH, SITE};
use apiprobe_catalog::{Catalog, Entry};
use maud::{html, Markup};

fn facts(catalog: &Catalog, e: &Entry) -> Markup {
    let default = e.default_probe.as_deref().and_then(|d| catalog.by_code(d));
    html! {
        dl.facts {
            dt { "Kind" } dd { (kind_label(e.kind)) }
            @if let Some(s) = e.status { dt { "Status" } dd { (s) } }
            @if let Some(n) = &e.name { dt { "Name" } dd { code { (n) } } }
            @if let Some(o) = &e.origin { dt { "Defined by" } dd { (o) } }
            @if let Some(r) = &e.reference { dt { "Reference" } dd { (r) } }
            @if let Some(d) = default {
                dt { "Probe code" }
                dd { a href=(entry_href(&d.code)) { code { (d.code) " " (d.label()) } } " when nothing in the response says more" }
            }
            @if let Some(p) = e.phase { dt { "Phase" } dd { (p.as_str()) } }
            @if !e.statuses.is_empty() {
                dt { "Usually with" }
                dd { @for (i, s) in e.statuses.iter().enumerate() { @if i > 0 { ", " } a href=(entry_href(&s.to_string())) { (s) } } }
            }
            @if let Some(m) = &e.message { dt { "Message" } dd { code { (m) } } }
            dt { "Retry unchanged?" }
            dd { @if e.retryable { "May succeed later" } @else { "No: something must change first" } }
            @if let Some(s) = &e.source { dt { "Source" } dd { (s) } }
        }
    }
}

/// The page for one entry, with its "Also seen as" table of other tools' names for it.
pub(crate) fn entry_page(catalog: &Catalog, e: &Entry) -> Markup {
    let main = html! {
        nav.crumbs aria-label="Breadcrumb" { a href=(REFERENCE_PATH) { "Reference" } " / " span aria-current="page" { (e.code) } }
        article.entry.single id=(e.code) aria-labelledby="entry-title" {
            header {
                h1 #entry-title { span.code { (e.code) } " " (e.title) }
                (badge(e.category))
                button.copy type="button" data-copy=(entry_href(&e.code)) hidden { "Copy link" }
            }
            p.lead { (e.meaning) }
            (facts(catalog, e))
            section aria-labelledby="causes" {
                h2 #causes { "Likely causes" }
                ul { @for c in &e.likely_causes { li { (c) } } }
            }
            section aria-labelledby="fixes" {
                h2 #fixes { "Fixes" }
                ul { @for f in &e.fixes { li { (f) } } }
            }
            @if !e.variants.is_empty() {
                section aria-labelledby="variants" {
                    h2 #variants { "Other meanings of this number" }
                    table {
                        thead { tr { th scope="col" { "Used by" } th scope="col" { "Name" } th scope="col" { "Meaning" } } }
                        tbody { @for v in &e.variants { tr { td { (v.origin) } td { (v.title) } td { (v.meaning) } } } }
                    }
                }
            }
            @if !e.aliases.is_empty() {
                section aria-labelledby="aliases" {
                    h2 #aliases { "Also seen as" }
                    div.scroll {
                        table {
                            caption { "How other tools report the same condition" }
                            thead { tr { th scope="col" { "Tool" } th scope="col" { "Code" } th scope="col" { "Name" } th scope="col" { "Text" } } }
                            tbody {
                                @for a in &e.aliases {
                                    tr {
                                        td { (a.tool) }
                                        td { code { (a.code) } }
                                        td { @if let Some(n) = &a.name { code { (n) } } }
                                        td { @if let Some(t) = &a.text { (t) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if !e.related.is_empty() {
                section aria-labelledby="related" {
                    h2 #related { "Related" }
                    (related_links(catalog, e))
                }
            }
            p.more {
                a href=(reference_href(&e.code)) { "See it in the full reference" }
                " · "
                a href={ "/api/v1/codes/" (e.code) } { "This entry as JSON" }
            }
        }
    };
    layout(
        &format!("{} {} - {SITE}", e.code, e.title),
        &e.meaning,
        main,
    )
}
