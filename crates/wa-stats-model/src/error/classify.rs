//! Turning any error answer (status and body bytes) into one typed value, losing nothing (R11).
//!
//! Tiers, as ruma does it: the documented shape, else any JSON (its `message` and `errorCode`
//! picked out), else the raw text.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde_json::Value;

use super::body::{
    CODE_CAMPAIGN_NOT_FOUND, CODE_PARSE_FAILED, CODE_PRODUCT_NOT_ACTIVE, CODE_VALIDATION_FAILED,
    ErrorCode,
};

/// What an error answer means, classified from its status and body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// `3001`: the server could not parse the request body.
    ParseFailed {
        /// Go's decoder message.
        detail: String,
    },
    /// `3002`: the request broke a validation rule.
    ValidationFailed {
        /// The rule's message.
        detail: String,
    },
    /// `3004`: the campaign does not exist or belongs to another partner; the API does not say
    /// which.
    CampaignNotFound,
    /// `3007`: the partner's WhatsApp product is not active.
    ProductNotActive,
    /// 422: the campaign is not a WhatsApp campaign (or another downstream field check failed).
    NotAWhatsAppCampaign {
        /// For each offending field, what is wrong with it.
        field_errors: BTreeMap<String, Vec<String>>,
    },
    /// 429: over the rate limit.
    RateLimited {
        /// `error.code` when the body had one (`2021`).
        code: Option<i64>,
    },
    /// 401: missing, unknown, expired or wrong-kind credential, whatever the body said.
    Unauthorized,
    /// Any other error: an undocumented status or code, or a body in no documented shape.
    Other,
}

/// One kind of error answer: its stable name and the `errorCode` that selects it, if one does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct KindEntry {
    /// [`ApiError::kind_name`] of the kind.
    pub name: &'static str,
    /// The documented `errorCode` the classification maps to this kind, if any.
    pub code: Option<&'static str>,
}

/// Every kind of error answer, in [`ApiErrorKind`]'s order: the catalogue the bindings' generated
/// constants are written from, so that their readers name kinds and codes as this crate does.
/// The test `the_catalogue_is_the_classification` holds it to [`ApiError::classify`].
pub const ERROR_KINDS: &[KindEntry] = &[
    KindEntry {
        name: "parse_failed",
        code: Some(CODE_PARSE_FAILED),
    },
    KindEntry {
        name: "validation_failed",
        code: Some(CODE_VALIDATION_FAILED),
    },
    KindEntry {
        name: "campaign_not_found",
        code: Some(CODE_CAMPAIGN_NOT_FOUND),
    },
    KindEntry {
        name: "product_not_active",
        code: Some(CODE_PRODUCT_NOT_ACTIVE),
    },
    KindEntry {
        name: "not_a_whatsapp_campaign",
        code: None,
    },
    KindEntry {
        name: "rate_limited",
        code: None,
    },
    KindEntry {
        name: "unauthorized",
        code: None,
    },
    KindEntry {
        name: "other",
        code: None,
    },
];

/// An error answer from the API, classified. Nothing the server sent is dropped: the raw body is
/// kept beside the classification.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status code.
    pub status: u16,
    /// What it means.
    pub kind: ApiErrorKind,
    /// `errorCode` (or `error.code`), when the body had one.
    pub code: Option<String>,
    /// `message`, when the body had one.
    pub message: Option<String>,
    /// The body as received (invalid UTF-8 replaced).
    pub raw: String,
}

/// Any JSON object with the fields the documented shapes use; everything optional.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct LooseBody {
    message: Option<Value>,
    error_code: Option<ErrorCode>,
    errors: Option<Value>,
    error: Option<LooseInner>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LooseInner {
    code: Option<Value>,
}

