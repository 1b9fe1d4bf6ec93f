//! `apiprobe run SUITE.toml` on the suite files in `tests/cases/probe/`: good suites against local
//! servers (127.0.0.1 only), broken suites with their exact file:line:col errors and exit status 2.

mod common;

use apiprobe_testkit::{certs, closed_port, CertKind, FaultServer};
use common::command as apiprobe;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn cases() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/cases/probe")
}

struct Servers {
    fault: FaultServer,
    tls: FaultServer,
    closed: u16,
    _dir: tempfile::TempDir,
    ca: PathBuf,
}

fn servers() -> Servers {
    let dir = tempfile::tempdir().expect("tempdir");
    let ca = certs().write_ca(dir.path()).expect("CA");
    Servers {
        fault: FaultServer::spawn().expect("server"),
        tls: FaultServer::spawn_tls(CertKind::Valid).expect("tls server"),
        closed: closed_port().expect("port"),
        _dir: dir,
        ca,
    }
}

fn suite_cmd(s: &Servers, file: &str) -> Command {
    let mut c = apiprobe();
    c.env("FAULT", s.fault.addr.to_string())
        .env("TLS_PORT", s.tls.port().to_string())
        .env("CLOSED", s.closed.to_string())
        .env("CA_FILE", &s.ca)
        .arg("run")
        .arg(cases().join(file));
    c
}

#[test]
fn a_passing_suite_exits_0_with_a_summary() {
    let s = servers();
    let out = suite_cmd(&s, "good/all-pass.toml").output().expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("PASS")).count(),
        4,
        "{stdout}"
    );
    assert!(stdout.contains("pass          4"), "{stdout}");
    assert!(stdout.contains("fail          0"), "{stdout}");
    assert!(stdout.contains("4 checks in"), "{stdout}");
}

