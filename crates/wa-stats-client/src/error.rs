//! The one error type of the client: what went wrong, sorted by what a caller does about it.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use wa_stats_model::{ApiError, ApiErrorKind, ValidationError};

use crate::config::Setting;

/// A boxed error from a layer below the client (the HTTP stack, the operating system). Kept as a
/// trait object so that no dependency's error type becomes part of this crate's public API.
///
/// ```
/// use std::error::Error as _;
/// # fn demo(error: wa_stats_client::Error) {
/// if let wa_stats_client::Error::Transport { source, .. } = &error {
///     let cause: &wa_stats_client::BoxError = source;
///     eprintln!("{cause}; caused by {:?}", cause.source().map(ToString::to_string));
/// }
/// # }
/// ```
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a call failed.
///
/// The variants separate the cases a caller handles differently:
///
/// | variant | meaning | sent anything? | retried by the client? |
/// | --- | --- | --- | --- |
/// | [`InvalidRequest`](Error::InvalidRequest) | the request breaks a rule of the API (R5) | no | no |
/// | [`InsecureUrl`](Error::InsecureUrl), [`Config`](Error::Config) | the client's settings are refused | no | no |
/// | [`Transport`](Error::Transport) | connect, TLS, timeout, reset, body cut short | maybe | yes, except TLS |
/// | [`Api`](Error::Api) | the server answered with an error status | yes | 429, 5xx, 408 |
/// | [`UndecodableBody`](Error::UndecodableBody) | a 200 whose body is not statistics (or no usable token) | yes | no |
/// | [`UnexpectedStatus`](Error::UnexpectedStatus) | a status the API never sends (1xx, 3xx, other 2xx) | yes | no |
/// | [`BodyTooLarge`](Error::BodyTooLarge) | the answer exceeded the size cap | yes | no |
/// | [`TokenEndpoint`](Error::TokenEndpoint) | fetching an OAuth token failed | yes | as the inner error |
/// | [`SharedBudgetUnavailable`](Error::SharedBudgetUnavailable) | fail-closed shared budget, Redis unavailable | no | no |
///
/// Where the client retried, `attempts` says how many HTTP attempts were made in all, and
/// [`Display`](fmt::Display) says so. `Debug` and `Display` never contain a credential.
///
/// ```
/// use wa_stats_client::Error;
/// # async fn demo(client: wa_stats_client::Client) {
/// match client.campaign_statistics(12345).send().await {
///     Ok(stats) => println!("{} sent", stats.sent),
///     Err(error @ Error::InvalidRequest { .. }) => eprintln!("fix the request: {error}"),
///     Err(error) if error.is_retryable() => eprintln!("try again later: {error}"),
///     Err(error) => eprintln!("{} ({})", error, error.kind_name()),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request breaks one of the API's validation rules; nothing was sent and no rate-limit
    /// budget was spent.
    #[error("invalid request: {source}{}", hint_suffix(.hint))]
    InvalidRequest {
        /// The rule that failed, worded as the server would word it.
        source: ValidationError,
        /// A likelier cause, when there is one (a millisecond timestamp, say).
        hint: Option<String>,
    },
    /// A plain `http://` URL to a host that is not loopback, refused before any I/O (R15).
    #[error(
        "refusing plain http:// to {url}: a credential would cross the network in clear; \
         use https://, or allow_insecure_http(true) if you really mean it"
    )]
    #[non_exhaustive]
    InsecureUrl {
        /// The URL refused (it never carries user info: such URLs are refused as
        /// [`Config`](Error::Config)).
        url: String,
        /// Which URL it is: [`Setting::BaseUrl`] or [`Setting::TokenUrl`].
        setting: Setting,
    },
    /// The client's settings are not usable; the message says which and why, and `setting`
    /// names the one at fault for a program to act on (see [`Error::setting`]).
    #[error("invalid client configuration: {reason}")]
    #[non_exhaustive]
    Config {
        /// The setting at fault; `None` when no setting is (the HTTP stack could not start).
        setting: Option<Setting>,
        /// What is wrong, for a person.
        reason: String,
    },
    /// The request or its answer did not make it across the network.
    #[error("{kind} error{}: {}", attempts_suffix(*.attempts), chain(.source.as_ref()))]
    Transport {
        /// What kind of failure.
        kind: TransportKind,
        /// HTTP attempts made in all.
        attempts: u32,
        /// The underlying error.
        source: BoxError,
    },
    /// The server answered with an error status; the model classified its body (R11).
    #[error("{error}{}", attempts_suffix(*.attempts))]
    Api {
        /// Status, classified kind, code, message and raw body (boxed to keep `Result`s small).
        error: Box<ApiError>,
        /// The server's `Retry-After`, when it sent one (after capping).
        retry_after: Option<Duration>,
        /// HTTP attempts made in all.
        attempts: u32,
    },
    /// A 200 answer whose body is not a statistics object, or, inside
    /// [`TokenEndpoint`](Error::TokenEndpoint), not a usable token (it does not decode, or its
    /// `access_token` is empty or cannot go in an HTTP header). The bytes are kept, except a
    /// token answer's: they may hold the token, so `raw` reads `** redacted **`.
    #[error("HTTP {status} with a body that is not campaign statistics: {source}")]
    UndecodableBody {
        /// HTTP status (200).
        status: u16,
        /// The body as received.
        raw: Bytes,
        /// Why it does not decode (a JSON error).
        source: BoxError,
    },
    /// A status the API never answers with (1xx, 3xx — redirects are not followed — or a 2xx
    /// other than 200).
    #[error("unexpected HTTP status {status}")]
    UnexpectedStatus {
        /// HTTP status.
        status: u16,
        /// The body as received.
        raw: Bytes,
    },
    /// The answer's body was larger than the client accepts; it was not read to the end.
    #[error(
        "HTTP {status} answer larger than the {limit}-byte cap; refused without reading it all"
    )]
    BodyTooLarge {
        /// HTTP status.
        status: u16,
        /// The cap, in bytes.
        limit: usize,
    },
    /// Getting an OAuth access token from the token endpoint failed (client credentials only).
    #[error("OAuth token endpoint: {}", TokenFailure(source))]
    TokenEndpoint {
        /// What went wrong there.
        source: Box<Error>,
    },
    /// The shared rate budget (feature `redis`) was set to fail closed and Redis did not answer
    /// in time, so nothing was sent.
    #[error("shared rate budget unavailable ({reason}); nothing sent (fail-closed)")]
    SharedBudgetUnavailable {
        /// What went wrong with Redis.
        reason: String,
    },
}

