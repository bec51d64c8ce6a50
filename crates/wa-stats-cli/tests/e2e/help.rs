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
    for args in [
        vec!["--help"],
        vec!["campaign", "--help"],
        vec!["token", "--help"],
    ] {
        let run = wa_stats(&args, &env, None);
        assert!(!run.stdout.contains("hush"), "{}", run.stdout);
        assert!(run.stdout.contains("WA_STATS_TOKEN"), "{}", run.stdout);
    }
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
