//! One client's side of a [`RedisBudget`]: each admission is two round trips, one to reserve a
//! slot on the shared schedule (`gcra.lua`) and one, on waking, to record the send in the
//! shared log of real sends (`sent.lua`); when Redis is unreachable or slow, calls are paced
//! locally (or fail, if the caller chose that), with a warning once and then at a bounded rate,
//! and go back to the shared budget as soon as Redis answers again.

use std::fmt;
use std::sync::{LazyLock, Mutex, PoisonError};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::time::Instant;

use super::{RedisBudget, WhenUnavailable};
use crate::error::Error;
use crate::rate::local::{LocalPacer, WINDOW, interval};

/// While Redis stays unavailable, the warning is repeated at most this often.
const WARN_EVERY: Duration = Duration::from_secs(30);
/// A send is recorded at Redis's instant, and leaves when the answer arrives. An answer this
/// much slower than the usual round trip means the send would leave that much later than
/// recorded, eating into the schedule's headroom (about 10 ms a window, which the network and
/// the server's own jitter also need): such a caller records itself again. The stale entry stays
/// in the log, which errs on the safe side.
const SLOW_ANSWER: Duration = Duration::from_millis(5);
/// Records made after slow answers, at most, before sending anyway.
const MAX_RECORDS: u32 = 3;

pub(crate) static RESERVE: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(include_str!("gcra.lua")));
pub(crate) static RECORD: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(include_str!("sent.lua")));

/// One client's side of a shared budget.
pub(crate) struct SharedBudget {
    settings: RedisBudget,
    /// Holds the schedule's next free slot (GCRA's TAT).
    schedule_key: String,
    /// Holds the log of the last `limit` sends.
    sent_key: String,
    interval_us: u64,
    limit: u32,
    /// The log's window: the local pacer's hard window, one rule for both.
    window_us: u64,
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
    /// network that became slower for good does not make every answer look slow).
    usual_round_trip: Option<Duration>,
    /// Since when Redis has been failing, if it is.
    down_since: Option<Instant>,
    /// Redis is not asked before this.
    retry_at: Option<Instant>,
    last_warning: Option<Instant>,
    /// Calls that went without the shared budget since the last warning.
    without_since_warning: u64,
    /// Why Redis failed last, for the errors of calls that fail closed.
    last_reason: Option<String>,
}

impl SharedBudget {
    pub(crate) fn new(settings: RedisBudget, key: String, per_second: u32) -> Self {
        let micros = |duration: Duration| u64::try_from(duration.as_micros()).unwrap_or(u64::MAX);
        Self {
            settings,
            sent_key: format!("{key}:sent"),
            schedule_key: key,
            interval_us: micros(interval(per_second)),
            limit: per_second.max(1),
            window_us: micros(WINDOW),
            connection: tokio::sync::OnceCell::new(),
            health: Mutex::new(Health::default()),
        }
    }

