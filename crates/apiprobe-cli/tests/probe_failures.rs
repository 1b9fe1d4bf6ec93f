//! `apiprobe check` against local servers that fail on purpose: one test per failure code, each asserting
//! the code's name, its phase, a message naming the cause, and agreement with curl's exit code.
//! Every server is on 127.0.0.1; no test touches any other address.

mod common;

use apiprobe_testkit::{certs, closed_port, CertKind, DnsMode, DnsServer, FaultServer, StallPort};
use serde_json::Value;
use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::process::{Command, Output};

use common::command as apiprobe;

fn run(cmd: &mut Command) -> (Output, Value) {
    let out = cmd.output().expect("the apiprobe binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON result ({e}):\n{stdout}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out, json)
}

fn check(args: &[&str]) -> (Output, Value) {
    run(apiprobe().arg("check").arg("--json").args(args))
}

/// The catalog code for a probe name, or None while the catalog does not define it.
fn code_of(name: &str) -> Option<String> {
    let out = apiprobe().args(["lookup", "--json", name]).output().ok()?;
    let v: Value = serde_json::from_slice(&out.stdout).ok()?;
    let first = v.as_array()?.first()?;
    (first["name"].as_str() == Some(name)).then(|| first["code"].as_str().map(String::from))?
}

/// Asserts a failed check: exit 1, `ok` false, the name, the phase, words in the message, curl's code.
fn assert_failure(r: &(Output, Value), name: &str, phase: &str, words: &[&str], curl: u8) {
    let (out, v) = r;
    assert_eq!(out.status.code(), Some(1), "exit status for {name}: {v}");
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(v["name"], name, "{v}");
    assert_eq!(v["phase"], phase, "{v}");
    let msg = v["message"].as_str().unwrap_or_default();
    for w in words {
        assert!(msg.contains(w), "message {msg:?} should contain {w:?}");
    }
    assert_eq!(v["details"]["curl_exit"], curl.to_string(), "{v}");
    match code_of(name) {
        Some(code) => assert_eq!(v["code"], code.as_str(), "{v}"),
        None => assert!(v["code"].is_null(), "{v}"),
    }
    assert!(v["timings_ms"]["total"].as_f64().is_some(), "{v}");
}

fn ca_file() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = certs().write_ca(dir.path()).expect("write CA");
    (dir, path)
}

#[test]
fn passing_check_reports_status_timings_and_address() {
    let s = FaultServer::spawn().expect("server");
    let (out, v) = check(&[
        &s.url("/ok"),
        "--expect-status",
        "200",
        "--expect-json",
        "$.ok == true",
    ]);
    assert_eq!(out.status.code(), Some(0), "{v}");
    assert_eq!(v["ok"], true);
    assert_eq!(v["status"], 200);
    assert!(v["code"].is_null());
    assert_eq!(v["remote_addr"], s.addr.to_string());
    assert_eq!(v["assertions"].as_array().map(Vec::len), Some(2));
    for k in ["dns", "connect", "ttfb", "total"] {
        assert!(v["timings_ms"][k].as_f64().is_some(), "timing {k}: {v}");
    }
}

#[test]
fn dns_not_found_from_an_nxdomain_answer() {
    let dns = DnsServer::spawn(DnsMode::NxDomain).expect("dns");
    let r = run(apiprobe()
        .env("APIPROBE_DNS_SERVER", dns.addr.to_string())
        .args(["check", "--json", "http://missing.test/ok"]));
    assert_failure(
        &r,
        "DNS_NOT_FOUND",
        "dns",
        &["missing.test", "does not resolve"],
        6,
    );
}

#[test]
fn dns_timeout_when_the_name_server_never_answers() {
    let dns = DnsServer::spawn(DnsMode::Silent).expect("dns");
    let r = run(apiprobe()
        .env("APIPROBE_DNS_SERVER", dns.addr.to_string())
        .args([
            "check",
            "--json",
            "--connect-timeout",
            "1s",
            "http://slow.test/ok",
        ]));
    assert_failure(&r, "DNS_TIMEOUT", "dns", &["slow.test", "1s"], 6);
}

