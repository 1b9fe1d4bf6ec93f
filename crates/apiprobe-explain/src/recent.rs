//! A small cache of recent answers, keyed by exact bytes: the one shape behind the batch line memo
//! (`batch::memo`) and the message reader's memo (`message`).
//!
//! It is direct-mapped: a key's hash picks one slot, and a newcomer replaces the old tenant. A lookup
//! costs one hash and one comparison of the whole key, so an answer is only ever given for the very
//! bytes it was computed from; memory is bounded by the slot count and what the callers agree to keep.
//! A slot's buffers are reused by the next tenant, so keeping allocates nothing once the table is warm.

use std::hash::BuildHasher;

struct Slot<V> {
    hash: u64,
    key: Vec<u8>,
    value: V,
}

/// Recent keys and their values, `slots` of them at most.
pub(crate) struct Recent<V> {
    slots: Vec<Option<Slot<V>>>,
    hasher: foldhash::fast::FixedState,
}

impl<V: Default> Recent<V> {
    /// A table of `slots` slots (at least one).
    pub fn new(slots: usize) -> Recent<V> {
        Recent {
            slots: (0..slots.max(1)).map(|_| None).collect(),
            hasher: foldhash::fast::FixedState::default(),
        }
    }

    /// The key's hash, for [`Recent::get`] and [`Recent::keep`].
    pub fn hash(&self, key: &[u8]) -> u64 {
        self.hasher.hash_one(key)
    }

    fn index(&self, hash: u64) -> usize {
        // The high bits: foldhash mixes them best.
        (hash >> 32) as usize % self.slots.len()
    }

    /// The value kept for exactly `key`.
    pub fn get(&self, hash: u64, key: &[u8]) -> Option<&V> {
        let slot = self.slots.get(self.index(hash))?.as_ref()?;
        (slot.hash == hash && slot.key == key).then_some(&slot.value)
    }

    /// The slot for `key`, now its tenant, with the previous tenant's value for the caller to
    /// overwrite (its buffers are reused).
    pub fn keep(&mut self, hash: u64, key: &[u8]) -> &mut V {
        let at = self.index(hash);
        let slot = self.slots[at].get_or_insert_with(|| Slot {
            hash,
            key: Vec::new(),
            value: V::default(),
        });
        slot.hash = hash;
        slot.key.clear();
        slot.key.extend_from_slice(key);
        &mut slot.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gives_only_what_was_kept_for_the_same_bytes() {
        let mut r: Recent<String> = Recent::new(4);
        let h = r.hash(b"a");
        assert!(r.get(h, b"a").is_none());
        *r.keep(h, b"a") = "A".into();
        assert_eq!(r.get(h, b"a").map(String::as_str), Some("A"));
        // Same hash, other bytes: never given.
        assert!(r.get(h, b"b").is_none());
        // A newcomer in the slot replaces the tenant.
        *r.keep(h, b"b") = "B".into();
        assert!(r.get(h, b"a").is_none());
        assert_eq!(r.get(h, b"b").map(String::as_str), Some("B"));
        let mut one: Recent<u8> = Recent::new(0);
        let h = one.hash(b"");
        *one.keep(h, b"") = 1;
        assert_eq!(one.get(h, b""), Some(&1));
    }
}