    /// Waits for this caller's slot on the shared schedule, then until the shared log of sends
    /// takes it (which never waits on schedule); without Redis, as `when_unavailable` says.
    pub(crate) async fn admit(&self, local: &LocalPacer) -> Result<(), Error> {
        // After a 429 this process holds back for the server's Retry-After (the others on the
        // budget do not: their schedule is the same, so the 429 says a client outside it spent
        // the slot).
        local.wait_out_hold().await;
        if self.may_ask_redis() {
            match self.shared_admission(local).await {
                Ok(()) => {
                    self.answered();
                    return Ok(());
                }
                Err(reason) => self.failed(&reason),
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
                reason: self
                    .health()
                    .last_reason
                    .clone()
                    .unwrap_or_else(|| "Redis did not answer in time".to_owned()),
            }),
        }
    }

    /// Reserve, sleep until the slot, record the send. A reserved slot that goes unused (Redis
    /// failed on the way) only leaves a gap, which errs on the safe side.
    async fn shared_admission(&self, local: &LocalPacer) -> Result<(), String> {
        // The wait was measured in Redis when the script ran, about half a round trip before
        // the answer arrived: counting it from the answer starts the sleep a little late, never
        // early.
        let wait = self
            .run(&RESERVE, &self.schedule_key, &[self.interval_us])
            .await?
            .0;
        tokio::time::sleep(wait).await;
        // A 429 may have come back while this caller slept.
        local.wait_out_hold().await;
        let mut records = 0;
        loop {
            let (wait, round_trip) = self
                .run(
                    &RECORD,
                    &self.sent_key,
                    &[u64::from(self.limit), self.window_us],
                )
                .await?;
            if !wait.is_zero() {
                // The log is full: this process or another sent late, bunched with later slots.
                tokio::time::sleep(wait).await;
                continue;
            }
            records += 1;
            if self.answer_delay(round_trip) <= SLOW_ANSWER || records >= MAX_RECORDS {
                return Ok(());
            }
        }
    }

    /// One round trip running `script` on `key` with `args`: the wait it returns, and how long
    /// the round trip took.
    async fn run(
        &self,
        script: &redis::Script,
        key: &str,
        args: &[u64],
    ) -> Result<(Duration, Duration), String> {
        let timeout = self.settings.timeout;
        let asked = Instant::now();
        let attempt = async {
            let manager = self
                .connection
                .get_or_try_init(|| async {
                    let config = ConnectionManagerConfig::new()
                        .set_connection_timeout(Some(timeout))
                        .set_response_timeout(Some(timeout))
                        .set_number_of_retries(1)
                        // At least a millisecond: a zero recheck asks Redis on every call,
                        // not the connection to spin.
                        .set_max_delay(self.settings.recheck_after.max(Duration::from_millis(1)));
                    ConnectionManager::new_lazy_with_config(self.settings.client.clone(), config)
                })
                .await
                .map_err(|error| describe(&error, timeout))?;
            let mut connection = manager.clone();
            let mut reconnected = false;
            loop {
                let mut invocation = script.key(key);
                for arg in args {
                    invocation.arg(*arg);
                }
                match invocation.invoke_async::<i64>(&mut connection).await {
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
        let wait = match tokio::time::timeout(timeout, attempt).await {
            Ok(answer) => answer?,
            Err(_) => return Err(self.diagnose().await),
        };
        Ok((wait, asked.elapsed()))
    }

    /// Why Redis did not answer in time, for the one line a person reads: the connection
    /// manager keeps reconnecting quietly, so a refused port or a server that is not Redis looks
    /// like silence from inside it. A fresh connection of one attempt tells them apart.
    async fn diagnose(&self) -> String {
        let timeout = self.settings.timeout;
        let silent = format!("no answer within {} ms", timeout.as_millis());
        let config = redis::AsyncConnectionConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout));
        let probe = self
            .settings
            .client
            .get_multiplexed_async_connection_with_config(&config);
        match tokio::time::timeout(timeout, probe).await {
            Ok(Err(error)) => describe(&error, timeout),
            Ok(Ok(_)) | Err(_) => silent,
        }
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
        health.retry_at = Some(now + self.settings.recheck_after);
        health.down_since.get_or_insert(now);
        health.without_since_warning += 1;
        health.last_reason = Some(format!("Redis at {}: {reason}", self.settings.shown));
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
        "connection refused: nothing listens at that address".to_owned()
    } else if error.is_connection_dropped() {
        "connection lost".to_owned()
    } else if error.kind() == redis::ErrorKind::Parse {
        // The parser's own message quotes offsets and bytes: of no use to the reader.
        "not a Redis server: what answered does not speak the Redis protocol".to_owned()
    } else if error.kind() == redis::ErrorKind::AuthenticationFailed {
        "Redis refused the password in the URL".to_owned()
    } else {
        match error.detail() {
            Some(detail) => format!("{}: {detail}", error.category()),
            None => error.category().to_owned(),
        }
    }
}
