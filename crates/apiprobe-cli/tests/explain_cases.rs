//! `apiprobe explain` against plain-file cases: every `tests/cases/{explain,real}/<name>/response.http` is
//! pinned whole by an insta snapshot (exit code, stderr, JSON report, text card), and its
//! `expected.json`, when present, pins the exit code. A new case is new files (`cargo insta review`).
//! Also: the hostile inputs too big to commit (100 MB body, 100k-deep JSON, 10k headers), input in parts,
//! `--code`/`--message`, and batch mode.

mod common;

use common::{command, json};
use serde_json::Value;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

fn cases_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/cases/explain")
}

fn run_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = command()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut pipe = child.stdin.take().expect("stdin is piped");
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&data);
    });
    let out = child.wait_with_output().expect("the binary runs");
    let _ = writer.join();
    out
}

/// Runs `explain` on one case file, as JSON and as the text card, and returns what a reviewer reads:
/// the exit code, stderr, the whole JSON report and the whole card.
fn whole_output(path: &Path) -> (Option<i32>, String) {
    let json = command()
        .args(["explain", "--json"])
        .arg(path)
        .output()
        .expect("the binary runs");
    let card = command()
        .arg("explain")
        .arg(path)
        .output()
        .expect("the binary runs");
    let code = json.status.code();
    let shown = format!(
        "exit: {}\nstderr: {}\n--- json ---\n{}\n--- card ---\n{}",
        code.map_or_else(|| "signal".to_string(), |c| c.to_string()),
        String::from_utf8_lossy(&json.stderr).trim_end(),
        String::from_utf8_lossy(&json.stdout).trim_end(),
        String::from_utf8_lossy(&card.stdout).trim_end(),
    );
    (code, shown)
}

/// A reset time with no `Date` header to measure it from is read against the clock: the wait it gives
/// changes from run to run, so it is masked in the snapshot (the cases that carry a `Date` keep theirs).
fn clock_dependent(raw: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&raw[..raw.len().min(16 * 1024)]).to_ascii_lowercase();
    let head = head.split("\r\n\r\n").next().unwrap_or("");
    !head.contains("\ndate:") && head.contains("reset")
}

/// The folder holding every plain-file case, as the binary sees it in error lines.
fn cases_root() -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/cases")
        .canonicalize()
        .expect("tests/cases exists")
        .display()
        .to_string()
}

/// Every `response.http` under `tests/cases/{explain,real}/`, sorted.
fn case_files() -> Vec<PathBuf> {
    // Canonical, as the glob below walks it: error lines name the file by this path.
    let root = PathBuf::from(cases_root());
    let mut files = Vec::new();
    for group in ["explain", "real"] {
        let dir = root.join(group);
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
        files.extend(
            entries
                .filter_map(Result::ok)
                .map(|e| e.path().join("response.http"))
                .filter(|p| p.is_file()),
        );
    }
    files.sort();
    files
}

/// `run` on every path, a few at a time (each run is a process start and one short read, so the cores,
/// not the cases, bound the time); results keyed by path.
fn in_parallel<T: Send>(paths: &[PathBuf], run: impl Fn(&Path) -> T + Sync) -> HashMap<PathBuf, T> {
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8));
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    while let Some(path) = paths.get(next.fetch_add(1, Ordering::Relaxed)) {
                        done.push((path.clone(), run(path)));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a worker thread panicked"))
            .collect()
    })
}

/// [`whole_output`] for every case, keyed by the case file's canonical path.
fn outputs_of_every_case() -> HashMap<PathBuf, (Option<i32>, String)> {
    in_parallel(&case_files(), whole_output)
}

