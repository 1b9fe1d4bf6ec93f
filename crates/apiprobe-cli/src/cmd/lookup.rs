//! `apiprobe lookup QUERY`: one entry by status, code or name; ranked matches for free text.

use super::{load_catalog, Outcome};
use crate::cli::Global;
use crate::render::{entry_card, Style};
use apiprobe_catalog::Catalog;
use std::io::Write;

const EXAMPLES: &str = "\
Examples:
  apiprobe lookup 404                  an HTTP status
  apiprobe lookup prb-3001             a probe code, any case
  apiprobe lookup CONNECTION_REFUSED   a probe name ('connection refused' works too)
  apiprobe lookup 'rate limit'         free text, typo-tolerant ('unauthorised', 'timout')
  apiprobe lookup --from curl 60       another tool's code: curl, k6, datadog, node, chromium, ...
  apiprobe lookup --from chromium ERR_CERT_DATE_INVALID
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

    /// Read QUERY as this tool's own error code (curl, k6, datadog, hurl, node, chromium, go, python,
    /// java, dotnet, openssl, nginx, envoy, haproxy, blackbox)
    ///
    /// Numeric or symbolic: `--from curl 60`, `--from curl CURLE_PEER_FAILED_VERIFICATION`,
    /// `--from k6 1211`, `--from datadog CONNRESET`, `--from node ECONNREFUSED`,
    /// `--from chromium net::ERR_CERT_DATE_INVALID`. `apiprobe list --aliases` shows every mapping.
    #[arg(long, value_name = "TOOL")]
    pub from: Option<String>,

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
    if let Some(tool) = &args.from {
        return lookup_alias(&catalog, style, tool, &query, args.json);
    }
    let hits = catalog.search(&query, args.limit.max(1));
    let mut out = std::io::stdout().lock();
    // A code names one entry or none: near matches for `PRB-9999` would be unrelated codes.
    if let (Some(code), true) = (
        code_shaped(&query),
        hits.first().is_none_or(|h| h.score < 100.0),
    ) {
        if args.json {
            writeln!(out, "[]")?;
        }
        eprintln!("{code} is not in the catalog (see `apiprobe list` for every code)");
        return Ok(Outcome::Negative);
    }
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
        write!(out, "{}", entry_card(h.entry, &catalog, style))?;
    }
    Ok(Outcome::Positive)
}

/// `lookup --from TOOL CODE`: the probe entry another tool's code maps to.
fn lookup_alias(
    catalog: &Catalog,
    style: Style,
    tool: &str,
    code: &str,
    json: bool,
) -> anyhow::Result<Outcome> {
    let tool = tool.trim().to_ascii_lowercase();
    let tools = catalog.alias_tools();
    if !tools.contains(&tool.as_str()) {
        if json {
            writeln!(std::io::stdout().lock(), "[]")?;
        }
        eprintln!(
            "no aliases for a tool named '{tool}'{} (known: {})",
            did_you_mean(&tool, tools.iter().copied()),
            tools.join(", ")
        );
        return Ok(Outcome::Negative);
    }
    let wanted = normalise_code(code);
    let Some((entry, alias)) = catalog.by_alias(&tool, wanted) else {
        if json {
            writeln!(std::io::stdout().lock(), "[]")?;
        }
        let known = catalog
            .entries()
            .iter()
            .flat_map(|e| e.aliases.iter())
            .filter(|a| a.tool == tool)
            .flat_map(|a| std::iter::once(a.code.as_str()).chain(a.name.as_deref()));
        eprintln!(
            "{tool} has no code '{wanted}' in the catalog{} (see: apiprobe list --aliases --from {tool})",
            did_you_mean(wanted, known)
        );
        return Ok(Outcome::Negative);
    };
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &[entry])?;
        writeln!(out)?;
        return Ok(Outcome::Positive);
    }
    let name = alias
        .name
        .as_deref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    let text = alias
        .text
        .as_deref()
        .map(|t| format!(": {t}"))
        .unwrap_or_default();
    writeln!(
        out,
        "{}",
        style.dim(&format!("{tool} {}{name}{text}", alias.code))
    )?;
    writeln!(
        out,
        "{}",
        style.dim(&format!("is {} {}", entry.code, entry.label()))
    )?;
    writeln!(out)?;
    write!(out, "{}", entry_card(entry, catalog, style))?;
    Ok(Outcome::Positive)
}

/// The query as a code when it is written like one: a status number (`299`) or a probe code
/// (`prb-9999`, `PRB 9999`), upper-cased with its dash.
fn code_shaped(query: &str) -> Option<String> {
    let q = query.trim();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if digits(q, 3) {
        return Some(q.to_string());
    }
    let rest = q.get(..3)?.eq_ignore_ascii_case("prb").then(|| &q[3..])?;
    let number = rest.trim_start_matches(['-', '_', ' ']);
    digits(number, 4).then(|| format!("PRB-{number}"))
}

/// Accepts the spellings people paste: `(60)`, `curl: (60)`, `net::ERR_X`, surrounding quotes.
fn normalise_code(code: &str) -> &str {
    let c = code.trim().trim_matches(['"', '\'']);
    let c = c.strip_prefix("curl:").map(str::trim).unwrap_or(c);
    let c = c.strip_prefix("net::").unwrap_or(c);
    c.strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or(c)
}

/// " (did you mean 'X'?)" for the closest known spelling, or nothing when none is close.
pub(crate) fn did_you_mean<'a>(wanted: &str, known: impl Iterator<Item = &'a str>) -> String {
    let w = wanted.to_ascii_lowercase();
    known
        .map(|k| (strsim::jaro_winkler(&w, &k.to_ascii_lowercase()), k))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| format!(" (did you mean '{k}'?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_pasted_spellings() {
        assert_eq!(normalise_code("(60)"), "60");
        assert_eq!(normalise_code("curl: (60)"), "60");
        assert_eq!(
            normalise_code("net::ERR_CERT_DATE_INVALID"),
            "ERR_CERT_DATE_INVALID"
        );
        assert_eq!(normalise_code(" 'ECONNREFUSED' "), "ECONNREFUSED");
    }

    #[test]
    fn codes_are_recognised_in_the_spellings_lookup_accepts() {
        assert_eq!(code_shaped("PRB-9999").as_deref(), Some("PRB-9999"));
        assert_eq!(code_shaped(" prb_9999 ").as_deref(), Some("PRB-9999"));
        assert_eq!(code_shaped("prb9999").as_deref(), Some("PRB-9999"));
        assert_eq!(code_shaped("299").as_deref(), Some("299"));
        for words in [
            "PRB-99",
            "PRB-99999",
            "prbx",
            "rate limit",
            "4044",
            "refused",
            "",
        ] {
            assert_eq!(code_shaped(words), None, "{words}");
        }
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            did_you_mean("ECONREFUSED", ["ECONNREFUSED", "ENOTFOUND"].into_iter()),
            " (did you mean 'ECONNREFUSED'?)"
        );
        assert_eq!(did_you_mean("zzz", ["ECONNREFUSED"].into_iter()), "");
    }
}
