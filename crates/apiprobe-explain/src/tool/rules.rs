//! The recognition rules for other tools' error lines, loaded once from `data/tools/*.toml`.
//!
//! Each rule names a literal `keyword` and a `regex`. All keywords go into one Aho-Corasick automaton, so a
//! line costs one linear scan; only the rules whose keyword occurs in the line run their regex. Regexes compile
//! on first use (all of them together take tens of milliseconds, too much for a command that explains one
//! line); after that, reaching a compiled rule is one atomic load, so batch mode pays nothing for it.

use crate::keywords::Keywords;
use regex_automata::{meta, PatternID};
use std::sync::{LazyLock, OnceLock};

/// One rule as `build.rs` checked and wrote it from `data/tools/<tool>.toml`.
pub(crate) struct RuleRow<'a> {
    pub file: &'a str,
    pub tool: &'a str,
    pub keyword: &'a str,
    pub regex: &'a str,
    pub code: Option<&'a str>,
    pub alias_tool: Option<&'a str>,
    pub maps_to: Option<&'a str>,
    pub confidence: f64,
    pub wrapper: bool,
    pub code_first: bool,
}

include!(concat!(env!("OUT_DIR"), "/tool_rules.rs"));

/// Why the rule set could not be built.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RuleError {
    /// The keyword automaton could not be built (only past its size limits).
    #[error("tool keyword automaton: {0}")]
    Automaton(String),
}

/// One recognition rule.
#[derive(Debug)]
pub(crate) struct Rule {
    /// The file the rule came from, for error messages and tests.
    #[cfg_attr(not(test), allow(dead_code))]
    pub file: String,
    /// The tool whose output the rule recognises (`curl`, `node`, ...; `text` for tool-less guesses).
    pub tool: String,
    /// The literal that must occur in the line (ASCII case-insensitive) before the regex runs.
    pub keyword: String,
    /// The regex source, with named captures (`code`, `status`, `host`, `port`, ...).
    pub pattern: String,
    compiled: OnceLock<Option<Compiled>>,
    /// The tool's own code when the line does not carry one in a `code` capture.
    pub code: Option<String>,
    /// Whose alias table the code belongs to, when not the rule's own tool (hurl quotes curl's codes).
    pub alias_tool: Option<String>,
    /// The probe name the line means, overriding the alias table.
    pub maps_to: Option<String>,
    /// How specific a match is, 0 to 1; below 0.5 is a guess.
    pub confidence: f64,
    /// The line is an envelope (a k6 or blackbox log line) whose detail another rule reads.
    pub wrapper: bool,
    /// The tool's code says more than the HTTP status on the same line (Envoy's response flags), so the
    /// alias table is asked before the status rules.
    pub code_first: bool,
}

/// A rule's regex with its capture groups sorted by use, found once at compile time so that no line
/// looks a group up by name.
#[derive(Debug)]
pub(crate) struct Compiled {
    /// The regex itself.
    pub regex: meta::Regex,
    /// Index of the `code` group.
    pub code: Option<usize>,
    /// Index of the `status` group.
    pub status: Option<usize>,
    /// The groups copied into a report's `details` (every named group but `code`, `status`, `message`),
    /// as (name, index).
    pub details: Vec<(String, usize)>,
}

/// Capture names that are read for the mapping, never copied into `details`.
const RESERVED: &[&str] = &["code", "status", "message"];

impl Compiled {
    fn new(pattern: &str) -> Option<Compiled> {
        // A rule with detail groups is only ever searched for its captures. For a one-line haystack the
        // backtracker (or the one-pass DFA) finds them in one pass, where the lazy DFA would scan forward,
        // then backward, then hand the span to the backtracker anyway: about a third less time per line, and
        // fewer caches competing for the CPU's. Rules without detail groups mostly answer yes or no, which
        // the lazy DFA does best. The guess reads the pattern text; a wrong guess costs speed, not answers.
        let config = meta::Config::new().hybrid(!mentions_detail_group(pattern));
        let regex = meta::Regex::builder()
            .configure(config)
            .build(pattern)
            .ok()?;
        let mut out = Compiled {
            code: None,
            status: None,
            details: Vec::new(),
            regex,
        };
        let names: Vec<Option<String>> = out
            .regex
            .group_info()
            .pattern_names(PatternID::ZERO)
            .map(|n| n.map(str::to_string))
            .collect();
        for (i, name) in names.into_iter().enumerate() {
            match name.as_deref() {
                Some("code") => out.code = Some(i),
                Some("status") => out.status = Some(i),
                Some(n) if !RESERVED.contains(&n) => out.details.push((n.to_string(), i)),
                _ => {}
            }
        }
        Some(out)
    }

    /// Whether any group is read at all; a rule without one needs only a yes or no.
    pub fn has_groups(&self) -> bool {
        self.code.is_some() || self.status.is_some() || !self.details.is_empty()
    }
}

/// Whether the pattern source names a group other than the reserved ones (`(?P<host>` or `(?<host>`).
fn mentions_detail_group(pattern: &str) -> bool {
    ["(?P<", "(?<"].iter().any(|open| {
        pattern.match_indices(open).any(|(at, _)| {
            let rest = &pattern[at + open.len()..];
            let name = rest.split('>').next().unwrap_or("");
            !RESERVED.contains(&name)
        })
    })
}

