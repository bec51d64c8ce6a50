//! `--token-cache`: twenty `wa-stats` processes started at once on one OAuth client, against
//! the mock, which enforces R14 (10 token requests a minute per client). With the token cache
//! on disk (the default) and again in Redis (a real `redis-server`, the default with
//! `--shared-budget`), every run succeeds and the mock's journal shows at most 10 token
//! requests in any minute; without a cache, the runs past the tenth are refused. What the cache
//! wrote is read back: every file 0600 in a 0700 directory, every Redis key and value, and none
//! holds a token, the secret or the client id in clear. Counts only, never speed.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use wa_stats_mock::{JournalEntry, MockServer};
use wa_stats_model::endpoint::{TOKEN_LIMIT_WINDOW, TOKEN_PATH, TOKENS_PER_MINUTE};

use crate::redis_server::RedisServer;

use crate::Run;

const FLEET: usize = 20;
const CLIENT_ID: &str = "demo-client";
const CLIENT_SECRET: &str = "demo-secret";
/// Every token the mock issues starts so.
const TOKEN_PREFIX: &str = "mock-at.";

/// A fresh, not yet created cache directory for one test.
fn cache_home(test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("fleet-{test}"));
    std::fs::remove_dir_all(&dir).ok();
    dir
}

fn start(base_url: &str, cache_home: &Path, args: &[&str]) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wa-stats"));
    command
        .args(["campaign", "12345", "--base-url", base_url])
        .args(["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET])
        .args(["--format", "json"])
        .args(args);
    crate::isolate(&mut command);
    command
        .env("XDG_CACHE_HOME", cache_home)
        .env("NO_COLOR", "1");
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command.spawn().expect("the wa-stats binary runs")
}

/// Starts the fleet at once and waits for every process.
fn fleet(server: &MockServer, cache_home: &Path, args: &[&str]) -> Vec<Run> {
    let children: Vec<Child> = (0..FLEET)
        .map(|_| start(&server.base_url(), cache_home, args))
        .collect();
    children
        .into_iter()
        .map(|child| {
            let output = child.wait_with_output().expect("wa-stats finishes");
            Run {
                code: output.status.code().expect("wa-stats exits by itself"),
                stdout: String::from_utf8(output.stdout).expect("UTF-8"),
                stderr: String::from_utf8(output.stderr).expect("UTF-8"),
            }
        })
        .collect()
}

/// The token requests the mock received, and the most in any minute; none was refused.
fn token_requests(server: &MockServer) -> (usize, usize) {
    let journal: Vec<_> = server
        .journal()
        .into_iter()
        .filter(|entry| entry.path == TOKEN_PATH)
        .collect();
    let refused = journal.iter().filter(|e| e.status == Some(429)).count();
    assert_eq!(refused, 0, "token requests refused with 429");
    (
        journal.len(),
        JournalEntry::peak_in_window(&journal, TOKEN_LIMIT_WINDOW),
    )
}

fn assert_every_run_succeeded(runs: &[Run]) {
    for run in runs {
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stdout
                .starts_with(r#"{"campaign_id":12345,"statistics":{"sent":"#),
            "{}",
            run.stdout
        );
    }
}

fn assert_sealed(bytes: &[u8], place: &str) {
    for needle in [TOKEN_PREFIX, CLIENT_SECRET, CLIENT_ID] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "{place} holds {needle:?} in clear"
        );
    }
}

