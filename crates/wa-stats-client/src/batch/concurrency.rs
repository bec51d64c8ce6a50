//! How many calls a batch keeps in flight: exactly the caller's number, or by default enough to
//! cover the rate limit at the latency the client observes (Little's law, with headroom).

use std::time::Duration;

use crate::latency::LatencyEstimate;

/// How many calls [`Client::campaign_statistics_many`](crate::Client::campaign_statistics_many)
/// keeps in flight. A plain number means exactly that many ([`Fixed`](Concurrency::Fixed), at
/// least 1); the default, [`Auto`](Concurrency::Auto), keeps the batch at the rate limit
/// whatever the server's latency.
///
/// ```
/// use wa_stats_client::Concurrency;
///
/// assert_eq!(Concurrency::from(16), Concurrency::Fixed(16));
/// assert_eq!(Concurrency::default(), Concurrency::Auto);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Concurrency {
    /// Enough calls in flight that the pacer, not the latency, sets the pace: the rate limit ×
    /// the observed attempt latency × 1.5, plus 4 for retries in backoff, between 4 and
    /// [`MAX_AUTO_CONCURRENCY`]. Before the client's first answer the latency is taken to be
    /// 300 ms, or as long as the batch has waited, whichever is longer.
    /// With pacing off there is no rate to cover: [`UNPACED_AUTO_CONCURRENCY`].
    #[default]
    Auto,
    /// Exactly this many calls in flight (0 counts as 1).
    Fixed(usize),
}

impl From<usize> for Concurrency {
    fn from(calls: usize) -> Self {
        Self::Fixed(calls)
    }
}

/// The most calls [`Concurrency::Auto`] keeps in flight: 2.56 s of answers at 100/s.
///
/// ```
/// assert_eq!(wa_stats_client::MAX_AUTO_CONCURRENCY, 256);
/// ```
pub const MAX_AUTO_CONCURRENCY: usize = 256;
/// What [`Concurrency::Auto`] means for a client whose pacing is off.
///
/// ```
/// assert_eq!(wa_stats_client::UNPACED_AUTO_CONCURRENCY, 32);
/// ```
pub const UNPACED_AUTO_CONCURRENCY: usize = 32;
/// The fewest calls `Auto` keeps in flight.
const MIN_AUTO_CONCURRENCY: usize = 4;
/// Latency assumed before the first answer: high enough that a slow server is covered from the
/// start (the estimate only comes down), low enough not to queue hundreds of calls.
const INITIAL_LATENCY: Duration = Duration::from_millis(300);
/// Room above rate × latency for answers slower than the average.
const HEADROOM_NUMERATOR: u128 = 3;
const HEADROOM_DENOMINATOR: u128 = 2;
/// Extra calls for those waiting out a retry's backoff.
const RETRY_SPARE: usize = 4;

impl Concurrency {
    /// The number of calls to keep in flight now, for a batch that has waited `waited` so far.
    pub(crate) fn limit(
        self,
        rate_limit: Option<u32>,
        latency: &LatencyEstimate,
        waited: Duration,
    ) -> usize {
        match (self, rate_limit) {
            (Self::Fixed(calls), _) => calls.max(1),
            (Self::Auto, None) => UNPACED_AUTO_CONCURRENCY,
            // No answer yet after `waited`: the latency is at least that, so the limit grows
            // ahead of the pacer instead of idling until the first answer.
            (Self::Auto, Some(rate)) => auto_limit(
                rate,
                latency.get().unwrap_or_else(|| INITIAL_LATENCY.max(waited)),
            ),
        }
    }
}

/// Little's law: `rate × latency` calls in flight keep `rate` per second flowing.
fn auto_limit(rate: u32, latency: Duration) -> usize {
    let covering = (u128::from(rate) * latency.as_micros() * HEADROOM_NUMERATOR)
        .div_ceil(1_000_000 * HEADROOM_DENOMINATOR);
    usize::try_from(covering)
        .unwrap_or(usize::MAX)
        .saturating_add(RETRY_SPARE)
        .clamp(MIN_AUTO_CONCURRENCY, MAX_AUTO_CONCURRENCY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_covers_the_rate_at_the_observed_latency() {
        let ms = Duration::from_millis;
        assert_eq!(auto_limit(100, ms(50)), 12);
        assert_eq!(auto_limit(100, ms(400)), 64);
        assert_eq!(auto_limit(100, INITIAL_LATENCY), 49);
        assert_eq!(auto_limit(100, ms(0)), MIN_AUTO_CONCURRENCY);
        assert_eq!(
            auto_limit(100, Duration::from_secs(60)),
            MAX_AUTO_CONCURRENCY
        );
        assert_eq!(auto_limit(u32::MAX, Duration::MAX), MAX_AUTO_CONCURRENCY);
        for (rate, latency) in [
            (100, ms(50)),
            (100, ms(400)),
            (10, ms(1_000)),
            (250, ms(80)),
        ] {
            let covering = f64::from(rate) * latency.as_secs_f64();
            assert!(auto_limit(rate, latency) as f64 >= covering);
        }
    }

    #[test]
    fn a_caller_s_number_is_exactly_that() {
        let latency = LatencyEstimate::default();
        latency.observe(Duration::from_millis(400));
        for calls in [1, 8, 16, 300, 10_000] {
            let limit = Concurrency::from(calls).limit(Some(100), &latency, Duration::ZERO);
            assert_eq!(limit, calls);
        }
        assert_eq!(
            Concurrency::Fixed(0).limit(None, &latency, Duration::ZERO),
            1
        );
        let unpaced = Concurrency::Auto.limit(None, &latency, Duration::ZERO);
        assert_eq!(unpaced, UNPACED_AUTO_CONCURRENCY);
    }

    #[test]
    fn before_the_first_answer_the_limit_grows_with_the_wait() {
        let none = LatencyEstimate::default();
        let auto = |waited| Concurrency::Auto.limit(Some(100), &none, waited);
        assert_eq!(auto(Duration::ZERO), 49);
        assert_eq!(auto(Duration::from_millis(300)), 49);
        // Always ahead of what the pacer admitted meanwhile (99 per second).
        for ms in [500_u64, 1_000, 1_500] {
            assert!(auto(Duration::from_millis(ms)) as u64 > ms * 99 / 1_000);
        }
        let known = LatencyEstimate::default();
        known.observe(Duration::from_millis(50));
        let limit = Concurrency::Auto.limit(Some(100), &known, Duration::from_secs(5));
        assert_eq!(limit, 12);
    }

    #[test]
    fn the_estimate_follows_the_answers() {
        let latency = LatencyEstimate::default();
        assert_eq!(latency.get(), None);
        latency.observe(Duration::from_millis(400));
        assert_eq!(latency.get(), Some(Duration::from_millis(400)));
        for _ in 0..100 {
            latency.observe(Duration::from_millis(50));
        }
        let now = latency.get().unwrap();
        assert!(
            now >= Duration::from_millis(50) && now < Duration::from_millis(51),
            "{now:?}"
        );
    }
}
