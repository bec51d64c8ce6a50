//! The client's refusals in the command line's words: which flag (and environment variable, and
//! profile key) sets each client [`Setting`], and how to fix a bad value. Apart from `mod.rs`
//! because it is its own concept, the map from the library's settings to this program's
//! options, with its own tests.

use wa_stats_client::{Error, Setting};
use wa_stats_model::endpoint::{DEFAULT_OAUTH_BASE_URL, DEFAULT_TOKEN_URL};

use super::Credential;
use crate::origins::{
    API_KEY, BASE_URL_ENV, CA_CERT_ENV, CLIENT_ID, CLIENT_SECRET, CredentialOption, Origins,
    SHARED_BUDGET_ENV, TOKEN, TOKEN_URL_ENV,
};
use crate::refusal::Refusal;

/// A flag of the command line as the client's errors need it: its name, the options (argument
/// id, environment variable) its value may have come from, and how to fix a bad value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Flag {
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
    pub(super) fn flag(&self) -> Flag {
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
pub(super) fn flag_for(setting: Setting, credential: Flag) -> Option<Flag> {
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
pub(super) fn refuse_settings(error: &Error, credential: Flag, origins: &Origins<'_>) -> Refusal {
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
    use std::time::Duration;

    use clap::CommandFactory;
    use wa_stats_client::Client;

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
