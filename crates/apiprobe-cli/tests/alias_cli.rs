//! Other tools' codes through the real binary: `lookup --from TOOL CODE`, `list --aliases [--from TOOL]`,
//! and `explain --message` on real error lines, with their exit codes.

mod common;

use common::{apiprobe, json, stderr, stdout};
use serde_json::Value;
use std::collections::BTreeSet;

/// `lookup --from TOOL CODE --json`: the one entry it names, as (code, name).
fn lookup_from(tool: &str, code: &str) -> (String, String) {
    let o = apiprobe(&["lookup", "--from", tool, code, "--json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "lookup --from {tool} {code}: {}",
        stderr(&o)
    );
    let v = json(&o);
    let first = &v[0];
    (
        first["code"].as_str().unwrap_or_default().to_string(),
        first["name"].as_str().unwrap_or_default().to_string(),
    )
}

/// One documented code per tool that has aliases, with the condition the tool's own documentation gives
/// for it. A tool added to the alias tables without a line here fails `every_alias_tool_has_a_case`.
const DOCUMENTED: &[(&str, &str, &str)] = &[
    ("blackbox", "Error resolving address", "DNS_NOT_FOUND"),
    ("chromium", "ERR_CERT_DATE_INVALID", "TLS_EXPIRED_CERT"),
    ("chromium", "ERR_NAME_NOT_RESOLVED", "DNS_NOT_FOUND"),
    ("curl", "60", "TLS_UNTRUSTED_CERT"),
    ("curl", "7", "CONNECTION_REFUSED"),
    ("datadog", "CONNRESET", "CONNECTION_RESET"),
    ("dotnet", "ConnectionRefused", "CONNECTION_REFUSED"),
    ("envoy", "UF", "CONNECTION_REFUSED"),
    ("envoy", "RL", "RATE_LIMITED"),
    ("go", "no such host", "DNS_NOT_FOUND"),
    ("haproxy", "SC", "CONNECTION_REFUSED"),
    ("haproxy", "sC", "CONNECT_TIMEOUT"),
    ("hurl", "Invalid URL", "INVALID_URL"),
    ("java", "java.net.UnknownHostException", "DNS_NOT_FOUND"),
    ("k6", "1211", "CONNECT_TIMEOUT"),
    ("k6", "1212", "CONNECTION_REFUSED"),
    ("nginx", "limiting requests", "RATE_LIMITED"),
    ("node", "ECONNREFUSED", "CONNECTION_REFUSED"),
    ("openssl", "10", "TLS_EXPIRED_CERT"),
    ("python", "NameResolutionError", "DNS_NOT_FOUND"),
];

#[test]
fn lookup_from_curl_60_is_the_untrusted_certificate() {
    let o = apiprobe(&["lookup", "--from", "curl", "60"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with("curl 60 (CURLE_PEER_FAILED_VERIFICATION)"),
        "{out}"
    );
    assert!(out.contains("PRB-3101 TLS_UNTRUSTED_CERT"), "{out}");
    assert!(!out.contains('\x1b'), "no colour with NO_COLOR");
    assert_eq!(
        lookup_from("curl", "60"),
        ("PRB-3101".to_string(), "TLS_UNTRUSTED_CERT".to_string())
    );
}

#[test]
fn lookup_from_names_the_documented_condition() {
    for &(tool, code, name) in DOCUMENTED {
        let (_, got) = lookup_from(tool, code);
        assert_eq!(got, name, "lookup --from {tool} {code}");
    }
}

#[test]
fn every_alias_tool_has_a_case() {
    let o = apiprobe(&["list", "--aliases", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let tools: BTreeSet<String> = json(&o)
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|a| a["tool"].as_str().map(str::to_string))
        .collect();
    assert!(tools.len() >= 15, "{tools:?}");
    let covered: BTreeSet<String> = DOCUMENTED.iter().map(|c| c.0.to_string()).collect();
    let missing: Vec<&String> = tools.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "tools without a lookup case: {missing:?}"
    );
}

#[test]
fn every_listed_alias_looks_up_to_its_entry() {
    // The list and the lookup read the same table; a code that case-folds onto another one (HAProxy's
    // sC and SC) must still find its own entry.
    let o = apiprobe(&["list", "--aliases", "--json"]);
    let list = json(&o);
    let aliases = list.as_array().expect("an array");
    assert!(aliases.len() > 100, "only {} aliases", aliases.len());
    for a in aliases {
        let tool = a["tool"].as_str().expect("tool");
        let code = a["code"].as_str().expect("code");
        let (got, _) = lookup_from(tool, code);
        assert_eq!(got, a["maps_to"], "lookup --from {tool} '{code}'");
    }
}

#[test]
fn haproxy_termination_states_are_case_sensitive() {
    assert_eq!(lookup_from("haproxy", "SC").1, "CONNECTION_REFUSED");
    assert_eq!(lookup_from("haproxy", "sC").1, "CONNECT_TIMEOUT");
    assert_eq!(lookup_from("haproxy", "SD").1, "TRUNCATED_BODY");
    assert_eq!(lookup_from("haproxy", "sD").1, "BODY_TIMEOUT");
    assert_eq!(lookup_from("haproxy", "sH").1, "GATEWAY_TIMEOUT");
    assert_ne!(lookup_from("haproxy", "SH").1, "GATEWAY_TIMEOUT");
    // A spelling that no state has exactly (`cd`) still finds the one it folds onto (`CD`).
    assert_eq!(lookup_from("haproxy", "cd").1, "CONNECTION_RESET");
}

#[test]
fn tool_names_are_case_insensitive_and_codes_fold_when_no_exact_match() {
    assert_eq!(lookup_from("NODE", "ECONNREFUSED").1, "CONNECTION_REFUSED");
    assert_eq!(lookup_from("node", "econnrefused").1, "CONNECTION_REFUSED");
}

#[test]
fn unknown_code_exits_1_with_a_suggestion() {
    let o = apiprobe(&["lookup", "--from", "curl", "6000"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(o.stdout.is_empty(), "stdout is data only: {}", stdout(&o));
    let err = stderr(&o);
    assert!(err.contains("did you mean"), "{err}");
    assert!(err.contains("'60'"), "{err}");
}

#[test]
fn unknown_tool_exits_1_with_the_tool_list() {
    let o = apiprobe(&["lookup", "--from", "wget", "4"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(o.stdout.is_empty(), "stdout is data only: {}", stdout(&o));
    let err = stderr(&o);
    assert!(err.contains("wget"), "{err}");
    for tool in ["curl", "node", "k6", "haproxy", "chromium"] {
        assert!(err.contains(tool), "{tool} missing from: {err}");
    }
}

#[test]
fn list_aliases_from_curl_json_shape() {
    let o = apiprobe(&["list", "--aliases", "--from", "curl", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    let rows = v.as_array().expect("an array");
    assert!(rows.len() >= 10, "{} curl aliases", rows.len());
    for r in rows {
        let obj = r.as_object().expect("an object per alias");
        let keys: BTreeSet<&str> = obj.keys().map(String::as_str).collect();
        let want: BTreeSet<&str> = [
            "tool",
            "code",
            "name",
            "text",
            "maps_to",
            "probe_name",
            "category",
        ]
        .into_iter()
        .collect();
        assert_eq!(keys, want, "{r}");
        assert_eq!(r["tool"], "curl");
        assert!(r["code"].is_string() && r["text"].is_string(), "{r}");
        assert!(
            ["client", "auth", "server"].contains(&r["category"].as_str().unwrap_or("")),
            "{r}"
        );
    }
    let sixty = rows
        .iter()
        .find(|r| r["code"] == "60")
        .expect("curl 60 listed");
    assert_eq!(sixty["name"], "CURLE_PEER_FAILED_VERIFICATION");
    assert_eq!(sixty["maps_to"], "PRB-3101");
    assert_eq!(sixty["probe_name"], "TLS_UNTRUSTED_CERT");
}

#[test]
fn list_aliases_from_an_unknown_tool_exits_1() {
    let o = apiprobe(&["list", "--aliases", "--from", "wget", "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stderr(&o).contains("curl"), "{}", stderr(&o));
}

/// `explain --message LINE --json`, exit 0, the report.
fn explain(line: &str) -> Value {
    let o = apiprobe(&["explain", "--message", line, "--json"]);
    assert_eq!(o.status.code(), Some(0), "{line}: {}", stderr(&o));
    json(&o)
}

#[test]
fn explain_message_reads_tool_lines() {
    // Lines as each tool prints them (curl's libcurl-errors page, Node's errors page, Go's net package,
    // k6's error-code page, Envoy's access-log format, HAProxy's log format).
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "curl: (60) SSL certificate problem: unable to get local issuer certificate",
            "PRB-3101",
            "curl",
            "60",
        ),
        (
            "Error: connect ECONNREFUSED 127.0.0.1:3000",
            "PRB-3001",
            "node",
            "ECONNREFUSED",
        ),
        (
            "WARN[0005] Request Failed                                error=\"Get \\\"https://test.k6.io/\\\": dial tcp 10.0.0.5:443: i/o timeout\"",
            "PRB-3002",
            "k6",
            "1211",
        ),
        (
            "[2024-03-01T10:00:00.310Z] \"GET /v1/users HTTP/1.1\" 503 UF 0 91 25 - \"10.0.35.28\" \"curl/8.5.0\" \"cc21d9b0\" \"api.acme.test\" \"10.0.2.1:80\"",
            "PRB-3001",
            "envoy",
            "UF",
        ),
        (
            "Feb  6 12:14:14 localhost haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/-1/-1/3001 503 212 - - SC-- 1/1/1/1/3 0/0 \"GET /index.html HTTP/1.1\"",
            "PRB-3001",
            "haproxy",
            "SC",
        ),
    ];
    for &(line, code, format, vendor_code) in cases {
        let v = explain(line);
        assert_eq!(v["code"], code, "{line}");
        assert_eq!(v["format"], format, "{line}");
        assert_eq!(v["vendor_code"], vendor_code, "{line}");
        assert!(v["confidence"].as_f64().unwrap_or(0.0) >= 0.5, "{line}");
        assert_eq!(v["message"], line.trim(), "{line}");
    }
}

#[test]
fn explain_message_haproxy_timeout_state_is_not_the_refusal() {
    let line = "Feb  6 12:14:14 localhost haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/-1/-1/5001 503 212 - - sC-- 1/1/1/1/3 0/0 \"GET / HTTP/1.1\"";
    let v = explain(line);
    assert_eq!(v["name"], "CONNECT_TIMEOUT");
    assert_eq!(v["vendor_code"], "sC");
    assert_eq!(v["status"], 503);
}

#[test]
fn explain_message_on_unknown_text_exits_1() {
    let o = apiprobe(&[
        "explain",
        "--message",
        "all quiet, nothing to report",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(o.stdout.is_empty(), "stdout is data only: {}", stdout(&o));
    assert!(!stderr(&o).is_empty());
}
