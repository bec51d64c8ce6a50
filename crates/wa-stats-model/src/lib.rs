//! The wire contract of Insider's WhatsApp Campaign Analytics API ("statistics for one campaign by
//! ID"): request, response and error types, the upstream's parsing and validation rules, and
//! JSON Schema / OpenAPI export.
//!
//! Every rule about what goes over the wire lives in this crate, once. The client validates with
//! [`validate`] before sending; the mock parses with [`parse_request`] and answers with
//! [`ErrorResponse`]; both read bodies with the same types. The crate has no async runtime and no
//! HTTP stack: a dependent pays only for types, rules and schemas.
//!
//! ```
//! use wa_stats_model::{CampaignStatisticsRequest, parse_request, validate};
//!
//! let body = CampaignStatisticsRequest::new(12345).range(1_700_000_000..1_700_086_400).to_json();
//! let request = parse_request(body.as_bytes()).unwrap();
//! let resolved = validate(&request, 1_800_000_000).unwrap();
//! assert_eq!(resolved.range(), 1_700_000_000..1_700_086_400);
//! ```
//!
//! # Public API, and why each part is public
//!
//! Every module below is published, and `xtask/public-api/wa-stats-model.txt` lists each item
//! (`cargo xtask public-api --check` in CI holds the listing to the code).
//!
//! - [`endpoint`]: paths, default base URLs, the API-key header, the scope, R9/R14's limits and
//!   windows, [`CredentialKind`], `bearer_token`: what a caller needs to reach the API, and what
//!   the mock serves, named once.
//! - [`request`]: [`CampaignStatisticsRequest`] and `unix_seconds`: the request a client builds.
//! - [`parse_request`] and [`ParseError`] (module `parse` is private): the upstream's parsing of
//!   a request body, which the mock answers with and a client may check against.
//! - [`validation`]: [`validate`], [`ValidatedRequest`], [`ValidationError`], the 10-digit bounds
//!   and `DEFAULT_START_TIME`, `looks_like_milliseconds`, `is_ten_digit_unix_seconds`: R5's rules,
//!   run by the client before sending and by the mock before answering.
//! - [`statistics`]: [`CampaignStatistics`] and its parts ([`ResponseSummary`], [`ResponseCard`],
//!   [`DropDetails`], [`UndeliveredDetails`]), the R10 sums (`SumRule`, `SumMismatch`) and the
//!   counter table (`counters`: `COUNTERS`, `Counter`, `Group`, `Role`, `COUNTER_COUNT`,
//!   `top_level`): the success body, and the one table every consumer iterates (the mock's
//!   store, the fixture format, the CLI's columns, the bindings).
//! - [`error`]: [`ErrorResponse`] (the mock's answers), [`ApiError`] and [`ApiErrorKind`] (a
//!   client's classification), the documented bodies and codes, `ERROR_KINDS` (the catalogue the
//!   bindings export): R11.
//! - [`oauth`]: [`TokenRequest`], [`TokenResponse`]: R14's token endpoint, both sides.
//! - [`secret`]: [`Secret`] and `REDACTED`: a credential that never prints.
//! - [`window`]: `SlidingWindowLog`, `peak_in_window`: R9/R14's "N in any sliding window" in
//!   code, shared by the mock's limiter, the client's pacer and dependents' tests.
//! - [`schema`], [`openapi`]: the JSON Schemas and the OpenAPI document, exported by the xtask.
//! - [`examples`]: the vendor page's bodies, part of the contract; dependents' tests use them.
//!
//! The types most callers name are re-exported at the root as well (the `pub use` list below);
//! their modules hold the rest.

pub mod endpoint;
pub mod error;
/// Public on purpose: the vendor page's bodies are part of the contract, and dependents' tests
/// use them as we do.
pub mod examples;
pub mod oauth;
pub mod openapi;
// Private: its API is `parse_request` and `ParseError`, re-exported below.
mod parse;
pub mod request;
pub mod schema;
pub mod secret;
pub mod statistics;
pub mod validation;
// Public and supported: R9 and R14 are "N in any sliding window", and this is that rule in code,
// shared by the mock's limiters, the client's pacer and any dependent's test of its pacing.
pub mod window;

pub use endpoint::CredentialKind;
pub use error::{ApiError, ApiErrorKind, ErrorResponse};
pub use oauth::{TokenRequest, TokenResponse};
pub use parse::{ParseError, parse_request};
pub use request::CampaignStatisticsRequest;
pub use secret::Secret;
pub use statistics::{
    CampaignStatistics, DropDetails, ResponseCard, ResponseSummary, UndeliveredDetails,
};
pub use validation::{ValidatedRequest, ValidationError, validate};

/// The README's example, compiled and run as a doctest so that it cannot rot.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
