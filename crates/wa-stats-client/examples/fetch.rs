//! Fetches statistics for the campaigns named on the command line and prints one JSON line each.
//!
//! ```text
//! WA_STATS_API_KEY=INS.… cargo run -p wa-stats-client --example fetch -- 12345 12346
//! WA_STATS_TOKEN=eyJ… cargo run -p wa-stats-client --example fetch -- 12345 --since 1700000000
//! WA_STATS_CLIENT_ID=… WA_STATS_CLIENT_SECRET=… cargo run -p wa-stats-client --example fetch -- 12345
//! cargo run -p wa-stats-client --example fetch -- --demo 12345 22222   # against an in-process mock
//! ```
//!
//! `WA_STATS_BASE_URL` points it elsewhere (a mock on loopback, a proxy). Set `RUST_LOG=debug` to
//! see the client's spans: attempts, statuses, latencies, retry delays — never a credential.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line example prints its results"
)]

use std::process::ExitCode;

use wa_stats_client::stream::StreamExt;
use wa_stats_client::{Client, ClientBuilder, TimeRange};

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();

    let mut ids = Vec::new();
    let mut since = None;
    let mut demo = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--demo" => demo = true,
            "--since" => since = args.next().and_then(|s| s.parse::<i64>().ok()),
            id => match id.parse::<i64>() {
                Ok(id) => ids.push(id),
                Err(_) => {
                    eprintln!("usage: fetch [--demo] [--since UNIX_SECONDS] CAMPAIGN_ID...");
                    return ExitCode::from(2);
                }
            },
        }
    }

    // With --demo, a mock with the vendor's sample data runs in this process, on loopback.
    let mock = if demo {
        Some(wa_stats_mock::MockServer::start().await)
    } else {
        None
    };
    let builder = match &mock {
        Some(server) => Client::builder()
            .bearer_token("demo-token")
            .base_url(server.base_url()),
        None => match from_env() {
            Some(builder) => builder,
            None => {
                eprintln!(
                    "set WA_STATS_API_KEY, WA_STATS_TOKEN, or WA_STATS_CLIENT_ID and \
                     WA_STATS_CLIENT_SECRET (or pass --demo)"
                );
                return ExitCode::from(2);
            }
        },
    };
    let client = match builder.build() {
        Ok(client) => client,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };

    let range = TimeRange::new(since, None);
    let mut failed = false;
    let mut results = client.campaign_statistics_many(ids, range, 16);
    while let Some((campaign_id, result)) = results.next().await {
        match result {
            Ok(stats) => println!(
                r#"{{"campaign_id":{campaign_id},"statistics":{}}}"#,
                stats.to_json()
            ),
            Err(error) => {
                failed = true;
                let status = error.status().map_or("null".to_owned(), |s| s.to_string());
                println!(
                    r#"{{"campaign_id":{campaign_id},"error":{{"kind":"{}","status":{status},"retryable":{},"message":{}}}}}"#,
                    error.kind_name(),
                    error.is_retryable(),
                    serde_json::Value::String(error.to_string()),
                );
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// A builder from the `WA_STATS_*` environment variables, or `None` without a credential.
fn from_env() -> Option<ClientBuilder> {
    let var = |name| {
        std::env::var(name)
            .ok()
            .filter(|value: &String| !value.is_empty())
    };
    let builder = if let Some(key) = var("WA_STATS_API_KEY") {
        Client::builder().api_key(key)
    } else if let Some(token) = var("WA_STATS_TOKEN") {
        Client::builder().bearer_token(token)
    } else if let (Some(id), Some(secret)) =
        (var("WA_STATS_CLIENT_ID"), var("WA_STATS_CLIENT_SECRET"))
    {
        Client::builder().client_credentials(id, secret)
    } else {
        return None;
    };
    Some(match var("WA_STATS_BASE_URL") {
        Some(url) => builder.base_url(url),
        None => builder,
    })
}
