//! The one error type of the client: what went wrong, sorted by what a caller does about it.
//!
//! `mod.rs` holds the kinds, `display.rs` their words (and [`Report`], the chain printer),
//! `classify.rs` the questions a caller asks of an error (and the attempt loop's, answered from
//! the same match arms), `setting.rs` the builder settings an error can name.
//!
//! One type, an enum, on every path: a failed attempt is already an [`Error`] (its attempt count
//! is set once, when the loop gives up), and the token endpoint's failure is an `Error` inside
//! [`Error::TokenEndpoint`]. Why an enum and not reqwest's opaque `Error { inner: Box<Inner> }`
//! with `kind()`: docs/client.md, "Why an enum".

use std::time::Duration;

use bytes::Bytes;
use wa_stats_model::{ApiError, ValidationError};

mod classify;
mod display;
mod setting;

pub use display::Report;
pub(crate) use display::innermost as innermost_of;
pub use setting::Setting;

/// A boxed error from a layer below the client (the HTTP stack, the operating system, the JSON
/// decoder). Kept as a trait object so that no dependency's error type becomes part of this
/// crate's public API.
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
/// | [`UndecodableBody`](Error::UndecodableBody) | a 200 whose body is not statistics | yes | no |
/// | [`UnexpectedStatus`](Error::UnexpectedStatus) | a status the API never sends (1xx, 3xx, other 2xx) | yes | no |
/// | [`BodyTooLarge`](Error::BodyTooLarge) | the answer exceeded the size cap | yes | no |
/// | [`TokenEndpoint`](Error::TokenEndpoint) | fetching an OAuth token failed (its `source`: the token request's own `Error`, or [`UnusableToken`](Error::UnusableToken)) | yes | as the inner error |
/// | [`UnusableToken`](Error::UnusableToken) | only inside `TokenEndpoint`: a 200 from the token endpoint without a usable token | yes | no |
/// | [`SharedBudgetUnavailable`](Error::SharedBudgetUnavailable) | fail-closed shared budget, Redis unavailable | no | no |
/// | [`OperationTimeout`](Error::OperationTimeout) | the call's [`operation_timeout`](crate::ClientBuilder::operation_timeout) passed | maybe | no |
///
/// Where the client retried, `attempts` says how many HTTP attempts were made in all, and
/// [`Display`](std::fmt::Display) says so. `Debug` and `Display` never contain a credential.
///
/// **`Display` and `source()`** follow the std convention, each cause said once: `Display` says
/// everything this crate knows, in its own words (the rule, the API's message, the attempts, the
/// token endpoint's part); [`source()`](std::error::Error::source) returns only the foreign cause
/// below it, which `Display` does not repeat: the operating system's or TLS's reason for a
/// [`Transport`](Error::Transport) error (the innermost error of the HTTP stack, whose other
/// layers restate it), the JSON decoder's for an [`UndecodableBody`](Error::UndecodableBody).
/// [`Error::report`] prints both on one line, as `anyhow`'s `{:#}` does.
///
/// ```
/// use wa_stats_client::Error;
/// # async fn demo(client: wa_stats_client::Client) {
/// match client.campaign_statistics(12345).send().await {
///     Ok(stats) => println!("{} sent", stats.sent),
///     Err(error @ Error::InvalidRequest { .. }) => eprintln!("fix the request: {error}"),
///     Err(error) if error.is_retryable() => eprintln!("try again later: {}", error.report()),
///     Err(error) => eprintln!("{} ({})", error.report(), error.kind_name()),
/// }
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The request breaks one of the API's validation rules; nothing was sent and no rate-limit
    /// budget was spent.
    #[non_exhaustive]
    InvalidRequest {
        /// The rule that failed, worded as the server would word it.
        rule: ValidationError,
        /// A likelier cause, when there is one (a millisecond timestamp, say).
        hint: Option<String>,
    },
    /// A plain `http://` URL to a host that is not loopback, refused before any I/O (R15).
    #[non_exhaustive]
    InsecureUrl {
        /// The URL refused (it never carries user info: such URLs are refused as
        /// [`Config`](Error::Config)).
        url: String,
        /// Which URL it is: [`Setting::BaseUrl`], [`Setting::TokenUrl`] or, for the Redis of
        /// a shared rate budget, [`Setting::SharedBudget`].
        setting: Setting,
    },
    /// The client's settings are not usable; the message says which and why, and `setting`
    /// names the one at fault for a program to act on (see [`Error::setting`]).
    #[non_exhaustive]
    Config {
        /// The setting at fault; `None` when no setting is (the HTTP stack could not start).
        setting: Option<Setting>,
        /// What is wrong, for a person.
        reason: String,
    },
    /// The request or its answer did not make it across the network.
    #[non_exhaustive]
    Transport {
        /// What kind of failure.
        kind: TransportKind,
        /// The server's `host:port`, as the URL names it.
        host: String,
        /// HTTP attempts made in all.
        attempts: u32,
        /// The HTTP stack's error, whole; `source()` returns its innermost cause.
        source: BoxError,
    },
    /// The server answered with an error status; the model classified its body (R11).
    #[non_exhaustive]
    Api {
        /// Status, classified kind, code, message and raw body (boxed to keep `Result`s small).
        error: Box<ApiError>,
        /// The server's `Retry-After`, when it sent one (after capping).
        retry_after: Option<Duration>,
        /// HTTP attempts made in all.
        attempts: u32,
    },
    /// A 200 answer whose body is not a statistics object. The bytes are kept.
    #[non_exhaustive]
    UndecodableBody {
        /// HTTP status (200).
        status: u16,
        /// The body as received (the client's credentials taken out, should the server quote
        /// them). [`Bytes`](crate::Bytes) is re-exported: no dependency on `bytes` is needed.
        raw: Bytes,
        /// Why it does not decode (a JSON error).
        source: BoxError,
    },
    /// A status the API never answers with (1xx, 3xx — redirects are not followed — or a 2xx
    /// other than 200).
    #[non_exhaustive]
    UnexpectedStatus {
        /// HTTP status.
        status: u16,
        /// The body as received (the client's credentials taken out).
        raw: Bytes,
    },
    /// The answer's body was larger than the client accepts; it was not read to the end.
    #[non_exhaustive]
    BodyTooLarge {
        /// HTTP status.
        status: u16,
        /// The cap, in bytes.
        limit: usize,
    },
    /// Getting an OAuth access token from the token endpoint failed (client credentials only);
    /// `source` says how: the token request's own error ([`Api`](Error::Api) — 401 for a wrong
    /// client id or secret, 429 past the endpoint's 10 a minute —, [`Transport`](Error::Transport),
    /// [`Config`](Error::Config), …) or [`UnusableToken`](Error::UnusableToken). The questions
    /// (`status`, `is_retryable`, `attempts`, …) answer as `source` does; `kind_name` says
    /// `token_endpoint`, and `source.kind_name()` the rest.
    #[non_exhaustive]
    TokenEndpoint {
        /// What went wrong there.
        source: Box<Error>,
    },
    /// The token endpoint answered 200 but gave no usable token: the body is not a token
    /// response, its `access_token` is empty or cannot go in an HTTP header, or its `expires_in`
    /// is `0` or not a number of seconds (the reason names the field). Only ever the `source` of
    /// a [`TokenEndpoint`](Error::TokenEndpoint) error. The body is not kept, nor the decoder's
    /// message: either may hold the token. Not retried: the settings are fine, the answer is not.
    #[non_exhaustive]
    UnusableToken {
        /// HTTP status (200).
        status: u16,
        /// What is wrong with the answer, for a person, without quoting it.
        reason: String,
    },
    /// The shared rate budget (feature `redis`) was set to fail closed and Redis did not answer
    /// in time, so nothing was sent.
    #[non_exhaustive]
    SharedBudgetUnavailable {
        /// What went wrong with Redis.
        reason: String,
    },
    /// The whole call (pacing, attempts, backoff, holds) outlasted the client's
    /// [`operation_timeout`](crate::ClientBuilder::operation_timeout). An attempt in flight at
    /// that moment was abandoned; a retry that would have started after it was not made.
    #[non_exhaustive]
    OperationTimeout {
        /// The deadline that passed, as set on the builder.
        after: Duration,
        /// HTTP attempts made before it passed.
        attempts: u32,
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
