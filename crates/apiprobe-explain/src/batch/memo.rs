//! Recent lines and what they were written as, per worker.
//!
//! Logs repeat themselves: the same 502 page from a proxy, the same `invalid_auth` from Slack, the same
//! validation error for the same bad request. A line seen a moment ago is answered by copying its output
//! instead of explaining it again. The cache is direct-mapped (a line's hash picks one slot; a newcomer
//! replaces the old tenant), so lookups cost one hash and one comparison, and memory is bounded: at most
//! [`SLOTS`] lines of at most [`MAX_LINE`] bytes with outputs of at most [`MAX_OUT`] bytes.
//!
//! Only explained lines are kept: an unreadable line's output carries its line number. A kept answer is
//! the one given the first time; reports that count down from "now" (`Retry-After` as a date) are
//! computed once per slot tenancy, which keeps repeated lines consistent within a run.

use super::Summary;
use apiprobe_catalog::Report;
use std::hash::BuildHasher;

/// Slots per worker. Measured on the shared 1M-line corpus: 1,024 slots catch 43% of lines, 16,384
/// catch 44%, so a small table is enough.
const SLOTS: usize = 1024;
/// Longest line kept.
const MAX_LINE: usize = 2048;
/// Longest output kept.
const MAX_OUT: usize = 4096;

/// What a report added to the summary, to add it again on a hit. Its strings are reused when a slot
/// changes tenant, so keeping a line allocates nothing once the table is warm.
#[derive(Debug, Clone, Default, PartialEq)]
struct Tally {
    /// The report was of a response without an error (counted as `ok`, nothing else).
    ok: bool,
    category: &'static str,
    code: String,
    vendor: String,
}

impl Tally {
    fn of(r: &Report) -> Tally {
        let mut t = Tally::default();
        t.set(r);
        t
    }

    fn set(&mut self, r: &Report) {
        self.ok = r.ok;
        self.category = r.category.map_or("none", |c| c.as_str());
        self.code.clear();
        self.code.push_str(r.code.as_deref().unwrap_or("none"));
        self.vendor.clear();
        self.vendor.push_str(r.vendor.as_deref().unwrap_or("none"));
    }
}

struct Slot {
    hash: u64,
    line: Vec<u8>,
    out: Vec<u8>,
    tally: Tally,
    /// Replays not yet added to a summary: counted here, added by [`Memo::flush`] in one go.
    pending: u64,
}

impl Slot {
    fn flush(&mut self, summary: &mut Summary) {
        let n = std::mem::take(&mut self.pending);
        if n == 0 {
            return;
        }
        summary.explained += n;
        let t = &self.tally;
        if t.ok {
            summary.ok += n;
        } else {
            summary.count_n(t.category, &t.code, &t.vendor, n);
        }
    }
}

/// One worker's cache of recent lines.
pub(super) struct Memo {
    slots: Vec<Option<Slot>>,
    hasher: foldhash::fast::FixedState,
}

impl Default for Memo {
    fn default() -> Memo {
        Memo::new()
    }
}

impl Memo {
    pub(super) fn new() -> Memo {
        Memo {
            slots: (0..SLOTS).map(|_| None).collect(),
            hasher: foldhash::fast::FixedState::default(),
        }
    }

    /// The line's hash, for [`Memo::replay`] and [`Memo::keep`].
    pub(super) fn hash(&self, line: &[u8]) -> u64 {
        self.hasher.hash_one(line)
    }

    fn slot(hash: u64) -> usize {
        // The high bits: foldhash mixes them best.
        (hash >> 54) as usize % SLOTS
    }

    /// Appends the kept output of `line` to `out` and counts it for [`Memo::flush`]; `false` when not
    /// kept.
    pub(super) fn replay(&mut self, hash: u64, line: &[u8], out: &mut Vec<u8>) -> bool {
        match self.get(hash, line) {
            Some(kept) => {
                out.extend_from_slice(kept);
                true
            }
            None => false,
        }
    }

    /// The kept output of `line`, counted for [`Memo::flush`] as a replay; `None` when not kept.
    pub(super) fn get(&mut self, hash: u64, line: &[u8]) -> Option<&[u8]> {
        let slot = self.slots.get_mut(Self::slot(hash))?.as_mut()?;
        if slot.hash != hash || slot.line != line {
            return None;
        }
        slot.pending += 1;
        Some(&slot.out)
    }

    /// Keeps `line`, written as `written`, explained as `report`. The tenant it replaces has its
    /// replays added to `summary` first.
    pub(super) fn keep(
        &mut self,
        hash: u64,
        line: &[u8],
        written: &[u8],
        report: &Report,
        summary: &mut Summary,
    ) {
        if line.len() > MAX_LINE || written.len() > MAX_OUT {
            return;
        }
        let Some(place) = self.slots.get_mut(Self::slot(hash)) else {
            return;
        };
        match place {
            // The old tenant's buffers are reused: no allocation once the table is warm.
            Some(slot) => {
                slot.flush(summary);
                slot.hash = hash;
                slot.line.clear();
                slot.line.extend_from_slice(line);
                slot.out.clear();
                slot.out.extend_from_slice(written);
                slot.tally.set(report);
            }
            None => {
                *place = Some(Slot {
                    hash,
                    line: line.to_vec(),
                    out: written.to_vec(),
                    tally: Tally::of(report),
                    pending: 0,
                })
            }
        }
    }

    /// Adds every replay since the last flush to `summary`.
    pub(super) fn flush(&mut self, summary: &mut Summary) {
        for slot in self.slots.iter_mut().flatten() {
            slot.flush(summary);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(code: &str) -> Report {
        Report {
            code: Some(code.to_string()),
            ..Report::default()
        }
    }

    #[test]
    fn replays_only_the_same_line() {
        let mut m = Memo::new();
        let line = br#"{"status":404}"#;
        let h = m.hash(line);
        let (mut out, mut sum) = (Vec::new(), Summary::default());
        assert!(!m.replay(h, line, &mut out));
        m.keep(h, line, b"{\"x\":1}", &report("404"), &mut sum);
        assert!(m.replay(h, line, &mut out));
        assert!(m.replay(h, line, &mut out));
        assert_eq!(out, b"{\"x\":1}{\"x\":1}");
        assert_eq!(sum.explained, 0, "counted at the flush");
        m.flush(&mut sum);
        m.flush(&mut sum);
        assert_eq!(sum.explained, 2);
        assert_eq!(sum.by_code.get("404"), Some(&2));
        // Same slot and hash, other bytes: never replayed.
        assert!(!m.replay(h, br#"{"status":500}"#, &mut out));
    }

    #[test]
    fn a_newcomer_replaces_the_tenant_and_big_lines_are_not_kept() {
        let mut m = Memo::new();
        let (a, b) = (b"a".as_slice(), b"b".as_slice());
        // Force both into one slot by reusing a's hash for b.
        let h = m.hash(a);
        let (mut out, mut sum) = (Vec::new(), Summary::default());
        m.keep(h, a, b"A", &report("1"), &mut sum);
        assert!(m.replay(h, a, &mut out));
        // The evicted tenant's replay is counted when it leaves.
        m.keep(h, b, b"B", &report("2"), &mut sum);
        assert_eq!(sum.by_code.get("1"), Some(&1));
        assert!(!m.replay(h, a, &mut out));
        assert!(m.replay(h, b, &mut out));
        let big = vec![b'x'; MAX_LINE + 1];
        let hb = m.hash(&big);
        m.keep(hb, &big, b"X", &report("3"), &mut sum);
        assert!(!m.replay(hb, &big, &mut out));
    }
}