impl ApiError {
    /// Classifies an error answer.
    ///
    /// ```
    /// use wa_stats_model::{ApiError, ApiErrorKind};
    /// let error = ApiError::classify(400, br#"{"message":"campaign not found or does not belong to this partner","errorCode":3004}"#);
    /// assert_eq!(error.kind, ApiErrorKind::CampaignNotFound);
    /// let proxy = ApiError::classify(502, b"<html>Bad Gateway</html>");
    /// assert_eq!((proxy.kind, proxy.raw.as_str()), (ApiErrorKind::Other, "<html>Bad Gateway</html>"));
    /// ```
    pub fn classify(status: u16, body: &[u8]) -> Self {
        let raw = String::from_utf8_lossy(body).into_owned();
        let loose = match serde_json::from_slice::<Value>(body) {
            Ok(value @ Value::Object(_)) => LooseBody::deserialize(value).unwrap_or_default(),
            _ => LooseBody::default(),
        };
        let message = loose.message.as_ref().map(|m| match m {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        });
        let detail = match &loose.errors {
            Some(Value::String(text)) => text.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        };
        let inner_code = loose.error.as_ref().and_then(|inner| inner.code.as_ref());
        let code = loose
            .error_code
            .as_ref()
            .map(|code| code.0.clone())
            .or_else(|| {
                inner_code.map(|code| {
                    code.as_str()
                        .map_or_else(|| code.to_string(), str::to_owned)
                })
            });
        let kind = match (status, loose.error_code.as_ref().map(ErrorCode::as_str)) {
            (401, _) => ApiErrorKind::Unauthorized,
            (429, _) => ApiErrorKind::RateLimited {
                code: inner_code.and_then(Value::as_i64),
            },
            (_, Some(CODE_PARSE_FAILED)) => ApiErrorKind::ParseFailed { detail },
            (_, Some(CODE_VALIDATION_FAILED)) => ApiErrorKind::ValidationFailed { detail },
            (_, Some(CODE_CAMPAIGN_NOT_FOUND)) => ApiErrorKind::CampaignNotFound,
            (_, Some(CODE_PRODUCT_NOT_ACTIVE)) => ApiErrorKind::ProductNotActive,
            (422, None) => match loose
                .errors
                .map(BTreeMap::<String, Vec<String>>::deserialize)
            {
                Some(Ok(field_errors)) => ApiErrorKind::NotAWhatsAppCampaign { field_errors },
                _ => ApiErrorKind::Other,
            },
            _ => ApiErrorKind::Other,
        };
        Self {
            status,
            kind,
            code,
            message,
            raw,
        }
    }

    /// A short stable name for the kind, for logs and machine-readable output
    /// (`campaign_not_found`, `rate_limited`, …).
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            ApiErrorKind::ParseFailed { .. } => "parse_failed",
            ApiErrorKind::ValidationFailed { .. } => "validation_failed",
            ApiErrorKind::CampaignNotFound => "campaign_not_found",
            ApiErrorKind::ProductNotActive => "product_not_active",
            ApiErrorKind::NotAWhatsAppCampaign { .. } => "not_a_whatsapp_campaign",
            ApiErrorKind::RateLimited { .. } => "rate_limited",
            ApiErrorKind::Unauthorized => "unauthorized",
            ApiErrorKind::Other => "other",
        }
    }

    /// Whether sending the same request again later may succeed: rate limiting, server errors
    /// (5xx) and request timeouts (408). Never parse, validation, ownership or product errors.
    pub fn is_retryable(&self) -> bool {
        matches!(self.kind, ApiErrorKind::RateLimited { .. })
            || self.status >= 500
            || self.status == 408
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(code) = &self.code {
            write!(f, " (code {code})")?;
        }
        match (&self.kind, &self.message) {
            (
                ApiErrorKind::ParseFailed { detail } | ApiErrorKind::ValidationFailed { detail },
                Some(message),
            ) => {
                write!(f, ": {message}: {detail}")
            }
            (ApiErrorKind::NotAWhatsAppCampaign { field_errors }, _) => {
                f.write_str(": ")?;
                let mut first = true;
                for (field, problems) in field_errors {
                    for problem in problems {
                        if !first {
                            f.write_str("; ")?;
                        }
                        first = false;
                        write!(f, "{field}: {problem}")?;
                    }
                }
                Ok(())
            }
            (_, Some(message)) => write!(f, ": {message}"),
            (_, None) if self.raw.is_empty() => f.write_str(" with an empty body"),
            (_, None) => {
                const SHOWN: usize = 200;
                let cut = self
                    .raw
                    .char_indices()
                    .nth(SHOWN)
                    .map_or(self.raw.len(), |(at, _)| at);
                let ellipsis = if cut < self.raw.len() { "…" } else { "" };
                write!(f, ": {}{ellipsis}", &self.raw[..cut])
            }
        }
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each code of the catalogue classifies as its kind; each kind the classification gives is
    /// in the catalogue, once.
    #[test]
    fn the_catalogue_is_the_classification() {
        for entry in ERROR_KINDS {
            if let Some(code) = entry.code {
                let body = format!(r#"{{"message":"m","errorCode":{code}}}"#);
                assert_eq!(
                    ApiError::classify(400, body.as_bytes()).kind_name(),
                    entry.name
                );
            }
        }
        let answers: [(u16, &[u8]); 4] = [
            (422, br#"{"errors":{"campaign_id":["not whatsapp"]}}"#),
            (429, br#"{"error":{"code":2021}}"#),
            (401, b""),
            (500, b"oops"),
        ];
        let mut names: Vec<&str> = ERROR_KINDS
            .iter()
            .filter(|e| e.code.is_some())
            .map(|e| e.name)
            .collect();
        names.extend(
            answers
                .iter()
                .map(|(status, body)| ApiError::classify(*status, body).kind_name()),
        );
        let catalogue: Vec<&str> = ERROR_KINDS.iter().map(|entry| entry.name).collect();
        assert_eq!(names, catalogue);
    }
}
