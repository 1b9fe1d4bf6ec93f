//! The probe's own codes (`PRB-CNNN`): shape, naming, coverage, stability and content rules.
//!
//! `build.rs` already rejects a malformed entry; these tests hold the catalog to the rules that only
//! the catalog as a whole can show, above all that an assigned code never changes number or name.

use apiprobe_catalog::{Catalog, Category, Entry, Kind, Phase};
use std::collections::{BTreeMap, HashMap};

/// Every probe code ever assigned, with its name (see the header of the file).
const ASSIGNED: &str = include_str!("../data/assigned.txt");

/// The probe data files, each with the one category it may hold.
const FILES: [(&str, &str, Category); 3] = [
    (
        "probe-client.toml",
        include_str!("../data/probe-client.toml"),
        Category::Client,
    ),
    (
        "probe-auth.toml",
        include_str!("../data/probe-auth.toml"),
        Category::Auth,
    ),
    (
        "probe-server.toml",
        include_str!("../data/probe-server.toml"),
        Category::Server,
    ),
];

/// Names the catalog must always offer, by category: the probe, the explainer and users rely on them.
const REQUIRED: [(Category, &[&str]); 3] = [
    (
        Category::Client,
        &[
            "INVALID_URL",
            "UNSUPPORTED_SCHEME",
            "INVALID_HEADER",
            "DNS_NOT_FOUND",
            "VALIDATION_FAILED",
            "MISSING_REQUIRED_FIELD",
            "INVALID_FIELD_VALUE",
            "UNSUPPORTED_MEDIA_TYPE",
            "RESOURCE_NOT_FOUND",
            "METHOD_NOT_ALLOWED",
            "CONFLICT",
            "PRECONDITION_FAILED",
            "PAYLOAD_TOO_LARGE",
            "RATE_LIMITED",
            "QUOTA_EXCEEDED",
            "ASSERTION_STATUS",
            "ASSERTION_HEADER",
            "ASSERTION_JSON",
            "ASSERTION_BODY",
            "ASSERTION_LATENCY",
        ],
    ),
    (
        Category::Auth,
        &[
            "MISSING_CREDENTIALS",
            "INVALID_CREDENTIALS",
            "TOKEN_EXPIRED",
            "TOKEN_INVALID",
            "INSUFFICIENT_SCOPE",
            "PERMISSION_DENIED",
            "ACCOUNT_DISABLED",
            "PROXY_AUTH_REQUIRED",
            "NETWORK_LOGIN_REQUIRED",
            "CLIENT_CERT_REQUIRED",
            "SIGNATURE_MISMATCH",
            "CLOCK_SKEW",
            "IP_NOT_ALLOWED",
        ],
    ),
    (
        Category::Server,
        &[
            "CONNECTION_REFUSED",
            "CONNECT_TIMEOUT",
            "CONNECTION_RESET",
            "DNS_TIMEOUT",
            "TLS_UNTRUSTED_CERT",
            "TLS_EXPIRED_CERT",
            "TLS_HOSTNAME_MISMATCH",
            "TLS_HANDSHAKE_FAILED",
            "EMPTY_REPLY",
            "INVALID_RESPONSE",
            "TRUNCATED_BODY",
            "RESPONSE_TIMEOUT",
            "BODY_TIMEOUT",
            "REDIRECT_LOOP",
            "TOO_MANY_REDIRECTS",
            "INTERNAL_ERROR",
            "BAD_GATEWAY",
            "SERVICE_UNAVAILABLE",
            "GATEWAY_TIMEOUT",
            "DEPENDENCY_UNAVAILABLE",
            "MAINTENANCE",
            "OVERLOADED",
        ],
    ),
];

fn probes() -> Vec<&'static Entry> {
    Catalog::builtin()
        .entries()
        .iter()
        .filter(|e| e.kind == Kind::Probe)
        .collect()
}

fn name(e: &Entry) -> &str {
    e.name.as_deref().unwrap_or("")
}

