//! The command line: every subcommand, flag and environment variable, with its help text. The
//! option groups several subcommands share (credentials, connection, `-v`/`-q`) are in
//! `options.rs`; the value parsers clap and the profile file both use, in `parse.rs`.
//!
//! Each subcommand takes only the options that apply to it (`wa-stats token --help` lists no
//! `--from`); `-v` and `-q` apply everywhere, so they are `global`. The environment variables
//! are named once, in [`crate::origins`], and clap reads them from there.

use clap::{Args, Parser, Subcommand, ValueEnum};
use wa_stats_client::Concurrency;
use wa_stats_model::endpoint::RATE_LIMIT_PER_SECOND;

use crate::deadline::{Deadline, parse_deadline};
use crate::origins::{SHARED_BUDGET_ENV, SHARED_BUDGET_REQUIRED_ENV, SYNC_DB_ENV};
use crate::refusal::EXIT_CODES;
use crate::series::{By, DEFAULT_MAX_REQUESTS};

mod options;
mod parse;

pub(crate) use options::{Connection, Global, OAuthCredentials, StaticCredentials};
pub(crate) use parse::{parse_concurrency, parse_format, parse_rate_limit};

/// The default `--lookback`: the window the loaders analysts already run re-read (Airbyte's
/// Facebook Marketing source: 28 days, its default and maximum; Google Ads: 14). Receipts, reads,
/// late conversions and `deliveryPending` settle within days, attribution windows within weeks;
/// with reconciliation an unchanged window costs one request, however long it is.
pub(crate) const DEFAULT_LOOKBACK: u32 = 28;

/// Statistics of Insider WhatsApp campaigns, for people and scripts.
#[derive(Debug, Parser)]
#[command(
    name = "wa-stats",
    version,
    propagate_version = true,
    after_help = EXIT_CODES,
)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
    /// Options every subcommand takes.
    #[command(flatten)]
    pub(crate) global: Global,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Fetch statistics for one or more campaigns and print them as a table, JSON Lines or CSV.
    #[command(after_help = "Examples:\n  \
        wa-stats campaign 12345 --token \"$TOKEN\"\n  \
        wa-stats campaign 12345 12346 --from 2024-01-01 --to 2024-02-01 --format csv\n  \
        wa-stats campaign 12345 --from 2024-03-01 --to 2024-04-01 --by day\n  \
        cut -d, -f1 campaigns.csv | wa-stats campaign - --format json")]
    Campaign(Box<CampaignArgs>),
    /// Keep a table of every campaign's days in SQLite or PostgreSQL, right after late data,
    /// failures and re-runs: run it from cron.
    #[command(after_help = SYNC_HELP)]
    Sync(Box<SyncArgs>),
    /// Singer tap (Meltano): the same days as `sync`, emitted as Singer messages on stdout, with
    /// Singer state instead of a database; only new or changed days after the first run.
    #[command(after_help = TAP_HELP)]
    Tap(TapArgs),
    /// Print a valid OAuth access token from client credentials, for use with curl (with the
    /// token cache, the one every run of the credential shares while it is fresh).
    #[command(after_help = "Example:\n  \
        curl -H \"Authorization: Bearer $(wa-stats token)\" …   \
        (with WA_STATS_CLIENT_ID and WA_STATS_CLIENT_SECRET set)")]
    Token(TokenArgs),
    /// Print a shell completion script: `source <(wa-stats completions bash)`.
    #[command(after_help = "Install:\n  \
        bash: wa-stats completions bash > ~/.local/share/bash-completion/completions/wa-stats\n  \
        zsh:  wa-stats completions zsh > \"${fpath[1]}/_wa-stats\"\n  \
        fish: wa-stats completions fish > ~/.config/fish/completions/wa-stats.fish\n  \
        powershell: wa-stats completions powershell >> $PROFILE\n  \
        elvish: wa-stats completions elvish >> ~/.config/elvish/rc.elv")]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Profiles: `wa-stats config show` prints the resolved settings and where each came from.
    #[command(subcommand, after_help = PROFILE_HELP)]
    Config(ConfigCommand),
    /// Print the man page (roff): `wa-stats man | man -l -`, or one subcommand's page.
    Man {
        /// A subcommand whose page to print (campaign, token, …) instead of the main page.
        #[arg(value_name = "SUBCOMMAND")]
        subcommand: Option<String>,
    },
}

