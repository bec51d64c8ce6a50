//! The binary's log on stderr: a lossy, non-blocking writer, so that no state of stderr (a full
//! pipe nobody reads, a closed one, `/dev/full`, a slow reader) can hold up a request.
//!
//! Lines go into a bounded queue (`log_queue.rs`) that one thread writes out. When the queue is
//! full a line is dropped and counted; the count is logged once the reader has caught up, and at
//! shutdown.

use std::io::{self, IsTerminal};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tracing_subscriber::EnvFilter;
const REQUEST_LOG_TARGET: &str = wa_stats_mock::MockServer::REQUEST_LOG_TARGET;

use crate::log_format::TextFormat;
use crate::log_queue::{FrontEnd, LogQueue, QUEUE_LINES};
use crate::log_time::CachedUtc;

/// How long shutdown waits for the queue to drain into stderr before giving up on it.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(1);

/// The log's output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum LogFormat {
    /// One human-readable line per event.
    Text,
    /// JSON Lines: one object per event with `timestamp`, `level`, `message` and the event's
    /// fields (for a request: `method`, `path`, `status`, `latency_us`).
    Json,
}

/// What the command line says about logging.
#[derive(Debug, Clone)]
pub(crate) struct LogSettings {
    pub(crate) format: LogFormat,
    /// `--log-level`; `None` falls back to `RUST_LOG`, then `info`.
    pub(crate) level: Option<String>,
    pub(crate) request_log: bool,
}

/// The installed log. Keep it alive for the whole run and call [`Log::finish`] at the end.
pub(crate) struct Log {
    queue: LogQueue,
    reporter: DropReporter,
}

/// Validates a `--log-level` value when the command line is read.
pub(crate) fn parse_level(text: &str) -> Result<String, String> {
    EnvFilter::try_new(text)
        .map(|_| text.to_owned())
        .map_err(|_| {
            format!(
                "expected error, warn, info, debug, trace or off (or a filter such as \
             `wa_stats_mock=debug`), got {text:?}"
            )
        })
}

impl Log {
    /// Installs the global subscriber. Colours only when stderr is a terminal and `NO_COLOR` is
    /// unset or empty (no-color.org). Fails only if the writer thread cannot be started.
    pub(crate) fn install(settings: &LogSettings) -> io::Result<Self> {
        let (filter, filter_warning) = filter(settings);
        let queue = LogQueue::start()?;
        let ansi = io::stderr().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty());
        let builder = tracing_subscriber::fmt()
            .with_writer(queue.front_end())
            .with_env_filter(filter)
            .with_ansi(ansi)
            .with_timer(CachedUtc);
        // Only fails if a subscriber is already set, which a binary's main never has.
        let _ = match settings.format {
            LogFormat::Text => builder.event_format(TextFormat::new(CachedUtc)).try_init(),
            LogFormat::Json => builder.json().flatten_event(true).try_init(),
        };
        if let Some(warning) = filter_warning {
            tracing::warn!("{warning}");
        }
        let reporter = DropReporter {
            queue: queue.front_end(),
            reported: Arc::new(AtomicUsize::new(0)),
        };
        Ok(Self { queue, reporter })
    }

    /// Something that logs how many lines were dropped, for a periodic task.
    pub(crate) fn drop_reporter(&self) -> DropReporter {
        self.reporter.clone()
    }

    /// Reports the last dropped lines and writes out what is queued, giving up on a stderr that
    /// does not take it within [`DRAIN_TIMEOUT`], so that exiting never hangs on a full pipe.
    pub(crate) fn finish(self) {
        if self.queue.drain(DRAIN_TIMEOUT) {
            self.reporter.report(usize::MAX);
        }
        self.queue.close(DRAIN_TIMEOUT);
    }
}

/// Logs the count of dropped lines once the reader has caught up.
#[derive(Clone)]
pub(crate) struct DropReporter {
    queue: FrontEnd,
    reported: Arc<AtomicUsize>,
}

impl DropReporter {
    /// Logs lines dropped since the last report, if the queue has room for the report (fewer
    /// than `max_backlog` lines waiting): a report into a full queue would only be dropped too.
    pub(crate) fn report(&self, max_backlog: usize) {
        if self.queue.backlog() >= max_backlog {
            return;
        }
        let total = self.queue.dropped();
        let before = self.reported.swap(total, Ordering::AcqRel);
        if total > before {
            tracing::warn!(
                dropped = total - before,
                dropped_total = total,
                "log lines dropped: stderr was not read fast enough"
            );
        }
    }

    /// Reports while the queue is at most half full, i.e. the reader has caught up.
    pub(crate) fn report_if_caught_up(&self) {
        self.report(QUEUE_LINES / 2);
    }
}

/// `--log-level`, else `RUST_LOG`, else `info`; `--no-request-log` turns the request lines off
/// whatever the level. A `RUST_LOG` that is not a filter is ignored with a warning.
fn filter(settings: &LogSettings) -> (EnvFilter, Option<String>) {
    let from_env = std::env::var("RUST_LOG")
        .ok()
        .filter(|text| !text.is_empty());
    let mut warning = None;
    let mut filter = match (&settings.level, from_env) {
        (Some(level), _) => EnvFilter::try_new(level).unwrap_or_else(|_| EnvFilter::new("info")),
        (None, Some(text)) => EnvFilter::try_new(&text).unwrap_or_else(|_| {
            warning = Some(format!(
                "RUST_LOG={text:?} is not a log filter; logging at info"
            ));
            EnvFilter::new("info")
        }),
        (None, None) => EnvFilter::new("info"),
    };
    if !settings.request_log
        && let Ok(off) = format!("{REQUEST_LOG_TARGET}=off").parse()
    {
        filter = filter.add_directive(off);
    }
    (filter, warning)
}
