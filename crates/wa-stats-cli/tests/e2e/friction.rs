//! What a new user tripped over, each fixed and pinned here: a refused credential stops the run
//! once (exit 4), standard input takes the tool's own CSV column and ids on one line, messages
//! show times as typed, `-v` reads as sentences and colours only a terminal without `NO_COLOR`,
//! and a long run says how long it will take, on a terminal only.

use std::path::PathBuf;

use wa_stats_mock::MockServer;

use crate::{on_a_terminal, wa_stats, with_token};

/// Twenty ids and a key the server does not know: one message, status 4, nothing more sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_credential_stops_at_the_first_401() {
    let server = MockServer::start().await;
    let base_url = server.base_url();
    let ids: Vec<String> = (0..20).map(|i| (12345 + i % 2).to_string()).collect();
    for (concurrency, at_most) in [("1", 1), ("8", 8)] {
        server.reset();
        let mut args: Vec<&str> = vec!["campaign"];
        args.extend(ids.iter().map(String::as_str));
        args.extend([
            "--base-url",
            &base_url,
            "--api-key",
            "INS.wrong",
            "--concurrency",
            concurrency,
        ]);
        let run = wa_stats(&args, &[], None);
        assert_eq!(run.code, 4, "{run:?}");
        // The error once, in the row of the campaign that met it; every other row "not sent".
        assert_eq!(run.stdout.matches("error: HTTP 401").count(), 1, "{run:?}");
        assert_eq!(run.stdout.matches("error: not sent").count(), 19, "{run:?}");
        assert_eq!(run.stderr.matches("wa-stats: error:").count(), 1, "{run:?}");
        assert_eq!(
            run.stderr.matches("\n  fix: check --api-key").count(),
            1,
            "{run:?}"
        );
        assert!(run.stderr.contains("nothing more was sent"), "{run:?}");
        let sent = server.journal().len();
        assert!(
            sent <= at_most,
            "{sent} requests sent at --concurrency {concurrency}"
        );
    }
    // An inactive WhatsApp product (403 3007) stops the same way, with its own fix.
    server.reset();
    let run = wa_stats(
        &[
            "campaign",
            "12345",
            "12346",
            "12345",
            "--base-url",
            &base_url,
            "--token",
            "inactive-token",
            "--concurrency",
            "1",
        ],
        &[],
        None,
    );
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stderr.contains("3007"), "{run:?}");
    assert!(
        run.stderr.contains("fix: the partner's WhatsApp product"),
        "{run:?}"
    );
    assert_eq!(server.journal().len(), 1);
}

/// `cut -d, -f1 out.csv | wa-stats campaign -`, and ids on one line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standard_input_takes_our_csv_and_ids_on_a_line() {
    let server = MockServer::start().await;
    let base_url = server.base_url();
    let csv = with_token(
        &base_url,
        &["campaign", "12345", "12346", "--format", "csv"],
    );
    assert_eq!(csv.code, 0, "{csv:?}");
    let first_column: String = csv
        .stdout
        .lines()
        .map(|line| format!("{}\n", line.split(',').next().unwrap_or("")))
        .collect();
    assert!(first_column.starts_with("campaign_id\n"));
    let from_stdin = [
        "campaign",
        "-",
        "--base-url",
        &base_url,
        "--token",
        "demo-token",
    ];
    for input in [
        first_column.as_str(),
        "12345 12346\n",
        "12345,12346\n",
        "12345, 12346",
    ] {
        let mut args = from_stdin.to_vec();
        args.extend(["--format", "csv"]);
        let run = wa_stats(&args, &[], Some(input));
        assert_eq!(run.code, 0, "{input:?}: {run:?}");
        assert_eq!(run.stdout, csv.stdout, "{input:?}");
    }
    for bad in ["12345;12346\n", "id\n12345\n", "12345\ncampaign_id\n"] {
        let run = wa_stats(&from_stdin, &[], Some(bad));
        assert_eq!(run.code, 2, "{bad:?}: {run:?}");
    }
}

#[test]
fn messages_show_times_as_typed_and_big_ids_as_out_of_range() {
    let future = wa_stats(
        &["campaign", "1", "--token", "t", "--from", "2099-01-01"],
        &[],
        None,
    );
    assert_eq!(future.code, 2, "{future:?}");
    assert!(
        future.stderr.contains("`2099-01-01` is not before now ("),
        "{future:?}"
    );
    // No raw Unix seconds anywhere in the message.
    assert!(
        !future
            .stderr
            .split(|c: char| !c.is_ascii_digit())
            .any(|run| run.len() == 10),
        "{future:?}"
    );
    let big = wa_stats(
        &["campaign", "12345678901234567890", "--token", "t"],
        &[],
        None,
    );
    assert_eq!(big.code, 2, "{big:?}");
    assert!(big.stderr.contains("is out of range"), "{big:?}");
    assert!(!big.stderr.contains("not a whole number"), "{big:?}");
}

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_wa-stats"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verbose_is_one_sentence_per_attempt_coloured_only_on_a_terminal_without_no_color() {
    let server = MockServer::start().await;
    let command = format!(
        "'{}' campaign 12345 -v --base-url {} --token demo-token > /dev/null",
        binary().display(),
        server.base_url()
    );
    let (coloured, _) = on_a_terminal(&command, &[]);
    assert!(coloured.contains("\x1b[32mHTTP 200\x1b[0m"), "{coloured:?}");
    assert!(
        coloured.contains("wa-stats: campaign 12345 [2018-01-01T00:00:00Z, "),
        "{coloured:?}"
    );
    let (plain, _) = on_a_terminal(&command, &[("NO_COLOR", "1")]);
    assert!(!plain.contains('\x1b'), "{plain:?}");
    assert!(plain.contains(") attempt 1: HTTP 200, "), "{plain:?}");
    // No raw tracing fields.
    assert!(
        !plain.contains("time.busy") && !plain.contains("latency_ms="),
        "{plain:?}"
    );
    // Not a terminal: never a colour, NO_COLOR or not.
    let piped = with_token(&server.base_url(), &["campaign", "12345", "-v"]);
    assert!(!piped.stderr.contains('\x1b'), "{piped:?}");
    assert_eq!(piped.stderr.lines().count(), 1, "{piped:?}");
}

/// More than a few hundred requests: the count and the time at the rate limit, on a terminal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_run_says_how_long_on_a_terminal() {
    let server = MockServer::start().await;
    let command = format!(
        "'{}' campaign 12345 12346 --from 2024-01-01 --to 2024-07-01 --by day --format csv \
         --base-url {} --token demo-token --rate-limit 1000 > /dev/null",
        binary().display(),
        server.base_url()
    );
    let (screen, _) = on_a_terminal(&command, &[]);
    assert!(
        screen.contains("wa-stats: 364 requests, about 1 s at 1000 requests per second"),
        "{screen:?}"
    );
}
