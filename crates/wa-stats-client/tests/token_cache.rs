//! The token cache shared across processes (feature `token-cache`): separately built clients,
//! as separate processes are, each with its own `TokenCache` on one store, against the mock over
//! loopback. One token request serves them all; a token the API refuses is dropped for all of
//! them; the directory is 0700 and its files 0600, and a cache others may read is refused;
//! neither a file nor Redis (a real `redis-server`) holds the token, the secret or the client id
//! in clear. Counts only, no timing.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns: a panic is the failure report"
)]

mod common;
#[path = "common/redis_server.rs"]
mod redis_server;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use common::*;
use redis_server::RedisServer;
use wa_stats_client::{Client, RedisBudget, Setting, TokenCache};
use wa_stats_mock::{Fault, MockServer};

/// A fresh directory path (not created) for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "wa-stats-token-cache-{}-{test}",
        std::process::id()
    ));
    std::fs::remove_dir_all(&dir).ok();
    dir
}

/// A client as one process of a fleet builds it: its own cache handle on the shared store.
fn process(server: &MockServer, cache: TokenCache) -> Client {
    quick(&server.base_url())
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .token_cache(cache)
        .build()
        .unwrap()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// What must never be readable in a store: the secret, the client id, and the token itself.
fn assert_sealed(bytes: &[u8], token: &str, place: &str) {
    for needle in [token, CLIENT_SECRET, CLIENT_ID] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "{place} holds {needle:?} in clear"
        );
    }
}

#[tokio::test]
async fn processes_share_one_token_through_the_disk_cache_which_holds_nothing_in_clear() {
    let server = MockServer::start().await;
    let dir = scratch("disk");
    let first = process(&server, TokenCache::disk(&dir).unwrap());
    first.campaign_statistics(12345).send().await.unwrap();
    assert_eq!(token_requests(&server), 1);
    for _ in 0..5 {
        let next = process(&server, TokenCache::disk(&dir).unwrap());
        next.campaign_statistics(12345).send().await.unwrap();
    }
    assert_eq!(
        token_requests(&server),
        1,
        "every process reused the first token"
    );

    let token = first.access_token().await.unwrap();
    assert_eq!(mode(&dir), 0o700);
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(
        files
            .iter()
            .any(|f| f.extension().is_some_and(|e| e == "token"))
    );
    for file in &files {
        assert_eq!(mode(file), 0o600, "{}", file.display());
        let bytes = std::fs::read(file).unwrap();
        assert_sealed(&bytes, token.expose(), &file.display().to_string());
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        assert_sealed(name.as_bytes(), token.expose(), "a file name");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn a_token_the_api_refuses_is_dropped_for_every_process() {
    let server = MockServer::start().await;
    let dir = scratch("refused");
    let first = process(&server, TokenCache::disk(&dir).unwrap());
    first.campaign_statistics(12345).send().await.unwrap();
    assert_eq!(token_requests(&server), 1);

    // The token is refused once, and the endpoint is down when the client asks for a new one.
    server.inject(Fault::status(401).times(1));
    server.inject(Fault::status(503).on_token_endpoint().always());
    let refused = quick(&server.base_url())
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .token_cache(TokenCache::disk(&dir).unwrap())
        .max_attempts(1)
        .build()
        .unwrap();
    assert!(refused.campaign_statistics(12345).send().await.is_err());
    let after_refusal = token_requests(&server);
    assert!(after_refusal >= 2, "the refused token was replaced at once");

    // A new process finds no token to reuse: it asks the endpoint itself.
    let later = quick(&server.base_url())
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .token_cache(TokenCache::disk(&dir).unwrap())
        .max_attempts(1)
        .build()
        .unwrap();
    assert!(later.campaign_statistics(12345).send().await.is_err());
    assert_eq!(token_requests(&server), after_refusal + 1);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_cache_others_may_read_is_refused_with_the_fix() {
    let dir = scratch("modes");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let error = TokenCache::disk(&dir).unwrap_err();
    assert_eq!(error.setting(), Some(Setting::TokenCache));
    let message = error.to_string();
    assert!(
        message.contains("may be read by others (mode 0755)")
            && message.contains(&format!("chmod 700 {}", dir.display())),
        "{message}"
    );

    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let record = dir.join("0123456789abcdef0123456789abcdef.token");
    std::fs::write(&record, b"sealed").unwrap();
    std::fs::set_permissions(&record, std::fs::Permissions::from_mode(0o644)).unwrap();
    let message = TokenCache::disk(&dir).unwrap_err().to_string();
    assert!(
        message.contains("token cache file") && message.contains("chmod 600"),
        "{message}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn a_damaged_record_is_ignored_and_replaced() {
    let server = MockServer::start().await;
    let dir = scratch("damaged");
    let first = process(&server, TokenCache::disk(&dir).unwrap());
    first.campaign_statistics(12345).send().await.unwrap();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "token") {
            std::fs::write(&path, b"not a sealed record").unwrap();
        }
    }
    let next = process(&server, TokenCache::disk(&dir).unwrap());
    next.campaign_statistics(12345).send().await.unwrap();
    assert_eq!(token_requests(&server), 2);
    let again = process(&server, TokenCache::disk(&dir).unwrap());
    again.campaign_statistics(12345).send().await.unwrap();
    assert_eq!(
        token_requests(&server),
        2,
        "the replaced record serves again"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn processes_share_one_token_through_redis_which_holds_nothing_in_clear() {
    let redis = RedisServer::start();
    let server = MockServer::start().await;
    let budget = || RedisBudget::new(&redis.url()).unwrap();
    let first = process(&server, TokenCache::redis(&budget()));
    first.campaign_statistics(12345).send().await.unwrap();
    for _ in 0..5 {
        let next = process(&server, TokenCache::redis(&budget()));
        next.campaign_statistics(12345).send().await.unwrap();
    }
    assert_eq!(
        token_requests(&server),
        1,
        "every process reused the first token"
    );

    let token = first.access_token().await.unwrap();
    let client = redis::Client::open(redis.url()).unwrap();
    let mut connection = client
        .get_connection_with_timeout(std::time::Duration::from_secs(2))
        .unwrap();
    let keys: Vec<String> = redis::cmd("KEYS").arg("*").query(&mut connection).unwrap();
    assert!(
        keys.iter().any(|key| key.starts_with("wa-stats:token:")),
        "{keys:?}"
    );
    for key in &keys {
        assert_sealed(key.as_bytes(), token.expose(), "a Redis key");
        let value: Vec<u8> = redis::cmd("GET").arg(key).query(&mut connection).unwrap();
        assert_sealed(&value, token.expose(), key);
    }
}

#[tokio::test]
async fn without_the_store_a_process_fetches_its_own_token() {
    // Nothing listens on this Redis port: the call still succeeds, as without a cache.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = MockServer::start().await;
    let budget = RedisBudget::new(&format!("redis://127.0.0.1:{port}")).unwrap();
    let client = process(&server, TokenCache::redis(&budget));
    client.campaign_statistics(12345).send().await.unwrap();
    assert_eq!(token_requests(&server), 1);
}
