//! `apiprobe contract OPENAPI`: checks an API against its OpenAPI document and grades its errors.

use super::check::runtime;
use super::{load_catalog, Outcome};
use crate::cli::Global;
use anyhow::Context;
use apiprobe_contract::{Document, Options, ProbeFetch};
use apiprobe_probe::{parse_duration, parse_request_header, Prober};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

const EXAMPLES: &str = "\
For each operation: requests built from the document's examples and from data generated to fit its
schemas; then the same request broken one way at a time (a required field left out, a value of the
wrong type, a value outside its enum or past its minimum, maximum or length, a required query
parameter left out, no credentials where the operation declares security), which the API must refuse with a 4xx. Every response is checked for a
documented status, a documented media type, a body valid against its schema (JSON Schema 2020-12 for
OpenAPI 3.1, the 3.0 dialect for 3.0) and its required headers. Ids created by a 201 (or named by
the document's `links`) are reused by the operations that read or delete them.

Each error response is graded: a machine-readable code, the broken field named, a standard or
documented format, Retry-After on 429/503, no stack trace. The grade per operation and for the API is
the share of those points earned: A from 90%, B 80%, C 70%, D 60%, else F.

Findings are catalog codes (`apiprobe lookup SCHEMA_VIOLATION`): PRB-3601..3608 when the API breaks
its document, PRB-1906..1909 for error quality.

Exit status: 0 no findings, 1 findings, 2 bad usage or a document that cannot be used (its file and
line are named).

Examples:
  apiprobe contract openapi.yaml --base-url http://127.0.0.1:8080
  apiprobe contract https://api.example.com/openapi.json -H 'Authorization: Bearer $TOKEN' --tag orders
  apiprobe contract api.yaml --operation createOrder --json | jq -r '.field + \" \" + .name'
  apiprobe contract api.yaml --junit contract.xml --max-requests 500 --seed 7";

#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct ContractArgs {
    /// The OpenAPI 3.0 or 3.1 document: a file or an http(s) URL, YAML or JSON
    #[arg(value_name = "OPENAPI")]
    pub document: String,

    /// The API's base URL (default: the document's first server)
    ///
    /// A relative server URL in a document loaded by URL is resolved against that URL.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,

    /// A header sent with every request, 'Name: value' (repeatable); credentials go here
    #[arg(short = 'H', long = "header", value_name = "HEADER")]
    pub headers: Vec<String>,

    /// Check only this operation id (repeatable)
    #[arg(long = "operation", value_name = "ID")]
    pub operations: Vec<String>,

    /// Check only operations with this tag (repeatable)
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,

    /// Stop after sending this many requests
    #[arg(long, value_name = "N")]
    pub max_requests: Option<u64>,

    /// Operations checked at once
    #[arg(short = 'j', long = "jobs", default_value_t = 4, value_name = "N")]
    pub jobs: usize,

    /// Print one JSON result per finding, with the fields of `check --json` (the summary goes to stderr)
    #[arg(long)]
    pub json: bool,

    /// Also write a JUnit XML report to FILE, one test case per operation
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,

    /// Seed for generated data: the same seed sends the same requests
    #[arg(long, default_value_t = 0, value_name = "S")]
    pub seed: u64,

    /// Time allowed for each request
    #[arg(long, default_value = "10s", value_parser = duration, value_name = "DURATION")]
    pub timeout: Duration,
}

fn duration(s: &str) -> Result<Duration, String> {
    parse_duration(s).map_err(|e| e.to_string())
}

pub fn run(global: &Global, args: ContractArgs) -> anyhow::Result<Outcome> {
    let headers = args
        .headers
        .iter()
        .map(|h| parse_request_header(h))
        .collect::<Result<Vec<_>, _>>()?;
    let catalog = load_catalog(global)?;
    let prober = Prober::new(catalog);
    let opts = Options {
        base_url: args.base_url.clone(),
        headers: headers.clone(),
        operations: args.operations.clone(),
        tags: args.tags.clone(),
        max_requests: args.max_requests,
        jobs: args.jobs.max(1),
        seed: args.seed,
        timeout: args.timeout,
    };
    let rt = runtime()?;
    let fetch = ProbeFetch {
        prober: &prober,
        headers,
    };
    let doc = rt
        .block_on(Document::load(&args.document, &fetch))
        .context("the OpenAPI document cannot be used")?;
    let selected = apiprobe_contract::select(&doc, &opts)?.len();
    let progress = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(selected as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} operations, {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let report = rt.block_on(apiprobe_contract::run(&doc, &prober, &opts, |op| {
        if let Some(bar) = &progress {
            bar.inc(1);
            bar.set_message(op.id.clone());
        }
    }))?;
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    if let Some(path) = &args.junit {
        let mut f = std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        );
        report.junit()?.write_to(&args.document, &mut f)?;
        f.flush()?;
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let text = report.render_text();
    if args.json {
        for f in report.json_findings() {
            serde_json::to_writer(&mut out, &f)?;
            writeln!(out)?;
        }
        out.flush()?;
        // The summary (last lines of the text) on stderr, as `run --json` does.
        let summary: Vec<&str> = text.lines().skip_while(|l| !l.is_empty()).collect();
        eprintln!("{}", summary.join("\n").trim());
    } else {
        write!(out, "{text}")?;
        out.flush()?;
    }
    Ok(if report.findings().next().is_some() {
        Outcome::Negative
    } else {
        Outcome::Positive
    })
}
