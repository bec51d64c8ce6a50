//! The `wa-stats-mock` binary: the mock server on a TCP port, configured from the command line.
//!
//! Prints exactly one line on stdout, `listening on http://ADDR` (`https://` with `--tls`), once it accepts connections;
//! logs one line per request on stderr through tracing-appender's lossy queue (see `logging`), so that nothing
//! done to its output can stop it; stops gracefully on SIGINT or SIGTERM.

#![allow(
    clippy::print_stdout,
    reason = "the ready line is the binary's interface"
)]

mod listen;
mod logging;

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use wa_stats_mock::MockServer;

use crate::logging::{Log, LogFormat, LogSettings};

/// `--synthetic-activity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum SyntheticActivity {
    /// Every day of every campaign has counters.
    EveryDay,
    /// Campaigns as real accounts have them.
    Realistic,
}

/// A faithful mock of Insider's WhatsApp Campaign Analytics API.
///
/// Without --fixtures it serves the built-in data: partner "demo" (API key INS.demo-key, token
/// demo-token, OAuth client demo-client / demo-secret) with campaign 12345, which answers the
/// vendor page's sample response.
#[derive(Debug, Parser)]
#[command(version, about, after_help = ENVIRONMENT_HELP)]
struct Args {
    /// Address to listen on: IP:PORT, or a host name that resolves to loopback (localhost:0);
    /// port 0 picks a free port. The ready line names the address bound.
    #[arg(
        long,
        default_value = "127.0.0.1:8080",
        env = "WA_STATS_MOCK_LISTEN",
        value_parser = listen::parse_listen
    )]
    listen: SocketAddr,
    /// JSON fixture file (partners, credentials, campaigns, settings); see docs/mock.md.
    #[arg(long, value_name = "FILE")]
    fixtures: Option<PathBuf>,
    /// Requests per second per credential, or `off` (or 0). A fixture file's rateLimitPerSecond
    /// wins over the default.
    #[arg(
        long,
        value_name = "N|off",
        value_parser = parse_rate_limit,
        default_value_t = RateLimit(Some(wa_stats_model::endpoint::RATE_LIMIT_PER_SECOND))
    )]
    rate_limit: RateLimit,
    /// Journal entries kept for /__admin/journal, or `off` (a long load test may not want them).
    #[arg(
        long,
        value_name = "N|off",
        value_parser = parse_journal,
        default_value_t = Journal(wa_stats_mock::MockServerBuilder::DEFAULT_JOURNAL_CAPACITY)
    )]
    journal: Journal,
    /// The most bytes the journal holds (the oldest entries go first; every request is still
    /// counted), such as 8MiB or 1048576; at least 1MiB.
    #[arg(
        long,
        value_name = "BYTES",
        value_parser = parse_journal_bytes,
        default_value_t = JournalBytes(wa_stats_mock::MockServerBuilder::DEFAULT_JOURNAL_MAX_BYTES)
    )]
    journal_bytes: JournalBytes,
    /// Lifetime of issued OAuth tokens, in seconds, from 1 to 2147483647 (68 years, what a 32-bit
    /// expires_in holds). A fixture file's tokenTtlSecs wins over the default.
    #[arg(
        long,
        value_name = "SECS",
        value_parser = clap::value_parser!(u64).range(1..=wa_stats_mock::MockServerBuilder::MAX_TOKEN_TTL.as_secs()),
        default_value_t = wa_stats_mock::MockServerBuilder::DEFAULT_TOKEN_TTL.as_secs()
    )]
    token_ttl: u64,
    /// Token required (as `Authorization: Bearer TOKEN`) on /__admin/; also enables the admin
    /// API on a non-loopback address.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "WA_STATS_MOCK_ADMIN_TOKEN",
        hide_env_values = true
    )]
    admin_token: Option<String>,
    /// Generate this many synthetic campaigns owned by partner "demo".
    #[arg(long, value_name = "N", default_value_t = 0)]
    synthetic_campaigns: u32,
    /// Days per synthetic campaign, from 2018-01-01: at most 98209 (the last ten-digit Unix
    /// day).
    #[arg(
        long,
        value_name = "D",
        default_value_t = 30,
        value_parser = clap::value_parser!(u32).range(0..=i64::from(wa_stats_mock::MockServerBuilder::MAX_SYNTHETIC_DAYS))
    )]
    synthetic_days: u32,
    /// Seed of the synthetic data.
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed: u64,
    /// How synthetic campaigns are active: every day (load tests), or realistic (never sent,
    /// one send with a week's tail, monthly sends, a few every day; docs/mock.md).
    #[arg(long, value_enum, value_name = "MODEL", default_value_t = SyntheticActivity::EveryDay)]
    synthetic_activity: SyntheticActivity,
    /// Log format on stderr: `text` lines, or `json` (JSON Lines: timestamp, level, message,
    /// and for each request method, path, status and latency_us; never a credential).
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// Log level (error, warn, info, debug, trace, off) or a filter such as
    /// `wa_stats_mock=debug`. Without this flag, RUST_LOG (when set) wins over the default.
    #[arg(
        long,
        value_name = "LEVEL",
        value_parser = logging::parse_level,
        default_value = "info"
    )]
    log_level: String,
    /// No line per request; start-up, shutdown and warnings are still logged.
    #[arg(long)]
    no_request_log: bool,
    /// Serve HTTPS (ALPN h2 and http/1.1). Without --tls-cert, a CA and a leaf certificate for
    /// localhost, 127.0.0.1 and ::1 are made at start; --tls-ca-out writes the CA for clients to
    /// trust.
    #[arg(long)]
    tls: bool,
    /// Write the generated CA certificate (PEM) to FILE before the ready line.
    #[arg(
        long,
        value_name = "FILE",
        requires = "tls",
        conflicts_with = "tls_cert"
    )]
    tls_ca_out: Option<PathBuf>,
    /// Serve this certificate chain (PEM, leaf first) instead of a generated one; implies --tls.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key (PEM) of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Stop, as on SIGTERM, when stdin reaches end of file. A harness that keeps the write end
    /// of a pipe on the mock's stdin takes the mock with it when it dies, even by SIGKILL.
    #[arg(long)]
    exit_on_stdin_eof: bool,
    /// Which of the options with a default were given (clap's value source), since a fixture
    /// file's settings and RUST_LOG give way only to a flag, not to a default.
    #[arg(skip)]
    given: Given,
}