/// What kind of network failure a [`Error::Transport`] is.
///
/// ```
/// use wa_stats_client::TransportKind;
/// assert_eq!(TransportKind::Timeout.to_string(), "timeout");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportKind {
    /// The connection could not be made (DNS, refused, unreachable, connect timeout).
    Connect,
    /// The attempt took longer than the per-attempt timeout.
    Timeout,
    /// TLS failed: the handshake, or the server's certificate. Not retried: it would fail again.
    Tls,
    /// The connection ended before the whole body arrived.
    BodyCutShort,
    /// Anything else, such as a connection reset before the answer.
    Other,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "connect",
            Self::Timeout => "timeout",
            Self::Tls => "TLS",
            Self::BodyCutShort => "body cut short",
            Self::Other => "transport",
        })
    }
}

impl Error {
    pub(crate) fn invalid(source: ValidationError) -> Self {
        Self::InvalidRequest {
            hint: source.hint(),
            source,
        }
    }

    /// A configuration error that no setting is to blame for.
    pub(crate) fn config(reason: impl Into<String>) -> Self {
        Self::Config {
            setting: None,
            reason: reason.into(),
        }
    }

    /// `setting` refused, for `reason`.
    pub(crate) fn bad_setting(setting: Setting, reason: impl Into<String>) -> Self {
        Self::Config {
            setting: Some(setting),
            reason: reason.into(),
        }
    }

