//! [`RedisBudget`]: the settings of a rate budget shared through Redis (or Valkey) by every
//! process and host using one credential, and their checks (URL, R15's opt-in for plain
//! `redis://`). What a client does with it per call is in `admission`, with the two Lua scripts
//! it runs in Redis.

use std::fmt;
use std::sync::OnceLock;
use std::time::Duration;

use url::Url;

use super::Fingerprint;
use crate::error::{Error, Setting};
use crate::loopback::is_loopback;

mod admission;
#[cfg(test)]
mod differential;

pub(crate) use admission::SharedBudget;
#[cfg(test)]
use admission::{RECORD, RESERVE};

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
/// Default time calls are paced locally after Redis failed, before Redis is asked again.
///
/// ```
/// assert_eq!(wa_stats_client::DEFAULT_SHARED_BUDGET_RECHECK.as_secs(), 1);
/// ```
pub const DEFAULT_SHARED_BUDGET_RECHECK: Duration = Duration::from_secs(1);
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

/// Where and how a rate budget is shared through Redis by every process and host that uses the
/// same credential and namespace. Make the budget with [`RateBudget::redis`](crate::RateBudget::redis).
///
/// ```
/// use wa_stats_client::{Client, RateBudget, RedisBudget};
///
/// let redis = RedisBudget::new("redis://127.0.0.1:6379/0")?.namespace("billing-export");
/// let client = Client::builder()
///     .api_key("INS.example-key")
///     .rate_budget(RateBudget::redis(100, redis)?)
///     .build()?;
/// # Ok::<(), wa_stats_client::Error>(())
/// ```
#[derive(Clone)]
#[must_use]
pub struct RedisBudget {
    pub(crate) client: redis::Client,
    /// The URL without user info, for messages.
    pub(crate) shown: String,
    plain_remote: bool,
    pub(crate) namespace: String,
    pub(crate) timeout: Duration,
    pub(super) recheck_after: Duration,
    pub(super) when_unavailable: WhenUnavailable,
    allow_insecure: bool,
}

impl fmt::Debug for RedisBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisBudget")
            .field("url", &self.shown)
            .field("namespace", &self.namespace)
            .field("timeout", &self.timeout)
            .field("recheck_after", &self.recheck_after)
            .field("when_unavailable", &self.when_unavailable)
            .finish_non_exhaustive()
    }
}

impl RedisBudget {
    /// A budget in the Redis at `url`: `redis://HOST[:PORT][/DB]` or, with TLS,
    /// `rediss://…`; a password goes in the user info (`redis://:PASSWORD@HOST`) and is never
    /// printed. Nothing connects until the first call. Plain `redis://` to a host that is not
    /// loopback is refused by [`RateBudget::redis`](crate::RateBudget::redis) unless
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
        let loopback = is_loopback(&host);
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
            recheck_after: DEFAULT_SHARED_BUDGET_RECHECK,
            when_unavailable: WhenUnavailable::default(),
            allow_insecure: false,
        })
    }

    /// Prefix of the Redis key (default `wa-stats`): processes share a budget when they use
    /// the same credential and namespace. The keys are `NAMESPACE:budget:{FINGERPRINT}` (the
    /// schedule) and `NAMESPACE:budget:{FINGERPRINT}:sent` (the log of sends), the fingerprint a
    /// keyed hash of the credential (the client id for client credentials) and the braces a
    /// Redis Cluster hash tag.
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

    /// After Redis failed, how long calls are paced locally before Redis is asked again
    /// (default 1 s). Zero asks Redis again on every call.
    pub fn recheck_after(mut self, pause: Duration) -> Self {
        self.recheck_after = pause;
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

    /// The checks made before any I/O, by [`RateBudget::redis`](crate::RateBudget::redis).
    fn check(&self) -> Result<(), Error> {
        if self.plain_remote && !self.allow_insecure {
            return Err(Error::InsecureUrl {
                url: self.shown.clone(),
                setting: Setting::SharedBudget,
            });
        }
        if self.timeout.is_zero() {
            return Err(Error::bad_setting(
                Setting::SharedBudget,
                "the shared budget's timeout must be longer than zero",
            ));
        }
        Ok(())
    }

    /// The key of the budget of `fingerprint`. The braces are a Redis Cluster hash tag: the
    /// schedule and the log (`…:sent`) of one budget live in one slot, so one node answers for
    /// both.
    fn key(&self, fingerprint: Fingerprint) -> String {
        format!("{}:budget:{{{}}}", self.namespace, fingerprint.hex())
    }
}

/// The Redis side of a [`RateBudget`](crate::RateBudget): its settings, checked, and the state
/// its clients keep, made when the first client fixes the credential (which names the keys).
pub(crate) struct Shared {
    settings: RedisBudget,
    started: OnceLock<SharedBudget>,
}

impl Shared {
    pub(crate) fn new(settings: RedisBudget) -> Result<Self, Error> {
        settings.check()?;
        Ok(Self {
            settings,
            started: OnceLock::new(),
        })
    }

    pub(crate) fn settings(&self) -> &RedisBudget {
        &self.settings
    }

    /// Makes the state for `fingerprint`'s budget, once (the budget refuses other credentials).
    pub(crate) fn start(&self, fingerprint: Fingerprint, per_second: u32) {
        self.started.get_or_init(|| {
            let key = self.settings.key(fingerprint);
            SharedBudget::new(self.settings.clone(), key, per_second)
        });
    }

    pub(crate) fn started(&self) -> Option<&SharedBudget> {
        self.started.get()
    }
}
