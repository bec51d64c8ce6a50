//! An async client for Insider's WhatsApp Campaign Analytics API ("statistics for one campaign by
//! ID"), built on [`wa_stats_model`], which holds every rule about the wire.
//!
//! Three lines and done:
//!
//! ```no_run
//! # async fn demo() -> Result<(), wa_stats_client::Error> {
//! let client = wa_stats_client::Client::builder().api_key("INS.example-key").build()?;
//! let stats = client.campaign_statistics(12345).send().await?;
//! println!("{} sent, {} delivered", stats.sent, stats.delivered);
//! # Ok(())
//! # }
//! ```
//!
//! What the defaults do for you:
//! - **Credentials**: a bearer token (v2 route), an API key (v1 route, `x-ins-auth-key`), or OAuth
//!   client credentials, whose token is fetched on first use, cached for all clones, refreshed
//!   before it expires and once after a 401, single-flight, at most 10 fetches a minute.
//! - **Validation first**: a request the API would refuse is refused locally
//!   ([`Error::InvalidRequest`]), with a hint for millisecond timestamps; it costs no request.
//! - **Pacing**: at most 100 requests in any sliding second (settable, or off), evenly spaced and
//!   shared by every clone and task, so a well-behaved caller never sees a 429. Clients built
//!   separately share a [`RateBudget`] when given the same one; feature `redis` makes one shared
//!   across processes and hosts (`RateBudget::redis`).
//! - **Retries**: 429 (honouring `Retry-After`), 5xx, 408 and network failures, with full-jitter
//!   exponential backoff and a client-wide retry quota. Retrying is safe: the endpoint is a
//!   `POST` that only reads.
//! - **Safety**: HTTPS only, except to loopback or when explicitly allowed; rustls, no OpenSSL;
//!   credentials never printed (`** redacted **`) and sent in sensitive headers; answers capped at
//!   1 MiB.
//! - **Batches**: [`Client::campaign_statistics_many`] keeps enough calls in flight to reach the
//!   rate limit at the latency it observes ([`Concurrency::Auto`]), or exactly the number given.
//! - **Errors for people**: [`Error::report`] prints an error and its cause on one line, each
//!   said once.
//! - **Observability**: a `tracing` span per call (`wa_stats.campaign_statistics`) and per attempt
//!   (`wa_stats.attempt`: attempt, status, latency, retry delay), never with a credential.
//!
//! # Public API
//!
//! Everything this crate exports, each with why it is public. All of it is promised from the
//! first publish; enums and structs that may grow are `#[non_exhaustive]`.
//!
//! | item | why it is public |
//! | --- | --- |
//! | [`Client`] | the handle every call goes through; cheap to clone, shared pacing and token |
//! | [`ClientBuilder`] | the settings, one method each, checked by `build` before any I/O |
//! | [`CampaignStatisticsCall`] | one call being put together (`range`, `request`), sent by `send` or `.await` |
//! | [`TimeRange`] | the one type of a range, taken by `range` and the batches, made from range expressions |
//! | [`Concurrency`] | how many calls a batch keeps in flight: `Auto` or a fixed number |
//! | [`MAX_AUTO_CONCURRENCY`], [`UNPACED_AUTO_CONCURRENCY`] | `Auto`'s ceilings, for callers sizing pools (connections, database) around a batch |
//! | [`DEFAULT_MAX_ATTEMPTS`], [`DEFAULT_CONNECT_TIMEOUT`], [`DEFAULT_TIMEOUT`], [`DEFAULT_MAX_BODY_BYTES`], [`DEFAULT_BACKOFF_BASE`], [`DEFAULT_BACKOFF_CAP`], [`DEFAULT_MAX_RETRY_AFTER`], [`DEFAULT_RETRY_QUOTA`] | each builder default, so that a program can show it (the CLI's `--help` does) without restating it |
//! | [`RateBudget`] | the pace's one setting, a handle clients share to pace together (locally, or with feature `redis` through Redis) |
//! | `RedisBudget`, `WhenUnavailable` (feature `redis`) | the Redis side of a shared budget, and what to do when Redis is away |
//! | `DEFAULT_SHARED_BUDGET_NAMESPACE`, `DEFAULT_SHARED_BUDGET_RECHECK`, `DEFAULT_SHARED_BUDGET_TIMEOUT` (feature `redis`) | `RedisBudget`'s defaults, shown as the builder defaults are |
//! | `TokenCache`, `TokenStore`, `TokenStoreLock` (feature `token-cache`) | one OAuth token shared by processes; the traits let a caller bring its own store |
//! | [`Error`] | the one error type, an enum whose variants carry what a caller acts on (docs/client.md, "Why an enum") |
//! | [`TransportKind`] | which network failure a `Transport` error is |
//! | [`Setting`] | which builder setting an error refuses, as data, so a program can point at its own option |
//! | [`Report`] | an error and its causes on one line, each once, made by [`Error::report`] |
//! | [`BoxError`] | the type of a foreign cause in `Error`, so that no dependency's error type is public |
//! | [`Bytes`] | the type of an answer's raw body in `Error`, re-exported so callers need not depend on `bytes` |
//! | [`stream`] | `Stream` and `StreamExt`, what a batch's result needs, re-exported so callers need not depend on `futures-util` |
//! | [`model`] | the model crate, the one door to its types (`CampaignStatistics`, `ApiError`, `Secret`, …) |
//!
//! `Client`'s methods: `builder`, `campaign_statistics` (one call), `campaign_statistics_many`
//! (a batch over IDs with one range) and `campaign_statistics_many_indexed` (a range per call,
//! items with their index), `calls_in_flight` (a batch's in-flight number, for a caller running
//! its own loop), `access_token` (for tools that need the bearer token), and the read-backs
//! `statistics_url`, `token_url`, `credential_kind`, `rate_budget`.