/// Arguments of `wa-stats campaign`.
#[derive(Debug, Args)]
pub(crate) struct CampaignArgs {
    /// Campaign IDs (positive integers); `-` reads more from standard input, separated by
    /// whitespace, commas or line breaks (a `campaign_id` header line is skipped).
    #[arg(
        value_name = "CAMPAIGN_ID",
        required = true,
        allow_negative_numbers = true
    )]
    pub(crate) ids: Vec<String>,
    /// Range, series and output.
    #[command(flatten)]
    pub(crate) range: RangeArgs,
    /// Credential, connection, pace.
    #[command(flatten)]
    pub(crate) settings: Settings,
}

/// Arguments of `wa-stats sync`.
#[derive(Debug, Args)]
pub(crate) struct SyncArgs {
    /// Campaign IDs, as `wa-stats campaign` takes them (`-` reads more from standard input).
    #[arg(
        value_name = "CAMPAIGN_ID",
        required = true,
        allow_negative_numbers = true
    )]
    pub(crate) ids: Vec<String>,
    /// The database: a file path or sqlite:PATH (SQLite, created if missing), or
    /// `postgres://USER[:PASSWORD]@HOST[:PORT]/DB`. Prefer the environment variable for a URL
    /// with a password.
    #[arg(long, value_name = "TARGET", env = SYNC_DB_ENV, hide_env_values = true)]
    pub(crate) db: String,
    /// First UTC day to keep, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub(crate) from: String,
    /// The day after the last to keep (exclusive), YYYY-MM-DD [default: today, so every day
    /// that is over]
    #[arg(long, value_name = "DATE")]
    pub(crate) to: Option<String>,
    /// Days at the end of the synced range checked again on every run, because late receipts
    /// and conversions still change them (an unchanged window costs one request).
    #[arg(long, value_name = "DAYS", default_value_t = DEFAULT_LOOKBACK)]
    pub(crate) lookback: u32,
    /// Fetch every day with its own request, as a check or an audit, instead of reconciling
    /// ranges against the stored days.
    #[arg(long)]
    pub(crate) per_day: bool,
    /// Stop admitting requests after this many; the campaigns finished by then are written
    /// [default: no limit].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) max_requests: Option<u64>,
    /// Stop admitting requests after this long (90s, 5m, 1h30m); the campaigns finished by then
    /// are written.
    #[arg(long, value_name = "DURATION", value_parser = parse_deadline)]
    pub(crate) deadline: Option<Deadline>,
    /// Credential, connection, pace.
    #[command(flatten)]
    pub(crate) settings: Settings,
}

/// What `wa-stats tap --help` says after the options.
const TAP_HELP: &str = "The config file is a JSON object whose keys are sync's flags in snake_case \
    (token, api_key, client_id, client_secret, base_url, rate_limit, shared_budget, ca_cert) plus \
    campaign_ids (a list), start_date (--from), end_date (--to) and lookback_days (--lookback); \
    each value gets the flag's checks. Stream daily_statistics, key (campaign_id, day). Loaders: \
    docs/loaders.md.\n\nExamples:\n  \
    wa-stats tap --about\n  \
    wa-stats tap --config config.json --state state.json | target-jsonl";

/// Arguments of `wa-stats tap`.
#[derive(Debug, Args)]
pub(crate) struct TapArgs {
    /// The tap's config (JSON).
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<std::path::PathBuf>,
    /// The state a previous run emitted (JSON).
    #[arg(long, value_name = "FILE")]
    pub(crate) state: Option<std::path::PathBuf>,
    /// A catalog, to select the stream (JSON).
    #[arg(long, value_name = "FILE")]
    pub(crate) catalog: Option<std::path::PathBuf>,
    /// Print the catalog and exit.
    #[arg(long, conflicts_with = "about")]
    pub(crate) discover: bool,
    /// Print what the tap is, its capabilities and settings, and exit.
    #[arg(long)]
    pub(crate) about: bool,
    /// The form of --about.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = AboutFormat::Json, requires = "about")]
    pub(crate) format: AboutFormat,
}

/// `wa-stats tap --about --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum AboutFormat {
    /// JSON, as Meltano's SDK taps print it.
    Json,
    /// Markdown, for a README.
    Markdown,
}

