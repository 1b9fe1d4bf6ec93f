//! `apiprobe contract`, run as the real binary against real servers on 127.0.0.1: the testkit's
//! contract server (one deliberate fault per finding code), `apiprobe serve` itself, and broken documents.

mod common;

use apiprobe_testkit::ContractServer;
use common::{apiprobe, command, stderr, stdout};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

fn json_lines(o: &std::process::Output) -> Vec<Value> {
    stdout(o)
        .lines()
        .map(|l| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("not JSON ({e}): {l}\nstderr: {}", stderr(o)))
        })
        .collect()
}

/// (operation, name, field) of each finding.
fn triples(findings: &[Value]) -> Vec<(String, String, String)> {
    findings
        .iter()
        .map(|f| {
            (
                f["details"]["operation"].as_str().unwrap_or("").to_string(),
                f["name"].as_str().unwrap_or("").to_string(),
                f["field"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect()
}

#[test]
fn each_deliberate_fault_is_found_exactly_once_with_its_pointer() {
    let server = ContractServer::spawn().expect("contract server starts");
    let out = apiprobe(&[
        "contract",
        &server.url("/openapi.json"),
        "-H",
        "Authorization: Bearer test-token",
        "--json",
    ]);
    let findings = json_lines(&out);
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(&out));
    let got = triples(&findings);
    let want: Vec<(String, String, String)> = [
        ("listItems", "SCHEMA_VIOLATION", "/items/3/price"),
        ("createOrder", "ACCEPTED_INVALID_REQUEST", "/quantity"),
        ("createWidget", "SERVER_ERROR_ON_INVALID_INPUT", "/size"),
        ("createWidget", "STACK_TRACE_LEAKED", "-"),
        ("getReport", "UNDOCUMENTED_STATUS", "-"),
        ("getHealth", "UNDOCUMENTED_CONTENT_TYPE", "-"),
        ("getStats", "MISSING_RESPONSE_HEADER", "X-Request-Id"),
        ("getQuota", "RETRY_AFTER_MISSING", "-"),
        ("createNote", "ERROR_NAMES_NO_FIELD", "/text"),
        ("createTag", "ERROR_HAS_NO_CODE", "-"),
        ("createComment", "ERROR_NOT_STANDARD_FORMAT", "-"),
        ("getAdmin", "ACCEPTED_WITHOUT_CREDENTIALS", "bearerAuth"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    let mut g = got.clone();
    g.sort();
    let mut w = want.clone();
    w.sort();
    assert_eq!(g, w, "stdout: {}\nstderr: {}", stdout(&out), stderr(&out));
    // The schema message names the pointer, what the schema expects and what came.
    let schema = findings
        .iter()
        .find(|f| f["name"] == "SCHEMA_VIOLATION")
        .expect("a schema finding");
    let msg = schema["message"].as_str().unwrap_or("");
    assert!(
        msg.contains("/items/3/price") && msg.contains("\"12.50\"") && msg.contains("number"),
        "{msg}"
    );
    assert_eq!(schema["code"], "PRB-3601");
    assert_eq!(schema["category"], "server");
    insta::with_settings!({filters => vec![(r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]")]}, {
        insta::assert_json_snapshot!("contract_fault_server", findings);
    });
}

#[test]
fn human_output_groups_by_operation_with_grades() {
    let server = ContractServer::spawn().expect("contract server starts");
    let out = apiprobe(&[
        "contract",
        &server.url("/openapi.json"),
        "-H",
        "Authorization: Bearer test-token",
    ]);
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(&out));
    insta::with_settings!({filters => vec![(r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]")]}, {
        insta::assert_snapshot!("contract_fault_server_text", stdout(&out));
    });
}

#[test]
fn junit_has_one_testcase_per_operation() {
    let server = ContractServer::spawn().expect("contract server starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let junit = dir.path().join("contract.xml");
    let out = apiprobe(&[
        "contract",
        &server.url("/openapi.json"),
        "--operation",
        "listItems",
        "--operation",
        "createOrder",
        "--operation",
        "getOrder",
        "--junit",
        junit.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(&out));
    let xml = std::fs::read_to_string(&junit).expect("junit written");
    // getOrder passes: it reads the order createOrder made, not a made-up id.
    assert_eq!(xml.matches("<testcase ").count(), 3, "{xml}");
    assert_eq!(xml.matches("<failure ").count(), 2, "{xml}");
    assert!(xml.contains("PRB-3601 SCHEMA_VIOLATION"), "{xml}");
}

#[test]
fn sibling_files_are_followed() {
    let server = ContractServer::spawn().expect("contract server starts");
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("api.yaml"),
        "openapi: 3.0.3\ninfo: {title: split, version: '1'}\npaths:\n  /items:\n    get:\n      operationId: listItems\n      responses:\n        200:\n          description: ok\n          content:\n            application/json:\n              schema:\n                $ref: 'schemas/list.yaml#/List'\n",
    )
    .expect("write");
    std::fs::create_dir(dir.path().join("schemas")).expect("mkdir");
    std::fs::write(
        dir.path().join("schemas/list.yaml"),
        "List:\n  type: object\n  properties:\n    items:\n      type: array\n      items: {$ref: '#/Item'}\nItem:\n  type: object\n  properties:\n    price: {type: number}\n",
    )
    .expect("write");
    let out = apiprobe(&[
        "contract",
        dir.path().join("api.yaml").to_str().expect("utf-8"),
        "--base-url",
        &server.url(""),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(&out));
    let got = triples(&json_lines(&out));
    assert_eq!(
        got,
        vec![(
            "listItems".to_string(),
            "SCHEMA_VIOLATION".to_string(),
            "/items/3/price".to_string()
        )]
    );
}

/// Runs the binary on a document written to a temp file; returns exit code and stderr.
fn on_document(name: &str, text: &[u8], extra: &[&str]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    let mut args = vec!["contract", path.to_str().expect("utf-8")];
    args.extend_from_slice(extra);
    let out = apiprobe(&args);
    (out.status.code(), stderr(&out))
}

#[test]
fn broken_documents_exit_2_with_file_and_line() {
    let cases: &[(&str, &[u8], &[&str])] = &[
        (
            "unresolved.yaml",
            b"openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          $ref: '#/components/responses/Gone'\n",
            &["unresolved.yaml:8:", "'#/components/responses/Gone' at '#/paths/~1a/get/responses/200' cannot be resolved"],
        ),
        (
            "cycle.json",
            br##"{"openapi":"3.0.3","paths":{},"components":{"schemas":{"A":{"$ref":"#/components/schemas/B"},"B":{"$ref":"#/components/schemas/A"}}}}"##,
            &["$ref cycle with no value in it"],
        ),
        ("invalid.yaml", b"openapi: 3.1.0\npaths:\n  /a: [unclosed\n", &["invalid.yaml:", "not valid YAML"]),
        ("swagger.yaml", b"swagger: '2.0'\n", &["Swagger 2.0"]),
        ("text.yaml", b"just some words\n", &["not an OpenAPI 3.0 or 3.1 document"]),
        (
            "missing-sibling.yaml",
            b"openapi: 3.1.0\npaths: {}\ncomponents:\n  schemas:\n    A: {$ref: 'nowhere.yaml#/A'}\n",
            &["cannot read", "nowhere.yaml"],
        ),
    ];
    for (name, text, wants) in cases {
        let (code, err) = on_document(name, text, &["--base-url", "http://127.0.0.1:9"]);
        assert_eq!(code, Some(2), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
        for w in *wants {
            assert!(err.contains(w), "{name}: wanted '{w}' in: {err}");
        }
    }
}

#[test]
fn a_fifty_megabyte_document_is_refused_before_parsing() {
    let mut big = b"openapi: 3.1.0\npaths: {}\nx-padding: '".to_vec();
    big.resize(50 << 20, b'a');
    big.extend_from_slice(b"'\n");
    let (code, err) = on_document("big.yaml", &big, &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("over the 33554432 byte limit"), "{err}");
}

#[test]
fn unknown_operation_suggests_the_near_one() {
    let server = ContractServer::spawn().expect("contract server starts");
    let out = apiprobe(&[
        "contract",
        &server.url("/openapi.json"),
        "--operation",
        "listItem",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out)
            .contains("no operation 'listItem' in the document (did you mean 'listItems'?)"),
        "{}",
        stderr(&out)
    );
}

/// `apiprobe serve` on a free port, killed when dropped.
struct Serve {
    child: Child,
    base: String,
}

impl Serve {
    fn start() -> Serve {
        let mut child = command()
            .args(["serve", "--addr", "127.0.0.1:0"])
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("serve starts");
        let mut line = String::new();
        let mut err = BufReader::new(child.stderr.take().expect("stderr"));
        err.read_line(&mut line).expect("serve prints its address");
        let base = line
            .split("http://")
            .nth(1)
            .and_then(|s| s.split('/').next())
            .map(|a| format!("http://{a}"))
            .unwrap_or_else(|| panic!("no address in: {line}"));
        Serve { child, base }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Dogfood: `apiprobe serve` keeps its own document, and its errors are graded and earn every point:
/// the JSON API answers problem documents with a catalog code, and the HTML routes answer a client
/// that prefers JSON the same way (a browser still gets the page). Any finding fails.
#[test]
fn serve_keeps_its_own_document_and_its_errors_are_graded() {
    let serve = Serve::start();
    let document = format!("{}/openapi.json", serve.base);
    let out = apiprobe(&["contract", &document, "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "findings on serve:\n{}\nstderr: {}",
        stdout(&out),
        stderr(&out)
    );
    assert!(json_lines(&out).is_empty(), "{}", stdout(&out));
    let summary = stderr(&out);
    assert!(
        summary.contains(": 0 findings in 0 operations"),
        "{summary}"
    );
    // Errors were graded, and all points earned.
    let grade = summary
        .lines()
        .find_map(|l| l.strip_prefix("Error quality of the API: grade A ("))
        .unwrap_or_else(|| panic!("no grade A in: {summary}"));
    let (earned, possible) = grade
        .split_once(" points)")
        .and_then(|(pts, _)| pts.split_once('/'))
        .unwrap_or_else(|| panic!("no points in: {summary}"));
    assert_eq!(earned, possible, "{summary}");
    assert!(possible.parse::<u32>().unwrap_or(0) >= 10, "{summary}");

    // Every operation passes, and the error responses of the page routes were graded too.
    let text = apiprobe(&["contract", &document]);
    assert_eq!(text.status.code(), Some(0), "{}", stdout(&text));
    let lines = stdout(&text);
    for op in lines.lines().filter(|l| l.contains("  [")) {
        assert!(op.starts_with("ok "), "{op}");
    }
    for graded in [
        "GET /codes/{code}",
        "POST /explain",
        "GET /api/v1/translate",
    ] {
        assert!(
            lines
                .lines()
                .any(|l| l.contains(&format!("{graded}  [")) && l.contains("grade A")),
            "{graded} not graded A:\n{lines}"
        );
    }
}

#[test]
fn max_requests_stops_the_run_and_says_so() {
    let server = ContractServer::spawn().expect("contract server starts");
    let out = apiprobe(&[
        "contract",
        &server.url("/openapi.json"),
        "--max-requests",
        "5",
        "-j",
        "1",
    ]);
    let text = stdout(&out);
    assert!(text.contains(", 5 requests:"), "{text}");
    assert!(
        text.contains("Stopped early: --max-requests was reached"),
        "{text}"
    );
}
