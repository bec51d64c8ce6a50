//! [`SlidingWindowLog`]: at most N events in any sliding window, by remembering the last N
//! instants. R9 (100 requests in any second) and R14 (10 tokens in any minute) in code, for the
//! mock's limiters and the client's pacing alike, and [`peak_in_window`], the same rule used to
//! check a record of events afterwards. Both take instants and read no clock, so any instant
//! type works (`std`'s, tokio's paused one, a test's durations since a start).
//!
//! Part of the crate's API, with the same promise as the rest: the limits of R9 and R14 are
//! "N in any sliding window", a wire rule, and this module is that rule once. The mock limits
//! with it, the client paces with it, and a dependent checks a record of its own requests with
//! [`peak_in_window`] (`wa_stats_mock::JournalEntry::peak_in_window` does so for a journal).

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

/// The most events in any one window of `window` among `sorted` instants (ascending), counted
/// by [`SlidingWindowLog`]'s rule: an event exactly one window after another falls in the next
/// window, as the mock's limiter and the server's count. So a log that admitted every event
/// never shows a peak above its limit, and a peak above the limit is a window the server refuses.
///
/// ```
/// use std::time::Duration;
/// use wa_stats_model::window::peak_in_window;
///
/// let ms = Duration::from_millis;
/// assert_eq!(peak_in_window(&[ms(0), ms(999), ms(1_000)], Duration::from_secs(1)), 2);
/// assert_eq!(peak_in_window::<Duration>(&[], Duration::from_secs(1)), 0);
/// ```
pub fn peak_in_window<I>(sorted: &[I], window: Duration) -> usize
where
    I: Copy + Ord + Add<Duration, Output = I>,
{
    let mut first = 0;
    let mut peak = 0;
    for (last, &at) in sorted.iter().enumerate() {
        // `sorted[first] + window <= at`: that event's window closed before `at`.
        while sorted[first] + window <= at {
            first += 1;
        }
        peak = peak.max(last + 1 - first);
    }
    peak
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
    fn the_peak_counts_as_the_log_admits() {
        let window = Duration::from_secs(1);
        let mut log = SlidingWindowLog::new(3, window);
        let mut admitted = Vec::new();
        for at in (0..5_000).step_by(7).map(ms) {
            if log.try_admit(at) {
                admitted.push(at);
            }
        }
        assert_eq!(peak_in_window(&admitted, window), 3);
        assert_eq!(peak_in_window(&[ms(0), ms(500), ms(1_000)], window), 2);
        assert_eq!(peak_in_window(&[ms(0), ms(500), ms(999)], window), 3);
    }

    #[test]
    fn limit_zero_admits_nothing() {
        let mut log = SlidingWindowLog::new(0, Duration::from_secs(1));
        assert!(!log.try_admit(ms(0)));
        assert!(!log.try_admit(ms(5_000)));
    }
}
