//! The tap's config file (JSON, Singer's `--config`): its keys are `sync`'s flags in snake_case,
//! plus the names a Singer user expects for the rest. It is turned into `sync`'s arguments and
//! parsed by the same clap definitions, so that a value gets exactly the checks the flag gets; a
//! refusal names the key, not the flag.

use std::path::Path;

use serde_json::{Map, Value};

use crate::files;
use crate::refusal::Refusal;

/// The largest config file read.
const CONFIG_MAX: u64 = 1024 * 1024;

/// Each key, the flag it stands for, whether its value is a secret, and what it is.
pub(crate) const KEYS: &[(&str, &str, bool, &str)] = &[
    (
        "campaign_ids",
        "",
        false,
        "campaign IDs to sync (a list of integers)",
    ),
    (
        "start_date",
        "--from",
        false,
        "first UTC day to sync, YYYY-MM-DD",
    ),
    (
        "end_date",
        "--to",
        false,
        "the day after the last (exclusive), YYYY-MM-DD [default: today]",
    ),
    (
        "lookback_days",
        "--lookback",
        false,
        "days at the end of the synced range checked again on every run [default: 28]",
    ),
    ("token", "--token", true, "OAuth bearer token (v2 route)"),
    ("api_key", "--api-key", true, "API key (v1 route)"),
    (
        "client_id",
        "--client-id",
        false,
        "OAuth client id (with client_secret)",
    ),
    (
        "client_secret",
        "--client-secret",
        true,
        "OAuth client secret",
    ),
    (
        "base_url",
        "--base-url",
        false,
        "API base URL [default: the vendor's]",
    ),
    (
        "rate_limit",
        "--rate-limit",
        false,
        "requests per second for this credential [default: 100]",
    ),
    (
        "shared_budget",
        "--shared-budget",
        true,
        "redis:// URL of a rate budget shared by processes",
    ),
    (
        "ca_cert",
        "--ca-cert",
        false,
        "PEM file of a private CA to trust",
    ),
];

/// Reads the config file at `path` into the arguments of an equivalent `wa-stats sync`.
pub(crate) fn arguments(path: &Path) -> Result<Vec<String>, Refusal> {
    let shown = path.display();
    let bytes = files::read_regular(path, CONFIG_MAX).map_err(|why| {
        let why = match why {
            files::Unreadable::Missing => "no such file".to_owned(),
            files::Unreadable::Refused(why) => why,
        };
        Refusal::new(
            format!("--config {shown}: {why}"),
            "give the tap's config file, a JSON object (wa-stats tap --about lists its keys)",
        )
    })?;
    let config: Map<String, Value> = match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return Err(not_an_object(&shown.to_string())),
        Err(error) => {
            return Err(Refusal::new(
                format!("--config {shown} is not JSON: {error}"),
                "give a JSON object, e.g. {\"campaign_ids\": [12345], \"start_date\": \"2024-01-01\", \"token\": \"…\"}",
            ));
        }
    };
    let mut args = vec!["wa-stats".to_owned(), "sync".to_owned()];
    let ids = match config.get("campaign_ids") {
        Some(Value::Array(ids)) if !ids.is_empty() => ids,
        _ => {
            return Err(Refusal::new(
                format!("{shown}: `campaign_ids` must be a non-empty list of campaign IDs"),
                "add \"campaign_ids\": [12345, 12346]",
            ));
        }
    };
    for id in ids {
        match id.as_i64() {
            Some(id) => args.push(id.to_string()),
            None => {
                return Err(Refusal::new(
                    format!("{shown}: `campaign_ids` holds {id}, not a campaign ID"),
                    "list whole numbers, e.g. \"campaign_ids\": [12345]",
                ));
            }
        }
    }
    // `--db` is sync's; the tap keeps no database (Singer state instead): a placeholder the tap
    // never opens.
    args.extend(["--db".to_owned(), "singer-state".to_owned()]);
    for (key, value) in &config {
        if key == "campaign_ids" {
            continue;
        }
        let Some((_, flag, _, _)) = KEYS.iter().find(|(name, ..)| name == key) else {
            let known: Vec<&str> = KEYS.iter().map(|(name, ..)| *name).collect();
            return Err(Refusal::new(
                format!("{shown}: unknown key `{key}`"),
                format!("the keys are {}", known.join(", ")),
            ));
        };
        let text = match value {
            Value::String(text) => text.clone(),
            Value::Number(number) => number.to_string(),
            Value::Null => continue,
            other => {
                return Err(Refusal::new(
                    format!("{shown}: `{key}` is {other}, not a string or a number"),
                    format!("give `{key}` as a string or a number"),
                ));
            }
        };
        args.push(format!("{flag}={text}"));
    }
    if !config.contains_key("start_date") {
        return Err(Refusal::new(
            format!("{shown}: `start_date` is missing"),
            "add \"start_date\": \"2024-01-01\" (the first UTC day to sync)",
        ));
    }
    Ok(args)
}

fn not_an_object(shown: &str) -> Refusal {
    Refusal::new(
        format!("--config {shown} is not a JSON object"),
        "give a JSON object of keys (wa-stats tap --about lists them)",
    )
}

/// `text` (a refusal or a clap error about `sync`'s flags) worded with the config's keys.
pub(crate) fn worded_for_keys(text: &str) -> String {
    let mut text = text.to_owned();
    // Longest flags first, so that `--client-secret` is not read as `--client` + rest.
    let mut keys: Vec<&(&str, &str, bool, &str)> = KEYS
        .iter()
        .filter(|(_, flag, ..)| !flag.is_empty())
        .collect();
    keys.sort_by_key(|(_, flag, ..)| std::cmp::Reverse(flag.len()));
    for (key, flag, ..) in keys {
        text = text.replace(&format!("{flag} <"), &format!("{key} <"));
        text = text.replace(flag, &format!("`{key}`"));
    }
    text.replace("`--db`", "the state")
        .replace("--db", "the state")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_in_messages_become_keys() {
        assert_eq!(
            worded_for_keys("--from `2024-13-01` is not a date; try --from 2024-05-01"),
            "`start_date` `2024-13-01` is not a date; try `start_date` 2024-05-01"
        );
        assert_eq!(
            worded_for_keys("--client-secret needs --client-id"),
            "`client_secret` needs `client_id`"
        );
    }
}
