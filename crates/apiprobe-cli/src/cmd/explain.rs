//! `apiprobe explain`: a raw response (file or stdin), the parts of one (`--status`, `--header`, `--body`),
//! a code or message copied from somewhere (`--code`, `--message`), or JSON Lines in `--batch`.

use super::{load_catalog, Outcome};
use crate::cli::Global;
use crate::render::{report_card, Style};
use anyhow::{bail, Context};
use apiprobe_catalog::Report;
use apiprobe_explain::{
    batch, explain_code, explain_input, explain_response, recognised, HttpResponse, Input,
};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// Most input bytes kept in memory; the rest is counted, not stored (the body parser reads 1 MiB anyway).
const MAX_INPUT: u64 = 8 << 20;

const EXAMPLES: &str = "\
Input:
  A raw response as `curl -si` prints it (HTTP/1.x, 2 or 3; CRLF or LF). With several in a row
  (`curl -siL`, `100 Continue`), the last one is explained. Text that is not a response is read as a
  client or server log line.

Batch mode:
  --batch reads JSON Lines: {\"status\":429,\"headers\":{\"retry-after\":\"3\"},\"body\":\"...\"} or
  {\"raw\":\"HTTP/1.1 429 ...\"}, and writes one JSON report per line, in input order. A line that cannot
  be read becomes {\"line\":N,\"error\":\"...\"}. --summary writes the counts by category, code and vendor
  to stderr as one JSON object, so stdout stays one report per input line.

Exit status: 0 explained; 1 nothing recognised beyond the status; 2 usage or input error.

Examples:
  curl -si https://api.example.com/v1/users | apiprobe explain -
  apiprobe explain response.http --json
  apiprobe explain --status 403 --header 'WWW-Authenticate: Bearer error=\"insufficient_scope\"'
  apiprobe explain --code ThrottlingException
  apiprobe explain --batch errors.jsonl --summary > reports.jsonl";

#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct ExplainArgs {
    /// A file holding a raw response (stdin when absent or `-`)
    #[arg(value_name = "FILE", conflicts_with = "file")]
    pub path: Option<PathBuf>,

    /// A file holding a raw response (same as the positional FILE)
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// The response status, when giving the response in parts
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(100..=999))]
    pub status: Option<u16>,

    /// A response header, 'Name: value' (repeatable)
    #[arg(
        long = "header",
        short = 'H',
        value_name = "NAME: VALUE",
        requires = "status"
    )]
    pub headers: Vec<String>,

    /// The response body as text
    #[arg(
        long,
        value_name = "TEXT",
        requires = "status",
        conflicts_with = "body_file"
    )]
    pub body: Option<String>,

    /// The response body from a file
    #[arg(long, value_name = "FILE", requires = "status")]
    pub body_file: Option<PathBuf>,

    /// An error code copied from a UI or log (a status, a probe code, or an API's own code)
    #[arg(long, value_name = "CODE", conflicts_with_all = ["status", "batch"])]
    pub code: Option<String>,

    /// An error message copied from a UI or log
    #[arg(long, value_name = "TEXT", conflicts_with_all = ["status", "batch"])]
    pub message: Option<String>,

    /// Print the report as one JSON object
    #[arg(long)]
    pub json: bool,

    /// Read JSON Lines (from FILE, --file or stdin) and write one JSON report per line
    #[arg(long, conflicts_with = "status")]
    pub batch: bool,

    /// With --batch: counts by category, code and vendor on stderr at the end
    #[arg(long, requires = "batch")]
    pub summary: bool,
}

