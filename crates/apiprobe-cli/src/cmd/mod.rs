//! One module per subcommand: its flags (`*Args`) and the code that runs it.

pub mod check;
pub mod contract;
pub mod explain;
pub mod export;
pub mod list;
pub mod lookup;
pub mod monitor;
pub mod run;
pub mod serve;
mod service;

use crate::cli::{Cli, Command, Global};
use crate::render::Style;
use anyhow::Context;
use apiprobe_catalog::Catalog;
use std::borrow::Cow;

/// How a command that ran to the end came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Found, explained, passed: exit 0.
    Positive,
    /// Ran fine, answer negative: exit 1.
    Negative,
}

impl From<Outcome> for std::process::ExitCode {
    fn from(o: Outcome) -> Self {
        match o {
            Outcome::Positive => std::process::ExitCode::SUCCESS,
            Outcome::Negative => std::process::ExitCode::from(1),
        }
    }
}

/// The embedded catalog, extended by `--catalog` / `APIPROBE_CATALOG` when given.
pub fn load_catalog(global: &Global) -> anyhow::Result<Cow<'static, Catalog>> {
    match &global.catalog {
        None => Ok(Cow::Borrowed(Catalog::builtin())),
        Some(path) => Catalog::builtin()
            .extended_with_file(path)
            .map(Cow::Owned)
            .context("the --catalog file was not loaded"),
    }
}

pub fn run(cli: Cli, style: Style) -> anyhow::Result<Outcome> {
    let global = cli.global;
    match cli.command {
        Command::Lookup(args) => lookup::run(&global, style, args),
        Command::List(args) => list::run(&global, style, args),
        Command::Export(args) => export::run(&global, args),
        Command::Explain(args) => explain::run(&global, style, args),
        Command::Check(args) => check::run(&global, style, args),
        Command::Run(args) => run::run(&global, style, args),
        Command::Contract(args) => contract::run(&global, args),
        Command::Serve(args) => serve::run(&global, args),
        Command::Monitor(args) => monitor::run(&global, style, args),
    }
}
