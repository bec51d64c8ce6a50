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
