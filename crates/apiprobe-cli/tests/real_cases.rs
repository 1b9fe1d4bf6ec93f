//! The score of `apiprobe explain` on error responses that real services sent, as recorded by public SDK
//! test suites and fixtures: `tests/cases/real/<vendor>_<slug>/response.http`, byte for byte, with a
//! `labels.toml` saying where it was recorded and what it means (category, condition name, and the field,
//! permission or resource it names, if any).
//!
//! Five figures come out of one run of the real binary over every case:
//! - category accuracy and name accuracy, over all cases;
//! - field, permission and resource recall, each over the cases whose label names one.
//!
//! A reported field, permission or resource matches its label when, ignoring case, it equals the label
//! or ends with it right after a `.` or `/` (so `properties/auto_trigger_checks` matches
//! `auto_trigger_checks`, and `body.name` matches `name`): the label is the leaf the response names, and
//! a reader may keep the path around it.
//!
//! Each figure must stay at or above its floor in `tests/cases/real/floors.toml`. The floors are a
//! ratchet: they hold today's figures rounded down, so a change that reads real responses worse fails
//! here, and a change that reads them better raises the floor with it. To print the figures and the
//! table of misses: `cargo test -p apiprobe-cli --test real_cases -- --nocapture`.

mod common;

use apiprobe_catalog::Catalog;
use common::command;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Output;

/// The generic names for a status whose body says nothing more; accepted until the catalog has them.
const GENERIC_NAMES: [(&str, &str); 3] = [
    ("HTTP_CLIENT_ERROR", "client"),
    ("HTTP_AUTH_ERROR", "auth"),
    ("HTTP_SERVER_ERROR", "server"),
];

const LABEL_KEYS: [&str; 7] = [
    "source",
    "commit",
    "category",
    "name",
    "field",
    "permission",
    "resource",
];

const FIGURES: [&str; 5] = ["category", "name", "field", "permission", "resource"];

fn cases_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/cases/real")
}

/// `key = value` lines, `#` comments and blank lines: the one shape labels and floors use. Values are
/// TOML basic strings (read with JSON's escapes, which they share) or plain numbers.
fn read_pairs(path: &Path) -> Result<BTreeMap<String, Value>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut pairs = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = format!("{}:{}", path.display(), n + 1);
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| format!("{at}: not `key = value`"))?;
        let key = key.trim();
        let value: Value = serde_json::from_str(value.trim())
            .map_err(|e| format!("{at}: value of {key} is not a string or number ({e})"))?;
        if !(value.is_string() || value.is_number()) {
            return Err(format!("{at}: value of {key} is not a string or number"));
        }
        if pairs.insert(key.to_string(), value).is_some() {
            return Err(format!("{at}: {key} given twice"));
        }
    }
    Ok(pairs)
}

#[derive(Debug)]
struct Labels {
    category: String,
    name: String,
    field: Option<String>,
    permission: Option<String>,
    resource: Option<String>,
}

/// Reads and checks one `labels.toml`: known keys only, a provenance, a category of the three, and a
/// name that is in the catalog (or one of the generic names) with that same category.
fn read_labels(dir: &Path, catalog: &Catalog) -> Result<Labels, String> {
    let path = dir.join("labels.toml");
    let pairs = read_pairs(&path)?;
    let at = path.display();
    let text = |key: &str| -> Result<Option<String>, String> {
        match pairs.get(key) {
            None => Ok(None),
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.clone())),
            Some(v) => Err(format!("{at}: {key} must be a non-empty string, not {v}")),
        }
    };
    if let Some(unknown) = pairs.keys().find(|k| !LABEL_KEYS.contains(&k.as_str())) {
        return Err(format!("{at}: unknown key {unknown}"));
    }
    let source = text("source")?.ok_or_else(|| format!("{at}: no source"))?;
    let well_formed_source = source.split_once(':').is_some_and(|(repo, file)| {
        repo.split('/').count() == 2 && !repo.starts_with('/') && !file.is_empty()
    });
    if !well_formed_source {
        return Err(format!("{at}: source {source:?} is not owner/repo:path"));
    }
    if let Some(commit) = text("commit")? {
        if commit.len() != 40 || !commit.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("{at}: commit {commit:?} is not 40 hex digits"));
        }
    }
    let category = text("category")?.ok_or_else(|| format!("{at}: no category"))?;
    if !["client", "auth", "server"].contains(&category.as_str()) {
        return Err(format!(
            "{at}: category {category:?} is not client, auth or server"
        ));
    }
    let name = text("name")?.ok_or_else(|| format!("{at}: no name"))?;
    let name_category = match catalog.by_name(&name) {
        Some(entry) => entry.category.to_string(),
        None => GENERIC_NAMES
            .iter()
            .find(|(generic, _)| *generic == name)
            .map(|(_, c)| (*c).to_string())
            .ok_or_else(|| format!("{at}: name {name} is not in the catalog"))?,
    };
    if name_category != category {
        return Err(format!(
            "{at}: {name} is a {name_category} code, but the category says {category}"
        ));
    }
    Ok(Labels {
        category,
        name,
        field: text("field")?,
        permission: text("permission")?,
        resource: text("resource")?,
    })
}

