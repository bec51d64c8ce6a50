//! From options to a [`Client`]: exactly one credential, URLs checked (plain http only to
//! loopback, R15), limits applied, the token cache chosen. Every refusal here happens before a
//! request is sent (the token cache's directory is created and checked here).

use std::path::Path;
use std::time::Duration;

use wa_stats_client::{
    Client, Error, RateBudget, RedisBudget, Setting, TokenCache, WhenUnavailable,
};

use crate::cli::{
    Connection, OAuthCredentials, Settings, StaticCredentials, Throughput, TokenCacheChoice,
};
use crate::origins::{
    API_KEY, CA_CERT_ENV, CLIENT_ID, CLIENT_SECRET, CredentialOption, Origins, TOKEN,
    TOKEN_CACHE_ENV,
};
use crate::refusal::Refusal;

mod flags;

use flags::refuse_settings;

/// The credential the options name, with the flag it came from (for messages).
#[derive(Debug)]
pub(crate) enum Credential {
    /// `--token`: bearer token, v2 route.
    Token(String),
    /// `--api-key`: API key, v1 route.
    ApiKey(String),
    /// `--client-id` and `--client-secret`: tokens fetched from the token endpoint.
    ClientCredentials {
        /// Not secret, but never printed either.
        id: String,
        /// The secret.
        secret: String,
    },
}

/// Picks the one credential the options give, or refuses: none, two kinds at once, half of the
/// client-credentials pair, or an empty value. `statics` is `None` for a subcommand that takes
/// only client credentials.
pub(crate) fn credential(
    statics: Option<&StaticCredentials>,
    oauth: &OAuthCredentials,
    origins: &Origins<'_>,
) -> Result<Credential, Refusal> {
    let token = statics.and_then(|s| s.token.clone());
    let api_key = statics.and_then(|s| s.api_key.clone());
    let pair = (oauth.client_id.clone(), oauth.client_secret.clone());
    let mut given = Vec::new();
    if token.is_some() {
        given.push(origins.name(TOKEN));
    }
    if api_key.is_some() {
        given.push(origins.name(API_KEY));
    }
    if pair.0.is_some() || pair.1.is_some() {
        let id = origins.name(CLIENT_ID);
        let secret = origins.name(CLIENT_SECRET);
        given.push(match (&pair.0, &pair.1) {
            (Some(_), Some(_)) => format!("{id} with {secret}"),
            (Some(_), None) => id,
            _ => secret,
        });
    }
    if given.len() > 1 {
        return Err(Refusal::new(
            format!("two credentials at once: {}", given.join(" and ")),
            "give exactly one of --token, --api-key, or --client-id with --client-secret \
             (drop an option, or unset its environment variable)",
        ));
    }
    let credential = match (token, api_key, pair) {
        (Some(token), _, _) => Credential::Token(token),
        (_, Some(key), _) => Credential::ApiKey(key),
        (_, _, (Some(id), Some(secret))) => Credential::ClientCredentials { id, secret },
        (_, _, (Some(_), None)) => return Err(half_pair(origins, CLIENT_ID, CLIENT_SECRET)),
        (_, _, (None, Some(_))) => return Err(half_pair(origins, CLIENT_SECRET, CLIENT_ID)),
        (None, None, (None, None)) if statics.is_none() => {
            return Err(Refusal::new(
                "`wa-stats token` makes an access token from OAuth client credentials, and none \
                 were given",
                format!(
                    "give --client-id and --client-secret (or set {} and {})",
                    CLIENT_ID.env, CLIENT_SECRET.env
                ),
            ));
        }
        (None, None, (None, None)) => {
            return Err(Refusal::new(
                "no credential given",
                format!(
                    "give --token (OAuth bearer token), --api-key (API key), or --client-id with \
                     --client-secret; or set {}, {}, or {} and {}",
                    TOKEN.env, API_KEY.env, CLIENT_ID.env, CLIENT_SECRET.env
                ),
            ));
        }
    };
    let empty = match &credential {
        Credential::Token(token) if token.trim().is_empty() => Some(TOKEN),
        Credential::ApiKey(key) if key.trim().is_empty() => Some(API_KEY),
        Credential::ClientCredentials { id, .. } if id.trim().is_empty() => Some(CLIENT_ID),
        Credential::ClientCredentials { secret, .. } if secret.trim().is_empty() => {
            Some(CLIENT_SECRET)
        }
        _ => None,
    };
    match empty {
        Some(option) => Err(Refusal::new(
            format!("{} is empty", origins.name(option)),
            format!("give a non-empty {} (or {})", option.flag, option.env),
        )),
        None => Ok(credential),
    }
}

