//! The home page: hero, error groups, probe codes, the reading rule, the explain form, the FAQ and the
//! search form with its results. The full reference has its own page (`super::reference`).

use super::reference::entry_article;
use super::{
    badge, category_label, category_plural, entry_href, kind_label, kind_plural, layout,
    REFERENCE_PATH, SITE,
};
use apiprobe_catalog::{Catalog, Category, Entry, Kind};
use maud::{html, Markup};

/// The reference's search and filters, as given in the query string.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Filter {
    /// Free text, a status, a probe code or a name.
    pub(crate) q: String,
    /// Only this category.
    pub(crate) category: Option<Category>,
    /// Only this kind.
    pub(crate) kind: Option<Kind>,
}

impl Filter {
    /// Whether nothing narrows the list.
    pub(crate) fn is_empty(&self) -> bool {
        self.q.trim().is_empty() && self.category.is_none() && self.kind.is_none()
    }

    /// The entries this filter selects, best first (catalog order when there is no text).
    pub(crate) fn apply<'a>(&self, catalog: &'a Catalog) -> Vec<&'a Entry> {
        let q = self.q.trim();
        let keep = |e: &&Entry| {
            self.category.is_none_or(|c| e.category == c) && self.kind.is_none_or(|k| e.kind == k)
        };
        if q.is_empty() {
            return catalog.filter(self.category, self.kind).collect();
        }
        catalog
            .search(q, catalog.entries().len())
            .into_iter()
            .map(|h| h.entry)
            .filter(keep)
            .collect()
    }
}

fn group_text(c: Category) -> &'static str {
    match c {
        Category::Client => {
            "Something in the request itself has to change: a malformed body, a missing or invalid field, \
             an unsupported value, a resource that does not exist, or a rate limit reached. Most 4xx \
             statuses land here, and sending the same request again will usually fail the same way."
        }
        Category::Auth => {
            "The request could not be tied to a caller who may make it: credentials missing, wrong or \
             expired, a token without the needed scope, or a proxy or network asking for its own login. \
             The statuses are 401, 403, 407 and 511; the message says which credential or permission is at fault."
        }
        Category::Server => {
            "The service, something in front of it or something it depends on could not finish the work: \
             a crash, a timeout, an overloaded or unreachable upstream, a failed TLS handshake. These map \
             to 5xx statuses and to network failures; the request may well be fine and succeed later."
        }
    }
}

fn code_chips(entries: &[&Entry]) -> Markup {
    html! {
        ul.chips {
            @for e in entries {
                li { a href=(entry_href(&e.code)) title=(e.title) { (e.code) } }
            }
        }
    }
}

/// The `origin` the catalog data gives statuses in the IANA HTTP Status Code Registry; every other
/// HTTP entry is an unofficial number some proxy, CDN or framework sends.
const REGISTRY_ORIGIN: &str = "IANA";

fn hero(catalog: &Catalog) -> Markup {
    let (registered, unofficial) =
        catalog
            .filter(None, Some(Kind::Http))
            .fold((0, 0), |(r, u), e| {
                if e.origin.as_deref() == Some(REGISTRY_ORIGIN) {
                    (r + 1, u)
                } else {
                    (r, u + 1)
                }
            });
    let probe = catalog.filter(None, Some(Kind::Probe)).count();
    html! {
        section.hero aria-labelledby="hero-title" {
            h1 #hero-title { "API error codes, read at a glance" }
            p.lead {
                "What each HTTP error status and each apiprobe code means, which of three groups it belongs to, "
                "why it usually happens and what to do next, in one reference you can search."
            }
            p { a.button href=(REFERENCE_PATH) { "View error reference" } }
            ul.tiles aria-label="What the reference covers" {
                li { strong { "4xx/5xx" } span { "Every client and server error status: " (registered) " registered statuses plus " (unofficial) " unofficial numbers that proxies, CDNs and frameworks send." } }
                li { strong { "Probe codes" } span { (probe) " codes of the form PRB-CNNN naming exact conditions, from a refused connection to a revoked token." } }
                li { strong { "3 categories" } span { "Client, authentication and server errors, kept apart so you know whose move it is." } }
                li { strong { "1 reference" } span { "One searchable index for API testers, QA teams and developers, also served as JSON." } }
            }
        }
    }
}