/// Every file under `dir`, each checked to be 0600 and sealed; returns how many there were.
fn check_files(dir: &Path) -> usize {
    let mode = |path: &Path| {
        std::fs::metadata(path)
            .expect("exists")
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(dir), 0o700, "{}", dir.display());
    let mut files = 0;
    for entry in std::fs::read_dir(dir).expect("the cache directory exists") {
        let path = entry.expect("readable").path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
        assert_sealed(
            &std::fs::read(&path).expect("readable"),
            &path.display().to_string(),
        );
        assert_sealed(path.to_string_lossy().as_bytes(), "a file name");
        files += 1;
    }
    files
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_processes_share_one_token_on_disk_and_without_the_cache_the_eleventh_fails() {
    let server = MockServer::start().await;
    let home = cache_home("disk");
    let runs = fleet(&server, &home, &[]);
    assert_every_run_succeeded(&runs);
    let (requests, peak) = token_requests(&server);
    assert!(peak <= 10, "{peak} token requests in one minute");
    assert!(requests <= 10, "{requests} token requests for {FLEET} runs");
    let files = check_files(&home.join("wa-stats"));
    assert!(files >= 1, "the cache wrote its record");

    // The same fleet without a cache (on a new mock: a new limit) meets R14's limit.
    let bare = MockServer::start().await;
    let runs = fleet(
        &bare,
        &cache_home("off"),
        &["--token-cache", "off", "--max-retries", "0"],
    );
    let failed = runs.iter().filter(|run| run.code != 0).count();
    assert!(
        failed >= FLEET - usize::try_from(TOKENS_PER_MINUTE).expect("small"),
        "{failed} of {FLEET} runs failed without the cache"
    );
    assert!(
        !cache_home("off").exists(),
        "--token-cache off wrote nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_processes_share_one_token_in_redis_which_holds_nothing_in_clear() {
    let redis = RedisServer::start();
    let server = MockServer::start().await;
    let home = cache_home("redis");
    let url = redis.url();
    let runs = fleet(&server, &home, &["--shared-budget", &url]);
    assert_every_run_succeeded(&runs);
    let (requests, peak) = token_requests(&server);
    assert!(peak <= 10, "{peak} token requests in one minute");
    assert!(requests <= 10, "{requests} token requests for {FLEET} runs");
    assert!(
        !home.join("wa-stats").exists(),
        "the Redis cache wrote no file"
    );

    let client = redis::Client::open(url.as_str()).expect("a Redis URL");
    let mut connection = client
        .get_connection_with_timeout(std::time::Duration::from_secs(2))
        .expect("Redis answers");
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("*")
        .query(&mut connection)
        .expect("KEYS");
    assert!(
        keys.iter().any(|key| key.starts_with("wa-stats:token:")),
        "{keys:?}"
    );
    for key in &keys {
        assert_sealed(key.as_bytes(), "a Redis key");
        let kind: String = redis::cmd("TYPE")
            .arg(key)
            .query(&mut connection)
            .expect("TYPE");
        let value: Vec<u8> = match kind.as_str() {
            "string" => redis::cmd("GET").arg(key).query(&mut connection),
            "list" => redis::cmd("LRANGE")
                .arg(key)
                .arg(0)
                .arg(-1)
                .query::<Vec<Vec<u8>>>(&mut connection)
                .map(|items| items.concat()),
            other => panic!("{key}: a {other}, which wa-stats never writes"),
        }
        .expect("readable");
        assert_sealed(&value, key);
    }
}

#[test]
fn token_cache_redis_without_a_shared_budget_is_refused() {
    let run = crate::wa_stats(
        &[
            "campaign",
            "12345",
            "--client-id",
            CLIENT_ID,
            "--client-secret",
            CLIENT_SECRET,
            "--base-url",
            "http://127.0.0.1:9",
            "--token-cache",
            "redis",
        ],
        &[],
        None,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("--token-cache redis needs --shared-budget"),
        "{}",
        run.stderr
    );
    let run = crate::wa_stats(
        &[
            "campaign",
            "12345",
            "--client-id",
            CLIENT_ID,
            "--client-secret",
            CLIENT_SECRET,
        ],
        &[("WA_STATS_TOKEN_CACHE", "memory")],
        None,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("memory"), "{}", run.stderr);
}

/// `$(wa-stats token --token-cache redis --shared-budget URL)` shares the fleet's token (issue
/// 31, item 15): two runs, one token request, the same token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_subcommand_shares_the_token_in_redis() {
    let redis = RedisServer::start();
    let server = MockServer::start().await;
    let url = redis.url();
    let base_url = server.base_url();
    let token = || {
        crate::wa_stats_within(
            &[
                "token",
                "--base-url",
                &base_url,
                "--client-id",
                "demo-client",
                "--token-cache",
                "redis",
                "--shared-budget",
                &url,
            ],
            &[("WA_STATS_CLIENT_SECRET", "demo-secret")],
            std::time::Duration::from_secs(30),
        )
    };
    let (first, second) = (token(), token());
    assert_eq!(first.code, 0, "{first:?}");
    assert_eq!(second.code, 0, "{second:?}");
    assert!(!first.stdout.trim().is_empty(), "{first:?}");
    assert_eq!(first.stdout, second.stdout, "one token for both");
    let (requests, _) = token_requests(&server);
    assert_eq!(requests, 1, "one token request for both runs");
}
