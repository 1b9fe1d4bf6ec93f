//! The built-in HTTP entries checked against the IANA HTTP Status Code Registry.
//!
//! The registry list below is the standard the catalog is held to: every 4xx and 5xx the registry
//! assigns, with its registered reason phrase and defining document. It is written out here by hand
//! (from https://www.iana.org/assignments/http-status-codes/) rather than read from the catalog, so a
//! wrong title or a dropped entry in the data files fails this test.

use apiprobe_catalog::{Catalog, Category, Entry, Kind};
use std::collections::HashSet;

/// Every 4xx and 5xx in the IANA registry: (status, registered reason phrase, defining RFC).
const IANA_4XX_5XX: &[(u16, &str, &str)] = &[
    (400, "Bad Request", "RFC 9110"),
    (401, "Unauthorized", "RFC 9110"),
    (402, "Payment Required", "RFC 9110"),
    (403, "Forbidden", "RFC 9110"),
    (404, "Not Found", "RFC 9110"),
    (405, "Method Not Allowed", "RFC 9110"),
    (406, "Not Acceptable", "RFC 9110"),
    (407, "Proxy Authentication Required", "RFC 9110"),
    (408, "Request Timeout", "RFC 9110"),
    (409, "Conflict", "RFC 9110"),
    (410, "Gone", "RFC 9110"),
    (411, "Length Required", "RFC 9110"),
    (412, "Precondition Failed", "RFC 9110"),
    (413, "Content Too Large", "RFC 9110"),
    (414, "URI Too Long", "RFC 9110"),
    (415, "Unsupported Media Type", "RFC 9110"),
    (416, "Range Not Satisfiable", "RFC 9110"),
    (417, "Expectation Failed", "RFC 9110"),
    (418, "(Unused)", "RFC 9110"),
    (421, "Misdirected Request", "RFC 9110"),
    (422, "Unprocessable Content", "RFC 9110"),
    (423, "Locked", "RFC 4918"),
    (424, "Failed Dependency", "RFC 4918"),
    (425, "Too Early", "RFC 8470"),
    (426, "Upgrade Required", "RFC 9110"),
    (428, "Precondition Required", "RFC 6585"),
    (429, "Too Many Requests", "RFC 6585"),
    (431, "Request Header Fields Too Large", "RFC 6585"),
    (451, "Unavailable For Legal Reasons", "RFC 7725"),
    (500, "Internal Server Error", "RFC 9110"),
    (501, "Not Implemented", "RFC 9110"),
    (502, "Bad Gateway", "RFC 9110"),
    (503, "Service Unavailable", "RFC 9110"),
    (504, "Gateway Timeout", "RFC 9110"),
    (505, "HTTP Version Not Supported", "RFC 9110"),
    (506, "Variant Also Negotiates", "RFC 2295"),
    (507, "Insufficient Storage", "RFC 4918"),
    (508, "Loop Detected", "RFC 5842"),
    (510, "Not Extended (OBSOLETED)", "RFC 2774"),
    (511, "Network Authentication Required", "RFC 6585"),
];

/// Unregistered numbers that real servers, proxies and services send, each of which must be present
/// with the vendor that uses it as origin.
const UNOFFICIAL: &[u16] = &[
    419, 420, 430, 440, 444, 449, 450, 460, 463, 464, 494, 495, 496, 497, 498, 499, 509, 520, 521,
    522, 523, 524, 525, 526, 527, 529, 530, 561, 598, 599,
];

/// Numbers whose meaning differs between vendors: one entry, the other meanings as variants.
const SHARED_NUMBERS: &[(u16, &str)] = &[
    (420, "Spring Framework"),
    (451, "Microsoft Exchange ActiveSync"),
    (499, "Esri ArcGIS"),
    (529, "Anthropic API"),
    (530, "Pantheon"),
];

fn http_entries() -> Vec<&'static Entry> {
    Catalog::builtin()
        .entries()
        .iter()
        .filter(|e| e.kind == Kind::Http)
        .collect()
}

fn entry(status: u16) -> &'static Entry {
    Catalog::builtin()
        .by_status(status)
        .unwrap_or_else(|| panic!("{status} is missing from the catalog"))
}

