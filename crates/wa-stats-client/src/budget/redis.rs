//! [`RedisBudget`]: one rate budget per credential across processes and hosts, decided in Redis
//! (or Valkey) by one Lua script per admission (GCRA, `gcra.lua`). When Redis is unreachable or
//! slow, calls are paced locally (or fail, if the caller chose that), with a warning once and
//! then at a bounded rate, and go back to the shared budget as soon as Redis answers again.

use std::fmt;
use std::net::IpAddr;
use std::sync::{LazyLock, Mutex, PoisonError};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::time::Instant;
use url::{Host, Url};

use super::Fingerprint;
use crate::config::Setting;
use crate::error::Error;
use crate::pacing::{LocalPacer, interval};

/// Default time Redis has to answer one admission before the call is paced locally.
///
/// ```
/// assert_eq!(wa_stats_client::DEFAULT_SHARED_BUDGET_TIMEOUT.as_millis(), 200);
/// ```
pub const DEFAULT_SHARED_BUDGET_TIMEOUT: Duration = Duration::from_millis(200);
/// Default prefix of the budget's Redis key.
///
/// ```
/// assert_eq!(wa_stats_client::DEFAULT_SHARED_BUDGET_NAMESPACE, "wa-stats");
/// ```
pub const DEFAULT_SHARED_BUDGET_NAMESPACE: &str = "wa-stats";
/// After Redis failed, how long calls are paced locally before Redis is asked again.
const RETRY_REDIS_AFTER: Duration = Duration::from_secs(1);
/// While Redis stays unavailable, the warning is repeated at most this often.
const WARN_EVERY: Duration = Duration::from_secs(30);
/// A caller that sends this much after its slot (woken late, or its answer from Redis slower
/// than usual) has lost it: it would bunch up with the callers of the next slots, here or in
/// another process, so it takes a fresh one. The schedule's headroom
/// leaves about 10 ms per window; this keeps half of it for the network. Measured on a loaded
/// 2-core machine (docs/performance.md): without the check, 8 of 1 000 requests got 429s.
const LATE_WAKE: Duration = Duration::from_millis(5);
/// Fresh slots taken after waking late, at most, before sending anyway.
const MAX_RESERVATIONS: u32 = 3;

static GCRA: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(include_str!("gcra.lua")));

/// What a client does when Redis does not answer in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum WhenUnavailable {
    /// Pace in this process alone, as without a shared budget (the default): no call fails
    /// because of Redis, but processes sharing the key may then get 429s, which are retried.
    #[default]
    PaceLocally,
    /// Send nothing: the call fails with [`Error::SharedBudgetUnavailable`], not retried.
    FailClosed,
}

/// A rate budget shared through Redis by every process and host that uses the same credential
/// and namespace. Give it to [`ClientBuilder::shared_budget`](crate::ClientBuilder::shared_budget).
///
/// ```
/// use wa_stats_client::{Client, RedisBudget};
///
/// let client = Client::builder()
///     .api_key("INS.example-key")
///     .shared_budget(RedisBudget::new("redis://127.0.0.1:6379/0")?.namespace("billing-export"))
///     .build()?;
/// # Ok::<(), wa_stats_client::Error>(())
/// ```
#[derive(Clone)]
#[must_use]
pub struct RedisBudget {
    client: redis::Client,
    /// The URL without user info, for messages.
    shown: String,
    plain_remote: bool,
    namespace: String,
    timeout: Duration,
    when_unavailable: WhenUnavailable,
    allow_insecure: bool,
}

impl fmt::Debug for RedisBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisBudget")
            .field("url", &self.shown)
            .field("namespace", &self.namespace)
            .field("timeout", &self.timeout)
            .field("when_unavailable", &self.when_unavailable)
            .finish_non_exhaustive()
    }
}