#[test]
fn a_name_answered_by_the_dns_server_is_probed() {
    let dns = DnsServer::spawn(DnsMode::Answer(Ipv4Addr::LOCALHOST)).expect("dns");
    let s = FaultServer::spawn().expect("server");
    let (out, v) = run(apiprobe()
        .env("APIPROBE_DNS_SERVER", dns.addr.to_string())
        .args([
            "check",
            "--json",
            &format!("http://api.test:{}/ok", s.port()),
        ]));
    assert_eq!(out.status.code(), Some(0), "{v}");
    assert_eq!(v["remote_addr"], s.addr.to_string());
}

#[test]
fn connection_refused_on_a_closed_port() {
    let port = closed_port().expect("port");
    let r = check(&[&format!("http://127.0.0.1:{port}/ok")]);
    assert_failure(
        &r,
        "CONNECTION_REFUSED",
        "connect",
        &[&format!(
            "Connection to 127.0.0.1:{port} at 127.0.0.1 was refused"
        )],
        7,
    );
}

#[test]
fn connect_timeout_on_a_full_accept_queue() {
    let stall = StallPort::spawn().expect("stall");
    let r = check(&[
        "--connect-timeout",
        "1s",
        &format!("http://{}/ok", stall.addr),
    ]);
    assert_failure(
        &r,
        "CONNECT_TIMEOUT",
        "connect",
        &[&stall.addr.to_string(), "1s"],
        28,
    );
}

#[test]
fn connection_reset_by_the_server() {
    let s = FaultServer::spawn().expect("server");
    let r = check(&[&s.url("/reset")]);
    assert_failure(
        &r,
        "CONNECTION_RESET",
        "response",
        &["reset", &s.addr.to_string()],
        56,
    );
}

#[test]
fn empty_reply_when_the_server_closes_without_answering() {
    let s = FaultServer::spawn().expect("server");
    let r = check(&[&s.url("/close")]);
    assert_failure(
        &r,
        "EMPTY_REPLY",
        "response",
        &["closed the connection", &s.addr.to_string()],
        52,
    );
}

#[test]
fn invalid_response_for_bytes_that_are_not_http() {
    let s = FaultServer::spawn().expect("server");
    let r = check(&[&s.url("/garbage")]);
    assert_failure(&r, "INVALID_RESPONSE", "response", &["not valid HTTP"], 8);
}

#[test]
fn invalid_header_in_response() {
    let s = FaultServer::spawn().expect("server");
    let r = check(&[&s.url("/bad-header")]);
    assert_failure(
        &r,
        "INVALID_HEADER_IN_RESPONSE",
        "response",
        &["header", "not valid HTTP"],
        8,
    );
}

#[test]
fn invalid_chunked_encoding() {
    let s = FaultServer::spawn().expect("server");
    let r = check(&[&s.url("/bad-chunked")]);
    assert_failure(&r, "INVALID_CHUNKED_ENCODING", "body", &["chunk"], 56);
}

#[test]
fn dns_server_failure_from_a_servfail_answer() {
    let dns = DnsServer::spawn(DnsMode::ServFail).expect("dns");
    let r = run(apiprobe()
        .env("APIPROBE_DNS_SERVER", dns.addr.to_string())
        .args(["check", "--json", "http://broken.test/ok"]));
    assert_failure(
        &r,
        "DNS_SERVER_FAILURE",
        "dns",
        &["broken.test", "Server Failure"],
        6,
    );
}

#[test]
fn truncated_body_when_content_length_is_not_reached() {
    let s = FaultServer::spawn().expect("server");
    let r = check(&[&s.url("/truncated")]);
    assert_failure(&r, "TRUNCATED_BODY", "body", &["10 of 100 bytes"], 18);
    assert_eq!(r.1["status"], Value::Null);
}

#[test]
fn response_timeout_when_headers_are_slow() {
    let s = FaultServer::spawn().expect("server");
    let r = check(&["--timeout", "1s", &s.url("/slow-headers?ms=3000")]);
    assert_failure(
        &r,
        "RESPONSE_TIMEOUT",
        "response",
        &["no response headers within 1s"],
        28,
    );
}

