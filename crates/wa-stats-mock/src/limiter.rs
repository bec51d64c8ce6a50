//! Sliding-window admission: at most `limit` admissions per key in ANY window of one `window`.
//!
//! Each key keeps the instants of its last `limit` admissions in a ring; a request is admitted
//! iff the oldest of them is at least one window old. That bounds every window exactly, unlike a
//! fixed per-second counter, which lets through twice the limit across a second boundary. Time is
//! `tokio::time::Instant`, so tests on tokio's paused clock can move it with `advance`.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

/// Admission rings per key.
#[derive(Debug)]
pub(crate) struct SlidingWindow {
    limit: usize,
    window: Duration,
    rings: BTreeMap<Arc<str>, VecDeque<Instant>>,
}

impl SlidingWindow {
    pub(crate) fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit: usize::try_from(limit).unwrap_or(usize::MAX),
            window,
            rings: BTreeMap::new(),
        }
    }

    /// Admits one request for `key` at `now`, or refuses it without recording anything.
    pub(crate) fn admit(&mut self, key: &Arc<str>, now: Instant) -> bool {
        if self.limit == 0 {
            return false;
        }
        if !self.rings.contains_key(key.as_ref()) {
            // Rings start small: most keys never come near a large limit.
            let ring = VecDeque::with_capacity(self.limit.min(16));
            self.rings.insert(Arc::clone(key), ring);
        }
        let Some(ring) = self.rings.get_mut(key.as_ref()) else {
            return false;
        };
        if ring.len() >= self.limit {
            match ring.front() {
                Some(&oldest) if now.saturating_duration_since(oldest) < self.window => {
                    return false;
                }
                _ => {
                    ring.pop_front();
                }
            }
        }
        ring.push_back(now);
        true
    }

    /// Forgets every admission.
    pub(crate) fn clear(&mut self) {
        self.rings.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn at_most_limit_in_any_window() {
        let mut limiter = SlidingWindow::new(3, Duration::from_secs(1));
        let key: Arc<str> = "k".into();
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        assert!(limiter.admit(&key, at(0)));
        assert!(limiter.admit(&key, at(900)));
        assert!(limiter.admit(&key, at(950)));
        // A fixed window would reset at 1000 ms; the sliding one still sees 3 in (0, 1000].
        assert!(!limiter.admit(&key, at(999)));
        assert!(limiter.admit(&key, at(1000)));
        assert!(!limiter.admit(&key, at(1500)));
        assert!(limiter.admit(&key, at(1900)));
        let other: Arc<str> = "other".into();
        assert!(limiter.admit(&other, at(1900)));
    }
}
