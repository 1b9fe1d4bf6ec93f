//! `apiprobe check` (being built).

use super::Outcome;
use crate::cli::Global;
use crate::render::Style;

#[derive(Debug, clap::Args)]
pub struct CheckArgs {}

pub fn run(_global: &Global, _style: Style, _args: CheckArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("'check' is not built yet")
}
