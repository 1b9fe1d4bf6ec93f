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
  apiprobe list --json --kind http | jq length";

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
}

pub fn parse_category(s: &str) -> Result<Category, String> {
    s.parse()
}

pub fn parse_kind(s: &str) -> Result<Kind, String> {
    s.parse()
}

pub fn run(global: &Global, style: Style, args: ListArgs) -> anyhow::Result<Outcome> {
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