impl Rule {
    /// The compiled regex; `None` when the pattern does not compile (a test guards against that).
    pub fn compiled(&self) -> Option<&Compiled> {
        self.compiled
            .get_or_init(|| Compiled::new(&self.pattern))
            .as_ref()
    }
}

/// Every rule, and the keyword index that selects candidates.
#[derive(Debug)]
pub(crate) struct RuleSet {
    /// The rules, in file order.
    pub rules: Vec<Rule>,
    /// Each rule's keyword.
    keywords: Keywords,
}

static RULE_SET: LazyLock<Result<RuleSet, RuleError>> = LazyLock::new(|| RuleSet::new(RULES));

/// The embedded rules, parsed once.
pub(crate) fn rules() -> Result<&'static RuleSet, &'static RuleError> {
    RULE_SET.as_ref()
}

impl RuleSet {
    /// The rule set of checked rules, in order.
    pub fn new(rows: &[RuleRow<'_>]) -> Result<RuleSet, RuleError> {
        let rules: Vec<Rule> = rows
            .iter()
            .map(|r| Rule {
                file: r.file.to_string(),
                tool: r.tool.to_string(),
                keyword: r.keyword.to_string(),
                pattern: r.regex.to_string(),
                compiled: OnceLock::new(),
                code: r.code.map(str::to_string),
                alias_tool: r.alias_tool.map(str::to_string),
                maps_to: r.maps_to.map(str::to_string),
                confidence: r.confidence,
                wrapper: r.wrapper,
                code_first: r.code_first,
            })
            .collect();
        let keywords = Keywords::new(
            rules
                .iter()
                .enumerate()
                // Rule counts are in the hundreds; u32 cannot overflow.
                .map(|(i, r)| (i as u32, r.keyword.as_str())),
        )
        .map_err(|e| RuleError::Automaton(e.to_string()))?;
        Ok(RuleSet { rules, keywords })
    }

    /// The indexes of rules whose keyword occurs in `line`, deduplicated, in ascending order.
    pub fn candidates(&self, line: &str, out: &mut Vec<u32>) {
        self.keywords.candidates(line, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_rule_parses_and_compiles() {
        let set = rules().expect("embedded rules parse");
        assert!(set.rules.len() > 100, "only {} rules", set.rules.len());
        for r in &set.rules {
            assert!(
                r.compiled().is_some(),
                "{}: regex does not compile: {}",
                r.file,
                r.pattern
            );
        }
    }

    #[test]
    fn every_rule_regex_implies_its_keyword() {
        // A keyword that the regex does not require would make the prefilter skip real matches; check
        // the cheap half of that: the keyword text appears in the pattern source (case-insensitively).
        let set = rules().expect("embedded rules parse");
        let bad: Vec<String> = set
            .rules
            .iter()
            .filter(|r| {
                let unescaped = r.pattern.replace('\\', "").to_ascii_lowercase();
                !unescaped.contains(&r.keyword.to_ascii_lowercase())
            })
            .map(|r| format!("{}: keyword '{}' not in {}", r.file, r.keyword, r.pattern))
            .collect();
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }

    #[test]
    fn candidates_are_every_keyword_occurrence() {
        // The index must find what a plain overlapping search finds, on real lines and on lines where
        // keywords overlap or nest.
        let set = rules().expect("embedded rules parse");
        let pairs = set
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| (i as u32, r.keyword.as_str()));
        let mut lines: Vec<String> = set.rules.iter().map(|r| r.keyword.clone()).collect();
        lines.push(
            "curl: (7) Failed to connect to api port 443: Connection refused; connection REFUSED"
                .into(),
        );
        lines.push(
            "Get \"https://a/\": dial tcp 10.0.0.1:443: i/o timeout (Client.Timeout exceeded)"
                .into(),
        );
        lines.push("net::ERR_CERT_DATE_INVALID status 503 \" 503 UF,URX ".into());
        lines.push(
            set.rules
                .iter()
                .map(|r| r.keyword.as_str())
                .collect::<Vec<_>>()
                .join(""),
        );
        lines.push("é\u{0}".repeat(50));
        let mut got = Vec::new();
        for line in &lines {
            set.candidates(line, &mut got);
            let want = crate::keywords::plain_candidates(pairs.clone(), line);
            assert_eq!(got, want, "{line}");
        }
    }

    #[test]
    fn candidates_are_case_insensitive_and_deduplicated() {
        let text = "tool = \"x\"\n[[rule]]\nkeyword = \"refused\"\nregex = \"(?i)refused\"\nconfidence = 0.5\n[[rule]]\nkeyword = \"REFUSED\"\nregex = \"(?i)connection refused\"\nconfidence = 0.6\n";
        let rows =
            crate::embedded::tool_rules("x.toml", text, apiprobe_catalog::Catalog::builtin())
                .expect("checked");
        let rows: Vec<RuleRow<'_>> = rows.iter().map(crate::embedded::ToolRule::row).collect();
        let set = RuleSet::new(&rows).expect("builds");
        let mut out = Vec::new();
        set.candidates("Connection Refused, refused again", &mut out);
        assert_eq!(out, vec![0, 1]);
        set.candidates("all fine", &mut out);
        assert!(out.is_empty());
    }
}
