//! Which entries of a table have a keyword in a text: the one index behind the tool rules, the message
//! reader's phrases and the vendor tables' message rules. Each entry names plain keywords (matched in
//! any ASCII case); a text's candidates are every entry with a keyword occurring in it, overlapping or
//! nested occurrences included, in table order. Only the candidates then run their patterns.
//!
//! The automaton holds only the first [`PREFIX`] bytes of each keyword, and each prefix found is checked
//! against its full keywords in place. Full keywords made a 2 MiB DFA that missed the CPU caches, or an
//! NFA four times slower to walk; prefixes make a DFA of a few hundred KiB that stays cached. The
//! concrete DFA type is walked by hand: through the `AhoCorasick` wrapper an overlapping search makes a
//! dynamic call per byte, and reports a word shared by several entries once per entry. A property test
//! below and the `keywords` fuzz target hold the walk to what a plain overlapping search finds.

use aho_corasick::automaton::Automaton;
use aho_corasick::{dfa, Anchored, MatchKind};
use std::collections::HashMap;

/// How many leading bytes of each keyword go into the automaton.
const PREFIX: usize = 6;

/// The keyword index of one table.
#[derive(Debug)]
pub(crate) struct Keywords {
    /// An automaton over the first [`PREFIX`] bytes of every keyword.
    prefixes: dfa::DFA,
    /// For each prefix pattern id, the keywords (indexes into `keywords`) that start with it.
    by_prefix: Vec<Vec<usize>>,
    /// Every distinct keyword, lower-cased.
    keywords: Vec<Vec<u8>>,
    /// For each keyword, the entries that name it, ascending.
    by_keyword: Vec<Vec<u32>>,
}

impl Keywords {
    /// Indexes `(entry, keyword)` pairs; entries are table positions, and one entry may name many
    /// keywords. Fails only past the automaton's size limits, far beyond any table here.
    pub fn new<'a>(
        pairs: impl IntoIterator<Item = (u32, &'a str)>,
    ) -> Result<Keywords, aho_corasick::BuildError> {
        let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut keywords: Vec<Vec<u8>> = Vec::new();
        let mut by_keyword: Vec<Vec<u32>> = Vec::new();
        for (entry, keyword) in pairs {
            let key = keyword.to_ascii_lowercase().into_bytes();
            let id = *index.entry(key.clone()).or_insert_with(|| {
                keywords.push(key);
                by_keyword.push(Vec::new());
                keywords.len() - 1
            });
            if !by_keyword[id].contains(&entry) {
                by_keyword[id].push(entry);
            }
        }
        let mut prefix_index: HashMap<&[u8], usize> = HashMap::new();
        let mut prefixes: Vec<&[u8]> = Vec::new();
        let mut by_prefix: Vec<Vec<usize>> = Vec::new();
        for (k, key) in keywords.iter().enumerate() {
            let prefix = &key[..key.len().min(PREFIX)];
            let id = *prefix_index.entry(prefix).or_insert_with(|| {
                prefixes.push(prefix);
                by_prefix.push(Vec::new());
                prefixes.len() - 1
            });
            by_prefix[id].push(k);
        }
        let prefixes = dfa::Builder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(&prefixes)?;
        Ok(Keywords {
            prefixes,
            by_prefix,
            keywords,
            by_keyword,
        })
    }

    /// The entries with a keyword in `text`, ascending and each once, into `out` (cleared first).
    pub fn candidates(&self, text: &str, out: &mut Vec<u32>) {
        out.clear();
        let dfa = &self.prefixes;
        let bytes = text.as_bytes();
        // Built unanchored, so there is always a start state; an error would mean no candidates at all.
        let Ok(mut sid) = dfa.start_state(Anchored::No) else {
            return;
        };
        for (i, &b) in bytes.iter().enumerate() {
            sid = dfa.next_state(Anchored::No, sid, b);
            if !dfa.is_special(sid) {
                continue;
            }
            if dfa.is_dead(sid) {
                break;
            }
            // With standard semantics a match state lists every prefix ending here, including the ones
            // that are suffixes of a longer one, so no occurrence is missed.
            if !dfa.is_match(sid) {
                continue;
            }
            for m in 0..dfa.match_len(sid) {
                let pid = dfa.match_pattern(sid, m);
                let Some(rest) = (i + 1)
                    .checked_sub(dfa.pattern_len(pid))
                    .and_then(|start| bytes.get(start..))
                else {
                    continue;
                };
                for &k in self.by_prefix.get(pid.as_usize()).into_iter().flatten() {
                    let key = &self.keywords[k];
                    if rest.len() >= key.len() && rest[..key.len()].eq_ignore_ascii_case(key) {
                        out.extend_from_slice(&self.by_keyword[k]);
                    }
                }
            }
        }
        out.sort_unstable();
        out.dedup();
    }
}

/// The plain way to the same answer, which the hand-walked automaton must match: every overlapping
/// occurrence of every keyword through the `AhoCorasick` wrapper.
pub(crate) fn plain_candidates<'a>(
    pairs: impl IntoIterator<Item = (u32, &'a str)> + Clone,
    text: &str,
) -> Vec<u32> {
    let pairs: Vec<(u32, String)> = pairs
        .into_iter()
        .map(|(e, k)| (e, k.to_ascii_lowercase()))
        .collect();
    let Ok(reference) = aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(pairs.iter().map(|(_, k)| k))
    else {
        return Vec::new();
    };
    let mut want: Vec<u32> = reference
        .find_overlapping_iter(text)
        .map(|m| pairs[m.pattern().as_usize()].0)
        .collect();
    want.sort_unstable();
    want.dedup();
    want
}

/// For the fuzz target: whether the index and the plain search agree on `text` for these keywords.
#[doc(hidden)]
pub fn agree(keywords: &[&str], text: &str) -> bool {
    // An empty keyword occurs everywhere; tables never hold one (their checks refuse it).
    let pairs: Vec<(u32, &str)> = keywords
        .iter()
        .enumerate()
        .filter(|(_, k)| !k.is_empty())
        .map(|(i, k)| (i as u32 / 2, *k))
        .collect();
    let Ok(index) = Keywords::new(pairs.iter().copied()) else {
        return true;
    };
    let mut got = Vec::new();
    index.candidates(text, &mut got);
    got == plain_candidates(pairs.iter().copied(), text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn nested_overlapping_shared_and_long_keywords() {
        let words = [
            "must be",
            "must be specified",
            "be specified",
            "invalid",
            "INVALID ",
            "not found",
            "found",
            "does not exist",
            "does not",
            "é",
            "rate limit",
            "limit",
        ];
        for text in [
            "Field 'x' must be specified",
            "invalid INVALID invalid",
            "Resource not found; does not exist",
            "café",
            "Rate-limit hit, rate limit exceeded, limit",
            "",
            "nothing at all",
            "must bmust be",
        ] {
            assert!(agree(&words, text), "{text}");
        }
    }

    fn fragments() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("must be".to_string()),
            Just("not found".to_string()),
            Just("invalid".to_string()),
            Just("é".to_string()),
            "[a-zA-Z ]{1,9}",
            "(?s).{0,3}",
        ]
    }

    proptest! {
        #[test]
        fn the_walk_finds_what_a_plain_search_finds(
            words in proptest::collection::vec(fragments(), 1..12),
            parts in proptest::collection::vec(fragments(), 0..16),
        ) {
            let words: Vec<&str> = words.iter().map(String::as_str).collect();
            let text = parts.concat();
            prop_assert!(agree(&words, &text), "{words:?} in {text:?}");
        }
    }
}
