//! `wa-stats config show`: the settings a run with these options would use, secrets redacted,
//! each with where it came from (flag, environment variable, profile, default).

use std::io::{self, Write};
use std::path::Path;

use clap::CommandFactory;
use clap::parser::ValueSource;

use crate::cli::{Cli, Format, Settings};
use crate::origins::Origins;
use crate::profile::Filled;

/// What a secret prints as.
const REDACTED: &str = "** redacted **";

/// The settings a run uses, as `config show` prints them (and `-vv` logs them).
pub(crate) struct Table<'a> {
    /// Credential, connection, pace, after the profile was applied.
    pub(crate) settings: &'a Settings,
    /// The output format.
    pub(crate) format: Format,
    /// The profile in use: its name and file.
    pub(crate) profile: Option<(&'a str, &'a Path)>,
    /// The option ids the profile filled.
    pub(crate) filled: &'a Filled,
}

impl Table<'_> {
    /// Writes the profile line and one line per setting.
    pub(crate) fn write(&self, origins: &Origins<'_>, out: &mut dyn Write) -> io::Result<()> {
        let mut text = match self.profile {
            Some((name, path)) => format!("profile: {name} ({})\n", path.display()),
            None => match crate::profile::path() {
                Some(path) if !path.exists() => {
                    format!("profile: none (no file {})\n", path.display())
                }
                Some(path) => format!("profile: none ({} has no [default])\n", path.display()),
                None => "profile: none\n".to_owned(),
            },
        };
        for line in self.lines(origins) {
            text.push_str(&line);
            text.push('\n');
        }
        out.write_all(text.as_bytes())?;
        out.flush()
    }

    /// One line per setting: name, value (secrets redacted), and where it came from.
    pub(crate) fn lines(&self, origins: &Origins<'_>) -> Vec<String> {
        let command = Cli::command();
        let show = command
            .find_subcommand("config")
            .and_then(|config| config.find_subcommand("show"));
        let env_of = |id: &str| {
            show.and_then(|show| show.get_arguments().find(|arg| arg.get_id() == id))
                .and_then(|arg| arg.get_env())
                .map(|env| env.to_string_lossy().into_owned())
        };
        let from = |id: &str| -> String {
            if self.filled.contains(&id) {
                return format!("profile {}", self.profile.map_or("", |(name, _)| name));
            }
            match origins.source(id) {
                Some(ValueSource::CommandLine) => format!("flag --{}", id.replace('_', "-")),
                Some(ValueSource::EnvVariable) => env_of(id).unwrap_or_default(),
                Some(ValueSource::DefaultValue) => "default".to_owned(),
                _ => String::new(),
            }
        };
        let settings = self.settings;
        let secret = |value: &Option<String>| value.as_ref().map(|_| REDACTED.to_owned());
        let rows: Vec<(&str, Option<String>)> = vec![
            (
                "base_url",
                settings
                    .connection
                    .base_url
                    .as_deref()
                    .map(without_user_info),
            ),
            (
                "token_url",
                settings.oauth.token_url.as_deref().map(without_user_info),
            ),
            ("token", secret(&settings.static_credentials.token)),
            ("api_key", secret(&settings.static_credentials.api_key)),
            ("client_id", settings.oauth.client_id.clone()),
            ("client_secret", secret(&settings.oauth.client_secret)),
            (
                "rate_limit",
                Some(settings.throughput.rate_limit.to_string()),
            ),
            (
                "concurrency",
                Some(
                    settings
                        .throughput
                        .concurrency
                        .map_or_else(|| "auto".to_owned(), |n| n.to_string()),
                ),
            ),
            (
                "token_cache",
                Some(format!("{:?}", settings.oauth.token_cache).to_lowercase()),
            ),
            ("format", Some(format!("{:?}", self.format).to_lowercase())),
        ];
        rows.into_iter()
            .map(|(id, value)| {
                let (value, source) = match value {
                    Some(value) => (value, from(id)),
                    None => ("not set".to_owned(), String::new()),
                };
                format!("{id:<14} {value:<40} {source}")
                    .trim_end()
                    .to_owned()
            })
            .collect()
    }
}

/// `url` with its user info (`user:password@`, either of which may be a credential) shown as
/// `***@`: the client refuses such a URL, but the settings are shown before it is asked.
pub(crate) fn without_user_info(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let start = scheme_end + "://".len();
    let authority_end = url[start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |end| start + end);
    match url[start..authority_end].rfind('@') {
        Some(at) => format!("{}***{}", &url[..start], &url[start + at..]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::without_user_info;

    #[test]
    fn user_info_is_hidden_and_the_rest_kept() {
        assert_eq!(
            without_user_info("https://user:pw@host:8443/x?q=a@b"),
            "https://***@host:8443/x?q=a@b"
        );
        assert_eq!(without_user_info("https://token@host"), "https://***@host");
        assert_eq!(without_user_info("https://host/a@b"), "https://host/a@b");
        assert_eq!(without_user_info("not a url"), "not a url");
    }
}