#[test]
fn every_registered_4xx_and_5xx_is_present_with_its_registered_title() {
    let mut wrong = Vec::new();
    for &(status, title, rfc) in IANA_4XX_5XX {
        let Some(e) = Catalog::builtin().by_status(status) else {
            wrong.push(format!("{status} is missing"));
            continue;
        };
        if e.title != title {
            wrong.push(format!(
                "{status}: title {:?}, registry says {title:?}",
                e.title
            ));
        }
        if e.origin.as_deref() != Some("IANA") {
            wrong.push(format!("{status}: origin {:?}, expected IANA", e.origin));
        }
        let reference = e.reference.as_deref().unwrap_or("");
        if !(reference == rfc || reference.starts_with(&format!("{rfc},"))) {
            wrong.push(format!("{status}: reference {reference:?} is not {rfc}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "registry mismatches:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn only_registered_numbers_claim_iana_as_origin() {
    let registered: HashSet<u16> = IANA_4XX_5XX.iter().map(|r| r.0).collect();
    for e in http_entries() {
        let status = e.status.expect("HTTP entries carry their status");
        if e.origin.as_deref() == Some("IANA") {
            assert!(
                registered.contains(&status),
                "{status} claims IANA but is not in the registry"
            );
        }
    }
}

#[test]
fn the_418_entry_keeps_the_teapot_history_and_says_it_is_reserved() {
    let e = entry(418);
    assert!(e.meaning.contains("RFC 2324"), "{}", e.meaning);
    assert!(
        e.meaning.to_lowercase().contains("reserve"),
        "{}",
        e.meaning
    );
    assert_eq!(e.reference.as_deref(), Some("RFC 9110, Section 15.5.19"));
}

#[test]
fn unofficial_numbers_are_present_with_their_vendor_as_origin() {
    for &status in UNOFFICIAL {
        let e = entry(status);
        let origin = e.origin.as_deref().unwrap_or("");
        assert!(
            !origin.is_empty() && origin != "IANA",
            "{status} must name the vendor that uses it, not {origin:?}"
        );
        assert!(
            e.reference.as_deref().is_some_and(|r| !r.trim().is_empty()),
            "{status} needs a vendor reference"
        );
    }
}

#[test]
fn numbers_with_several_vendor_meanings_keep_one_entry_and_list_the_others_as_variants() {
    for &(status, vendor) in SHARED_NUMBERS {
        let e = entry(status);
        assert!(
            e.variants.iter().any(|v| v.origin == vendor),
            "{status} lacks the {vendor} variant: {:?}",
            e.variants
        );
        for v in &e.variants {
            assert_ne!(
                v.title, e.title,
                "{status}: a variant repeats the main title"
            );
        }
    }
    assert_eq!(entry(499).origin.as_deref(), Some("nginx"));
    assert_eq!(entry(530).origin.as_deref(), Some("Cloudflare"));
}

#[test]
fn every_http_entry_follows_the_category_rule() {
    for e in http_entries() {
        let status = e.status.expect("HTTP entries carry their status");
        let expected = match status {
            401 | 403 | 407 | 511 => Category::Auth,
            400..=499 => Category::Client,
            500..=599 => Category::Server,
            other => panic!("{other} is not an error status"),
        };
        assert_eq!(e.category, expected, "{status} has the wrong category");
        assert_eq!(e.code, status.to_string());
    }
}

#[test]
fn every_http_entry_has_two_causes_a_fix_and_http_only_related_codes() {
    let codes: HashSet<&str> = http_entries().iter().map(|e| e.code.as_str()).collect();
    for e in http_entries() {
        assert!(
            e.likely_causes.len() >= 2,
            "{}: fewer than two causes",
            e.code
        );
        assert!(!e.fixes.is_empty(), "{}: no fix", e.code);
        assert!(
            e.likely_causes
                .iter()
                .chain(&e.fixes)
                .all(|s| s.trim().len() > 15),
            "{}: a cause or fix is too short to be concrete",
            e.code
        );
        for r in &e.related {
            assert!(
                codes.contains(r.as_str()),
                "{} relates to {r}, which is not an HTTP entry",
                e.code
            );
        }
    }
}

#[test]
fn meanings_are_specific_to_their_code() {
    let mut seen = HashSet::new();
    for e in http_entries() {
        assert!(
            seen.insert(e.meaning.to_lowercase()),
            "{} repeats another meaning",
            e.code
        );
        // A meaning that only restates the title says nothing.
        assert!(
            e.meaning.len() > e.title.len() + 40,
            "{}: meaning too thin",
            e.code
        );
    }
}

#[test]
fn retryable_follows_the_rule_for_the_clear_cases() {
    for status in [408, 425, 429, 502, 503, 504] {
        assert!(
            entry(status).retryable,
            "{status} is transient and must be retryable"
        );
    }
    for status in [400, 401, 403, 404, 405, 410, 413, 422, 501, 505, 511] {
        assert!(
            !entry(status).retryable,
            "{status} needs a change first and must not be retryable"
        );
    }
}

#[test]
fn rfc_semantics_the_reader_needs_are_stated() {
    let needs: &[(u16, &str)] = &[
        (401, "WWW-Authenticate"),
        (405, "Allow"),
        (407, "Proxy-Authenticate"),
        (413, "Retry-After"),
        (416, "Content-Range"),
        (421, "HTTP/2"),
        (426, "Upgrade"),
        (429, "Retry-After"),
        (503, "Retry-After"),
    ];
    for &(status, phrase) in needs {
        assert!(
            entry(status).meaning.contains(phrase),
            "{status}'s meaning should mention {phrase}"
        );
    }
}

#[test]
fn http_files_are_sorted_by_code() {
    for (file, text) in [
        ("http-4xx.toml", include_str!("../data/http-4xx.toml")),
        ("http-5xx.toml", include_str!("../data/http-5xx.toml")),
    ] {
        let codes: Vec<u16> = text
            .lines()
            .filter_map(|l| l.strip_prefix("code = \""))
            .filter_map(|rest| rest.trim_end_matches('"').parse().ok())
            .collect();
        assert!(codes.len() > 10, "{file}: codes not found");
        assert!(
            codes.windows(2).all(|w| w[0] < w[1]),
            "{file} is not sorted: {codes:?}"
        );
    }
}

#[test]
fn every_error_status_has_a_probe_default_of_a_probe_code() {
    let catalog = Catalog::builtin();
    for e in catalog.entries().iter().filter(|e| e.kind == Kind::Http) {
        let status = e.status.expect("HTTP entries have a status");
        let d = catalog
            .default_for_status(status)
            .unwrap_or_else(|| panic!("{status} has no default"));
        assert_eq!(d.kind, Kind::Probe, "{status}");
        assert_eq!(e.default_probe.as_deref(), Some(d.code.as_str()));
    }
    let name = |s: u16| catalog.default_for_status(s).and_then(|e| e.name.clone());
    assert_eq!(name(404).as_deref(), Some("RESOURCE_NOT_FOUND"));
    assert_eq!(name(503).as_deref(), Some("SERVICE_UNAVAILABLE"));
    assert_eq!(name(401).as_deref(), Some("HTTP_AUTH_ERROR"));
    // A number the catalog does not list still gets the generic code of its class.
    assert_eq!(name(470).as_deref(), Some("HTTP_CLIENT_ERROR"));
    assert_eq!(name(590).as_deref(), Some("HTTP_SERVER_ERROR"));
    assert_eq!(name(302), None);
}

#[test]
fn a_default_naming_no_probe_code_is_refused_with_its_place() {
    let file = "[[entry]]\ncode = \"404\"\ntitle = \"Not Found\"\ncategory = \"client\"\norigin = \"IANA\"\nreference = \"RFC 9110\"\nretryable = false\ndefault_probe = \"NOT_A_CODE\"\nmeaning = \"x y z\"\nlikely_causes = [\"a\", \"b\"]\nfixes = [\"c\"]\nrelated = []\n";
    let err = Catalog::builtin()
        .extended_with_text("mine.toml", file.as_bytes())
        .expect_err("an unknown default is refused")
        .to_string();
    assert!(err.contains("mine.toml:2"), "{err}");
    assert!(err.contains("default_probe 'NOT_A_CODE'"), "{err}");
    let file = file.replace("NOT_A_CODE", "500");
    let err = Catalog::builtin()
        .extended_with_text("mine.toml", file.as_bytes())
        .expect_err("a status as default is refused")
        .to_string();
    assert!(err.contains("an HTTP status"), "{err}");
}
