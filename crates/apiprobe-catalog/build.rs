//! Checks the catalog data files with the same code that checks user files, then embeds them as JSON.

#[path = "src/model.rs"]
#[allow(dead_code)]
mod model;
#[path = "src/source.rs"]
#[allow(dead_code)]
mod source;

use std::path::{Path, PathBuf};

fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn main() {
    let root =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let data = root.join("data");
    println!("cargo:rerun-if-changed=data");
    let entry_files = toml_files(&data);
    let alias_files = toml_files(&data.join("aliases"));
    let read = |p: &PathBuf| -> (String, String) {
        let name = p.strip_prefix(&root).unwrap_or(p).display().to_string();
        let bytes = std::fs::read(p).unwrap_or_else(|e| panic!("cannot read {name}: {e}"));
        let text = source::decode(&name, &bytes)
            .unwrap_or_else(|e| panic!("\n{e}\n"))
            .to_string();
        (name, text)
    };
    let entry_texts: Vec<(String, String)> = entry_files.iter().map(read).collect();
    let alias_texts: Vec<(String, String)> = alias_files.iter().map(read).collect();
    let mut layer = Vec::new();
    for (name, text) in &entry_texts {
        layer.extend(source::parse_entries(name, text).unwrap_or_else(|e| panic!("\n{e}\n")));
    }
    let sets: Vec<source::AliasSet> = alias_texts
        .iter()
        .map(|(name, text)| source::parse_aliases(name, text).unwrap_or_else(|e| panic!("\n{e}\n")))
        .collect();
    let texts: Vec<source::Text<'_>> = entry_texts
        .iter()
        .chain(alias_texts.iter())
        .map(|(file, text)| source::Text { file, text })
        .collect();
    // Every failure carries a probe code: a status with nothing more specific in the response gets its
    // entry's default, so a built-in status entry without one is a hole in that promise.
    source::require_defaults(&texts, &layer).unwrap_or_else(|e| panic!("\n{e}\n"));
    let entries = source::assemble(&texts, Vec::new(), vec![layer], sets)
        .unwrap_or_else(|e| panic!("\n{e}\n"));
    let json = serde_json::to_string(&entries).expect("entries serialize");
    let out =
        PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("catalog.json");
    std::fs::write(out, json).expect("write catalog.json");
}
