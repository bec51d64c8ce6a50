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

use toml::{Spanned, Value};

use crate::cli::{
    Connection, Format, OAuthCredentials, StaticCredentials, Throughput, parse_concurrency,
    parse_format, parse_rate_limit,
};
use crate::origins::Origins;
use crate::refusal::Refusal;

mod file;

use file::load;
pub(crate) use file::path;

/// The profile used when none is named.
pub(crate) const DEFAULT_PROFILE: &str = "default";

/// The keys a profile may hold, as `config --help` lists them.
pub(super) const KEYS: &str = "base_url, token_url, ca_cert, token, api_key, client_id, client_secret, rate_limit, \
    concurrency, format";

/// The file as parsed: each profile's keys, each value with where it is in the file.
pub(super) type File = BTreeMap<String, BTreeMap<String, Spanned<Value>>>;

/// One table of the file, every value checked by the parser of its flag. Unknown keys are
/// refused: a typo must not silently do nothing.
#[derive(Debug, Default)]
pub(crate) struct Profile {
    base_url: Option<String>,
    token_url: Option<String>,
    ca_cert: Option<String>,
    /// Where `ca_cert` is in the file (`FILE:LINE: ca_cert`), for messages about the file it names.
    ca_cert_at: Option<String>,
    token: Option<String>,
    api_key: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    rate_limit: Option<u32>,
    concurrency: Option<usize>,
    format: Option<Format>,
}

/// Whether a table holds a secret (so that the file must be private).
pub(super) fn holds_a_secret(table: &BTreeMap<String, Spanned<Value>>) -> bool {
    ["token", "api_key", "client_secret"]
        .iter()
        .any(|key| table.contains_key(*key))
}

/// 1-based line and column of byte `offset` in `text`.
pub(super) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(1, |start| start.chars().count() + 1);
    (line, column)
}

impl Profile {
    /// Checks every key of `table` as its flag would, refusing the first bad one with the file,
    /// line, key and what is wrong.
    fn check(
        path: &Path,
        text: &str,
        table: BTreeMap<String, Spanned<Value>>,
    ) -> Result<Self, Refusal> {
        let mut profile = Self::default();
        for (key, value) in table {
            let (line, _) = line_column(text, value.span().start);
            let at = |problem: String, fix: String| {
                Refusal::new(format!("{}:{line}: {key}: {problem}", path.display()), fix)
            };
            if !KEYS.split(", ").any(|known| known == key) {
                return Err(at(
                    "not a key of a profile".to_owned(),
                    format!("use one of: {KEYS} (see `wa-stats config --help`)"),
                ));
            }
            let value = value.into_inner();
            // Numbers may be written bare or quoted; text goes to the flag's parser as typed.
            let typed = match &value {
                Value::String(text) => Some(text.clone()),
                Value::Integer(number) if matches!(key.as_str(), "rate_limit" | "concurrency") => {
                    Some(number.to_string())
                }
                _ => None,
            };
            let Some(typed) = typed else {
                return Err(at(
                    format!("expected {}, not {}", expected(&key), value.type_str()),
                    format!("write it as {key} = {}", example(&key)),
                ));
            };
            let refused = |reason: String| at(reason, format!("e.g. {key} = {}", example(&key)));
            match key.as_str() {
                "base_url" => profile.base_url = Some(typed),
                "token_url" => profile.token_url = Some(typed),
                "ca_cert" => {
                    profile.ca_cert = Some(typed);
                    profile.ca_cert_at = Some(format!("{}:{line}: ca_cert", path.display()));
                }
                "token" => profile.token = Some(typed),
                "api_key" => profile.api_key = Some(typed),
                "client_id" => profile.client_id = Some(typed),
                "client_secret" => profile.client_secret = Some(typed),
                "rate_limit" => {
                    profile.rate_limit = Some(parse_rate_limit(&typed).map_err(refused)?)
                }
                "concurrency" => {
                    profile.concurrency = Some(parse_concurrency(&typed).map_err(refused)?);
                }
                "format" => profile.format = Some(parse_format(&typed).map_err(refused)?),
                _ => unreachable!("checked against KEYS above"),
            }
        }
        Ok(profile)
    }
}

/// What a key's value must be, for a message.
fn expected(key: &str) -> &'static str {
    match key {
        "rate_limit" | "concurrency" => "a whole number",
        "format" => "one of the formats, in quotes",
        _ => "text in quotes",
    }
}

/// A value of `key`, for a fix.
fn example(key: &str) -> &'static str {
    match key {
        "rate_limit" => "50",
        "concurrency" => "16",
        "format" => "\"csv\"",
        "base_url" | "token_url" => "\"https://…\"",
        _ => "\"…\"",
    }
}

/// The options of a subcommand that a profile may fill; `None` for a part the subcommand does
/// not take (`token` takes only client credentials and the connection).
pub(crate) struct Targets<'a> {
    pub(crate) statics: Option<&'a mut StaticCredentials>,
    pub(crate) oauth: &'a mut OAuthCredentials,
    pub(crate) connection: &'a mut Connection,
    pub(crate) throughput: Option<&'a mut Throughput>,
    pub(crate) format: Option<&'a mut Format>,
}