fn groups(catalog: &Catalog) -> Markup {
    html! {
        section #groups aria-labelledby="groups-title" {
            h2 #groups-title { "Main error groups" }
            div.groups {
                @for &c in Category::ALL {
                    @let http: Vec<&Entry> = catalog.filter(Some(c), Some(Kind::Http)).collect();
                    @let probe: Vec<&Entry> = catalog.filter(Some(c), Some(Kind::Probe)).collect();
                    article.group id={ "group-" (c.as_str()) } aria-labelledby={ "group-" (c.as_str()) "-title" } {
                        h3 id={ "group-" (c.as_str()) "-title" } { (badge(c)) " " (category_label(c)) "s" }
                        p { (group_text(c)) }
                        h4 { "HTTP statuses" }
                        (code_chips(&http))
                        h4 { "Probe codes" }
                        (code_chips(&probe))
                        p { a href={ "/?category=" (c.as_str()) "#find" } { "Show only " (category_plural(c)) } }
                    }
                }
            }
        }
    }
}

fn probe_codes() -> Markup {
    html! {
        section #probe-codes aria-labelledby="probe-title" {
            h2 #probe-title { "Probe-specific codes" }
            p {
                "An HTTP status is a broad class, and many different failures share one number: a 403 can be a "
                "missing scope, a blocked address or a disabled account. apiprobe adds its own code that names the "
                "exact condition, and uses one for failures that never produced a status at all, such as a refused "
                "connection or an expired certificate."
            }
            p {
                "A probe code reads " code { "PRB-CNNN" } ": the first digit is the category, the rest numbers the "
                "condition within it. Codes are never renumbered or reused, so they are safe to store, alert on "
                "and search for."
            }
            table {
                caption { "Probe code ranges" }
                thead { tr { th scope="col" { "Range" } th scope="col" { "Category" } th scope="col" { "Covers" } } }
                tbody {
                    tr { td { code { "PRB-1NNN" } } td { (badge(Category::Client)) } td { "the URL and request line, the body and its validation, the state of the resource, rate limits, unmet expectations" } }
                    tr { td { code { "PRB-2NNN" } } td { (badge(Category::Auth)) } td { "missing or rejected credentials, tokens and keys, permissions and scopes, proxy and network logins, client certificates" } }
                    tr { td { code { "PRB-3NNN" } } td { (badge(Category::Server)) } td { "name resolution, connections, TLS, broken or slow responses, redirects, failures inside the service" } }
                }
            }
        }
    }
}

fn reading_rule() -> Markup {
    html! {
        section #reading aria-labelledby="reading-title" {
            h2 #reading-title { "How to read an error response" }
            ol.steps {
                li { strong { "Start with the status." } " It gives the broad class: 4xx means the request or the caller's access needs attention, 5xx means the service side failed." }
                li { strong { "Then the error code in the body." } " The API's own code, or the probe code, pins down the exact condition and is the best key to look up." }
                li { strong { "Then the message." } " It usually names the field, permission, resource or internal condition involved, which is often the quickest clue." }
                li { strong { "If they disagree, keep both." } " A 400 carrying a timeout message, or a 500 complaining about a field, happens; the status says who answered, the code says what went wrong." }
            }
        }
    }
}

const FAQ: [(&str, &str); 5] = [
    (
        "What does the probe error message mean?",
        "It is a one-line, human-readable summary of what failed. It usually names the thing to look at: the field that was rejected, the permission that was missing, the resource that was not found, or the internal condition the service ran into.",
    ),
    (
        "How do I tell client errors from server errors?",
        "Look at the first digit of the status. A 4xx says the service understood the request but will not accept it as sent, because of its content or its credentials. A 5xx says the service, or something it relies on, could not complete work that may have been perfectly valid.",
    ),
    (
        "Are all 4xx errors authentication problems?",
        "No. Only a few are: 401, 403, 407 and 511. Most 4xx statuses are about the request itself, such as validation failures, unsupported formats, missing resources or rate limits. The error code and message tell them apart.",
    ),
    (
        "What if the HTTP status and probe code seem different?",
        "Read them together rather than choosing one. The status tells you the broad class and who answered; the probe code names the precise condition, and it is the better term to search the documentation for.",
    ),
    (
        "When is an error likely caused by the system?",
        "When the status is a 5xx, or when the message speaks of an internal failure, a timeout or a dependency that is down. Such errors are usually the service's to fix, and retrying later, with backoff, often works.",
    ),
];

