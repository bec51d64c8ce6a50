//! What one attempt saw, before the attempt loop knows whether it is the last: the loop decides
//! on retrying from it, and turns it into an [`Error`] once, with the final attempt count.

use std::fmt;
use std::time::Duration;

use wa_stats_model::{ApiError, ApiErrorKind};

use super::{BoxError, Error, TokenError, TransportKind, display};

/// One failed attempt (a statistics request, or the token request before it).
#[derive(Debug)]
pub(crate) enum AttemptError {
    Transport {
        kind: TransportKind,
        host: String,
        source: BoxError,
    },
    Api {
        error: Box<ApiError>,
        retry_after: Option<Duration>,
    },
    /// The attempt to get a token failed, as the inner error says.
    Token(Box<AttemptError>),
    /// The token endpoint answered 200 without a usable token (see
    /// [`TokenError::UnusableToken`]); it ends the call as a token-endpoint error, wrapped or not.
    UnusableToken { status: u16, reason: String },
    /// An outcome that carries no attempt count, final as it is: a setting refused while
    /// preparing the attempt, or an answer that is never retried (`UndecodableBody`,
    /// `UnexpectedStatus`, `BodyTooLarge`).
    Settled(Error),
}

impl From<Error> for AttemptError {
    fn from(error: Error) -> Self {
        Self::Settled(error)
    }
}

impl AttemptError {
    /// The error the call ends with, after `attempts` HTTP attempts in all.
    pub(crate) fn into_error(self, attempts: u32) -> Error {
        match self {
            Self::Transport { kind, host, source } => Error::Transport {
                kind,
                host,
                attempts,
                source,
            },
            Self::Api { error, retry_after } => Error::Api {
                error,
                retry_after,
                attempts,
            },
            Self::Token(inner) => match *inner {
                unusable @ Self::UnusableToken { .. } => unusable.into_error(attempts),
                other => Error::TokenEndpoint {
                    source: Box::new(TokenError::Request(other.into_error(attempts))),
                },
            },
            Self::UnusableToken { status, reason } => Error::TokenEndpoint {
                source: Box::new(TokenError::UnusableToken { status, reason }),
            },
            Self::Settled(error) => error,
        }
    }

    /// Whether trying again may help: the rules of [`Error::is_retryable`], each kept where its
    /// kind is ([`TransportKind::is_retryable`], [`ApiError::is_retryable`]).
    pub(crate) fn is_retryable(&self) -> bool {
        match self {
            Self::Transport { kind, .. } => kind.is_retryable(),
            Self::Api { error, .. } => error.is_retryable(),
            Self::Token(inner) => inner.is_retryable(),
            Self::UnusableToken { .. } => false,
            Self::Settled(error) => error.is_retryable(),
        }
    }

    /// The server's `Retry-After` (capped), when it sent one.
    pub(crate) fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Api { retry_after, .. } => *retry_after,
            Self::Token(inner) => inner.retry_after(),
            Self::Transport { .. } | Self::UnusableToken { .. } | Self::Settled(_) => None,
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

    /// The attempt ran out of time (such a retry costs the budget more).
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

/// For the retry log: the words the final error would have, and the foreign cause.
impl fmt::Display for AttemptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Transport { kind, host, source } => {
                display::transport(f, *kind, host)?;
                write!(f, ": {}", display::innermost(source.as_ref()))
            }
            Self::Api { error, .. } => write!(f, "{error}"),
            Self::Token(inner) => display::token_endpoint(f, inner),
            Self::UnusableToken { status, reason } => {
                let unusable = TokenError::UnusableToken {
                    status: *status,
                    reason: reason.clone(),
                };
                display::token_endpoint(f, &unusable)
            }
            Self::Settled(error) => write!(f, "{}", error.report()),
        }
    }
}
