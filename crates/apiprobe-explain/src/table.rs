//! Vendor tables: each API's own error codes (and, where codes are too coarse, message phrases) mapped to
//! probe-code names. One file per vendor in `data/vendors/<vendor>.toml`, embedded by `build.rs`, parsed once.
//!
//! ```toml
//! vendor = "aws"
//! source = "https://docs.aws.amazon.com/..."
//!
//! [[map]]
//! code = "ThrottlingException"     # the API's own code; matched exactly, then ignoring ASCII case
//! maps_to = "RATE_LIMITED"         # a probe-code name from the catalog
//! status = 400                     # optional: only when the HTTP status is this
//!
//! [[message]]
//! contains = "rate exceeded"       # optional rules on the message, case-insensitive substring
//! maps_to = "RATE_LIMITED"
//! ```

use serde::Deserialize;
use std::collections::HashMap;
use std::sync::LazyLock;

/// The tables are fixed data looked up on every explained response: a fast non-keyed hash is enough
/// (SipHash's resistance to chosen keys buys nothing for keys we wrote ourselves).
type Map<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

/// Codes longer than this are folded into a heap string for the case-insensitive lookup; real vendor
/// codes are far shorter, so the usual fold happens on the stack.
const FOLD_ON_STACK: usize = 64;

include!(concat!(env!("OUT_DIR"), "/vendor_tables.rs"));

/// One `[[map]]` row: a vendor code and the probe name it means.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CodeRule {
    /// The vendor's code as it appears in responses.
    pub code: String,
    /// The probe-code name.
    pub maps_to: String,
    /// Applies only with this HTTP status.
    #[serde(default)]
    pub status: Option<u16>,
}

/// One `[[message]]` row: a phrase in the vendor's message and the probe name it means.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MessageRule {
    /// Case-insensitive substring of the message (stored lower-cased after loading).
    pub contains: String,
    /// The probe-code name.
    pub maps_to: String,
    /// Applies only with this HTTP status.
    #[serde(default)]
    pub status: Option<u16>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    vendor: String,
    #[serde(default)]
    #[allow(dead_code)]
    source: Option<String>,
    #[serde(default)]
    map: Vec<CodeRule>,
    #[serde(default)]
    message: Vec<MessageRule>,
}

/// One vendor's rules, indexed.
#[derive(Debug, Default)]
pub(crate) struct VendorTable {
    exact: Map<String, Vec<CodeRule>>,
    folded: Map<String, Vec<CodeRule>>,
    messages: Vec<MessageRule>,
    /// All message phrases in one automaton: one pass over a message finds every rule that applies,
    /// instead of one substring search per rule (the batch path reads a million messages).
    matcher: Option<aho_corasick::AhoCorasick>,
}

/// Every vendor's table, plus the problems found while loading (reported by the tests).
#[derive(Debug, Default)]
pub(crate) struct Tables {
    vendors: Map<String, VendorTable>,
    /// `file: problem`, one per table that did not load.
    pub problems: Vec<String>,
}

static TABLES: LazyLock<Tables> = LazyLock::new(|| load(TABLE_FILES));

/// The embedded tables, parsed on first use.
pub(crate) fn tables() -> &'static Tables {
    &TABLES
}

fn load(files: &[(&str, &str)]) -> Tables {
    let mut t = Tables::default();
    for (file, text) in files {
        let parsed: TableFile = match toml::from_str(text) {
            Ok(p) => p,
            Err(e) => {
                t.problems.push(format!("{file}: {e}"));
                continue;
            }
        };
        if format!("{}.toml", parsed.vendor) != *file {
            t.problems.push(format!(
                "{file}: vendor = \"{}\" does not match the file name",
                parsed.vendor
            ));
        }
        let vt = t.vendors.entry(parsed.vendor).or_default();
        for rule in parsed.map {
            vt.exact
                .entry(rule.code.clone())
                .or_default()
                .push(rule.clone());
            vt.folded
                .entry(rule.code.to_ascii_lowercase())
                .or_default()
                .push(rule);
        }
        for mut rule in parsed.message {
            rule.contains = rule.contains.to_lowercase();
            vt.messages.push(rule);
        }
    }
    for (vendor, vt) in &mut t.vendors {
        if vt.messages.is_empty() {
            continue;
        }
        match aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(vt.messages.iter().map(|r| r.contains.as_str()))
        {
            Ok(m) => vt.matcher = Some(m),
            Err(e) => t
                .problems
                .push(format!("{vendor}.toml: message rules: {e}")),
        }
    }
    t
}

