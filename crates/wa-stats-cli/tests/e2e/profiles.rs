//! Profiles: `--profile` / `WA_STATS_PROFILE` and `[default]`; flags beat environment beat
//! profile; a file with a secret readable by others is refused with the chmod fix; `config show`
//! redacts secrets and says where each setting came from.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use wa_stats_mock::MockServer;

use crate::wa_stats;

/// A config directory of its own for one test, holding `config.toml` with `text` at `mode`.
fn config_home(test: &str, text: &str, mode: u32) -> PathBuf {
    let home = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("profiles")
        .join(test);
    let dir = home.join("wa-stats");
    std::fs::create_dir_all(&dir).expect("a config directory");
    let file = dir.join("config.toml");
    std::fs::write(&file, text).expect("config.toml");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).expect("chmod");
    home
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flags_beat_environment_beat_profile() {
    let server = MockServer::start().await;
    let base_url = server.base_url();
    let dead = "http://127.0.0.1:1";
    let home = config_home(
        "precedence",
        &format!(
            "[default]\napi_key = \"INS.demo-key\"\nbase_url = \"{base_url}\"\nformat = \"csv\"\n\n\
             [broken]\nbase_url = \"{dead}\"\ntoken = \"not-a-token\"\n"
        ),
        0o600,
    );
    let home = home.to_str().expect("UTF-8 path");
    // The default profile alone: its key, its URL, its format.
    let run = wa_stats(&["campaign", "12345"], &[("XDG_CONFIG_HOME", home)], None);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.starts_with("campaign_id,"), "{run:?}");
    // The environment beats the profile: URL and credential (the profile's token is dropped
    // as a whole, not added as a second credential).
    let env = [
        ("XDG_CONFIG_HOME", home),
        ("WA_STATS_PROFILE", "broken"),
        ("WA_STATS_BASE_URL", base_url.as_str()),
        ("WA_STATS_API_KEY", "INS.demo-key"),
    ];
    let run = wa_stats(&["campaign", "12345", "--format", "json"], &env, None);
    assert_eq!(run.code, 0, "{run:?}");
    // A flag beats the environment.
    let mut env = env;
    env[2] = ("WA_STATS_BASE_URL", dead);
    let run = wa_stats(
        &[
            "campaign",
            "12345",
            "--base-url",
            &base_url,
            "--format",
            "json",
        ],
        &env,
        None,
    );
    assert_eq!(run.code, 0, "{run:?}");
    // A profile that is not there is refused, naming the variable that asked for it.
    let run = wa_stats(
        &["campaign", "12345"],
        &[("XDG_CONFIG_HOME", home), ("WA_STATS_PROFILE", "nope")],
        None,
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("(from WA_STATS_PROFILE)"), "{run:?}");
    assert!(
        run.stderr.contains("use one of: broken, default"),
        "{run:?}"
    );
}

