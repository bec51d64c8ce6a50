//! `--by day|week|month` against the mock: the buckets add up to the whole range (property test
//! over random ranges), the edges around a year end and a leap day, the refusals, and snapshots
//! of the grid with its sparklines and of the CSV.

use proptest::prelude::*;
use serde_json::{Map, Value};
use wa_stats_mock::{Fault, MockServer};

use crate::{wa_stats, with_token};

/// Adds `b` into `a`: numbers added, objects key by key, arrays item by item; anything else (a
/// button name) and a card's `cardId` must be equal.
fn add(a: &mut Value, b: &Value) {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let sum = x.as_f64().unwrap_or(0.0) + y.as_f64().unwrap_or(0.0);
            *x = serde_json::Number::from_f64(sum).expect("finite");
        }
        (Value::Object(x), Value::Object(y)) => {
            for (key, value) in y {
                match x.get_mut(key) {
                    Some(slot) if key == "cardId" => assert_eq!(slot, value),
                    Some(slot) => add(slot, value),
                    None => {
                        x.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len());
            for (slot, value) in x.iter_mut().zip(y) {
                add(slot, value);
            }
        }
        (a, b) => assert_eq!(a, b),
    }
}

/// Every number rounded to cents, so that float sums of revenue compare exactly.
fn cents(value: &mut Value) {
    match value {
        Value::Number(n) => {
            let rounded = (n.as_f64().unwrap_or(0.0) * 100.0).round() / 100.0;
            *n = serde_json::Number::from_f64(rounded).expect("finite");
        }
        Value::Object(map) => map.values_mut().for_each(cents),
        Value::Array(items) => items.iter_mut().for_each(cents),
        _ => {}
    }
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect()
}

/// The whole range's answer and the sum of its buckets', for each campaign, as the CLI prints
/// them; also checks that the buckets tile `[from, to)`.
fn whole_and_summed(base_url: &str, from: i64, to: i64, by: &str) -> Vec<(Value, Value)> {
    let (from_text, to_text) = (from.to_string(), to.to_string());
    let range = ["--from", &from_text, "--to", &to_text, "--format", "json"];
    let mut whole_args = vec!["campaign", "12345", "12346"];
    whole_args.extend(range);
    let whole = with_token(base_url, &whole_args);
    assert_eq!(whole.code, 0, "{whole:?}");
    let mut series_args = whole_args.clone();
    series_args.extend(["--by", by, "--concurrency", "16"]);
    let series = with_token(base_url, &series_args);
    assert_eq!(series.code, 0, "{series:?}");

    let whole = json_lines(&whole.stdout);
    let lines = json_lines(&series.stdout);
    let mut out = Vec::new();
    for (index, id) in [12345, 12346].into_iter().enumerate() {
        let buckets: Vec<&Value> = lines.iter().filter(|l| l["campaign_id"] == id).collect();
        let mut edge = from;
        let mut sum = Value::Object(Map::new());
        for bucket in &buckets {
            assert_eq!(bucket["start_time"], edge, "{bucket}");
            edge = bucket["end_time"].as_i64().expect("end_time");
            add(&mut sum, &bucket["statistics"]);
        }
        assert_eq!(edge, to, "the last bucket ends at --to");
        let mut expected = whole[index]["statistics"].clone();
        cents(&mut sum);
        cents(&mut expected);
        out.push((expected, sum));
    }
    out
}

/// 2024-02-20 .. 2024-05-10: around the built-in campaigns' 60 days from 2024-03-01.
const EARLIEST: i64 = 1_708_387_200;
const LATEST: i64 = 1_715_299_200;

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, ..ProptestConfig::default() })]

    /// For random ranges (any second, not only midnights) and each `--by`, the buckets add up to
    /// the whole range's answer, counter for counter (details and buttons included).
    #[test]
    fn buckets_add_up_to_the_whole_range(
        from in EARLIEST..LATEST - 3_600,
        length in 3_600_i64..80 * 86_400,
        by in prop::sample::select(vec!["day", "week", "month"]),
    ) {
        let runtime = tokio::runtime::Runtime::new().expect("a runtime");
        let server = runtime.block_on(MockServer::start());
        let to = (from + length).min(LATEST);
        for (whole, summed) in whole_and_summed(&server.base_url(), from, to, by) {
            prop_assert_eq!(whole, summed);
        }
        runtime.block_on(server.shutdown());
    }
}

