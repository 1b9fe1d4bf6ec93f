//! `apiprobe explain` (being built).

use super::Outcome;
use crate::cli::Global;
use crate::render::Style;

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {}

pub fn run(_global: &Global, _style: Style, _args: ExplainArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("'explain' is not built yet")
}
