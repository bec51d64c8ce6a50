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
// Not part of the crate's stable API (its module docs say so): hidden, not private, because the
// mock's limiters and the client's pacer share it.
#[doc(hidden)]
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
