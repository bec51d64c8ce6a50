//! Load benchmark of the mock over loopback (not a test; see docs/performance.md).
//!
//! One in-process server, rate limit off; closed-loop load from keep-alive HTTP/1.1 connections.
//! Scenarios, interleaved over several rounds in the same run: the statistics route with a one-day
//! range, the same with the whole lifetime (ten years of days), and `GET /healthz`. Then, in a
//! fresh child process so its memory is its own, the start-up time and resident memory of
//! 100 000 synthetic campaigns × 30 days.
//!
//! `cargo bench -p wa-stats-mock --bench load` (env: `LOAD_REQUESTS`, `LOAD_CONCURRENCY`,
//! `LOAD_ROUNDS`).

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    reason = "a benchmark reports on its terminal and fails loudly"
)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wa_stats_mock::{MockServer, MockServerBuilder};

const CHILD_ENV: &str = "WA_STATS_MOCK_BENCH_CHILD";
const CAMPAIGNS: u64 = 100;
const DAYS: u32 = 3650;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[derive(Clone, Copy, Debug)]
enum Scenario {
    OneDay,
    Lifetime,
    Health,
    /// Diagnostics (`LOAD_DIAGNOSE=1`): a POST with the one-day body to an unknown path (404),
    /// and a GET on the statistics path (405).
    PostNotFound,
    GetStatistics,
    /// Diagnostic: `GET /healthz` carrying the statistics request's headers (no body).
    HealthWithHeaders,
}

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Self::OneDay => "statistics, one-day range",
            Self::Lifetime => "statistics, lifetime (10 years of days)",
            Self::Health => "GET /healthz",
            Self::PostNotFound => "diagnostic: POST with body, 404",
            Self::GetStatistics => "diagnostic: GET statistics path, 405",
            Self::HealthWithHeaders => "diagnostic: GET /healthz with the POST's headers",
        }
    }

    /// The whole request, bytes as they go on the wire.
    fn request(self, prepared: &Prepared, i: usize) -> &[u8] {
        fn pick(variants: &[Vec<u8>], i: usize) -> &[u8] {
            &variants[i % variants.len()]
        }
        match self {
            Self::OneDay => pick(&prepared.one_day, i),
            Self::Lifetime => pick(&prepared.lifetime, i),
            Self::PostNotFound => pick(&prepared.post_not_found, i),
            Self::Health => &prepared.health,
            Self::HealthWithHeaders => &prepared.health_with_headers,
            Self::GetStatistics => &prepared.get_statistics,
        }
    }
}

/// Every request built once, as bytes, so the load generator spends its time on the socket
/// (like `wrk`), not on formatting or on an HTTP client's machinery: it shares the two cores
/// with the server, and a client that does more work for a POST than for a GET would charge
/// the difference to the statistics route.
struct Prepared {
    one_day: Vec<Vec<u8>>,
    lifetime: Vec<Vec<u8>>,
    post_not_found: Vec<Vec<u8>>,
    health: Vec<u8>,
    health_with_headers: Vec<u8>,
    get_statistics: Vec<u8>,
}