/// True for `PRB-` followed by a category digit 1-3 and three more digits.
fn is_probe_code(code: &str) -> bool {
    let Some(digits) = code.strip_prefix("PRB-") else {
        return false;
    };
    digits.len() == 4
        && digits.bytes().all(|b| b.is_ascii_digit())
        && matches!(digits.as_bytes()[0], b'1'..=b'3')
}

fn is_screaming_snake(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase())
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && !s.ends_with('_')
        && !s.contains("__")
}

fn is_snake(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !s.ends_with('_')
        && !s.contains("__")
}

/// The `{placeholder}` names of a message template, or an error for a stray brace.
fn placeholders(message: &str) -> Result<Vec<&str>, String> {
    let mut names = Vec::new();
    let mut rest = message;
    while let Some(open) = rest.find(['{', '}']) {
        if rest.as_bytes()[open] == b'}' {
            return Err(format!("a '}}' without its '{{' in {message:?}"));
        }
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("an unclosed '{{' in {message:?}"))?;
        let name = &after[..close];
        if name.contains('{') {
            return Err(format!("nested braces in {message:?}"));
        }
        names.push(name);
        rest = &after[close + 1..];
    }
    Ok(names)
}

/// One non-comment line of assigned.txt.
#[derive(Debug)]
struct Assigned<'a> {
    line: usize,
    code: &'a str,
    name: &'a str,
    retired: bool,
}

/// Parses a register in the assigned.txt format; any line that is not `PRB-CNNN NAME`, optionally
/// followed by `# retired`, is an error naming the line.
fn parse_register(text: &str) -> Result<Vec<Assigned<'_>>, String> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let (content, comment) = match raw.split_once('#') {
            Some((c, comment)) => (c.trim(), Some(comment.trim())),
            None => (raw.trim(), None),
        };
        if content.is_empty() {
            continue;
        }
        let fields: Vec<&str> = content.split_whitespace().collect();
        let [code, name] = fields[..] else {
            return Err(format!(
                "line {line}: expected 'PRB-CNNN NAME', got {raw:?}"
            ));
        };
        if !is_probe_code(code) {
            return Err(format!("line {line}: '{code}' is not a probe code"));
        }
        if !is_screaming_snake(name) {
            return Err(format!("line {line}: '{name}' is not SCREAMING_SNAKE"));
        }
        let retired = match comment {
            None => false,
            Some("retired") => true,
            Some(c) => {
                return Err(format!(
                    "line {line}: the only comment allowed after a code is '# retired', got '# {c}'"
                ))
            }
        };
        out.push(Assigned {
            line,
            code,
            name,
            retired,
        });
    }
    Ok(out)
}