/// Every case under `tests/cases/explain/` and `tests/cases/real/` pinned whole: the full JSON report and
/// the text card (insta snapshots in `tests/snapshots/`), so any change of output is a reviewed diff.
/// A case's `expected.json`, when present, pins its exit code on its own as well. The binary runs for
/// every case first, in parallel; the snapshots are then compared one by one.
#[test]
fn every_case_is_pinned_whole() {
    let outputs = outputs_of_every_case();
    insta::glob!(
        "../../../tests/cases",
        "{explain,real}/*/response.http",
        |path| {
            let raw = std::fs::read(path).expect("the case is readable");
            let key = path.canonicalize().expect("the case exists");
            let (code, shown) = outputs
                .get(&key)
                .unwrap_or_else(|| panic!("{} was not run", path.display()));
            let code = *code;
            if let Ok(text) = std::fs::read_to_string(path.with_file_name("expected.json")) {
                let expected: Value = serde_json::from_str(&text).expect("expected.json is JSON");
                if let Some(want) = expected.get("exit") {
                    assert_eq!(
                        code.map(i64::from),
                        want.as_i64(),
                        "{}: exit code",
                        path.display()
                    );
                }
            }
            let mut settings = insta::Settings::clone_current();
            settings.set_prepend_module_to_snapshot(false);
            settings.set_omit_expression(true);
            // Error lines name the case file by its full path, which depends on where the tree is.
            settings.add_filter(&common::regex_literal(&cases_root()), "[cases]");
            if clock_dependent(&raw) {
                settings.add_filter(
                    r#""retry_after_s": -?[0-9.e+-]+"#,
                    r#""retry_after_s": "[clock]""#,
                );
                settings.add_filter(
                    r"Wait [0-9.]+ s before retrying",
                    "Wait [clock] s before retrying",
                );
                settings.add_filter(r"retry after [0-9.]+ s", "retry after [clock] s");
                settings.add_filter(r"resets in -?[0-9.]+ s", "resets in [clock] s");
            }
            settings.bind(|| insta::assert_snapshot!(shown));
        }
    );
}

#[test]
fn a_100_mb_body_is_capped_and_said_so() {
    let mut raw =
        b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\n".to_vec();
    raw.resize(raw.len() + 100 * 1024 * 1024, b'x');
    let started = std::time::Instant::now();
    let out = run_with_stdin(&["explain", "--json"], &raw);
    assert!(
        started.elapsed().as_secs() < 30,
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = json(&out);
    assert_eq!(r["code"], "PRB-3501");
    assert_eq!(r["status"], 500);
    let evidence = r["evidence"].to_string();
    assert!(evidence.contains("only the first"), "{evidence}");
}

/// `explain -` reads standard input, as `cat -`, `jq` and `rg` do: the same report as from the file.
#[test]
fn a_dash_reads_standard_input() {
    let path = cases_dir().join("stripe_1/response.http");
    let raw = std::fs::read(&path).expect("the case is readable");
    let from_file = command()
        .args(["explain", "--json"])
        .arg(&path)
        .output()
        .expect("runs");
    for args in [
        &["explain", "--json", "-"][..],
        &["explain", "--json", "--file", "-"][..],
    ] {
        let from_stdin = run_with_stdin(args, &raw);
        assert_eq!(from_stdin.status.code(), Some(0), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&from_stdin.stdout),
            String::from_utf8_lossy(&from_file.stdout),
            "{args:?}"
        );
        assert!(json(&from_stdin)["name"].is_string(), "{args:?}");
    }
    let card = run_with_stdin(&["explain", "-"], &raw);
    assert_eq!(card.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&card.stdout).starts_with("PRB-"));
}

#[test]
fn empty_standard_input_is_a_usage_error_that_says_so() {
    for args in [&["explain", "-"][..], &["explain", "--json", "-"][..]] {
        let out = run_with_stdin(args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("stdin is not a response apiprobe can read: the input is empty"),
            "{err}"
        );
    }
}

