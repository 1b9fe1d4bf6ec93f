//! Runs every case in `tests/cases/tools/*.toml`: real error lines from each tool, each with the code it
//! must map to, and pins each file's reports whole with an insta snapshot (`tests/snapshots/`), so any
//! change of output is a reviewed diff. A new case is a new `[[case]]` table, not new Rust.

use apiprobe_catalog::Catalog;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    source: String,
    #[serde(default)]
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    text: String,
    /// The probe name, or the HTTP status entry's code for a line that carries a status.
    #[serde(default)]
    expect: Option<String>,
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    vendor_code: Option<String>,
    #[serde(default)]
    status: Option<u16>,
    #[serde(default)]
    details: BTreeMap<String, String>,
    /// The text is not recognisable with certainty: nothing, or a guess below 0.5.
    #[serde(default)]
    guess: bool,
}

fn cases_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/cases/tools")
}

#[test]
fn every_tool_case_maps_to_its_code() {
    let catalog = Catalog::builtin();
    let mut files: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .expect("tests/cases/tools exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut total = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).expect("readable case file");
        let file: CaseFile =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {}", path.display(), e.message()));
        assert!(
            !file.source.is_empty(),
            "{}: source is empty",
            path.display()
        );
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        for (i, case) in file.case.iter().enumerate() {
            total += 1;
            let at = format!("{name} case {}", i + 1);
            let report = apiprobe_explain::explain_text(catalog, &case.text);
            let got = report
                .as_ref()
                .map(|r| r.name.clone().or(r.code.clone()).unwrap_or_default());
            if case.guess {
                if let Some(r) = &report {
                    if r.confidence >= 0.5 {
                        failures.push(format!(
                            "{at}: expected a guess, got {:?} at {}",
                            got, r.confidence
                        ));
                    }
                    if case.expect.is_some() && got != case.expect {
                        failures.push(format!(
                            "{at}: guessed {:?}, expected {:?}",
                            got, case.expect
                        ));
                    }
                }
                continue;
            }
            let Some(r) = report else {
                failures.push(format!("{at}: not recognised: {}", case.text));
                continue;
            };
            if got != case.expect {
                failures.push(format!(
                    "{at}: got {:?}, expected {:?} for {}",
                    got, case.expect, case.text
                ));
            }
            if r.confidence < 0.5 {
                failures.push(format!("{at}: confidence {} below 0.5", r.confidence));
            }
            if case.format.is_some() && r.format != case.format {
                failures.push(format!(
                    "{at}: format {:?}, expected {:?}",
                    r.format, case.format
                ));
            }
            if case.vendor_code.is_some() && r.vendor_code != case.vendor_code {
                failures.push(format!(
                    "{at}: vendor_code {:?}, expected {:?}",
                    r.vendor_code, case.vendor_code
                ));
            }
            if case.status.is_some() && r.status != case.status {
                failures.push(format!(
                    "{at}: status {:?}, expected {:?}",
                    r.status, case.status
                ));
            }
            for (k, v) in &case.details {
                if r.details.get(k) != Some(v) {
                    failures.push(format!(
                        "{at}: details.{k} = {:?}, expected {v:?}",
                        r.details.get(k)
                    ));
                }
            }
            if r.evidence.is_empty() || r.next_steps.is_empty() || r.category.is_none() {
                failures.push(format!(
                    "{at}: evidence, next_steps and category must be filled"
                ));
            }
        }
    }
    assert!(total >= 100, "only {total} cases");
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every tool file's cases, each with the whole report it gives (or null when the line is not
/// recognised), as one snapshot per file.
#[test]
fn every_tool_case_is_pinned_whole() {
    let catalog = Catalog::builtin();
    insta::glob!("../../../tests/cases/tools", "*.toml", |path| {
        let text = std::fs::read_to_string(path).expect("readable case file");
        let file: CaseFile =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {}", path.display(), e.message()));
        let pinned: Vec<serde_json::Value> = file
            .case
            .iter()
            .map(|case| {
                serde_json::json!({
                    "text": case.text,
                    "report": apiprobe_explain::explain_text(catalog, &case.text),
                })
            })
            .collect();
        let mut settings = insta::Settings::clone_current();
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.bind(|| insta::assert_json_snapshot!(pinned));
    });
}