pub fn run(global: &Global, style: Style, args: ExplainArgs) -> anyhow::Result<Outcome> {
    let catalog = load_catalog(global)?;
    // `-` is standard input, as for cat, jq and rg.
    let source = args
        .path
        .clone()
        .or(args.file.clone())
        .filter(|p| p.as_os_str() != "-");
    if args.batch {
        return run_batch(&catalog, source.as_deref(), args.summary);
    }
    if args.code.is_some() || args.message.is_some() {
        return match explain_code(&catalog, args.code.as_deref(), args.message.as_deref()) {
            Some(r) => print(&r, args.json, style).map(|()| Outcome::Positive),
            None => {
                let what = args
                    .code
                    .as_deref()
                    .or(args.message.as_deref())
                    .unwrap_or_default();
                eprintln!("nothing in the catalog or the vendor tables matches '{what}'");
                Ok(Outcome::Negative)
            }
        };
    }
    if let Some(status) = args.status {
        let resp = from_parts(status, &args)?;
        let report = explain_response(&catalog, &resp);
        print(&report, args.json, style)?;
        return Ok(outcome(&report));
    }
    let (bytes, total) = read_input(source.as_deref())?;
    let input = explain_input(&catalog, &bytes).with_context(|| match &source {
        Some(p) => format!("{} is not a response apiprobe can read", p.display()),
        None => "stdin is not a response apiprobe can read".to_string(),
    })?;
    match input {
        Input::Response(mut r) | Input::Text(mut r) => {
            if total > MAX_INPUT {
                r.evidence.push(format!(
                    "input is {total} bytes; only the first {MAX_INPUT} were read"
                ));
            }
            print(&r, args.json, style)?;
            Ok(outcome(&r))
        }
        Input::Unrecognised => {
            if args.json {
                println!("null");
            }
            eprintln!(
                "the input is not an HTTP response (no status line such as 'HTTP/1.1 404 Not Found') and no known error text was found in it"
            );
            Ok(Outcome::Negative)
        }
    }
}

fn outcome(r: &Report) -> Outcome {
    if recognised(r) {
        Outcome::Positive
    } else {
        Outcome::Negative
    }
}

fn print(r: &Report, json: bool, style: Style) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, r)?;
        writeln!(out)?;
    } else {
        write!(
            out,
            "{}",
            report_card(r, style, crate::render::terminal_width())
        )?;
    }
    out.flush()?;
    Ok(())
}

fn from_parts(status: u16, args: &ExplainArgs) -> anyhow::Result<HttpResponse> {
    let mut headers = Vec::with_capacity(args.headers.len());
    for h in &args.headers {
        let Some((name, value)) = h.split_once(':') else {
            bail!("--header '{h}' has no colon (write it as 'Name: value')");
        };
        if name.trim().is_empty() {
            bail!("--header '{h}' has an empty name");
        }
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let body = match (&args.body, &args.body_file) {
        (Some(b), _) => b.clone().into_bytes(),
        (None, Some(p)) => read_input(Some(p))?.0,
        (None, None) => Vec::new(),
    };
    Ok(HttpResponse {
        status,
        headers,
        body,
    })
}

/// Reads at most [`MAX_INPUT`] bytes, and counts the rest.
fn read_input(path: Option<&Path>) -> anyhow::Result<(Vec<u8>, u64)> {
    let mut reader: Box<dyn Read> = match path {
        Some(p) => Box::new(
            std::fs::File::open(p).with_context(|| format!("cannot open {}", p.display()))?,
        ),
        None => Box::new(std::io::stdin().lock()),
    };
    let mut bytes = Vec::new();
    let shown = || path.map_or_else(|| "stdin".to_string(), |p| p.display().to_string());
    (&mut reader)
        .take(MAX_INPUT)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {}", shown()))?;
    let rest = std::io::copy(&mut reader, &mut std::io::sink())
        .with_context(|| format!("cannot read {}", shown()))?;
    let total = bytes.len() as u64 + rest;
    Ok((bytes, total))
}

fn run_batch(
    catalog: &apiprobe_catalog::Catalog,
    path: Option<&Path>,
    summary: bool,
) -> anyhow::Result<Outcome> {
    let input: Box<dyn Read + Send> = match path {
        Some(p) => Box::new(
            std::fs::File::open(p).with_context(|| format!("cannot open {}", p.display()))?,
        ),
        None => Box::new(std::io::stdin()),
    };
    let out = BufWriter::with_capacity(1 << 16, std::io::stdout());
    let counts =
        batch::run(catalog, input, out, &batch::Options::default()).context("batch run stopped")?;
    if summary {
        let mut err = std::io::stderr().lock();
        serde_json::to_writer(&mut err, &serde_json::json!({ "summary": counts }))?;
        writeln!(err)?;
    }
    Ok(Outcome::Positive)
}
