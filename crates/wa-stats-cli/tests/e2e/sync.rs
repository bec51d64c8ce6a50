//! `wa-stats sync` into SQLite against the mock: the file read back with Python's `sqlite3`; the
//! days add up to the lifetime answer; a changed past day is corrected inside the lookback and
//! left alone outside it; a re-run sends at most lookback × campaigns requests (counted in the
//! journal); a SIGKILLed run, re-run, equals an uninterrupted one row for row; a failed day is not
//! written and is fetched next time; a second sync is refused while one holds the database.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use wa_stats_mock::{Fault, MockServer, fixtures};

use crate::{isolate, on_a_terminal, wa_stats};

/// Campaigns of the test fixture.
pub(crate) const CAMPAIGNS: [u64; 3] = [701, 702, 703];
/// Their days: 2024-03-01 to 2024-03-30 (the range below is `[03-01, 03-31)`).
pub(crate) const FROM: &str = "2024-03-01";
pub(crate) const TO: &str = "2024-03-31";

/// A day of campaign `id`, numbered `n` from 1, with counters that differ from day to day.
pub(crate) fn day_json(id: u64, n: u64, bump: u64) -> String {
    let k = id % 100 + n + bump;
    format!(
        r#"{{"date":"2024-03-{n:02}","delivered":{},"deliveryPending":{},"open":{},"click":{},
        "conversion":{},"revenue":{}.{:02},"unsubscribe":{},
        "dropDetails":{{"frequencyCapped":{},"duplicates":{}}},
        "undeliveredDetails":{{"metaErrors":{},"mediaErrors":1}}}}"#,
        100 + 7 * k,
        k % 5,
        40 + 3 * k,
        10 + k,
        k % 7,
        k * 3,
        (k * 37) % 100,
        k % 3,
        k % 4,
        k % 2,
        k % 6
    )
}

/// One campaign of the fixture with its 30 days; `bumped` days get other counters.
pub(crate) fn campaign_json(id: u64, bumped: &[u64]) -> String {
    let days: Vec<String> = (1..=30)
        .map(|n| day_json(id, n, if bumped.contains(&n) { 1000 } else { 0 }))
        .collect();
    format!(
        r#"{{"id":{id},"owner":"demo","days":[{}]}}"#,
        days.join(",")
    )
}

/// The mock with the fixture's campaigns.
pub(crate) async fn mock() -> MockServer {
    let campaigns: Vec<String> = CAMPAIGNS.iter().map(|&id| campaign_json(id, &[])).collect();
    let text = format!(
        r#"{{"partners":[{{"name":"demo","tokens":["demo-token"]}}],"campaigns":[{}]}}"#,
        campaigns.join(",")
    );
    let fixtures = fixtures::from_json(&text, "the sync test").expect("the fixture is valid");
    MockServer::builder()
        .fixtures(fixtures)
        .start()
        .await
        .expect("the mock starts")
}

