//! Credentials on the wire: a fixed header for a bearer token or an API key, and the OAuth client
//! credentials token cache (R14) — fetched on first use, shared by every clone, refreshed a little
//! before expiry and once after a 401, single-flight, and never more than the token endpoint's
//! 10 per minute.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use http::{HeaderName, HeaderValue};
use tokio::time::Instant;
use url::Url;
use wa_stats_model::endpoint::{API_KEY_HEADER, TOKEN_LIMIT_WINDOW, TOKENS_PER_MINUTE};
use wa_stats_model::window::SlidingWindowLog;
use wa_stats_model::{Secret, TokenRequest, TokenResponse};

use crate::error::{Error, Setting};
use crate::token_answer::{later, lifetime};

/// R14's window plus half a second, so that our clock and the server's need not agree to the
/// millisecond.
pub(crate) const FETCH_WINDOW: Duration =
    TOKEN_LIMIT_WINDOW.saturating_add(Duration::from_millis(500));
/// A token is refreshed at least this long before it expires (unless its life is shorter than
/// twice this).
const MIN_REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// A header value that `Debug` and HTTP/2 header compression treat as secret.
pub(crate) fn sensitive_header(value: &str) -> Result<HeaderValue, Error> {
    let mut header = HeaderValue::from_str(value).map_err(|_| {
        // The value is a credential: say what is wrong without echoing it.
        Error::bad_setting(
            Setting::Credential,
            "the credential contains characters that cannot go in an HTTP header",
        )
    })?;
    header.set_sensitive(true);
    Ok(header)
}

/// `Authorization: Bearer <token>`, marked sensitive.
pub(crate) fn bearer_header(token: &Secret) -> Result<HeaderValue, Error> {
    sensitive_header(&format!("Bearer {}", token.expose()))
}

/// `x-ins-auth-key: <key>`'s name.
pub(crate) fn api_key_header_name() -> HeaderName {
    HeaderName::from_static(API_KEY_HEADER)
}

/// The credential header for one attempt, and which cached token it came from (so that a 401
/// invalidates only that token, not a newer one another task already fetched).
#[derive(Debug, Clone)]
pub(crate) struct AuthHeader {
    pub(crate) name: HeaderName,
    pub(crate) value: HeaderValue,
    pub(crate) generation: Option<u64>,
}

/// How a client authenticates each request.
pub(crate) enum Auth {
    /// The same header every time: an API key, or a bearer token (kept as given too, for
    /// [`Client::access_token`](crate::Client::access_token)).
    Static {
        header: AuthHeader,
        bearer: Option<Secret>,
    },
    /// A token from the token endpoint, cached.
    ClientCredentials(Box<OAuthClient>),
}

/// An OAuth client: what to ask the token endpoint, where, and the cache of its answer.
pub(crate) struct OAuthClient {
    pub(crate) request: TokenRequest,
    pub(crate) token_url: Url,
    pub(crate) cache: TokenCache,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Static { header, .. } => write!(f, "Static({}: ** redacted **)", header.name),
            Self::ClientCredentials(oauth) => f
                .debug_struct("ClientCredentials")
                .field("token_url", &oauth.token_url.as_str())
                .finish_non_exhaustive(),
        }
    }
}

/// A token in the cache.
#[derive(Debug, Clone)]
struct Cached {
    token: Secret,
    header: HeaderValue,
    refresh_at: Instant,
    expires_at: Instant,
    generation: u64,
}

#[derive(Debug)]
struct State {
    current: Option<Cached>,
    generation: u64,
    /// When the last (up to) 10 fetches started.
    recent_fetches: SlidingWindowLog<Instant>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            current: None,
            generation: 0,
            recent_fetches: SlidingWindowLog::new(TOKENS_PER_MINUTE, FETCH_WINDOW),
        }
    }
}

/// The token cache. The fetch itself is passed in by the caller, so this type holds only the
/// policy (and can be tested without a server).
#[derive(Debug, Default)]
pub(crate) struct TokenCache {
    // A tokio mutex, held across the fetch on purpose: that is what makes the fetch single-flight.
    // Everyone arriving meanwhile waits and then finds the fresh token.
    state: tokio::sync::Mutex<State>,
    /// The cache shared with other processes, when the client was given one: asked whenever
    /// this process's copy is due, and the one that decides whether to fetch.
    #[cfg(feature = "token-cache")]
    shared: Option<crate::token_cache::SharedTokens>,
}

impl Cached {
    /// What a caller gets: the token, its header, and its generation (for a later 401).
    fn handed_out(&self) -> (Secret, HeaderValue, u64) {
        (self.token.clone(), self.header.clone(), self.generation)
    }
}

