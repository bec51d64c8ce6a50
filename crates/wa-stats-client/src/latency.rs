//! [`LatencyEstimate`]: how long the server takes to answer, as the attempt loop observes it
//! (client side) and batches size their concurrency from it (batch side); a module of its own so
//! that neither side reaches into the other for it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// An exponentially weighted moving average of how long the server takes to answer one attempt
/// (from the request leaving to the last byte of the answer; pacing and backoff not included),
/// shared by every clone of a client.
#[derive(Debug, Default)]
pub(crate) struct LatencyEstimate {
    /// Microseconds; 0 until the first answer.
    micros: AtomicU64,
}

impl LatencyEstimate {
    /// Folds in one answer's latency, with weight 1/8.
    pub(crate) fn observe(&self, latency: Duration) {
        let sample = u64::try_from(latency.as_micros())
            .unwrap_or(u64::MAX)
            .max(1);
        // A lost update between racing tasks only drops one sample: no retry loop needed.
        let old = self.micros.load(Ordering::Relaxed);
        let new = if old == 0 {
            sample
        } else {
            old - old / 8 + sample / 8
        };
        self.micros.store(new, Ordering::Relaxed);
    }

    /// The estimate, once there is one.
    pub(crate) fn get(&self) -> Option<Duration> {
        match self.micros.load(Ordering::Relaxed) {
            0 => None,
            micros => Some(Duration::from_micros(micros)),
        }
    }
}