    /// The client setting that was refused, for [`Config`](Error::Config) and
    /// [`InsecureUrl`](Error::InsecureUrl) errors (and a [`TokenEndpoint`](Error::TokenEndpoint)
    /// error caused by one). Match on this rather than on the message, which is written for
    /// people and may change.
    ///
    /// ```
    /// use wa_stats_client::{Client, Setting};
    ///
    /// let error = Client::builder().api_key("k").max_attempts(0).build().unwrap_err();
    /// assert_eq!(error.setting(), Some(Setting::MaxAttempts));
    /// let error = Client::builder().api_key("k").base_url("http://example.com").build().unwrap_err();
    /// assert_eq!(error.setting(), Some(Setting::BaseUrl));
    /// ```
    pub fn setting(&self) -> Option<Setting> {
        match self {
            Self::Config { setting, .. } => *setting,
            Self::InsecureUrl { setting, .. } => Some(*setting),
            Self::TokenEndpoint { source } => source.setting(),
            Self::InvalidRequest { .. }
            | Self::Transport { .. }
            | Self::Api { .. }
            | Self::UndecodableBody { .. }
            | Self::UnexpectedStatus { .. }
            | Self::BodyTooLarge { .. }
            | Self::SharedBudgetUnavailable { .. } => None,
        }
    }