/// Applies the profile `named` (or `default`) to `targets`: the profile in use, if any, and the
/// ids it filled.
pub(crate) fn resolve(
    named: Option<&str>,
    targets: Targets<'_>,
    origins: &Origins<'_>,
) -> Result<(Option<(String, PathBuf)>, Filled), Refusal> {
    Ok(match load(named, origins)? {
        Some(loaded) => {
            let shown = (loaded.name.clone(), loaded.path.clone());
            (Some(shown), loaded.profile.apply(targets, origins))
        }
        None => (None, Vec::new()),
    })
}

/// Option ids whose value came from the profile.
pub(crate) type Filled = Vec<&'static str>;

/// Puts `value` in `slot` unless the user gave option `id`; records it in `filled`.
fn fill<T>(
    filled: &mut Filled,
    origins: &Origins<'_>,
    id: &'static str,
    slot: Option<&mut T>,
    value: Option<T>,
) {
    if let (Some(slot), Some(value)) = (slot, value)
        && !origins.given(id)
    {
        *slot = value;
        filled.push(id);
    }
}

impl Profile {
    /// Fills what the user did not give; returns the ids it filled.
    fn apply(self, targets: Targets<'_>, origins: &Origins<'_>) -> Filled {
        let mut filled = Vec::new();
        let f = &mut filled;
        let Targets {
            statics,
            oauth,
            connection,
            throughput,
            format,
        } = targets;
        fill(
            f,
            origins,
            "base_url",
            Some(&mut connection.base_url),
            self.base_url.map(Some),
        );
        fill(
            f,
            origins,
            "token_url",
            Some(&mut oauth.token_url),
            self.token_url.map(Some),
        );
        fill(
            f,
            origins,
            "ca_cert",
            Some(&mut connection.ca_cert),
            self.ca_cert.map(Some),
        );
        if f.contains(&"ca_cert") {
            connection.ca_cert_origin = self.ca_cert_at;
        }
        let credential_given = ["token", "api_key", "client_id", "client_secret"]
            .iter()
            .any(|id| origins.given(id));
        if !credential_given {
            if let Some(statics) = statics {
                fill(
                    f,
                    origins,
                    "token",
                    Some(&mut statics.token),
                    self.token.map(Some),
                );
                fill(
                    f,
                    origins,
                    "api_key",
                    Some(&mut statics.api_key),
                    self.api_key.map(Some),
                );
            }
            fill(
                f,
                origins,
                "client_id",
                Some(&mut oauth.client_id),
                self.client_id.map(Some),
            );
            let secret = self.client_secret.map(Some);
            fill(
                f,
                origins,
                "client_secret",
                Some(&mut oauth.client_secret),
                secret,
            );
        }
        if let Some(throughput) = throughput {
            fill(
                f,
                origins,
                "rate_limit",
                Some(&mut throughput.rate_limit),
                self.rate_limit,
            );
            let concurrency = self.concurrency.map(Some);
            fill(
                f,
                origins,
                "concurrency",
                Some(&mut throughput.concurrency),
                concurrency,
            );
        }
        fill(f, origins, "format", format, self.format);
        filled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(text: &str) -> Result<Profile, Refusal> {
        let mut file: File = toml::from_str(text).unwrap();
        Profile::check(Path::new("config.toml"), text, file.remove("p").unwrap())
    }

    #[test]
    fn values_pass_their_flags_parsers_and_are_refused_with_file_line_and_key() {
        for (text, expected) in [
            ("[p]\nrate_limit = 0\n", "config.toml:2: rate_limit: "),
            (
                "[p]\n\nconcurrency = 1000\n",
                "config.toml:3: concurrency: ",
            ),
            ("[p]\nformat = \"xml\"\n", "config.toml:2: format: "),
            (
                "[p]\nrate_limit = \"fast\"\n",
                "config.toml:2: rate_limit: ",
            ),
            (
                "[p]\ntoken = 5\n",
                "config.toml:2: token: expected text in quotes",
            ),
            (
                "[p]\nrate = 5\n",
                "config.toml:2: rate: not a key of a profile",
            ),
        ] {
            let refusal = checked(text).unwrap_err();
            assert!(refusal.problem.starts_with(expected), "{text:?}: {refusal}");
            assert!(refusal.fix.is_some(), "{refusal}");
        }
        // The same text the flag would refuse.
        let refusal = checked("[p]\nrate_limit = 0\n").unwrap_err();
        assert!(
            refusal
                .problem
                .ends_with(&parse_rate_limit("0").unwrap_err()),
            "{refusal}"
        );
        let profile = checked("[p]\nrate_limit = 50\nconcurrency = \"16\"\n").unwrap();
        assert_eq!(
            (profile.rate_limit, profile.concurrency),
            (Some(50), Some(16))
        );
    }

    #[test]
    fn lines_and_columns_count_from_one() {
        assert_eq!(line_column("ab\ncd", 0), (1, 1));
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
    }
}
