//! Error lines from other tools (curl, Node, Go, Python, Java, browsers, proxies) mapped to probe codes.

use apiprobe_catalog::{Catalog, Report};

/// Recognises the tool and condition in log text; `None` when nothing is recognised.
pub(crate) fn explain_text(_catalog: &Catalog, _text: &str) -> Option<Report> {
    None
}
