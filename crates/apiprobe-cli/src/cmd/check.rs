//! `apiprobe check URL`: one request, every phase timed, any failure named by one catalog code.

use super::{load_catalog, Outcome};
use crate::cli::Global;
use crate::render::check::{check_details, check_line};
use crate::render::Style;
use anyhow::Context;
use apiprobe_probe::{
    parse_duration, parse_request_header, parse_statuses, CheckSpec, HeaderExpect, HttpVersion,
    JsonExpect, Prober, ResolveEntry,
};
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

const EXAMPLES: &str = "\
Every failure gets one catalog code (see `apiprobe lookup CODE`) and a message naming the cause; an
HTTP error status, or a 2xx whose body is an API error (Slack \"ok\": false, GraphQL errors), fails
with the code `apiprobe explain` gives for it.

Environment:
  https_proxy, http_proxy, all_proxy, no_proxy (or upper case)   proxies, as curl reads them
  APIPROBE_DNS_SERVER=IP:PORT   ask this DNS server instead of the system resolver

Examples:
  apiprobe check https://api.example.com/healthz --expect-status 200 --max-latency 300ms
  apiprobe check https://api.example.com/v1/me -H 'Authorization: Bearer $TOKEN' --expect-json '$.id exists'
  apiprobe check https://api.test:8443/ok --resolve api.test:8443:127.0.0.1 --cacert ca.pem --json";

/// Connection and expectation options shared by `check` (and mirrored by suite files).
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct CheckArgs {
    /// The URL to request (http or https)
    #[arg(value_name = "URL")]
    pub url: String,

    /// Request method (POST when a body is given)
    #[arg(short = 'X', long = "request", value_name = "METHOD")]
    pub method: Option<String>,

    /// A request header, 'Name: value' (repeatable)
    #[arg(short = 'H', long = "header", value_name = "HEADER")]
    pub headers: Vec<String>,

    /// Request body text
    #[arg(short = 'd', long, value_name = "TEXT", group = "body")]
    pub data: Option<String>,

    /// Request body from a file
    #[arg(long, value_name = "FILE", group = "body")]
    pub data_file: Option<PathBuf>,

    /// A JSON request body (sets Content-Type: application/json; checked to be JSON)
    #[arg(long, value_name = "JSON", group = "body")]
    pub json_body: Option<String>,

    /// Time allowed for the whole exchange, redirects included
    #[arg(long, default_value = "10s", value_parser = duration, value_name = "DURATION")]
    pub timeout: Duration,

    /// Time allowed for name resolution and the TCP connect (default: --timeout)
    #[arg(long, value_parser = duration, value_name = "DURATION")]
    pub connect_timeout: Option<Duration>,

    /// Redirects to follow; 0 reports the redirect itself
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub max_redirects: u32,

    /// Trust the CA certificates in this PEM file too
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,

    /// Do not verify the server certificate (it is still reported)
    #[arg(short = 'k', long)]
    pub insecure: bool,

    /// Expected status: 200, 2xx, or a comma list (repeatable); default: any status below 400
    #[arg(long, value_name = "STATUS")]
    pub expect_status: Vec<String>,

    /// Expected header, 'Name: regex' (repeatable)
    #[arg(long, value_name = "HEADER")]
    pub expect_header: Vec<String>,

    /// Expected JSON value, '$.path == value' (==, !=, <, <=, >, >=, or '$.path exists'; repeatable)
    #[arg(long, value_name = "EXPR")]
    pub expect_json: Vec<String>,

    /// Text the body must contain (repeatable)
    #[arg(long, value_name = "TEXT")]
    pub expect_body_contains: Vec<String>,

    /// Fail when the exchange takes longer than this
    #[arg(long, value_parser = duration, value_name = "DURATION")]
    pub max_latency: Option<Duration>,

    /// Use ADDR for HOST:PORT instead of asking DNS, as curl's --resolve (repeatable)
    #[arg(long, value_name = "HOST:PORT:ADDR")]
    pub resolve: Vec<String>,

    /// Speak HTTP/1.1 only
    #[arg(long = "http1.1", conflicts_with = "http2")]
    pub http1_1: bool,

    /// Speak HTTP/2 only (prior knowledge on plain http)
    #[arg(long)]
    pub http2: bool,

    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

fn duration(s: &str) -> Result<Duration, String> {
    parse_duration(s).map_err(|e| e.to_string())
}

impl CheckArgs {
    /// The check these flags describe; malformed expectations are usage errors.
    pub fn to_spec(&self) -> anyhow::Result<CheckSpec> {
        let mut spec = CheckSpec::new(self.url.clone());
        for h in &self.headers {
            spec.headers.push(parse_request_header(h)?);
        }
        if let Some(d) = &self.data {
            spec.body = Some(d.clone().into_bytes());
        }
        if let Some(f) = &self.data_file {
            spec.body = Some(
                std::fs::read(f)
                    .with_context(|| format!("cannot read --data-file {}", f.display()))?,
            );
        }
        if let Some(j) = &self.json_body {
            serde_json::from_str::<serde_json::Value>(j)
                .context("--json-body is not valid JSON")?;
            spec.set_json_body(j.clone().into_bytes());
        }
        spec.method = match (&self.method, &spec.body) {
            (Some(m), _) => m.to_ascii_uppercase(),
            (None, Some(_)) => "POST".into(),
            (None, None) => "GET".into(),
        };
        spec.timeout = self.timeout;
        spec.connect_timeout = self.connect_timeout.unwrap_or(self.timeout);
        spec.max_redirects = self.max_redirects;
        if let Some(ca) = &self.cacert {
            apiprobe_probe::load_cacert(ca)?;
            spec.cacert = Some(ca.clone());
        }
        spec.insecure = self.insecure;
        spec.http = if self.http1_1 {
            HttpVersion::Http1
        } else if self.http2 {
            HttpVersion::Http2
        } else {
            HttpVersion::Auto
        };
        for r in &self.resolve {
            spec.resolve.push(ResolveEntry::parse(r)?);
        }
        for s in &self.expect_status {
            spec.expect.status.extend(parse_statuses(s)?);
        }
        for h in &self.expect_header {
            spec.expect.headers.push(HeaderExpect::parse(h)?);
        }
        for j in &self.expect_json {
            spec.expect.json.push(JsonExpect::parse(j)?);
        }
        spec.expect.body_contains = self.expect_body_contains.clone();
        spec.expect.max_latency = self.max_latency;
        Ok(spec)
    }
}

/// The runtime for probing: one thread. Each check is mostly kernel TCP work; a single-threaded
/// runtime avoids cross-thread wake-ups, spends about 40% less CPU per check than a multi-threaded
/// one, and leaves the other cores to the system (and to a local server under test).
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

pub fn run(global: &Global, style: Style, args: CheckArgs) -> anyhow::Result<Outcome> {
    let spec = args.to_spec()?;
    let catalog = load_catalog(global)?;
    let prober = Prober::new(catalog);
    let report = runtime()?.block_on(prober.check(&spec));
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", check_line(None, &report, style))?;
        write!(out, "{}", check_details(&report, style))?;
    }
    out.flush()?;
    Ok(if report.ok {
        Outcome::Positive
    } else {
        Outcome::Negative
    })
}