    /// The HTTP status the server answered with, when it answered.
    ///
    /// ```
    /// # async fn demo(client: wa_stats_client::Client) {
    /// if let Err(error) = client.campaign_statistics(22222).send().await {
    ///     assert_eq!(error.status(), Some(422));
    /// }
    /// # }
    /// ```
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { error, .. } => Some(error.status),
            Self::UndecodableBody { status, .. }
            | Self::UnexpectedStatus { status, .. }
            | Self::BodyTooLarge { status, .. } => Some(*status),
            Self::TokenEndpoint { source } => source.status(),
            Self::InvalidRequest { .. }
            | Self::InsecureUrl { .. }
            | Self::Config { .. }
            | Self::Transport { .. }
            | Self::SharedBudgetUnavailable { .. } => None,
        }
    }

    /// Whether the same call may succeed if made again later: rate limiting, server errors, 408,
    /// and network failures other than TLS. The client has already retried such errors as far as
    /// its attempts and retry budget allowed.
    ///
    /// ```
    /// use wa_stats_client::Error;
    /// # fn demo(error: Error) {
    /// if error.is_retryable() { /* queue it for later */ }
    /// # }
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api { error, .. } => error.is_retryable(),
            Self::Transport { kind, .. } => *kind != TransportKind::Tls,
            Self::TokenEndpoint { source } => source.is_retryable(),
            Self::InvalidRequest { .. }
            | Self::InsecureUrl { .. }
            | Self::Config { .. }
            | Self::UndecodableBody { .. }
            | Self::UnexpectedStatus { .. }
            | Self::BodyTooLarge { .. }
            | Self::SharedBudgetUnavailable { .. } => false,
        }
    }

    /// A short, stable, snake_case name for machine-readable output and metrics:
    /// `invalid_request`, `insecure_url`, `config`, `connect`, `timeout`, `tls`,
    /// `body_cut_short`, `transport`, the model's API kinds (`campaign_not_found`,
    /// `rate_limited`, `unauthorized`, …, and `api_error` for an unclassified error status),
    /// `undecodable_body`, `unexpected_status`, `body_too_large`, and `token_endpoint`.
    ///
    /// ```
    /// # async fn demo(client: wa_stats_client::Client) {
    /// let error = client.campaign_statistics(0).send().await.unwrap_err();
    /// assert_eq!(error.kind_name(), "invalid_request");
    /// # }
    /// ```
    pub fn kind_name(&self) -> &'static str {
        match self {
            Self::InvalidRequest { .. } => "invalid_request",
            Self::InsecureUrl { .. } => "insecure_url",
            Self::Config { .. } => "config",
            Self::Transport { kind, .. } => match kind {
                TransportKind::Connect => "connect",
                TransportKind::Timeout => "timeout",
                TransportKind::Tls => "tls",
                TransportKind::BodyCutShort => "body_cut_short",
                TransportKind::Other => "transport",
            },
            Self::Api { error, .. } if error.kind == ApiErrorKind::Other => "api_error",
            Self::Api { error, .. } => error.kind_name(),
            Self::UndecodableBody { .. } => "undecodable_body",
            Self::UnexpectedStatus { .. } => "unexpected_status",
            Self::BodyTooLarge { .. } => "body_too_large",
            Self::TokenEndpoint { .. } => "token_endpoint",
            Self::SharedBudgetUnavailable { .. } => "shared_budget_unavailable",
        }
    }

    /// The classified API error, when the server answered with an error status.
    ///
    /// ```
    /// use wa_stats_model::ApiErrorKind;
    /// # async fn demo(client: wa_stats_client::Client) {
    /// if let Err(error) = client.campaign_statistics(33333).send().await {
    ///     assert_eq!(error.api_error().map(|e| &e.kind), Some(&ApiErrorKind::CampaignNotFound));
    /// }
    /// # }
    /// ```
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Self::Api { error, .. } => Some(error),
            Self::TokenEndpoint { source } => source.api_error(),
            _ => None,
        }
    }

    /// How many HTTP attempts the call made before failing (0 when refused before sending).
    ///
    /// ```
    /// # async fn demo(client: wa_stats_client::Client) {
    /// let error = client.campaign_statistics(-1).send().await.unwrap_err();
    /// assert_eq!(error.attempts(), 0);
    /// # }
    /// ```
    pub fn attempts(&self) -> u32 {
        match self {
            Self::Transport { attempts, .. } | Self::Api { attempts, .. } => *attempts,
            Self::TokenEndpoint { source } => source.attempts(),
            // Not retryable, so the answer came on the attempt that ended the call; earlier
            // retryable failures, if any, are not counted here.
            Self::UndecodableBody { .. }
            | Self::UnexpectedStatus { .. }
            | Self::BodyTooLarge { .. } => 1,
            Self::InvalidRequest { .. }
            | Self::InsecureUrl { .. }
            | Self::Config { .. }
            | Self::SharedBudgetUnavailable { .. } => 0,
        }
    }

    /// How long the server asked the caller to wait (`Retry-After`, capped), when it did.
    ///
    /// ```
    /// # fn demo(error: wa_stats_client::Error) {
    /// let wait = error.retry_after().unwrap_or(std::time::Duration::from_secs(1));
    /// # }
    /// ```
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Api { retry_after, .. } => *retry_after,
            Self::TokenEndpoint { source } => source.retry_after(),
            _ => None,
        }
    }

    /// Records the total number of attempts on the variants that carry it.
    pub(crate) fn with_attempts(mut self, total: u32) -> Self {
        match &mut self {
            Self::Transport { attempts, .. } | Self::Api { attempts, .. } => *attempts = total,
            Self::TokenEndpoint { source } => {
                let inner = std::mem::replace(source.as_mut(), Self::config(""));
                **source = inner.with_attempts(total);
            }
            _ => {}
        }
        self
    }
}

/// A token-endpoint failure in words: an unusable answer there is not a token, where the same
/// variant elsewhere says the body is not campaign statistics.
struct TokenFailure<'a>(&'a Error);

impl fmt::Display for TokenFailure<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Error::UndecodableBody { status, source, .. } => {
                write!(
                    f,
                    "HTTP {status} with a body that is not a usable token: {source}"
                )
            }
            other => other.fmt(f),
        }
    }
}

fn hint_suffix(hint: &Option<String>) -> String {
    hint.as_ref()
        .map_or_else(String::new, |hint| format!(" ({hint})"))
}

fn attempts_suffix(attempts: u32) -> String {
    if attempts > 1 {
        format!(" (after {attempts} attempts)")
    } else {
        String::new()
    }
}

/// The error and its causes on one line, since a bare reqwest error says little ("error sending
/// request") without them.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