#[test]
fn body_timeout_when_the_body_is_slow() {
    let s = FaultServer::spawn().expect("server");
    let r = check(&["--timeout", "1s", &s.url("/slow-body?ms=3000")]);
    assert_failure(
        &r,
        "BODY_TIMEOUT",
        "body",
        &["did not finish within 1s"],
        28,
    );
}

#[test]
fn redirect_loop_is_detected() {
    let s = FaultServer::spawn().expect("server");
    let r = check(&[&s.url("/redirect-loop")]);
    assert_failure(&r, "REDIRECT_LOOP", "redirect", &["/redirect-loop"], 47);
}

#[test]
fn too_many_redirects_past_the_limit_and_a_short_chain_passes() {
    let s = FaultServer::spawn().expect("server");
    let r = check(&["--max-redirects", "3", &s.url("/redirect/10")]);
    assert_failure(
        &r,
        "TOO_MANY_REDIRECTS",
        "redirect",
        &["Gave up after 3 redirects"],
        47,
    );
    let (out, v) = check(&[&s.url("/redirect/3")]);
    assert_eq!(out.status.code(), Some(0), "{v}");
    assert_eq!(v["details"]["redirects"], "3");
}

#[test]
fn invalid_url_is_reported_before_any_network() {
    let r = check(&["http://[::1"]);
    assert_failure(&r, "INVALID_URL", "request", &["http://[::1"], 3);
}

#[test]
fn unsupported_scheme() {
    let r = check(&["ftp://127.0.0.1/file"]);
    assert_failure(&r, "UNSUPPORTED_SCHEME", "request", &["'ftp'"], 1);
}

#[test]
fn tls_valid_certificate_with_cacert_and_resolve() {
    let s = FaultServer::spawn_tls(CertKind::Valid).expect("server");
    let (_d, ca) = ca_file();
    let url = format!("https://localhost:{}/ok", s.port());
    let resolve = format!("localhost:{}:127.0.0.1", s.port());
    let (out, v) = check(&[
        "--cacert",
        ca.to_str().unwrap_or_default(),
        "--resolve",
        &resolve,
        &url,
    ]);
    assert_eq!(out.status.code(), Some(0), "{v}");
    assert!(
        v["tls"]["version"]
            .as_str()
            .is_some_and(|t| t.starts_with("TLSv1")),
        "{v}"
    );
    assert_eq!(v["tls"]["subject"], "CN=localhost");
    assert_eq!(v["tls"]["issuer"], "CN=apiprobe test CA");
    assert!(v["timings_ms"]["tls"].as_f64().is_some());
}