/// Keeps a newly obtained token (with when to refresh it and when it expires), or, when none
/// could be had, the current one while it still works.
fn settle<E>(
    state: &mut State,
    obtained: Result<(Secret, Instant, Instant), E>,
    usable: Option<Cached>,
) -> Result<(Secret, HeaderValue, u64), E>
where
    E: From<Error> + fmt::Display,
{
    let obtained = obtained.and_then(|(token, refresh_at, expires_at)| {
        let header = bearer_header(&token).map_err(E::from)?;
        Ok((token, header, refresh_at, expires_at))
    });
    match obtained {
        Ok((token, header, refresh_at, expires_at)) => {
            state.generation += 1;
            let cached = Cached {
                token,
                header,
                refresh_at,
                expires_at,
                generation: state.generation,
            };
            let handed_out = cached.handed_out();
            state.current = Some(cached);
            Ok(handed_out)
        }
        Err(error) => match usable {
            Some(cached) => {
                tracing::warn!(error = %error, "token refresh failed; using the current token until it expires");
                Ok(cached.handed_out())
            }
            None => Err(error),
        },
    }
}

/// When to refresh a token valid for `ttl` from `issued`: at 90 % of its life or 60 s before it
/// expires, whichever is sooner — but never in the first half of its life, so that a short-lived
/// token is not refetched on every call.
fn refresh_at(issued: Instant, ttl: Duration) -> Instant {
    later(issued, ttl.saturating_sub(refresh_margin(ttl)))
}

/// How long before its expiry a token valid for `ttl` is refreshed (see [`refresh_at`]).
pub(crate) fn refresh_margin(ttl: Duration) -> Duration {
    (ttl / 10).max(MIN_REFRESH_MARGIN).min(ttl / 2)
}

impl TokenCache {
    /// A cache in front of one shared with other processes.
    #[cfg(feature = "token-cache")]
    pub(crate) fn shared(shared: crate::token_cache::SharedTokens) -> Self {
        Self {
            state: tokio::sync::Mutex::default(),
            shared: Some(shared),
        }
    }

    /// The current token, fetching one with `fetch` when there is none or it is due for refresh.
    pub(crate) async fn get<F, Fut, E>(&self, fetch: F) -> Result<(Secret, HeaderValue, u64), E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<TokenResponse, E>>,
        E: From<Error> + fmt::Display,
    {
        let mut state = self.state.lock().await;
        let now = Instant::now();
        if let Some(cached) = state.current.as_ref().filter(|c| now < c.refresh_at) {
            return Ok(cached.handed_out());
        }
        let usable = state.current.clone().filter(|c| now < c.expires_at);

        #[cfg(feature = "token-cache")]
        if let Some(shared) = &self.shared {
            let recent = &mut state.recent_fetches;
            let obtained = shared
                .get(|| async move {
                    // This process's own fetches stay under the limit too, whatever the store
                    // knows (it may be failing).
                    if let Some(allowed) = recent.next_allowed() {
                        tokio::time::sleep_until(allowed).await;
                    }
                    recent.record(Instant::now());
                    fetch().await
                })
                .await
                .map(|obtained| {
                    let now = Instant::now();
                    let (refresh_in, expires_in) = (obtained.refresh_in, obtained.expires_in);
                    (
                        obtained.token,
                        later(now, refresh_in),
                        later(now, expires_in),
                    )
                });
            return settle(&mut state, obtained, usable);
        }

        // Stay under the endpoint's limit: a refresh that would be the 11th fetch in a minute
        // waits, unless the old token still works, in which case it is used meanwhile.
        if let Some(allowed) = state.recent_fetches.next_allowed()
            && now < allowed
        {
            if let Some(cached) = &usable {
                return Ok(cached.handed_out());
            }
            tracing::debug!(
                wait_ms = u64::try_from((allowed - now).as_millis()).unwrap_or(u64::MAX),
                "token fetch limit reached; waiting"
            );
            tokio::time::sleep_until(allowed).await;
        }
        let started = Instant::now();
        state.recent_fetches.record(started);
        let fetched = fetch().await.map(|answer| {
            tracing::debug!(
                expires_in = answer.expires_in,
                "fetched an OAuth access token"
            );
            // Counted from when the request left, so the cache never outlives the token.
            let ttl = lifetime(answer.expires_in);
            (
                answer.access_token,
                refresh_at(started, ttl),
                later(started, ttl),
            )
        });
        settle(&mut state, fetched, usable)
    }