/// The rule in the module comment: equal, or ending with the label right after a `.` or `/`.
fn names_the_same(reported: &str, label: &str) -> bool {
    let reported = reported.to_lowercase();
    let label = label.to_lowercase();
    reported == label
        || reported
            .strip_suffix(&label)
            .is_some_and(|head| head.ends_with('.') || head.ends_with('/'))
}

#[derive(Default)]
struct Tally {
    hits: usize,
    of: usize,
}

impl Tally {
    fn count(&mut self, hit: bool) {
        self.of += 1;
        self.hits += usize::from(hit);
    }

    /// An empty set scores 1: nothing to miss.
    fn figure(&self) -> f64 {
        if self.of == 0 {
            1.0
        } else {
            self.hits as f64 / self.of as f64
        }
    }
}

struct Score {
    cases: usize,
    tallies: BTreeMap<&'static str, Tally>,
    /// Name accuracy per source, to show which formats are read worst.
    by_vendor: BTreeMap<String, Tally>,
    /// One line per case that missed anything: the case and each miss.
    misses: Vec<String>,
    /// Field/permission/resource reported where the label names none: not scored, shown for the reader.
    unlabelled: Vec<String>,
}

fn reported(report: &Value, key: &str) -> Option<String> {
    report[key].as_str().map(str::to_string)
}

/// Runs `explain --json` on every case, a few at a time: one process per case, outputs in case order.
fn explain_all(dirs: &[PathBuf]) -> Vec<std::io::Result<Output>> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    let chunk = dirs.len().div_ceil(workers).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = dirs
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|dir| {
                            command()
                                .args(["explain", "--json"])
                                .arg(dir.join("response.http"))
                                .output()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a worker thread panicked"))
            .collect()
    })
}

/// The source a case comes from: its folder name up to the first `_` (`github_branch_not_found` → github).
fn vendor_of(case: &str) -> &str {
    case.split_once('_').map_or(case, |(v, _)| v)
}