fn pick(rules: &[CodeRule], status: u16) -> Option<&CodeRule> {
    rules
        .iter()
        .find(|r| r.status == Some(status))
        .or_else(|| rules.iter().find(|r| r.status.is_none()))
}

impl Tables {
    /// The rule for `vendor`'s `code` at `status`: exact spelling first, then ignoring ASCII case.
    pub(crate) fn code(&self, vendor: &str, code: &str, status: u16) -> Option<&CodeRule> {
        let vt = self.vendors.get(vendor)?;
        if let Some(rule) = vt.exact.get(code).and_then(|r| pick(r, status)) {
            return Some(rule);
        }
        let rules = if code.len() <= FOLD_ON_STACK {
            let mut buf = [0u8; FOLD_ON_STACK];
            let folded = &mut buf[..code.len()];
            folded.copy_from_slice(code.as_bytes());
            folded.make_ascii_lowercase();
            // ASCII lower-casing keeps UTF-8 valid; the check cannot fail, and costs little.
            std::str::from_utf8(folded)
                .ok()
                .and_then(|f| vt.folded.get(f))
        } else {
            vt.folded.get(&code.to_ascii_lowercase())
        };
        rules.and_then(|r| pick(r, status))
    }

    /// The first message rule of `vendor` whose phrase occurs in `message`.
    pub(crate) fn message(&self, vendor: &str, message: &str, status: u16) -> Option<&MessageRule> {
        let vt = self.vendors.get(vendor)?;
        let matcher = vt.matcher.as_ref()?;
        // The first rule in file order wins, wherever in the message its phrase occurs.
        matcher
            .find_overlapping_iter(message)
            .map(|m| m.pattern().as_usize())
            .filter(|&i| vt.messages[i].status.is_none_or(|s| s == status))
            .min()
            .map(|i| &vt.messages[i])
    }

    /// Every vendor whose table knows `code` (for a code copied from a UI with no vendor named), sorted.
    pub(crate) fn vendors_with_code(&self, code: &str) -> Vec<(&str, &CodeRule)> {
        let folded = code.to_ascii_lowercase();
        let mut hits: Vec<(&str, &CodeRule)> = self
            .vendors
            .iter()
            .filter_map(|(v, t)| {
                t.exact
                    .get(code)
                    .or_else(|| t.folded.get(&folded))
                    .and_then(|r| r.first())
                    .map(|r| (v.as_str(), r))
            })
            .collect();
        hits.sort_by(|a, b| a.0.cmp(b.0));
        hits
    }

    /// Every probe name any rule maps to, with the file's vendor, for the data test.
    #[cfg(test)]
    pub(crate) fn all_targets(&self) -> impl Iterator<Item = (&str, &str)> {
        self.vendors.iter().flat_map(|(v, t)| {
            t.exact
                .values()
                .flatten()
                .map(|r| r.maps_to.as_str())
                .chain(t.messages.iter().map(|r| r.maps_to.as_str()))
                .map(move |m| (v.as_str(), m))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use apiprobe_catalog::Catalog;

    #[test]
    fn every_table_loads() {
        let t = tables();
        assert!(t.problems.is_empty(), "{:#?}", t.problems);
        assert!(!TABLE_FILES.is_empty());
    }

    #[test]
    fn every_target_is_a_catalog_name_or_code() {
        let catalog = Catalog::builtin();
        let missing: Vec<String> = tables()
            .all_targets()
            .filter(|(_, m)| catalog.by_name(m).is_none() && catalog.by_code(m).is_none())
            .map(|(v, m)| format!("{v}: {m}"))
            .collect();
        assert!(
            missing.is_empty(),
            "maps_to names not in the catalog: {missing:?}"
        );
    }

    #[test]
    fn status_specific_rules_win_over_general_ones() {
        let t = load(&[(
            "x.toml",
            "vendor = \"x\"\n[[map]]\ncode = \"A\"\nmaps_to = \"CONFLICT\"\n[[map]]\ncode = \"A\"\nmaps_to = \"RATE_LIMITED\"\nstatus = 429\n",
        )]);
        assert!(t.problems.is_empty(), "{:?}", t.problems);
        assert_eq!(
            t.code("x", "A", 429).map(|r| r.maps_to.as_str()),
            Some("RATE_LIMITED")
        );
        assert_eq!(
            t.code("x", "a", 400).map(|r| r.maps_to.as_str()),
            Some("CONFLICT")
        );
        assert!(t.code("y", "A", 400).is_none());
    }

    #[test]
    fn a_broken_table_is_reported_not_fatal() {
        let t = load(&[("bad.toml", "vendor = ")]);
        assert_eq!(t.problems.len(), 1);
        assert!(t.problems[0].starts_with("bad.toml"));
    }
}