    /// Forgets the token of `generation` after the API refused it with 401, unless a newer one
    /// has replaced it already.
    pub(crate) async fn invalidate(&self, generation: u64) {
        let mut state = self.state.lock().await;
        if state
            .current
            .as_ref()
            .is_some_and(|c| c.generation == generation)
        {
            #[cfg_attr(
                not(feature = "token-cache"),
                allow(unused_variables, reason = "only a shared cache is told")
            )]
            let refused = state.current.take();
            #[cfg(feature = "token-cache")]
            if let (Some(shared), Some(refused)) = (&self.shared, refused) {
                shared.drop_token(&refused.token).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    fn counting_fetch(
        count: &Arc<AtomicU32>,
        ttl: u64,
    ) -> impl Future<Output = Result<TokenResponse, Error>> + use<> {
        let count = Arc::clone(count);
        async move {
            let n = count.fetch_add(1, Ordering::SeqCst) + 1;
            tokio::time::sleep(Duration::from_millis(50)).await;
            Ok(TokenResponse::bearer(format!("token-{n}"), ttl))
        }
    }

    #[test]
    fn refresh_margin() {
        let t0 = Instant::now();
        let at = |ttl| refresh_at(t0, Duration::from_secs(ttl)) - t0;
        assert_eq!(at(3600), Duration::from_secs(3240));
        assert_eq!(at(300), Duration::from_secs(240));
        assert_eq!(at(60), Duration::from_secs(30));
        assert_eq!(at(2), Duration::from_secs(1));
        assert_eq!(at(0), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_share_one_fetch() {
        let cache = Arc::new(TokenCache::default());
        let count = Arc::new(AtomicU32::new(0));
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let (cache, count) = (Arc::clone(&cache), Arc::clone(&count));
            tasks.push(tokio::spawn(async move {
                cache.get(|| counting_fetch(&count, 3600)).await.unwrap().0
            }));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap().expose(), "token-1");
        }
        assert_eq!(count.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn refreshes_before_expiry_and_after_invalidation_once() {
        let cache = TokenCache::default();
        let count = Arc::new(AtomicU32::new(0));
        let (_, _, first) = cache.get(|| counting_fetch(&count, 100)).await.unwrap();
        tokio::time::sleep(Duration::from_secs(45)).await;
        assert_eq!(
            cache.get(|| counting_fetch(&count, 100)).await.unwrap().2,
            first
        );
        tokio::time::sleep(Duration::from_secs(10)).await; // 55 s: past the 50 s refresh point
        let (token, _, second) = cache.get(|| counting_fetch(&count, 100)).await.unwrap();
        assert_eq!(
            (token.expose(), count.load(Ordering::SeqCst)),
            ("token-2", 2)
        );

        // Two tasks that saw a 401 with the same token cause one refetch, not two.
        cache.invalidate(second).await;
        cache.invalidate(second).await;
        let (_, _, third) = cache.get(|| counting_fetch(&count, 100)).await.unwrap();
        cache.invalidate(second).await; // stale: must not drop the new token
        assert_eq!(
            cache.get(|| counting_fetch(&count, 100)).await.unwrap().2,
            third
        );
        assert_eq!(count.load(Ordering::SeqCst), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn never_more_than_ten_fetches_a_minute() {
        let cache = TokenCache::default();
        let count = Arc::new(AtomicU32::new(0));
        let mut starts = Vec::new();
        for _ in 0..25 {
            let (_, _, generation) = cache.get(|| counting_fetch(&count, 3600)).await.unwrap();
            starts.push(Instant::now());
            cache.invalidate(generation).await;
        }
        assert_eq!(count.load(Ordering::SeqCst), 25);
        // Fetches started 50 ms before each recorded instant; any 60 s window holds at most 10.
        let peak = wa_stats_model::window::peak_in_window(&starts, TOKEN_LIMIT_WINDOW);
        assert!(peak <= 10, "peak {peak}");
    }

    /// Issue 31, item 1: a lifetime no clock can add is kept for a year, without a panic.
    #[tokio::test(start_paused = true)]
    async fn a_lifetime_past_any_clock_is_kept_for_a_year() {
        let cache = TokenCache::default();
        let count = Arc::new(AtomicU32::new(0));
        cache
            .get(|| counting_fetch(&count, u64::MAX))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_secs(300 * 86_400)).await;
        cache
            .get(|| counting_fetch(&count, u64::MAX))
            .await
            .unwrap();
        assert_eq!(
            count.load(Ordering::SeqCst),
            1,
            "still fresh after 300 days"
        );
        tokio::time::sleep(Duration::from_secs(65 * 86_400)).await;
        cache
            .get(|| counting_fetch(&count, u64::MAX))
            .await
            .unwrap();
        assert_eq!(count.load(Ordering::SeqCst), 2, "refreshed within the year");
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_refresh_keeps_the_old_token_until_it_expires() {
        let cache = TokenCache::default();
        let count = Arc::new(AtomicU32::new(0));
        cache.get(|| counting_fetch(&count, 100)).await.unwrap();
        tokio::time::sleep(Duration::from_secs(60)).await;
        let failing = || async { Err(Error::config("token endpoint down")) };
        assert_eq!(cache.get(failing).await.unwrap().0.expose(), "token-1");
        tokio::time::sleep(Duration::from_secs(41)).await;
        assert!(cache.get(failing).await.is_err());
    }
}
