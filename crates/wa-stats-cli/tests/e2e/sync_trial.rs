//! Fixes from the same trial of the CLI as `wa-stats sync` (issue 24, "Also"): this tool's CSV
//! piped back in, clipped buckets marked, and four wordings.

use wa_stats_mock::{Fault, MockServer};

use crate::{wa_stats, with_token};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_csv_piped_back_in_gives_its_campaign_ids() {
    let server = MockServer::start().await;
    let csv = with_token(
        &server.base_url(),
        &["campaign", "12345", "12346", "--format", "csv"],
    );
    assert_eq!(csv.code, 0, "{csv:?}");
    let base = server.base_url();
    let args = [
        "campaign",
        "-",
        "--format",
        "json",
        "--base-url",
        &base,
        "--token",
        "demo-token",
    ];
    let again = wa_stats(&args, &[], Some(&csv.stdout));
    assert_eq!(again.code, 0, "{again:?}");
    let ids: Vec<&str> = again
        .stdout
        .lines()
        .map(|line| {
            if line.contains("\"campaign_id\":12345") {
                "12345"
            } else {
                "other"
            }
        })
        .collect();
    assert_eq!(ids.len(), 2, "{again:?}");
    assert_eq!(ids[0], "12345");
    // Without its header, a row's counters are not taken for IDs.
    let row = csv.stdout.lines().nth(1).expect("a row");
    let headless = wa_stats(&args, &[], Some(row));
    assert_eq!(headless.code, 2, "{headless:?}");
    assert!(
        headless.stderr.contains("not a list of campaign IDs"),
        "{headless:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clipped_first_and_last_buckets_are_marked() {
    let server = MockServer::start().await;
    // Wednesday 2024-02-28 to Wednesday 2024-03-13: a partial week at each end.
    let run = with_token(
        &server.base_url(),
        &[
            "campaign",
            "12345",
            "--from",
            "2024-02-28",
            "--to",
            "2024-03-13",
            "--by",
            "week",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("2024-W09*"), "{}", run.stdout);
    assert!(run.stdout.contains("2024-W11*"), "{}", run.stdout);
    assert!(!run.stdout.contains("2024-W10*"), "{}", run.stdout);
    assert!(run.stdout.contains("* partial week"), "{}", run.stdout);
    assert!(run.stdout.contains("*partial"), "{}", run.stdout);
    // Whole weeks: no mark, no footnote.
    let run = with_token(
        &server.base_url(),
        &[
            "campaign",
            "12345",
            "--from",
            "2024-02-26",
            "--to",
            "2024-03-11",
            "--by",
            "week",
        ],
    );
    assert!(!run.stdout.contains("partial"), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_failed_campaign_of_one_is_worded_in_the_singular() {
    let server = MockServer::start().await;
    server.inject(Fault::status(500).times(10));
    let run = with_token(
        &server.base_url(),
        &["campaign", "12345", "--max-retries", "0"],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("1 of 1 campaign failed"), "{run:?}");
}

#[test]
fn config_show_without_a_file_says_there_is_none() {
    let run = wa_stats(&["config", "show"], &[], None);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("profile: none (no file "),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("has no [default]"), "{}", run.stdout);
}

#[test]
fn a_zero_timeout_is_refused_in_words_that_hold() {
    let run = wa_stats(
        &["campaign", "1", "--timeout", "0", "--token", "t"],
        &[],
        None,
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("`0` is not a number of seconds above 0 and at most 86400"),
        "{run:?}"
    );
}

#[test]
fn the_readme_lists_every_shell_offered() {
    let readme = include_str!("../../../../README.md");
    let line = readme
        .lines()
        .find(|line| line.contains("wa-stats completions "))
        .expect("the README names the completions");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        assert!(line.contains(shell), "{shell} missing from: {line}");
        let run = wa_stats(&["completions", shell], &[], None);
        assert_eq!(run.code, 0, "{shell}: {run:?}");
    }
}
