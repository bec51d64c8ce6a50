//! [`Client`]: the shared state behind every clone (HTTP pool, rate budget, retry quota, token
//! cache), how it is assembled from checked settings, and the calls that do not fit a request
//! builder. What `Inner` does on a call is in `attempt_loop.rs`, all of it.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use url::Url;
use wa_stats_model::{CredentialKind, Secret};

use crate::config::ClientBuilder;
use crate::credentials::Auth;
use crate::error::{Error, Setting};
use crate::latency::LatencyEstimate;
use crate::rate::RateBudget;
use crate::retry::{Backoff, RetryQuota};
use crate::statistics_call::CampaignStatisticsCall;
use crate::transport::Limits;

/// An async client for the WhatsApp Campaign Analytics API.
///
/// Cheap to clone: clones share one connection pool, one [`RateBudget`] (so all of them together
/// stay under the rate limit), one retry quota and one OAuth token cache. Build one per
/// credential and clone it into every task; clients built separately share a budget only when
/// given the same one ([`ClientBuilder::rate_budget`]). `Send + Sync`.
///
/// ```no_run
/// use wa_stats_client::Client;
///
/// # async fn demo() -> Result<(), wa_stats_client::Error> {
/// let client = Client::builder().api_key("INS.example-key").build()?;
/// let stats = client.campaign_statistics(12345).range(1_700_000_000..1_700_086_400).send().await?;
/// println!("{} delivered of {} sent", stats.delivered, stats.sent);
/// # Ok(())
/// # }
/// ```
///
/// # Retries are safe
/// The statistics endpoint is a `POST` only because it takes a JSON body: it reads and changes
/// nothing, so sending it twice is harmless, and the client retries it after 429, 5xx, 408,
/// connection failures, timeouts, resets and bodies cut short.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

/// Everything a client's clones share.
pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) statistics_url: Url,
    pub(crate) kind: CredentialKind,
    pub(crate) auth: Auth,
    /// `None` when pacing is off.
    pub(crate) rate_budget: Option<RateBudget>,
    pub(crate) retry_quota: RetryQuota,
    pub(crate) backoff: Backoff,
    pub(crate) max_attempts: u32,
    pub(crate) limits: Limits,
    /// The bound on one whole call (pacing, attempts, backoff and holds), when one is set.
    pub(crate) operation_timeout: Option<Duration>,
    /// How long the server takes to answer, for [`Concurrency::Auto`](crate::Concurrency::Auto).
    pub(crate) latency: LatencyEstimate,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Client")
            .field("statistics_url", &inner.statistics_url.as_str())
            .field("credential", &inner.kind)
            .field("auth", &inner.auth)
            .field(
                "rate_limit",
                &self.rate_budget().map(RateBudget::per_second),
            )
            .field("max_attempts", &inner.max_attempts)
            .field("timeout", &inner.limits.timeout)
            .field("operation_timeout", &inner.operation_timeout)
            .finish_non_exhaustive()
    }
}

/// What [`ClientBuilder::build`] hands over once every setting is checked.
pub(crate) struct Parts {
    pub(crate) http: reqwest::Client,
    pub(crate) statistics_url: Url,
    pub(crate) kind: CredentialKind,
    pub(crate) auth: Auth,
    pub(crate) rate_budget: Option<RateBudget>,
    pub(crate) retry_quota: u32,
    pub(crate) backoff: Backoff,
    pub(crate) max_attempts: u32,
    pub(crate) limits: Limits,
    pub(crate) operation_timeout: Option<Duration>,
}

impl Client {
    /// A client from checked settings; the state no setting names (the retry quota's tokens,
    /// the latency estimate) starts here.
    pub(crate) fn assemble(parts: Parts) -> Self {
        let Parts {
            http,
            statistics_url,
            kind,
            auth,
            rate_budget,
            retry_quota,
            backoff,
            max_attempts,
            limits,
            operation_timeout,
        } = parts;
        Self {
            inner: Arc::new(Inner {
                http,
                statistics_url,
                kind,
                auth,
                rate_budget,
                retry_quota: RetryQuota::new(retry_quota),
                backoff,
                max_attempts,
                limits,
                operation_timeout,
                latency: LatencyEstimate::default(),
            }),
        }
    }