impl RedisBudget {
    /// A budget in the Redis at `url`: `redis://HOST[:PORT][/DB]` or, with TLS,
    /// `rediss://…`; a password goes in the user info (`redis://:PASSWORD@HOST`) and is never
    /// printed. Nothing connects until the first call. Plain `redis://` to a host that is not
    /// loopback is refused by [`build`](crate::ClientBuilder::build) unless
    /// [`allow_insecure`](Self::allow_insecure) (as plain `http://`, R15).
    ///
    /// ```
    /// use wa_stats_client::{RedisBudget, Setting};
    /// assert!(RedisBudget::new("rediss://cache.internal:6380").is_ok());
    /// let refused = RedisBudget::new("http://127.0.0.1:6379").unwrap_err();
    /// assert_eq!(refused.setting(), Some(Setting::SharedBudget));
    /// ```
    pub fn new(url: &str) -> Result<Self, Error> {
        let refuse = |reason: String| Error::bad_setting(Setting::SharedBudget, reason);
        let parsed = Url::parse(url)
            .map_err(|error| refuse(format!("shared budget URL is not a valid URL: {error}")))?;
        let secure = match parsed.scheme() {
            "redis" => false,
            "rediss" => true,
            other => {
                return Err(refuse(format!(
                    "shared budget URL must be redis:// or rediss:// (got {other}://)"
                )));
            }
        };
        let Some(host) = parsed.host() else {
            return Err(refuse("shared budget URL has no host".to_owned()));
        };
        let loopback = match host {
            Host::Ipv4(ip) => IpAddr::V4(ip).is_loopback(),
            Host::Ipv6(ip) => IpAddr::V6(ip).is_loopback(),
            // A redis:// URL is not "special" to the URL standard, so its IP addresses come
            // as opaque names.
            Host::Domain(name) => {
                name.eq_ignore_ascii_case("localhost")
                    || name
                        .trim_start_matches('[')
                        .trim_end_matches(']')
                        .parse::<IpAddr>()
                        .is_ok_and(|ip| ip.is_loopback())
            }
        };
        let mut shown = parsed.clone();
        // Cannot fail for a URL with a host.
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        let shown = shown.to_string();
        // The redis crate's own checks (database number, query options); its message may quote
        // the URL, so say only which part.
        let client = redis::Client::open(url).map_err(|error| {
            refuse(format!(
                "shared budget URL {shown} is not usable: {}",
                error.category()
            ))
        })?;
        Ok(Self {
            client,
            shown,
            plain_remote: !secure && !loopback,
            namespace: DEFAULT_SHARED_BUDGET_NAMESPACE.to_owned(),
            timeout: DEFAULT_SHARED_BUDGET_TIMEOUT,
            when_unavailable: WhenUnavailable::default(),
            allow_insecure: false,
        })
    }

    /// Prefix of the Redis key (default `wa-stats`): processes share a budget when they use
    /// the same credential and namespace. The key is `NAMESPACE:budget:FINGERPRINT`, the
    /// fingerprint a keyed hash of the credential (the client id for client credentials).
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// Time Redis has to answer one admission, connecting included (default 200 ms); past it
    /// the call goes on as [`when_unavailable`](Self::when_unavailable) says.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// What to do while Redis is unavailable (default [`WhenUnavailable::PaceLocally`]).
    pub fn when_unavailable(mut self, choice: WhenUnavailable) -> Self {
        self.when_unavailable = choice;
        self
    }

    /// Allows plain `redis://` to a host that is not loopback (default `false`). Redis never
    /// sees a credential, but its password and the traffic would cross the network in clear.
    pub fn allow_insecure(mut self, allow: bool) -> Self {
        self.allow_insecure = allow;
        self
    }

    /// The checks of [`ClientBuilder::build`](crate::ClientBuilder::build), and the state one
    /// client keeps.
    pub(crate) fn start(
        self,
        fingerprint: Fingerprint,
        per_second: u32,
    ) -> Result<SharedBudget, Error> {
        if self.plain_remote && !self.allow_insecure {
            return Err(Error::InsecureUrl {
                url: self.shown,
                setting: Setting::SharedBudget,
            });
        }
        if self.timeout.is_zero() {
            return Err(Error::bad_setting(
                Setting::SharedBudget,
                "the shared budget's timeout must be longer than zero",
            ));
        }
        let interval_us = u64::try_from(interval(per_second).as_micros()).unwrap_or(u64::MAX);
        Ok(SharedBudget {
            key: format!("{}:budget:{}", self.namespace, fingerprint.hex()),
            interval_us,
            settings: self,
            connection: tokio::sync::OnceCell::new(),
            health: Mutex::new(Health::default()),
        })
    }
}

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
