//! Finding and reading the profile file: where it is, the profile named (or `default`), its
//! TOML parsed with line and column for a refusal, and the refusal of a file whose secret group
//! or others may read.

use std::path::{Path, PathBuf};

use super::{DEFAULT_PROFILE, File, KEYS, Profile, holds_a_secret, line_column};
use crate::origins::{Origins, PROFILE_ENV};
use crate::refusal::Refusal;

/// The profile in use: its name, the file, and what it says.
#[derive(Debug)]
pub(super) struct Loaded {
    /// Its name.
    pub(super) name: String,
    /// The file it came from.
    pub(super) path: PathBuf,
    pub(super) profile: Profile,
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
pub(super) fn load(named: Option<&str>, origins: &Origins<'_>) -> Result<Option<Loaded>, Refusal> {
    let Some(path) = path() else {
        return match named {
            None => Ok(None),
            Some(name) => Err(Refusal::new(
                format!("profile `{name}` asked for, but neither XDG_CONFIG_HOME nor HOME is set"),
                "set XDG_CONFIG_HOME or HOME, or drop --profile",
            )),
        };
    };
    // A regular file of bounded size only: a FIFO would wait for a writer, a device never end.
    let bytes = match crate::files::read_regular(&path, crate::files::PROFILE_MAX) {
        Ok(bytes) => bytes,
        Err(crate::files::Unreadable::Missing) if named.is_none() => return Ok(None),
        Err(unreadable) => {
            let why = match unreadable {
                crate::files::Unreadable::Missing => "no such file".to_owned(),
                crate::files::Unreadable::Refused(why) => why,
            };
            return Err(Refusal::new(
                format!("cannot read {}: {why}", path.display()),
                "create it as a regular file (see `wa-stats config --help`), or drop --profile",
            ));
        }
    };
    let text = String::from_utf8(bytes).map_err(|_| {
        Refusal::new(
            format!("{} is not UTF-8 text", path.display()),
            "write the profile file as UTF-8 TOML (see `wa-stats config --help`)",
        )
    })?;
    let mut profiles: File = toml::from_str(&text).map_err(|error| {
        let at = error.span().map_or_else(String::new, |span| {
            let (line, column) = line_column(&text, span.start);
            format!(":{line}:{column}")
        });
        Refusal::new(
            format!(
                "{}{at} is not a valid profile file: {}",
                path.display(),
                error.message().trim_end()
            ),
            format!("one [table] per profile; keys: {KEYS} (see `wa-stats config --help`)"),
        )
    })?;
    if profiles.values().any(holds_a_secret) {
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
    let profile = Profile::check(&path, &text, profile)?;
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
