//! `--help` of the command and of each subcommand, pinned with insta; secrets in the environment
//! never shown there.

use crate::wa_stats;

#[test]
fn help_snapshots() {
    for (name, args) in [
        ("help_main", vec!["--help"]),
        ("help_campaign", vec!["campaign", "--help"]),
        ("help_token", vec!["token", "--help"]),
        ("help_sync", vec!["sync", "--help"]),
        ("help_tap", vec!["tap", "--help"]),
    ] {
        let run = wa_stats(&args, &[], None);
        assert_eq!(run.code, 0, "{run:?}");
        insta::assert_snapshot!(name, run.stdout);
    }
}

/// Every default a help names is written `[default: …]`, never in prose (issue 35 §4).
#[test]
fn defaults_are_shown_in_brackets() {
    for args in [
        vec!["--help"],
        vec!["campaign", "--help"],
        vec!["sync", "--help"],
        vec!["tap", "--help"],
        vec!["token", "--help"],
        vec!["config", "show", "--help"],
    ] {
        let run = wa_stats(&args, &[], None);
        let mut inside = false;
        for line in run.stdout.lines() {
            // A bracket may wrap onto the next line: track whether we are inside one.
            let prose = line.to_lowercase();
            for (at, _) in prose.match_indices("default") {
                let before = &prose[..at];
                let bracketed = inside || before.ends_with('[');
                let a_profile_named_default = prose[..at].ends_with('`');
                let about_sources = prose
                    .contains("(flag, environment variable, profile, default)")
                    || prose.contains("read defaults from");
                assert!(
                    bracketed || a_profile_named_default || about_sources,
                    "{args:?}: a default in prose: {line}"
                );
            }
            if let Some(open) = line.rfind("[default:") {
                inside = !line[open..].contains(']');
            } else if inside && line.contains(']') {
                inside = false;
            }
        }
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
