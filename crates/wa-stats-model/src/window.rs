//! [`SlidingWindowLog`]: at most N events in any sliding window, by remembering the last N
//! instants. R9 (100 requests in any second) and R14 (10 tokens in any minute) in code, for the
//! mock's limiters and the client's pacing alike. It takes instants and reads no clock, so any
//! instant type works (`std`'s, tokio's paused one, a test's integers).

use std::collections::VecDeque;
use std::ops::Add;
use std::time::Duration;

/// The instants of the last `limit` events, oldest first. An event at `now` fits iff fewer than
/// `limit` are remembered or the oldest of them is at least one `window` before `now`; that bounds
/// every window exactly, unlike a fixed per-second counter, which lets twice the limit through
/// across a second boundary.
///
/// ```
/// use std::time::Duration;
/// use wa_stats_model::window::SlidingWindowLog;
///
/// // Milliseconds as plain durations since some start.
/// let ms = Duration::from_millis;
/// let mut log = SlidingWindowLog::new(2, Duration::from_secs(1));
/// assert!(log.try_admit(ms(0)));
/// assert!(log.try_admit(ms(900)));
/// assert!(!log.try_admit(ms(999)));
/// assert_eq!(log.next_allowed(), Some(ms(1_000)));
/// assert!(log.try_admit(ms(1_000)));
/// ```
#[derive(Debug, Clone)]
pub struct SlidingWindowLog<I> {
    limit: usize,
    window: Duration,
    recent: VecDeque<I>,
}

impl<I> SlidingWindowLog<I>
where
    I: Copy + Ord + Add<Duration, Output = I>,
{
    /// At most `limit` events in any `window`. A limit of 0 admits nothing.
    pub fn new(limit: u32, window: Duration) -> Self {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        Self {
            limit,
            window,
            // Logs start small: most keys never come near a large limit.
            recent: VecDeque::with_capacity(limit.min(16)),
        }
    }

    /// The earliest instant at which another event fits, or `None` if one fits at any instant
    /// (fewer than `limit` remembered). With a limit of 0 nothing ever fits: ask
    /// [`allows`](Self::allows).
    pub fn next_allowed(&self) -> Option<I> {
        if self.recent.len() < self.limit {
            return None;
        }
        self.recent.front().map(|&oldest| oldest + self.window)
    }

    /// Whether an event at `now` fits.
    pub fn allows(&self, now: I) -> bool {
        self.limit > 0 && self.next_allowed().is_none_or(|allowed| now >= allowed)
    }

    /// Remembers an event at `at`, forgetting the oldest once `limit` are remembered. Does not
    /// check [`allows`](Self::allows): for callers that have waited for it already.
    pub fn record(&mut self, at: I) {
        if self.limit == 0 {
            return;
        }
        if self.recent.len() >= self.limit {
            self.recent.pop_front();
        }
        self.recent.push_back(at);
    }

    /// Records an event at `now` if it fits, and says whether it did.
    pub fn try_admit(&mut self, now: I) -> bool {
        let fits = self.allows(now);
        if fits {
            self.record(now);
        }
        fits
    }

    /// Forgets every event.
    pub fn clear(&mut self) {
        self.recent.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(ms: u64) -> Duration {
        Duration::from_millis(ms)
    }

    #[test]
    fn at_most_limit_in_any_window() {
        let mut log = SlidingWindowLog::new(3, Duration::from_secs(1));
        assert!(log.try_admit(ms(0)));
        assert!(log.try_admit(ms(900)));
        assert!(log.try_admit(ms(950)));
        // A fixed window would reset at 1000 ms; the sliding one still sees 3 in (0, 1000).
        assert!(!log.try_admit(ms(999)));
        assert!(log.try_admit(ms(1000)));
        assert!(!log.try_admit(ms(1500)));
        assert!(log.try_admit(ms(1900)));
    }

    #[test]
    fn a_refusal_records_nothing() {
        let mut log = SlidingWindowLog::new(1, Duration::from_secs(60));
        assert!(log.try_admit(ms(0)));
        for at in [1, 30_000, 59_999] {
            assert!(!log.try_admit(ms(at)));
        }
        assert_eq!(log.next_allowed(), Some(ms(60_000)));
    }

    #[test]
    fn limit_zero_admits_nothing() {
        let mut log = SlidingWindowLog::new(0, Duration::from_secs(1));
        assert!(!log.try_admit(ms(0)));
        assert!(!log.try_admit(ms(5_000)));
    }
}
