//! The command line: every subcommand, flag and environment variable, with its help text.
//!
//! All options are `global`, so they may stand before or after the subcommand
//! (`wa-stats --token T campaign 1` and `wa-stats campaign 1 --token T` are the same command).

use clap::builder::TypedValueParser;
use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};
use wa_stats_client::{DEFAULT_MAX_ATTEMPTS, DEFAULT_TIMEOUT};
use wa_stats_model::endpoint::RATE_LIMIT_PER_SECOND;

/// Default number of campaigns fetched at once: enough to keep the pacer busy at 100 requests per
/// second with answers taking up to ~80 ms, few enough to be gentle on a slow server.
pub(crate) const DEFAULT_CONCURRENCY: usize = 8;
/// The environment variable of `--shared-budget`.
pub(crate) const SHARED_BUDGET_ENV: &str = "WA_STATS_SHARED_BUDGET";

/// Statistics of Insider WhatsApp campaigns, for people and scripts.
#[derive(Debug, Parser)]
#[command(
    name = "wa-stats",
    version,
    propagate_version = true,
    after_help = "Exit status: 0 all fetched; 1 at least one campaign failed (the others are still \
                  printed); 2 the command line or a value was refused before anything was sent."
)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
    /// Options shared by every subcommand.
    #[command(flatten)]
    pub(crate) options: Options,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Fetch statistics for one or more campaigns and print them as a table, JSON Lines or CSV.
    #[command(after_help = "Examples:\n  \
        wa-stats campaign 12345 --token \"$TOKEN\"\n  \
        wa-stats campaign 12345 12346 --from 2024-01-01 --to 2024-02-01 --format csv\n  \
        cut -d, -f1 campaigns.csv | wa-stats campaign - --format json")]
    Campaign(CampaignArgs),
    /// Print a fresh OAuth access token from client credentials, for use with curl.
    #[command(after_help = "Example:\n  \
        curl -H \"Authorization: Bearer $(wa-stats token)\" …   \
        (with WA_STATS_CLIENT_ID and WA_STATS_CLIENT_SECRET set)")]
    Token,
}

/// Arguments of `wa-stats campaign`.
#[derive(Debug, Args)]
pub(crate) struct CampaignArgs {
    /// Campaign IDs (positive integers); `-` reads more from standard input, one per line.
    #[arg(
        value_name = "CAMPAIGN_ID",
        required = true,
        allow_negative_numbers = true
    )]
    pub(crate) ids: Vec<String>,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Aligned and readable, with drop and undelivered reasons and conversational buttons.
    Table,
    /// JSON Lines: one object per campaign, statistics in the API's wire format.
    Json,
    /// A header and one row per campaign; counters and detail counters as columns.
    Csv,
}

