//! How the processes of one credential take turns at a [`TokenStore`]: anyone reads the record
//! without the lock and uses a token that is not yet due for refresh; otherwise it takes the
//! lock, reads again (another process may just have refreshed), and only then asks the token
//! endpoint, holding the lock, after recording the request in the record's log so that the
//! endpoint's 10 a minute hold for all of them. A store that fails does not fail the call: the
//! process fetches its own token, as without a cache, and says so once.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use wa_stats_model::endpoint::TOKENS_PER_MINUTE;
use wa_stats_model::window::SlidingWindowLog;
use wa_stats_model::{Secret, TokenResponse};

use super::TokenStore;
use super::sealed::{Record, Sealer, StoredToken, from_unix_ms, unix_ms};
use crate::credentials::{FETCH_WINDOW, refresh_margin};
use crate::token_answer::{MAX_TOKEN_LIFETIME, later, lifetime};

/// A token as the cache hands it out: how long it stays fresh and how long it lives, from now.
#[derive(Debug)]
pub(crate) struct Obtained {
    pub(crate) token: Secret,
    pub(crate) refresh_in: Duration,
    pub(crate) expires_in: Duration,
}

/// One credential's side of a store.
#[derive(Debug)]
pub(crate) struct SharedTokens {
    store: Arc<dyn TokenStore>,
    sealer: Sealer,
    warned: AtomicBool,
}

impl Obtained {
    fn from_stored(token: StoredToken, now: SystemTime) -> Self {
        // A record holds what its writer computed; the cap keeps any clock arithmetic on it safe.
        let until = |ms| {
            from_unix_ms(ms)
                .duration_since(now)
                .unwrap_or_default()
                .min(MAX_TOKEN_LIFETIME)
        };
        Self {
            refresh_in: until(token.refresh_at),
            expires_in: until(token.expires_at),
            token: token.access_token,
        }
    }

    fn fetched(answer: TokenResponse, started: SystemTime) -> (Self, StoredToken) {
        // Counted from when the request left, so no process keeps a token past its life.
        let ttl = lifetime(answer.expires_in);
        let stored = StoredToken {
            access_token: answer.access_token,
            refresh_at: unix_ms(later(started, ttl.saturating_sub(refresh_margin(ttl)))),
            expires_at: unix_ms(later(started, ttl)),
        };
        (Self::from_stored(stored.clone(), started), stored)
    }
}

impl SharedTokens {
    pub(crate) fn new(store: Arc<dyn TokenStore>, sealer: Sealer) -> Self {
        Self {
            store,
            sealer,
            warned: AtomicBool::new(false),
        }
    }

    /// The record as it is now; a record that does not open (another version, altered) counts
    /// as none, and is replaced at the next fetch.
    async fn record(&self) -> std::io::Result<Record> {
        let bytes = self.store.read(self.sealer.name()).await?;
        Ok(bytes
            .and_then(|bytes| self.sealer.open(&bytes))
            .unwrap_or_default())
    }

    fn fresh(record: &Record, now: SystemTime) -> Option<Obtained> {
        let now_ms = unix_ms(now);
        record
            .token
            .clone()
            .filter(|token| now_ms < token.refresh_at)
            .map(|token| Obtained::from_stored(token, now))
    }