#[test]
fn a_secret_readable_by_others_is_refused_with_the_chmod_fix() {
    let home = config_home("open", "[default]\ntoken = \"hush-123\"\n", 0o644);
    let home = home.to_str().expect("UTF-8 path");
    let run = wa_stats(&["campaign", "12345"], &[("XDG_CONFIG_HOME", home)], None);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("readable by others (mode 644)"),
        "{run:?}"
    );
    assert!(run.stderr.contains("fix: chmod 600 "), "{run:?}");
    assert!(!run.stderr.contains("hush-123"), "{run:?}");
    // No secret, no such rule: a shared file of URLs and limits may be readable.
    let shared = config_home("shared", "[default]\nrate_limit = 10\n", 0o644);
    let run = wa_stats(
        &["config", "show"],
        &[("XDG_CONFIG_HOME", shared.to_str().expect("UTF-8 path"))],
        None,
    );
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn config_show_redacts_and_says_where_each_setting_came_from() {
    let home = config_home(
        "show",
        "[work]\nclient_id = \"ops\"\nclient_secret = \"hush-456\"\nconcurrency = 16\n",
        0o600,
    );
    let run = wa_stats(
        &["config", "show", "--profile", "work", "--rate-limit", "20"],
        &[
            ("XDG_CONFIG_HOME", home.to_str().expect("UTF-8 path")),
            ("WA_STATS_TOKEN_URL", "http://127.0.0.1:9/auth/token"),
        ],
        None,
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!run.stdout.contains("hush-456"), "{}", run.stdout);
    let line = |name: &str| {
        run.stdout
            .lines()
            .find(|line| line.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no {name} line: {}", run.stdout))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(run.stdout.starts_with("profile: work ("), "{}", run.stdout);
    assert_eq!(
        line("client_secret"),
        "client_secret ** redacted ** profile work"
    );
    assert_eq!(line("client_id"), "client_id ops profile work");
    assert_eq!(line("concurrency"), "concurrency 16 profile work");
    assert_eq!(line("rate_limit"), "rate_limit 20 flag --rate-limit");
    assert_eq!(
        line("token_url"),
        "token_url http://127.0.0.1:9/auth/token WA_STATS_TOKEN_URL"
    );
    assert_eq!(line("format"), "format table default");
    assert_eq!(line("token"), "token not set");
}

#[test]
fn profile_values_pass_the_flags_checks_and_are_refused_with_file_key_and_line() {
    for (test, text, expected) in [
        (
            "zero-rate",
            "[default]\nrate_limit = 0\n",
            ":2: rate_limit: `0` is not",
        ),
        (
            "huge-concurrency",
            "[default]\nformat = \"csv\"\nconcurrency = 1000\n",
            ":3: concurrency: `1000` is not",
        ),
        (
            "bad-format",
            "[default]\nformat = \"xml\"\n",
            ":2: format: `xml` is not a format",
        ),
        (
            "typo",
            "[default]\nrate = 5\n",
            ":2: rate: not a key of a profile",
        ),
        // A syntax error: its line and column.
        (
            "syntax",
            "[default]\nrate_limit = = 5\n",
            ":2:14 is not a valid",
        ),
    ] {
        let home = config_home(test, text, 0o600);
        let run = wa_stats(
            &["config", "show"],
            &[("XDG_CONFIG_HOME", home.to_str().expect("UTF-8 path"))],
            None,
        );
        assert_eq!(run.code, 2, "{test}: {run:?}");
        let file = home.join("wa-stats").join("config.toml");
        assert!(
            run.stderr
                .contains(&format!("{}{expected}", file.display())),
            "{test}: {}",
            run.stderr
        );
        assert!(run.stderr.contains("\n  fix: "), "{test}: {}", run.stderr);
    }
    // The same values as flags are refused with the same words.
    let run = wa_stats(&["config", "show", "--rate-limit", "0"], &[], None);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("`0` is not a number of requests per second"),
        "{run:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn very_verbose_shows_the_settings_as_config_show_does() {
    let server = MockServer::start().await;
    let base_url = server.base_url();
    let home = config_home("vv", "[default]\nconcurrency = 4\n", 0o600);
    let run = wa_stats(
        &[
            "campaign",
            "12345",
            "--base-url",
            &base_url,
            "--token",
            "demo-token",
            "-vv",
        ],
        &[("XDG_CONFIG_HOME", home.to_str().expect("UTF-8 path"))],
        None,
    );
    assert_eq!(run.code, 0, "{run:?}");
    let setting = |name: &str| {
        run.stderr
            .lines()
            .find(|line| line.starts_with(&format!("wa-stats: setting {name} ")))
            .unwrap_or_else(|| panic!("no {name} setting: {}", run.stderr))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        setting("concurrency"),
        "wa-stats: setting concurrency 4 profile default"
    );
    assert_eq!(
        setting("token"),
        "wa-stats: setting token ** redacted ** flag --token"
    );
    assert_eq!(
        setting("rate_limit"),
        "wa-stats: setting rate_limit 100 default"
    );
    assert!(!run.stderr.contains("demo-token"), "{}", run.stderr);
    assert!(!run.stderr.contains("BearerToken"), "{}", run.stderr);
}
