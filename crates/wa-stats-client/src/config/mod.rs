//! [`ClientBuilder`]: the client's settings, every public setter in this one file (the TLS
//! roots' too; `tls.rs` only applies them). Their default values are in `defaults.rs`; the
//! checks that refuse a bad setting before any I/O live in `build.rs`.

use std::fmt;
use std::time::Duration;

use wa_stats_model::Secret;

use crate::rate::{Fingerprint, RateBudget};
use crate::retry::Backoff;

mod build;
mod defaults;
#[cfg(test)]
mod tests;

pub use defaults::{
    DEFAULT_BACKOFF_BASE, DEFAULT_BACKOFF_CAP, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_ATTEMPTS,
    DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_RETRY_AFTER, DEFAULT_RETRY_QUOTA, DEFAULT_TIMEOUT,
};

/// The credential a client sends.
#[derive(Clone)]
enum Credential {
    Bearer(Secret),
    ApiKey(Secret),
    ClientCredentials { client_id: String, secret: Secret },
}

impl Credential {
    /// Names the credential's rate budget. An OAuth client's tokens share its budget (R9), so
    /// the client id is what counts, not the secret or a token.
    fn fingerprint(&self) -> Fingerprint {
        match self {
            Self::Bearer(token) => Fingerprint::of("bearer", token.expose()),
            Self::ApiKey(key) => Fingerprint::of("api_key", key.expose()),
            Self::ClientCredentials { client_id, .. } => Fingerprint::of("oauth_client", client_id),
        }
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The client id is not secret, but printing only the kind keeps every form alike.
        f.write_str(match self {
            Self::Bearer(_) => "BearerToken(** redacted **)",
            Self::ApiKey(_) => "ApiKey(** redacted **)",
            Self::ClientCredentials { .. } => "ClientCredentials(** redacted **)",
        })
    }
}

/// Settings for a [`Client`](crate::Client). Start from [`Client::builder`](crate::Client::builder), give one credential, and call
/// [`build`](Self::build); every other setting has a default that suits production.
///
/// ```
/// use std::time::Duration;
/// use wa_stats_client::Client;
///
/// let client = Client::builder()
///     .api_key("INS.example-key")
///     .timeout(Duration::from_secs(10))
///     .build()?;
/// # Ok::<(), wa_stats_client::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct ClientBuilder {
    credential: Option<Credential>,
    base_url: Option<String>,
    token_url: Option<String>,
    /// `None` until [`rate_budget`](Self::rate_budget) is called (then a budget of the client's
    /// own at R9's 100 a second); `Some(None)` turns pacing off.
    rate_budget: Option<Option<RateBudget>>,
    max_attempts: u32,
    connect_timeout: Duration,
    timeout: Duration,
    operation_timeout: Option<Duration>,
    #[cfg(feature = "token-cache")]
    token_cache: Option<crate::TokenCache>,
    allow_insecure_http: bool,
    user_agent: String,
    max_body_bytes: usize,
    backoff: Backoff,
    retry_quota: u32,
    /// Trusted roots (see `crate::tls`).
    pub(crate) tls: crate::tls::TlsRoots,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            credential: None,
            base_url: None,
            token_url: None,
            rate_budget: None,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            operation_timeout: None,
            #[cfg(feature = "token-cache")]
            token_cache: None,
            allow_insecure_http: false,
            user_agent: concat!("wa-stats-client/", env!("CARGO_PKG_VERSION")).to_owned(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            backoff: Backoff {
                base: DEFAULT_BACKOFF_BASE,
                cap: DEFAULT_BACKOFF_CAP,
                max_retry_after: DEFAULT_MAX_RETRY_AFTER,
            },
            retry_quota: DEFAULT_RETRY_QUOTA,
            tls: crate::tls::TlsRoots::default(),
        }
    }
}