#[test]
fn a_failing_suite_exits_1_and_json_is_one_result_per_line() {
    let s = servers();
    let out = suite_cmd(&s, "good/mixed.toml")
        .args(["--json", "-j", "3"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let results: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(results.len(), 5);
    let by_check = |name: &str| {
        results
            .iter()
            .find(|r| r["details"]["check"] == name)
            .unwrap_or_else(|| panic!("no result for {name}: {stdout}"))
    };
    assert_eq!(by_check("ok")["ok"], true);
    assert_eq!(by_check("tls")["ok"], true, "{}", by_check("tls"));
    assert_eq!(by_check("refused")["name"], "CONNECTION_REFUSED");
    assert_eq!(by_check("server error")["status"], 503);
    assert_eq!(by_check("server error")["ok"], false);
    assert_eq!(by_check("wrong value")["name"], "ASSERTION_JSON");
    // The summary goes to stderr so stdout stays JSON lines.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("fail          3"), "{stderr}");
}

#[test]
fn junit_has_one_testcase_per_check_and_failures_carry_code_and_message() {
    let s = servers();
    let dir = tempfile::tempdir().expect("tempdir");
    let xml_path = dir.path().join("report.xml");
    let out = suite_cmd(&s, "good/mixed.toml")
        .arg("--junit")
        .arg(&xml_path)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let xml = std::fs::read_to_string(&xml_path).expect("junit written");
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert_eq!(xml.matches("<testcase ").count(), 5, "{xml}");
    assert_eq!(xml.matches("<failure ").count(), 3, "{xml}");
    assert!(xml.contains("tests=\"5\" failures=\"3\""), "{xml}");
    assert!(
        xml.contains("CONNECTION_REFUSED\" message=\"Connection to 127.0.0.1:"),
        "{xml}"
    );
    assert!(xml.contains("ASSERTION_JSON"), "{xml}");
}

/// `run` on a broken suite, with the variable one of them names left unset.
fn run_broken(path: &Path) -> std::process::Output {
    apiprobe()
        .env_remove("APIPROBE_TEST_UNSET_TOKEN")
        .arg("run")
        .arg(path)
        .output()
        .expect("runs")
}

#[test]
fn broken_suites_exit_2_with_file_line_and_column() {
    let dir = cases().join("broken");
    let expected = std::fs::read_to_string(dir.join("expected.txt")).expect("expected.txt");
    let mut seen = 0;
    for line in expected.lines().filter(|l| !l.trim().is_empty()) {
        let (file, want) = line.split_once(':').expect("file:rest");
        let path = dir.join(file);
        let out = run_broken(&path);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{file}: {stderr}");
        assert!(out.stdout.is_empty(), "{file}");
        let located = format!("{}:{want}", path.display());
        assert!(
            stderr.contains(&located),
            "{file}: expected {located:?} in {stderr:?}"
        );
        seen += 1;
    }
    let files = suite_files(&dir).len();
    assert_eq!(seen, files, "every broken suite has an expected error");
}

#[test]
fn a_missing_suite_file_is_an_input_error() {
    let out = apiprobe()
        .args(["run", "/nonexistent/suite.toml"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/suite.toml: cannot read"));
}

/// The method, body and headers the fault server saw, from its `/headers` echo, for `check` flags and
/// for a suite table that say the same thing.
fn sent_by_check_and_by_suite(flags: &[&str], table: &str) -> (Value, Value) {
    let s = FaultServer::spawn().expect("server");
    let url = s.url("/headers");
    let out = apiprobe()
        .args(["check", "--json"])
        .args(flags)
        .arg(&url)
        .output()
        .expect("runs");
    let check: Value = serde_json::from_slice(&out.stdout).expect("one JSON result");
    let dir = tempfile::tempdir().expect("tempdir");
    let suite = dir.path().join("suite.toml");
    std::fs::write(&suite, format!("[[check]]\nurl = \"{url}\"\n{table}\n")).expect("write");
    let out = apiprobe()
        .args(["run", "--json"])
        .arg(&suite)
        .output()
        .expect("runs");
    let run: Value = serde_json::from_slice(&out.stdout).expect("one JSON result");
    (check, run)
}

#[test]
fn a_body_without_a_method_is_a_post_from_flags_and_from_a_suite() {
    for (flags, table) in [
        (vec!["-d", "x"], "body = \"x\""),
        (vec!["--json-body", "{\"a\":1}"], "json_body = { a = 1 }"),
        (
            vec!["-X", "put", "-d", "x"],
            "method = \"put\"\nbody = \"x\"",
        ),
    ] {
        let want = if flags[0] == "-X" { "PUT" } else { "POST" };
        let expect = format!("$.method == \"{want}\"");
        let mut flags = flags.clone();
        flags.extend(["--expect-json", &expect]);
        let table = format!("{table}\nexpect_json = '{expect}'");
        let (check, run) = sent_by_check_and_by_suite(&flags, &table);
        for (how, v) in [("check", &check), ("run", &run)] {
            assert_eq!(v["ok"], true, "{how} {flags:?}: {v}");
            assert_eq!(v["assertions"][0]["passed"], true, "{how}: {v}");
        }
    }
}

#[test]
fn flags_and_suite_keys_set_the_same_options() {
    let (check, run) = sent_by_check_and_by_suite(
        &[
            "-H",
            "X-Probe: 1",
            "--expect-status",
            "2xx",
            "--expect-header",
            "content-type: json",
            "--expect-body-contains",
            "X-Probe",
            "--max-latency",
            "5s",
            "--timeout",
            "5s",
            "--max-redirects",
            "0",
        ],
        "headers = { X-Probe = \"1\" }\nexpect_status = \"2xx\"\nexpect_header = \"content-type: json\"\n\
         expect_body_contains = \"X-Probe\"\nmax_latency = \"5s\"\ntimeout = \"5s\"\nmax_redirects = 0",
    );
    assert_eq!(check["ok"], true, "{check}");
    assert_eq!(run["ok"], true, "{run}");
    let kinds = |v: &Value| {
        v["assertions"]
            .as_array()
            .map(|a| a.iter().map(|x| x["kind"].clone()).collect::<Vec<_>>())
    };
    assert_eq!(kinds(&check), kinds(&run));
    assert_eq!(kinds(&check).map(|k| k.len()), Some(4));
}

/// A run's JSON lines with what differs between runs (ports, timings, addresses, certificate dates)
/// replaced by a placeholder, so the rest can be pinned whole.
fn stable_json(stdout: &str, s: &Servers) -> Vec<Value> {
    fn mask(v: &mut Value) {
        match v {
            Value::Object(map) => {
                for (k, x) in map.iter_mut() {
                    if matches!(
                        k.as_str(),
                        "timings_ms" | "remote_addr" | "not_before" | "not_after" | "elapsed_ms"
                    ) && !x.is_null()
                    {
                        *x = Value::String(format!("[{k}]"));
                    } else {
                        mask(x);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(mask),
            _ => {}
        }
    }
    let mut out: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    for v in &mut out {
        mask(v);
    }
    let text = serde_json::to_string(&out).expect("JSON");
    let text = text
        .replace(&s.fault.addr.to_string(), "[fault]")
        .replace(&format!(":{}", s.tls.port()), ":[tls_port]")
        .replace(&format!(":{}", s.closed), ":[closed]")
        .replace(&s.ca.display().to_string(), "[ca]");
    let mut out: Vec<Value> = serde_json::from_str(&text).expect("JSON");
    out.sort_by_key(|r| r["details"]["check"].to_string());
    out
}

/// The suite files in `dir`, in name order.
fn suite_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the suite folder exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

/// Every good suite under `tests/cases/probe/good/` pinned whole as JSON lines (one insta snapshot
/// each), and every broken suite's whole error output, so a change in what `run` says is a reviewed
/// diff.
#[test]
fn every_suite_case_is_pinned_whole() {
    let s = servers();
    let good = cases().join("good");
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let root = cases()
        .canonicalize()
        .expect("tests/cases/probe exists")
        .display()
        .to_string();
    settings.add_filter(&common::regex_literal(&root), "[cases]");
    settings.add_filter(
        &common::regex_literal(&cases().display().to_string()),
        "[cases]",
    );
    // Ports the servers were given, latencies and the fault server's request counter vary per run.
    settings.add_filter(r#""port": "[0-9]+""#, r#""port": "[port]""#);
    settings.add_filter(r#""actual": "[0-9]+ms""#, r#""actual": "[ms]""#);
    settings.add_filter(r"in [0-9]+ms", "in [ms]");
    settings.add_filter(r"fault-[0-9]+", "fault-[n]");
    settings.bind(|| {
        for path in suite_files(&good) {
            let name = path.file_stem().and_then(|n| n.to_str()).unwrap_or("?");
            let out = suite_cmd(&s, &format!("good/{name}.toml"))
                .arg("--json")
                .output()
                .expect("runs");
            let pinned = serde_json::json!({
                "exit": out.status.code(),
                "results": stable_json(&String::from_utf8_lossy(&out.stdout), &s),
            });
            insta::assert_json_snapshot!(format!("suite_good_{name}"), pinned);
        }
        let broken = cases().join("broken");
        for path in suite_files(&broken) {
            let name = path.file_stem().and_then(|n| n.to_str()).unwrap_or("?");
            let out = run_broken(&path);
            let shown = format!(
                "exit: {:?}\nstdout: {}\nstderr:\n{}",
                out.status.code(),
                String::from_utf8_lossy(&out.stdout).trim_end(),
                String::from_utf8_lossy(&out.stderr).trim_end()
            );
            insta::assert_snapshot!(format!("suite_broken_{name}"), shown);
        }
    });
}
