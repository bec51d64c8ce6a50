//! The OAuth 2.0 token endpoint's request and answer (R14).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::endpoint::STATISTICS_SCOPE;
use crate::secret::Secret;

/// Body of `POST /auth/token`. Note: no `grant_type`; Insider's endpoint takes JSON, not a form.
///
/// ```
/// use wa_stats_model::TokenRequest;
/// let request = TokenRequest::new("demo-client", "demo-secret");
/// assert_eq!(
///     serde_json::to_string(&request).unwrap(),
///     r#"{"client_id":"demo-client","client_secret":"demo-secret","scopes":["wa-stats-api"]}"#
/// );
/// assert!(!format!("{request:?}").contains("demo-secret"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct TokenRequest {
    /// The OAuth client's ID, issued with the credential.
    pub client_id: String,
    /// The OAuth client's secret. Keep it out of logs.
    pub client_secret: Secret,
    /// Scopes asked for; statistics need `wa-stats-api`.
    pub scopes: Vec<String>,
}

impl TokenRequest {
    /// A request for a token with the statistics scope.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<Secret>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            scopes: vec![STATISTICS_SCOPE.to_owned()],
        }
    }

    /// Whether the request asks for the statistics scope.
    pub fn has_statistics_scope(&self) -> bool {
        self.scopes.iter().any(|scope| scope == STATISTICS_SCOPE)
    }
}

/// The token endpoint's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct TokenResponse {
    /// The bearer token for `Authorization: Bearer …`. Keep it out of logs.
    pub access_token: Secret,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds from issue until the token stops working; chosen by the partner per credential.
    pub expires_in: u64,
}

impl TokenResponse {
    /// A bearer token valid for `expires_in` seconds.
    pub fn bearer(access_token: impl Into<Secret>, expires_in: u64) -> Self {
        Self {
            access_token: access_token.into(),
            token_type: "Bearer".to_owned(),
            expires_in,
        }
    }
}