    /// Starts configuring a client; see [`ClientBuilder`].
    ///
    /// ```
    /// let client = wa_stats_client::Client::builder().bearer_token("eyJ…").build()?;
    /// # Ok::<(), wa_stats_client::Error>(())
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Statistics for one campaign. Add a range with [`range`](CampaignStatisticsCall::range)
    /// (without one, the campaign's whole lifetime), then `.send().await` (or just `.await`).
    ///
    /// ```no_run
    /// # async fn demo(client: wa_stats_client::Client) -> Result<(), wa_stats_client::Error> {
    /// let lifetime = client.campaign_statistics(12345).await?;
    /// let one_day = client.campaign_statistics(12345).range(1_700_000_000..1_700_086_400).send().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn campaign_statistics(&self, campaign_id: i64) -> CampaignStatisticsCall {
        CampaignStatisticsCall::new(self.clone(), campaign_id)
    }

    /// The OAuth access token the client currently uses, fetching one if it has none (client
    /// credentials), or the bearer token it was given. An API-key client has none:
    /// [`Error::Config`].
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), wa_stats_client::Error> {
    /// let client = wa_stats_client::Client::builder().client_credentials("id", "secret").build()?;
    /// let token = client.access_token().await?;
    /// assert_eq!(format!("{token}"), "** redacted **");
    /// let for_curl = token.expose();
    /// # Ok(())
    /// # }
    /// ```
    pub async fn access_token(&self) -> Result<Secret, Error> {
        match &self.inner.auth {
            // One token request, not retried: its error counts one attempt.
            Auth::ClientCredentials(_) => match self.inner.oauth_token().await {
                Ok((token, ..)) => Ok(token),
                Err(error) => Err(error.with_attempts(1)),
            },
            Auth::Static {
                bearer: Some(token),
                ..
            } => Ok(token.clone()),
            Auth::Static { bearer: None, .. } => Err(Error::bad_setting(
                Setting::Credential,
                "an API-key client has no access token; use client_credentials",
            )),
        }
    }

    /// The URL statistics requests go to, as text (no `url` type is part of this crate's API).
    ///
    /// ```
    /// let client = wa_stats_client::Client::builder().api_key("k").build()?;
    /// assert_eq!(client.statistics_url(), "https://whatsapp.useinsider.com/v1/statistics/campaign");
    /// # Ok::<(), wa_stats_client::Error>(())
    /// ```
    pub fn statistics_url(&self) -> &str {
        self.inner.statistics_url.as_str()
    }

    /// The token endpoint's URL, for a client-credentials client.
    ///
    /// ```
    /// let client = wa_stats_client::Client::builder().api_key("k").build()?;
    /// assert_eq!(client.token_url(), None);
    /// # Ok::<(), wa_stats_client::Error>(())
    /// ```
    pub fn token_url(&self) -> Option<&str> {
        match &self.inner.auth {
            Auth::ClientCredentials(oauth) => Some(oauth.token_url.as_str()),
            Auth::Static { .. } => None,
        }
    }

    /// The kind of credential, which decides the route (R1). Client credentials use bearer
    /// tokens.
    ///
    /// ```
    /// use wa_stats_model::CredentialKind;
    /// let client = wa_stats_client::Client::builder().client_credentials("id", "s").build()?;
    /// assert_eq!(client.credential_kind(), CredentialKind::BearerToken);
    /// # Ok::<(), wa_stats_client::Error>(())
    /// ```
    pub fn credential_kind(&self) -> CredentialKind {
        self.inner.kind
    }

    /// The rate budget the client paces under, `None` when pacing is off: give a clone of it to
    /// another client's [`rate_budget`](ClientBuilder::rate_budget) to pace the two together.
    ///
    /// ```
    /// use wa_stats_client::Client;
    /// let first = Client::builder().api_key("k").build()?;
    /// let second = Client::builder()
    ///     .api_key("k")
    ///     .rate_budget(first.rate_budget().unwrap().clone())
    ///     .build()?;
    /// assert!(first.rate_budget().unwrap().same_budget(second.rate_budget().unwrap()));
    /// # Ok::<(), wa_stats_client::Error>(())
    /// ```
    pub fn rate_budget(&self) -> Option<&RateBudget> {
        self.inner.rate_budget.as_ref()
    }

    /// Requests per second of the budget, `None` when pacing is off (what a batch sizes for).
    pub(crate) fn rate_per_second(&self) -> Option<u32> {
        self.rate_budget().map(RateBudget::per_second)
    }
}