#[test]
fn huge_standard_input_is_read_in_its_first_part_and_said_so() {
    let mut raw =
        b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n\r\n{\"message\":\"".to_vec();
    raw.resize(raw.len() + 40 * 1024 * 1024, b'a');
    raw.extend_from_slice(b"\"}");
    let out = run_with_stdin(&["explain", "--json", "-"], &raw);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = json(&out);
    assert_eq!(r["status"], 404);
    assert_eq!(r["name"], "RESOURCE_NOT_FOUND");
    let evidence = r["evidence"].to_string();
    assert!(
        evidence.contains(&format!("input is {} bytes", raw.len())),
        "{evidence}"
    );

    // As much text that is no response at all: read, found to be nothing, said so.
    let text = b"no status line here, only words\n".repeat(1 << 20);
    let out = run_with_stdin(&["explain", "--json", "-"], &text);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "null");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an HTTP response"));
}

#[test]
fn deeply_nested_json_is_a_clear_evidence_line_not_a_crash() {
    let body = "[".repeat(100_000);
    let raw = format!("HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n\r\n{body}");
    let out = run_with_stdin(&["explain", "--json"], raw.as_bytes());
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{:?}",
        out.status
    );
    let r = json(&out);
    assert_eq!(r["code"], "PRB-1018");
    assert_eq!(r["name"], "HTTP_CLIENT_ERROR");
    assert!(
        r["evidence"].to_string().contains("JSON"),
        "{}",
        r["evidence"]
    );
}

#[test]
fn ten_thousand_headers_are_read() {
    let mut raw = String::from("HTTP/1.1 431 Request Header Fields Too Large\r\n");
    for i in 0..10_000 {
        raw.push_str(&format!("X-Filler-{i}: {i}\r\n"));
    }
    raw.push_str("Retry-After: 5\r\n\r\n");
    let out = run_with_stdin(&["explain", "--json"], raw.as_bytes());
    let r = json(&out);
    assert_eq!(r["status"], 431);
    assert_eq!(r["retry_after_s"], 5.0);
}

