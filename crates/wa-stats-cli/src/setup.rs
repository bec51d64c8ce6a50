//! From options to a [`Client`]: exactly one credential, URLs checked (plain http only to
//! loopback, R15), limits applied, the token cache chosen. Every refusal here happens before a
//! request is sent (the token cache's directory is created and checked here).

use std::path::Path;
use std::time::Duration;

use wa_stats_client::{
    Client, Error, RateBudget, RedisBudget, Setting, TokenCache, WhenUnavailable,
};
use wa_stats_model::endpoint::{DEFAULT_OAUTH_BASE_URL, DEFAULT_TOKEN_URL};

use crate::cli::{
    Connection, OAuthCredentials, Settings, StaticCredentials, Throughput, TokenCacheChoice,
};
use crate::origins::{
    API_KEY, BASE_URL_ENV, CA_CERT_ENV, CLIENT_ID, CLIENT_SECRET, CredentialOption, Origins,
    SHARED_BUDGET_ENV, TOKEN, TOKEN_CACHE_ENV, TOKEN_URL_ENV,
};
use crate::refusal::Refusal;

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

/// A flag of the command line as the client's errors need it: its name, the options (argument
/// id, environment variable) its value may have come from, and how to fix a bad value.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Flag {
    name: &'static str,
    options: &'static [(&'static str, &'static str)],
    fix: String,
}

impl Credential {
    /// The options that give this credential, as a message names them.
    pub(crate) fn flags(&self) -> String {
        let one = |option: CredentialOption| format!("{} (or {})", option.flag, option.env);
        match self {
            Self::Token(_) => one(TOKEN),
            Self::ApiKey(_) => one(API_KEY),
            Self::ClientCredentials { .. } => format!(
                "{} and {} (or {} and {})",
                CLIENT_ID.flag, CLIENT_SECRET.flag, CLIENT_ID.env, CLIENT_SECRET.env
            ),
        }
    }

    /// The flag that gives this credential, for messages about its value.
    fn flag(&self) -> Flag {
        let (name, options): (_, &'static [_]) = match self {
            Self::Token(_) => (TOKEN.flag, &[(TOKEN.id, TOKEN.env)]),
            Self::ApiKey(_) => (API_KEY.flag, &[(API_KEY.id, API_KEY.env)]),
            Self::ClientCredentials { .. } => (
                "--client-id/--client-secret",
                &[
                    (CLIENT_ID.id, CLIENT_ID.env),
                    (CLIENT_SECRET.id, CLIENT_SECRET.env),
                ],
            ),
        };
        Flag {
            name,
            options,
            fix: "give the value exactly as issued, without line breaks or other control \
                  characters"
                .to_owned(),
        }
    }
}

/// The flag that sets `setting` (`credential` for the credential); `None` for a setting the
/// command line does not expose.
fn flag_for(setting: Setting, credential: Flag) -> Option<Flag> {
    let (name, options, fix): (_, &'static [_], _) = match setting {
        Setting::Credential => return Some(credential),
        Setting::BaseUrl => (
            "--base-url",
            &[("base_url", BASE_URL_ENV)],
            format!("give a full URL such as {DEFAULT_OAUTH_BASE_URL}"),
        ),
        Setting::TokenUrl => (
            "--token-url",
            &[("token_url", TOKEN_URL_ENV)],
            format!("give a full URL such as {DEFAULT_TOKEN_URL}"),
        ),
        Setting::RateBudget => (
            "--rate-limit",
            &[],
            "give at least 1 request per second".to_owned(),
        ),
        Setting::MaxAttempts => (
            "--max-retries",
            &[],
            "give a number from 0 to 20".to_owned(),
        ),
        Setting::Timeout => (
            "--timeout",
            &[],
            "give a number of seconds such as 30".to_owned(),
        ),
        Setting::RootCertificate => (
            "--ca-cert",
            &[("ca_cert", CA_CERT_ENV)],
            "give a PEM file with -----BEGIN CERTIFICATE----- blocks".to_owned(),
        ),
        Setting::SharedBudget => (
            "--shared-budget",
            &[("shared_budget", SHARED_BUDGET_ENV)],
            "give a URL such as redis://127.0.0.1:6379/0 or rediss://cache.internal:6380"
                .to_owned(),
        ),
        // Set by the tool itself, or never refused: the client's message says what is wrong.
        _ => return None,
    };
    Some(Flag { name, options, fix })
}