/// Everything wrong between a register and the catalog's probe codes (code -> name).
///
/// The rule it enforces: a code keeps its number and name forever, a code is only ever retired
/// (never deleted from the register), and a retired code or a listed name is never handed out again.
fn register_problems(register: &[Assigned<'_>], catalog: &BTreeMap<&str, &str>) -> Vec<String> {
    let mut problems = Vec::new();
    let mut by_code: HashMap<&str, &Assigned<'_>> = HashMap::new();
    let mut names: HashMap<&str, usize> = HashMap::new();
    for a in register {
        if let Some(first) = by_code.insert(a.code, a) {
            problems.push(format!(
                "line {}: {} is already listed on line {}",
                a.line, a.code, first.line
            ));
        }
        if let Some(first) = names.insert(a.name, a.line) {
            problems.push(format!(
                "line {}: name {} is already listed on line {first}",
                a.line, a.name
            ));
        }
        match catalog.get(a.code) {
            None if !a.retired => problems.push(format!(
                "line {}: {} {} is gone from the catalog; mark it '# retired' instead of deleting it",
                a.line, a.code, a.name
            )),
            Some(_) if a.retired => problems.push(format!(
                "line {}: {} is retired but back in the catalog; retired codes are never reused",
                a.line, a.code
            )),
            _ => {}
        }
    }
    for (code, name) in catalog {
        match by_code.get(code) {
            None => problems.push(format!("{code} {name} is not in assigned.txt: add it")),
            Some(a) if a.name != *name => problems.push(format!(
                "line {}: {code} was assigned as {}, the catalog calls it {name}; codes are never renamed",
                a.line, a.name
            )),
            Some(_) => {}
        }
    }
    let codes: Vec<&str> = register.iter().map(|a| a.code).collect();
    if codes.windows(2).any(|w| w[0] >= w[1]) {
        problems.push("the register is not in code order".to_string());
    }
    problems
}

fn catalog_codes() -> BTreeMap<&'static str, &'static str> {
    probes()
        .into_iter()
        .map(|e| (e.code.as_str(), name(e)))
        .collect()
}

#[test]
fn every_code_is_prb_cnnn_with_the_digit_of_its_category() {
    for e in probes() {
        assert!(is_probe_code(&e.code), "{} is not PRB-CNNN", e.code);
        assert_eq!(
            e.code.as_bytes()[4] as char,
            e.category.digit(),
            "{} has category {}",
            e.code,
            e.category
        );
    }
}

#[test]
fn names_are_unique_screaming_snake() {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for e in probes() {
        let n = name(e);
        assert!(
            is_screaming_snake(n),
            "{}: name {n:?} is not SCREAMING_SNAKE",
            e.code
        );
        if let Some(other) = seen.insert(n, &e.code) {
            panic!("name {n} is used by both {other} and {}", e.code);
        }
    }
}

#[test]
fn required_names_are_present_in_their_category() {
    let catalog = Catalog::builtin();
    let mut missing = Vec::new();
    for (category, names) in REQUIRED {
        for n in names {
            match catalog.by_name(n) {
                Some(e) => assert_eq!(e.category, category, "{n} ({}) is {}", e.code, e.category),
                None => missing.push(*n),
            }
        }
    }
    assert!(missing.is_empty(), "missing probe names: {missing:?}");
}

#[test]
fn conditions_the_brief_pins_down() {
    let c = Catalog::builtin();
    let get = |n: &str| c.by_name(n).unwrap_or_else(|| panic!("{n} is missing"));
    assert_eq!(get("CONNECTION_REFUSED").code, "PRB-3001");
    // The README quotes this pair as its example of a probe code.
    assert_eq!(get("TOKEN_EXPIRED").code, "PRB-2003");
    // A name that does not exist is the caller's mistake; a resolver that does not answer is not.
    assert_eq!(get("DNS_NOT_FOUND").category, Category::Client);
    assert_eq!(get("DNS_TIMEOUT").category, Category::Server);
    for e in probes()
        .into_iter()
        .filter(|e| name(e).starts_with("ASSERTION_"))
    {
        assert_eq!(e.category, Category::Client, "{}", e.code);
        assert_eq!(e.phase, Some(Phase::Assertion), "{}", e.code);
        assert!(
            e.code.starts_with("PRB-19"),
            "{} is outside PRB-19NN",
            e.code
        );
    }
    for e in probes() {
        if e.phase == Some(Phase::Assertion) {
            assert!(
                name(e).starts_with("ASSERTION_"),
                "{} has phase assertion",
                e.code
            );
        }
    }
}

#[test]
fn there_are_at_least_sixty_codes_and_twelve_per_category() {
    let all = probes();
    assert!(all.len() >= 60, "only {} probe codes", all.len());
    for category in Category::ALL {
        let n = all.iter().filter(|e| e.category == *category).count();
        assert!(n >= 12, "only {n} probe codes in category {category}");
    }
}

#[test]
fn assigned_register_matches_the_catalog() {
    let register = parse_register(ASSIGNED).unwrap_or_else(|e| panic!("assigned.txt: {e}"));
    assert!(
        register.len() >= 60,
        "assigned.txt lists {} codes",
        register.len()
    );
    let problems = register_problems(&register, &catalog_codes());
    assert!(
        problems.is_empty(),
        "assigned.txt and the catalog disagree:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_register_guard_catches_renames_deletions_reuse_and_duplicates() {
    let catalog = catalog_codes();
    let first = ASSIGNED
        .lines()
        .find(|l| l.starts_with("PRB-"))
        .expect("assigned.txt lists codes");
    let (code, name) = first.split_once(' ').expect("code and name");
    let check = |text: String| -> Vec<String> {
        let register = parse_register(&text).expect("tampered register still parses");
        register_problems(&register, &catalog)
    };
    let has = |problems: &[String], needle: &str| problems.iter().any(|p| p.contains(needle));

    let renamed = check(ASSIGNED.replacen(first, &format!("{code} {name}_RENAMED"), 1));
    assert!(has(&renamed, "never renamed"), "{renamed:?}");

    let deleted = check(ASSIGNED.replacen(&format!("{first}\n"), "", 1));
    assert!(has(&deleted, "is not in assigned.txt"), "{deleted:?}");

    let retired = check(ASSIGNED.replacen(first, &format!("{first} # retired"), 1));
    assert!(has(&retired, "never reused"), "{retired:?}");

    let ghost = check(format!("{ASSIGNED}PRB-3999 GHOST_CODE\n"));
    assert!(has(&ghost, "gone from the catalog"), "{ghost:?}");
    let retired_ghost = check(format!("{ASSIGNED}PRB-3999 GHOST_CODE # retired\n"));
    assert_eq!(
        retired_ghost,
        check(ASSIGNED.to_string()),
        "a retired code may leave the catalog"
    );

    let twice = check(format!("{ASSIGNED}{first}\n"));
    assert!(has(&twice, "already listed"), "{twice:?}");
    assert!(has(&twice, "code order"), "{twice:?}");

    assert!(parse_register("PRB-3001").is_err());
    assert!(parse_register("PRB-4001 X").is_err());
    assert!(parse_register("PRB-3001 CONNECTION_REFUSED # gone").is_err());
}

#[test]
fn no_two_meanings_are_alike_across_the_catalog() {
    // Stricter than the loader: case, spacing and punctuation are ignored too.
    let mut seen: HashMap<String, &str> = HashMap::new();
    for e in Catalog::builtin().entries() {
        let key: String = e
            .meaning
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        if let Some(other) = seen.insert(key, &e.code) {
            panic!("{} and {other} have the same meaning", e.code);
        }
    }
}

#[test]
fn every_code_has_causes_fixes_and_a_specific_meaning() {
    for e in probes() {
        assert!(
            e.likely_causes.len() >= 2,
            "{} has {} likely cause(s)",
            e.code,
            e.likely_causes.len()
        );
        assert!(!e.fixes.is_empty(), "{} has no fix", e.code);
        for text in e.likely_causes.iter().chain(&e.fixes) {
            assert!(text.trim().len() >= 10, "{}: {text:?} is too thin", e.code);
        }
        // A meaning that restates the title says nothing more than the title.
        assert!(
            e.meaning.len() >= 60,
            "{}: meaning {:?} is too short to be specific",
            e.code,
            e.meaning
        );
        assert!(!e.title.trim().is_empty(), "{} has no title", e.code);
    }
}

#[test]
fn message_placeholders_are_snake_case() {
    for e in probes() {
        let message = e
            .message
            .as_deref()
            .unwrap_or_else(|| panic!("{} has no message", e.code));
        let names = placeholders(message).unwrap_or_else(|err| panic!("{}: {err}", e.code));
        for n in names {
            assert!(
                is_snake(n),
                "{}: placeholder {{{n}}} is not snake_case",
                e.code
            );
        }
    }
}

#[test]
fn the_placeholder_check_can_fail() {
    assert_eq!(
        placeholders("Field '{field}' on {resource_id}"),
        Ok(vec!["field", "resource_id"])
    );
    assert!(placeholders("Field '{field' is").is_err());
    assert!(placeholders("Field } is").is_err());
    assert!(!is_snake("Field"));
    assert!(!is_snake("field-name"));
    assert!(!is_probe_code("PRB-4001"));
    assert!(!is_probe_code("PRB-301"));
    assert!(!is_screaming_snake("Token_Expired"));
}

#[test]
fn every_phase_is_valid_and_statuses_fit_it() {
    for e in probes() {
        let phase = e.phase.unwrap_or_else(|| panic!("{} has no phase", e.code));
        assert!(Phase::ALL.contains(&phase), "{}: {phase}", e.code);
        match phase {
            // An HTTP-phase code is by definition reported with a status.
            Phase::Http => assert!(
                !e.statuses.is_empty(),
                "{} has phase http but no statuses",
                e.code
            ),
            // Nothing has answered yet when a name fails to resolve.
            Phase::Dns => assert!(
                e.statuses.is_empty(),
                "{} has phase dns but lists statuses",
                e.code
            ),
            _ => {}
        }
        for s in &e.statuses {
            // 3xx only where the condition is about following redirects.
            let fits = (200..=299).contains(s)
                || (400..=599).contains(s)
                || ((300..=399).contains(s) && e.phase == Some(Phase::Redirect));
            assert!(fits, "{}: status {s}", e.code);
        }
    }
}

#[test]
fn related_codes_are_other_probe_codes_in_the_catalog() {
    let catalog = Catalog::builtin();
    for e in probes() {
        for r in &e.related {
            assert!(
                is_probe_code(r),
                "{}: related {r:?} is not a probe code (put HTTP statuses in `statuses`)",
                e.code
            );
            assert_ne!(r, &e.code, "{} lists itself as related", e.code);
            assert!(
                catalog.by_code(r).is_some(),
                "{}: related {r} is not in the catalog",
                e.code
            );
        }
    }
}

#[test]
fn retryable_follows_the_rule_for_clear_cases() {
    let c = Catalog::builtin();
    // Transient: the same request later may succeed with nobody changing anything.
    for n in [
        "CONNECT_TIMEOUT",
        "DNS_TIMEOUT",
        "RESPONSE_TIMEOUT",
        "BODY_TIMEOUT",
        "RATE_LIMITED",
        "SERVICE_UNAVAILABLE",
        "GATEWAY_TIMEOUT",
        "OVERLOADED",
        "MAINTENANCE",
        "REQUEST_TIMEOUT",
    ] {
        assert!(
            c.by_name(n).is_some_and(|e| e.retryable),
            "{n} should be retryable"
        );
    }
    // Something must change first: the request, the credentials or the deployment.
    for n in [
        "INVALID_URL",
        "DNS_NOT_FOUND",
        "VALIDATION_FAILED",
        "TOKEN_EXPIRED",
        "PERMISSION_DENIED",
        "TLS_EXPIRED_CERT",
        "TLS_HOSTNAME_MISMATCH",
        "REDIRECT_LOOP",
        "ASSERTION_STATUS",
    ] {
        assert!(
            c.by_name(n).is_some_and(|e| !e.retryable),
            "{n} should not be retryable"
        );
    }
}

#[test]
fn each_file_holds_one_category_sorted_by_code() {
    for (file, text, category) in FILES {
        let codes: Vec<&str> = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("code = \""))
            .filter_map(|l| l.strip_suffix('"'))
            .collect();
        assert!(!codes.is_empty(), "{file} has no codes");
        for code in &codes {
            let e = Catalog::builtin()
                .by_code(code)
                .unwrap_or_else(|| panic!("{file}: {code} is not in the catalog"));
            assert_eq!(e.category, category, "{file}: {code} is {}", e.category);
        }
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        assert_eq!(codes, sorted, "{file} is kept in code order");
    }
}
