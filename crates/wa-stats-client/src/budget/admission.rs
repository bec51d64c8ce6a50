//! One client's side of a [`RedisBudget`]: each admission is one round trip running
//! `gcra.lua` in Redis; when Redis is unreachable or slow, calls are paced locally (or fail, if
//! the caller chose that), with a warning once and then at a bounded rate, and go back to the
//! shared budget as soon as Redis answers again.

use std::fmt;
use std::sync::{LazyLock, Mutex, PoisonError};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::time::Instant;

use super::redis::{RedisBudget, WhenUnavailable};
use crate::error::Error;
use crate::pacing::LocalPacer;

/// After Redis failed, how long calls are paced locally before Redis is asked again.
const RETRY_REDIS_AFTER: Duration = Duration::from_secs(1);
/// While Redis stays unavailable, the warning is repeated at most this often.
const WARN_EVERY: Duration = Duration::from_secs(30);
/// A caller that sends this much after its slot (woken late, or its answer from Redis slower
/// than usual) has lost it: it would bunch up with the callers of the next slots, here or in
/// another process, so it takes a fresh one. The schedule's headroom leaves about 10 ms per
/// window; this keeps half of it for the network. On a loaded 2-core machine, without the
/// check, 8 of 1 000 requests got 429s (docs/performance.md).
const LATE_WAKE: Duration = Duration::from_millis(5);
/// Fresh slots taken after waking late, at most, before sending anyway.
const MAX_RESERVATIONS: u32 = 3;

static GCRA: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(include_str!("gcra.lua")));

/// One client's side of a shared budget.
pub(crate) struct SharedBudget {
    settings: RedisBudget,
    key: String,
    interval_us: u64,
    connection: tokio::sync::OnceCell<ConnectionManager>,
    health: Mutex<Health>,
}

impl fmt::Debug for SharedBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedBudget")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
struct Health {
    /// The usual round trip: the least seen, rising slowly towards what is seen (so that a
    /// network that became slower for good does not make every answer look late).
    usual_round_trip: Option<Duration>,
    /// Since when Redis has been failing, if it is.
    down_since: Option<Instant>,
    /// Redis is not asked before this.
    retry_at: Option<Instant>,
    last_warning: Option<Instant>,
    /// Calls that went without the shared budget since the last warning.
    without_since_warning: u64,
}

impl SharedBudget {
    pub(super) fn new(settings: RedisBudget, key: String, interval: Duration) -> Self {
        Self {
            settings,
            key,
            interval_us: u64::try_from(interval.as_micros()).unwrap_or(u64::MAX),
            connection: tokio::sync::OnceCell::new(),
            health: Mutex::new(Health::default()),
        }
    }

    /// Waits for this caller's slot on the shared schedule, then for the local hard window
    /// check (which never waits on schedule); without Redis, as `when_unavailable` says.
    pub(crate) async fn admit(&self, local: &LocalPacer) -> Result<(), Error> {
        if self.may_ask_redis() {
            let mut reservations = 0;
            loop {
                let asked = Instant::now();
                match self.reserve().await {
                    Ok(wait) => {
                        let answered = Instant::now();
                        let extra = self.answer_delay(answered - asked);
                        self.answered();
                        reservations += 1;
                        let slot = answered + wait;
                        tokio::time::sleep_until(slot).await;
                        // Late by the oversleep, and by however much longer than usual the
                        // answer took to come back (the slot was timed in Redis when it left).
                        let late = Instant::now().saturating_duration_since(slot) + extra;
                        if late > LATE_WAKE && reservations < MAX_RESERVATIONS {
                            continue;
                        }
                        local.confirm().await;
                        return Ok(());
                    }
                    Err(reason) => {
                        self.failed(&reason);
                        break;
                    }
                }
            }
        } else {
            self.went_without();
        }
        match self.settings.when_unavailable {
            WhenUnavailable::PaceLocally => {
                local.admit().await;
                Ok(())
            }
            WhenUnavailable::FailClosed => Err(Error::SharedBudgetUnavailable {
                reason: "Redis did not answer in time".to_owned(),
            }),
        }
    }

