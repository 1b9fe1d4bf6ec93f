//! An empty body: only the status and headers speak.

use super::{Body, Finding};

/// Recognises a body with nothing but whitespace.
pub(crate) fn parse(b: &Body<'_>) -> Option<Finding> {
    if !b.text.trim().is_empty() {
        return None;
    }
    let mut f = Finding {
        format: "empty",
        confidence: 0.3,
        ..Finding::default()
    };
    f.evidence.push("body is empty".to_string());
    Some(f)
}
