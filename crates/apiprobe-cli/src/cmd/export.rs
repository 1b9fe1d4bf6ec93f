//! `apiprobe export`: the whole catalog as JSON, Markdown or CSV.

use super::{load_catalog, Outcome};
use crate::cli::Global;
use apiprobe_catalog::{Category, Entry};
use std::io::Write;

const EXAMPLES: &str = "\
Examples:
  apiprobe export --format json > catalog.json
  apiprobe export --format markdown > ERRORS.md
  apiprobe export --format csv | column -s, -t | less -S";

#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct ExportArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
}

/// What `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// An array of entries with the catalog's field names.
    Json,
    /// A document with a section per category and a heading per entry.
    Markdown,
    /// One row per entry; list fields joined with " | ".
    Csv,
}

pub fn run(global: &Global, args: ExportArgs) -> anyhow::Result<Outcome> {
    let catalog = load_catalog(global)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, catalog.entries())?;
            writeln!(out)?;
        }
        Format::Markdown => out.write_all(markdown(catalog.entries()).as_bytes())?,
        Format::Csv => csv(&mut out, catalog.entries())?,
    }
    out.flush()?;
    Ok(Outcome::Positive)
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn markdown(entries: &[Entry]) -> String {
    let mut s = String::from("# API error reference\n\nRead the HTTP status first for the broad class, then the probe code and the message for the exact condition.\n");
    for cat in Category::ALL {
        let group: Vec<&Entry> = entries.iter().filter(|e| e.category == *cat).collect();
        s.push_str(&format!(
            "\n## {} errors ({})\n\n| Code | Name | Title | Retryable |\n|---|---|---|---|\n",
            title_case(cat.as_str()),
            group.len()
        ));
        for e in &group {
            s.push_str(&format!(
                "| [{}](#{}) | {} | {} | {} |\n",
                e.code,
                e.code.to_ascii_lowercase(),
                e.name.as_deref().unwrap_or(""),
                md_escape(&e.title),
                if e.retryable { "yes" } else { "no" }
            ));
        }
        for e in &group {
            s.push_str(&format!("\n### {}\n\n", e.code));
            s.push_str(&format!("**{}**", md_escape(&e.title)));
            if let Some(n) = &e.name {
                s.push_str(&format!(" (`{n}`)"));
            }
            s.push_str(&format!(" — {}, {}", e.category, e.kind));
            if let (Some(o), Some(r)) = (&e.origin, &e.reference) {
                s.push_str(&format!(", {o}, {r}"));
            }
            s.push_str(&format!("\n\n{}\n", e.meaning));
            for v in &e.variants {
                s.push_str(&format!("\n*{}*: {} — {}\n", v.origin, v.title, v.meaning));
            }
            s.push_str("\nLikely causes:\n\n");
            for c in &e.likely_causes {
                s.push_str(&format!("- {c}\n"));
            }
            s.push_str("\nFixes:\n\n");
            for f in &e.fixes {
                s.push_str(&format!("- {f}\n"));
            }
            if !e.related.is_empty() {
                let links: Vec<String> = e
                    .related
                    .iter()
                    .map(|r| format!("[{r}](#{})", r.to_ascii_lowercase()))
                    .collect();
                s.push_str(&format!("\nRelated: {}\n", links.join(", ")));
            }
        }
    }
    s
}

fn title_case(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

fn csv(out: &mut impl Write, entries: &[Entry]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "code",
        "kind",
        "title",
        "category",
        "status",
        "origin",
        "reference",
        "name",
        "phase",
        "statuses",
        "message",
        "retryable",
        "meaning",
        "likely_causes",
        "fixes",
        "related",
    ])?;
    for e in entries {
        let statuses: Vec<String> = e.statuses.iter().map(u16::to_string).collect();
        w.write_record([
            e.code.as_str(),
            e.kind.as_str(),
            &e.title,
            e.category.as_str(),
            &e.status.map(|s| s.to_string()).unwrap_or_default(),
            e.origin.as_deref().unwrap_or(""),
            e.reference.as_deref().unwrap_or(""),
            e.name.as_deref().unwrap_or(""),
            e.phase.map(|p| p.as_str()).unwrap_or(""),
            &statuses.join(" | "),
            e.message.as_deref().unwrap_or(""),
            if e.retryable { "true" } else { "false" },
            &e.meaning,
            &e.likely_causes.join(" | "),
            &e.fixes.join(" | "),
            &e.related.join(" | "),
        ])?;
    }
    w.flush()?;
    Ok(())
}
