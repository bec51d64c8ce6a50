//! [`LocalPacer`], pacing in one process: admits requests evenly spaced so that no sliding
//! one-second window ever holds more than the budget's rate, whatever limiter the server runs.
//!
//! Two parts:
//! - **Even spacing** (GCRA, virtual scheduling, burst of one). A token bucket of capacity N lets
//!   N requests through at once and N more a second later, so a window straddling the refill sees
//!   2N. Here each caller instead reserves the slot `max(now, previous slot + interval)`, with the
//!   interval at `1 / (0.99 N)` s: on schedule, any one-second window holds at most
//!   `floor(0.99 N) + 1 ≤ N` slots.
//! - **A hard window check on real instants.** A task can wake from its sleep late (a busy
//!   machine, a starved runtime) and so land closer to the next ones than its slot said; seen by
//!   the server, that bunching can put N + 1 in a second. So on waking, a caller is admitted only
//!   if the N-th admission before it is more than 1.01 s old, and waits otherwise. This holds the
//!   window property for the instants requests really leave, and the extra 10 ms absorbs network
//!   jitter on the way to the server. On schedule the check never waits.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;
use wa_stats_model::endpoint::RATE_LIMIT_WINDOW;
use wa_stats_model::window::SlidingWindowLog;

/// Fraction of the nominal rate the schedule aims for (see the module documentation); the
/// budget shared through Redis uses the same, through [`interval`].
const HEADROOM: f64 = 0.99;
/// The window the hard check counts in: R9's second plus the headroom.
pub(crate) const WINDOW: Duration = RATE_LIMIT_WINDOW.saturating_add(Duration::from_millis(10));

/// Even spacing and the hard window check for one rate budget in one process.
#[derive(Debug)]
pub(crate) struct LocalPacer {
    interval: Duration,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// The next free slot ("theoretical arrival time" in GCRA terms).
    next: Option<Instant>,
    /// The last `limit` admission instants.
    recent: SlidingWindowLog<Instant>,
    /// Nobody is admitted before this (the server's `Retry-After` after a 429), not even a
    /// caller whose slot was reserved earlier.
    held_until: Option<Instant>,
}