impl ClientBuilder {
    /// Authenticates with an OAuth 2.0 access token on the v2 route (R1). The last credential
    /// given wins.
    ///
    /// ```
    /// let client = wa_stats_client::Client::builder().bearer_token("eyJ…").build()?;
    /// # Ok::<(), wa_stats_client::Error>(())
    /// ```
    pub fn bearer_token(mut self, token: impl Into<Secret>) -> Self {
        self.credential = Some(Credential::Bearer(token.into()));
        self
    }

    /// Authenticates with an API key in `x-ins-auth-key` on the v1 route (R1).
    ///
    /// ```
    /// let client = wa_stats_client::Client::builder().api_key("INS.example-key").build()?;
    /// # Ok::<(), wa_stats_client::Error>(())
    /// ```
    pub fn api_key(mut self, key: impl Into<Secret>) -> Self {
        self.credential = Some(Credential::ApiKey(key.into()));
        self
    }

    /// Authenticates with OAuth 2.0 client credentials (R14): the client fetches a bearer token
    /// from the token endpoint on first use, caches it for all clones, and renews it before it
    /// expires.
    ///
    /// ```
    /// let client = wa_stats_client::Client::builder()
    ///     .client_credentials("my-client-id", "my-client-secret")
    ///     .build()?;
    /// # Ok::<(), wa_stats_client::Error>(())
    /// ```
    pub fn client_credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> Self {
        self.credential = Some(Credential::ClientCredentials {
            client_id: client_id.into(),
            secret: client_secret.into(),
        });
        self
    }