/// `given` came without its partner `missing`.
fn half_pair(origins: &Origins<'_>, given: CredentialOption, missing: CredentialOption) -> Refusal {
    Refusal::new(
        format!("{} was given without {}", origins.name(given), missing.flag),
        format!("add {} (or set {})", missing.flag, missing.env),
    )
}

/// The client a command with the full [`Settings`] (`campaign`, `sync`) uses, and the flags that
/// name its credential, for messages.
pub(crate) fn settings_client(
    settings: &Settings,
    origins: &Origins<'_>,
) -> Result<(Client, String), Refusal> {
    let credential = credential(Some(&settings.static_credentials), &settings.oauth, origins)?;
    let flags = credential.flags();
    let client = client(
        &settings.connection,
        &settings.oauth,
        Some(&settings.throughput),
        credential,
        origins,
    )?;
    Ok((client, flags))
}

/// Builds the client. Refuses plain http to a host that is not loopback unless
/// `--allow-insecure-http`, and any other setting the client rejects, naming the flag (and the
/// environment variable, when the value came from one).
pub(crate) fn client(
    connection: &Connection,
    oauth: &OAuthCredentials,
    throughput: Option<&Throughput>,
    credential: Credential,
    origins: &Origins<'_>,
) -> Result<Client, Refusal> {
    let credential_flag = credential.flag();
    let has_token = matches!(credential, Credential::ClientCredentials { .. });
    let mut builder = match credential {
        Credential::Token(token) => Client::builder().bearer_token(token),
        Credential::ApiKey(key) => Client::builder().api_key(key),
        Credential::ClientCredentials { id, secret } => {
            let builder = Client::builder().client_credentials(id, secret);
            match &oauth.token_url {
                Some(url) => builder.token_url(url.trim()),
                None => builder,
            }
        }
    };
    if let Some(url) = &connection.base_url {
        builder = builder.base_url(url.trim());
    }
    if let Some(path) = &connection.ca_cert {
        let pem = crate::files::read_regular(Path::new(path), crate::files::CA_CERT_MAX).map_err(
            |unreadable| {
                let why = match unreadable {
                    crate::files::Unreadable::Missing => "no such file".to_owned(),
                    crate::files::Unreadable::Refused(why) => why,
                };
                Refusal::new(
                    format!("{}: {why}", ca_cert_named(connection, path, origins)),
                    "give --ca-cert the path of a PEM file that holds the CA's certificate",
                )
            },
        )?;
        builder = builder.add_root_certificate(pem);
    }
    // `--shared-budget`'s Redis, which also holds the token with `--token-cache redis`.
    let mut shared_redis = None;
    if let Some(throughput) = throughput {
        let refuse = |error: Error| refuse_settings(&error, credential_flag.clone(), origins);
        shared_redis = match &throughput.shared_budget {
            Some(url) => {
                let when_unavailable = if throughput.shared_budget_required {
                    WhenUnavailable::FailClosed
                } else {
                    WhenUnavailable::PaceLocally
                };
                let redis = RedisBudget::new(url.trim())
                    .map(|redis| {
                        redis
                            .allow_insecure(throughput.allow_insecure_redis)
                            .when_unavailable(when_unavailable)
                    })
                    .map_err(refuse)?;
                let budget =
                    RateBudget::redis(throughput.rate_limit, redis.clone()).map_err(refuse)?;
                builder = builder.rate_budget(budget);
                Some(redis)
            }
            None => {
                builder =
                    builder.rate_budget(RateBudget::local(throughput.rate_limit).map_err(refuse)?);
                None
            }
        };
    }
    if has_token {
        builder = match token_cache(oauth.token_cache, shared_redis.as_ref(), origins)? {
            Some(cache) => builder.token_cache(cache),
            None => builder,
        };
    }
    builder
        .max_attempts(connection.max_retries.saturating_add(1))
        .timeout(Duration::from_secs_f64(connection.timeout))
        .allow_insecure_http(connection.allow_insecure_http)
        .user_agent(concat!("wa-stats/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|error| match (error.setting(), &connection.ca_cert) {
            // The library names its setting; the command line names the flag (or variable, or
            // profile key) and the file.
            (Some(Setting::RootCertificate), Some(path)) => Refusal::new(
                format!(
                    "{}: {}",
                    ca_cert_named(connection, path, origins),
                    match &error {
                        Error::Config { reason, .. } => reason.clone(),
                        other => other.to_string(),
                    }
                ),
                "give a PEM file with -----BEGIN CERTIFICATE----- blocks",
            ),
            _ => refuse_settings(&error, credential_flag, origins),
        })
}

