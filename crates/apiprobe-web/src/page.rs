//! The frame of every HTML page, shared by the reference and by the pages other crates add to the
//! app (the monitor's status pages): landmarks, skip link, stylesheets and scripts from our origin
//! only (nothing inline, for the CSP), and the short page that answers a failed request.
//!
//! ```
//! use apiprobe_web::page::{layout, Frame};
//! const FRAME: Frame = Frame {
//!     site: "apiprobe status",
//!     stylesheets: &["/static/app.css", "/static/extra.css"],
//!     scripts: &[],
//!     nav: &[("/status", "Status"), ("/reference", "Error reference")],
//!     footer: "Every failure carries a catalog code.",
//!     api: "/api/v1/monitor",
//!     home: ("/status", "Back to the status page"),
//! };
//! let html = layout(&FRAME, "Status", "The state of every check", maud::html! { h1 { "Status" } });
//! assert!(html.into_string().contains("<link rel=\"stylesheet\" href=\"/static/extra.css\">"));
//! ```

use crate::error::Problem;
use maud::{html, Markup, DOCTYPE};

/// What differs between the families of pages: their assets, navigation and footer.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    /// Named at the end of each error page's title: `404 Not Found - {site}`.
    pub site: &'static str,
    /// Stylesheets, in order.
    pub stylesheets: &'static [&'static str],
    /// Scripts, loaded with `defer`.
    pub scripts: &'static [&'static str],
    /// The site navigation: `(href, text)`.
    pub nav: &'static [(&'static str, &'static str)],
    /// The footer's first sentences.
    pub footer: &'static str,
    /// Where the same data is as JSON, named in the footer.
    pub api: &'static str,
    /// The way back from an error page: `(href, text)`.
    pub home: (&'static str, &'static str),
}

/// A whole page: `main` in the frame.
pub fn layout(frame: &Frame, title: &str, description: &str, main: Markup) -> Markup {
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
                @for href in frame.stylesheets {
                    link rel="stylesheet" href=(href);
                }
                @for src in frame.scripts {
                    script src=(src) defer {}
                }
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header.site {
                    nav aria-label="Site" {
                        a.brand href="/" { "apiprobe" }
                        ul {
                            @for (href, text) in frame.nav {
                                li { a href=(href) { (text) } }
                            }
                        }
                    }
                }
                main #main tabindex="-1" { (main) }
                footer.site {
                    p {
                        (frame.footer) " "
                        "The same data is available as JSON under " code { (frame.api) } "."
                    }
                }
            }
        }
    }
}

/// A short page for a failed request, naming the catalog code of the failure.
pub fn error_page(frame: &Frame, p: &Problem) -> Markup {
    layout(
        frame,
        &format!("{} {} - {}", p.status, p.title, frame.site),
        &p.detail,
        html! {
            section.card.error aria-labelledby="error-title" {
                h1 #error-title { (p.status) " " (p.title) }
                p { (p.detail) }
                p { "Catalog code: " a href=(p.r#type) { (p.code) } }
                p { a href=(frame.home.0) { (frame.home.1) } }
            }
        },
    )
}
