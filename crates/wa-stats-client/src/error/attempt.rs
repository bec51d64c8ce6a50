//! What one attempt saw, before the attempt loop knows whether it is the last: the loop decides
//! on retrying from it, and turns it into an [`Error`] once, with the final attempt count.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use wa_stats_model::{ApiError, ApiErrorKind};

use super::{BoxError, Error, TransportKind, display};

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
    UndecodableBody {
        status: u16,
        raw: Bytes,
        source: BoxError,
    },
    UnexpectedStatus {
        status: u16,
        raw: Bytes,
    },
    BodyTooLarge {
        status: u16,
        limit: usize,
    },
    /// A 200 from the token endpoint with no usable token in it.
    UnusableToken {
        reason: String,
    },
    /// The attempt to get a token failed, as the inner error says.
    Token(Box<AttemptError>),
    /// A failure that involves no attempt count (a setting refused while preparing one).
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
            Self::UndecodableBody {
                status,
                raw,
                source,
            } => Error::UndecodableBody {
                status,
                raw,
                source,
            },
            Self::UnexpectedStatus { status, raw } => Error::UnexpectedStatus { status, raw },
            Self::BodyTooLarge { status, limit } => Error::BodyTooLarge { status, limit },
            Self::UnusableToken { reason } => Error::UnusableToken {
                status: 200,
                reason,
            },
            Self::Token(inner) => Error::TokenEndpoint {
                source: Box::new(inner.into_error(attempts)),
            },
            Self::Settled(error) => error,
        }
    }

    /// Whether trying again may help (the same rules as [`Error::is_retryable`]).
    pub(crate) fn is_retryable(&self) -> bool {
        match self {
            Self::Transport { kind, .. } => *kind != TransportKind::Tls,
            Self::Api { error, .. } => error.is_retryable(),
            Self::Token(inner) => inner.is_retryable(),
            Self::Settled(error) => error.is_retryable(),
            Self::UndecodableBody { .. }
            | Self::UnexpectedStatus { .. }
            | Self::BodyTooLarge { .. }
            | Self::UnusableToken { .. } => false,
        }
    }

    /// The server's `Retry-After` (capped), when it sent one.
    pub(crate) fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Api { retry_after, .. } => *retry_after,
            Self::Token(inner) => inner.retry_after(),
            _ => None,
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
        match self {
            Self::Transport { kind, .. } => *kind == TransportKind::Timeout,
            _ => false,
        }
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
            Self::UndecodableBody { status, source, .. } => {
                display::undecodable(f, *status)?;
                write!(f, ": {source}")
            }
            Self::UnexpectedStatus { status, .. } => display::unexpected(f, *status),
            Self::BodyTooLarge { status, limit } => display::too_large(f, *status, *limit),
            Self::UnusableToken { reason } => display::unusable_token(f, 200, reason),
            Self::Token(inner) => display::token_endpoint(f, inner),
            Self::Settled(error) => write!(f, "{}", error.report()),
        }
    }
}