/// The options whose default another source (fixture settings, RUST_LOG) overrides.
#[derive(Debug, Default)]
struct Given {
    rate_limit: bool,
    token_ttl: bool,
    log_level: bool,
}

impl Args {
    /// Parses the command line (exiting with clap's message and status 2 on a refusal) and notes
    /// which defaulted options were given.
    fn parse_noting_sources() -> Self {
        use clap::{CommandFactory, FromArgMatches};
        let matches = Self::command().get_matches();
        let mut args = Self::from_arg_matches(&matches).unwrap_or_else(|error| error.exit());
        let given = |id: &str| {
            !matches!(
                matches.value_source(id),
                None | Some(clap::parser::ValueSource::DefaultValue)
            )
        };
        args.given = Given {
            rate_limit: given("rate_limit"),
            token_ttl: given("token_ttl"),
            log_level: given("log_level"),
        };
        args
    }
}

// Paragraphs wrapped by hand under 100 columns (clap's width where there is no terminal, and its
// most), each line but the last of a paragraph a full one.
const ENVIRONMENT_HELP: &str = "\
Environment:
  RUST_LOG   log filter when --log-level is not given (e.g. RUST_LOG=debug)
  NO_COLOR   any non-empty value turns colours off (they are used only when stderr is a terminal)

Exit status: 0 after a clean stop; 1 when it cannot start (bad fixtures, TLS files or port); 2 for
a refused flag or value, or --exit-on-stdin-eof with --fixtures on stdin; 3 when expectations set
through /__admin/expectations are not met at shutdown (logged on stderr, without request bodies).

Output: one line on stdout, `listening on http://ADDR` (https:// with --tls), written first and
flushed; logs on stderr. Log lines are dropped (and the number dropped is logged) rather than
ever holding up a request when stderr is not read.";

#[derive(Debug, Clone, Copy)]
struct RateLimit(Option<u32>);

/// As `--help` shows the default, and as the parser reads it back.
impl std::fmt::Display for RateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(n) => write!(f, "{n}"),
            None => f.write_str("off"),
        }
    }
}

