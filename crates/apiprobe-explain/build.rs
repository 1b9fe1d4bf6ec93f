//! Checks every embedded data file with `src/embedded.rs` and writes what passes as Rust: the vendor
//! tables (`data/vendors/*.toml`, a new vendor is a new file), the tool rules (`data/tools/*.toml`),
//! the message reader's phrases (`data/phrases.toml`), and the vendor names the parsers in `src/vendor/` report, each against a table file. A mistake
//! fails the build at file:line:col.

#[path = "src/embedded.rs"]
mod embedded;

use apiprobe_catalog::{Catalog, SourceError};
use std::path::{Path, PathBuf};

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    files.sort();
    files
}

/// Each file as (its path from the crate root, its text).
fn read_all(root: &Path, dir: &str, ext: &str) -> Vec<(String, String)> {
    println!("cargo:rerun-if-changed={dir}");
    files(&root.join(dir), ext)
        .into_iter()
        .map(|p| {
            println!("cargo:rerun-if-changed={}", p.display());
            let name = p.strip_prefix(root).unwrap_or(&p).display().to_string();
            let text =
                std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {name}: {e}"));
            (name, text)
        })
        .collect()
}

fn fail(e: SourceError) -> ! {
    panic!("\n{e}\n")
}

fn main() {
    let root =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let catalog = Catalog::builtin();

    let tables: Vec<embedded::Table> = read_all(&root, "data/vendors", "toml")
        .iter()
        .map(|(file, text)| embedded::vendor_table(file, text, catalog).unwrap_or_else(|e| fail(e)))
        .collect();
    let vendors: Vec<&str> = tables.iter().map(|t| t.vendor.as_str()).collect();
    for (file, text) in read_all(&root, "src/vendor", "rs") {
        embedded::parser_vendors(&file, &text, &vendors).unwrap_or_else(|e| fail(e));
    }
    let mut rules = Vec::new();
    for (file, text) in read_all(&root, "data/tools", "toml") {
        rules.extend(embedded::tool_rules(&file, &text, catalog).unwrap_or_else(|e| fail(e)));
    }

    let phrases_file = "data/phrases.toml";
    println!("cargo:rerun-if-changed={phrases_file}");
    let text = std::fs::read_to_string(root.join(phrases_file))
        .unwrap_or_else(|e| panic!("cannot read {phrases_file}: {e}"));
    let phrases = embedded::phrases(phrases_file, &text, catalog).unwrap_or_else(|e| fail(e));

    for (name, rust) in [
        ("vendor_tables.rs", embedded::tables_rust(&tables)),
        ("tool_rules.rs", embedded::rules_rust(&rules)),
        ("phrases.rs", embedded::phrases_rust(&phrases)),
    ] {
        let dest = out.join(name);
        std::fs::write(&dest, rust)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", dest.display()));
    }
}
