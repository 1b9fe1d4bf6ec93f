//! Test support for the format parsers: the documented example responses kept under
//! `tests/cases/explain/<format>_<n>/response.http` (read with [`crate::parse_raw`], as the CLI reads
//! them), and the checks every registered format must pass: at least three examples, each recognised by
//! its own parser and by no other but the generic shapes.

use super::{Body, Finding, Parser, PARSERS};
use crate::json::Value;
use crate::HttpResponse;
use std::path::PathBuf;

fn cases_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/cases/explain")
}

/// The documented example response kept in fixture folder `name`.
pub(crate) fn load(name: &str) -> HttpResponse {
    let path = cases_dir().join(name).join("response.http");
    let raw = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    crate::parse_raw(&raw).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs `parser` on a response as the pipeline shows it to parsers (header names lower-cased).
pub(crate) fn run_parts(parser: Parser, resp: &HttpResponse) -> Option<Finding> {
    let headers: Vec<(String, String)> = resp
        .headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
        .collect();
    let text = String::from_utf8_lossy(&resp.body);
    let json: Option<Value> = crate::json::parse(&text).ok();
    parser(&Body::new(resp.status, &headers, &text, json.as_ref()))
}

/// Runs `parser` on fixture `name`.
pub(crate) fn run(parser: Parser, name: &str) -> Option<Finding> {
    run_parts(parser, &load(name))
}

/// Runs `parser` on a body with the given status and no headers.
pub(crate) fn run_body(parser: Parser, status: u16, body: &str) -> Option<Finding> {
    run_parts(
        parser,
        &HttpResponse {
            status,
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
        },
    )
}

fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(cases_dir())
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| e.path().join("response.http").is_file())
                .filter_map(|e| e.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// The format a fixture folder documents: `stripe_2` -> `stripe`; `None` for other folders (`trap_*`).
fn family_of(name: &str) -> Option<&str> {
    let (family, n) = name.rsplit_once('_')?;
    n.parse::<u32>().ok()?;
    super::formats().find(|f| *f == family)
}

#[test]
fn every_format_has_at_least_three_documented_examples() {
    let names = fixture_names();
    for format in super::formats() {
        let n = names
            .iter()
            .filter(|n| family_of(n) == Some(format))
            .count();
        assert!(n >= 3, "{format}: {n} fixture(s), want at least 3");
    }
}

/// [`PARSERS`] runs most specific first and the first answer wins: each example must be read by its
/// own parser and by none before it (later, more general ones may read it too: a Mailchimp error is
/// also a problem document).
#[test]
fn each_example_is_read_by_its_own_parser_and_none_before_it() {
    let mut checked = 0;
    let mut wrong = Vec::new();
    for name in fixture_names() {
        let Some(family) = family_of(&name) else {
            continue;
        };
        let resp = load(&name);
        // The challenge header (`bearer`) is read apart from the body and merged with its reading.
        let by_body = PARSERS.iter().any(|(f, _)| *f == family);
        let mut found = false;
        for &(format, parser) in PARSERS.iter().filter(|_| by_body) {
            let got = run_parts(parser, &resp);
            if format == family {
                found = true;
                let f =
                    got.unwrap_or_else(|| panic!("{format} did not recognise its example {name}"));
                // A shape may name what it saw (plain text that is JSON with a message: `json`).
                assert!(
                    super::is_shape(format) || f.format == format,
                    "{name}: {}",
                    f.format
                );
                assert!(
                    f.confidence > 0.0 && f.confidence <= 1.0,
                    "{name}: confidence {}",
                    f.confidence
                );
                assert!(
                    super::is_shape(format) || f.message.is_some() || f.vendor_code.is_some(),
                    "{name}: nothing extracted"
                );
                break;
            }
            if let Some(f) = got {
                wrong.push(format!(
                    "{format} reads {name} before {family} ({})",
                    f.format
                ));
            }
        }
        if !found {
            let headers: Vec<(String, String)> = resp
                .headers
                .iter()
                .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
                .collect();
            let f = super::challenge_finding(&Body::new(resp.status, &headers, "", None));
            assert_eq!(f.map(|f| f.format), Some(family), "{name}");
        }
        checked += 1;
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(
        checked >= 3 * PARSERS.len(),
        "only {checked} fixtures checked"
    );
}
