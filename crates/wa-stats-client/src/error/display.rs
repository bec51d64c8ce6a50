//! The words of an [`Error`]: `Display` says what this crate knows, once; `source()` gives the
//! foreign cause below it; [`Report`] prints the two on one line.

use std::fmt;

use super::{Error, Setting, TransportKind};

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

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidRequest { rule, hint } => {
                write!(f, "invalid request: {rule}")?;
                if let Some(hint) = hint {
                    write!(f, " ({hint})")?;
                }
                Ok(())
            }
            // No credential goes to Redis; its password and the traffic would, and the opt-in is
            // another method.
            Self::InsecureUrl {
                url,
                setting: Setting::SharedBudget,
            } => write!(
                f,
                "refusing plain redis:// to {url}: the Redis password and traffic would cross the \
                 network in clear; use rediss://, or RedisBudget::allow_insecure(true) on a \
                 network you trust"
            ),
            Self::InsecureUrl { url, .. } => write!(
                f,
                "refusing plain http:// to {url}: a credential would cross the network in clear; \
                 use https://, or allow_insecure_http(true) if you really mean it"
            ),
            Self::Config { reason, .. } => write!(f, "invalid client configuration: {reason}"),
            Self::Transport {
                kind,
                host,
                attempts,
                ..
            } => {
                transport(f, *kind, host)?;
                attempts_suffix(f, *attempts)
            }
            Self::Api {
                error, attempts, ..
            } => {
                write!(f, "{error}")?;
                attempts_suffix(f, *attempts)
            }
            Self::UndecodableBody { status, .. } => write!(
                f,
                "HTTP {status} with a body that is not campaign statistics"
            ),
            Self::UnexpectedStatus { status, .. } => write!(f, "unexpected HTTP status {status}"),
            Self::BodyTooLarge { status, limit } => write!(
                f,
                "HTTP {status} answer larger than the {limit}-byte cap; refused without reading it all"
            ),
            Self::TokenEndpoint { source } => write!(f, "OAuth token endpoint: {source}"),
            Self::UnusableToken { status, reason } => write!(
                f,
                "HTTP {status} with a body that is not a usable token: {reason}"
            ),
            Self::SharedBudgetUnavailable { reason } => write!(
                f,
                "shared rate budget unavailable ({reason}); nothing sent (fail-closed)"
            ),
            Self::OperationTimeout { after, attempts } => {
                write!(f, "no result within the operation timeout of {after:?}")?;
                match attempts {
                    0 => f.write_str(" (nothing sent)"),
                    1 => f.write_str(" (after 1 attempt)"),
                    _ => attempts_suffix(f, *attempts),
                }
            }
        }
    }
}

fn transport(f: &mut fmt::Formatter<'_>, kind: TransportKind, host: &str) -> fmt::Result {
    match kind {
        TransportKind::Connect => write!(f, "could not connect to {host}"),
        TransportKind::Timeout => write!(f, "{host} did not answer in time"),
        TransportKind::Tls => write!(f, "TLS with {host} failed"),
        TransportKind::BodyCutShort => write!(f, "the answer from {host} was cut short"),
        TransportKind::Other => write!(f, "the exchange with {host} failed"),
    }
}

fn attempts_suffix(f: &mut fmt::Formatter<'_>, attempts: u32) -> fmt::Result {
    if attempts > 1 {
        write!(f, " (after {attempts} attempts)")
    } else {
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            // The HTTP stack's layers (reqwest, hyper, the connector) each restate the one below
            // ("error sending request", "client error (Connect)", "tcp connect error"); only the
            // innermost says what happened, and Display already names the host and the kind.
            Self::Transport { source, .. } => Some(innermost(source.as_ref())),
            Self::UndecodableBody { source, .. } => Some(source.as_ref()),
            // Display already says the inner error's words; its own foreign cause is next.
            Self::TokenEndpoint { source } => std::error::Error::source(&**source),
            Self::InvalidRequest { .. }
            | Self::InsecureUrl { .. }
            | Self::Config { .. }
            | Self::Api { .. }
            | Self::UnexpectedStatus { .. }
            | Self::BodyTooLarge { .. }
            | Self::UnusableToken { .. }
            | Self::SharedBudgetUnavailable { .. }
            | Self::OperationTimeout { .. } => None,
        }
    }
}

/// The last error of `error`'s source chain.
pub(crate) fn innermost<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> &'a (dyn std::error::Error + 'static) {
    let mut current = error;
    while let Some(cause) = current.source() {
        current = cause;
    }
    current
}

/// An error and its causes on one line, `error: cause: cause`, as `anyhow`'s `{:#}` and
/// aws-smithy's `DisplayErrorContext` print them: made by [`Error::report`]. This is what a
/// program shows a person; `Display` alone leaves out the operating system's reason for a
/// network failure.
///
/// ```
/// # async fn demo() -> Result<(), wa_stats_client::Error> {
/// let client = wa_stats_client::Client::builder()
///     .api_key("INS.example-key")
///     .base_url("http://127.0.0.1:1")
///     .build()?;
/// let error = client.campaign_statistics(12345).send().await.unwrap_err();
/// // could not connect to 127.0.0.1:1 (after 3 attempts): Connection refused (os error 111)
/// eprintln!("{}", error.report());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Report<'a>(&'a Error);

impl Error {
    /// This error and its causes on one line, for a person; see [`Report`].
    ///
    /// ```
    /// let error = wa_stats_client::Client::builder().build().unwrap_err();
    /// assert_eq!(error.report().to_string(), error.to_string());
    /// ```
    pub fn report(&self) -> Report<'_> {
        Report(self)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut cause = std::error::Error::source(self.0);
        while let Some(error) = cause {
            write!(f, ": {error}")?;
            cause = error.source();
        }
        Ok(())
    }
}
