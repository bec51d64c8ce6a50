//! Sliding-window admission: at most `limit` admissions per key in ANY window of one `window`.
//!
//! Each key keeps the model's [`SlidingWindowLog`] of its last `limit` admissions. Time is
//! `tokio::time::Instant`, so tests on tokio's paused clock can move it with `advance`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;
use wa_stats_model::window::SlidingWindowLog;

/// One [`SlidingWindowLog`] per key.
#[derive(Debug)]
pub(crate) struct SlidingWindow {
    limit: u32,
    window: Duration,
    logs: BTreeMap<Arc<str>, SlidingWindowLog<Instant>>,
}

impl SlidingWindow {
    pub(crate) fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            logs: BTreeMap::new(),
        }
    }

    /// Admits one request for `key` at `now`, or refuses it without recording anything.
    pub(crate) fn admit(&mut self, key: &Arc<str>, now: Instant) -> bool {
        if let Some(log) = self.logs.get_mut(key.as_ref()) {
            return log.try_admit(now);
        }
        let mut log = SlidingWindowLog::new(self.limit, self.window);
        let admitted = log.try_admit(now);
        self.logs.insert(Arc::clone(key), log);
        admitted
    }

    /// Forgets every admission.
    pub(crate) fn clear(&mut self) {
        self.logs.clear();
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
