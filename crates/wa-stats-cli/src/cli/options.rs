//! The option groups several subcommands flatten in: the credentials, the connection, and the
//! global `-v`/`-q`/`--profile`.

use clap::{ArgAction, Args};
use wa_stats_client::{DEFAULT_MAX_ATTEMPTS, DEFAULT_TIMEOUT};

use super::TokenCacheChoice;
use super::parse::parse_seconds;
use crate::origins::{
    API_KEY_ENV, BASE_URL_ENV, CA_CERT_ENV, CLIENT_ID_ENV, CLIENT_SECRET_ENV, PROFILE_ENV,
    TOKEN_CACHE_ENV, TOKEN_ENV, TOKEN_URL_ENV,
};

/// `--token` and `--api-key`: credentials used as given.
#[derive(Debug, Default, Args)]
#[command(next_help_heading = "Credentials (give exactly one)")]
pub(crate) struct StaticCredentials {
    /// OAuth 2.0 bearer token (v2 route). Prefer the environment variable: arguments are visible
    /// to other users in the process list.
    #[arg(long, value_name = "TOKEN", env = TOKEN_ENV, hide_env_values = true)]
    pub(crate) token: Option<String>,

    /// API key (v1 route, sent as x-ins-auth-key).
    #[arg(long, value_name = "KEY", env = API_KEY_ENV, hide_env_values = true)]
    pub(crate) api_key: Option<String>,
}

/// `--client-id`, `--client-secret`, `--token-url`.
#[derive(Debug, Default, Args)]
#[command(next_help_heading = "OAuth client credentials")]
pub(crate) struct OAuthCredentials {
    /// OAuth client id; with --client-secret, tokens are fetched and renewed as needed.
    #[arg(long, value_name = "ID", env = CLIENT_ID_ENV)]
    pub(crate) client_id: Option<String>,

    /// OAuth client secret, with --client-id.
    #[arg(long, value_name = "SECRET", env = CLIENT_SECRET_ENV, hide_env_values = true)]
    pub(crate) client_secret: Option<String>,

    /// OAuth token endpoint, with client credentials [default: /auth/token under the base URL]
    #[arg(long, value_name = "URL", env = TOKEN_URL_ENV)]
    pub(crate) token_url: Option<String>,

    /// Where the OAuth token of --client-id is kept for the other runs and processes of that
    /// credential, so that they ask the token endpoint once an hour rather than once a run:
    /// disk ($XDG_CACHE_HOME/wa-stats, else ~/.cache/wa-stats), redis (in --shared-budget's
    /// Redis), off, or auto: redis with --shared-budget, else disk
    #[arg(
        long,
        value_name = "WHERE",
        env = TOKEN_CACHE_ENV,
        value_enum,
        default_value_t = TokenCacheChoice::default()
    )]
    pub(crate) token_cache: TokenCacheChoice,
}

/// Where to connect and how hard to try.
#[derive(Debug, Args)]
#[command(next_help_heading = "Connection")]
pub(crate) struct Connection {
    /// API base URL [default: Insider's production URL for the credential's route]
    #[arg(long, value_name = "URL", env = BASE_URL_ENV)]
    pub(crate) base_url: Option<String>,

    /// Allow plain http:// to a host that is not loopback (a test host you trust); without it
    /// such a URL is refused, because the credential would cross the network in clear.
    #[arg(long)]
    pub(crate) allow_insecure_http: bool,

    /// Also trust the CA certificate(s) in this PEM file, for a server with a private or test CA
    /// (such as the one `wa-stats-mock --tls --tls-ca-out FILE` writes).
    #[arg(long, value_name = "FILE", env = CA_CERT_ENV)]
    pub(crate) ca_cert: Option<String>,

    /// Where `ca_cert` came from when a profile gave it (`FILE:LINE: ca_cert`), for messages.
    #[arg(skip)]
    pub(crate) ca_cert_origin: Option<String>,

    /// Retries per request after a 429, a 5xx, a 408 or a network failure (0: none).
    #[arg(
        long,
        value_name = "N",
        default_value_t = DEFAULT_MAX_ATTEMPTS - 1,
        value_parser = clap::value_parser!(u32).range(0..=20),
    )]
    pub(crate) max_retries: u32,

    /// Seconds allowed for one attempt, from connecting to the last byte (fractions allowed).
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = DEFAULT_TIMEOUT.as_secs_f64(),
        value_parser = parse_seconds,
    )]
    pub(crate) timeout: f64,
}

/// `-v`, `-q`: how much goes to stderr, for every subcommand.
#[derive(Debug, Args)]
pub(crate) struct Global {
    /// One line per HTTP attempt on stderr (campaign, attempt, status, latency, retry delay);
    /// -vv adds the client's debug events. Never logs a credential.
    #[arg(short, long, action = ArgAction::Count, global = true, conflicts_with = "quiet")]
    pub(crate) verbose: u8,

    /// Print nothing on stderr: no progress bar, no logs, no messages; the exit status tells.
    #[arg(short, long, global = true)]
    pub(crate) quiet: bool,

    /// Read defaults from this profile of $XDG_CONFIG_HOME/wa-stats/config.toml [default: the
    /// `default` profile, when the file has one]
    #[arg(long, value_name = "NAME", env = PROFILE_ENV, global = true)]
    pub(crate) profile: Option<String>,
}