#[test]
fn tls_untrusted_certificate_from_an_unknown_ca() {
    // Signed by the test CA, which is not trusted without --cacert.
    let s = FaultServer::spawn_tls(CertKind::Valid).expect("server");
    let r = check(&[&s.url("/ok")]);
    assert_failure(
        &r,
        "TLS_UNTRUSTED_CERT",
        "tls",
        &["127.0.0.1", "not trusted"],
        60,
    );
    // The certificate is still described.
    assert_eq!(r.1["tls"]["issuer"], "CN=apiprobe test CA");
    let (out, _) = check(&["--insecure", &s.url("/ok")]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn tls_self_signed_certificate() {
    let s = FaultServer::spawn_tls(CertKind::SelfSigned).expect("server");
    let (_d, ca) = ca_file();
    let r = check(&["--cacert", ca.to_str().unwrap_or_default(), &s.url("/ok")]);
    assert_failure(
        &r,
        "TLS_SELF_SIGNED_CERT",
        "tls",
        &["127.0.0.1", "self-signed"],
        60,
    );
    assert_eq!(r.1["tls"]["subject"], "CN=localhost");
    assert_eq!(r.1["tls"]["issuer"], "CN=localhost");
}

#[test]
fn tls_expired_certificate_names_the_date() {
    let s = FaultServer::spawn_tls(CertKind::Expired).expect("server");
    let (_d, ca) = ca_file();
    let r = check(&["--cacert", ca.to_str().unwrap_or_default(), &s.url("/ok")]);
    assert_failure(
        &r,
        "TLS_EXPIRED_CERT",
        "tls",
        &["TLS certificate for 127.0.0.1 expired on 2024-01-01"],
        60,
    );
}

#[test]
fn tls_hostname_mismatch_names_the_certificate_names() {
    let s = FaultServer::spawn_tls(CertKind::WrongHost).expect("server");
    let (_d, ca) = ca_file();
    let r = check(&["--cacert", ca.to_str().unwrap_or_default(), &s.url("/ok")]);
    assert_failure(
        &r,
        "TLS_HOSTNAME_MISMATCH",
        "tls",
        &["127.0.0.1", "wrong.example"],
        60,
    );
}

#[test]
fn tls_protocol_mismatch_against_a_plain_http_port() {
    let s = FaultServer::spawn().expect("server");
    let r = check(&[&format!("https://{}/ok", s.addr)]);
    assert_failure(
        &r,
        "TLS_PROTOCOL_MISMATCH",
        "tls",
        &[&s.addr.to_string(), "not TLS"],
        35,
    );
}

#[test]
fn tls_handshake_failed_when_the_server_aborts_it() {
    let s = FaultServer::spawn_handshake_abort().expect("server");
    let r = check(&[&s.url("/ok")]);
    assert_failure(
        &r,
        "TLS_HANDSHAKE_FAILED",
        "tls",
        &[&format!("TLS handshake with {} failed", s.addr), "closed"],
        35,
    );
}

fn assert_assertion(r: &(Output, Value), name: &str, kind: &str, words: &[&str]) {
    let (out, v) = r;
    assert_eq!(out.status.code(), Some(1), "{v}");
    assert_eq!(v["name"], name, "{v}");
    assert_eq!(v["phase"], "assertion", "{v}");
    let msg = v["message"].as_str().unwrap_or_default();
    for w in words {
        assert!(msg.contains(w), "message {msg:?} should contain {w:?}");
    }
    let failed: Vec<&Value> = v["assertions"]
        .as_array()
        .map(|a| a.iter().filter(|a| a["passed"] == false).collect())
        .unwrap_or_default();
    assert_eq!(failed.len(), 1, "{v}");
    assert_eq!(failed[0]["kind"], kind);
    if let Some(code) = code_of(name) {
        assert_eq!(v["code"], code.as_str());
    }
}

#[test]
fn assertion_status() {
    let s = FaultServer::spawn().expect("server");
    let r = check(&["--expect-status", "201,204", &s.url("/ok")]);
    assert_assertion(
        &r,
        "ASSERTION_STATUS",
        "status",
        &["Expected status 201,204, got 200"],
    );
}

#[test]
fn assertion_header() {
    let s = FaultServer::spawn().expect("server");
    let r = check(&["--expect-header", "Content-Type: ^text/html", &s.url("/ok")]);
    assert_assertion(
        &r,
        "ASSERTION_HEADER",
        "header",
        &[
            "Header 'Content-Type': expected a value matching ^text/html",
            "got application/json",
        ],
    );
}

#[test]
fn assertion_json() {
    let s = FaultServer::spawn().expect("server");
    let r = check(&["--expect-json", "$.ok == false", &s.url("/ok")]);
    assert_assertion(
        &r,
        "ASSERTION_JSON",
        "json",
        &["JSON at '$.ok': expected == false, got true"],
    );
}

#[test]
fn assertion_body() {
    let s = FaultServer::spawn().expect("server");
    let r = check(&["--expect-body-contains", "healthy", &s.url("/ok")]);
    assert_assertion(
        &r,
        "ASSERTION_BODY",
        "body",
        &["Body does not contain 'healthy'"],
    );
}

#[test]
fn assertion_latency() {
    let s = FaultServer::spawn().expect("server");
    let r = check(&["--max-latency", "50ms", &s.url("/slow-headers?ms=300")]);
    assert_assertion(
        &r,
        "ASSERTION_LATENCY",
        "latency",
        &["over the limit of 50ms"],
    );
}

#[test]
fn http_503_gets_the_code_explain_gives() {
    let s = FaultServer::spawn().expect("server");
    let (out, v) = check(&[&s.url("/status/503")]);
    assert_eq!(out.status.code(), Some(1), "{v}");
    assert_eq!(v["ok"], false);
    assert_eq!(v["status"], 503);
    assert_eq!(v["category"], "server");
    assert!(v["code"].as_str().is_some(), "{v}");
    assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
}

#[test]
fn an_expected_error_status_passes() {
    let s = FaultServer::spawn().expect("server");
    let (out, v) = check(&["--expect-status", "404", &s.url("/status/404")]);
    assert_eq!(out.status.code(), Some(0), "{v}");
}

#[test]
fn slack_ok_false_on_200_fails_with_explains_code() {
    let s = FaultServer::spawn().expect("server");
    let (out, v) = check(&[&s.url("/json-error/slack")]);
    assert_eq!(out.status.code(), Some(1), "{v}");
    assert_eq!(v["ok"], false);
    assert_eq!(v["status"], 200);
    assert!(v["code"].as_str().is_some(), "{v}");
}

#[test]
fn http_proxy_from_the_environment_carries_the_request() {
    // The fault server serves absolute-form requests, so it acts as the proxy; api.test never
    // needs resolving because the proxy is asked instead.
    let proxy = FaultServer::spawn().expect("server");
    let (out, v) = run(apiprobe()
        .env("http_proxy", format!("http://{}", proxy.addr))
        .args([
            "check",
            "--json",
            "--expect-body-contains",
            "Host: api.test",
            "http://api.test/headers",
        ]));
    assert_eq!(out.status.code(), Some(0), "{v}");
    assert_eq!(v["details"]["proxy"], proxy.addr.to_string());
    let (out, v) = run(apiprobe()
        .env("http_proxy", format!("http://{}", proxy.addr))
        .env("NO_PROXY", "127.0.0.1")
        .args(["check", "--json", &proxy.url("/ok")]));
    assert_eq!(out.status.code(), Some(0), "{v}");
    assert!(v["details"]["proxy"].is_null(), "{v}");
}

#[test]
fn human_output_is_one_line_with_code_message_and_timings() {
    let port = closed_port().expect("port");
    let out = apiprobe()
        .args(["check", &format!("http://127.0.0.1:{port}/")])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text.lines().next().unwrap_or_default();
    assert!(first.starts_with("FAIL --- "), "{text}");
    assert!(first.contains("CONNECTION_REFUSED"), "{text}");
    assert!(
        first.contains(&format!(
            "Connection to 127.0.0.1:{port} at 127.0.0.1 was refused"
        )),
        "{text}"
    );
    assert!(first.contains("total "), "{text}");
    assert!(!text.contains('\x1b'), "NO_COLOR honoured");
}

#[test]
fn bad_flags_are_usage_errors() {
    for args in [
        vec!["--expect-status", "abc", "http://127.0.0.1:1/"],
        vec!["--expect-json", "ok == 1", "http://127.0.0.1:1/"],
        vec!["--timeout", "soon", "http://127.0.0.1:1/"],
        vec!["--resolve", "nope", "http://127.0.0.1:1/"],
        vec!["--cacert", "/nonexistent/ca.pem", "https://127.0.0.1:1/"],
        vec!["--http1.1", "--http2", "http://127.0.0.1:1/"],
    ] {
        let out = apiprobe().arg("check").args(&args).output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn http2_is_negotiated_by_alpn_and_http1_only_is_refused_by_an_h2_only_server() {
    let s = FaultServer::spawn_h2(CertKind::Valid).expect("server");
    let (_d, ca) = ca_file();
    let ca = ca.to_str().unwrap_or_default();
    let (out, v) = check(&[
        "--cacert",
        ca,
        "--expect-json",
        "$.version == \"h2\"",
        &s.url("/ok"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{v}");
    assert_eq!(v["tls"]["alpn"], "h2");
    let (out, v) = check(&["--cacert", ca, "--http2", &s.url("/ok")]);
    assert_eq!(out.status.code(), Some(0), "{v}");
    // Offering only http/1.1 to a server that speaks only h2 ends in a TLS alert.
    let r = check(&["--cacert", ca, "--http1.1", &s.url("/ok")]);
    assert_failure(
        &r,
        "TLS_HANDSHAKE_FAILED",
        "tls",
        &[&format!("TLS handshake with {} failed", s.addr)],
        35,
    );
}
