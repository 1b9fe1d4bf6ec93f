//! The one tally of a batch: per chunk, every explained report (fresh or replayed from the memo) is
//! counted here and added to the [`Summary`] in one go at the end of the chunk.
//!
//! The summary keeps three ordered maps keyed by strings (category, code, vendor); a chunk holds a few
//! distinct combinations over and over, so they are counted under one joined key in a hash map, which
//! costs a hash and one comparison per line instead of three tree searches. The memo keeps each line's
//! key, so a replay is counted without its report.

use super::Summary;
use apiprobe_catalog::Report;
use std::collections::HashMap;

/// Joins the three parts of a key; none of them holds it (they are names and codes).
const SEP: char = '\u{0}';

#[derive(Default)]
pub(super) struct Counts {
    by_key: HashMap<String, u64, foldhash::fast::FixedState>,
    key: String,
    explained: u64,
    ok: u64,
}

impl Counts {
    /// Counts one explained report; returns the key it was counted under, for [`Counts::add_key`].
    pub(super) fn add(&mut self, r: &Report) -> &str {
        let mut key = std::mem::take(&mut self.key);
        key.clear();
        if r.ok {
            // An ok response counts as `ok` only; the empty key says so.
        } else {
            key.push_str(r.category.map_or("none", |c| c.as_str()));
            key.push(SEP);
            key.push_str(r.code.as_deref().unwrap_or("none"));
            key.push(SEP);
            key.push_str(r.vendor.as_deref().unwrap_or("none"));
        }
        self.add_key(&key);
        self.key = key;
        &self.key
    }

    /// Counts a report again by the key [`Counts::add`] gave for it.
    pub(super) fn add_key(&mut self, key: &str) {
        self.explained += 1;
        if key.is_empty() {
            self.ok += 1;
            return;
        }
        match self.by_key.get_mut(key) {
            Some(n) => *n += 1,
            None => {
                self.by_key.insert(key.to_string(), 1);
            }
        }
    }

    /// Adds everything counted to `summary` and starts again from nothing.
    pub(super) fn drain_into(&mut self, summary: &mut Summary) {
        summary.explained += std::mem::take(&mut self.explained);
        summary.ok += std::mem::take(&mut self.ok);
        for (key, n) in self.by_key.drain() {
            let mut parts = key.splitn(3, SEP);
            let (category, code, vendor) = (parts.next(), parts.next(), parts.next());
            summary.count_n(
                category.unwrap_or("none"),
                code.unwrap_or("none"),
                vendor.unwrap_or("none"),
                n,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use apiprobe_catalog::Category;

    #[test]
    fn counts_fresh_and_replayed_reports_alike() {
        let reports = [
            Report {
                category: Some(Category::Auth),
                code: Some("PRB-1102".into()),
                vendor: Some("slack".into()),
                ..Report::default()
            },
            Report {
                code: Some("404".into()),
                ..Report::default()
            },
            Report {
                ok: true,
                ..Report::default()
            },
        ];
        let mut counts = Counts::default();
        for r in &reports {
            let key = counts.add(r).to_string();
            counts.add_key(&key);
        }
        let mut summary = Summary::default();
        counts.drain_into(&mut summary);
        assert_eq!((summary.explained, summary.ok), (6, 2));
        let want = |pairs: &[(&str, u64)]| {
            pairs
                .iter()
                .map(|(k, n)| (k.to_string(), *n))
                .collect::<std::collections::BTreeMap<_, _>>()
        };
        assert_eq!(summary.by_category, want(&[("auth", 2), ("none", 2)]));
        assert_eq!(summary.by_code, want(&[("404", 2), ("PRB-1102", 2)]));
        assert_eq!(summary.by_vendor, want(&[("none", 2), ("slack", 2)]));
        counts.drain_into(&mut summary);
        assert_eq!(summary.explained, 6, "drained counts are not added twice");
    }
}
