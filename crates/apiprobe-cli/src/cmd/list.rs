//! `apiprobe list`: the catalog as a table, filtered by category and kind.

use super::{load_catalog, Outcome};
use crate::cli::Global;
use crate::render::{entry_table, Style, TableRow};
use apiprobe_catalog::{Category, Kind};
use std::io::Write;

const EXAMPLES: &str = "\
Examples:
  apiprobe list                              every entry
  apiprobe list --category auth              401, 403, 407, 511 and the auth probe codes
  apiprobe list --kind probe --category server
  apiprobe list --json --kind http | jq length
  apiprobe list --aliases                    how other tools name each probe code
  apiprobe list --aliases --from curl        curl exit codes and the probe code each maps to";

#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct ListArgs {
    /// Only this category
    #[arg(long, value_parser = parse_category, value_name = "client|auth|server")]
    pub category: Option<Category>,

    /// Only this kind
    #[arg(long, value_parser = parse_kind, value_name = "http|probe")]
    pub kind: Option<Kind>,

    /// Print entries as a JSON array
    #[arg(long)]
    pub json: bool,

    /// Print the alias table instead: each tool's own code and the probe code it maps to
    #[arg(long)]
    pub aliases: bool,

    /// With --aliases: only this tool (curl, k6, datadog, hurl, node, chromium, go, python, java,
    /// dotnet, openssl, nginx, envoy, haproxy, blackbox)
    #[arg(long, value_name = "TOOL", requires = "aliases")]
    pub from: Option<String>,
}

/// One row of `list --aliases --json`.
#[derive(serde::Serialize)]
struct AliasRow<'a> {
    tool: &'a str,
    code: &'a str,
    name: Option<&'a str>,
    text: Option<&'a str>,
    maps_to: &'a str,
    probe_name: Option<&'a str>,
    category: apiprobe_catalog::Category,
}

/// `list --aliases [--from TOOL]`: the mapping table, by tool then in catalog order.
fn run_aliases(global: &Global, style: Style, args: &ListArgs) -> anyhow::Result<Outcome> {
    let catalog = load_catalog(global)?;
    let tools = catalog.alias_tools();
    let wanted = args.from.as_deref().map(|t| t.trim().to_ascii_lowercase());
    if let Some(t) = &wanted {
        if !tools.contains(&t.as_str()) {
            if args.json {
                writeln!(std::io::stdout().lock(), "[]")?;
            }
            eprintln!(
                "no aliases for a tool named '{t}'{} (known: {})",
                super::lookup::did_you_mean(t, tools.iter().copied()),
                tools.join(", ")
            );
            return Ok(Outcome::Negative);
        }
    }
    let mut rows: Vec<AliasRow<'_>> = Vec::new();
    for tool in tools
        .iter()
        .filter(|t| wanted.as_deref().is_none_or(|w| w == **t))
    {
        for e in catalog.entries() {
            // A shared code reads back as its main entry, the one row the table gives it.
            for a in e.aliases.iter().filter(|a| a.tool == *tool && !a.shared) {
                rows.push(AliasRow {
                    tool: &a.tool,
                    code: &a.code,
                    name: a.name.as_deref(),
                    text: a.text.as_deref(),
                    maps_to: &e.code,
                    probe_name: e.name.as_deref(),
                    category: e.category,
                });
            }
        }
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &rows)?;
        writeln!(out)?;
    } else {
        let w_tool = rows.iter().map(|r| r.tool.len()).max().unwrap_or(4).max(4);
        let label = |r: &AliasRow<'_>| match r.name {
            Some(n) => format!("{} ({n})", r.code),
            None => r.code.to_string(),
        };
        let w_code = rows
            .iter()
            .map(|r| label(r).chars().count())
            .max()
            .unwrap_or(4)
            .max(4);
        writeln!(
            out,
            "{}",
            style.dim(&format!(
                "{:w_tool$}  {:w_code$}  {:8}  NAME",
                "TOOL", "CODE", "MAPS TO"
            ))
        )?;
        for r in &rows {
            let l = label(r);
            let pad = w_code.saturating_sub(l.chars().count());
            writeln!(
                out,
                "{:w_tool$}  {l}{}  {:8}  {}",
                r.tool,
                " ".repeat(pad),
                r.maps_to,
                r.probe_name.unwrap_or("")
            )?;
        }
    }
    Ok(Outcome::Positive)
}

pub fn parse_category(s: &str) -> Result<Category, String> {
    s.parse()
}

pub fn parse_kind(s: &str) -> Result<Kind, String> {
    s.parse()
}

pub fn run(global: &Global, style: Style, args: ListArgs) -> anyhow::Result<Outcome> {
    if args.aliases {
        return run_aliases(global, style, &args);
    }
    let catalog = load_catalog(global)?;
    let entries: Vec<_> = catalog.filter(args.category, args.kind).collect();
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &entries)?;
        writeln!(out)?;
    } else if !entries.is_empty() {
        write!(
            out,
            "{}",
            entry_table(entries.iter().map(|e| TableRow { entry: e }), style)
        )?;
    }
    if entries.is_empty() {
        eprintln!("no entries match these filters");
        return Ok(Outcome::Negative);
    }
    Ok(Outcome::Positive)
}
