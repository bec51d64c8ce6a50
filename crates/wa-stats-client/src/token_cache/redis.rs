//! The token cache in Redis, for processes on many machines: the sealed record at
//! `NS:token:NAME` and its lock at `NS:token:NAME:lock` (`SET NX PX`, released only by its
//! holder, expiring on its own if the holder dies), in the Redis and namespace of a shared rate
//! budget.

use std::io;
use std::time::Duration;

use futures_util::future::BoxFuture;
use redis::AsyncConnectionConfig;
use redis::aio::MultiplexedConnection;

use super::{TokenStore, TokenStoreLock};
use crate::RedisBudget;

/// A lock outlives the longest token request (the attempt timeout, 30 s by default) so that a
/// slow holder keeps it, and ends on its own if the holder died.
const LOCK_LIFE: Duration = Duration::from_secs(120);
/// How often a waiter tries the lock again.
const LOCK_POLL: Duration = Duration::from_millis(10);
/// A record outlives any token (the API's live an hour) and its fetch log (a minute); one that
/// nobody touches for a day goes by itself.
const RECORD_LIFE: Duration = Duration::from_secs(86_400);

/// Deletes the lock only if it is still this holder's (it may have expired and been taken).
const RELEASE: &str =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

fn io_error(error: &redis::RedisError) -> io::Error {
    // Never the URL: it may hold a password.
    io::Error::other(format!("Redis: {}", error.category()))
}

/// Records in one Redis.
pub(crate) struct RedisStore {
    client: redis::Client,
    shown: String,
    namespace: String,
    timeout: Duration,
    connection: tokio::sync::OnceCell<MultiplexedConnection>,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("url", &self.shown)
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    pub(crate) fn new(budget: &RedisBudget) -> Self {
        Self {
            client: budget.client.clone(),
            shown: budget.shown.clone(),
            namespace: budget.namespace.clone(),
            timeout: budget.timeout,
            connection: tokio::sync::OnceCell::new(),
        }
    }

    fn key(&self, name: &str) -> String {
        format!("{}:token:{name}", self.namespace)
    }

    async fn connection(&self) -> io::Result<MultiplexedConnection> {
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout));
        self.connection
            .get_or_try_init(|| {
                self.client
                    .get_multiplexed_async_connection_with_config(&config)
            })
            .await
            .cloned()
            .map_err(|error| io_error(&error))
    }

    async fn lock_now(&self, name: &str) -> io::Result<Box<dyn TokenStoreLock>> {
        let mut connection = self.connection().await?;
        let key = self.key(name);
        let lock_key = format!("{key}:lock");
        let holder = format!("{:032x}", rand::random::<u128>());
        let life_ms = u64::try_from(LOCK_LIFE.as_millis()).unwrap_or(u64::MAX);
        let started = tokio::time::Instant::now();
        loop {
            let taken: Option<String> = redis::cmd("SET")
                .arg(&lock_key)
                .arg(&holder)
                .arg("NX")
                .arg("PX")
                .arg(life_ms)
                .query_async(&mut connection)
                .await
                .map_err(|error| io_error(&error))?;
            if taken.is_some() {
                return Ok(Box::new(RedisLock {
                    connection,
                    key,
                    lock_key,
                    holder,
                }));
            }
            if started.elapsed() >= LOCK_LIFE {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the token cache's lock in Redis stayed taken",
                ));
            }
            tokio::time::sleep(LOCK_POLL).await;
        }
    }
}

impl TokenStore for RedisStore {
    fn read<'a>(&'a self, name: &'a str) -> BoxFuture<'a, io::Result<Option<Vec<u8>>>> {
        Box::pin(async move {
            let mut connection = self.connection().await?;
            redis::cmd("GET")
                .arg(self.key(name))
                .query_async(&mut connection)
                .await
                .map_err(|error| io_error(&error))
        })
    }

    fn lock<'a>(&'a self, name: &'a str) -> BoxFuture<'a, io::Result<Box<dyn TokenStoreLock>>> {
        Box::pin(self.lock_now(name))
    }
}

struct RedisLock {
    connection: MultiplexedConnection,
    key: String,
    lock_key: String,
    holder: String,
}

impl TokenStoreLock for RedisLock {
    fn write(&mut self, sealed: Vec<u8>) -> BoxFuture<'_, io::Result<()>> {
        Box::pin(async move {
            let life_ms = u64::try_from(RECORD_LIFE.as_millis()).unwrap_or(u64::MAX);
            redis::cmd("SET")
                .arg(&self.key)
                .arg(sealed)
                .arg("PX")
                .arg(life_ms)
                .query_async::<()>(&mut self.connection)
                .await
                .map_err(|error| io_error(&error))
        })
    }

    fn release(self: Box<Self>) -> BoxFuture<'static, ()> {
        Box::pin(async move {
            let mut connection = self.connection;
            // If this fails the lock expires by itself after LOCK_LIFE.
            redis::Script::new(RELEASE)
                .key(&self.lock_key)
                .arg(&self.holder)
                .invoke_async::<i64>(&mut connection)
                .await
                .ok();
        })
    }
}
