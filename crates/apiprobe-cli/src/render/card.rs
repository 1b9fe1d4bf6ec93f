//! The readable card for one catalog entry.

use super::Style;
use apiprobe_catalog::{Catalog, Entry, Kind};
use std::fmt::Write;

/// Title, category, meaning, causes, fixes and related codes, wrapped for a terminal. The catalog names
/// an HTTP entry's default probe code.
pub fn entry_card(e: &Entry, catalog: &Catalog, style: Style) -> String {
    let mut out = String::new();
    let head = match (&e.name, e.kind) {
        (Some(name), _) => format!("{} {} — {}", e.code, name, e.title),
        (None, Kind::Http) => format!("{} {}", e.code, e.title),
        (None, Kind::Probe) => format!("{} — {}", e.code, e.title),
    };
    let _ = writeln!(out, "{}", style.bold(&head));
    let mut facts = vec![format!("category: {}", style.category(e.category))];
    facts.push(format!("kind: {}", e.kind));
    if let Some(phase) = e.phase {
        facts.push(format!("phase: {phase}"));
    }
    facts.push(format!(
        "retryable: {}",
        if e.retryable { "yes" } else { "no" }
    ));
    let _ = writeln!(out, "{}", facts.join("  "));
    if let (Some(origin), Some(reference)) = (&e.origin, &e.reference) {
        let _ = writeln!(out, "{} {origin}, {reference}", style.dim("defined by:"));
    }
    if let Some(d) = e.default_probe.as_deref() {
        let named = catalog.by_code(d).map(Entry::label).unwrap_or_default();
        let _ = writeln!(
            out,
            "{} {d} {named} (when nothing in the response says more)",
            style.dim("probe code:")
        );
    }
    if !e.statuses.is_empty() {
        let list: Vec<String> = e.statuses.iter().map(u16::to_string).collect();
        let _ = writeln!(out, "{} {}", style.dim("usual statuses:"), list.join(", "));
    }
    if let Some(m) = &e.message {
        let _ = writeln!(out, "{} {m}", style.dim("message:"));
    }
    let _ = writeln!(out);
    wrap_into(&mut out, &e.meaning, "", 78);
    for v in &e.variants {
        let _ = writeln!(out);
        wrap_into(
            &mut out,
            &format!("{}: {} — {}", v.origin, v.title, v.meaning),
            "",
            78,
        );
    }
    section(&mut out, style, "Likely causes", &e.likely_causes);
    section(&mut out, style, "Fixes", &e.fixes);
    if !e.aliases.is_empty() {
        let items: Vec<String> = e
            .aliases
            .iter()
            .map(|a| match &a.name {
                Some(n) => format!("{}: {} ({n})", a.tool, a.code),
                None => format!("{}: {}", a.tool, a.code),
            })
            .collect();
        section(&mut out, style, "Also seen as", &items);
    }
    if !e.related.is_empty() {
        let _ = writeln!(out, "\n{} {}", style.bold("Related:"), e.related.join(", "));
    }
    out
}

fn section(out: &mut String, style: Style, title: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{}", style.bold(title));
    for item in items {
        wrap_into(out, item, "  - ", 78);
    }
}

/// Greedy word wrap; continuation lines are indented under the first line's text.
pub fn wrap_into(out: &mut String, text: &str, first_prefix: &str, width: usize) {
    let indent = " ".repeat(first_prefix.chars().count());
    let mut line = String::from(first_prefix);
    let mut line_len = first_prefix.chars().count();
    let mut empty = true;
    for word in text.split_whitespace() {
        let wl = word.chars().count();
        if !empty && line_len + 1 + wl > width {
            out.push_str(&line);
            out.push('\n');
            line = indent.clone();
            line_len = indent.len();
            empty = true;
        }
        if !empty {
            line.push(' ');
            line_len += 1;
        }
        line.push_str(word);
        line_len += wl;
        empty = false;
    }
    out.push_str(&line);
    out.push('\n');
}
