//! A user's `--catalog` file: good files extend the catalog, broken ones give an error at file:line.

use apiprobe_catalog::{Catalog, CatalogError, Category};

fn extend(text: &[u8]) -> Result<Catalog, CatalogError> {
    Catalog::builtin().extended_with_text("mine.toml", text)
}

fn error(text: &[u8]) -> String {
    match extend(text) {
        Ok(_) => panic!(
            "expected an error for {:?}",
            String::from_utf8_lossy(&text[..text.len().min(200)])
        ),
        Err(e) => e.to_string(),
    }
}

const GOOD: &str = r#"
[[entry]]
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
"#;

#[test]
fn adds_an_entry() {
    let c = extend(GOOD.as_bytes()).expect("good file loads");
    let e = c.get("tenant_suspended").expect("found by name");
    assert_eq!(e.code, "PRB-1999");
    assert_eq!(e.category, Category::Client);
    assert_eq!(c.entries().len(), Catalog::builtin().entries().len() + 1);
}

#[test]
fn overrides_an_entry_with_the_same_code() {
    let text = GOOD
        .replace("PRB-1999", "PRB-3001")
        .replace("category = \"client\"", "category = \"server\"");
    let c = extend(text.as_bytes()).expect("override loads");
    assert_eq!(
        c.by_code("PRB-3001").map(|e| e.title.as_str()),
        Some("Tenant suspended")
    );
    assert_eq!(c.entries().len(), Catalog::builtin().entries().len());
}

#[test]
fn syntax_error_names_file_line_and_column() {
    let text = GOOD.replace("title = \"Tenant suspended\"", "title = \"Tenant suspended");
    let msg = error(text.as_bytes());
    assert!(msg.starts_with("mine.toml:5:"), "{msg}");
    assert!(msg.contains('^'), "caret under the problem: {msg}");
}

#[test]
fn unknown_category_is_pointed_at() {
    let text = GOOD.replace("category = \"client\"", "category = \"cleint\"");
    let msg = error(text.as_bytes());
    assert!(msg.starts_with("mine.toml:6:"), "{msg}");
    assert!(msg.contains("cleint"), "{msg}");
}

#[test]
fn category_must_match_the_code_digit() {
    let text = GOOD.replace("category = \"client\"", "category = \"auth\"");
    let msg = error(text.as_bytes());
    assert!(msg.starts_with("mine.toml:6:"), "{msg}");
    assert!(msg.contains("PRB-2NNN"), "{msg}");
}

#[test]
fn http_category_rule_is_enforced() {
    let text = r#"
[[entry]]
code = "403"
title = "Forbidden"
category = "client"
origin = "IANA"
reference = "RFC 9110, Section 15.5.4"
retryable = false
meaning = "x"
likely_causes = ["a", "b"]
fixes = ["c"]
related = []
"#;
    let msg = error(text.as_bytes());
    assert!(msg.starts_with("mine.toml:5:"), "{msg}");
    assert!(msg.contains("must be category 'auth'"), "{msg}");
}

#[test]
fn duplicate_code_in_one_file_is_an_error() {
    let text = format!(
        "{GOOD}\n{}",
        GOOD.replace("TENANT_SUSPENDED", "TENANT_FROZEN")
    );
    let msg = error(text.as_bytes());
    assert!(
        msg.starts_with("mine.toml:18:"),
        "second definition is pointed at: {msg}"
    );
    assert!(msg.contains("duplicate code PRB-1999"), "{msg}");
}

#[test]
fn duplicate_name_across_catalog_is_an_error() {
    let text = GOOD.replace("TENANT_SUSPENDED", "CONNECTION_REFUSED");
    let msg = error(text.as_bytes());
    assert!(msg.contains("CONNECTION_REFUSED"), "{msg}");
    assert!(
        msg.starts_with("mine.toml:3:"),
        "the user's entry is pointed at: {msg}"
    );
    assert!(msg.contains("already used by PRB-3001"), "{msg}");
}

#[test]
fn unknown_related_code_suggests_a_near_one() {
    let text = GOOD.replace("related = []", "related = [\"CONECTION_REFUSED\"]");
    let msg = error(text.as_bytes());
    assert!(msg.contains("did you mean 'CONNECTION_REFUSED'"), "{msg}");
}

#[test]
fn empty_file_is_an_error() {
    assert_eq!(
        error(b""),
        "mine.toml: file is empty (expected [[entry]] tables; see the catalog data README)"
    );
    assert!(error(b"  \n# only a comment\n").contains("no [[entry]] tables"));
}