fn faq() -> Markup {
    html! {
        section #faq aria-labelledby="faq-title" {
            h2 #faq-title { "Questions" }
            @for (i, (q, a)) in FAQ.iter().enumerate() {
                div.faq {
                    h3 id={ "faq-" (i + 1) } { (q) }
                    p { (a) }
                }
            }
        }
    }
}

fn select<T: Copy + PartialEq>(
    id: &str,
    label: &str,
    any: &str,
    all: &[T],
    chosen: Option<T>,
    name: impl Fn(T) -> (&'static str, &'static str, &'static str),
) -> Markup {
    html! {
        div.field {
            label for=(id) { (label) }
            select #(id) name=(id) {
                option value="" selected[chosen.is_none()] { (any) }
                @for &v in all {
                    @let (value, text, plural) = name(v);
                    option value=(value) data-plural=(plural) selected[chosen == Some(v)] { (text) }
                }
            }
        }
    }
}

/// The sentence above the results: how many entries the search found, and for what.
fn count_text(filter: &Filter, n: usize) -> String {
    let mut text = match n {
        0 => "No entries match".to_owned(),
        1 => "1 entry matches".to_owned(),
        n => format!("{n} entries match"),
    };
    let q = filter.q.trim();
    if !q.is_empty() {
        text.push_str(&format!(" \u{201c}{q}\u{201d}"));
    }
    if let Some(c) = filter.category {
        text.push_str(&format!(" in {}", category_plural(c)));
    }
    if let Some(k) = filter.kind {
        text.push_str(&format!(" ({} only)", kind_plural(k)));
    }
    text.push('.');
    text
}

/// The search form and, when something was asked, its results in full. With nothing asked the
/// results list stays empty and points at the full reference, which keeps this page small.
fn search(catalog: &Catalog, filter: &Filter) -> Markup {
    let filtered = !filter.is_empty();
    let shown = if filtered {
        filter.apply(catalog)
    } else {
        Vec::new()
    };
    let total = catalog.entries().len();
    html! {
        section #find aria-labelledby="find-title" {
            h2 #find-title { "Search the reference" }
            form #search role="search" method="get" action="/" {
                div.field.grow {
                    label for="q" { "Search by status, code, name or words" }
                    input #q type="search" name="q" value=(filter.q) placeholder="e.g. 429, PRB-3001, timeout"
                        autocomplete="off" spellcheck="false" maxlength="200";
                }
                (select("category", "Category", "All categories", Category::ALL, filter.category,
                    |c| (c.as_str(), category_label(c), category_plural(c))))
                (select("kind", "Kind", "Statuses and probe codes", Kind::ALL, filter.kind,
                    |k| (k.as_str(), kind_label(k), kind_plural(k))))
                div.field { button type="submit" { "Search" } }
            }
            // The script rebuilds this line from the same parts: keep the two in step (static/app.js).
            p #result-count role="status" aria-live="polite" data-total=(total) {
                @if filtered {
                    (count_text(filter, shown.len())) " " a href=(REFERENCE_PATH) { "Show all entries" }
                } @else {
                    (total) " entries. Search above, or " a href=(REFERENCE_PATH) { "open the full reference" } "."
                }
            }
            div #entries {
                @for e in &shown { (entry_article(catalog, e)) }
            }
        }
    }
}

/// The whole home page; when `filter` asks for something, the matching entries are shown in full.
pub(crate) fn home_page(catalog: &Catalog, filter: &Filter) -> Markup {
    let main = html! {
        (hero(catalog))
        (groups(catalog))
        (probe_codes())
        (reading_rule())
        section #explain aria-labelledby="explain-title" {
            h2 #explain-title { "Explain a response" }
            p { "Paste a raw HTTP response (status line, headers, body) or an error line from a client or server log." }
            (super::explain::explain_form(&super::ExplainForm::default()))
        }
        (faq())
        (search(catalog, filter))
    };
    layout(
        &format!("API error codes - {SITE}"),
        "Meanings, categories, likely causes and fixes for every HTTP 4xx/5xx status and every apiprobe code.",
        main,
    )
}
