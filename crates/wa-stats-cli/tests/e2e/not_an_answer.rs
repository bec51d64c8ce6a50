//! A 200 that is not a statistics answer (a proxy's maintenance page, an envelope whose
//! `statistics` is not an object) is an error for `campaign` and `sync`, never a day of zeros,
//! and `sync` never overwrites good days with it (R10, issue 31 item 5).

use wa_stats_mock::Fault;

use crate::sync::{db_path, mock, python_rows, sync, table};
use crate::wa_stats;

const MAINTENANCE: &str = r#"{"message":"service under maintenance"}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_never_overwrites_good_days_with_a_body_that_holds_no_counter() {
    let server = mock().await;
    let db = db_path("maintenance");
    let target = db.to_string_lossy().into_owned();
    assert_eq!(sync(&server.base_url(), &target, &[]).code, 0);
    let before = table(&db);
    let sent: i64 = python_rows(&db, "SELECT SUM(sent) FROM daily_statistics")[0][0]
        .as_i64()
        .expect("a sum");
    assert!(sent > 0, "the fixture's days are not all zero");

    // Every statistics request now gets a 200 from "a proxy" that holds no counter.
    server.inject(Fault::status(200).body(MAINTENANCE).always());
    let run = sync(&server.base_url(), &target, &["--max-retries", "0"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("not a statistics answer"), "{run:?}");
    assert!(
        run.stderr
            .contains("0 days written (0 new, 0 changed, 0 unchanged)"),
        "{run:?}"
    );
    assert_eq!(table(&db), before, "no stored day was touched");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn campaign_reports_a_body_without_counters_instead_of_printing_zeros() {
    let server = mock().await;
    for body in [MAINTENANCE, r#"{"data":{"statistics":[1,2]}}"#] {
        server.reset();
        server.inject(Fault::status(200).body(body).always());
        for format in ["table", "json", "csv"] {
            let run = wa_stats(
                &[
                    "campaign",
                    "701",
                    "--format",
                    format,
                    "--max-retries",
                    "0",
                    "--base-url",
                    &server.base_url(),
                    "--token",
                    "demo-token",
                ],
                &[],
                None,
            );
            assert_eq!(run.code, 1, "{body} as {format}: {run:?}");
            assert!(
                run.stderr.contains("not a statistics answer")
                    || run.stdout.contains("not a statistics answer"),
                "{body} as {format}: {run:?}"
            );
            assert!(
                !run.stdout.contains("\"sent\":0") && !run.stdout.contains("sent      "),
                "no zeros printed for {body} as {format}: {run:?}"
            );
        }
    }
}
