//! `apiprobe check URL`: one request, every phase timed, any failure named by one catalog code.

use super::{load_catalog, Outcome};
use crate::cli::Global;
use crate::render::check::{check_details, check_line};
use crate::render::Style;
use anyhow::Context;
use apiprobe_probe::{
    parse_duration, parse_request_header, parse_statuses, CheckOptions, HeaderExpect, HttpVersion,
    JsonBody, JsonExpect, Prober, ResolveEntry, StatusPattern,
};
use std::io::Write;
use std::path::{Path, PathBuf};
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

/// The flags of `check`: the suite keys of [`CheckOptions`] under curl's names, read by clap with the
/// same parsers as suite values, and turned into options by [`CheckArgs::options`].
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
    #[arg(short = 'H', long = "header", value_name = "HEADER", value_parser = header)]
    pub headers: Vec<(String, String)>,

    /// Request body text
    #[arg(short = 'd', long, value_name = "TEXT", group = "body")]
    pub data: Option<String>,

    /// Request body from a file
    #[arg(long, value_name = "FILE", group = "body")]
    pub data_file: Option<PathBuf>,

    /// A JSON request body (sets Content-Type: application/json; checked to be JSON)
    #[arg(long, value_name = "JSON", group = "body", value_parser = json_body)]
    pub json_body: Option<JsonBody>,

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
    #[arg(long, value_name = "STATUS", value_parser = statuses)]
    pub expect_status: Vec<Statuses>,

    /// Expected header, 'Name: regex' (repeatable)
    #[arg(long, value_name = "HEADER", value_parser = header_expect)]
    pub expect_header: Vec<HeaderExpect>,

    /// Expected JSON value, '$.path == value' (==, !=, <, <=, >, >=, or '$.path exists'; repeatable)
    #[arg(long, value_name = "EXPR", value_parser = json_expect)]
    pub expect_json: Vec<JsonExpect>,

    /// Text the body must contain (repeatable)
    #[arg(long, value_name = "TEXT")]
    pub expect_body_contains: Vec<String>,

    /// Fail when the exchange takes longer than this
    #[arg(long, value_parser = duration, value_name = "DURATION")]
    pub max_latency: Option<Duration>,

    /// Use ADDR for HOST:PORT instead of asking DNS, as curl's --resolve (repeatable)
    #[arg(long, value_name = "HOST:PORT:ADDR", value_parser = resolve)]
    pub resolve: Vec<ResolveEntry>,

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

/// One `--expect-status` value: a status, a class or a comma list.
#[derive(Debug, Clone)]
pub struct Statuses(Vec<StatusPattern>);

fn duration(s: &str) -> Result<Duration, String> {
    parse_duration(s).map_err(|e| e.to_string())
}

fn header(s: &str) -> Result<(String, String), String> {
    parse_request_header(s).map_err(|e| e.to_string())
}

fn json_body(s: &str) -> Result<JsonBody, String> {
    JsonBody::parse(s).map_err(|e| e.to_string())
}

fn statuses(s: &str) -> Result<Statuses, String> {
    parse_statuses(s).map(Statuses).map_err(|e| e.to_string())
}

fn header_expect(s: &str) -> Result<HeaderExpect, String> {
    HeaderExpect::parse(s).map_err(|e| e.to_string())
}

fn json_expect(s: &str) -> Result<JsonExpect, String> {
    JsonExpect::parse(s).map_err(|e| e.to_string())
}

fn resolve(s: &str) -> Result<ResolveEntry, String> {
    ResolveEntry::parse(s).map_err(|e| e.to_string())
}

/// An empty list means the flag was not given, so a default applies.
fn given<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}

impl CheckArgs {
    /// The options these flags set: the one conversion from flags to what a suite table says.
    pub fn options(&self) -> CheckOptions {
        let http = match (self.http1_1, self.http2) {
            (true, _) => Some(HttpVersion::Http1),
            (_, true) => Some(HttpVersion::Http2),
            _ => None,
        };
        CheckOptions {
            name: None,
            url: Some(self.url.clone()),
            method: self.method.clone(),
            headers: self.headers.clone(),
            body: self.data.clone(),
            body_file: self.data_file.clone(),
            json_body: self.json_body.clone(),
            timeout: Some(self.timeout),
            connect_timeout: self.connect_timeout,
            max_redirects: Some(self.max_redirects),
            cacert: self.cacert.clone(),
            insecure: Some(self.insecure),
            http,
            resolve: self.resolve.clone(),
            expect_status: given(
                self.expect_status
                    .iter()
                    .flat_map(|s| s.0.clone())
                    .collect(),
            ),
            expect_header: given(self.expect_header.clone()),
            expect_json: given(self.expect_json.clone()),
            expect_body_contains: given(self.expect_body_contains.clone()),
            max_latency: self.max_latency,
        }
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
    // Relative paths (--data-file, --cacert) start where the command runs.
    let spec = args.options().to_spec(Path::new(""))?;
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