/// Words a client-settings error in terms of the command line, naming the flag from the setting
/// the client reports rather than from its message, which is written for people. A value that
/// came from the environment names its variable too: the user may never have typed the flag.
fn refuse_settings(error: &Error, credential: Flag, origins: &Origins<'_>) -> Refusal {
    let named = error
        .setting()
        .and_then(|setting| flag_for(setting, credential));
    let from = |flag: &Flag| origins.env_suffix(flag.options);
    match (error, named) {
        (Error::InsecureUrl { url, setting, .. }, Some(flag))
            if *setting == Setting::SharedBudget =>
        {
            Refusal::new(
                format!(
                    "{} {url}{}: plain redis:// to a host that is not loopback would cross the \
                     network in clear",
                    flag.name,
                    from(&flag)
                ),
                "use rediss://, or add --allow-insecure-redis for a network you trust",
            )
        }
        (Error::InsecureUrl { url, .. }, Some(flag)) => Refusal::new(
            format!(
                "{} {url}{}: plain http:// to a host that is not loopback would send the \
                 credential in clear",
                flag.name,
                from(&flag)
            ),
            "use https://, or add --allow-insecure-http for a test host you trust",
        ),
        (Error::Config { reason, .. }, Some(flag)) => Refusal::new(
            format!("{}{}: {reason}", flag.name, from(&flag)),
            flag.fix.clone(),
        ),
        (other, _) => Refusal {
            problem: other.to_string(),
            fix: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;
    use crate::cli::Cli;

    const SETTINGS: [Setting; 7] = [
        Setting::Credential,
        Setting::BaseUrl,
        Setting::TokenUrl,
        Setting::RateBudget,
        Setting::MaxAttempts,
        Setting::Timeout,
        Setting::SharedBudget,
    ];

    #[test]
    fn every_setting_the_command_line_sets_has_its_flag() {
        let api_key = Credential::ApiKey("k".into()).flag();
        for (setting, flag) in SETTINGS.into_iter().zip([
            "--api-key",
            "--base-url",
            "--token-url",
            "--rate-limit",
            "--max-retries",
            "--timeout",
            "--shared-budget",
        ]) {
            assert_eq!(
                flag_for(setting, api_key.clone()).map(|f| f.name),
                Some(flag)
            );
        }
        for internal in [
            Setting::AllowInsecureHttp,
            Setting::ConnectTimeout,
            Setting::UserAgent,
            Setting::MaxBodyBytes,
            Setting::Backoff,
            Setting::MaxRetryAfter,
            Setting::RetryQuota,
        ] {
            assert_eq!(flag_for(internal, api_key.clone()), None, "{internal:?}");
        }
    }

    /// The argument ids and variables a message names are the ones clap reads: every
    /// environment variable behind a flag, and no other.
    #[test]
    fn each_flag_lists_the_variables_clap_reads_for_it() {
        let cli = Cli::command();
        let command = cli
            .find_subcommand("campaign")
            .expect("campaign takes every flag");
        let credentials = [
            Credential::Token("t".into()),
            Credential::ApiKey("k".into()),
            Credential::ClientCredentials {
                id: "i".into(),
                secret: "s".into(),
            },
        ];
        let token = credentials[0].flag();
        let flags = credentials.iter().map(Credential::flag).chain(
            SETTINGS
                .into_iter()
                .filter_map(|setting| flag_for(setting, token.clone())),
        );
        for flag in flags {
            let expected: Vec<(String, String)> = flag
                .name
                .split('/')
                .map(|long| {
                    command
                        .get_arguments()
                        .find(|arg| arg.get_long() == long.strip_prefix("--"))
                        .unwrap_or_else(|| panic!("no argument {long}"))
                })
                .filter_map(|arg| {
                    let env = arg.get_env()?.to_str()?.to_owned();
                    Some((arg.get_id().to_string(), env))
                })
                .collect();
            let listed: Vec<(String, String)> = flag
                .options
                .iter()
                .map(|&(id, env)| (id.to_owned(), env.to_owned()))
                .collect();
            assert_eq!(listed, expected, "{}", flag.name);
        }
    }

    #[test]
    fn a_refused_setting_is_worded_with_its_flag_and_a_fix() {
        // Given on the command line, so that a WA_STATS_* variable in the environment of the
        // test run cannot change where the value came from.
        let matches = Cli::command()
            .try_get_matches_from([
                "wa-stats",
                "campaign",
                "1",
                "--token",
                "t",
                "--base-url",
                "not a url",
            ])
            .unwrap();
        let origins = Origins(&matches);
        let token = Credential::Token("t".into()).flag();
        let error = Client::builder()
            .bearer_token("t")
            .base_url("not a url")
            .build()
            .unwrap_err();
        let refusal = refuse_settings(&error, token.clone(), &origins);
        assert!(
            refusal
                .problem
                .starts_with("--base-url: base URL is not a valid URL"),
            "{refusal}"
        );
        assert!(refusal.fix.is_some(), "{refusal}");
        // Not a flag of the command line: the client's own message, unchanged.
        let error = Client::builder()
            .bearer_token("t")
            .connect_timeout(Duration::ZERO)
            .build()
            .unwrap_err();
        assert_eq!(
            refuse_settings(&error, token, &origins).problem,
            error.to_string()
        );
    }
}