fn parse_rate_limit(text: &str) -> Result<RateLimit, String> {
    if text.eq_ignore_ascii_case("off") {
        return Ok(RateLimit(None));
    }
    text.parse::<u32>()
        .map(|n| RateLimit((n > 0).then_some(n)))
        .map_err(|_| format!("expected a number of requests per second or `off`, got {text:?}"))
}

#[derive(Debug, Clone, Copy)]
struct Journal(usize);

/// As `--help` shows the default, and as the parser reads it back.
impl std::fmt::Display for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            0 => f.write_str("off"),
            n => write!(f, "{n}"),
        }
    }
}

/// `--journal-bytes`: a size in bytes.
#[derive(Debug, Clone, Copy)]
struct JournalBytes(usize);

/// In the largest unit that divides it, as `--help` shows the default (`32MiB`).
impl std::fmt::Display for JournalBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.0;
        match [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
            .iter()
            .find(|(_, unit)| n >= *unit && n.is_multiple_of(*unit))
        {
            Some((name, unit)) => write!(f, "{}{name}", n / unit),
            None => write!(f, "{n}"),
        }
    }
}

fn parse_journal(text: &str) -> Result<Journal, String> {
    if text.eq_ignore_ascii_case("off") {
        return Ok(Journal(0));
    }
    text.parse::<usize>()
        .map(Journal)
        .map_err(|_| format!("expected a number of entries or `off`, got {text:?}"))
}

/// A size in bytes: digits, then nothing, `KiB`, `MiB` or `GiB` (any case).
fn parse_journal_bytes(text: &str) -> Result<JournalBytes, String> {
    let lower = text.trim().to_ascii_lowercase();
    let (digits, unit) = [("gib", 1 << 30), ("mib", 1 << 20), ("kib", 1 << 10)]
        .iter()
        .find_map(|(suffix, unit)| lower.strip_suffix(suffix).map(|digits| (digits, *unit)))
        .unwrap_or((lower.as_str(), 1_usize));
    let bytes = digits
        .trim()
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .ok_or_else(|| {
            format!("expected a size such as 32MiB, 512KiB or 1048576 (bytes), got {text:?}")
        })?;
    if bytes < wa_stats_mock::MockServerBuilder::MIN_JOURNAL_MAX_BYTES {
        return Err(format!(
            "the journal needs at least 1MiB (one request of the largest size hyper reads), \
             got {text:?}"
        ));
    }
    Ok(JournalBytes(bytes))
}

fn main() -> ExitCode {
    let args = Args::parse_noting_sources();
    let log = Log::install(&LogSettings {
        format: args.log_format,
        level: args.given.log_level.then(|| args.log_level.clone()),
        request_log: !args.no_request_log,
    });
    let code = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(run(args, &log)),
        Err(error) => {
            tracing::error!(%error, "cannot start the async runtime");
            ExitCode::FAILURE
        }
    };
    log.finish();
    code
}