    /// Where the API lives, e.g. a mock's `http://127.0.0.1:8080`. Default: R1's production URL
    /// for the credential's route. A path prefix is kept (`https://proxy.example/insider`).
    ///
    /// ```
    /// let client = wa_stats_client::Client::builder()
    ///     .bearer_token("demo-token")
    ///     .base_url("http://127.0.0.1:8080")
    ///     .build()?;
    /// # Ok::<(), wa_stats_client::Error>(())
    /// ```
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The full URL of the OAuth token endpoint (client credentials only). Default: `/auth/token`
    /// under the base URL, which for the default base URL is R14's
    /// `https://gw.api.insidethekube.com/auth/token`.
    ///
    /// ```
    /// let client = wa_stats_client::Client::builder()
    ///     .client_credentials("id", "secret")
    ///     .token_url("https://gw.api.insidethekube.com/auth/token")
    ///     .build()?;
    /// # Ok::<(), wa_stats_client::Error>(())
    /// ```
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = Some(url.into());
        self
    }

    /// The rate budget the client paces under, the one setting of its pace: a
    /// [`RateBudget`] (its clones share it; so does every other client given a clone of the same
    /// handle, locally or through Redis), or `None` to turn pacing off (when an outer system
    /// already paces). Default: a budget of the client's own at 100 requests per second, the
    /// API's limit per credential (R9). A budget serves one credential. The last call wins.
    ///
    /// ```
    /// use wa_stats_client::{Client, RateBudget};
    /// let slower = Client::builder().api_key("k").rate_budget(RateBudget::local(20)?).build()?;
    /// assert_eq!(slower.rate_budget().unwrap().per_second(), 20);
    /// let budget = RateBudget::local(50)?;
    /// let client = Client::builder().api_key("k").rate_budget(budget.clone()).build()?;
    /// let sibling = Client::builder().api_key("k").rate_budget(budget).build()?;
    /// assert!(client.rate_budget().unwrap().same_budget(sibling.rate_budget().unwrap()));
    /// let unpaced = Client::builder().api_key("k").rate_budget(None).build()?;
    /// assert!(unpaced.rate_budget().is_none());
    /// # Ok::<(), wa_stats_client::Error>(())
    /// ```
    ///
    /// There is no second setting of the pace to contradict this one (issue 34):
    ///
    /// ```compile_fail,E0599
    /// let builder = wa_stats_client::Client::builder().api_key("k").rate_limit(Some(20));
    /// ```
    pub fn rate_budget(mut self, budget: impl Into<Option<RateBudget>>) -> Self {
        self.rate_budget = Some(budget.into());
        self
    }

    /// HTTP attempts per call, retries included (default 3; 1 turns retries off). The retry
    /// after a 401 that made the client refresh its OAuth token does not count.
    ///
    /// ```
    /// let client = wa_stats_client::Client::builder().api_key("k").max_attempts(1).build()?;
    /// # Ok::<(), wa_stats_client::Error>(())
    /// ```
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// Time allowed to establish a connection, TLS included (default 5 s).
    ///
    /// ```
    /// # use std::time::Duration;
    /// let client = wa_stats_client::Client::builder()
    ///     .api_key("k")
    ///     .connect_timeout(Duration::from_secs(2))
    ///     .build()?;
    /// # Ok::<(), wa_stats_client::Error>(())
    /// ```
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for one attempt, from connecting to the last byte of the answer (default
    /// 30 s). Each retry gets this much again.
    ///
    /// ```
    /// # use std::time::Duration;
    /// let client = wa_stats_client::Client::builder()
    ///     .api_key("k")
    ///     .timeout(Duration::from_secs(10))
    ///     .build()?;
    /// # Ok::<(), wa_stats_client::Error>(())
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// A deadline for each whole call (default: none): from the call's start, it covers waiting
    /// for a pacing slot, every attempt, the backoff between them and any `Retry-After` hold.
    /// When it passes, the call ends with [`Error::OperationTimeout`](crate::Error::OperationTimeout);
    /// a retry whose wait would end after it is not made. Zero is refused by
    /// [`build`](Self::build).
    ///
    /// ```
    /// # use std::time::Duration;
    /// let client = wa_stats_client::Client::builder()
    ///     .api_key("k")
    ///     .operation_timeout(Duration::from_secs(20))
    ///     .build()?;
    /// # Ok::<(), wa_stats_client::Error>(())
    /// ```
    pub fn operation_timeout(mut self, bound: Duration) -> Self {
        self.operation_timeout = Some(bound);
        self
    }

    /// Shares the OAuth token of [`client_credentials`](Self::client_credentials) with every
    /// process given a cache on the same store (feature `token-cache`): one token per
    /// credential, refreshed by one of them, and their token requests paced together to R14's
    /// 10 a minute. Without it (the default) the token is shared by this client's clones alone.
    /// Other credentials have no token to share and ignore it.
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("wa-stats-doc-b-{}", std::process::id()));
    /// let client = wa_stats_client::Client::builder()
    ///     .client_credentials("demo-client", "demo-secret")
    ///     .token_cache(wa_stats_client::TokenCache::disk(&dir)?)
    ///     .build()?;
    /// # std::fs::remove_dir_all(&dir).ok();
    /// # Ok::<(), wa_stats_client::Error>(())
    /// ```
    #[cfg(feature = "token-cache")]
    pub fn token_cache(mut self, cache: crate::TokenCache) -> Self {
        self.token_cache = Some(cache);
        self
    }

    /// Allows plain `http://` to hosts that are not loopback (default `false`: refused, R15).
    /// Loopback (`127.0.0.0/8`, `::1`, `localhost`) is always allowed, for mocks.
    ///
    /// ```
    /// let client = wa_stats_client::Client::builder()
    ///     .api_key("k")
    ///     .base_url("http://test-host.internal:8080")
    ///     .allow_insecure_http(true)
    ///     .build()?;
    /// # Ok::<(), wa_stats_client::Error>(())
    /// ```
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// The `User-Agent` header (default `wa-stats-client/<version>`).
    ///
    /// ```
    /// let client = wa_stats_client::Client::builder().api_key("k").user_agent("my-app/1.0").build()?;
    /// # Ok::<(), wa_stats_client::Error>(())
    /// ```
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Largest answer body the client reads (default 1 MiB); a larger one is
    /// [`Error::BodyTooLarge`](crate::Error::BodyTooLarge), refused without reading it all.
    ///
    /// ```
    /// let client = wa_stats_client::Client::builder().api_key("k").max_body_bytes(64 * 1024).build()?;
    /// # Ok::<(), wa_stats_client::Error>(())
    /// ```
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Full-jitter exponential backoff: retry `n` waits a random time up to
    /// `min(cap, base * 2^(n-1))` (defaults 100 ms and 5 s).
    ///
    /// ```
    /// # use std::time::Duration;
    /// let client = wa_stats_client::Client::builder()
    ///     .api_key("k")
    ///     .backoff(Duration::from_millis(50), Duration::from_secs(2))
    ///     .build()?;
    /// # Ok::<(), wa_stats_client::Error>(())
    /// ```
    pub fn backoff(mut self, base: Duration, cap: Duration) -> Self {
        self.backoff.base = base;
        self.backoff.cap = cap;
        self
    }

    /// Longest `Retry-After` honoured (default 30 s); a longer one is cut to this, and so is the
    /// pause the whole client takes after a 429.
    ///
    /// In tests against `wa-stats-mock`, a 429 fault with `Retry-After: 1` costs a second per
    /// retry; a short cap keeps the retry (and its assertions) and drops the wait:
    ///
    /// ```
    /// # use std::time::Duration;
    /// use wa_stats_mock::{Fault, MockServer};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), wa_stats_client::Error> {
    /// let server = MockServer::start().await;
    /// server.inject(Fault::status(429).header("retry-after", "1"));
    /// let client = wa_stats_client::Client::builder()
    ///     .bearer_token("demo-token")
    ///     .base_url(server.base_url())
    ///     .max_retry_after(Duration::from_millis(10))
    ///     .build()?;
    /// client.campaign_statistics(12345).send().await?; // retried after ~10 ms, not 1 s
    /// let statuses: Vec<_> = server.journal().iter().map(|entry| entry.status).collect();
    /// assert_eq!(statuses, [Some(429), Some(200)]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn max_retry_after(mut self, max: Duration) -> Self {
        self.backoff.max_retry_after = max;
        self
    }

    /// Size of the retry quota, a token bucket shared by all calls of the client (default 500;
    /// the AWS SDKs' name for it). A retry costs
    /// 5 tokens, or 10 after a timeout; a call that succeeds returns what its retries cost, or
    /// 1 if it needed none. With the budget empty, failures are returned without retrying, so
    /// an outage does not turn into a retry storm. 0 disables retries client-wide.
    ///
    /// ```
    /// let client = wa_stats_client::Client::builder().api_key("k").retry_quota(50).build()?;
    /// # Ok::<(), wa_stats_client::Error>(())
    /// ```
    pub fn retry_quota(mut self, tokens: u32) -> Self {
        self.retry_quota = tokens;
        self
    }

    /// Also trusts the CA certificate(s) in `pem` (one or more `CERTIFICATE` blocks), such as a
    /// company's private CA or the one `wa-stats-mock --tls --tls-ca-out FILE` wrote. The
    /// platform's roots stay trusted unless [`tls_built_in_roots(false)`](Self::tls_built_in_roots).
    /// PEM that holds no certificate is refused by [`build`](Self::build).
    ///
    /// ```no_run
    /// let client = wa_stats_client::Client::builder()
    ///     .api_key("INS.example-key")
    ///     .base_url("https://127.0.0.1:8443")
    ///     .add_root_certificate(std::fs::read("ca.pem")?)
    ///     .build()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add_root_certificate(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.tls.extra_pem.push(pem.as_ref().to_vec());
        self
    }

    /// Whether the platform's trusted roots (and the built-in webpki ones where the platform has
    /// none) are trusted; default `true`. With `false`, only the roots given to
    /// [`add_root_certificate`](Self::add_root_certificate) are.
    pub fn tls_built_in_roots(mut self, trust: bool) -> Self {
        self.tls.built_in = trust;
        self
    }
}