    /// The shared token, or a new one fetched with `fetch` by this process when it is due.
    pub(crate) async fn get<F, Fut, E>(&self, fetch: F) -> Result<Obtained, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<TokenResponse, E>>,
    {
        if let Ok(record) = self.record().await
            && let Some(obtained) = Self::fresh(&record, SystemTime::now())
        {
            return Ok(obtained);
        }
        loop {
            let mut lock = match self.store.lock(self.sealer.name()).await {
                Ok(lock) => lock,
                Err(error) => return self.without_store(&error, fetch).await,
            };
            let record = match self.record().await {
                Ok(record) => record,
                Err(error) => {
                    lock.release().await;
                    return self.without_store(&error, fetch).await;
                }
            };
            let now = SystemTime::now();
            if let Some(obtained) = Self::fresh(&record, now) {
                lock.release().await;
                return Ok(obtained);
            }
            let usable = record
                .token
                .clone()
                .filter(|token| unix_ms(now) < token.expires_at);
            let mut log = SlidingWindowLog::new(TOKENS_PER_MINUTE, FETCH_WINDOW);
            for &at in &record.fetches {
                log.record(from_unix_ms(at));
            }
            if !log.allows(now) {
                lock.release().await;
                // The endpoint's limit is reached across the processes: an old token that still
                // works serves meanwhile; without one, wait for the next slot and look again.
                if let Some(token) = usable {
                    return Ok(Obtained::from_stored(token, now));
                }
                let wait = log
                    .next_allowed()
                    .and_then(|allowed| allowed.duration_since(now).ok())
                    .unwrap_or_default();
                tracing::debug!(
                    wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                    "token request limit reached across processes; waiting"
                );
                tokio::time::sleep(wait).await;
                continue;
            }
            // The request is counted before it leaves: a failed one counts against the limit
            // as well.
            let mut fetches: Vec<u64> = record.fetches.clone();
            fetches.push(unix_ms(now));
            let keep = usize::try_from(TOKENS_PER_MINUTE).unwrap_or(usize::MAX);
            let excess = fetches.len().saturating_sub(keep);
            fetches.drain(..excess);
            let mut record = Record {
                token: record.token,
                fetches,
            };
            if let Err(error) = lock.write(self.sealer.seal(&record)).await {
                self.warn(&error);
            }
            let result = fetch().await;
            let outcome = match result {
                Ok(answer) => {
                    let (obtained, stored) = Obtained::fetched(answer, now);
                    record.token = Some(stored);
                    if let Err(error) = lock.write(self.sealer.seal(&record)).await {
                        self.warn(&error);
                    }
                    Ok(obtained)
                }
                Err(error) => match usable {
                    Some(token) => Ok(Obtained::from_stored(token, SystemTime::now())),
                    None => Err(error),
                },
            };
            lock.release().await;
            return outcome;
        }
    }

    /// Drops `token` from the store after the API refused it, unless another process has
    /// replaced it already.
    pub(crate) async fn drop_token(&self, token: &Secret) {
        let mut lock = match self.store.lock(self.sealer.name()).await {
            Ok(lock) => lock,
            Err(error) => return self.warn(&error),
        };
        match self.record().await {
            Ok(mut record)
                if record
                    .token
                    .as_ref()
                    .is_some_and(|stored| &stored.access_token == token) =>
            {
                record.token = None;
                if let Err(error) = lock.write(self.sealer.seal(&record)).await {
                    self.warn(&error);
                }
            }
            Ok(_) => {}
            Err(error) => self.warn(&error),
        }
        lock.release().await;
    }

    async fn without_store<F, Fut, E>(
        &self,
        error: &std::io::Error,
        fetch: F,
    ) -> Result<Obtained, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<TokenResponse, E>>,
    {
        self.warn(error);
        let started = SystemTime::now();
        fetch()
            .await
            .map(|answer| Obtained::fetched(answer, started).0)
    }

