//! Rate limiting as one subsystem: [`RateBudget`], the handle every client paces under. A budget
//! is local (one [`LocalPacer`] in this process) or, with feature `redis`, shared through Redis
//! by every process and host on the credential (`redis/`, with the local pacer as its fallback).
//!
//! Nothing here is global: clones of a client share its budget because they share the handle,
//! and separately built clients share one only when given the same handle. A budget serves one
//! credential (the first client built with it fixes which, by [`Fingerprint`]), since the API's
//! limit is per credential (R9): sharing one between credentials would only slow both down.

use std::fmt;
use std::sync::{Arc, OnceLock};

use tokio::time::Instant;

use crate::error::{Error, Setting};

mod fingerprint;
mod local;
#[cfg(feature = "redis")]
pub(crate) mod redis;

pub(crate) use fingerprint::Fingerprint;
pub(crate) use local::LocalPacer;

/// A rate budget: at most `per_second` requests in any sliding second, evenly spaced, for every
/// client given this handle (or a clone of it) and every clone of those clients.
///
/// A client built without one makes its own at 100 a second (R9),
/// which its clones share and no other client does. To pace separately built clients of one
/// credential together, give them the same handle:
///
/// ```
/// use wa_stats_client::{Client, RateBudget};
///
/// let budget = RateBudget::local(100)?;
/// let exporter = Client::builder().api_key("INS.example-key").rate_budget(budget.clone()).build()?;
/// let reporter = Client::builder()
///     .api_key("INS.example-key")
///     .timeout(std::time::Duration::from_secs(5))
///     .rate_budget(budget.clone())
///     .build()?;
/// assert!(exporter.rate_budget().unwrap().same_budget(&budget));
/// assert_eq!(reporter.rate_budget().unwrap().per_second(), 100);
/// # Ok::<(), wa_stats_client::Error>(())
/// ```
///
/// A budget serves one credential: a client of another credential given it is refused by
/// [`build`](crate::ClientBuilder::build) ([`Setting::RateBudget`]).
///
/// Its instants are those of the tokio runtime that first uses it; a budget used from two
/// runtimes whose clocks differ (a test's paused clock and a real one) paces by the first.
#[derive(Clone)]
pub struct RateBudget {
    inner: Arc<Budget>,
}

struct Budget {
    per_second: u32,
    local: LocalPacer,
    /// The credential this budget serves, fixed by the first client built with it.
    credential: OnceLock<Fingerprint>,
    #[cfg(feature = "redis")]
    shared: Option<redis::Shared>,
}

impl fmt::Debug for RateBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("RateBudget");
        debug.field("per_second", &self.inner.per_second);
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.inner.shared {
            debug.field("redis", shared.settings());
        }
        debug.finish_non_exhaustive()
    }
}

impl RateBudget {
    /// A budget in this process alone, for `per_second` requests per second (at least 1).
    ///
    /// ```
    /// use wa_stats_client::{RateBudget, Setting};
    /// assert_eq!(RateBudget::local(20)?.per_second(), 20);
    /// assert_eq!(RateBudget::local(0).unwrap_err().setting(), Some(Setting::RateBudget));
    /// # Ok::<(), wa_stats_client::Error>(())
    /// ```
    pub fn local(per_second: u32) -> Result<Self, Error> {
        if per_second == 0 {
            return Err(Error::bad_setting(
                Setting::RateBudget,
                "a rate budget needs at least 1 request per second",
            ));
        }
        Ok(Self::new(per_second))
    }

    fn new(per_second: u32) -> Self {
        Self {
            inner: Arc::new(Budget {
                per_second,
                local: LocalPacer::new(per_second),
                credential: OnceLock::new(),
                #[cfg(feature = "redis")]
                shared: None,
            }),
        }
    }

    /// A budget of `per_second` requests per second shared through Redis by every process and
    /// host on the same credential and [namespace](crate::RedisBudget::namespace) (feature
    /// `redis`; see docs/client.md, "Shared budget"). The namespace is the budget's partition
    /// name: processes share a budget when they name the same one. Checks the settings before
    /// any I/O: plain `redis://` to a host that is not loopback without
    /// [`allow_insecure`](crate::RedisBudget::allow_insecure) is [`Error::InsecureUrl`], a zero
    /// rate or timeout [`Error::Config`], both naming [`Setting::SharedBudget`].
    ///
    /// ```
    /// use wa_stats_client::{Client, RateBudget, RedisBudget};
    /// let budget = RateBudget::redis(100, RedisBudget::new("redis://127.0.0.1:6379")?)?;
    /// let client = Client::builder().api_key("INS.example-key").rate_budget(budget).build()?;
    /// # Ok::<(), wa_stats_client::Error>(())
    /// ```
    #[cfg(feature = "redis")]
    pub fn redis(per_second: u32, settings: crate::RedisBudget) -> Result<Self, Error> {
        if per_second == 0 {
            return Err(Error::bad_setting(
                Setting::SharedBudget,
                "a shared budget needs a rate of at least 1 request per second",
            ));
        }
        let shared = redis::Shared::new(settings)?;
        let mut budget = Self::new(per_second);
        if let Some(inner) = Arc::get_mut(&mut budget.inner) {
            inner.shared = Some(shared);
        }
        Ok(budget)
    }

    /// Requests per second this budget allows.
    pub fn per_second(&self) -> u32 {
        self.inner.per_second
    }

    /// Whether `other` is this budget (a clone of the same handle), not merely one like it.
    pub fn same_budget(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// Ties the budget to the credential of a client being built: the first fixes it, and a
    /// client of another credential is refused.
    pub(crate) fn bind(&self, credential: Fingerprint) -> Result<(), Error> {
        let bound = *self.inner.credential.get_or_init(|| credential);
        if bound != credential {
            return Err(Error::bad_setting(
                Setting::RateBudget,
                "this rate budget already paces another credential; the API's limit is per \
                 credential, so give each credential a budget of its own",
            ));
        }
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.inner.shared {
            shared.start(credential, self.inner.per_second);
        }
        Ok(())
    }

    /// Waits until this caller may send. Fails only with a shared budget set to fail closed
    /// while Redis is unavailable.
    pub(crate) async fn admit(&self) -> Result<(), Error> {
        #[cfg(feature = "redis")]
        if let Some(shared) = self.inner.shared.as_ref().and_then(redis::Shared::started) {
            return shared.admit(&self.inner.local).await;
        }
        self.inner.local.admit().await;
        Ok(())
    }

    /// Admits nobody before `until` (see [`LocalPacer::hold_until`]). With a shared budget only
    /// this process holds back: the shared schedule keeps every process under the limit, so a
    /// 429 there means another client of the key (one not on the budget) took the slot.
    pub(crate) fn hold_until(&self, until: Instant) {
        self.inner.local.hold_until(until);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_serves_one_credential() {
        let budget = RateBudget::local(10).unwrap();
        let key = Fingerprint::of("api_key", "one");
        budget.bind(key).unwrap();
        budget.bind(key).unwrap();
        let refused = budget.bind(Fingerprint::of("api_key", "two")).unwrap_err();
        assert_eq!(refused.setting(), Some(Setting::RateBudget));
        assert!(budget.same_budget(&budget.clone()));
        assert!(!budget.same_budget(&RateBudget::local(10).unwrap()));
        assert_eq!(format!("{budget:?}"), "RateBudget { per_second: 10, .. }");
    }
}
