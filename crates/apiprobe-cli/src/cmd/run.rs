//! `apiprobe run` (being built).

use super::Outcome;
use crate::cli::Global;
use crate::render::Style;

#[derive(Debug, clap::Args)]
pub struct RunArgs {}

pub fn run(_global: &Global, _style: Style, _args: RunArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("'run' is not built yet")
}
