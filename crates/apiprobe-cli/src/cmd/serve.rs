//! `apiprobe serve` (being built).

use super::Outcome;
use crate::cli::Global;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {}

pub fn run(_global: &Global, _args: ServeArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("'serve' is not built yet")
}
