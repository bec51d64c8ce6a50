//! [`ClientBuilder::build`]: every setting checked before any I/O — the credential, the URLs
//! (HTTPS only except loopback, R15), the limits — and the shared state assembled.

use std::net::IpAddr;
use std::sync::Arc;

use url::{Host, Url};
use wa_stats_model::endpoint::TOKEN_PATH;
use wa_stats_model::{CredentialKind, TokenRequest};

use super::{ClientBuilder, Credential, Setting};
use crate::batch::LatencyEstimate;
use crate::budget::{Fingerprint, process_pacer};
use crate::client::{Client, Inner};
use crate::credentials::{self, Auth, AuthHeader, OAuthClient, TokenCache};
use crate::error::Error;
use crate::pacing::{LocalPacer, Pacer};
use crate::retry::RetryBudget;
use crate::transport::Limits;

impl ClientBuilder {
    /// Checks every setting and builds the client. No I/O happens here: the first connection
    /// (and, for client credentials, the first token) comes with the first call.
    ///
    /// Fails with [`Error::InsecureUrl`] for plain `http://` to a non-loopback host, and with
    /// [`Error::Config`] for a missing or empty credential, an unparsable URL, a URL with user
    /// info, a zero rate, zero attempts, a zero timeout, or a `User-Agent` with control
    /// characters. Either way [`Error::setting`] names the setting at fault.
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
        let kind = match &credential {
            Credential::ApiKey(_) => CredentialKind::ApiKey,
            Credential::Bearer(_) | Credential::ClientCredentials { .. } => {
                CredentialKind::BearerToken
            }
        };
        let base = self.checked_url(
            self.base_url.as_deref().unwrap_or(kind.default_base_url()),
            Setting::BaseUrl,
        )?;
        let statistics_url = join(&base, kind.statistics_path());
        if self.rate_limit == Some(0) {
            return Err(Error::bad_setting(
                Setting::RateLimit,
                "rate_limit must be at least 1 per second (None turns it off)",
            ));
        }
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
        if self.connect_timeout.is_zero() {
            return Err(Error::bad_setting(
                Setting::ConnectTimeout,
                "connect_timeout must be longer than zero",
            ));
        }
        // Checked here rather than left to reqwest, whose error would not say which setting.
        let user_agent = http::HeaderValue::from_str(&self.user_agent).map_err(|_| {
            Error::bad_setting(
                Setting::UserAgent,
                "user_agent must not contain control characters",
            )
        })?;
        let pacer = self.pacer(credential.fingerprint())?;
        let auth = match credential {
            Credential::Bearer(token) => {
                non_empty(token.is_empty())?;
                Auth::Static(AuthHeader {
                    name: http::header::AUTHORIZATION,
                    value: credentials::bearer_header(&token)?,
                    generation: None,
                })
            }
            Credential::ApiKey(key) => {
                non_empty(key.is_empty())?;
                Auth::Static(AuthHeader {
                    name: credentials::api_key_header_name(),
                    value: credentials::sensitive_header(key.expose())?,
                    generation: None,
                })
            }
            Credential::ClientCredentials { client_id, secret } => {
                non_empty(client_id.is_empty() || secret.is_empty())?;
                let token_url = match &self.token_url {
                    Some(url) => self.checked_url(url, Setting::TokenUrl)?,
                    None => join(&base, TOKEN_PATH),
                };
                Auth::ClientCredentials(Box::new(OAuthClient {
                    request: TokenRequest::new(client_id, secret),
                    token_url,
                    cache: TokenCache::default(),
                }))
            }
        };
        let http = self
            .tls
            .apply(reqwest::Client::builder())?
            .connect_timeout(self.connect_timeout)
            .user_agent(user_agent)
            // A redirect could carry `x-ins-auth-key` to another host (reqwest strips only
            // `Authorization`) and would turn the POST into a GET; the API never redirects.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| Error::config(format!("cannot build the HTTP client: {error}")))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                statistics_url,
                kind,
                auth,
                pacer,
                rate_limit: self.rate_limit,
                budget: RetryBudget::new(self.retry_budget),
                backoff: self.backoff,
                max_attempts: self.max_attempts,
                limits: Limits {
                    timeout: self.timeout,
                    max_body_bytes: self.max_body_bytes,
                },
                latency: LatencyEstimate::default(),
            }),
        })
    }

    /// The pacer for a credential of `fingerprint`: the process's one, or one of its own, and
    /// the shared budget when one is set.
    fn pacer(&self, fingerprint: Fingerprint) -> Result<Option<Pacer>, Error> {
        let Some(per_second) = self.rate_limit else {
            #[cfg(feature = "redis")]
            if self.shared_budget.is_some() {
                return Err(Error::bad_setting(
                    Setting::SharedBudget,
                    "a shared budget needs a rate limit (rate_limit is None)",
                ));
            }
            return Ok(None);
        };
        let local = if self.share_pacing {
            process_pacer(fingerprint, per_second)
        } else {
            Arc::new(LocalPacer::new(per_second))
        };
        let pacer = Pacer::new(local);
        #[cfg(feature = "redis")]
        let pacer = match self.shared_budget.clone() {
            Some(budget) => pacer.with_shared_budget(budget.start(fingerprint, per_second)?),
            None => pacer,
        };
        Ok(Some(pacer))
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
        match url.scheme() {
            "https" => Ok(url),
            "http" if self.allow_insecure_http || is_loopback(&url) => Ok(url),
            "http" => Err(Error::InsecureUrl {
                url: url.to_string(),
                setting,
            }),
            other => Err(refuse(format!("{what} must be https:// (got {other}://)"))),
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

/// `true` for 127.0.0.0/8, `::1` and `localhost`, which never leave the machine.
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// `base` with `path` appended to its path (so a prefix in the base URL is kept).
fn join(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let prefix = base.path().trim_end_matches('/');
    url.set_path(&format!("{prefix}{path}"));
    url
}
