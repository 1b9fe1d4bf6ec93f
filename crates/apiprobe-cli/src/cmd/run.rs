//! `apiprobe run SUITE.toml`: many checks from a file, run concurrently, results streamed as they finish.

use super::check::runtime;
use super::{load_catalog, Outcome};
use crate::cli::Global;
use crate::render::check::{check_line, Summary};
use crate::render::Style;
use anyhow::Context;
use apiprobe_probe::{run_all, JunitReport, Prober, Suite};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

const EXAMPLES: &str = "\
Suite file: an optional [defaults] table and [[check]] tables with name, url and the options of
`apiprobe check` in snake_case: method (POST when a body is given), headers, body, body_file,
json_body, timeout, connect_timeout, max_redirects, cacert, insecure, http (\"1.1\" or \"2\"),
resolve, expect_status, expect_header, expect_json, expect_body_contains, max_latency. Paths are
relative to the suite file. ${NAME} takes the environment variable NAME.
[defaults] comes before the first [[check]]. Checks are read as they run, so a suite of any size
runs in about the same memory.

  [defaults]
  timeout = \"5s\"
  headers = { Authorization = \"Bearer ${API_TOKEN}\" }

  [[check]]
  name = \"health\"
  url = \"https://api.example.com/healthz\"
  expect_status = \"2xx\"
  max_latency = \"300ms\"

Exit status: 0 every check passed, 1 a check failed, 2 the suite file is unusable (file:line:col).

Examples:
  apiprobe run checks.toml
  apiprobe run checks.toml -j 32 --json | jq -c 'select(.ok | not)'
  apiprobe run checks.toml --junit report.xml";

#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct RunArgs {
    /// The suite file (TOML)
    #[arg(value_name = "SUITE.toml")]
    pub suite: PathBuf,

    /// Checks to run at once
    #[arg(short = 'j', long = "jobs", default_value_t = 8, value_name = "N")]
    pub jobs: usize,

    /// Print one JSON result per line (the summary goes to stderr)
    #[arg(long)]
    pub json: bool,

    /// Also write a JUnit XML report to FILE
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,

    /// Print only failing checks (the summary still counts all)
    #[arg(long)]
    pub failures_only: bool,
}

pub fn run(global: &Global, style: Style, args: RunArgs) -> anyhow::Result<Outcome> {
    let suite = Suite::load(&args.suite)?;
    let catalog = load_catalog(global)?;
    let prober = Arc::new(Prober::new(catalog));
    // The suite was checked whole when it loaded; a check that fails to build now (a CA file removed
    // meanwhile) is said on stderr and counted as a failure.
    let mut unbuildable = 0u64;
    let checks = suite.checks().filter_map(|c| {
        c.map_err(|e| {
            eprintln!("error: {e}");
            unbuildable += 1;
        })
        .ok()
    });
    let progress = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(suite.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(if style.enabled() {
                "{bar:30.green/red} {pos}/{len} checks, {per_sec}, {msg}"
            } else {
                "{bar:30} {pos}/{len} checks, {per_sec}, {msg}"
            })
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let mut junit = args.junit.as_ref().map(|_| JunitReport::new());
    let mut summary = Summary::default();
    let mut failed = 0u64;
    let start = Instant::now();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let result = runtime()?.block_on(run_all(prober, checks, args.jobs, |_index, report| {
        let name = report.details.get("check").cloned().unwrap_or_default();
        let name = name.as_str();
        summary.add(&report);
        if !report.ok {
            failed += 1;
        }
        if let Some(j) = junit.as_mut() {
            j.add(name, &report)?;
        }
        let show = !args.failures_only || !report.ok;
        if args.json && show {
            serde_json::to_writer(&mut out, &report)?;
            writeln!(out)?;
        } else if show {
            let line = check_line(Some(name), &report, style);
            match &progress {
                Some(bar) => bar.suspend(|| write!(out, "{line}").and_then(|_| out.flush()))?,
                None => write!(out, "{line}")?,
            }
        }
        if let Some(bar) = &progress {
            bar.inc(1);
            bar.set_message(format!("{failed} failed"));
        }
        Ok::<(), anyhow::Error>(())
    }));
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    result?;
    let wall = start.elapsed().as_secs_f64();
    if let (Some(j), Some(path)) = (&junit, &args.junit) {
        let mut f = std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        );
        j.write_to(&args.suite.display().to_string(), &mut f)?;
        f.flush()?;
    }
    let table = summary.render(wall, style);
    if args.json {
        out.flush()?;
        eprint!("{table}");
    } else {
        writeln!(out)?;
        write!(out, "{table}")?;
        out.flush()?;
    }
    Ok(if summary.any_failed() || unbuildable > 0 {
        Outcome::Negative
    } else {
        Outcome::Positive
    })
}