/// What `wa-stats sync --help` says after the options.
const SYNC_HELP: &str = "Every day is upserted into daily_statistics (campaign_id, day), zero \
    days included, exactly as one request per day would store it; sync_state records the range \
    of complete days per campaign. Ranges of up to 366 days are asked for whole and split only \
    where their totals are not zero (first sync) or differ from the stored days (re-runs), so a \
    quiet year costs one request. A re-run checks the days after that range and the last \
    --lookback days of it. A campaign that fails is not written and is fetched again next time; \
    a killed run loses at most the campaigns it had not finished. Tables: docs/cli.md, \"sync\".\n\nExamples:\n  \
    wa-stats sync 12345 12346 --db stats.db --from 2024-01-01\n  \
    wa-stats sync - --db postgres://analytics@127.0.0.1/stats --from 2024-01-01 < ids.txt";

/// The settings a profile may give: credential, connection and pace (and, beside them, the
/// output format).
#[derive(Debug, Args)]
pub(crate) struct Settings {
    /// Bearer token or API key.
    #[command(flatten)]
    pub(crate) static_credentials: StaticCredentials,
    /// OAuth client credentials.
    #[command(flatten)]
    pub(crate) oauth: OAuthCredentials,
    /// Where and how to connect.
    #[command(flatten)]
    pub(crate) connection: Connection,
    /// How fast.
    #[command(flatten)]
    pub(crate) throughput: Throughput,
}

/// `--rate-limit`, `--concurrency`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Connection")]
pub(crate) struct Throughput {
    /// Requests per second, at most (the API allows 100 per credential).
    #[arg(
        long,
        value_name = "N",
        default_value_t = RATE_LIMIT_PER_SECOND,
        value_parser = parse_rate_limit,
    )]
    pub(crate) rate_limit: u32,
    /// Requests in flight at once [default: enough to reach --rate-limit at the server's
    /// latency, measured as answers come in]
    #[arg(long, value_name = "N", value_parser = parse_concurrency)]
    pub(crate) concurrency: Option<usize>,
    /// Share the rate budget of the credential with every process using this Redis (or Valkey),
    /// so that together they stay under the limit: redis://HOST:PORT[/DB] or rediss://…
    #[arg(long, value_name = "URL", env = SHARED_BUDGET_ENV)]
    pub(crate) shared_budget: Option<String>,
    /// Allow plain redis:// to a host that is not loopback for --shared-budget.
    #[arg(long)]
    pub(crate) allow_insecure_redis: bool,
    /// With --shared-budget: stop the run (exit status 6) when Redis is unavailable, instead of
    /// pacing in this process alone with a warning.
    #[arg(
        long,
        env = SHARED_BUDGET_REQUIRED_ENV,
        value_parser = clap::builder::BoolishValueParser::new(),
        requires = "shared_budget",
    )]
    pub(crate) shared_budget_required: bool,
}

/// `--token-cache`'s values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(crate) enum TokenCacheChoice {
    /// Redis with --shared-budget, else disk.
    #[default]
    Auto,
    /// In the user's cache directory, for the processes of this machine.
    Disk,
    /// In --shared-budget's Redis, for the processes of every machine using it.
    Redis,
    /// In this process only.
    Off,
}

impl Throughput {
    /// What the client's batch is given: the number asked for, else the adaptive default.
    pub(crate) fn in_flight(&self) -> Concurrency {
        self.concurrency
            .map_or(Concurrency::Auto, Concurrency::from)
    }
}

/// Subcommands of `wa-stats config`.
#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// Print the settings a `wa-stats campaign` with these options would use, secrets redacted,
    /// and where each came from (flag, environment variable, profile, default).
    Show(Box<ShowArgs>),
}

/// Arguments of `wa-stats config show`: the options whose resolution it shows.
#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// Credential, connection, pace.
    #[command(flatten)]
    pub(crate) settings: Settings,
    /// Output format.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = Format::Table)]
    pub(crate) format: Format,
}

/// Arguments of `wa-stats token`.
#[derive(Debug, Args)]
pub(crate) struct TokenArgs {
    /// OAuth client credentials.
    #[command(flatten)]
    pub(crate) oauth: OAuthCredentials,
    /// Where and how to connect.
    #[command(flatten)]
    pub(crate) connection: Connection,
    /// The Redis whose token `--token-cache redis` shares.
    #[command(flatten)]
    pub(crate) sharing: TokenSharing,
}