impl Prepared {
    fn new(addr: SocketAddr) -> Self {
        const STATISTICS: &str = "/v1/statistics/campaign";
        const POST_HEADERS: &str =
            "content-type: application/json\r\nx-ins-auth-key: INS.demo-key\r\n";
        let post = |path: &str, body: &str| {
            format!(
                "POST {path} HTTP/1.1\r\nhost: {addr}\r\n{POST_HEADERS}content-length: {}\r\n\r\n{body}",
                body.len()
            )
            .into_bytes()
        };
        let get = |path: &str, headers: &str| {
            format!("GET {path} HTTP/1.1\r\nhost: {addr}\r\n{headers}\r\n").into_bytes()
        };
        let ids = || (0..CAMPAIGNS).map(|i| MockServerBuilder::SYNTHETIC_FIRST_ID + i);
        // 2022-06-01: a day in the middle of the ten years.
        let one_day_body =
            |id| format!(r#"{{"campaign_id":{id},"start_time":1654041600,"end_time":1654128000}}"#);
        Self {
            one_day: ids()
                .map(|id| post(STATISTICS, &one_day_body(id)))
                .collect(),
            lifetime: ids()
                .map(|id| post(STATISTICS, &format!(r#"{{"campaign_id":{id}}}"#)))
                .collect(),
            post_not_found: ids()
                .map(|id| post("/nowhere", &one_day_body(id)))
                .collect(),
            health: get("/healthz", ""),
            health_with_headers: get("/healthz", POST_HEADERS),
            get_statistics: get(STATISTICS, ""),
        }
    }
}

/// One keep-alive connection that sends a request and reads its whole answer.
struct Connection {
    stream: TcpStream,
    buffer: Vec<u8>,
}

impl Connection {
    async fn open(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        Self {
            stream,
            buffer: Vec::with_capacity(8192),
        }
    }

    /// Sends `request`, returns the answer's status once its body has fully arrived.
    async fn exchange(&mut self, request: &[u8]) -> u16 {
        self.stream.write_all(request).await.unwrap();
        self.buffer.clear();
        loop {
            let mut headers = [httparse::EMPTY_HEADER; 16];
            let mut response = httparse::Response::new(&mut headers);
            if let httparse::Status::Complete(head) = response.parse(&self.buffer).unwrap() {
                let length: usize = response
                    .headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                    .map(|h| std::str::from_utf8(h.value).unwrap().parse().unwrap())
                    .unwrap();
                if self.buffer.len() >= head + length {
                    assert_eq!(self.buffer.len(), head + length, "one answer per request");
                    return response.code.unwrap();
                }
            }
            let read = self.stream.read_buf(&mut self.buffer).await.unwrap();
            assert!(read > 0, "the server closed the connection");
        }
    }
}

#[derive(Clone)]
struct Result {
    rps: f64,
    p50: Duration,
    p99: Duration,
    /// Process CPU time (server and load generator) per request.
    cpu: Duration,
}

/// This process's user + system CPU time so far, from `/proc/self/stat` (in the kernel's fixed
/// 100 Hz `USER_HZ` ticks). CPU time leaves out what the hypervisor steals and what waits on
/// a busy neighbour's core, so it moves less between runs than requests/s does.
fn cpu_time() -> Duration {
    const USER_HZ: u64 = 100;
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    Duration::from_millis((ticks(11) + ticks(12)) * 1000 / USER_HZ)
}

async fn load(addr: SocketAddr, scenario: Scenario, requests: usize, concurrency: usize) -> Result {
    let next = Arc::new(AtomicUsize::new(0));
    let prepared = Arc::new(Prepared::new(addr));
    let started = Instant::now();
    let cpu_started = cpu_time();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let next = Arc::clone(&next);
        let prepared = Arc::clone(&prepared);
        workers.push(tokio::spawn(async move {
            let mut connection = Connection::open(addr).await;
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= requests {
                    break;
                }
                let sent = Instant::now();
                let status = connection.exchange(scenario.request(&prepared, i)).await;
                assert!(matches!(status, 200 | 404 | 405), "status {status}");
                latencies.push(sent.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Vec::with_capacity(requests);
    for worker in workers {
        latencies.extend(worker.await.unwrap());
    }
    let elapsed = started.elapsed();
    let cpu = cpu_time().saturating_sub(cpu_started) / u32::try_from(requests).unwrap();
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    Result {
        rps: requests as f64 / elapsed.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
        cpu,
    }
}

fn vm_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// In the child: build 100 000 × 30, answer one request, report time and memory.
async fn synthetic_child() {
    let started = Instant::now();
    let server = MockServer::builder()
        .synthetic(100_000, 30, 42)
        .rate_limit(None)
        .start()
        .await
        .unwrap();
    let built = started.elapsed();
    let addr = server.addr();
    load(addr, Scenario::Lifetime, 1, 1).await;
    let serving = started.elapsed();
    println!(
        "synthetic 100000 x 30: generated in {:.2} s, serving after {:.2} s; VmRSS {} MiB, VmHWM {} MiB; day tables {} MiB",
        built.as_secs_f64(),
        serving.as_secs_f64(),
        vm_kib("VmRSS:") / 1024,
        vm_kib("VmHWM:") / 1024,
        server.state().data_heap_bytes() / (1024 * 1024),
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    if std::env::var_os(CHILD_ENV).is_some() {
        runtime.block_on(synthetic_child());
        return;
    }
    let requests = env_or("LOAD_REQUESTS", 30_000);
    let concurrency = env_or("LOAD_CONCURRENCY", 32);
    let rounds = env_or("LOAD_ROUNDS", 7);
    // LOAD_SPLIT=1: the server on a one-worker runtime of its own, the load on another, so each
    // side keeps one core instead of both sharing two workers.
    let server_runtime = std::env::var_os("LOAD_SPLIT").map(|_| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap()
    });
    let runtime = match &server_runtime {
        Some(_) => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap(),
        None => runtime,
    };
    let builder = MockServer::builder()
        .synthetic(u32::try_from(CAMPAIGNS).unwrap(), DAYS, 1)
        .rate_limit(None)
        .journal_capacity(env_or(
            "LOAD_JOURNAL",
            wa_stats_mock::MockServerBuilder::DEFAULT_JOURNAL_CAPACITY,
        ));
    let server = match &server_runtime {
        Some(server_runtime) => server_runtime.block_on(builder.start()).unwrap(),
        None => runtime.block_on(builder.start()).unwrap(),
    };
    runtime.block_on(async {
        println!(
            "wa-stats-mock load: {requests} requests per run, {concurrency} connections, {rounds} rounds, {} cores",
            std::thread::available_parallelism().map_or(0, usize::from)
        );
        let mut starts: Vec<Duration> = Vec::new();
        for _ in 0..21 {
            let started = Instant::now();
            let server = MockServer::start().await;
            starts.push(started.elapsed());
            drop(server);
        }
        starts.sort_unstable();
        println!(
            "MockServer::start() with the built-in data: median {:.2} ms, max {:.2} ms (21 starts)",
            starts[10].as_secs_f64() * 1e3,
            starts[20].as_secs_f64() * 1e3
        );
        let mut scenarios = vec![Scenario::OneDay, Scenario::Lifetime, Scenario::Health];
        if std::env::var_os("LOAD_DIAGNOSE").is_some() {
            scenarios.extend([
                Scenario::PostNotFound,
                Scenario::GetStatistics,
                Scenario::HealthWithHeaders,
            ]);
        }
        if let Ok(only) = std::env::var("LOAD_ONLY") {
            let keep: Vec<usize> = only.split(',').filter_map(|i| i.parse().ok()).collect();
            scenarios = keep.iter().filter_map(|&i| scenarios.get(i).copied()).collect();
        }
        for &scenario in &scenarios {
            load(server.addr(), scenario, requests / 10, concurrency).await; // warm-up
        }
        let mut results: Vec<Vec<Result>> = scenarios.iter().map(|_| Vec::new()).collect();
        for _ in 0..rounds {
            for (i, scenario) in scenarios.iter().enumerate() {
                results[i].push(load(server.addr(), *scenario, requests, concurrency).await);
            }
        }
        println!("| scenario | requests/s (median of rounds) | p50 | p99 | CPU per request (median) |");
        println!("| --- | --- | --- | --- | --- |");
        for (scenario, runs) in scenarios.iter().zip(&results) {
            let mut runs = runs.clone();
            runs.sort_by_key(|run| run.cpu);
            let cpu = runs[runs.len() / 2].cpu;
            runs.sort_by(|a, b| a.rps.total_cmp(&b.rps));
            let median = &runs[runs.len() / 2];
            println!(
                "| {} | {:.0} | {:.0} µs | {:.0} µs | {:.1} µs |",
                scenario.name(),
                median.rps,
                median.p50.as_secs_f64() * 1e6,
                median.p99.as_secs_f64() * 1e6,
                cpu.as_secs_f64() * 1e6
            );
        }
        // Ratios are taken within each round (the two scenarios ran back to back) and their
        // median reported with its range: this machine's speed drifts between rounds by more
        // than the differences being measured, and a ratio of two medians from different rounds
        // carries that drift.
        let rounds_of = |wanted: fn(Scenario) -> bool| {
            scenarios
                .iter()
                .position(|&s| wanted(s))
                .map(|i| &results[i])
        };
        let one_day = rounds_of(|s| matches!(s, Scenario::OneDay));
        let lifetime = rounds_of(|s| matches!(s, Scenario::Lifetime));
        let health = rounds_of(|s| matches!(s, Scenario::Health));
        if let (Some(one_day), Some(health)) = (one_day, health) {
            let by_rps = paired(one_day, health, |a, b| a.rps / b.rps);
            let by_cpu = paired(one_day, health, |a, b| b.cpu.as_secs_f64() / a.cpu.as_secs_f64());
            println!(
                "statistics (one day) / healthz, per round: throughput {}, by CPU per request {}",
                by_rps, by_cpu
            );
        }
        if let (Some(one_day), Some(lifetime)) = (one_day, lifetime) {
            let by_p50 = paired(lifetime, one_day, |a, b| {
                a.p50.as_secs_f64() / b.p50.as_secs_f64()
            });
            println!("lifetime / one-day p50 latency, per round: {by_p50}");
        }
    });
    match &server_runtime {
        Some(server_runtime) => server_runtime.block_on(server.shutdown()),
        None => runtime.block_on(server.shutdown()),
    }
    if std::env::var_os("LOAD_ONLY").is_some() {
        return;
    }
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .env(CHILD_ENV, "1")
        .status()
        .unwrap();
    assert!(status.success());
}

/// `ratio` of the two scenarios' runs round by round: the median, and the range in brackets.
fn paired(a: &[Result], b: &[Result], ratio: impl Fn(&Result, &Result) -> f64) -> String {
    let mut ratios: Vec<f64> = a.iter().zip(b).map(|(a, b)| 100.0 * ratio(a, b)).collect();
    ratios.sort_by(f64::total_cmp);
    match (ratios.first(), ratios.get(ratios.len() / 2), ratios.last()) {
        (Some(low), Some(median), Some(high)) => {
            format!("{median:.0}% (rounds {low:.0}–{high:.0}%)")
        }
        _ => "no rounds".to_owned(),
    }
}
