//! `explain --batch` without the CLI around it, for profiling the batch pipeline on its own:
//! `cargo run --release -p apiprobe-explain --example batch -- [WORKERS] < lines.jsonl > out.jsonl`.
//! The summary goes to stderr.

use apiprobe_catalog::Catalog;
use apiprobe_explain::batch::{run, Options};
use std::io::{self, BufWriter};

fn main() -> io::Result<()> {
    let workers = std::env::args()
        .nth(1)
        .and_then(|w| w.parse().ok())
        .unwrap_or(0);
    let catalog = Catalog::builtin();
    // As the CLI writes: chunks of output go straight through a small buffer.
    let out = BufWriter::with_capacity(1 << 16, io::stdout());
    let summary = run(catalog, io::stdin().lock(), out, &Options { workers })?;
    eprintln!("{}", serde_json::to_string(&summary).unwrap_or_default());
    Ok(())
}
