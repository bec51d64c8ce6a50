//! `wa-stats config show`: the settings a run with these options would use, secrets redacted,
//! each with where it came from (flag, environment variable, profile, default).

use std::io::{self, Write};

use clap::CommandFactory;
use clap::parser::ValueSource;

use crate::cli::{Cli, ShowArgs};
use crate::origins::Origins;
use crate::profile::Filled;

/// What a secret prints as.
const REDACTED: &str = "** redacted **";

/// Writes the table of settings.
pub(crate) fn show(
    args: &ShowArgs,
    profile: Option<(&str, &std::path::Path)>,
    filled: &Filled,
    origins: &Origins<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
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
        if filled.contains(&id) {
            return format!("profile {}", profile.map_or("", |(name, _)| name));
        }
        match origins.source(id) {
            Some(ValueSource::CommandLine) => format!("flag --{}", id.replace('_', "-")),
            Some(ValueSource::EnvVariable) => env_of(id).unwrap_or_default(),
            Some(ValueSource::DefaultValue) => "default".to_owned(),
            _ => String::new(),
        }
    };
    let secret = |value: &Option<String>| value.as_ref().map(|_| REDACTED.to_owned());
    let rows: Vec<(&str, Option<String>)> = vec![
        ("base_url", args.settings.connection.base_url.clone()),
        ("token_url", args.settings.oauth.token_url.clone()),
        ("token", secret(&args.settings.static_credentials.token)),
        ("api_key", secret(&args.settings.static_credentials.api_key)),
        ("client_id", args.settings.oauth.client_id.clone()),
        ("client_secret", secret(&args.settings.oauth.client_secret)),
        (
            "rate_limit",
            Some(args.settings.throughput.rate_limit.to_string()),
        ),
        (
            "concurrency",
            Some(
                args.settings
                    .throughput
                    .concurrency
                    .map_or_else(|| "auto".to_owned(), |n| n.to_string()),
            ),
        ),
        ("format", Some(format!("{:?}", args.format).to_lowercase())),
    ];
    let mut text = match profile {
        Some((name, path)) => format!("profile: {name} ({})\n", path.display()),
        None => match crate::profile::path() {
            Some(path) if !path.exists() => {
                format!("profile: none (no file {})\n", path.display())
            }
            Some(path) => format!("profile: none ({} has no [default])\n", path.display()),
            None => "profile: none\n".to_owned(),
        },
    };
    for (id, value) in rows {
        let (value, source) = match value {
            Some(value) => (value, from(id)),
            None => ("not set".to_owned(), String::new()),
        };
        let line = format!("{id:<14} {value:<40} {source}");
        text.push_str(line.trim_end());
        text.push('\n');
    }
    out.write_all(text.as_bytes())?;
    out.flush()
}
