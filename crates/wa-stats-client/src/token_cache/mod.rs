//! [`TokenCache`]: one OAuth token per credential for every process that uses it, so that a
//! fleet of workers or a cron job's runs ask the token endpoint once an hour rather than once a
//! process, and stay under its 10 requests a minute (R14) together. Two stores come with it,
//! [`TokenCache::disk`] for one machine and [`TokenCache::redis`] for many; any other is a
//! [`TokenStore`]. Every store holds only sealed records (see `sealed`), and how processes
//! take turns is in `shared`.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use futures_util::future::BoxFuture;

use crate::error::Error;

mod disk;
#[cfg(feature = "redis")]
mod redis;
mod sealed;
mod shared;

pub(crate) use sealed::Sealer;
pub(crate) use shared::SharedTokens;

/// Where the records of a [`TokenCache`] live: a map from a record's name (32 hex digits) to
/// opaque bytes, with an exclusive lock per name that every process sharing the store honours.
///
/// The bytes are sealed before a store sees them (encrypted and authenticated under a key
/// derived from the client secret): a store needs no protection of its own beyond keeping them,
/// and a record that comes back altered is ignored. Errors make the client fetch its own token,
/// as without a cache, with a warning; they never fail a call.
pub trait TokenStore: fmt::Debug + Send + Sync + 'static {
    /// The record named `name`, if there is one. Called with and without the lock held, so a
    /// write must replace a record at once (no reader sees half of one).
    fn read<'a>(&'a self, name: &'a str) -> BoxFuture<'a, io::Result<Option<Vec<u8>>>>;

    /// Waits until this caller holds `name`'s lock. A holder that dies must not keep it for
    /// ever (a file lock ends with its process; a Redis lock expires).
    fn lock<'a>(&'a self, name: &'a str) -> BoxFuture<'a, io::Result<Box<dyn TokenStoreLock>>>;
}

/// A held lock on one record.
pub trait TokenStoreLock: Send {
    /// Replaces the record.
    fn write(&mut self, sealed: Vec<u8>) -> BoxFuture<'_, io::Result<()>>;

    /// Lets the next waiter in.
    fn release(self: Box<Self>) -> BoxFuture<'static, ()>;
}

/// A cache of OAuth access tokens shared across processes; give it to
/// [`ClientBuilder::token_cache`](crate::ClientBuilder::token_cache). Without one, each client
/// keeps its token in memory for its clones alone (the default: a library does not write files
/// unasked).
///
/// ```no_run
/// use wa_stats_client::{Client, TokenCache};
///
/// let client = Client::builder()
///     .client_credentials("demo-client", "demo-secret")
///     .token_cache(TokenCache::in_user_cache_dir()?)
///     .build()?;
/// # Ok::<(), wa_stats_client::Error>(())
/// ```
///
/// Every process of one credential (token URL, client id and secret) then uses one token until
/// it is near expiry, and one of them refreshes it; the token requests of all of them are paced
/// to R14's 10 a minute; a token the API refuses (401) is dropped for all of them.
#[derive(Clone)]
pub struct TokenCache {
    pub(crate) store: Arc<dyn TokenStore>,
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TokenCache").field(&self.store).finish()
    }
}

impl TokenCache {
    /// Records in the directory `dir` (created, mode 0700, if missing), one file per
    /// credential, mode 0600. A directory or record that others may read is refused, as a
    /// profile is: the records are sealed, but what was private stays private.
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("wa-stats-doc-{}", std::process::id()));
    /// let cache = wa_stats_client::TokenCache::disk(&dir)?;
    /// # std::fs::remove_dir_all(&dir).ok();
    /// # Ok::<(), wa_stats_client::Error>(())
    /// ```
    pub fn disk(dir: impl Into<PathBuf>) -> Result<Self, Error> {
        Ok(Self::custom(disk::DiskStore::open(dir.into())?))
    }

    /// [`disk`](Self::disk) in `$XDG_CACHE_HOME/wa-stats`, or `$HOME/.cache/wa-stats` when
    /// `XDG_CACHE_HOME` is unset or not absolute (the XDG base directory rule).
    pub fn in_user_cache_dir() -> Result<Self, Error> {
        Self::disk(disk::user_cache_dir()?)
    }

    /// Records in the Redis of a shared rate budget, under its namespace (`NS:token:NAME`), so
    /// that the processes sharing a budget share the token too and pace their token requests
    /// through the same Redis. Redis holds only sealed records and a lock.
    #[cfg(feature = "redis")]
    pub fn redis(budget: &crate::RedisBudget) -> Self {
        Self::custom(redis::RedisStore::new(budget))
    }

    /// Records in a store of your own.
    pub fn custom(store: impl TokenStore) -> Self {
        Self {
            store: Arc::new(store),
        }
    }
}