fn score(dirs: &[PathBuf], catalog: &Catalog) -> Result<Score, String> {
    let mut s = Score {
        cases: dirs.len(),
        tallies: FIGURES.iter().map(|f| (*f, Tally::default())).collect(),
        by_vendor: BTreeMap::new(),
        misses: Vec::new(),
        unlabelled: Vec::new(),
    };
    let mut bad_labels = Vec::new();
    let outputs = explain_all(dirs);
    for (dir, out) in dirs.iter().zip(outputs) {
        let case = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let labels = match read_labels(dir, catalog) {
            Ok(l) => l,
            Err(e) => {
                bad_labels.push(e);
                continue;
            }
        };
        let out = out.map_err(|e| format!("{case}: the binary did not run: {e}"))?;
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        let mut missed = Vec::new();
        if report.is_null() {
            missed.push(format!(
                "no JSON report (exit {:?}): {}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let category = reported(&report, "category");
        let hit = category.as_deref() == Some(labels.category.as_str());
        s.tallies.entry("category").or_default().count(hit);
        if !hit {
            missed.push(format!("category {category:?}, want {}", labels.category));
        }
        let name = reported(&report, "name");
        let hit = name.as_deref() == Some(labels.name.as_str());
        s.tallies.entry("name").or_default().count(hit);
        s.by_vendor
            .entry(vendor_of(&case).to_string())
            .or_default()
            .count(hit);
        if !hit {
            missed.push(format!("name {name:?}, want {}", labels.name));
        }
        for (key, label) in [
            ("field", &labels.field),
            ("permission", &labels.permission),
            ("resource", &labels.resource),
        ] {
            let got = reported(&report, key);
            match label {
                Some(want) => {
                    let hit = got.as_deref().is_some_and(|g| names_the_same(g, want));
                    s.tallies.entry(key).or_default().count(hit);
                    if !hit {
                        missed.push(format!("{key} {got:?}, want {want:?}"));
                    }
                }
                None => {
                    if let Some(got) = got {
                        s.unlabelled.push(format!("{case}: {key} {got:?}"));
                    }
                }
            }
        }
        if !missed.is_empty() {
            s.misses.push(format!("{case}: {}", missed.join("; ")));
        }
    }
    if bad_labels.is_empty() {
        Ok(s)
    } else {
        Err(format!(
            "{} labels.toml files are wrong:\n{}",
            bad_labels.len(),
            bad_labels.join("\n")
        ))
    }
}

fn case_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .expect("tests/cases/real exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn real_responses_are_read_at_least_as_well_as_the_floors_say() {
    let catalog = Catalog::builtin();
    let dirs = case_dirs();
    for dir in &dirs {
        for file in ["response.http", "labels.toml"] {
            assert!(dir.join(file).is_file(), "{} has no {file}", dir.display());
        }
    }
    let floors = read_pairs(&cases_dir().join("floors.toml")).expect("floors.toml reads");
    let s = score(&dirs, catalog).unwrap_or_else(|e| panic!("{e}"));

    let mut table = String::new();
    for line in &s.misses {
        let _ = writeln!(table, "  miss  {line}");
    }
    for line in &s.unlabelled {
        let _ = writeln!(table, "  extra {line}");
    }
    let mut figures = format!("real cases: {}", s.cases);
    for f in FIGURES {
        let t = &s.tallies[f];
        let _ = write!(figures, "  {f} {:.3} ({}/{})", t.figure(), t.hits, t.of);
    }
    let mut vendors = String::from("name by source:");
    for (vendor, t) in &s.by_vendor {
        let _ = write!(vendors, " {vendor} {}/{}", t.hits, t.of);
    }
    println!("{table}{vendors}\n{figures}");

    let min_cases = floors
        .get("cases")
        .and_then(Value::as_u64)
        .expect("floors.toml has cases");
    assert!(
        s.cases as u64 >= min_cases,
        "{} real cases, fewer than the {min_cases} floors.toml expects",
        s.cases
    );
    let mut below = Vec::new();
    for f in FIGURES {
        let floor = floors
            .get(f)
            .and_then(Value::as_f64)
            .unwrap_or_else(|| panic!("floors.toml has no number for {f}"));
        let got = s.tallies[f].figure();
        // A hair of tolerance so a floor written as the rounded figure is never missed by float noise.
        if got + 1e-9 < floor {
            below.push(format!("{f} {got:.3} < floor {floor}"));
        }
    }
    assert!(
        below.is_empty(),
        "below the floors: {}\n{table}{figures}",
        below.join(", ")
    );
    if let Some(unknown) = floors
        .keys()
        .find(|k| *k != "cases" && !FIGURES.contains(&k.as_str()))
    {
        panic!("floors.toml: unknown key {unknown}");
    }
}

#[test]
fn the_matching_rule_takes_a_leaf_after_a_separator_only() {
    assert!(names_the_same("tableName", "tablename"));
    assert!(names_the_same("body.name", "name"));
    assert!(names_the_same(
        "properties/auto_trigger_checks",
        "auto_trigger_checks"
    ));
    assert!(!names_the_same("username", "name"));
    assert!(!names_the_same("name", "body.name"));
    assert!(!names_the_same("", "name"));
}

#[test]
fn labels_are_checked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let catalog = Catalog::builtin();
    let write = |text: &str| {
        std::fs::write(dir.path().join("labels.toml"), text).expect("writes");
        read_labels(dir.path(), catalog)
    };
    let good = "source = \"o/r:p\"\ncategory = \"client\"\nname = \"RESOURCE_NOT_FOUND\"\n";
    assert!(write(good).is_ok());
    assert!(
        write("source = \"o/r:p\"\ncategory = \"server\"\nname = \"HTTP_SERVER_ERROR\"\n").is_ok()
    );
    let wrong = [
        (
            "category = \"client\"\nname = \"RESOURCE_NOT_FOUND\"\n",
            "no source",
        ),
        (&format!("{good}colour = \"red\"\n"), "unknown key"),
        (
            &good.replace("client", "user"),
            "not client, auth or server",
        ),
        (
            &good.replace("RESOURCE_NOT_FOUND", "NO_SUCH_NAME"),
            "not in the catalog",
        ),
        (&good.replace("client", "auth"), "category says auth"),
        (&format!("{good}commit = \"abc\"\n"), "40 hex"),
        (&good.replace("o/r:p", "just-a-path"), "owner/repo:path"),
        (&format!("{good}field = \"\"\n"), "non-empty"),
        (&format!("{good}name = \"CONFLICT\"\n"), "twice"),
        ("source \"o/r:p\"\n", "key = value"),
    ];
    for (text, says) in wrong {
        let e = write(text).expect_err(text);
        assert!(e.contains(says), "{text:?}: {e}");
    }
}