    /// One round trip: runs the script, returns the wait before the reserved slot.
    async fn reserve(&self) -> Result<Duration, String> {
        let timeout = self.settings.timeout;
        let attempt = async {
            let manager = self
                .connection
                .get_or_try_init(|| async {
                    let config = ConnectionManagerConfig::new()
                        .set_connection_timeout(Some(timeout))
                        .set_response_timeout(Some(timeout))
                        .set_number_of_retries(1)
                        .set_max_delay(RETRY_REDIS_AFTER);
                    ConnectionManager::new_lazy_with_config(self.settings.client.clone(), config)
                })
                .await
                .map_err(|error| describe(&error, timeout))?;
            let mut connection = manager.clone();
            let mut reconnected = false;
            loop {
                match GCRA
                    .key(&self.key)
                    .arg(self.interval_us)
                    .invoke_async::<i64>(&mut connection)
                    .await
                {
                    Ok(wait_us) => {
                        return Ok(Duration::from_micros(u64::try_from(wait_us).unwrap_or(0)));
                    }
                    // A connection that broke earlier (Redis restarted) fails the first command
                    // and reconnects: try once more on the new one, within the same timeout.
                    Err(error) if error.is_io_error() && !error.is_timeout() && !reconnected => {
                        reconnected = true;
                    }
                    Err(error) => return Err(describe(&error, timeout)),
                }
            }
        };
        tokio::time::timeout(timeout, attempt)
            .await
            .map_err(|_| format!("no answer within {} ms", timeout.as_millis()))?
    }

    fn health(&self) -> std::sync::MutexGuard<'_, Health> {
        // Plain values, consistent after any panic.
        self.health.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How much longer than usual a round trip of `round_trip` took.
    fn answer_delay(&self, round_trip: Duration) -> Duration {
        let mut health = self.health();
        let usual = health.usual_round_trip.map_or(round_trip, |usual| {
            if round_trip < usual {
                round_trip
            } else {
                usual + (round_trip - usual) / 64
            }
        });
        health.usual_round_trip = Some(usual);
        round_trip.saturating_sub(usual)
    }

    fn may_ask_redis(&self) -> bool {
        self.health()
            .retry_at
            .is_none_or(|retry_at| Instant::now() >= retry_at)
    }

    fn answered(&self) {
        let mut health = self.health();
        if let Some(since) = health.down_since.take() {
            tracing::warn!(
                url = %self.settings.shown,
                unavailable_ms = u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX),
                calls_without = health.without_since_warning,
                "shared rate budget: Redis answers again; back on the shared budget"
            );
        }
        *health = Health {
            usual_round_trip: health.usual_round_trip,
            ..Health::default()
        };
    }

    fn failed(&self, reason: &str) {
        let now = Instant::now();
        let mut health = self.health();
        health.retry_at = Some(now + RETRY_REDIS_AFTER);
        health.down_since.get_or_insert(now);
        health.without_since_warning += 1;
        if health
            .last_warning
            .is_none_or(|last| now.duration_since(last) >= WARN_EVERY)
        {
            let action = match self.settings.when_unavailable {
                WhenUnavailable::PaceLocally => "pacing in this process alone until it answers",
                WhenUnavailable::FailClosed => "failing calls (fail-closed) until it answers",
            };
            tracing::warn!(
                url = %self.settings.shown,
                reason,
                calls_without = health.without_since_warning,
                "shared rate budget unavailable; {action}"
            );
            health.last_warning = Some(now);
            health.without_since_warning = 0;
        }
    }

    fn went_without(&self) {
        self.health().without_since_warning += 1;
    }
}

/// A Redis error for a log line: what happened, never the URL (which may hold a password).
fn describe(error: &redis::RedisError, timeout: Duration) -> String {
    if error.is_timeout() {
        format!("no answer within {} ms", timeout.as_millis())
    } else if error.is_connection_refusal() {
        "connection refused".to_owned()
    } else if error.is_connection_dropped() {
        "connection lost".to_owned()
    } else {
        match error.detail() {
            Some(detail) => format!("{}: {detail}", error.category()),
            None => error.category().to_owned(),
        }
    }
}