async fn run(args: Args, log: &Log) -> ExitCode {
    if args.exit_on_stdin_eof && args.fixtures.as_deref().is_some_and(reads_stdin) {
        tracing::error!(
            "--exit-on-stdin-eof needs stdin for itself: give the fixtures another file, such as \
             /dev/fd/N for a pipe"
        );
        return ExitCode::from(2);
    }
    let mut builder = MockServer::builder()
        .listen(args.listen)
        .verify_on_drop(false);
    if let Some(path) = &args.fixtures {
        builder = builder.fixtures_file(path);
    }
    if args.given.rate_limit {
        builder = builder.rate_limit(args.rate_limit.0);
    }
    builder = builder
        .journal_capacity(args.journal.0)
        .journal_max_bytes(args.journal_bytes.0);
    if args.given.token_ttl {
        builder = builder.token_ttl(Duration::from_secs(args.token_ttl));
    }
    if let Some(token) = args.admin_token.clone() {
        builder = builder.admin_token(token);
    }
    if args.synthetic_campaigns > 0 {
        builder = builder
            .synthetic(args.synthetic_campaigns, args.synthetic_days, args.seed)
            .synthetic_activity(match args.synthetic_activity {
                SyntheticActivity::EveryDay => wa_stats_mock::Activity::EveryDay,
                SyntheticActivity::Realistic => wa_stats_mock::Activity::Realistic,
            });
    }
    builder = match tls_setup(&args, builder) {
        Ok(builder) => builder,
        Err(error) => {
            tracing::error!("{error}");
            return ExitCode::FAILURE;
        }
    };
    let started = Instant::now();
    let server = match builder.start().await {
        Ok(server) => server,
        Err(error) => {
            tracing::error!("{error}");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(
        campaigns = server.state().campaign_count(),
        startup_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        "ready"
    );
    if let (Some(path), Some(pem)) = (&args.tls_ca_out, server.ca_pem())
        && let Err(error) = std::fs::write(path, pem)
    {
        tracing::error!(
            "cannot write the CA certificate to {}: {error}",
            path.display()
        );
        return ExitCode::FAILURE;
    }
    let signalled = shutdown_signal();
    let stdin_closed = args.exit_on_stdin_eof.then(stdin_eof);
    let shutdown = async move {
        match stdin_closed {
            Some(closed) => {
                tokio::select! {
                    () = signalled => {}
                    () = closed => tracing::info!("stdin closed"),
                }
            }
            None => signalled.await,
        }
    };
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "listening on {}", server.base_url())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        tracing::warn!("could not write the ready line to stdout");
    }
    drop(stdout);
    let reporter = log.drop_reporter();
    let reporting = tokio::spawn(async move {
        let mut every_second = tokio::time::interval(Duration::from_secs(1));
        loop {
            every_second.tick().await;
            reporter.report_if_caught_up();
        }
    });
    shutdown.await;
    reporting.abort();
    tracing::info!("shutting down");
    // Checked before the server stops, so that requests finishing during the grace period
    // cannot change the verdict after it was logged.
    let verdict = server.verification();
    server.shutdown().await;
    match verdict {
        Ok(()) => ExitCode::SUCCESS,
        Err(unmet) => {
            // The account names requests by method, path and campaign, never by body.
            for line in unmet.report().lines() {
                tracing::error!("{line}");
            }
            ExitCode::from(EXIT_EXPECTATIONS_NOT_MET)
        }
    }
}

/// The exit status when expectations set through `/__admin/expectations` are not met at
/// shutdown (1: could not start; 2: conflicting flags).
const EXIT_EXPECTATIONS_NOT_MET: u8 = 3;

/// HTTPS as the command line asks: a certificate of one's own, or one made at start.
fn tls_setup(
    args: &Args,
    builder: wa_stats_mock::MockServerBuilder,
) -> Result<wa_stats_mock::MockServerBuilder, wa_stats_mock::MockError> {
    Ok(match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            builder.tls_identity(wa_stats_mock::tls::TlsIdentity::from_files(cert, key)?)
        }
        _ if args.tls => builder.tls(),
        _ => builder,
    })
}

/// Whether a fixtures path names this process's stdin.
fn reads_stdin(path: &std::path::Path) -> bool {
    // The mock opens the path as given (no `-` convention), so only the names of fd 0 count.
    ["/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"]
        .iter()
        .any(|name| path == std::path::Path::new(name))
}

/// Resolves when stdin reaches end of file (or fails to read). The read blocks a thread of its
/// own: tokio's stdin would park a runtime worker on it. If no thread can be had, it never
/// resolves (signals still stop the mock) rather than stopping it at once.
async fn stdin_eof() {
    let (closed, on_close) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name("stdin-eof".to_owned())
        .spawn(move || {
            // What a harness writes is ignored; only the end matters.
            let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
            let _ = closed.send(());
        });
    match spawned {
        Ok(_) => {
            let _ = on_close.await;
        }
        Err(error) => {
            tracing::warn!("--exit-on-stdin-eof: could not watch stdin: {error}");
            std::future::pending::<()>().await;
        }
    }
}

/// Registers for SIGINT and SIGTERM at once, not when first awaited: a harness may stop the mock
/// the moment it reads the ready line, and a signal before registration would kill it outright
/// instead of stopping it gracefully.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = signal(SignalKind::interrupt());
        let terminate = signal(SignalKind::terminate());
        async move {
            match (interrupt, terminate) {
                (Ok(mut interrupt), Ok(mut terminate)) => {
                    tokio::select! {
                        _ = interrupt.recv() => {}
                        _ = terminate.recv() => {}
                    }
                }
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
