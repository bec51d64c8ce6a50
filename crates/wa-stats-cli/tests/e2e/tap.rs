//! `wa-stats tap` as a Singer runner drives it: stdout holds Singer messages only; a first run
//! emits every day as `sync` stores it, a re-run with the state emits only what changed and
//! always a final STATE; a bad config is refused naming the key; no secret is printed.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::sync::{FROM, TO, campaign_json, db_path, mock, python_rows, sync};
use crate::wa_stats;

/// A file in the test's own directory.
fn file(name: &str, text: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tap");
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("the file is written");
    path
}

fn config(name: &str, base_url: &str) -> PathBuf {
    file(
        name,
        &format!(
            r#"{{"campaign_ids":[701,702,703],"start_date":"{FROM}","end_date":"{TO}",
            "lookback_days":7,"token":"demo-token","base_url":"{base_url}"}}"#
        ),
    )
}

/// Every stdout line is a Singer message; the messages.
fn messages(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|line| {
            let message: Value = serde_json::from_str(line).expect("every stdout line is JSON");
            assert!(
                ["SCHEMA", "RECORD", "STATE"].contains(&message["type"].as_str().unwrap_or("")),
                "not a Singer message: {line}"
            );
            message
        })
        .collect()
}

fn records(messages: &[Value]) -> Vec<&Value> {
    messages
        .iter()
        .filter(|m| m["type"] == "RECORD")
        .map(|m| &m["record"])
        .collect()
}

