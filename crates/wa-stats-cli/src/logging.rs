//! `-v`: the client's tracing on stderr, one line per HTTP attempt.
//!
//! The client records each attempt as a `wa_stats.attempt` span (attempt number, status, latency,
//! retry delay) and never puts a credential in a span or event; printing spans as they close
//! gives one line per attempt. Only this crate's and the client's targets are enabled — never the
//! HTTP stack's, whose trace output is not ours to vouch for — and `RUST_LOG` is not read, so
//! no environment can turn on a logger that might see a header.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

/// Installs the stderr logger for `-v` (debug) or `-vv` (trace); nothing without `-v`.
pub(crate) fn init(verbose: u8) {
    let level = match verbose {
        0 => return,
        1 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::new(format!("wa_stats={level},wa_stats_client={level}"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_span_events(FmtSpan::CLOSE)
        .with_target(false)
        .try_init();
}
