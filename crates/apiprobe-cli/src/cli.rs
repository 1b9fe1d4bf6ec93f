//! Command-line definitions. Each subcommand's flags live beside the code that runs it in `cmd/`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Exit status:
  0  found, explained, or every check passed
  1  ran fine, but the answer is negative: nothing found, a check failed, a response not recognised
  2  usage error, unreadable input, or an internal error

Examples:
  apiprobe lookup 404
  apiprobe lookup 'rate limit'
  curl -si https://api.example.com/v1/users | apiprobe explain
  apiprobe check https://api.example.com/healthz --expect-status 200
  apiprobe contract openapi.yaml --base-url http://127.0.0.1:8080
  apiprobe serve";

/// Make API errors readable at a glance.
///
/// apiprobe reads an error the way the reference says to: the HTTP status first for the broad class
/// (client, auth or server), then the API's own error code and message for the exact condition.
/// When status and code disagree, it uses both and says so.
#[derive(Debug, Parser)]
#[command(name = "apiprobe", version, about, long_about, after_long_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every subcommand accepts.
#[derive(Debug, Args)]
pub struct Global {
    /// Extend or override the catalog with a TOML file
    ///
    /// An entry file ([[entry]] tables) adds entries, replacing any with the same code; an alias file
    /// (tool = "..." and [[alias]] tables) replaces that tool's aliases. Errors name the file and line.
    #[arg(long, global = true, env = "APIPROBE_CATALOG", value_name = "FILE")]
    pub catalog: Option<PathBuf>,

    /// When to colour output
    ///
    /// `auto` colours only a terminal and honours NO_COLOR.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour a terminal unless NO_COLOR is set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

// Parsed once per process: the size of the largest flag set costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Look up a status, probe code, name or words in the catalog
    Lookup(crate::cmd::lookup::LookupArgs),
    /// List catalog entries as a table
    List(crate::cmd::list::ListArgs),
    /// Export the whole catalog as JSON, Markdown or CSV
    Export(crate::cmd::export::ExportArgs),
    /// Explain an API error response, or an error line from a client or server log
    Explain(crate::cmd::explain::ExplainArgs),
    /// Send one request and check the response; every failure gets one catalog code
    Check(crate::cmd::check::CheckArgs),
    /// Run a suite of checks from a TOML file
    Run(crate::cmd::run::RunArgs),
    /// Check an API against its OpenAPI document and grade its error responses
    Contract(crate::cmd::contract::ContractArgs),
    /// Serve the web reference page and its JSON API
    Serve(crate::cmd::serve::ServeArgs),
    /// Run a suite on a schedule: history, Prometheus metrics and alerts by failure code
    Monitor(crate::cmd::monitor::MonitorArgs),
}
