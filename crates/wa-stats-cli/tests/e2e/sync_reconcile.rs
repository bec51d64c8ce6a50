//! `wa-stats sync` by reconciliation, end to end against the mock: answers about a campaign cost
//! one request and one line; `--max-requests`, `--deadline` and SIGTERM stop a run that keeps
//! its finished campaigns whole, and a re-run completes the table as if nothing had stopped.

use std::process::{Command, Stdio};
use std::time::Duration;

use wa_stats_mock::{MockServer, fixtures};

use crate::sync::{FROM, TO, campaign_json, db_path, mock, python_rows, requests, sync, table};
use crate::{isolate, wa_stats};

/// Every campaign has all its 30 days or none, and a state only when it has them.
fn whole_campaigns_only(db: &std::path::Path) -> usize {
    let counts = python_rows(
        db,
        "SELECT c.id, (SELECT COUNT(*) FROM daily_statistics d WHERE d.campaign_id = c.id), \
         (SELECT COUNT(*) FROM sync_state s WHERE s.campaign_id = c.id) \
         FROM (SELECT 701 AS id UNION SELECT 702 UNION SELECT 703) c",
    );
    let mut finished = 0;
    for row in counts {
        let (days, state) = (row[1].as_i64().unwrap_or(-1), row[2].as_i64().unwrap_or(-1));
        assert!(
            (days, state) == (30, 1) || (days, state) == (0, 0),
            "campaign {} has {days} days and {state} state rows",
            row[0]
        );
        finished += usize::from(days == 30);
    }
    finished
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_or_foreign_campaign_costs_one_request_and_one_line() {
    let text = format!(
        r#"{{"partners":[{{"name":"demo","tokens":["demo-token"]}}],"campaigns":[{},
        {{"id":704,"owner":"demo","kind":"not_whatsapp"}}]}}"#,
        campaign_json(701, &[])
    );
    let fixtures = fixtures::from_json(&text, "the reconcile test").expect("the fixture is valid");
    let server = MockServer::builder()
        .fixtures(fixtures)
        .start()
        .await
        .expect("the mock starts");
    let db = db_path("about-campaigns");
    for round in 0..2 {
        server.reset();
        let run = wa_stats(
            &[
                "sync",
                "701",
                "99999",
                "704",
                "--db",
                &db.to_string_lossy(),
                "--from",
                "2018-01-01",
                "--to",
                TO,
                "--base-url",
                &server.base_url(),
                "--token",
                "demo-token",
            ],
            &[],
            None,
        );
        assert_eq!(run.code, 1, "{run:?}");
        let about: Vec<&str> = run
            .stderr
            .lines()
            .filter(|line| line.contains("99999") || line.contains(" 704"))
            .collect();
        assert_eq!(about.len(), 2, "one line each: {run:?}");
        assert!(
            run.stderr.contains("2 campaigns not found or not WhatsApp"),
            "{run:?}"
        );
        let sent: Vec<String> = server
            .journal()
            .iter()
            .filter(|entry| entry.path.contains("statistics"))
            .map(|entry| entry.body.clone())
            .collect();
        let asked = |id: &str| {
            sent.iter()
                .filter(|body| body.contains(&format!("\"campaign_id\":{id}")))
                .count()
        };
        assert_eq!(
            (asked("99999"), asked("704")),
            (1, 1),
            "round {round}: {sent:?}"
        );
        if round == 1 {
            assert_eq!(asked("701"), 1, "an unchanged campaign: one request");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_requests_stops_admitting_and_keeps_finished_campaigns_whole() {
    let server = mock().await;
    let whole = db_path("capped-whole");
    assert_eq!(
        sync(&server.base_url(), &whole.to_string_lossy(), &[]).code,
        0
    );
    let db = db_path("capped");
    let target = db.to_string_lossy().into_owned();
    server.reset();
    // One request in flight: the campaigns run one after another (32 requests each).
    let run = sync(
        &server.base_url(),
        &target,
        &["--max-requests", "40", "--concurrency", "1"],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("--max-requests 40 reached: "),
        "{run:?}"
    );
    assert!(requests(&server) <= 40, "{run:?}");
    let finished = whole_campaigns_only(&db);
    assert!(
        (1..3).contains(&finished),
        "{finished} campaigns finished: {run:?}"
    );
    let run = sync(&server.base_url(), &target, &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(table(&db), table(&whole));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadline_stops_admitting_and_keeps_finished_campaigns_whole() {
    let server = mock().await;
    let db = db_path("deadline");
    let target = db.to_string_lossy().into_owned();
    // 96 requests at 20 a second take about 5 s; the deadline comes first.
    let run = sync(
        &server.base_url(),
        &target,
        &["--deadline", "1s", "--rate-limit", "20"],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("--deadline 1s reached: "), "{run:?}");
    assert!(whole_campaigns_only(&db) < 3, "{run:?}");
    let whole = db_path("deadline-whole");
    assert_eq!(
        sync(&server.base_url(), &whole.to_string_lossy(), &[]).code,
        0
    );
    assert_eq!(sync(&server.base_url(), &target, &[]).code, 0);
    assert_eq!(table(&db), table(&whole));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_says_how_far_the_run_got_and_a_rerun_completes_it() {
    let server = mock().await;
    let db = db_path("terminated");
    let mut command = Command::new(env!("CARGO_BIN_EXE_wa-stats"));
    command
        .args(["sync", "701", "702", "703", "--db"])
        .arg(&db)
        .args([
            "--from",
            FROM,
            "--to",
            TO,
            "--rate-limit",
            "20",
            "--base-url",
        ])
        .arg(server.base_url())
        .args(["--token", "demo-token"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    isolate(&mut command);
    let child = command.spawn().expect("wa-stats runs");
    // Once a few requests have arrived, SIGTERM.
    for _ in 0..500 {
        if requests(&server) >= 5 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let output = child.wait_with_output().expect("wa-stats ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(143), "{stderr}");
    assert!(stderr.contains("wa-stats: interrupted: "), "{stderr}");
    assert!(stderr.contains(" requests (one per day: 90)"), "{stderr}");
    whole_campaigns_only(&db);
    let whole = db_path("terminated-whole");
    assert_eq!(
        sync(&server.base_url(), &whole.to_string_lossy(), &[]).code,
        0
    );
    assert_eq!(sync(&server.base_url(), &db.to_string_lossy(), &[]).code, 0);
    assert_eq!(table(&db), table(&whole));
}
