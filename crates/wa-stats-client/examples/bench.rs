//! The client's benchmark (manual, not a test): run with
//! `cargo run --release -p wa-stats-client --example bench [pacing|overhead|h2]` (pacing and
//! overhead by default).
//!
//! (a) Pacing efficiency: 1 000 campaigns at the 100/s limit against the mock with 50 ms,
//!     400 ms and 1 s of injected latency, at the default concurrency (`Auto`), at a fixed value
//!     derived from the rate (rate / 2 = 50) and at the CLI's old default of 8: wall time ÷ the
//!     ideal (999 / 100 s + one latency), and how many 429s the mock answered.
//! (b) Client overhead: with pacing off (client and mock), requests per second the client
//!     sustains, next to a plain load generator (raw HTTP/1.1 keep-alive over TCP, no parsing
//!     beyond `content-length`) against the same mock in the same run.
//!
//! (c) `h2`: the paced batch over HTTP/2: 1 000 campaigns at 100/s, 50 ms of latency, against
//!     the mock's HTTPS (ALPN h2), next to the same run over plain HTTP/1.1, rounds alternated:
//!     wall ÷ ideal, 429s, and the connections the mock accepted (one means one h2 connection
//!     carried every call in flight).
//!
//! The mock runs on a runtime of its own (one worker thread), the load on another (one worker),
//! so the two sides do not share a scheduler. Everything stays on 127.0.0.1.

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    reason = "a benchmark program: prints its figures, and a failure is its report"
)]

use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use wa_stats_client::stream::StreamExt;
use wa_stats_client::{Client, Concurrency};
use wa_stats_mock::{Fault, MockServer};

const PACED_CAMPAIGNS: usize = 1_000;
const RATE: u32 = 100;
/// (latency, concurrency, label); the old default at 1 s is left out (it would take 2 minutes).
const PACED_RUNS: [(u64, Concurrency, &str); 8] = [
    (50, Concurrency::Auto, "auto"),
    (50, Concurrency::Fixed(50), "fixed 50"),
    (50, Concurrency::Fixed(8), "old default 8"),
    (400, Concurrency::Auto, "auto"),
    (400, Concurrency::Fixed(50), "fixed 50"),
    (400, Concurrency::Fixed(8), "old default 8"),
    (1_000, Concurrency::Auto, "auto"),
    (1_000, Concurrency::Fixed(50), "fixed 50"),
];
const OVERHEAD_REQUESTS: usize = 20_000;
const H2_ROUNDS: u32 = 3;
const CONNECTIONS: usize = 32;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

fn main() {
    let server_runtime = runtime();
    let load = runtime();

    let only = std::env::args().nth(1);
    if only.as_deref() == Some("h2") {
        println!("(c) h2: {PACED_CAMPAIGNS} campaigns at {RATE}/s, 50 ms, rounds alternated");
        for round in 1..=H2_ROUNDS {
            for tls in [true, false] {
                protocol_run(&server_runtime, &load, tls, round);
            }
        }
        return;
    }
    if only.as_deref() != Some("overhead") {
        println!("(a) pacing: {PACED_CAMPAIGNS} campaigns at {RATE}/s");
        for (latency_ms, concurrency, label) in PACED_RUNS {
            pacing_run(
                &server_runtime,
                &load,
                Duration::from_millis(latency_ms),
                concurrency,
                label,
            );
        }
    }
    if only.as_deref() == Some("pacing") {
        return;
    }

    // (b) Overhead with pacing off. The journal is kept small: it is not what is measured.
    let server = server_runtime
        .block_on(
            MockServer::builder()
                .rate_limit(None)
                .journal_capacity(16)
                .start(),
        )
        .unwrap();
    let base_url = server.base_url();
    let client = Client::builder()
        .bearer_token("demo-token")
        .base_url(&base_url)
        .rate_budget(None)
        .build()
        .unwrap();
    // Warm both paths up (connections, allocator) before measuring.
    load.block_on(run_client(&client, 2_000));
    load.block_on(run_raw(server.addr(), 2_000));
    let mut client_rates = Vec::new();
    let mut raw_rates = Vec::new();
    for _ in 0..3 {
        client_rates.push(load.block_on(run_client(&client, OVERHEAD_REQUESTS)));
        raw_rates.push(load.block_on(run_raw(server.addr(), OVERHEAD_REQUESTS)));
    }
    let best = |rates: &[f64]| rates.iter().copied().fold(0.0, f64::max);
    let (client_rate, raw_rate) = (best(&client_rates), best(&raw_rates));
    println!(
        "(b) overhead: {OVERHEAD_REQUESTS} requests, {CONNECTIONS} in flight, pacing off, best of 3"
    );
    println!("    client {client_rate:.0} req/s (runs {client_rates:.0?})");
    println!("    raw    {raw_rate:.0} req/s (runs {raw_rates:.0?})");
    println!("    client / raw = {:.1} %", 100.0 * client_rate / raw_rate);
}