#[test]
fn too_few_causes_is_an_error() {
    let text = GOOD.replace(
        "likely_causes = [\"Unpaid invoice\", \"Abuse report under review\"]",
        "likely_causes = [\"Unpaid invoice\"]",
    );
    let msg = error(text.as_bytes());
    assert!(
        msg.contains("likely_causes of PRB-1999 needs at least 2"),
        "{msg}"
    );
}

#[test]
fn unknown_field_is_an_error() {
    let text = GOOD.replace("retryable = false", "retryable = false\nretriable = true");
    let msg = error(text.as_bytes());
    assert!(msg.contains("retriable"), "{msg}");
}

#[test]
fn binary_garbage_is_refused_with_a_location() {
    let mut bytes = b"[[entry]]\ncode = \"PRB-1999\"\n".to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe, 0x00, 0x9c, 0x80]);
    let msg = error(&bytes);
    assert!(msg.starts_with("mine.toml:3:1: invalid UTF-8"), "{msg}");
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect();
    assert!(error(&garbage).starts_with("mine.toml:"));
}

#[test]
fn ten_megabyte_file_is_refused() {
    let big = "# padding\n".repeat(1024 * 1024);
    let msg = error(big.as_bytes());
    assert!(msg.contains("over the 4194304 byte limit"), "{msg}");
}

#[test]
fn alias_file_replaces_a_tools_aliases() {
    let text = "tool = \"mytool\"\n[[alias]]\ncode = \"E42\"\nmaps_to = \"CONNECTION_REFUSED\"\n";
    let c = extend(text.as_bytes()).expect("alias file loads");
    let (entry, alias) = c.by_alias("MyTool", "e42").expect("alias resolves");
    assert_eq!(entry.code, "PRB-3001");
    assert_eq!(alias.code, "E42");
    let bad = text.replace("CONNECTION_REFUSED", "CONNECTION_REFUSE");
    let msg = error(bad.as_bytes());
    assert!(msg.starts_with("mine.toml:4:"), "{msg}");
    assert!(msg.contains("did you mean"), "{msg}");
}

#[test]
fn a_code_shared_by_several_conditions_reads_back_as_its_main_one() {
    let text = "tool = \"mytool\"\n[[alias]]\ncode = \"T\"\nmaps_to = \"RESPONSE_TIMEOUT\"\nalso = [\"CONNECT_TIMEOUT\"]\n";
    let c = extend(text.as_bytes()).expect("alias file loads");
    let (entry, alias) = c.by_alias("mytool", "T").expect("alias resolves");
    assert_eq!(entry.name.as_deref(), Some("RESPONSE_TIMEOUT"));
    assert!(!alias.shared);
    let connect = c.get("CONNECT_TIMEOUT").expect("entry");
    let shared: Vec<_> = connect
        .aliases
        .iter()
        .filter(|a| a.tool == "mytool")
        .collect();
    assert_eq!(shared.len(), 1);
    assert!(shared[0].shared, "{shared:?}");
    let bad = text.replace("[\"CONNECT_TIMEOUT\"]", "[\"CONNECT_TIMEOT\"]");
    let msg = error(bad.as_bytes());
    assert!(msg.starts_with("mine.toml:5:"), "{msg}");
    assert!(msg.contains("did you mean"), "{msg}");
    let status = error(
        text.replace("[\"CONNECT_TIMEOUT\"]", "[\"404\"]")
            .as_bytes(),
    );
    assert!(status.contains("an HTTP status"), "{status}");
}

#[test]
fn curl_exit_codes_for_every_timeout_and_certificate_problem_are_in_the_data() {
    let c = Catalog::builtin();
    let curl = |name: &str| {
        c.get(name)
            .and_then(|e| e.aliases.iter().find(|a| a.tool == "curl"))
            .map(|a| a.code.clone())
    };
    for (name, code) in [
        ("DNS_NOT_FOUND", "6"),
        ("DNS_TIMEOUT", "6"),
        ("CONNECT_TIMEOUT", "28"),
        ("BODY_TIMEOUT", "28"),
        ("TLS_EXPIRED_CERT", "60"),
        ("REDIRECT_LOOP", "47"),
    ] {
        assert_eq!(curl(name).as_deref(), Some(code), "{name}");
    }
    assert_eq!(
        c.by_alias("curl", "28").map(|(e, _)| e.name.clone()),
        Some(Some("RESPONSE_TIMEOUT".into()))
    );
}
