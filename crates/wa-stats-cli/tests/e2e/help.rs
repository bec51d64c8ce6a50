//! `--help` of the command and of each subcommand, pinned with insta; secrets in the environment
//! never shown there.

use crate::wa_stats;

#[test]
fn help_snapshots() {
    for (name, args) in [
        ("help_main", vec!["--help"]),
        ("help_campaign", vec!["campaign", "--help"]),
        ("help_token", vec!["token", "--help"]),
    ] {
        let run = wa_stats(&args, &[], None);
        assert_eq!(run.code, 0, "{run:?}");
        insta::assert_snapshot!(name, run.stdout);
    }
}

#[test]
fn help_hides_secret_environment_values() {
    let env = [
        ("WA_STATS_TOKEN", "tok-hush-1"),
        ("WA_STATS_API_KEY", "INS.hush-2"),
        ("WA_STATS_CLIENT_SECRET", "hush-3"),
        ("WA_STATS_CLIENT_ID", "visible-client"),
    ];
    for (args, variable) in [
        (vec!["--help"], None),
        (vec!["campaign", "--help"], Some("WA_STATS_TOKEN")),
        (vec!["token", "--help"], Some("WA_STATS_CLIENT_SECRET")),
    ] {
        let run = wa_stats(&args, &env, None);
        assert!(!run.stdout.contains("hush"), "{}", run.stdout);
        if let Some(variable) = variable {
            assert!(run.stdout.contains(variable), "{}", run.stdout);
        }
    }
}

/// Each subcommand lists only the options it takes.
#[test]
fn options_appear_only_where_they_apply() {
    let token = wa_stats(&["token", "--help"], &[], None).stdout;
    for absent in [
        "--from <",
        "--to <",
        "--format <",
        "--by <",
        "--token <",
        "--api-key <",
        "--concurrency <",
    ] {
        assert!(
            !token.contains(absent),
            "token --help lists {absent}:\n{token}"
        );
    }
    for present in [
        "--client-id",
        "--client-secret",
        "--token-url",
        "--base-url",
    ] {
        assert!(
            token.contains(present),
            "token --help lacks {present}:\n{token}"
        );
    }
    let campaign = wa_stats(&["campaign", "--help"], &[], None).stdout;
    for present in [
        "--from <",
        "--by <",
        "--format <",
        "--token <",
        "--api-key <",
        "--max-requests <",
    ] {
        assert!(
            campaign.contains(present),
            "campaign --help lacks {present}"
        );
    }
    let refused = wa_stats(&["token", "--from", "2024-01-01"], &[], None);
    assert_eq!(refused.code, 2, "{refused:?}");
}

#[test]
fn version() {
    let run = wa_stats(&["--version"], &[], None);
    assert_eq!(run.code, 0);
    assert_eq!(
        run.stdout.trim(),
        concat!("wa-stats ", env!("CARGO_PKG_VERSION"))
    );
}
