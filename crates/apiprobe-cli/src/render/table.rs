//! Aligned text tables.

use super::Style;
use apiprobe_catalog::Entry;

/// One row of the entry table.
pub struct TableRow<'a> {
    pub entry: &'a Entry,
}

/// CODE, NAME, CATEGORY, TITLE columns, aligned, title cut to fit 100 columns.
pub fn entry_table<'a>(rows: impl IntoIterator<Item = TableRow<'a>>, style: Style) -> String {
    let rows: Vec<TableRow<'a>> = rows.into_iter().collect();
    let code_w = rows
        .iter()
        .map(|r| r.entry.code.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let name_w = rows
        .iter()
        .map(|r| r.entry.name.as_deref().unwrap_or("-").len())
        .max()
        .unwrap_or(4)
        .max(4);
    let mut out = String::new();
    out.push_str(&style.bold(&format!(
        "{:code_w$}  {:name_w$}  {:8}  TITLE",
        "CODE", "NAME", "CATEGORY"
    )));
    out.push('\n');
    for r in rows {
        let e = r.entry;
        let cat = e.category.as_str();
        let pad = " ".repeat(8usize.saturating_sub(cat.len()));
        out.push_str(&format!(
            "{:code_w$}  {:name_w$}  {}{pad}  {}\n",
            e.code,
            e.name.as_deref().unwrap_or("-"),
            style.category(e.category),
            e.title
        ));
    }
    out
}