#[test]
fn parts_on_the_command_line() {
    let out = command()
        .args([
            "explain",
            "--json",
            "--status",
            "401",
            "--header",
            "WWW-Authenticate: Bearer error=\"invalid_token\", error_description=\"token expired\"",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["name"], "TOKEN_EXPIRED");
    let out = command()
        .args([
            "explain",
            "--json",
            "--status",
            "429",
            "--header",
            "Retry-After: 12",
            "--body",
            "{\"message\":\"slow down\"}",
        ])
        .output()
        .expect("runs");
    assert_eq!(json(&out)["retry_after_s"], 12.0);
    let out = command()
        .args(["explain", "--status", "429", "--header", "no colon"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no colon"));
}

#[test]
fn codes_and_messages_copied_from_a_ui() {
    let out = command()
        .args(["explain", "--json", "--code", "ThrottlingException"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let r = json(&out);
    assert_eq!(r["name"], "RATE_LIMITED");
    assert_eq!(r["vendor"], "aws");
    let out = command()
        .args([
            "explain",
            "--json",
            "--message",
            "The access token has expired",
        ])
        .output()
        .expect("runs");
    assert_eq!(json(&out)["name"], "TOKEN_EXPIRED");
    let out = command()
        .args(["explain", "--code", "NoSuchThingAnywhere42"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn usage_errors_exit_2() {
    let out = command()
        .args(["explain", "--summary"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let out = command()
        .args(["explain", "/no/such/file.http"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open"));
}

#[test]
fn batch_mode_keeps_order_reports_bad_lines_and_summarises() {
    let input = concat!(
        "{\"status\":429,\"headers\":{\"retry-after\":\"3\"},\"body\":\"\"}\n",
        "{\"status\":200,\"headers\":{},\"body\":\"{\\\"ok\\\":false,\\\"error\\\":\\\"invalid_auth\\\"}\"}\n",
        "not json\n",
        "{\"raw\":\"HTTP/1.1 404 Not Found\\r\\n\\r\\n\"}\n",
    );
    let out = run_with_stdin(&["explain", "--batch", "--summary"], input.as_bytes());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["retry_after_s"], 3.0);
    assert_eq!(lines[1]["vendor_code"], "invalid_auth");
    assert_eq!(lines[2]["line"], 3);
    assert!(lines[2]["error"].as_str().is_some_and(|e| !e.is_empty()));
    assert_eq!(lines[3]["code"], "PRB-1151");
    assert_eq!(lines[3]["name"], "RESOURCE_NOT_FOUND");
    assert_eq!(lines[3]["status"], 404);
    let summary: Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stderr).trim()).expect("summary is JSON");
    assert_eq!(summary["summary"]["lines"], 4);
    assert_eq!(summary["summary"]["errors"], 1);
    assert_eq!(summary["summary"]["by_vendor"]["slack"], 1);
}

/// `apiprobe explain --batch < big.log | head -1`: once stdout is closed the run stops at once, reads no
/// more input, and exits 0.
#[test]
fn batch_mode_stops_at_once_when_its_reader_goes_away() {
    use std::io::Read;
    let mut child = command()
        .args(["explain", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let mut stdout = child.stdout.take().expect("stdout is piped");
    // Far more input than the pipeline holds; a run that does not stop reads all of it.
    const LIMIT: usize = 256 << 20;
    let writer = std::thread::spawn(move || {
        let block =
            b"{\"status\":503,\"headers\":{\"retry-after\":\"9\"},\"body\":\"upstream down\"}\n"
                .repeat(8192);
        let mut sent = 0;
        while sent < LIMIT {
            if stdin.write_all(&block).is_err() {
                break;
            }
            sent += block.len();
        }
        sent
    });
    let mut first = [0u8; 64];
    stdout.read_exact(&mut first).expect("the first report");
    assert!(first.starts_with(b"{\"ok\":false"), "{first:?}");
    drop(stdout);
    let status = child.wait().expect("the binary exits");
    let sent = writer.join().expect("the writer thread");
    let mut stderr = String::new();
    let _ = child
        .stderr
        .take()
        .map(|mut e| e.read_to_string(&mut stderr));
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(
        sent < LIMIT,
        "the run read all {sent} bytes after its output closed"
    );
}

/// The parser order is a shared decision: every documented example of every family, run through the whole
/// pipeline, must come out under its own family's format (folder `<format>_<n>`).
#[test]
fn every_documented_example_is_read_by_its_own_family() {
    let mut examples: Vec<(String, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(cases_dir())
        .expect("cases")
        .filter_map(Result::ok)
    {
        let name = entry.file_name().to_string_lossy().to_string();
        let Some((family, n)) = name.rsplit_once('_') else {
            continue;
        };
        if name.starts_with("trap_")
            || n.parse::<u32>().is_err()
            || !entry.path().join("response.http").is_file()
        {
            continue;
        }
        examples.push((family.to_string(), entry.path().join("response.http")));
    }
    let paths: Vec<PathBuf> = examples.iter().map(|(_, p)| p.clone()).collect();
    let formats = in_parallel(&paths, |path| {
        let out = command()
            .args(["explain", "--json"])
            .arg(path)
            .output()
            .expect("runs");
        let r: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        r["format"].as_str().unwrap_or("none").to_string()
    });
    let mut wrong = Vec::new();
    let seen = examples.len();
    for (family, path) in &examples {
        let format = &formats[path];
        // plain_N cases include a JSON body with only a message, reported as format "json".
        if format != family && !(family == "plain" && format == "json") {
            let name = path
                .parent()
                .and_then(Path::file_name)
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            wrong.push(format!("{name}: format {format}"));
        }
    }
    assert!(seen >= 100, "only {seen} examples");
    assert!(
        wrong.is_empty(),
        "read by the wrong family:\n{}",
        wrong.join("\n")
    );
}
