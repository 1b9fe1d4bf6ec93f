//! `apiprobe lookup QUERY`: one entry by status, code or name; ranked matches for free text.

use super::{load_catalog, Outcome};
use crate::cli::Global;
use crate::render::{entry_card, Style};
use std::io::Write;

const EXAMPLES: &str = "\
Examples:
  apiprobe lookup 404                  an HTTP status
  apiprobe lookup prb-3001             a probe code, any case
  apiprobe lookup CONNECTION_REFUSED   a probe name ('connection refused' works too)
  apiprobe lookup 'rate limit'         free text, typo-tolerant ('unauthorised', 'timout')
  apiprobe lookup --json 503 | jq .meaning";

#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct LookupArgs {
    /// A status (404), probe code (PRB-3001), name (CONNECTION_REFUSED) or words ("rate limit")
    #[arg(value_name = "QUERY", required = true, num_args = 1..)]
    pub query: Vec<String>,

    /// Print entries as JSON (an array, the same fields as `export --format json`)
    #[arg(long)]
    pub json: bool,

    /// How many matches to show for free text
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub limit: usize,
}

pub fn run(global: &Global, style: Style, args: LookupArgs) -> anyhow::Result<Outcome> {
    let catalog = load_catalog(global)?;
    let query = args.query.join(" ");
    if query.trim().is_empty() {
        anyhow::bail!("the query is empty (try a status like 404, a code like PRB-3001, or words like 'rate limit')");
    }
    let hits = catalog.search(&query, args.limit.max(1));
    let mut out = std::io::stdout().lock();
    if hits.is_empty() {
        if args.json {
            writeln!(out, "[]")?;
        }
        eprintln!(
            "nothing in the catalog matches '{query}'{}",
            catalog.suggest(&query)
        );
        return Ok(Outcome::Negative);
    }
    if args.json {
        let entries: Vec<_> = hits.iter().map(|h| h.entry).collect();
        serde_json::to_writer_pretty(&mut out, &entries)?;
        writeln!(out)?;
        return Ok(Outcome::Positive);
    }
    let exact = hits.len() == 1 && hits[0].score >= 100.0;
    if !exact {
        writeln!(
            out,
            "{}",
            style.dim(&format!(
                "{} match(es) for '{query}', best first:",
                hits.len()
            ))
        )?;
        writeln!(out)?;
    }
    for (i, h) in hits.iter().enumerate() {
        if i > 0 {
            writeln!(out, "{}", style.dim("────"))?;
        }
        write!(out, "{}", entry_card(h.entry, style))?;
    }
    Ok(Outcome::Positive)
}
