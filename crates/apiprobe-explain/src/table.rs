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

use crate::keywords::Keywords;
use std::collections::HashMap;
use std::sync::LazyLock;

/// The tables are fixed data looked up on every explained response: a fast non-keyed hash is enough
/// (SipHash's resistance to chosen keys buys nothing for keys we wrote ourselves).
type Map<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

/// Codes longer than this are folded into a heap string for the case-insensitive lookup; real vendor
/// codes are far shorter, so the usual fold happens on the stack.
const FOLD_ON_STACK: usize = 64;

/// One vendor table as `build.rs` checked and wrote it: `(code, maps_to, status, refine)` and
/// `(phrase, maps_to, status)` rows.
pub(crate) struct TableRows {
    vendor: &'static str,
    codes: &'static [(&'static str, &'static str, Option<u16>, bool)],
    messages: &'static [(&'static str, &'static str, Option<u16>)],
}

include!(concat!(env!("OUT_DIR"), "/vendor_tables.rs"));

/// One `[[map]]` row: a vendor code and the probe name it means.
#[derive(Debug, Clone)]
pub(crate) struct CodeRule {
    /// The probe-code name.
    pub maps_to: String,
    /// Applies only with this HTTP status.
    pub status: Option<u16>,
    /// The code covers several conditions: the message's words may name the exact one.
    pub refine: bool,
}

/// One `[[message]]` row: a phrase in the vendor's message and the probe name it means.
#[derive(Debug, Clone)]
pub(crate) struct MessageRule {
    /// Lower-cased substring of the message.
    pub contains: String,
    /// The probe-code name.
    pub maps_to: String,
    /// Applies only with this HTTP status.
    pub status: Option<u16>,
}

/// One vendor's rules, indexed.
#[derive(Debug, Default)]
pub(crate) struct VendorTable {
    exact: Map<&'static str, Vec<CodeRule>>,
    folded: Map<String, Vec<CodeRule>>,
    messages: Vec<MessageRule>,
    /// All message phrases in one index: one pass over a message finds every rule that applies,
    /// instead of one substring search per rule (the batch path reads a million messages).
    matcher: Option<Keywords>,
}

/// Every vendor's table.
#[derive(Debug, Default)]
pub(crate) struct Tables {
    vendors: Map<&'static str, VendorTable>,
}

static TABLES_INDEXED: LazyLock<Tables> = LazyLock::new(|| index(TABLES));

/// The embedded tables, indexed on first use.
pub(crate) fn tables() -> &'static Tables {
    &TABLES_INDEXED
}

fn index(rows: &[TableRows]) -> Tables {
    let mut t = Tables::default();
    for table in rows {
        let vt = t.vendors.entry(table.vendor).or_default();
        for &(code, maps_to, status, refine) in table.codes {
            let rule = CodeRule {
                maps_to: maps_to.to_string(),
                status,
                refine,
            };
            vt.exact.entry(code).or_default().push(rule.clone());
            vt.folded
                .entry(code.to_ascii_lowercase())
                .or_default()
                .push(rule);
        }
        for &(contains, maps_to, status) in table.messages {
            vt.messages.push(MessageRule {
                contains: contains.to_string(),
                maps_to: maps_to.to_string(),
                status,
            });
        }
        // Phrases are plain text: building the automaton fails only past its size limits, far beyond
        // any table; without it the message rules are skipped (a test builds every one).
        vt.matcher = Keywords::new(
            vt.messages
                .iter()
                .enumerate()
                // A table holds tens of message rules; u32 cannot overflow.
                .map(|(i, r)| (i as u32, r.contains.as_str())),
        )
        .ok()
        .filter(|_| !vt.messages.is_empty());
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
        let mut candidates = Vec::new();
        matcher.candidates(message, &mut candidates);
        candidates
            .into_iter()
            .map(|i| &vt.messages[i as usize])
            .find(|r| r.status.is_none_or(|s| s == status))
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
                    .map(|r| (*v, r))
            })
            .collect();
        hits.sort_by(|a, b| a.0.cmp(b.0));
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_with_phrases_has_its_matcher() {
        let t = tables();
        assert_eq!(t.vendors.len(), TABLES.len());
        for (vendor, vt) in &t.vendors {
            assert_eq!(vt.matcher.is_some(), !vt.messages.is_empty(), "{vendor}");
        }
    }

    #[test]
    fn status_specific_rules_win_over_general_ones() {
        let t = index(&[TableRows {
            vendor: "x",
            codes: &[
                ("A", "CONFLICT", None, false),
                ("A", "RATE_LIMITED", Some(429), false),
            ],
            messages: &[("slow down", "RATE_LIMITED", None)],
        }]);
        assert_eq!(
            t.code("x", "A", 429).map(|r| r.maps_to.as_str()),
            Some("RATE_LIMITED")
        );
        assert_eq!(
            t.code("x", "a", 400).map(|r| r.maps_to.as_str()),
            Some("CONFLICT")
        );
        assert!(t.code("y", "A", 400).is_none());
        assert_eq!(
            t.message("x", "Please SLOW DOWN", 503)
                .map(|r| r.maps_to.as_str()),
            Some("RATE_LIMITED")
        );
        assert_eq!(t.vendors_with_code("a").len(), 1);
    }
}
