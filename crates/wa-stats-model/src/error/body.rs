//! The documented error bodies (R11) as types.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

/// `errorCode` of a body the upstream could not parse.
pub const CODE_PARSE_FAILED: &str = "3001";
/// `errorCode` of a body that failed validation.
pub const CODE_VALIDATION_FAILED: &str = "3002";
/// `errorCode` of a campaign that does not exist or belongs to another partner.
pub const CODE_CAMPAIGN_NOT_FOUND: &str = "3004";
/// `errorCode` of a partner whose WhatsApp product is not active.
pub const CODE_PRODUCT_NOT_ACTIVE: &str = "3007";
/// `error.code` of a rate-limited request.
pub const CODE_RATE_LIMITED: i64 = 2021;

/// An `errorCode`: a string on the vendor page, but readers also accept a number (R11).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(transparent)]
#[schemars(
    description = "Insider's error code, such as \"3001\". Documented as a string; readers also accept a number.",
    extend("type" = ["string", "integer"])
)]
pub struct ErrorCode(pub String);

impl ErrorCode {
    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged, expecting = "an error code as a string or an integer")]
        enum StringOrNumber {
            String(String),
            Number(serde_json::Number),
        }
        Ok(Self(match StringOrNumber::deserialize(deserializer)? {
            StringOrNumber::String(code) => code,
            StringOrNumber::Number(code) => code.to_string(),
        }))
    }
}

/// `{message, errorCode, errors}`: parse failures (`3001`) and validation failures (`3002`), and,
/// without `errors`, unknown campaigns (`3004`) and an inactive product (`3007`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CodedErrorBody {
    /// A short, fixed description of the error class, such as `validation failed`.
    pub message: String,
    /// Insider's error code: `3001`, `3002`, `3004` or `3007`.
    pub error_code: ErrorCode,
    /// The specific problem: Go's decoder message for `3001`, the failed rule for `3002`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<String>,
}

/// `{message, errors: {field: [text]}}`: a downstream validation failure, forwarded with status 422.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct FieldErrorsBody {
    /// A general description, such as `The given data was invalid.`
    pub message: String,
    /// For each offending field, what is wrong with it.
    pub errors: BTreeMap<String, Vec<String>>,
}

/// `{message, error: {message, code}}`: the answer to a request over the rate limit (429).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct RateLimitedBody {
    /// `rate limited`.
    pub message: String,
    /// The same, with Insider's numeric code.
    pub error: RateLimitDetail,
}

/// The inner object of a rate-limited body: the message again, with the numeric code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct RateLimitDetail {
    /// `rate limited`.
    pub message: String,
    /// Insider's code for rate limiting, `2021`.
    pub code: i64,
}

/// `{message}`: authorization failures (R2) and the token endpoint's own errors (R14).
///
/// Its schema admits no other keys, so that a body of another shape with a broken field (a 429
/// whose `error.code` is a string, say) cannot pass as this one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(extend("additionalProperties" = false))]
#[non_exhaustive]
pub struct MessageBody {
    /// What went wrong, such as `unauthorized`.
    pub message: String,
}
