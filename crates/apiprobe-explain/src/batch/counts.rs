//! Per-chunk counts of explained reports, added to the [`Summary`] in one go at the end of the chunk.
//!
//! Every explained line bumps three ordered maps keyed by strings (category, code, vendor); a chunk
//! holds a few distinct combinations over and over, so they are counted here under one joined key in a
//! hash map, which costs a hash and one comparison per line instead of three tree searches.

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
    /// Counts one explained report, as [`Summary`] would.
    pub(super) fn add(&mut self, r: &Report) {
        self.explained += 1;
        if r.ok {
            self.ok += 1;
            return;
        }
        self.key.clear();
        self.key.push_str(r.category.map_or("none", |c| c.as_str()));
        self.key.push(SEP);
        self.key.push_str(r.code.as_deref().unwrap_or("none"));
        self.key.push(SEP);
        self.key.push_str(r.vendor.as_deref().unwrap_or("none"));
        match self.by_key.get_mut(self.key.as_str()) {
            Some(n) => *n += 1,
            None => {
                self.by_key.insert(self.key.clone(), 1);
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
    fn counts_as_the_summary_does() {
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
        let (mut direct, mut counted) = (Summary::default(), Summary::default());
        let mut counts = Counts::default();
        for r in reports.iter().chain(&reports).chain(&reports[..1]) {
            direct.add(r);
            counts.add(r);
        }
        counts.drain_into(&mut counted);
        assert_eq!(counted, direct);
        assert_eq!(counted.by_code.get("PRB-1102"), Some(&3));
        assert_eq!(counted.by_vendor.get("none"), Some(&2));
        counts.drain_into(&mut counted);
        assert_eq!(counted, direct, "drained counts are not added twice");
    }
}
