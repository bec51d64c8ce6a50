//! Where the API lives and what it allows: paths, credential kinds, limits (R1, R4, R9, R14).
//!
//! Every number the client, the mock and the schemas share is defined here once.

use std::time::Duration;

/// Path of the statistics route that takes an OAuth 2.0 bearer token (R1).
pub const OAUTH_STATISTICS_PATH: &str = "/api/wa/v2/statistics/campaign";
/// Path of the statistics route that takes an API key in `x-ins-auth-key` (R1).
pub const API_KEY_STATISTICS_PATH: &str = "/v1/statistics/campaign";
/// Path of the OAuth 2.0 token endpoint (R14).
pub const TOKEN_PATH: &str = "/auth/token";

/// Default base URL for the bearer-token route (R1).
pub const DEFAULT_OAUTH_BASE_URL: &str = "https://gw.api.insidethekube.com";
/// Default base URL for the API-key route (R1).
pub const DEFAULT_API_KEY_BASE_URL: &str = "https://whatsapp.useinsider.com";
/// Default full URL of the token endpoint (R14).
pub const DEFAULT_TOKEN_URL: &str = "https://gw.api.insidethekube.com/auth/token";

/// Header that carries an API key on the v1 route. HTTP header names are case-insensitive.
pub const API_KEY_HEADER: &str = "x-ins-auth-key";

/// The one scope a token must carry to read statistics (R14).
pub const STATISTICS_SCOPE: &str = "wa-stats-api";

/// Requests per second the upstream allows per credential (R9).
pub const RATE_LIMIT_PER_SECOND: u32 = 100;
/// The window R9's limit counts in: any one second, sliding.
pub const RATE_LIMIT_WINDOW: Duration = Duration::from_secs(1);
/// Value of `Retry-After` (seconds) on a rate-limited answer (R9).
pub const RATE_LIMIT_RETRY_AFTER_SECS: u64 = 1;
/// Tokens the token endpoint issues per client per minute (R14).
pub const TOKENS_PER_MINUTE: u32 = 10;
/// The window R14's token limit counts in: any one minute, sliding.
pub const TOKEN_LIMIT_WINDOW: Duration = Duration::from_secs(60);
/// Largest request body the upstream reads; a longer one is a parse failure (R4).
pub const MAX_REQUEST_BODY_BYTES: usize = 64 * 1024;

/// The kind of credential a statistics route takes. A credential of the other kind counts as
/// missing (R1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum CredentialKind {
    /// `Authorization: Bearer <token>` on [`OAUTH_STATISTICS_PATH`].
    BearerToken,
    /// `x-ins-auth-key: <key>` on [`API_KEY_STATISTICS_PATH`].
    ApiKey,
}

impl CredentialKind {
    /// The statistics path that accepts this kind of credential.
    pub const fn statistics_path(self) -> &'static str {
        match self {
            Self::BearerToken => OAUTH_STATISTICS_PATH,
            Self::ApiKey => API_KEY_STATISTICS_PATH,
        }
    }

    /// The default base URL of the route for this kind of credential.
    pub const fn default_base_url(self) -> &'static str {
        match self {
            Self::BearerToken => DEFAULT_OAUTH_BASE_URL,
            Self::ApiKey => DEFAULT_API_KEY_BASE_URL,
        }
    }

    /// Which credential kind a statistics path takes, if `path` is one of them.
    pub fn for_statistics_path(path: &str) -> Option<Self> {
        match path {
            OAUTH_STATISTICS_PATH => Some(Self::BearerToken),
            API_KEY_STATISTICS_PATH => Some(Self::ApiKey),
            _ => None,
        }
    }
}

/// Reads the token out of an `Authorization` header value, accepting the `Bearer` scheme word in
/// any case (RFC 7235) and surrounding spaces. `None` if the value is not a bearer credential.
///
/// ```
/// use wa_stats_model::endpoint::bearer_token;
/// assert_eq!(bearer_token("bearer demo-token"), Some("demo-token"));
/// assert_eq!(bearer_token("Basic abc"), None);
/// ```
pub fn bearer_token(authorization: &str) -> Option<&str> {
    let value = authorization.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}
