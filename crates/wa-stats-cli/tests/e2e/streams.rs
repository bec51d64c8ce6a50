//! Standard input and standard error: IDs piped in with `-`, no progress bar when stderr is not
//! a terminal, and retries visible with `-v`.

use wa_stats_mock::{Fault, MockServer};

use crate::{wa_stats, with_token};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_from_stdin() {
    let server = MockServer::start().await;
    let base_url = server.base_url();
    let run = wa_stats(
        &[
            "campaign",
            "12346",
            "-",
            "--base-url",
            &base_url,
            "--token",
            "demo-token",
            "--format",
            "csv",
        ],
        &[],
        Some("12345\n\n# a comment\n 33333 \n"),
    );
    assert_eq!(run.code, 1, "{run:?}");
    let ids: Vec<&str> = run
        .stdout
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(ids, ["12346", "12345", "33333"]);

    let bad = wa_stats(
        &[
            "campaign",
            "-",
            "--base-url",
            &base_url,
            "--token",
            "demo-token",
        ],
        &[],
        Some("12345\n12x\n"),
    );
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("line 2 of standard input"), "{bad:?}");
    assert_eq!(server.journal().len(), 3, "the refused run sent nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_progress_bar_when_stderr_is_not_a_terminal() {
    let server = MockServer::start().await;
    let ids = ["12345"; 12].join("\n");
    let run = wa_stats(
        &[
            "campaign",
            "-",
            "--base-url",
            &server.base_url(),
            "--token",
            "demo-token",
            "--format",
            "json",
        ],
        &[],
        Some(&ids),
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout.lines().count(), 12);
    // Not a byte: no bar, no carriage returns, no cursor movement.
    assert_eq!(run.stderr, "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_are_logged_with_verbose_and_recovered() {
    let server = MockServer::start().await;
    server.inject(Fault::status(503).body(r#"{"message":"busy"}"#).times(1));
    let run = with_token(&server.base_url(), &["campaign", "12345", "-v"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains("attempt 1: HTTP 503, "),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("; retrying in "), "{}", run.stderr);
    assert!(
        run.stderr.contains("attempt 2: HTTP 200, "),
        "{}",
        run.stderr
    );

    server.inject(Fault::status(503).times(5));
    let run = with_token(
        &server.base_url(),
        &[
            "campaign",
            "12345",
            "--max-retries",
            "1",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains(r#""status":503"#), "{run:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_progress_bar_when_stderr_is_a_terminal() {
    // script(1) gives the command a pseudo-terminal; the test fails without it (CI installs it).
    let server = MockServer::start().await;
    let dir = std::env::temp_dir().join(format!("wa-stats-cli-pty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (ids, out) = (dir.join("ids"), dir.join("out"));
    std::fs::write(&ids, ["12345"; 8].join("\n")).unwrap();
    // Paced at 4 a second, so that the bar has time to be drawn at least once.
    let command = format!(
        "'{}' campaign - --base-url {} --token demo-token --rate-limit 4 --format json < '{}' > '{}'",
        env!("CARGO_BIN_EXE_wa-stats"),
        server.base_url(),
        ids.display(),
        out.display()
    );
    let (screen, succeeded) = crate::on_a_terminal(&command, &[]);
    assert!(succeeded, "{screen}");
    assert!(
        screen.contains("campaigns"),
        "no progress bar on the terminal: {screen:?}"
    );
    let printed = std::fs::read_to_string(&out).unwrap();
    assert_eq!(printed.lines().count(), 8);
    assert!(!printed.contains("campaigns,"), "the bar reached stdout");
    std::fs::remove_dir_all(&dir).unwrap();
}
