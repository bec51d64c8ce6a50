//! [`Setting`]: which setting of the builder a configuration error is about, so that a caller
//! (a CLI naming its flag, say) need not read the message to know.

use std::fmt;

/// A setting of [`ClientBuilder`](crate::ClientBuilder), as named by
/// [`Error::setting`](crate::Error::setting) when that setting is refused.
///
/// Every setting of the builder has a variant, whether or not [`build`](crate::ClientBuilder::build)
/// checks it today, so that a check added later needs no new variant. `Display` gives the
/// builder method's name.
///
/// ```
/// use wa_stats_client::{Client, Setting};
///
/// let error = Client::builder().api_key("k").base_url("not a url").build().unwrap_err();
/// assert_eq!(error.setting(), Some(Setting::BaseUrl));
/// assert_eq!(Setting::BaseUrl.to_string(), "base_url");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Setting {
    /// The credential: [`bearer_token`](crate::ClientBuilder::bearer_token),
    /// [`api_key`](crate::ClientBuilder::api_key) or
    /// [`client_credentials`](crate::ClientBuilder::client_credentials) — missing, empty, unfit
    /// for an HTTP header, or of a kind the operation cannot use.
    Credential,
    /// [`base_url`](crate::ClientBuilder::base_url).
    BaseUrl,
    /// [`token_url`](crate::ClientBuilder::token_url).
    TokenUrl,
    /// [`max_attempts`](crate::ClientBuilder::max_attempts).
    MaxAttempts,
    /// [`connect_timeout`](crate::ClientBuilder::connect_timeout).
    ConnectTimeout,
    /// [`timeout`](crate::ClientBuilder::timeout).
    Timeout,
    /// [`operation_timeout`](crate::ClientBuilder::operation_timeout).
    OperationTimeout,
    /// [`allow_insecure_http`](crate::ClientBuilder::allow_insecure_http).
    AllowInsecureHttp,
    /// [`user_agent`](crate::ClientBuilder::user_agent).
    UserAgent,
    /// [`max_body_bytes`](crate::ClientBuilder::max_body_bytes).
    MaxBodyBytes,
    /// [`backoff`](crate::ClientBuilder::backoff).
    Backoff,
    /// [`max_retry_after`](crate::ClientBuilder::max_retry_after).
    MaxRetryAfter,
    /// [`retry_quota`](crate::ClientBuilder::retry_quota).
    RetryQuota,
    /// [`rate_budget`](crate::ClientBuilder::rate_budget): the rate of
    /// [`RateBudget::local`](crate::RateBudget::local), or a budget given to a client of another
    /// credential.
    RateBudget,
    /// The Redis side of a rate budget (feature `redis`): `RedisBudget`, its URL, and the rate
    /// given to `RateBudget::redis`.
    SharedBudget,
    /// [`add_root_certificate`](crate::ClientBuilder::add_root_certificate): PEM without a
    /// certificate.
    RootCertificate,
    /// The token cache (feature `token-cache`): its directory, or a record in it.
    TokenCache,
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            // Three builder methods set it; none of their names would be right alone.
            Self::Credential => "credential",
            Self::BaseUrl => "base_url",
            Self::TokenUrl => "token_url",
            Self::MaxAttempts => "max_attempts",
            Self::ConnectTimeout => "connect_timeout",
            Self::Timeout => "timeout",
            Self::OperationTimeout => "operation_timeout",
            Self::AllowInsecureHttp => "allow_insecure_http",
            Self::UserAgent => "user_agent",
            Self::MaxBodyBytes => "max_body_bytes",
            Self::Backoff => "backoff",
            Self::MaxRetryAfter => "max_retry_after",
            Self::RetryQuota => "retry_quota",
            Self::RateBudget => "rate_budget",
            Self::SharedBudget => "shared_budget",
            Self::RootCertificate => "root_certificate",
            Self::TokenCache => "token_cache",
        })
    }
}
