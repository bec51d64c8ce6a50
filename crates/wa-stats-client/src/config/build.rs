//! [`ClientBuilder::build`]: every setting checked before any I/O — the credential, the URLs
//! (HTTPS only except loopback, R15), the limits, the rate budget — then the parts handed to
//! [`Client::assemble`], which owns how a client is put together.

use url::Url;
use wa_stats_model::CredentialKind;
use wa_stats_model::TokenRequest;
use wa_stats_model::endpoint::{RATE_LIMIT_PER_SECOND, TOKEN_PATH};

use super::{ClientBuilder, Credential};
use crate::client::{Client, Parts};
use crate::credentials::{self, Auth, AuthHeader, OAuthClient, TokenCache};
use crate::error::{Error, Setting};
use crate::loopback::is_loopback;
use crate::rate::{Fingerprint, RateBudget};
use crate::transport::Limits;

impl ClientBuilder {
    /// Checks every setting and builds the client. No I/O happens here: the first connection
    /// (and, for client credentials, the first token) comes with the first call.
    ///
    /// Fails with [`Error::InsecureUrl`] for plain `http://` to a non-loopback host, and with
    /// [`Error::Config`] for a missing or empty credential, an unparsable URL, a URL with user
    /// info, zero attempts, a zero timeout, a `User-Agent` with control
    /// characters, or a rate budget of another credential.
    /// Either way [`Error::setting`] names the setting at fault.
    ///
    /// ```
    /// use wa_stats_client::{Client, Error, Setting};
    /// let refused = Client::builder().api_key("k").base_url("http://api.example.com").build();
    /// assert!(matches!(refused, Err(Error::InsecureUrl { setting: Setting::BaseUrl, .. })));
    /// ```
    pub fn build(self) -> Result<Client, Error> {
        let credential = self.credential.clone().ok_or_else(|| {
            Error::bad_setting(
                Setting::Credential,
                "no credential: call bearer_token, api_key or client_credentials",
            )
        })?;
        let kind = credential.kind();
        let base = self.checked_url(
            self.base_url.as_deref().unwrap_or(kind.default_base_url()),
            Setting::BaseUrl,
        )?;
        self.check_attempts_and_timeouts()?;
        let fingerprint = credential.fingerprint();
        let auth = self.auth(credential, &base)?;
        let http = self.http_client()?;
        // Last: binding a budget to the credential is the one check with an effect.
        let rate_budget = self.checked_rate_budget(fingerprint)?;
        Ok(Client::assemble(Parts {
            http,
            statistics_url: join(&base, kind.statistics_path()),
            kind,
            auth,
            rate_budget,
            retry_quota: self.retry_quota,
            backoff: self.backoff,
            max_attempts: self.max_attempts,
            limits: Limits {
                timeout: self.timeout,
                max_body_bytes: self.max_body_bytes,
            },
            operation_timeout: self.operation_timeout,
        }))
    }

    fn check_attempts_and_timeouts(&self) -> Result<(), Error> {
        if self.max_attempts == 0 {
            return Err(Error::bad_setting(
                Setting::MaxAttempts,
                "max_attempts must be at least 1",
            ));
        }
        if self.timeout.is_zero() {
            return Err(Error::bad_setting(
                Setting::Timeout,
                "timeout must be longer than zero",
            ));
        }
        if self.operation_timeout.is_some_and(|bound| bound.is_zero()) {
            return Err(Error::bad_setting(
                Setting::OperationTimeout,
                "operation_timeout must be longer than zero",
            ));
        }
        if self.connect_timeout.is_zero() {
            return Err(Error::bad_setting(
                Setting::ConnectTimeout,
                "connect_timeout must be longer than zero",
            ));
        }
        Ok(())
    }

    /// The budget the client paces under: the one given, bound to this credential, or one of
    /// its own at R9's rate; `None` when pacing is off.
    fn checked_rate_budget(&self, credential: Fingerprint) -> Result<Option<RateBudget>, Error> {
        let budget = match &self.rate_budget {
            Some(None) => return Ok(None),
            Some(Some(budget)) => budget.clone(),
            None => RateBudget::local(RATE_LIMIT_PER_SECOND)?,
        };
        budget.bind(credential)?;
        Ok(Some(budget))
    }

