//! When and how long to wait before trying again: full-jitter exponential backoff, `Retry-After`
//! capped, the pause after a 429, and a retry quota shared by the whole client, in the manner of
//! smithy-rs's standard retry strategy.

use std::sync::Mutex;
use std::time::Duration;

use http::HeaderMap;
use rand::Rng;
use wa_stats_model::endpoint::RATE_LIMIT_WINDOW;

/// Backoff settings: a retry `n` (1 for the first retry) waits a uniformly random time in
/// `[0, min(cap, base * 2^(n-1))]` ("full jitter"), so that clients that failed together do not
/// come back together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backoff {
    pub(crate) base: Duration,
    pub(crate) cap: Duration,
    pub(crate) max_retry_after: Duration,
}

impl Backoff {
    /// The upper bound of the random wait before retry number `retry` (1-based).
    pub(crate) fn ceiling(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1).min(31));
        self.base.saturating_mul(factor).min(self.cap)
    }

    /// The wait before retry number `retry` after a failure that said nothing about when.
    pub(crate) fn jittered(&self, retry: u32) -> Duration {
        let ceiling = self.ceiling(retry);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(rand::rng().random_range(0..=nanos))
    }

    /// The wait before retry number `retry`. A `Retry-After` is honoured as a floor (waiting less
    /// would only earn another 429) with a little jitter on top so that the callers it stopped
    /// together do not return in one burst; a 429 without one waits [`rate_limited_pause`]
    /// likewise.
    pub(crate) fn delay(
        &self,
        retry: u32,
        retry_after: Option<Duration>,
        rate_limited: bool,
    ) -> Duration {
        match (retry_after, rate_limited) {
            (Some(after), _) => after + self.jittered(1),
            (None, true) => rate_limited_pause(None) + self.jittered(retry),
            (None, false) => self.jittered(retry),
        }
    }

    /// Reads `Retry-After` as whole seconds (the API's form, R9), capped at `max_retry_after`.
    /// An HTTP-date or garbage reads as absent, which falls back to backoff.
    pub(crate) fn retry_after(&self, headers: &HeaderMap) -> Option<Duration> {
        let value = headers.get(http::header::RETRY_AFTER)?.to_str().ok()?;
        let seconds: u64 = value.trim().parse().ok()?;
        Some(Duration::from_secs(seconds).min(self.max_retry_after))
    }
}

/// How long the whole client holds back after a 429: the server's `Retry-After`, or without one
/// a rate-limit window (R9's second), after which the server's window has room again.
pub(crate) fn rate_limited_pause(retry_after: Option<Duration>) -> Duration {
    retry_after.unwrap_or(RATE_LIMIT_WINDOW)
}

/// The retry quota: a token bucket shared by every call through one client. A retry costs
/// tokens, a success earns some back; when the bucket is empty, failures are returned at once
/// instead of retried, so that an outage turns into fast errors rather than a retry storm that
/// keeps the server down. Numbers as in smithy-rs's standard strategy.
#[derive(Debug)]
pub(crate) struct RetryQuota {
    capacity: u32,
    tokens: Mutex<u32>,
}

/// What one retry costs. A timeout costs double: it held a connection for the whole timeout.
pub(crate) const RETRY_COST: u32 = 5;
/// What one retry after a timeout costs.
pub(crate) const TIMEOUT_RETRY_COST: u32 = 10;
/// What a success on the first attempt earns back.
pub(crate) const SUCCESS_REWARD: u32 = 1;
/// Default capacity: 100 plain retries in a row before the client stops retrying.
pub(crate) const DEFAULT_QUOTA: u32 = 500;

impl RetryQuota {
    pub(crate) fn new(capacity: u32) -> Self {
        Self {
            capacity,
            tokens: Mutex::new(capacity),
        }
    }

    /// Takes `cost` tokens if there are that many.
    pub(crate) fn try_acquire(&self, cost: u32) -> bool {
        let mut tokens = self
            .tokens
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if *tokens >= cost {
            *tokens -= cost;
            true
        } else {
            false
        }
    }

    /// Returns tokens after a call succeeds: what its retries took, or the reward for a call that
    /// needed none.
    pub(crate) fn release(&self, spent: u32) {
        let amount = if spent == 0 { SUCCESS_REWARD } else { spent };
        let mut tokens = self
            .tokens
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *tokens = tokens.saturating_add(amount).min(self.capacity);
    }

    #[cfg(test)]
    pub(crate) fn available(&self) -> u32 {
        *self
            .tokens
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BACKOFF: Backoff = Backoff {
        base: Duration::from_millis(100),
        cap: Duration::from_secs(5),
        max_retry_after: Duration::from_secs(30),
    };

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let ceilings: Vec<_> = (1..=8).map(|n| BACKOFF.ceiling(n).as_millis()).collect();
        assert_eq!(ceilings, [100, 200, 400, 800, 1600, 3200, 5000, 5000]);
        assert_eq!(BACKOFF.ceiling(u32::MAX), Duration::from_secs(5));
        for retry in 1..=8 {
            for _ in 0..50 {
                assert!(BACKOFF.jittered(retry) <= BACKOFF.ceiling(retry));
            }
        }
    }

    #[test]
    fn retry_after_is_a_capped_floor() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", "2".parse().unwrap());
        let after = BACKOFF.retry_after(&headers);
        assert_eq!(after, Some(Duration::from_secs(2)));
        let delay = BACKOFF.delay(3, after, true);
        assert!(delay >= Duration::from_secs(2) && delay <= Duration::from_millis(2100));

        headers.insert("retry-after", "3600".parse().unwrap());
        assert_eq!(BACKOFF.retry_after(&headers), Some(Duration::from_secs(30)));
        headers.insert(
            "retry-after",
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(BACKOFF.retry_after(&headers), None);
        assert!(BACKOFF.delay(1, None, true) >= Duration::from_secs(1));
    }

    #[test]
    fn the_quota_runs_dry_and_refills_on_success() {
        let quota = RetryQuota::new(DEFAULT_QUOTA);
        let mut retries = 0;
        while quota.try_acquire(RETRY_COST) {
            retries += 1;
        }
        assert_eq!(retries, 100);
        quota.release(0);
        assert_eq!(quota.available(), 1);
        quota.release(RETRY_COST);
        assert_eq!(quota.available(), 6);
        assert!(quota.try_acquire(RETRY_COST));
        for _ in 0..1000 {
            quota.release(0);
        }
        assert_eq!(quota.available(), DEFAULT_QUOTA);
    }
}