/// The edges a user would get wrong by hand: ISO weeks across a year end, a leap day, months of
/// 29, 30 and 31 days; each bucket's edges are what was sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edges_around_a_year_end_and_a_leap_day() {
    let server = MockServer::start().await;
    for (from, to, by, expected) in [
        (
            "2024-12-26",
            "2025-01-08T12:00:00Z",
            "week",
            vec![
                ("2024-12-26T00:00:00Z", "2024-12-30T00:00:00Z"),
                ("2024-12-30T00:00:00Z", "2025-01-06T00:00:00Z"),
                ("2025-01-06T00:00:00Z", "2025-01-08T12:00:00Z"),
            ],
        ),
        (
            "2024-02-28",
            "2024-03-01T06:00:00Z",
            "day",
            vec![
                ("2024-02-28T00:00:00Z", "2024-02-29T00:00:00Z"),
                ("2024-02-29T00:00:00Z", "2024-03-01T00:00:00Z"),
                ("2024-03-01T00:00:00Z", "2024-03-01T06:00:00Z"),
            ],
        ),
        (
            "2023-12-15",
            "2024-05-01",
            "month",
            vec![
                ("2023-12-15T00:00:00Z", "2024-01-01T00:00:00Z"),
                ("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"),
                ("2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"),
                ("2024-03-01T00:00:00Z", "2024-04-01T00:00:00Z"),
                ("2024-04-01T00:00:00Z", "2024-05-01T00:00:00Z"),
            ],
        ),
    ] {
        server.reset();
        let run = with_token(
            &server.base_url(),
            &[
                "campaign",
                "12345",
                "--from",
                from,
                "--to",
                to,
                "--by",
                by,
                "--format",
                "json",
                "--concurrency",
                "1",
            ],
        );
        assert_eq!(run.code, 0, "{run:?}");
        let lines = json_lines(&run.stdout);
        let got: Vec<(&str, &str)> = lines
            .iter()
            .map(|l| {
                (
                    l["bucket_start"].as_str().unwrap_or(""),
                    l["bucket_end"].as_str().unwrap_or(""),
                )
            })
            .collect();
        assert_eq!(got, expected, "{by} from {from} to {to}");
        // What was sent is what was printed, in order (one request in flight at a time).
        let sent: Vec<String> = server.journal().iter().map(|e| e.body.clone()).collect();
        let printed: Vec<String> = lines
            .iter()
            .map(|l| {
                format!(
                    r#"{{"campaign_id":12345,"start_time":{},"end_time":{}}}"#,
                    l["start_time"], l["end_time"]
                )
            })
            .collect();
        assert_eq!(sent, printed);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn by_without_from_is_refused_before_sending() {
    let server = MockServer::start().await;
    let run = with_token(&server.base_url(), &["campaign", "12345", "--by", "day"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("--by needs --from"), "{run:?}");
    assert!(run.stderr.contains("2018-01-01"), "{run:?}");
    assert!(run.stderr.contains("thousands of requests"), "{run:?}");
    assert!(run.stderr.contains("\n  fix: add --from"), "{run:?}");
    assert!(server.journal().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_ten_thousand_requests_needs_max_requests() {
    let server = MockServer::start().await;
    // Four campaigns × every day since 2018: well over 10 000 requests.
    let args = [
        "campaign",
        "12345",
        "12346",
        "12345",
        "12346",
        "--from",
        "2018-01-01",
        "--by",
        "day",
    ];
    let run = with_token(&server.base_url(), &args);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("--max-requests"), "{run:?}");
    assert!(run.stderr.contains("requests per second"), "{run:?}");
    assert!(server.journal().is_empty());
    // Not a terminal: no announcement of the count, only the results.
    let small = with_token(
        &server.base_url(),
        &[
            "campaign",
            "12345",
            "--from",
            "2024-01-01",
            "--to",
            "2024-12-01",
            "--by",
            "day",
            "--format",
            "csv",
        ],
    );
    assert_eq!(small.code, 0, "{small:?}");
    assert_eq!(small.stderr, "", "{small:?}");
}

/// The grid: a failed bucket in its row, the others printed, totals without it, sparklines;
/// a campaign that fails every day; exit status 1 as for any failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn table_snapshot() {
    let server = MockServer::start().await;
    server.inject(Fault::status(500).times(1).for_campaign(12345));
    let range = [
        "--from",
        "2024-02-27",
        "--to",
        "2024-03-12",
        "--by",
        "day",
        "--concurrency",
        "1",
        "--max-retries",
        "0",
    ];
    let mut args = vec!["campaign", "12345", "12346", "22222"];
    args.extend(range);
    let run = with_token(&server.base_url(), &args);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("of 42 requests failed"), "{run:?}");
    insta::assert_snapshot!("series_table", run.stdout);
}

/// A narrow terminal drops columns, never wraps a row; weeks are labelled as ISO weeks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn narrow_table_snapshot() {
    let server = MockServer::start().await;
    let base_url = server.base_url();
    let run = wa_stats(
        &[
            "campaign",
            "12345",
            "--from",
            "2024-02-26",
            "--to",
            "2024-05-06",
            "--by",
            "week",
            "--base-url",
            &base_url,
            "--token",
            "demo-token",
        ],
        &[("COLUMNS", "56")],
        None,
    );
    assert_eq!(run.code, 0, "{run:?}");
    // The range line is the plain table's, and may wrap; no row of the grid does.
    for line in run.stdout.lines().skip(1) {
        assert!(line.chars().count() <= 56, "{line}");
    }
    assert!(run.stdout.contains("(no room for: "), "{}", run.stdout);
    insta::assert_snapshot!("series_table_narrow", run.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_snapshot() {
    let server = MockServer::start().await;
    let run = with_token(
        &server.base_url(),
        &[
            "campaign",
            "12345",
            "22222",
            "--from",
            "2024-02-15",
            "--to",
            "2024-05-15",
            "--by",
            "month",
            "--format",
            "csv",
        ],
    );
    assert_eq!(run.code, 1, "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[0].starts_with("campaign_id,bucket_start,bucket_end,start_time,end_time,sent,"));
    assert_eq!(lines.len(), 1 + 2 * 4);
    insta::assert_snapshot!("series_csv", run.stdout);
}
