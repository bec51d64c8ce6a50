//! Every error answer the API gives, built exactly as the vendor page shows it: status, headers,
//! and the body with the same keys, order and values, as compact JSON. The mock sends these.

use std::collections::BTreeMap;

use serde::Serialize;

use super::body::{
    CODE_CAMPAIGN_NOT_FOUND, CODE_PARSE_FAILED, CODE_PRODUCT_NOT_ACTIVE, CODE_RATE_LIMITED,
    CODE_VALIDATION_FAILED, CodedErrorBody, ErrorCode, FieldErrorsBody, MessageBody,
    RateLimitDetail, RateLimitedBody,
};
use crate::endpoint::{CredentialKind, RATE_LIMIT_RETRY_AFTER_SECS, STATISTICS_SCOPE};
use crate::parse::ParseError;
use crate::validation::ValidationError;

/// A complete error answer: what a server sends and what a client should expect.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorResponse {
    /// HTTP status code.
    pub status: u16,
    /// Headers beyond `Content-Type: application/json`, as (lower-case name, value).
    pub headers: Vec<(&'static str, String)>,
    /// The body, compact JSON.
    pub body: String,
}

impl ErrorResponse {
    fn json(status: u16, body: &impl Serialize) -> Self {
        Self {
            status,
            headers: Vec::new(),
            // Our own bodies are strings and integers only; they always serialise.
            body: serde_json::to_string(body).unwrap_or_default(),
        }
    }

    fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    fn coded(status: u16, message: &str, code: &str, errors: Option<String>) -> Self {
        Self::json(
            status,
            &CodedErrorBody {
                message: message.to_owned(),
                error_code: ErrorCode(code.to_owned()),
                errors,
            },
        )
    }

    fn message(status: u16, message: &str) -> Self {
        Self::json(
            status,
            &MessageBody {
                message: message.to_owned(),
            },
        )
    }

    /// 400 `3001`: the body could not be parsed; `errors` is Go's decoder message.
    pub fn parse_failed(error: &ParseError) -> Self {
        Self::coded(
            400,
            "failed to parse request",
            CODE_PARSE_FAILED,
            Some(error.to_string()),
        )
    }

    /// 400 `3002`: the first validation rule that failed.
    pub fn validation_failed(error: &ValidationError) -> Self {
        Self::coded(
            400,
            "validation failed",
            CODE_VALIDATION_FAILED,
            Some(error.to_string()),
        )
    }

    /// 400 `3004`: the same bytes whether the campaign is missing or another partner's (R7).
    pub fn campaign_not_found() -> Self {
        Self::coded(
            400,
            "campaign not found or does not belong to this partner",
            CODE_CAMPAIGN_NOT_FOUND,
            None,
        )
    }

    /// 403 `3007`: the partner's WhatsApp product is not active.
    pub fn product_not_active() -> Self {
        Self::coded(
            403,
            "WhatsApp product is not active",
            CODE_PRODUCT_NOT_ACTIVE,
            None,
        )
    }

    /// 422: the campaign exists but is not a WhatsApp campaign-builder campaign (R8).
    pub fn not_a_whatsapp_campaign() -> Self {
        let errors = BTreeMap::from([(
            "campaignFilters.builderId".to_owned(),
            vec!["The campaign ID must be a valid WhatsApp campaign.".to_owned()],
        )]);
        Self::json(
            422,
            &FieldErrorsBody {
                message: "The given data was invalid.".to_owned(),
                errors,
            },
        )
    }

    /// 429 with `Retry-After` (R9); also the token endpoint's answer past its limit (R14).
    pub fn rate_limited() -> Self {
        Self::json(
            429,
            &RateLimitedBody {
                message: "rate limited".to_owned(),
                error: RateLimitDetail {
                    message: "rate limited".to_owned(),
                    code: CODE_RATE_LIMITED,
                },
            },
        )
        .with_header("retry-after", RATE_LIMIT_RETRY_AFTER_SECS.to_string())
    }

    /// 401 for a missing, unknown, expired or wrong-kind credential (R2). The bearer route also
    /// says `WWW-Authenticate: Bearer` (RFC 6750); `None` is the token endpoint.
    pub fn unauthorized(route: Option<CredentialKind>) -> Self {
        let response = Self::message(401, "unauthorized");
        match route {
            Some(CredentialKind::BearerToken) => response.with_header("www-authenticate", "Bearer"),
            _ => response,
        }
    }

    /// 403 from the token endpoint when `scopes` lacks `wa-stats-api` (R14).
    pub fn scope_required() -> Self {
        Self::message(403, &format!("scope {STATISTICS_SCOPE} is required"))
    }

    /// 400 from the token endpoint for a body it cannot read (undocumented; our choice, in the
    /// `3001` shape the statistics routes use).
    pub fn invalid_token_request(detail: &str) -> Self {
        Self::coded(
            400,
            "failed to parse request",
            CODE_PARSE_FAILED,
            Some(detail.to_owned()),
        )
    }

    /// 405 for any method but POST on an API path, with `Allow: POST` (R3).
    pub fn method_not_allowed() -> Self {
        Self::message(405, "method not allowed").with_header("allow", "POST")
    }

    /// 404 for a path the API does not have (undocumented; our choice).
    pub fn not_found() -> Self {
        Self::message(404, "not found")
    }
}
