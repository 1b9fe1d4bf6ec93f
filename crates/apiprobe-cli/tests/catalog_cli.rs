//! `lookup`, `list` and `export` through the real binary: output, exit codes, `--catalog` errors.

mod common;

use common::{apiprobe, json, stderr, stdout};

#[test]
fn lookup_by_status_prints_a_card() {
    let o = apiprobe(&["lookup", "404"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("404 Not Found\n"), "{out}");
    assert!(out.contains("category: client"), "{out}");
    assert!(out.contains("Likely causes"), "{out}");
    assert!(
        !out.contains('\x1b'),
        "no colour when NO_COLOR is set or stdout is not a terminal"
    );
}

#[test]
fn lookup_of_a_status_names_its_default_probe_code() {
    let o = apiprobe(&["lookup", "503"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("probe code: PRB-3504 SERVICE_UNAVAILABLE"),
        "{out}"
    );
    let o = apiprobe(&["lookup", "--json", "503"]);
    assert_eq!(json(&o)[0]["default_probe"], "PRB-3504");
}

#[test]
fn lookup_by_code_in_any_case_and_by_name() {
    for q in [
        "PRB-3001",
        "prb-3001",
        "CONNECTION_REFUSED",
        "connection refused",
        "connection-refused",
    ] {
        let o = apiprobe(&["lookup", "--json", q]);
        assert_eq!(o.status.code(), Some(0), "{q}: {}", stderr(&o));
        let v = json(&o);
        assert_eq!(v[0]["code"], "PRB-3001", "{q}");
        assert_eq!(v[0]["name"], "CONNECTION_REFUSED", "{q}");
    }
}

#[test]
fn lookup_free_text_ranks_matches_and_forgives_typos() {
    for q in ["refused", "refusd", "conection refused"] {
        let o = apiprobe(&["lookup", "--json", q]);
        assert_eq!(o.status.code(), Some(0), "{q}: {}", stderr(&o));
        let codes: Vec<String> = json(&o)
            .as_array()
            .map(|a| a.iter().map(|e| e["code"].to_string()).collect())
            .unwrap_or_default();
        assert!(
            codes.iter().any(|c| c.contains("PRB-3001")),
            "{q}: {codes:?}"
        );
    }
}

#[test]
fn lookup_json_has_the_catalog_field_names() {
    let v = json(&apiprobe(&["lookup", "--json", "404"]));
    let keys: Vec<&str> = v[0]
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    for k in [
        "code",
        "kind",
        "title",
        "category",
        "meaning",
        "likely_causes",
        "fixes",
        "retryable",
        "related",
        "status",
        "origin",
        "reference",
    ] {
        assert!(keys.contains(&k), "missing {k} in {keys:?}");
    }
    assert_eq!(v[0]["status"], 404);
    assert_eq!(v[0]["kind"], "http");
}

#[test]
fn lookup_nothing_found_exits_1() {
    let o = apiprobe(&["lookup", "zzqxj wvkq"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).is_empty());
    assert!(
        stderr(&o).contains("nothing in the catalog matches"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_well_formed_code_that_does_not_exist_says_so_and_exits_1() {
    for q in ["PRB-9999", "prb-9999", "299"] {
        let o = apiprobe(&["lookup", q]);
        assert_eq!(o.status.code(), Some(1), "{q}");
        assert!(
            stdout(&o).is_empty(),
            "{q}: no near matches: {}",
            stdout(&o)
        );
        assert!(
            stderr(&o).contains("is not in the catalog"),
            "{q}: {}",
            stderr(&o)
        );
        let o = apiprobe(&["lookup", "--json", q]);
        assert_eq!(o.status.code(), Some(1), "{q}");
        assert_eq!(stdout(&o).trim(), "[]", "{q}");
    }
    assert!(stderr(&apiprobe(&["lookup", "PRB-9999"])).contains("PRB-9999 is not in the catalog"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(apiprobe(&["lookup"]).status.code(), Some(2));
    assert_eq!(
        apiprobe(&["list", "--category", "nope"]).status.code(),
        Some(2)
    );
    assert_eq!(
        apiprobe(&["export", "--format", "yaml"]).status.code(),
        Some(2)
    );
    assert_eq!(apiprobe(&["no-such-command"]).status.code(), Some(2));
}

#[test]
fn list_filters_by_category_and_kind() {
    let v = json(&apiprobe(&[
        "list",
        "--json",
        "--category",
        "auth",
        "--kind",
        "http",
    ]));
    let codes: Vec<&str> = v
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["code"].as_str()).collect())
        .unwrap_or_default();
    assert!(!codes.is_empty());
    for c in &codes {
        assert!(
            ["401", "403", "407", "511"].contains(c),
            "{c} is not an auth status"
        );
    }
    let o = apiprobe(&["list", "--kind", "probe"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).lines().next().unwrap_or("").starts_with("CODE"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn export_formats() {
    let all = json(&apiprobe(&["export", "--format", "json"]));
    let n = all.as_array().map(Vec::len).unwrap_or(0);
    assert!(n >= 2);
    let csv = stdout(&apiprobe(&["export", "--format", "csv"]));
    assert_eq!(csv.lines().next(), Some("code,kind,title,category,status,origin,reference,name,phase,statuses,message,retryable,meaning,likely_causes,fixes,related"));
    let md = stdout(&apiprobe(&["export", "--format", "markdown"]));
    assert!(md.starts_with("# API error reference"));
    assert!(md.contains("### 404"));
}

#[test]
fn bad_catalog_file_names_file_and_line_and_exits_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("broken.toml");
    std::fs::write(
        &path,
        "[[entry]]\ncode = \"PRB-1999\"\ncategory = \"clent\"\n",
    )
    .expect("write");
    let p = path.to_string_lossy().into_owned();
    let o = apiprobe(&["--catalog", &p, "lookup", "404"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains(&format!("{p}:3:12")), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    let missing = dir.path().join("missing.toml");
    let o = apiprobe(&["--catalog", &missing.to_string_lossy(), "list"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot read catalog file"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn catalog_from_the_environment() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("extra.toml");
    std::fs::write(
        &path,
        r#"[[entry]]
code = "PRB-1999"
name = "TENANT_SUSPENDED"
title = "Tenant suspended"
category = "client"
phase = "http"
statuses = [423]
message = "Tenant '{tenant}' is suspended"
retryable = false
meaning = "Our gateway refuses every call for a tenant an operator has suspended."
likely_causes = ["Unpaid invoice", "Abuse report under review"]
fixes = ["Ask support to lift the suspension"]
related = []
"#,
    )
    .expect("write");
    let o = common::command()
        .args(["lookup", "--json", "tenant suspended"])
        .env("APIPROBE_CATALOG", &path)
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(json(&o)[0]["code"], "PRB-1999");
}

#[test]
fn closed_stdout_is_not_an_error() {
    use std::process::Stdio;
    let mut child = common::command()
        .args(["export", "--format", "markdown"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let o = child.wait_with_output().expect("wait");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn closed_stdout_during_json_output_is_not_an_error() {
    use std::io::Read;
    use std::process::Stdio;
    // A reader that takes a few bytes and hangs up, like `| head -c 10`.
    for args in [
        &["lookup", "--json", "404"][..],
        &["export", "--format", "json"][..],
    ] {
        let mut child = common::command()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut first = [0u8; 1];
        if let Some(out) = child.stdout.as_mut() {
            let _ = out.read(&mut first);
        }
        drop(child.stdout.take());
        let o = child.wait_with_output().expect("wait");
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert!(
            !stderr(&o).contains("Broken pipe"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
}
