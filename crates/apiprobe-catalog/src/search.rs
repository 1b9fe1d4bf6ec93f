//! Free-text search over the catalog, tolerant of typos and spelling variants (`timout`, `unauthorised`).

use crate::catalog::Catalog;
use crate::model::Entry;

/// One ranked search result.
#[derive(Debug, Clone, Copy)]
pub struct Hit<'a> {
    /// The matching entry.
    pub entry: &'a Entry,
    /// Relevance; higher is better. Only comparable within one search.
    pub score: f64,
}

const STOPWORDS: &[&str] = &[
    "a", "an", "the", "is", "are", "was", "of", "to", "in", "on", "for", "and", "or", "my", "it",
    "be", "with", "by", "at", "as", "error", "http", "what", "why", "does", "mean", "means",
];

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
}

/// Lower-case words of a query, without filler words.
fn query_terms(query: &str) -> Vec<String> {
    let mut terms: Vec<String> = words(query)
        .filter(|w| !STOPWORDS.contains(&w.as_str()))
        .collect();
    terms.dedup();
    terms
}

/// How well one query term matches one word of an entry: 1 exact, less for prefixes and near misses.
fn term_match(term: &str, word: &str) -> f64 {
    if term == word {
        return 1.0;
    }
    let (tl, wl) = (term.chars().count(), word.chars().count());
    if tl >= 3 && word.starts_with(term) {
        return 0.85;
    }
    if wl >= 4 && tl > wl && term.starts_with(word) && tl - wl <= 3 {
        return 0.75;
    }
    if tl >= 4 && wl >= 4 {
        let allowed = if tl >= 8 { 2 } else { 1 };
        if tl.abs_diff(wl) <= allowed && strsim::damerau_levenshtein(term, word) <= allowed {
            return 0.7;
        }
    }
    0.0
}

fn best_in(term: &str, text: &str) -> f64 {
    words(text)
        .map(|w| term_match(term, &w))
        .fold(0.0, f64::max)
}

fn score_entry(terms: &[String], phrase: &str, e: &Entry) -> f64 {
    let mut total = 0.0;
    let mut matched = 0usize;
    for t in terms {
        let mut best = 0.0f64;
        best = best.max(3.0 * best_in(t, &e.code));
        if let Some(n) = &e.name {
            best = best.max(3.0 * best_in(t, n));
        }
        best = best.max(3.0 * best_in(t, &e.title));
        best = best.max(1.5 * best_in(t, &e.meaning));
        for v in &e.variants {
            best = best
                .max(1.5 * best_in(t, &v.title))
                .max(1.0 * best_in(t, &v.origin));
        }
        for c in e.likely_causes.iter().chain(e.fixes.iter()) {
            best = best.max(0.8 * best_in(t, c));
        }
        for a in &e.aliases {
            best = best.max(2.0 * best_in(t, &a.code));
            if let Some(n) = &a.name {
                best = best.max(2.0 * best_in(t, n));
            }
        }
        if best > 0.0 {
            matched += 1;
        }
        total += best;
    }
    if matched == 0 {
        return 0.0;
    }
    // Entries matching every term rank above entries matching a few terms strongly.
    let coverage = matched as f64 / terms.len() as f64;
    let mut score = total * coverage * coverage;
    if phrase.len() >= 4 {
        let title = e.title.to_lowercase();
        let name = e
            .name
            .as_deref()
            .unwrap_or("")
            .to_lowercase()
            .replace('_', " ");
        if title.contains(phrase) || name.contains(phrase) {
            score += 3.0;
        } else if e.meaning.to_lowercase().contains(phrase) {
            score += 1.0;
        }
    }
    score
}

impl Catalog {
    /// Ranks entries for a free-text query, best first, at most `limit` of them.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit<'_>> {
        if let Some(e) = self.get(query) {
            return vec![Hit {
                entry: e,
                score: 100.0,
            }];
        }
        let terms = query_terms(query);
        if terms.is_empty() {
            return Vec::new();
        }
        let phrase = terms.join(" ");
        let mut hits: Vec<Hit<'_>> = self
            .entries()
            .iter()
            .map(|e| Hit {
                entry: e,
                score: score_entry(&terms, &phrase, e),
            })
            .filter(|h| h.score > 0.0)
            .collect();
        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.entry.code.cmp(&b.entry.code))
        });
        if let Some(top) = hits.first().map(|h| h.score) {
            // Drop the long tail of one-word coincidences far below the best match.
            hits.retain(|h| h.score >= top * 0.2);
        }
        hits.truncate(limit);
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_and_typos_match() {
        assert!(term_match("timout", "timeout") > 0.0);
        assert!(term_match("unauthorised", "unauthorized") > 0.0);
        assert!(term_match("limit", "limited") > 0.0);
        assert_eq!(term_match("cat", "dog"), 0.0);
    }

    #[test]
    fn stopwords_are_dropped() {
        assert_eq!(query_terms("what is a rate limit"), vec!["rate", "limit"]);
    }
}
