//! Profiles, as gh and aws-cli have them: `--profile NAME` / `WA_STATS_PROFILE` picks a table of
//! `$XDG_CONFIG_HOME/wa-stats/config.toml` (else `~/.config/wa-stats/config.toml`), else the
//! `default` table when there is one. A profile fills only what neither a flag nor an environment
//! variable gave: flags beat environment beat profile beat the built-in defaults. A credential
//! given either way replaces the profile's credential as a whole, so that `WA_STATS_TOKEN=…`
//! with a profile holding an API key is one credential, not two.
//!
//! A file holding a secret that group or others may read is refused with the `chmod 600` fix, as
//! ssh refuses such a key: the secret is not ours to expose.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::cli::{Format, Settings};
use crate::origins::{Origins, PROFILE_ENV};
use crate::refusal::Refusal;

/// The profile used when none is named.
pub(crate) const DEFAULT_PROFILE: &str = "default";

/// One table of the file. Unknown keys are refused: a typo must not silently do nothing.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Profile {
    base_url: Option<String>,
    token_url: Option<String>,
    ca_cert: Option<String>,
    token: Option<String>,
    api_key: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    rate_limit: Option<u32>,
    concurrency: Option<usize>,
    format: Option<Format>,
}

impl Profile {
    fn holds_a_secret(&self) -> bool {
        self.token.is_some() || self.api_key.is_some() || self.client_secret.is_some()
    }
}

/// The profile in use: its name, the file, and what it says.
#[derive(Debug)]
struct Loaded {
    /// Its name.
    name: String,
    /// The file it came from.
    path: PathBuf,
    profile: Profile,
}

/// Where the file is: `$XDG_CONFIG_HOME/wa-stats/config.toml`, else under `$HOME/.config`.
pub(crate) fn path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")))?;
    Some(base.join("wa-stats").join("config.toml"))
}

/// Reads the profile `named` (or `default`): `None` when nothing was named and there is no file
/// or no `default` table. A named profile that is missing, a file that does not parse, or a file
/// with a secret readable by others is refused.
fn load(named: Option<&str>, origins: &Origins<'_>) -> Result<Option<Loaded>, Refusal> {
    let Some(path) = path() else {
        return match named {
            None => Ok(None),
            Some(name) => Err(Refusal::new(
                format!("profile `{name}` asked for, but neither XDG_CONFIG_HOME nor HOME is set"),
                "set XDG_CONFIG_HOME or HOME, or drop --profile",
            )),
        };
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound && named.is_none() => {
            return Ok(None);
        }
        Err(error) => {
            return Err(Refusal::new(
                format!("cannot read {}: {error}", path.display()),
                "create it (see `wa-stats config --help`), or drop --profile",
            ));
        }
    };
    let mut profiles: BTreeMap<String, Profile> = toml::from_str(&text).map_err(|error| {
        Refusal::new(
            format!(
                "{} is not a valid profile file: {}",
                path.display(),
                error.message()
            ),
            "one [table] per profile; keys: base_url, token_url, ca_cert, token, api_key, client_id, \
             client_secret, rate_limit, concurrency, format (see `wa-stats config --help`)",
        )
    })?;
    if profiles.values().any(Profile::holds_a_secret) {
        check_private(&path)?;
    }
    let name = named.unwrap_or(DEFAULT_PROFILE);
    let Some(profile) = profiles.remove(name) else {
        if named.is_none() {
            return Ok(None);
        }
        let from = if origins.source("profile") == Some(clap::parser::ValueSource::EnvVariable) {
            format!(" (from {PROFILE_ENV})")
        } else {
            String::new()
        };
        let known: Vec<&str> = profiles.keys().map(String::as_str).collect();
        return Err(Refusal::new(
            format!(
                "--profile `{name}`{from}: {} has no such profile",
                path.display()
            ),
            if known.is_empty() {
                format!("add a [{name}] table to it")
            } else {
                format!("use one of: {}, or add a [{name}] table", known.join(", "))
            },
        ));
    };
    Ok(Some(Loaded {
        name: name.to_owned(),
        path,
        profile,
    }))
}

/// Refuses a file that group or others may read.
#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), Refusal> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map(|meta| meta.permissions().mode())
        .unwrap_or(0);
    if mode & 0o077 == 0 {
        return Ok(());
    }
    Err(Refusal::new(
        format!(
            "{} holds a secret and is readable by others (mode {:o}); refusing to use it",
            path.display(),
            mode & 0o777
        ),
        format!("chmod 600 {}", path.display()),
    ))
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), Refusal> {
    Ok(())
}

/// Applies the profile `named` (or `default`) to `settings` and `format`; the ids it filled.
pub(crate) fn resolve(
    named: Option<&str>,
    settings: &mut Settings,
    format: &mut Format,
    origins: &Origins<'_>,
) -> Result<(Option<(String, PathBuf)>, Filled), Refusal> {
    Ok(match load(named, origins)? {
        Some(loaded) => {
            let shown = (loaded.name.clone(), loaded.path.clone());
            (Some(shown), loaded.apply(settings, format, origins))
        }
        None => (None, Vec::new()),
    })
}

/// Option ids whose value came from the profile.
pub(crate) type Filled = Vec<&'static str>;

impl Loaded {
    /// Fills what the user did not give; returns the ids it filled.
    fn apply(self, settings: &mut Settings, format: &mut Format, origins: &Origins<'_>) -> Filled {
        let mut filled = Vec::new();
        let p = self.profile;
        let mut fill = |id: &'static str, slot: &mut Option<String>, value: Option<String>| {
            if !origins.given(id)
                && let Some(value) = value
            {
                *slot = Some(value);
                filled.push(id);
            }
        };
        fill("base_url", &mut settings.connection.base_url, p.base_url);
        fill("token_url", &mut settings.oauth.token_url, p.token_url);
        fill("ca_cert", &mut settings.connection.ca_cert, p.ca_cert);
        let credential_given = ["token", "api_key", "client_id", "client_secret"]
            .iter()
            .any(|id| origins.given(id));
        if !credential_given {
            fill("token", &mut settings.static_credentials.token, p.token);
            fill(
                "api_key",
                &mut settings.static_credentials.api_key,
                p.api_key,
            );
            fill("client_id", &mut settings.oauth.client_id, p.client_id);
            fill(
                "client_secret",
                &mut settings.oauth.client_secret,
                p.client_secret,
            );
        }
        if let Some(rate) = p.rate_limit.filter(|_| !origins.given("rate_limit")) {
            settings.throughput.rate_limit = rate.max(1);
            filled.push("rate_limit");
        }
        if let Some(concurrency) = p.concurrency.filter(|_| !origins.given("concurrency")) {
            settings.throughput.concurrency = Some(concurrency.clamp(1, 256));
            filled.push("concurrency");
        }
        if let Some(chosen) = p.format.filter(|_| !origins.given("format")) {
            *format = chosen;
            filled.push("format");
        }
        filled
    }
}
