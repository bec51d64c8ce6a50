//! The questions a caller asks of an [`Error`] (status, retryable, kind name, attempts, …), and
//! the crate's constructors for the errors refused before any attempt.

use std::time::Duration;

use wa_stats_model::{ApiError, ApiErrorKind, ValidationError};

use super::{Error, Setting, TransportKind};

impl Error {
    pub(crate) fn invalid(rule: ValidationError) -> Self {
        Self::InvalidRequest {
            hint: rule.hint(),
            rule,
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
            | Self::UnusableToken { .. }
            | Self::SharedBudgetUnavailable { .. }
            | Self::OperationTimeout { .. } => None,
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
            | Self::BodyTooLarge { status, .. }
            | Self::UnusableToken { status, .. } => Some(*status),
            Self::TokenEndpoint { source } => source.status(),
            Self::InvalidRequest { .. }
            | Self::InsecureUrl { .. }
            | Self::Config { .. }
            | Self::Transport { .. }
            | Self::SharedBudgetUnavailable { .. }
            | Self::OperationTimeout { .. } => None,
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
            Self::Transport { kind, .. } => kind.is_retryable(),
            Self::TokenEndpoint { source } => source.is_retryable(),
            Self::InvalidRequest { .. }
            | Self::InsecureUrl { .. }
            | Self::Config { .. }
            | Self::UndecodableBody { .. }
            | Self::UnexpectedStatus { .. }
            | Self::BodyTooLarge { .. }
            | Self::UnusableToken { .. }
            | Self::SharedBudgetUnavailable { .. } => false,
            // The call itself may well succeed later; it is this call's time that ran out.
            Self::OperationTimeout { .. } => true,
        }
    }

    /// A short, stable, snake_case name for machine-readable output and metrics:
    /// `invalid_request`, `insecure_url`, `config`, `connect`, `timeout`, `tls`,
    /// `body_cut_short`, `transport`, the model's API kinds (`campaign_not_found`,
    /// `rate_limited`, `unauthorized`, …, and `api_error` for an unclassified error status),
    /// `undecodable_body`, `unexpected_status`, `body_too_large`, `token_endpoint` (whose
    /// `source` has its own name, or `unusable_token`), `shared_budget_unavailable` and
    /// `operation_timeout`.
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
            Self::UnusableToken { .. } => "unusable_token",
            Self::SharedBudgetUnavailable { .. } => "shared_budget_unavailable",
            Self::OperationTimeout { .. } => "operation_timeout",
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
            Self::Transport { attempts, .. }
            | Self::Api { attempts, .. }
            | Self::OperationTimeout { attempts, .. } => *attempts,
            Self::TokenEndpoint { source } => source.attempts(),
            // Not retryable, so the answer came on the attempt that ended the call; earlier
            // retryable failures, if any, are not counted here.
            Self::UndecodableBody { .. }
            | Self::UnexpectedStatus { .. }
            | Self::BodyTooLarge { .. }
            | Self::UnusableToken { .. } => 1,
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
}

/// The attempt loop's questions, from the same variants: a failed attempt is an [`Error`] whose
/// attempt count is set once, when the loop gives up.
impl Error {
    /// A failed token request, as the call's error: wrapped once in
    /// [`TokenEndpoint`](Error::TokenEndpoint) (an error that already is one stays as it is).
    pub(crate) fn token_endpoint(self) -> Self {
        match self {
            wrapped @ Self::TokenEndpoint { .. } => wrapped,
            other => Self::TokenEndpoint {
                source: Box::new(other),
            },
        }
    }

    /// This error with `attempts` HTTP attempts made in all, for the call that ends with it.
    pub(crate) fn with_attempts(self, made: u32) -> Self {
        match self {
            Self::TokenEndpoint { source } => Self::TokenEndpoint {
                source: Box::new(source.with_attempts(made)),
            },
            mut other => {
                if let Self::Transport { attempts, .. }
                | Self::Api { attempts, .. }
                | Self::OperationTimeout { attempts, .. } = &mut other
                {
                    *attempts = made;
                }
                other
            }
        }
    }

    /// A 429 from the statistics route, as the model classified it (not the token endpoint's,
    /// whose limit is separate).
    pub(crate) fn is_rate_limited(&self) -> bool {
        matches!(self, Self::Api { error, .. } if matches!(error.kind, ApiErrorKind::RateLimited { .. }))
    }

    /// A 401 from the statistics route.
    pub(crate) fn is_unauthorized(&self) -> bool {
        matches!(self, Self::Api { error, .. } if error.kind == ApiErrorKind::Unauthorized)
    }

    /// The attempt ran out of time (such a retry costs the retry quota more).
    pub(crate) fn is_timeout(&self) -> bool {
        matches!(
            self,
            Self::Transport {
                kind: TransportKind::Timeout,
                ..
            }
        )
    }
}

impl TransportKind {
    /// The one rule for network failures: all are worth another try except TLS, which would
    /// fail again the same way.
    pub(crate) fn is_retryable(self) -> bool {
        self != Self::Tls
    }
}