    fn warn(&self, error: &std::io::Error) {
        if !self.warned.swap(true, Ordering::Relaxed) {
            // The error says which store and why, in words; the store's `Debug` is for developers.
            tracing::warn!(%error, "token cache unavailable; this process fetches its own token");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::io;
    use std::sync::Mutex;
    use std::sync::atomic::AtomicU32;

    use futures_util::future::BoxFuture;

    use super::*;
    use crate::error::Error;
    use crate::token_cache::TokenStoreLock;

    /// A store in memory, as a user's own store would be written.
    #[derive(Debug, Default)]
    struct Memory {
        records: Arc<Mutex<BTreeMap<String, Vec<u8>>>>,
        lock: Arc<tokio::sync::Mutex<()>>,
    }

    struct Held {
        records: Arc<Mutex<BTreeMap<String, Vec<u8>>>>,
        name: String,
        _guard: tokio::sync::OwnedMutexGuard<()>,
    }

    impl TokenStore for Memory {
        fn read<'a>(&'a self, name: &'a str) -> BoxFuture<'a, io::Result<Option<Vec<u8>>>> {
            Box::pin(async move { Ok(self.records.lock().unwrap().get(name).cloned()) })
        }

        fn lock<'a>(&'a self, name: &'a str) -> BoxFuture<'a, io::Result<Box<dyn TokenStoreLock>>> {
            Box::pin(async move {
                let guard = Arc::clone(&self.lock).lock_owned().await;
                Ok(Box::new(Held {
                    records: Arc::clone(&self.records),
                    name: name.to_owned(),
                    _guard: guard,
                }) as Box<dyn TokenStoreLock>)
            })
        }
    }

    impl TokenStoreLock for Held {
        fn write(&mut self, sealed: Vec<u8>) -> BoxFuture<'_, io::Result<()>> {
            Box::pin(async move {
                self.records
                    .lock()
                    .unwrap()
                    .insert(self.name.clone(), sealed);
                Ok(())
            })
        }

        fn release(self: Box<Self>) -> BoxFuture<'static, ()> {
            Box::pin(async {})
        }
    }

    fn process(store: &Arc<dyn TokenStore>) -> SharedTokens {
        let sealer = Sealer::new("http://127.0.0.1:1/auth/token", "c", &"s".into());
        SharedTokens::new(Arc::clone(store), sealer)
    }

    async fn fetch(count: &AtomicU32) -> Result<TokenResponse, Error> {
        let n = count.fetch_add(1, Ordering::SeqCst) + 1;
        Ok(TokenResponse::bearer(format!("token-{n}"), 3600))
    }

    #[tokio::test(start_paused = true)]
    async fn the_eleventh_token_request_in_a_minute_across_processes_waits() {
        let store: Arc<dyn TokenStore> = Arc::new(Memory::default());
        let count = AtomicU32::new(0);
        // Ten processes in a row each find the token refused and fetch a new one.
        for n in 1..=10 {
            let shared = process(&store);
            let obtained: Obtained = shared.get(|| fetch(&count)).await.unwrap();
            assert_eq!(obtained.token.expose(), format!("token-{n}"));
            shared.drop_token(&obtained.token).await;
        }
        // The eleventh waits for the oldest request to leave the window (the store's clock is
        // the wall clock, which this paused test does not move), and sends nothing meanwhile.
        let eleventh = process(&store);
        let waited =
            tokio::time::timeout(Duration::from_secs(30), eleventh.get(|| fetch(&count))).await;
        assert!(waited.is_err(), "it did not wait");
        assert_eq!(count.load(Ordering::SeqCst), 10);
    }

    #[tokio::test(start_paused = true)]
    async fn a_fresh_token_serves_every_process_and_a_stale_drop_keeps_the_new_one() {
        let store: Arc<dyn TokenStore> = Arc::new(Memory::default());
        let count = AtomicU32::new(0);
        let first = process(&store).get(|| fetch(&count)).await.unwrap();
        for _ in 0..5 {
            let again = process(&store).get(|| fetch(&count)).await.unwrap();
            assert_eq!(again.token, first.token);
            assert!(again.expires_in <= Duration::from_secs(3600));
        }
        assert_eq!(count.load(Ordering::SeqCst), 1);
        let shared = process(&store);
        shared.drop_token(&first.token).await;
        let second = shared.get(|| fetch(&count)).await.unwrap();
        // A process that saw the first token refused late does not drop the second.
        process(&store).drop_token(&first.token).await;
        assert_eq!(
            process(&store).get(|| fetch(&count)).await.unwrap().token,
            second.token
        );
        assert_eq!(count.load(Ordering::SeqCst), 2);
    }
}
