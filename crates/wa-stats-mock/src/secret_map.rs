//! A map keyed by a secret (an API key, a token) whose lookups do not tell, by how long they
//! take, how much of a guess was right: a `BTreeMap<String, _>` compares the guess with the keys
//! it passes, byte by byte, stopping at the first difference.
//!
//! Keys are bucketed by a keyed hash (std's SipHash-1-3 under a random key drawn per map, so a
//! client can neither predict nor steer where its guess lands), and a bucket's secrets are
//! compared with `subtle`'s constant-time equality.

use std::collections::BTreeMap;
use std::hash::{BuildHasher, RandomState};

use subtle::ConstantTimeEq;

/// The secrets whose keyed hash is one value, each with its value.
type Bucket<V> = Vec<(Box<[u8]>, V)>;

/// Secrets to values. The secrets themselves stay inside; nothing here prints them.
pub(crate) struct SecretMap<V> {
    hasher: RandomState,
    buckets: BTreeMap<u64, Bucket<V>>,
}

impl<V> Default for SecretMap<V> {
    fn default() -> Self {
        Self {
            hasher: RandomState::new(),
            buckets: BTreeMap::new(),
        }
    }
}

impl<V: std::fmt::Debug> std::fmt::Debug for SecretMap<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretMap")
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

impl<V> SecretMap<V> {
    fn bucket_of(&self, secret: &str) -> u64 {
        self.hasher.hash_one(secret.as_bytes())
    }

    /// Adds `secret`, or replaces its value.
    pub(crate) fn insert(&mut self, secret: &str, value: V) {
        let bucket = self.buckets.entry(self.bucket_of(secret)).or_default();
        match bucket
            .iter_mut()
            .find(|(kept, _)| bool::from(kept.as_ref().ct_eq(secret.as_bytes())))
        {
            Some((_, kept)) => *kept = value,
            None => bucket.push((secret.as_bytes().into(), value)),
        }
    }

    /// The value of `secret`, compared in constant time with each secret of its bucket.
    pub(crate) fn get(&self, secret: &str) -> Option<&V> {
        let bucket = self.buckets.get(&self.bucket_of(secret))?;
        let mut found = None;
        // Every secret of the bucket is compared, whether or not one already matched.
        for (kept, value) in bucket {
            if bool::from(kept.as_ref().ct_eq(secret.as_bytes())) {
                found = Some(value);
            }
        }
        found
    }

    /// Keeps only the entries `keep` says yes to.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&V) -> bool) {
        self.buckets.retain(|_, bucket| {
            bucket.retain(|(_, value)| keep(value));
            !bucket.is_empty()
        });
    }

    pub(crate) fn clear(&mut self) {
        self.buckets.clear();
    }

    pub(crate) fn len(&self) -> usize {
        self.buckets.values().map(Vec::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_replaces_and_forgets() {
        let mut map = SecretMap::default();
        map.insert("INS.one", 1);
        map.insert("INS.two", 2);
        map.insert("INS.one", 3);
        assert_eq!(
            (map.get("INS.one"), map.get("INS.two"), map.get("INS.on")),
            (Some(&3), Some(&2), None)
        );
        assert_eq!(map.len(), 2);
        map.retain(|value| *value > 2);
        assert_eq!((map.get("INS.one"), map.get("INS.two")), (Some(&3), None));
        assert!(!format!("{map:?}").contains("INS"));
        map.clear();
        assert_eq!(map.len(), 0);
    }
}
