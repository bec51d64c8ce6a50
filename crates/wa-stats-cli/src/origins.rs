//! Where an option's value came from (a flag or its environment variable), and the names
//! messages use for the credential options, so that a refusal can say
//! `--token (from WA_STATS_TOKEN)` when the user never typed `--token`.

use clap::ArgMatches;
use clap::parser::ValueSource;

/// Where each option came from, so that a message can say "--token (from WA_STATS_TOKEN)".
pub(crate) struct Origins<'a>(pub(crate) &'a ArgMatches);

impl Origins<'_> {
    /// Where option `id` of the subcommand (`config show`: the innermost) took its value from.
    pub(crate) fn source(&self, id: &str) -> Option<ValueSource> {
        let mut matches = self.0;
        while let Some((_, sub)) = matches.subcommand() {
            matches = sub;
        }
        // An id this subcommand does not define was not given (clap panics when asked about one).
        matches.try_get_raw(id).ok()?;
        matches.value_source(id)
    }

    /// Whether option `id` was given by the user, as a flag or in its environment variable
    /// (not a default): a profile must not override it.
    pub(crate) fn given(&self, id: &str) -> bool {
        matches!(
            self.source(id),
            Some(ValueSource::CommandLine | ValueSource::EnvVariable)
        )
    }

    /// Whether option `id` took its value from its environment variable.
    fn came_from_env(&self, id: &str) -> bool {
        self.source(id) == Some(ValueSource::EnvVariable)
    }

    /// The option's flag, and its variable when the value came from there.
    pub(crate) fn name(&self, option: CredentialOption) -> String {
        format!(
            "{}{}",
            option.flag,
            self.env_suffix(&[(option.id, option.env)])
        )
    }

    /// ` (from WA_STATS_…)` naming those of `options` (argument id, variable) whose value came
    /// from the environment, or nothing when none did.
    pub(crate) fn env_suffix(&self, options: &[(&str, &str)]) -> String {
        let from: Vec<&str> = options
            .iter()
            .filter(|(id, _)| self.came_from_env(id))
            .map(|&(_, env)| env)
            .collect();
        if from.is_empty() {
            String::new()
        } else {
            format!(" (from {})", from.join(" and "))
        }
    }
}

/// A credential option: its clap argument id, its flag and its environment variable.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CredentialOption {
    pub(crate) id: &'static str,
    pub(crate) flag: &'static str,
    pub(crate) env: &'static str,
}

impl CredentialOption {
    const fn new(id: &'static str, flag: &'static str, env: &'static str) -> Self {
        Self { id, flag, env }
    }
}

/// `--token`'s environment variable.
pub(crate) const TOKEN_ENV: &str = "WA_STATS_TOKEN";
/// `--api-key`'s environment variable.
pub(crate) const API_KEY_ENV: &str = "WA_STATS_API_KEY";
/// `--client-id`'s environment variable.
pub(crate) const CLIENT_ID_ENV: &str = "WA_STATS_CLIENT_ID";
/// `--client-secret`'s environment variable.
pub(crate) const CLIENT_SECRET_ENV: &str = "WA_STATS_CLIENT_SECRET";
/// `--token-url`'s environment variable.
pub(crate) const TOKEN_URL_ENV: &str = "WA_STATS_TOKEN_URL";
/// `--profile`'s environment variable.
pub(crate) const PROFILE_ENV: &str = "WA_STATS_PROFILE";
/// `--base-url`'s environment variable.
pub(crate) const BASE_URL_ENV: &str = "WA_STATS_BASE_URL";
/// `--ca-cert`'s environment variable.
pub(crate) const CA_CERT_ENV: &str = "WA_STATS_CA_CERT";
/// `--shared-budget`.
pub(crate) const SHARED_BUDGET_ENV: &str = "WA_STATS_SHARED_BUDGET";
/// `--shared-budget-required` (`1`/`true`/`yes`/`on`; `0`, `false`, `no`, `off` or empty: not).
pub(crate) const SHARED_BUDGET_REQUIRED_ENV: &str = "WA_STATS_SHARED_BUDGET_REQUIRED";
/// `--token-cache`.
pub(crate) const TOKEN_CACHE_ENV: &str = "WA_STATS_TOKEN_CACHE";
/// `wa-stats sync --db`: a PostgreSQL URL may hold a password, kept out of the process list.
pub(crate) const SYNC_DB_ENV: &str = "WA_STATS_DB";

pub(crate) const TOKEN: CredentialOption = CredentialOption::new("token", "--token", TOKEN_ENV);
pub(crate) const API_KEY: CredentialOption =
    CredentialOption::new("api_key", "--api-key", API_KEY_ENV);
pub(crate) const CLIENT_ID: CredentialOption =
    CredentialOption::new("client_id", "--client-id", CLIENT_ID_ENV);
pub(crate) const CLIENT_SECRET: CredentialOption =
    CredentialOption::new("client_secret", "--client-secret", CLIENT_SECRET_ENV);
