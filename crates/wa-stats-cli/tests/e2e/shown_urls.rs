//! URLs with user info (issue 31, item 11): `config show`, `-vv` and refusals never show the
//! password (nor the user name, which may be a token) of a `base_url` or `token_url`.

use std::path::PathBuf;
use std::time::Duration;

use crate::wa_stats_within;

const LIMIT: Duration = Duration::from_secs(20);

#[test]
fn user_info_in_a_url_is_never_shown() {
    let home = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("shown-urls-{}", std::process::id()));
    std::fs::create_dir_all(home.join("wa-stats")).expect("config directory");
    std::fs::write(
        home.join("wa-stats").join("config.toml"),
        "[default]\nbase_url = \"https://alice-user:pw-s3cret@api.example:8443/x\"\n\
         token_url = \"https://bob-user:tok-s3cret@auth.example/auth/token\"\n",
    )
    .expect("config.toml");
    let home = home.to_str().expect("UTF-8 path");
    let env = [("XDG_CONFIG_HOME", home)];
    let runs = [
        wa_stats_within(&["config", "show"], &env, LIMIT),
        wa_stats_within(
            &["campaign", "12345", "--token", "demo-token", "-vv"],
            &env,
            LIMIT,
        ),
        wa_stats_within(
            &[
                "campaign",
                "12345",
                "--token",
                "demo-token",
                "--base-url",
                "http://alice-user:pw-s3cret@192.0.2.1/",
            ],
            &[],
            LIMIT,
        ),
        wa_stats_within(
            &[
                "config",
                "show",
                "--base-url",
                "https://alice-user:pw-s3cret@api.example/",
            ],
            &[],
            LIMIT,
        ),
    ];
    for run in &runs {
        for secret in ["pw-s3cret", "tok-s3cret", "alice-user", "bob-user"] {
            assert!(!run.stdout.contains(secret), "{secret} on stdout: {run:?}");
            assert!(!run.stderr.contains(secret), "{secret} on stderr: {run:?}");
        }
    }
    // The rest of the URL is still shown.
    assert!(
        runs[0].stdout.contains("api.example:8443/x"),
        "{:?}",
        runs[0]
    );
    assert!(runs[3].stdout.contains("api.example"), "{:?}", runs[3]);
}