/// The final STATE's value, written to a file for the next run.
fn final_state(messages: &[Value], name: &str) -> PathBuf {
    let last = messages.last().expect("messages");
    assert_eq!(last["type"], "STATE", "a run ends with STATE");
    file(name, &last["value"].to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_run_emits_sync_s_days_and_a_rerun_only_what_changed() {
    let server = mock().await;
    let config = config("config.json", &server.base_url());
    let config_text = config.to_string_lossy().into_owned();
    let run = wa_stats(&["tap", "--config", &config_text], &[], None);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!run.stdout.contains("demo-token") && !run.stderr.contains("demo-token"));
    let first = messages(&run.stdout);
    assert_eq!(first[0]["type"], "SCHEMA");
    assert_eq!(
        first[0]["key_properties"],
        serde_json::json!(["campaign_id", "day"])
    );
    let emitted = records(&first);
    assert_eq!(emitted.len(), 90, "every day of 3 campaigns × 30 days");
    // A STATE after each campaign's records, and one at the end.
    assert_eq!(first.iter().filter(|m| m["type"] == "STATE").count(), 4);

    // The same rows as sync's table.
    let db = db_path("tap-twin");
    assert_eq!(sync(&server.base_url(), &db.to_string_lossy(), &[]).code, 0);
    let columns: Vec<String> = python_rows(
        &db,
        "SELECT name FROM pragma_table_info('daily_statistics')",
    )
    .into_iter()
    .filter_map(|row| row[0].as_str().map(str::to_owned))
    .filter(|name| name != "fetched_at")
    .collect();
    let quoted: Vec<String> = columns.iter().map(|c| format!("\"{c}\"")).collect();
    let table = python_rows(
        &db,
        &format!(
            "SELECT {} FROM daily_statistics ORDER BY campaign_id, day",
            quoted.join(", ")
        ),
    );
    let mut from_tap: Vec<Vec<Value>> = emitted
        .iter()
        .map(|record| columns.iter().map(|c| record[c].clone()).collect())
        .collect();
    from_tap.sort_by_key(|row| (row[0].as_i64(), row[1].as_str().map(str::to_owned)));
    let numbers = |rows: Vec<Vec<Value>>| -> Vec<Vec<Value>> {
        rows.into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|v| v.as_f64().map_or(v, Value::from))
                    .collect()
            })
            .collect()
    };
    assert_eq!(
        numbers(from_tap),
        numbers(table),
        "the tap's records are sync's rows"
    );

    // Again with the state: nothing changed, no RECORD, still a final STATE.
    let state = final_state(&first, "state1.json");
    let state_text = state.to_string_lossy().into_owned();
    server.reset();
    let run = wa_stats(
        &["tap", "--config", &config_text, "--state", &state_text],
        &[],
        None,
    );
    assert_eq!(run.code, 0, "{run:?}");
    let second = messages(&run.stdout);
    assert!(records(&second).is_empty(), "{run:?}");
    let rerun_requests = crate::sync::requests(&server);
    assert_eq!(rerun_requests, 3, "one request per unchanged campaign");

    // Late data on a day inside the window: exactly that day is emitted.
    let status = Command::new("curl")
        .args([
            "-fsS",
            "-X",
            "PUT",
            "-H",
            "content-type: application/json",
            "--data-binary",
        ])
        .arg(campaign_json(702, &[28]))
        .arg(format!("{}/__admin/campaigns/702", server.base_url()))
        .status()
        .expect("curl runs");
    assert!(status.success());
    let state = final_state(&second, "state2.json");
    let run = wa_stats(
        &[
            "tap",
            "--config",
            &config_text,
            "--state",
            &state.to_string_lossy(),
        ],
        &[],
        None,
    );
    assert_eq!(run.code, 0, "{run:?}");
    let third = messages(&run.stdout);
    let changed = records(&third);
    assert_eq!(changed.len(), 1, "{run:?}");
    assert_eq!(
        (
            changed[0]["campaign_id"].as_i64(),
            changed[0]["day"].as_str()
        ),
        (Some(702), Some("2024-03-28"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_config_is_refused_naming_the_key() {
    let server = mock().await;
    let base = server.base_url();
    for (text, key) in [
        (
            format!(
                r#"{{"campaign_ids":[701],"start_date":"2024-13-01","token":"t","base_url":"{base}"}}"#
            ),
            "start_date",
        ),
        (
            format!(
                r#"{{"campaign_ids":[701],"start_date":"{FROM}","lookback_days":"soon","token":"t","base_url":"{base}"}}"#
            ),
            "lookback_days",
        ),
        (
            format!(r#"{{"campaign_ids":[701],"start_date":"{FROM}","colour":"red","token":"t"}}"#),
            "colour",
        ),
        (
            r#"{"start_date":"2024-03-01","token":"t"}"#.to_owned(),
            "campaign_ids",
        ),
        (
            format!(r#"{{"campaign_ids":[701],"token":"t","base_url":"{base}"}}"#),
            "start_date",
        ),
    ] {
        let config = file("bad.json", &text);
        let run = wa_stats(&["tap", "--config", &config.to_string_lossy()], &[], None);
        assert_eq!(run.code, 2, "{text}: {run:?}");
        assert!(run.stderr.contains(key), "{key} named: {run:?}");
        assert!(run.stdout.is_empty(), "nothing on stdout: {run:?}");
    }
    assert_eq!(crate::sync::requests(&server), 0);
}

#[test]
fn discover_and_about_describe_the_stream() {
    let run = wa_stats(&["tap", "--discover"], &[], None);
    assert_eq!(run.code, 0, "{run:?}");
    let catalog: Value = serde_json::from_str(&run.stdout).expect("a catalog");
    let stream = &catalog["streams"][0];
    assert_eq!(stream["tap_stream_id"], "daily_statistics");
    let top = &stream["metadata"][0]["metadata"];
    assert_eq!(top["selected"], true);
    assert_eq!(top["replication-method"], "INCREMENTAL");
    assert_eq!(
        top["table-key-properties"],
        serde_json::json!(["campaign_id", "day"])
    );
    assert_eq!(stream["schema"]["properties"]["day"]["format"], "date");
    assert_eq!(stream["schema"]["properties"]["revenue"]["type"], "number");
    assert_eq!(stream["schema"]["properties"]["sent"]["type"], "integer");

    let run = wa_stats(&["tap", "--about"], &[], None);
    let about: Value = serde_json::from_str(&run.stdout).expect("about as JSON");
    assert!(
        about["capabilities"]
            .as_array()
            .is_some_and(|c| c.contains(&Value::from("state")))
    );
    let run = wa_stats(&["tap", "--about", "--format", "markdown"], &[], None);
    assert!(run.stdout.contains("| `lookback_days` |"), "{run:?}");
}

/// `tap-wa-stats ARGS…` is `wa-stats tap ARGS…` (the executable a Singer runner calls).
#[test]
fn tap_wa_stats_is_wa_stats_tap() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_tap-wa-stats"))
        .arg("--about")
        .output()
        .expect("tap-wa-stats runs");
    assert!(output.status.success());
    let direct = wa_stats(&["tap", "--about"], &[], None);
    assert_eq!(String::from_utf8_lossy(&output.stdout), direct.stdout);
}

/// Quiet days in the window (kept out of the state: a day it does not list is zero) still let an
/// unchanged campaign cost one request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_days_in_the_window_cost_nothing_more() {
    let server = mock().await;
    let config = file(
        "quiet.json",
        &format!(
            r#"{{"campaign_ids":[701,702,703],"start_date":"{FROM}","end_date":"2024-04-10",
            "token":"demo-token","base_url":"{}"}}"#,
            server.base_url()
        ),
    );
    let config = config.to_string_lossy().into_owned();
    let run = wa_stats(&["tap", "--config", &config], &[], None);
    assert_eq!(run.code, 0, "{run:?}");
    let first = messages(&run.stdout);
    assert_eq!(records(&first).len(), 3 * 40);
    let state = final_state(&first, "quiet-state.json");
    server.reset();
    let run = wa_stats(
        &[
            "tap",
            "--config",
            &config,
            "--state",
            &state.to_string_lossy(),
        ],
        &[],
        None,
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(records(&messages(&run.stdout)).is_empty(), "{run:?}");
    assert_eq!(
        crate::sync::requests(&server),
        3,
        "one request per unchanged campaign"
    );
}
