//! Client-side pacing: admits requests evenly spaced so that no sliding one-second window ever
//! holds more than the configured rate, whatever limiter algorithm the server runs.
//!
//! A token bucket of capacity N lets N requests through at once and N more a second later, so a
//! window straddling the refill sees 2N. This is GCRA (virtual scheduling) with a burst of one
//! instead: each admission is given the slot `max(now, previous slot + interval)`. With the
//! interval at `1 / (0.99 N)` seconds, any closed one-second window contains at most
//! `floor(0.99 N) + 1 ≤ N` slots, and the 1 % of slack absorbs network jitter that could bunch
//! requests up on their way to the server.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Fraction of the nominal rate the pacer aims for (see the module documentation).
const HEADROOM: f64 = 0.99;

/// A pacer shared by every clone of a client (it lives behind the client's `Arc`).
#[derive(Debug)]
pub(crate) struct Pacer {
    interval: Duration,
    /// The next free slot ("theoretical arrival time" in GCRA terms).
    next: Mutex<Option<Instant>>,
}

impl Pacer {
    /// A pacer for `per_second` admissions per second (at least 1).
    pub(crate) fn new(per_second: u32) -> Self {
        let rate = f64::from(per_second.max(1)) * HEADROOM;
        Self {
            interval: Duration::from_secs_f64(1.0 / rate),
            next: Mutex::new(None),
        }
    }

    /// Reserves the next slot and returns when it starts. The lock is held only for the
    /// arithmetic, never across an `.await`, so a slow sleeper blocks nobody.
    pub(crate) fn reserve(&self) -> Instant {
        let now = Instant::now();
        let mut next = self
            .next
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let slot = next.map_or(now, |next| next.max(now));
        *next = Some(slot + self.interval);
        slot
    }

    /// Waits for this caller's slot. A caller dropped while waiting leaves its slot unused, which
    /// errs on the safe side.
    pub(crate) async fn admit(&self) {
        let slot = self.reserve();
        if slot > Instant::now() {
            tokio::time::sleep_until(slot).await;
        }
    }

    /// Admits nobody before `until`: after a 429 the server's window is full, so the whole client
    /// (not only the caller that got the 429) holds back.
    pub(crate) fn hold_until(&self, until: Instant) {
        let mut next = self
            .next
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if next.is_none_or(|next| next < until) {
            *next = Some(until);
        }
    }
}

/// The largest number of instants in any closed window `[t, t + width]`, for checking pacing.
/// `instants` must be sorted.
#[cfg(test)]
pub(crate) fn peak_in_window(instants: &[Instant], width: Duration) -> usize {
    let mut peak = 0;
    let mut first = 0;
    for (last, &at) in instants.iter().enumerate() {
        while at.duration_since(instants[first]) > width {
            first += 1;
        }
        peak = peak.max(last + 1 - first);
    }
    peak
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use proptest::prelude::*;

    use super::*;

    /// Runs `tasks` concurrent callers, each admitted `per_task` times, under tokio's paused
    /// clock, and returns the sorted admission instants.
    fn admissions(rate: u32, tasks: usize, per_task: usize, start_gaps_ms: &[u64]) -> Vec<Instant> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap();
        runtime.block_on(async {
            let pacer = Arc::new(Pacer::new(rate));
            let mut handles = Vec::new();
            for task in 0..tasks {
                let pacer = Arc::clone(&pacer);
                let gap = start_gaps_ms.get(task).copied().unwrap_or(0);
                handles.push(tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(gap)).await;
                    let mut seen = Vec::new();
                    for _ in 0..per_task {
                        pacer.admit().await;
                        seen.push(Instant::now());
                    }
                    seen
                }));
            }
            let mut all = Vec::new();
            for handle in handles {
                all.extend(handle.await.unwrap());
            }
            all.sort();
            all
        })
    }

    #[test]
    fn three_hundred_at_one_hundred_per_second_never_exceed_the_limit() {
        let instants = admissions(100, 30, 10, &[]);
        assert_eq!(instants.len(), 300);
        let peak = peak_in_window(&instants, Duration::from_secs(1));
        assert!(peak <= 100, "peak {peak}");
        // Even pacing still reaches the limit (within the headroom), rather than dawdling.
        assert!(peak >= 99, "peak {peak}");
    }

    #[test]
    fn a_hold_delays_everyone() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap();
        runtime.block_on(async {
            let pacer = Pacer::new(100);
            let start = Instant::now();
            pacer.admit().await;
            pacer.hold_until(start + Duration::from_secs(1));
            pacer.admit().await;
            assert!(Instant::now() >= start + Duration::from_secs(1));
        });
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn no_one_second_window_exceeds_the_rate(
            rate in 1u32..=250,
            tasks in 1usize..12,
            per_task in 1usize..60,
            gaps in proptest::collection::vec(0u64..3_000, 12),
        ) {
            let instants = admissions(rate, tasks, per_task, &gaps);
            let peak = peak_in_window(&instants, Duration::from_secs(1));
            prop_assert!(peak <= rate as usize, "rate {rate}: peak {peak}");
        }
    }
}