/// `wa-stats token --shared-budget`: the fleet's Redis, so that `$(wa-stats token)` hands out the
/// token the fleet shares there (`--token-cache auto` or `redis`).
#[derive(Debug, Args)]
#[command(next_help_heading = "Connection")]
pub(crate) struct TokenSharing {
    /// The Redis (or Valkey) the fleet shares its rate budget and token in:
    /// redis://HOST:PORT[/DB] or rediss://…; with it the token is the one kept there
    #[arg(long, value_name = "URL", env = SHARED_BUDGET_ENV)]
    pub(crate) shared_budget: Option<String>,
    /// Allow plain redis:// to a host that is not loopback for --shared-budget.
    #[arg(long)]
    pub(crate) allow_insecure_redis: bool,
}

/// What `wa-stats config --help` says about the file.
const PROFILE_HELP: &str = "Profiles live in $XDG_CONFIG_HOME/wa-stats/config.toml (else \
    ~/.config/wa-stats/config.toml), one table per profile:\n\n  \
    [default]\n  api_key = \"INS....\"\n\n  [staging]\n  base_url = \"https://staging.example\"\n  \
    token = \"...\"\n  rate_limit = 50\n  concurrency = 16\n  format = \"csv\"\n\n\
    Keys: base_url, token_url, ca_cert, token, api_key, client_id, client_secret, rate_limit, concurrency, \
    format. --profile NAME or WA_STATS_PROFILE picks one, else [default]. Flags beat environment \
    variables beat the profile. A file holding a secret must not be readable by group or others \
    (chmod 600).";

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Aligned and readable, with drop and undelivered reasons and conversational buttons; with
    /// --by, a grid per campaign with a sparkline per counter.
    Table,
    /// JSON Lines: one object per campaign (per bucket with --by), statistics in the API's wire
    /// format.
    Json,
    /// A header and one row per campaign (per bucket with --by); counters and detail counters as
    /// columns.
    Csv,
    /// With --by day: a wa-stats-mock fixture file of the campaigns' days, with placeholder
    /// credentials, for `wa-stats-mock --fixtures FILE`.
    Fixture,
}

/// `--from`, `--to`, `--by`, `--format`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Range and output")]
pub(crate) struct RangeArgs {
    /// Start of the range, inclusive: YYYY-MM-DD (UTC midnight), RFC 3339, or 10-digit Unix
    /// seconds [default: 2018-01-01, the API's own start]
    #[arg(long, value_name = "TIME")]
    pub(crate) from: Option<String>,

    /// End of the range, exclusive, in the same forms as --from [default: now]
    #[arg(long, value_name = "TIME")]
    pub(crate) to: Option<String>,

    /// One request per bucket of the range: UTC days, ISO weeks (from Monday) or calendar
    /// months, the first and last clipped to the range. Needs --from.
    #[arg(long, value_enum, value_name = "BUCKET")]
    pub(crate) by: Option<By>,

    /// Refuse to start a run of more requests than this.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_REQUESTS)]
    pub(crate) max_requests: usize,

    /// End the whole run after this long (90s, 5m, 1h30m): stop sending, print what finished,
    /// mark the rest "not sent", exit status 1. For cron jobs that must end within their slot.
    #[arg(long, value_name = "DURATION", value_parser = parse_deadline)]
    pub(crate) deadline: Option<Deadline>,

    /// Output format.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = Format::Table)]
    pub(crate) format: Format,
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
    fn campaign_options_belong_to_campaign_only() {
        let cli = Cli::try_parse_from([
            "wa-stats",
            "campaign",
            "1",
            "--format",
            "csv",
            "--from",
            "2024-01-01",
            "--by",
            "week",
        ])
        .unwrap();
        let Command::Campaign(args) = cli.command else {
            panic!("campaign")
        };
        assert_eq!(args.range.format, Format::Csv);
        assert_eq!(args.range.from.as_deref(), Some("2024-01-01"));
        assert_eq!(args.range.by, Some(By::Week));
        for misplaced in [
            vec!["wa-stats", "token", "--from", "2024-01-01"],
            vec!["wa-stats", "token", "--token", "t"],
            vec!["wa-stats", "token", "--api-key", "k"],
            vec!["wa-stats", "token", "--format", "csv"],
        ] {
            assert!(Cli::try_parse_from(&misplaced).is_err(), "{misplaced:?}");
        }
    }
}