mod attempt_loop;
mod batch;
mod client;
mod config;
mod credentials;
mod error;
mod latency;
mod loopback;
mod rate;
mod redact;
mod retry;
mod statistics_call;
mod time_range;
mod tls;
mod token_answer;
#[cfg(feature = "token-cache")]
mod token_cache;
mod transport;

pub use batch::{Concurrency, MAX_AUTO_CONCURRENCY, UNPACED_AUTO_CONCURRENCY};
/// The type of an answer's raw body in [`Error::UndecodableBody`] and
/// [`Error::UnexpectedStatus`], re-exported so that callers need not depend on `bytes`: it is
/// public in our API, so its crate's major version is ours too (bytes 1 has been stable since 2020).
pub use bytes::Bytes;
pub use client::Client;
pub use config::{
    ClientBuilder, DEFAULT_BACKOFF_BASE, DEFAULT_BACKOFF_CAP, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_RETRY_AFTER, DEFAULT_RETRY_QUOTA,
    DEFAULT_TIMEOUT,
};
pub use error::{BoxError, Error, Report, Setting, TransportKind};
pub use rate::RateBudget;
#[cfg(feature = "redis")]
pub use rate::redis::{
    DEFAULT_SHARED_BUDGET_NAMESPACE, DEFAULT_SHARED_BUDGET_RECHECK, DEFAULT_SHARED_BUDGET_TIMEOUT,
    RedisBudget, WhenUnavailable,
};
pub use statistics_call::CampaignStatisticsCall;
pub use time_range::TimeRange;
#[cfg(feature = "token-cache")]
pub use token_cache::{TokenCache, TokenStore, TokenStoreLock};
pub mod stream {
    //! The stream traits a batch needs, [`Stream`] and [`StreamExt`] from `futures-util`,
    //! re-exported so that callers need not add that crate.
    //!
    //! ```
    //! use wa_stats_client::stream::{Stream, StreamExt};
    //! ```
    pub use futures_util::stream::{Stream, StreamExt};
}
/// The model crate, re-exported so that callers need not depend on it to name its types: the
/// one door to them (`model::CampaignStatistics`, `model::ApiError`, `model::Secret`, …), none
/// of them again at this crate's root, so each has one path.
///
/// ```
/// let body = wa_stats_client::model::CampaignStatisticsRequest::new(12345).to_json();
/// assert_eq!(body, r#"{"campaign_id":12345}"#);
/// ```
pub use wa_stats_model as model;