/// Every option. Each is `global` so that it may come before or after the subcommand.
#[derive(Debug, Args)]
pub(crate) struct Options {
    /// Start of the range, inclusive: YYYY-MM-DD (UTC midnight), RFC 3339, or 10-digit Unix
    /// seconds. Omitted: the API's default (2018-01-01).
    #[arg(
        long,
        value_name = "TIME",
        global = true,
        help_heading = "Campaign range and output"
    )]
    pub(crate) from: Option<String>,

    /// End of the range, exclusive, in the same forms as --from. Omitted: now.
    #[arg(
        long,
        value_name = "TIME",
        global = true,
        help_heading = "Campaign range and output"
    )]
    pub(crate) to: Option<String>,

    /// Output format.
    #[arg(
        long,
        value_enum,
        value_name = "FORMAT",
        default_value_t = Format::Table,
        global = true,
        help_heading = "Campaign range and output"
    )]
    pub(crate) format: Format,

    /// API base URL [default: Insider's production URL for the credential's route]
    #[arg(
        long,
        value_name = "URL",
        env = "WA_STATS_BASE_URL",
        global = true,
        help_heading = "Connection"
    )]
    pub(crate) base_url: Option<String>,

    /// OAuth 2.0 bearer token (v2 route). Prefer the environment variable: arguments are visible
    /// to other users in the process list.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "WA_STATS_TOKEN",
        hide_env_values = true,
        global = true,
        help_heading = "Credentials (give exactly one)"
    )]
    pub(crate) token: Option<String>,

    /// API key (v1 route, sent as x-ins-auth-key).
    #[arg(
        long,
        value_name = "KEY",
        env = "WA_STATS_API_KEY",
        hide_env_values = true,
        global = true,
        help_heading = "Credentials (give exactly one)"
    )]
    pub(crate) api_key: Option<String>,

    /// OAuth client id; with --client-secret, tokens are fetched and renewed as needed.
    #[arg(
        long,
        value_name = "ID",
        env = "WA_STATS_CLIENT_ID",
        global = true,
        help_heading = "Credentials (give exactly one)"
    )]
    pub(crate) client_id: Option<String>,

    /// OAuth client secret, with --client-id.
    #[arg(
        long,
        value_name = "SECRET",
        env = "WA_STATS_CLIENT_SECRET",
        hide_env_values = true,
        global = true,
        help_heading = "Credentials (give exactly one)"
    )]
    pub(crate) client_secret: Option<String>,

    /// OAuth token endpoint, with client credentials [default: /auth/token under the base URL]
    #[arg(
        long,
        value_name = "URL",
        env = "WA_STATS_TOKEN_URL",
        global = true,
        help_heading = "Credentials (give exactly one)"
    )]
    pub(crate) token_url: Option<String>,

    /// Allow plain http:// to a host that is not loopback (a test host you trust); without it
    /// such a URL is refused, because the credential would cross the network in clear.
    #[arg(long, global = true, help_heading = "Connection")]
    pub(crate) allow_insecure_http: bool,

    /// Share the rate budget of the credential with every process using this Redis (or Valkey),
    /// so that together they stay under the limit: redis://HOST:PORT[/DB] or rediss://…
    #[arg(
        long,
        value_name = "URL",
        env = SHARED_BUDGET_ENV,
        global = true,
        help_heading = "Connection"
    )]
    pub(crate) shared_budget: Option<String>,

    /// Allow plain redis:// to a host that is not loopback for --shared-budget.
    #[arg(long, global = true, help_heading = "Connection")]
    pub(crate) allow_insecure_redis: bool,

    /// Requests per second, at most (the API allows 100 per credential).
    #[arg(
        long,
        value_name = "N",
        default_value_t = RATE_LIMIT_PER_SECOND,
        value_parser = clap::value_parser!(u32).range(1..),
        global = true,
        help_heading = "Connection"
    )]
    pub(crate) rate_limit: u32,

    /// Campaigns fetched at once.
    #[arg(
        long,
        value_name = "N",
        default_value_t = DEFAULT_CONCURRENCY,
        value_parser = clap::value_parser!(u16).range(1..=256).map(usize::from),
        global = true,
        help_heading = "Connection"
    )]
    pub(crate) concurrency: usize,

    /// Retries per campaign after a 429, a 5xx, a 408 or a network failure (0: none).
    #[arg(
        long,
        value_name = "N",
        default_value_t = DEFAULT_MAX_ATTEMPTS - 1,
        value_parser = clap::value_parser!(u32).range(0..=20),
        global = true,
        help_heading = "Connection"
    )]
    pub(crate) max_retries: u32,

    /// Seconds allowed for one attempt, from connecting to the last byte (fractions allowed).
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = DEFAULT_TIMEOUT.as_secs_f64(),
        value_parser = parse_seconds,
        global = true,
        help_heading = "Connection"
    )]
    pub(crate) timeout: f64,

    /// Log each HTTP attempt (status, latency, retries) on stderr; -vv logs more. Never logs a
    /// credential.
    #[arg(short, long, action = ArgAction::Count, global = true, conflicts_with = "quiet")]
    pub(crate) verbose: u8,

    /// Print nothing on stderr: no progress bar, no logs, no messages; the exit status tells.
    #[arg(short, long, global = true)]
    pub(crate) quiet: bool,
}

/// A positive, finite number of seconds.
fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs > 0.0 && secs <= 86_400.0 => Ok(secs),
        _ => Err(format!(
            "`{text}` is not a number of seconds between 0 and 86400; try --timeout 30"
        )),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn options_before_and_after_the_subcommand_are_the_same() {
        let before = Cli::try_parse_from([
            "wa-stats",
            "--format",
            "csv",
            "--from",
            "2024-01-01",
            "campaign",
            "1",
        ])
        .unwrap();
        let after = Cli::try_parse_from([
            "wa-stats",
            "campaign",
            "1",
            "--format",
            "csv",
            "--from",
            "2024-01-01",
        ])
        .unwrap();
        for cli in [before, after] {
            assert_eq!(cli.options.format, Format::Csv);
            assert_eq!(cli.options.from.as_deref(), Some("2024-01-01"));
        }
    }

    #[test]
    fn timeout_must_be_positive() {
        assert!(parse_seconds("0").is_err());
        assert!(parse_seconds("nan").is_err());
        assert_eq!(parse_seconds("0.5"), Ok(0.5));
    }
}