/// `--ca-cert FILE`, `--ca-cert FILE (from WA_STATS_CA_CERT)` or `PROFILE:LINE: ca_cert FILE`:
/// where the CA file's path came from, and the path.
fn ca_cert_named(connection: &Connection, path: &str, origins: &Origins<'_>) -> String {
    match &connection.ca_cert_origin {
        Some(at) => format!("{at} {path}"),
        None => format!(
            "--ca-cert {path}{}",
            origins.env_suffix(&[("ca_cert", CA_CERT_ENV)])
        ),
    }
}

/// The token cache `--token-cache` chose: by default in `--shared-budget`'s Redis when there is
/// one (the processes sharing a budget are those that should share a token), else on disk.
fn token_cache(
    choice: TokenCacheChoice,
    redis: Option<&RedisBudget>,
    origins: &Origins<'_>,
) -> Result<Option<TokenCache>, Refusal> {
    let from = origins.env_suffix(&[("token_cache", TOKEN_CACHE_ENV)]);
    match (choice, redis) {
        (TokenCacheChoice::Off, _) => Ok(None),
        (TokenCacheChoice::Auto | TokenCacheChoice::Redis, Some(redis)) => {
            Ok(Some(TokenCache::redis(redis)))
        }
        (TokenCacheChoice::Redis, None) => Err(Refusal::new(
            format!(
                "--token-cache redis{from} needs --shared-budget: the token is kept in its Redis"
            ),
            "add --shared-budget redis://HOST:PORT, or use --token-cache disk",
        )),
        // Asked for by name: a cache that cannot be used is refused, before anything is sent.
        (TokenCacheChoice::Disk, _) => TokenCache::in_user_cache_dir().map(Some).map_err(|error| {
            Refusal::new(
                format!("--token-cache disk{from}: {}", reason(&error)),
                "fix the directory as said, or give --token-cache off to keep the token in this \
                 run alone",
            )
        }),
        // The default: a cache is a saving, never a condition of the run.
        (TokenCacheChoice::Auto, None) => Ok(TokenCache::in_user_cache_dir()
            .inspect_err(|error| {
                tracing::warn!(
                    "going on without the token cache: {}; --token-cache off goes without it quietly",
                    reason(error)
                );
            })
            .ok()),
    }
}

/// A client error's reason, without the "invalid client configuration" prefix of its `Display`.
fn reason(error: &Error) -> String {
    match error {
        Error::Config { reason, .. } => reason.clone(),
        other => other.to_string(),
    }
}