    /// How each request authenticates; the token URL is checked here, for client credentials.
    fn auth(&self, credential: Credential, base: &Url) -> Result<Auth, Error> {
        Ok(match credential {
            Credential::Bearer(token) => {
                non_empty(token.is_empty())?;
                Auth::Static {
                    header: AuthHeader {
                        name: http::header::AUTHORIZATION,
                        value: credentials::bearer_header(&token)?,
                        generation: None,
                    },
                    bearer: Some(token),
                }
            }
            Credential::ApiKey(key) => {
                non_empty(key.is_empty())?;
                Auth::Static {
                    header: AuthHeader {
                        name: credentials::api_key_header_name(),
                        value: credentials::sensitive_header(key.expose())?,
                        generation: None,
                    },
                    bearer: None,
                }
            }
            Credential::ClientCredentials { client_id, secret } => {
                non_empty(client_id.is_empty() || secret.is_empty())?;
                let token_url = match &self.token_url {
                    Some(url) => self.checked_url(url, Setting::TokenUrl)?,
                    None => join(base, TOKEN_PATH),
                };
                #[cfg(feature = "token-cache")]
                let cache = match &self.token_cache {
                    Some(shared) => TokenCache::shared(crate::token_cache::SharedTokens::new(
                        std::sync::Arc::clone(&shared.store),
                        crate::token_cache::Sealer::new(token_url.as_str(), &client_id, &secret),
                    )),
                    None => TokenCache::default(),
                };
                #[cfg(not(feature = "token-cache"))]
                let cache = TokenCache::default();
                Auth::ClientCredentials(Box::new(OAuthClient {
                    request: TokenRequest::new(client_id, secret),
                    token_url,
                    cache,
                }))
            }
        })
    }

    fn http_client(&self) -> Result<reqwest::Client, Error> {
        // Checked here rather than left to reqwest, whose error would not say which setting.
        let user_agent = http::HeaderValue::from_str(&self.user_agent).map_err(|_| {
            Error::bad_setting(
                Setting::UserAgent,
                "user_agent must not contain control characters",
            )
        })?;
        self.tls
            .apply(reqwest::Client::builder())?
            .connect_timeout(self.connect_timeout)
            .user_agent(user_agent)
            // A redirect could carry `x-ins-auth-key` to another host (reqwest strips only
            // `Authorization`) and would turn the POST into a GET; the API never redirects.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| {
                self.tls.culprit().unwrap_or_else(|| {
                    Error::config(format!("cannot build the HTTP client: {error}"))
                })
            })
    }

    /// Parses `text` and applies R15: `https`, or `http` to loopback or when explicitly allowed.
    fn checked_url(&self, text: &str, setting: Setting) -> Result<Url, Error> {
        let what = match setting {
            Setting::TokenUrl => "token URL",
            _ => "base URL",
        };
        let refuse = |reason: String| Error::bad_setting(setting, reason);
        let url = Url::parse(text)
            .map_err(|error| refuse(format!("{what} is not a valid URL: {error}")))?;
        if !url.username().is_empty() || url.password().is_some() {
            // Never echo it: the user info may be a credential.
            return Err(refuse(format!(
                "{what} must not contain user info (user:password@)"
            )));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(refuse(format!(
                "{what} must not have a query or fragment: {url}"
            )));
        }
        let loopback = url.host().is_some_and(|host| is_loopback(&host));
        match url.scheme() {
            "https" => Ok(url),
            "http" if self.allow_insecure_http || loopback => Ok(url),
            "http" => Err(Error::InsecureUrl {
                url: url.to_string(),
                setting,
            }),
            other => Err(refuse(format!("{what} must be https:// (got {other}://)"))),
        }
    }
}

impl Credential {
    /// The kind decides the route (R1); client credentials use bearer tokens.
    fn kind(&self) -> CredentialKind {
        match self {
            Self::ApiKey(_) => CredentialKind::ApiKey,
            Self::Bearer(_) | Self::ClientCredentials { .. } => CredentialKind::BearerToken,
        }
    }
}

fn non_empty(empty: bool) -> Result<(), Error> {
    if empty {
        Err(Error::bad_setting(
            Setting::Credential,
            "the credential must not be empty",
        ))
    } else {
        Ok(())
    }
}

/// `base` with `path` appended to its path (so a prefix in the base URL is kept).
fn join(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let prefix = base.path().trim_end_matches('/');
    url.set_path(&format!("{prefix}{path}"));
    url
}
