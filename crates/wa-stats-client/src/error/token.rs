//! [`TokenError`]: what went wrong at the OAuth token endpoint, the `source` of
//! [`Error::TokenEndpoint`]. A 200 without a usable token exists only here.

use std::fmt;
use std::time::Duration;

use wa_stats_model::ApiError;

use super::{Error, Setting};

/// Why getting an OAuth access token failed: the source of an
/// [`Error::TokenEndpoint`]. Its questions (`status`, `is_retryable`, `kind_name`, …) answer as
/// the [`Error`] ones do.
///
/// ```
/// use wa_stats_client::{Error, TokenError};
/// # fn demo(error: Error) {
/// if let Error::TokenEndpoint { source, .. } = &error {
///     match (&**source, source.request()) {
///         (TokenError::UnusableToken { reason, .. }, _) => eprintln!("the answer: {reason}"),
///         (_, Some(inner)) => eprintln!("{} ({})", inner.report(), inner.kind_name()),
///         _ => eprintln!("{}", error.report()),
///     }
/// }
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum TokenError {
    /// The token request failed as any request can: [`Error::Api`] (401 for a wrong client id
    /// or secret, 429 past the endpoint's 10 a minute), [`Error::Transport`], a setting refused
    /// ([`Error::Config`]), …
    #[non_exhaustive]
    Request(Error),
    /// The token endpoint answered 200 but gave no usable token: the body is not a token
    /// response, its `access_token` is empty or cannot go in an HTTP header, or its `expires_in`
    /// is `0` or not a number of seconds (the reason names the field). The body is
    /// not kept, nor the decoder's message: either may hold the token. Not retried: the
    /// settings are fine, the answer is not.
    #[non_exhaustive]
    UnusableToken {
        /// HTTP status (200).
        status: u16,
        /// What is wrong with the answer, for a person, without quoting it.
        reason: String,
    },
}

impl TokenError {
    /// The request's error, for [`Request`](Self::Request) (whose field a pattern outside this
    /// crate cannot name, the variant being `#[non_exhaustive]`).
    pub fn request(&self) -> Option<&Error> {
        match self {
            Self::Request(error) => Some(error),
            Self::UnusableToken { .. } => None,
        }
    }

    /// See [`Error::setting`].
    pub fn setting(&self) -> Option<Setting> {
        self.request().and_then(Error::setting)
    }

    /// See [`Error::status`].
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Request(error) => error.status(),
            Self::UnusableToken { status, .. } => Some(*status),
        }
    }

    /// See [`Error::is_retryable`].
    pub fn is_retryable(&self) -> bool {
        self.request().is_some_and(Error::is_retryable)
    }

    /// See [`Error::kind_name`]; `unusable_token` for [`UnusableToken`](Self::UnusableToken).
    pub fn kind_name(&self) -> &'static str {
        match self {
            Self::Request(error) => error.kind_name(),
            Self::UnusableToken { .. } => "unusable_token",
        }
    }

    /// See [`Error::api_error`].
    pub fn api_error(&self) -> Option<&ApiError> {
        self.request().and_then(Error::api_error)
    }

    /// See [`Error::attempts`]: an unusable answer came on the one attempt that ended the call.
    pub fn attempts(&self) -> u32 {
        self.request().map_or(1, Error::attempts)
    }

    /// See [`Error::retry_after`].
    pub fn retry_after(&self) -> Option<Duration> {
        self.request().and_then(Error::retry_after)
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Request(error) => write!(f, "{error}"),
            Self::UnusableToken { status, reason } => write!(
                f,
                "HTTP {status} with a body that is not a usable token: {reason}"
            ),
        }
    }
}

impl std::error::Error for TokenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        // Display already says the inner error's words; its own foreign cause is next.
        self.request().and_then(std::error::Error::source)
    }
}