/// A fresh path for a database file.
pub(crate) fn db_path(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sync");
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let path = dir.join(format!("{name}.db"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    path
}

/// `wa-stats sync IDS --db DB --from FROM --to TO extra… --base-url … --token demo-token`.
pub(crate) fn sync(base_url: &str, db: &str, extra: &[&str]) -> crate::Run {
    let mut args = vec![
        "sync", "701", "702", "703", "--db", db, "--from", FROM, "--to", TO,
    ];
    args.extend(extra);
    args.extend(["--base-url", base_url, "--token", "demo-token"]);
    wa_stats(&args, &[], None)
}

/// The statistics requests in the mock's journal.
pub(crate) fn requests(server: &MockServer) -> usize {
    server
        .journal()
        .iter()
        .filter(|entry| entry.path.contains("statistics"))
        .count()
}

/// Runs Python's sqlite3 on `db`: `query`'s rows as JSON arrays, one per line.
pub(crate) fn python_rows(db: &Path, query: &str) -> Vec<Vec<Value>> {
    let script = "import json, sqlite3, sys\n\
                  c = sqlite3.connect(sys.argv[1])\n\
                  for row in c.execute(sys.argv[2]):\n    print(json.dumps(list(row)))\n";
    let output = Command::new("python3")
        .args(["-c", script])
        .arg(db)
        .arg(query)
        .output()
        .expect("python3 runs (the e2e tests read SQLite with Python's sqlite3)");
    assert!(
        output.status.success(),
        "python3: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("UTF-8")
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON row"))
        .collect()
}

/// How many campaigns `db`'s state holds; 0 while its tables are not there yet.
pub(crate) fn campaigns_written(db: &Path) -> u64 {
    let script = "import sqlite3, sys\n\
                  try:\n    print(sqlite3.connect(sys.argv[1]).execute(\n        \
                  'SELECT COUNT(*) FROM sync_state').fetchone()[0])\n\
                  except sqlite3.OperationalError:\n    print(0)\n";
    let output = Command::new("python3")
        .args(["-c", script])
        .arg(db)
        .output()
        .expect("python3 runs");
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .unwrap_or(0)
}

/// Every row of both tables but the times, in key order.
pub(crate) fn table(db: &Path) -> Vec<Vec<Value>> {
    let mut rows = python_rows(
        db,
        "SELECT * FROM daily_statistics ORDER BY campaign_id, day",
    );
    let names = python_rows(db, "SELECT name FROM pragma_table_info('daily_statistics')");
    let fetched = names
        .iter()
        .position(|n| n[0] == "fetched_at")
        .expect("a fetched_at column");
    for row in &mut rows {
        row.remove(fetched);
    }
    rows.extend(python_rows(
        db,
        "SELECT campaign_id, first_day, last_day FROM sync_state ORDER BY campaign_id",
    ));
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_days_add_up_to_the_lifetime_answer() {
    let server = mock().await;
    let db = db_path("add-up");
    let run = sync(&server.base_url(), &db.to_string_lossy(), &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains(
            "90 days written (90 new, 0 changed, 0 unchanged), 96 requests (one per day: 90)"
        ),
        "every day of the fixture is active: 30 + 2 requests a campaign: {run:?}"
    );
    assert_eq!(requests(&server), 96);
    let per_day = db_path("add-up-per-day");
    let run = sync(
        &server.base_url(),
        &per_day.to_string_lossy(),
        &["--per-day"],
    );
    assert!(
        run.stderr.contains(", 90 requests (one per day: 90)"),
        "{run:?}"
    );
    assert_eq!(
        table(&db),
        table(&per_day),
        "the same table as one request per day"
    );
    assert_eq!(
        python_rows(&db, "SELECT version FROM wa_stats_schema"),
        [[Value::from(2)]]
    );
    let whole = crate::with_token(
        &server.base_url(),
        &[
            "campaign", "701", "702", "703", "--from", FROM, "--to", TO, "--format", "json",
        ],
    );
    assert_eq!(whole.code, 0, "{whole:?}");
    let names: Vec<String> = python_rows(
        &db,
        "SELECT name FROM pragma_table_info('daily_statistics')",
    )
    .into_iter()
    .map(|n| n[0].as_str().unwrap_or_default().to_owned())
    .filter(|n| !["campaign_id", "day", "extra", "fetched_at"].contains(&n.as_str()))
    .collect();
    for line in whole.stdout.lines() {
        let answer: Value = serde_json::from_str(line).expect("a JSON line");
        let id = answer["campaign_id"].as_i64().expect("an ID");
        let stats = &answer["statistics"];
        let sums: Vec<String> = names
            .iter()
            .map(|name| format!("COALESCE(SUM(\"{name}\"), 0)"))
            .collect();
        let query = format!(
            "SELECT COUNT(*), {} FROM daily_statistics WHERE campaign_id = {id}",
            sums.join(", ")
        );
        let summed = &python_rows(&db, &query)[0];
        assert_eq!(summed[0], 30, "one row per day of campaign {id}");
        let mut compared = 0;
        for (name, sum) in names.iter().zip(&summed[1..]) {
            // The column's wire path: `drop_details_frequency_capped` → dropDetails.frequencyCapped.
            let Some(expected) = lookup(stats, name) else {
                assert_eq!(
                    sum.as_f64(),
                    Some(0.0),
                    "{name} of {id}: no such counter answered"
                );
                continue;
            };
            let (got, want) = (
                sum.as_f64().unwrap_or(-1.0),
                expected.as_f64().unwrap_or(-2.0),
            );
            assert!(
                (got - want).abs() < 0.005,
                "{name} of {id}: days {got}, lifetime {want}"
            );
            compared += 1;
        }
        assert!(compared >= 20, "only {compared} counters compared for {id}");
    }
}

/// The value at the wire path a snake_case column name stands for.
fn lookup<'a>(stats: &'a Value, column: &str) -> Option<&'a Value> {
    let camel = |snake: &str| {
        let mut out = String::new();
        let mut upper = false;
        for ch in snake.chars() {
            if ch == '_' {
                upper = true;
            } else if upper {
                out.push(ch.to_ascii_uppercase());
                upper = false;
            } else {
                out.push(ch);
            }
        }
        out
    };
    for object in ["drop_details", "undelivered_details", "response_summary"] {
        if let Some(field) = column.strip_prefix(&format!("{object}_")) {
            return stats.get(camel(object))?.get(camel(field));
        }
    }
    stats.get(camel(column))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_past_day_is_corrected_within_the_lookback_only() {
    let server = mock().await;
    let db = db_path("lookback");
    let target = db.to_string_lossy().into_owned();
    assert_eq!(sync(&server.base_url(), &target, &[]).code, 0);
    let delivered = |day: &str| {
        python_rows(
            &db,
            &format!(
                "SELECT delivered FROM daily_statistics WHERE campaign_id = 701 AND day = '{day}'"
            ),
        )[0][0]
            .clone()
    };
    let (old_inside, old_outside) = (delivered("2024-03-27"), delivered("2024-03-05"));
    // Late data for day 27 (inside the last 7 days) and day 5 (outside), through the admin API.
    let status = Command::new("curl")
        .args([
            "-fsS",
            "-X",
            "PUT",
            "-H",
            "content-type: application/json",
            "--data-binary",
        ])
        .arg(campaign_json(701, &[5, 27]))
        .arg(format!("{}/__admin/campaigns/701", server.base_url()))
        .status()
        .expect("curl runs");
    assert!(status.success());
    server.reset();
    let run = sync(&server.base_url(), &target, &["--lookback", "7"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr
            .contains("21 days written (0 new, 1 changed, 20 unchanged), "),
        "{run:?}"
    );
    // One request for each unchanged campaign's window; a few to find the changed day.
    let sent = requests(&server);
    assert!(
        run.stderr
            .contains(&format!(", {sent} requests (one per day: 21)")),
        "the summary counts what the journal saw ({sent}): {run:?}"
    );
    assert!(sent <= 10, "{sent} requests to find one changed day");
    assert_ne!(
        delivered("2024-03-27"),
        old_inside,
        "corrected within the lookback"
    );
    assert_eq!(
        delivered("2024-03-05"),
        old_outside,
        "left alone outside the lookback"
    );

    // A longer lookback reaches it.
    server.reset();
    let run = sync(&server.base_url(), &target, &["--lookback", "30"]);
    assert!(run.stderr.contains("1 changed"), "{run:?}");
    assert!(requests(&server) < 30, "{run:?}");
    assert_ne!(delivered("2024-03-05"), old_outside);
    let per_day = db_path("lookback-per-day");
    assert_eq!(
        sync(
            &server.base_url(),
            &per_day.to_string_lossy(),
            &["--per-day"]
        )
        .code,
        0
    );
    assert_eq!(
        table(&db),
        table(&per_day),
        "the same table as one request per day"
    );

    // Nothing new and no lookback: nothing sent.
    server.reset();
    let run = sync(&server.base_url(), &target, &["--lookback", "0"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(requests(&server), 0);
    assert!(run.stderr.contains("0 days written"), "{run:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_run_then_rerun_equals_an_uninterrupted_run() {
    let server = mock().await;
    let whole = db_path("uninterrupted");
    assert_eq!(
        sync(&server.base_url(), &whole.to_string_lossy(), &[]).code,
        0
    );

    let killed = db_path("killed");
    let mut command = Command::new(env!("CARGO_BIN_EXE_wa-stats"));
    command
        .args(["sync", "701", "702", "703", "--db"])
        .arg(&killed)
        .args([
            "--from",
            FROM,
            "--to",
            TO,
            "--rate-limit",
            "30",
            // One request in flight: the campaigns finish one after another.
            "--concurrency",
            "1",
            "--base-url",
        ])
        .arg(server.base_url())
        .args(["--token", "demo-token", "-q"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    isolate(&mut command);
    let mut child = command.spawn().expect("wa-stats runs");
    // Killed once the first campaign is committed and before the last: in the middle.
    let mut rows = 0;
    for _ in 0..600 {
        std::thread::sleep(Duration::from_millis(10));
        if killed.exists() {
            rows = campaigns_written(&killed);
            if rows > 0 {
                break;
            }
        }
    }
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    assert!(
        (1..3).contains(&rows),
        "killed with {rows} campaigns written"
    );
    assert_ne!(
        table(&killed),
        table(&whole),
        "the kill came too late to test anything"
    );
    let run = sync(&server.base_url(), &killed.to_string_lossy(), &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(table(&killed), table(&whole));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_campaign_is_not_written_and_is_fetched_next_time() {
    let server = mock().await;
    let db = db_path("failed-day");
    let target = db.to_string_lossy().into_owned();
    // The first request of campaign 702 (its first day) fails for good.
    server.inject(Fault::status(500).for_campaign(702));
    let run = sync(
        &server.base_url(),
        &target,
        &["--max-retries", "0", "--concurrency", "1"],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .contains("campaign 702 2024-03-01..2024-03-30: HTTP 500"),
        "{run:?}"
    );
    assert!(run.stderr.contains("60 days written"), "{run:?}");
    assert!(run.stderr.contains("1 campaign failed"), "{run:?}");
    let missing = python_rows(
        &db,
        "SELECT COUNT(*) FROM daily_statistics WHERE campaign_id = 702",
    );
    assert_eq!(missing[0][0], 0, "nothing written for the failed campaign");
    let state = python_rows(
        &db,
        "SELECT first_day, last_day FROM sync_state WHERE campaign_id = 702",
    );
    assert!(state.is_empty(), "no state for it: {state:?}");
    let run = sync(&server.base_url(), &target, &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("30 new"), "{run:?}");
    let whole = db_path("failed-day-whole");
    assert_eq!(
        sync(&server.base_url(), &whole.to_string_lossy(), &[]).code,
        0
    );
    assert_eq!(table(&db), table(&whole));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_sync_is_refused_while_one_holds_the_database() {
    let server = mock().await;
    let db = db_path("locked");
    let target = db.to_string_lossy().into_owned();
    assert_eq!(sync(&server.base_url(), &target, &[]).code, 0);
    server.reset();
    // The same lock a running sync holds on the file.
    let holder = std::fs::File::open(&db).expect("the database exists");
    holder.lock().expect("the lock is free");
    let run = sync(&server.base_url(), &target, &[]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("another wa-stats sync is writing"),
        "{run:?}"
    );
    assert_eq!(requests(&server), 0, "a refused sync sent nothing");
    drop(holder);
    assert_eq!(sync(&server.base_url(), &target, &[]).code, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_options_are_refused_before_anything_is_sent() {
    let server = mock().await;
    let db = db_path("refused");
    let target = db.to_string_lossy().into_owned();
    let base = server.base_url();
    for (args, words) in [
        (
            vec!["--db", "mysql://h/db"],
            "is not a database this tool writes",
        ),
        (
            vec!["--db", &target, "--from", "2024-03"],
            "`2024-03` is not a date",
        ),
        (
            vec!["--db", &target, "--from", FROM, "--to", "2999-01-01"],
            "is after today",
        ),
        (
            vec!["--db", &target, "--from", FROM, "--to", FROM],
            "no day to sync",
        ),
        (
            vec!["--db", &target, "--from", FROM, "--max-requests", "0"],
            "--max-requests",
        ),
        (
            vec!["--db", &target, "--from", FROM, "--deadline", "30"],
            "try --deadline 90s",
        ),
    ] {
        let mut all = vec!["sync", "701", "702"];
        all.extend(&args);
        if !args.contains(&"--from") {
            all.extend(["--from", FROM]);
        }
        all.extend(["--base-url", &base, "--token", "demo-token"]);
        let run = wa_stats(&all, &[], None);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(run.stderr.contains(words), "{args:?}: {run:?}");
    }
    assert_eq!(requests(&server), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminal_gets_a_progress_bar_and_the_summary() {
    let server = mock().await;
    let db = db_path("terminal");
    let line = format!(
        "{} sync 701 702 703 --db {} --from {FROM} --to {TO} --rate-limit 40 --base-url {} \
         --token demo-token",
        env!("CARGO_BIN_EXE_wa-stats"),
        db.display(),
        server.base_url()
    );
    let (shown, ok) = on_a_terminal(&line, &[]);
    assert!(ok, "{shown}");
    assert!(shown.contains("days, ETA"), "no progress bar: {shown}");
    assert!(shown.contains("90 days written (90 new"), "{shown}");
}