/// One pacing run on a fresh mock and a fresh client (so `Auto` starts from nothing).
fn pacing_run(
    server_runtime: &tokio::runtime::Runtime,
    load: &tokio::runtime::Runtime,
    latency: Duration,
    concurrency: Concurrency,
    label: &str,
) {
    let server = server_runtime
        .block_on(MockServer::builder().rate_limit(Some(RATE)).start())
        .unwrap();
    server.inject(Fault::delay(latency).times(u32::MAX));
    let client = Client::builder()
        .bearer_token("demo-token")
        .base_url(server.base_url())
        .build()
        .unwrap();
    let ids = vec![12345_i64; PACED_CAMPAIGNS];
    let started = Instant::now();
    let results: Vec<_> = load.block_on(
        client
            .campaign_statistics_many(ids, .., concurrency)
            .collect(),
    );
    let wall = started.elapsed().as_secs_f64();
    let ideal = (PACED_CAMPAIGNS - 1) as f64 / f64::from(RATE) + latency.as_secs_f64();
    let failed = results.iter().filter(|(_, r)| r.is_err()).count();
    let journal = server.journal();
    let limited = journal.iter().filter(|e| e.status == Some(429)).count();
    println!(
        "    {latency:>7?} {label:<14} wall {wall:7.3} s, ideal {ideal:6.3} s, ratio {:.4}; \
         429s {limited}; failed {failed}; requests {}",
        wall / ideal,
        journal.len()
    );
}

/// One paced run over HTTPS (h2 by ALPN) or plain HTTP/1.1, on a fresh mock and client.
fn protocol_run(
    server_runtime: &tokio::runtime::Runtime,
    load: &tokio::runtime::Runtime,
    tls: bool,
    round: u32,
) {
    let latency = Duration::from_millis(50);
    let builder = MockServer::builder()
        .rate_limit(Some(RATE))
        .synthetic(u32::try_from(PACED_CAMPAIGNS).unwrap(), 1, 7)
        .journal_capacity(PACED_CAMPAIGNS + 16);
    let builder = if tls { builder.tls() } else { builder };
    let server = server_runtime.block_on(builder.start()).unwrap();
    let mut client = Client::builder()
        .api_key("INS.demo-key")
        .base_url(server.base_url());
    if let Some(ca) = server.ca_pem() {
        client = client.add_root_certificate(ca);
    }
    let client = client.build().unwrap();
    // One call first, so that the batch finds a pooled connection (reqwest learns that the
    // server speaks h2 from the first handshake); then the faults and the journal start afresh.
    load.block_on(client.campaign_statistics(12345).send())
        .unwrap();
    server.reset();
    server.inject(Fault::delay(latency).times(u32::MAX));
    let accepted_before = server.connections_accepted();
    let first = i64::try_from(wa_stats_mock::MockServerBuilder::SYNTHETIC_FIRST_ID).unwrap();
    let ids: Vec<i64> = (first..first + PACED_CAMPAIGNS as i64).collect();
    let started = Instant::now();
    let results: Vec<_> = load.block_on(
        client
            .campaign_statistics_many(ids, .., Concurrency::Auto)
            .collect(),
    );
    let wall = started.elapsed().as_secs_f64();
    let ideal = (PACED_CAMPAIGNS - 1) as f64 / f64::from(RATE) + latency.as_secs_f64();
    let failed = results.iter().filter(|(_, r)| r.is_err()).count();
    let journal = server.journal();
    let limited = journal.iter().filter(|e| e.status == Some(429)).count();
    println!(
        "    round {round} {:<22} wall {wall:7.3} s, ideal {ideal:6.3} s, ratio {:.4}; 429s \
         {limited}; failed {failed}; requests {}; new connections {}",
        if tls {
            "HTTPS, h2 (ALPN)"
        } else {
            "plain HTTP/1.1"
        },
        wall / ideal,
        journal.len(),
        server.connections_accepted() - accepted_before
    );
}

/// Requests per second through the client, `CONNECTIONS` in flight.
async fn run_client(client: &Client, requests: usize) -> f64 {
    let started = Instant::now();
    let ok = client
        .campaign_statistics_many(vec![12345_i64; requests], .., CONNECTIONS)
        .filter(|(_, result)| std::future::ready(result.is_ok()))
        .count()
        .await;
    assert_eq!(ok, requests, "every request succeeds");
    requests as f64 / started.elapsed().as_secs_f64()
}

/// Requests per second from `CONNECTIONS` raw keep-alive connections.
async fn run_raw(addr: std::net::SocketAddr, requests: usize) -> f64 {
    let body = r#"{"campaign_id":12345}"#;
    let request = format!(
        "POST /api/wa/v2/statistics/campaign HTTP/1.1\r\nhost: {addr}\r\n\
         authorization: Bearer demo-token\r\ncontent-type: application/json\r\n\
         content-length: {}\r\n\r\n{body}",
        body.len()
    );
    let started = Instant::now();
    let tasks: Vec<_> = (0..CONNECTIONS)
        .map(|n| {
            let request = request.clone();
            let share = requests / CONNECTIONS + usize::from(n < requests % CONNECTIONS);
            tokio::spawn(async move {
                let stream = TcpStream::connect(addr).await.unwrap();
                stream.set_nodelay(true).unwrap();
                let mut stream = BufReader::new(stream);
                let mut line = String::new();
                let mut body = Vec::new();
                for _ in 0..share {
                    stream
                        .get_mut()
                        .write_all(request.as_bytes())
                        .await
                        .unwrap();
                    let mut length = 0;
                    let mut status_ok = false;
                    loop {
                        line.clear();
                        stream.read_line(&mut line).await.unwrap();
                        if line.starts_with("HTTP/1.1 200") {
                            status_ok = true;
                        }
                        let lower = line.to_ascii_lowercase();
                        if let Some(value) = lower.strip_prefix("content-length:") {
                            length = value.trim().parse().unwrap();
                        }
                        if line == "\r\n" {
                            break;
                        }
                    }
                    assert!(status_ok);
                    body.resize(length, 0);
                    stream.read_exact(&mut body).await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    requests as f64 / started.elapsed().as_secs_f64()
}