impl LocalPacer {
    /// A pacer for `per_second` admissions per second (at least 1).
    pub(crate) fn new(per_second: u32) -> Self {
        let per_second = per_second.max(1);
        Self {
            interval: interval(per_second),
            state: Mutex::new(State {
                next: None,
                recent: SlidingWindowLog::new(per_second, WINDOW),
                held_until: None,
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is two plain values, consistent after any panic: keep using it.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Waits until this caller may send. Locks are held only for arithmetic, never across an
    /// `.await`. A caller dropped while waiting leaves its slot unused, which errs on the safe
    /// side.
    pub(crate) async fn admit(&self) {
        let slot = self.reserve();
        if slot > Instant::now() {
            tokio::time::sleep_until(slot).await;
        }
        self.wait_out_hold().await;
        self.confirm().await;
    }

    /// Reserves the next slot on the schedule and returns when it starts.
    pub(crate) fn reserve(&self) -> Instant {
        let now = Instant::now();
        let mut state = self.state();
        let slot = state.next.map_or(now, |next| next.max(now));
        state.next = Some(slot + self.interval);
        slot
    }

    /// The hard check: records the admission once the window allows it.
    pub(crate) async fn confirm(&self) {
        loop {
            let wait_until = {
                let now = Instant::now();
                let mut state = self.state();
                match state.recent.next_allowed() {
                    Some(allowed) if now < allowed => allowed,
                    _ => {
                        state.recent.record(now);
                        return;
                    }
                }
            };
            tokio::time::sleep_until(wait_until).await;
        }
    }

    /// Waits while a hold ([`Self::hold_until`]) lasts, also one set while waiting.
    pub(crate) async fn wait_out_hold(&self) {
        loop {
            let held_until = self.state().held_until;
            match held_until {
                Some(until) if until > Instant::now() => tokio::time::sleep_until(until).await,
                _ => return,
            }
        }
    }

    /// Admits nobody before `until`: after a 429 the server's window is full, so the whole client
    /// (not only the caller that got the 429) holds back.
    pub(crate) fn hold_until(&self, until: Instant) {
        let mut state = self.state();
        if state.next.is_none_or(|next| next < until) {
            state.next = Some(until);
        }
        if state.held_until.is_none_or(|held| held < until) {
            state.held_until = Some(until);
        }
    }
}

/// The spacing of admissions at `per_second` (at least 1) with the headroom, in whole
/// microseconds: the unit of the shared budget's scripts, so that the local and the shared
/// schedule are one (the differential test compares them). Rounding down gains less than a
/// microsecond a slot, far inside the headroom.
pub(crate) fn interval(per_second: u32) -> Duration {
    let seconds = Duration::from_secs_f64(1.0 / (f64::from(per_second.max(1)) * HEADROOM));
    Duration::from_micros(u64::try_from(seconds.as_micros()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use proptest::prelude::*;
    use wa_stats_model::window::peak_in_window;

    use super::*;

    /// A runtime on tokio's paused clock: sleeps take no real time, and instants are exact.
    fn paused_runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap()
    }

    /// Runs `tasks` concurrent callers, each admitted `per_task` times, under tokio's paused
    /// clock, and returns the sorted admission instants.
    fn admissions(rate: u32, tasks: usize, per_task: usize, start_gaps_ms: &[u64]) -> Vec<Instant> {
        let runtime = paused_runtime();
        runtime.block_on(async {
            let pacer = Arc::new(LocalPacer::new(rate));
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
        let peak = peak_in_window(&instants, RATE_LIMIT_WINDOW);
        assert!(peak <= 100, "peak {peak}");
        // Even pacing still reaches the limit (within the headroom), rather than dawdling.
        assert!(peak >= 99, "peak {peak}");
    }

    #[test]
    fn a_hold_delays_everyone() {
        let runtime = paused_runtime();
        runtime.block_on(async {
            let pacer = LocalPacer::new(100);
            let start = Instant::now();
            pacer.admit().await;
            pacer.hold_until(start + Duration::from_secs(1));
            pacer.admit().await;
            assert!(Instant::now() >= start + Duration::from_secs(1));
        });
    }

    #[test]
    fn a_hold_also_stops_callers_whose_slots_were_reserved_before_it() {
        let runtime = paused_runtime();
        runtime.block_on(async {
            let pacer = Arc::new(LocalPacer::new(100));
            let start = Instant::now();
            pacer.admit().await;
            // Ten callers already waiting for their slots (10-100 ms ahead) when a 429 comes.
            let waiting: Vec<_> = (0..10)
                .map(|_| {
                    let pacer = Arc::clone(&pacer);
                    tokio::spawn(async move {
                        pacer.admit().await;
                        Instant::now()
                    })
                })
                .collect();
            tokio::task::yield_now().await;
            pacer.hold_until(start + Duration::from_secs(1));
            for caller in waiting {
                assert!(caller.await.unwrap() >= start + Duration::from_secs(1));
            }
        });
    }

    #[test]
    fn late_wakers_cannot_bunch_up() {
        let runtime = paused_runtime();
        let instants = runtime.block_on(async {
            let pacer = Arc::new(LocalPacer::new(100));
            let mut handles = Vec::new();
            for task in 0..300u64 {
                let pacer = Arc::clone(&pacer);
                handles.push(tokio::spawn(async move {
                    let slot = pacer.reserve();
                    // Every seventh task wakes 5-40 ms late, as on a starved runtime.
                    let late = if task % 7 == 0 {
                        5 + (task * 13) % 36
                    } else {
                        0
                    };
                    tokio::time::sleep_until(slot + Duration::from_millis(late)).await;
                    pacer.confirm().await;
                    Instant::now()
                }));
            }
            let mut all = Vec::new();
            for handle in handles {
                all.push(handle.await.unwrap());
            }
            all.sort();
            all
        });
        let peak = peak_in_window(&instants, RATE_LIMIT_WINDOW);
        assert!(peak <= 100, "peak {peak}");
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
            let peak = peak_in_window(&instants, RATE_LIMIT_WINDOW);
            prop_assert!(peak <= rate as usize, "rate {rate}: peak {peak}");
        }
    }
}
