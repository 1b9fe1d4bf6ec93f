//! The full reference, `/reference`: every entry with its meaning, causes, fixes and related codes, one
//! section per category, each entry anchored by its code (`/reference#PRB-3001`). Search results on the
//! home page use the same [`entry_article`] markup, and the script renders the same shape from JSON.

use super::{badge, category_label, entry_href, kind_label, layout, related_links, SITE};
use apiprobe_catalog::{Catalog, Category, Entry, Kind};
use maud::{html, Markup};

/// The address of the full reference.
pub(crate) const REFERENCE_PATH: &str = "/reference";

/// The link to an entry inside the full reference.
pub(crate) fn reference_href(code: &str) -> String {
    format!("{REFERENCE_PATH}#{code}")
}

/// One entry as the reference and the search results show it.
pub(crate) fn entry_article(catalog: &Catalog, e: &Entry) -> Markup {
    html! {
        article.entry id=(e.code) data-code=(e.code) data-category=(e.category.as_str()) data-kind=(e.kind.as_str())
            aria-labelledby={ "t-" (e.code) } {
            header {
                h3 id={ "t-" (e.code) } {
                    a href=(entry_href(&e.code)) { span.code { (e.code) } " " (e.title) }
                }
                (badge(e.category))
                " "
                span.kind { (kind_label(e.kind)) }
                @if let Some(n) = &e.name { " " code.name { (n) } }
                button.copy type="button" data-copy=(entry_href(&e.code)) hidden { "Copy link" }
            }
            p { (e.meaning) }
            div.lists {
                div {
                    h4 { "Likely causes" }
                    ul { @for c in &e.likely_causes { li { (c) } } }
                }
                div {
                    h4 { "Fixes" }
                    ul { @for f in &e.fixes { li { (f) } } }
                }
            }
            @if !e.related.is_empty() {
                div.related-row { span { "Related: " } (related_links(catalog, e)) }
            }
        }
    }
}

/// "1 entry", "2 entries".
fn counted(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The whole reference, rendered once at startup. Categories without entries (possible in a user's
/// own catalog) are left out rather than shown empty.
pub(crate) fn reference_page(catalog: &Catalog) -> Markup {
    let total = catalog.entries().len();
    let http = catalog.filter(None, Some(Kind::Http)).count();
    let probe = catalog.filter(None, Some(Kind::Probe)).count();
    let groups: Vec<(Category, Vec<&Entry>)> = Category::ALL
        .iter()
        .map(|&c| (c, catalog.filter(Some(c), None).collect::<Vec<_>>()))
        .filter(|(_, entries)| !entries.is_empty())
        .collect();
    let main = html! {
        h1 #reference-title { "Error reference" }
        p.lead {
            "Every entry in the catalog: what it means, why it usually happens, how to fix it and which codes "
            "are related. " (counted(total, "entry", "entries")) ": " (counted(http, "HTTP status", "HTTP statuses"))
            " and " (counted(probe, "probe code", "probe codes")) "."
        }
        p.more { a href="/#find" { "Search the reference" } " to narrow it down; each code also has its own page." }
        nav.toc aria-label="Entries by category" {
            @for (c, entries) in &groups {
                div {
                    h2 { a href={ "#ref-" (c.as_str()) } { (category_label(*c)) "s" } }
                    ul.chips {
                        @for e in entries {
                            li { a href={ "#" (e.code) } title=(e.title) { (e.code) } }
                        }
                    }
                }
            }
        }
        div #entries {
            @for (c, entries) in &groups {
                section id={ "ref-" (c.as_str()) } aria-labelledby={ "ref-" (c.as_str()) "-title" } {
                    h2 id={ "ref-" (c.as_str()) "-title" } { (badge(*c)) " " (category_label(*c)) "s" }
                    @for e in entries { (entry_article(catalog, e)) }
                }
            }
        }
    };
    layout(
        &format!("Error reference - {SITE}"),
        "Every HTTP 4xx/5xx status and every apiprobe code with its meaning, likely causes, fixes and related codes.",
        main,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_in_the_singular_and_the_plural() {
        assert_eq!(counted(1, "entry", "entries"), "1 entry");
        assert_eq!(counted(0, "entry", "entries"), "0 entries");
        assert_eq!(counted(178, "entry", "entries"), "178 entries");
    }

    #[test]
    fn empty_categories_are_left_out() {
        let catalog = Catalog::from_entries(vec![Catalog::builtin()
            .get("404")
            .cloned()
            .expect("404 is in the built-in catalog")]);
        let html = reference_page(&catalog).into_string();
        assert!(html.contains(r#"id="ref-client""#));
        assert!(!html.contains(r#"id="ref-server""#) && !html.contains(r#"id="ref-auth""#));
        assert!(html.contains("1 entry: 1 HTTP status and 0 probe codes."));
    }
}
