//! The binary's log on stderr: tracing-subscriber's fmt layer writing through
//! `tracing_appender::non_blocking`, lossy, so that no state of stderr (a full pipe nobody reads,
//! a closed one, `/dev/full`, a slow reader) can hold up a request.
//!
//! Lines go into tracing-appender's bounded queue, which its own thread writes out. When the
//! queue is full a line is dropped and counted (tracing-appender's `ErrorCounter`); the count is
//! logged once the reader has caught up, and at shutdown. The only code of ours is counting what
//! went in and what came out, so that the report is made when it has room in the queue and
//! shutdown knows when the queue has drained.

use std::io::{self, IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tracing_appender::non_blocking::{ErrorCounter, NonBlocking, NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

const REQUEST_LOG_TARGET: &str = wa_stats_mock::MockServer::REQUEST_LOG_TARGET;

/// Lines held while stderr is not read: about 0.5 MB of request lines. Enough to ride out a
/// reader that pauses, small enough that a reader that never comes costs little memory.
const QUEUE_LINES: usize = 4096;

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
    guard: Option<WorkerGuard>,
    counts: Arc<Counts>,
}

/// What went into the queue, what came out, what was dropped, and what was already reported.
struct Counts {
    queued: AtomicUsize,
    written: Arc<AtomicUsize>,
    dropped: ErrorCounter,
    reported: AtomicUsize,
}

impl Counts {
    /// Lines waiting in the queue (or being written) right now.
    fn backlog(&self) -> usize {
        let queued = self.queued.load(Ordering::Acquire);
        let gone = self.written.load(Ordering::Acquire) + self.dropped.dropped_lines();
        queued.saturating_sub(gone)
    }
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
    /// unset or empty (no-color.org).
    pub(crate) fn install(settings: &LogSettings) -> Self {
        let (filter, filter_warning) = filter(settings);
        let (writer, counts, guard) = queue();
        let ansi = io::stderr().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty());
        let builder = tracing_subscriber::fmt()
            .with_writer(writer)
            .with_env_filter(filter)
            .with_ansi(ansi);
        // Only fails if a subscriber is already set, which a binary's main never has.
        let _ = match settings.format {
            LogFormat::Text => builder.try_init(),
            LogFormat::Json => builder.json().flatten_event(true).try_init(),
        };
        if let Some(warning) = filter_warning {
            tracing::warn!("{warning}");
        }
        Self {
            guard: Some(guard),
            counts,
        }
    }

    /// Something that logs how many lines were dropped, for a periodic task.
    pub(crate) fn drop_reporter(&self) -> DropReporter {
        DropReporter(Arc::clone(&self.counts))
    }

    /// Reports the last dropped lines and writes out what is queued, giving up on a stderr that
    /// does not take it within [`DRAIN_TIMEOUT`], so that exiting never hangs on a full pipe.
    pub(crate) fn finish(mut self) {
        let reporter = self.drop_reporter();
        let drained = drain(&self.counts) && {
            reporter.report(usize::MAX);
            drain(&self.counts)
        };
        if let Some(guard) = self.guard.take() {
            if drained {
                drop(guard);
            } else {
                // The guard's drop would wait, then print a complaint on stdout, whose only line
                // is the ready line. The queued lines cannot be written anyway: let them go.
                std::mem::forget(guard);
            }
        }
    }
}

/// Logs the count of dropped lines once the reader has caught up.
#[derive(Clone)]
pub(crate) struct DropReporter(Arc<Counts>);

impl DropReporter {
    /// Logs lines dropped since the last report, if the queue has room for the report (fewer
    /// than `max_backlog` lines waiting): a report into a full queue would only be dropped too.
    pub(crate) fn report(&self, max_backlog: usize) {
        let counts = &self.0;
        if counts.backlog() >= max_backlog {
            return;
        }
        let total = counts.dropped.dropped_lines();
        let before = counts.reported.swap(total, Ordering::AcqRel);
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

fn drain(counts: &Counts) -> bool {
    let deadline = Instant::now() + DRAIN_TIMEOUT;
    while counts.backlog() > 0 {
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    true
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

fn queue() -> (CountingQueue, Arc<Counts>, WorkerGuard) {
    // The writer thread counts what it wrote; the counter exists before the queue does.
    let written = Arc::new(AtomicUsize::new(0));
    let (queue, guard) = NonBlockingBuilder::default()
        .lossy(true)
        .buffered_lines_limit(QUEUE_LINES)
        .thread_name("wa-stats-mock-log")
        .finish(CountingStderr(Arc::clone(&written)));
    let counts = Arc::new(Counts {
        queued: AtomicUsize::new(0),
        written,
        dropped: queue.error_counter(),
        reported: AtomicUsize::new(0),
    });
    let writer = CountingQueue {
        queue,
        counts: Arc::clone(&counts),
    };
    (writer, counts, guard)
}

/// The queue's front end: counts every line offered to it.
struct CountingQueue {
    queue: NonBlocking,
    counts: Arc<Counts>,
}

impl<'a> MakeWriter<'a> for CountingQueue {
    type Writer = CountingLine;

    fn make_writer(&'a self) -> Self::Writer {
        CountingLine {
            queue: self.queue.clone(),
            counts: Arc::clone(&self.counts),
        }
    }
}

/// One event's writer: the formatter hands it the whole line in one `write_all`.
struct CountingLine {
    queue: NonBlocking,
    counts: Arc<Counts>,
}

impl Write for CountingLine {
    fn write(&mut self, line: &[u8]) -> io::Result<usize> {
        self.write_all(line).map(|()| line.len())
    }

    fn write_all(&mut self, line: &[u8]) -> io::Result<()> {
        // Counted first, so the backlog never reads 0 while this line is in the queue.
        self.counts.queued.fetch_add(1, Ordering::AcqRel);
        // Never blocks: a full queue drops the line and counts it in `dropped`.
        self.queue.write_all(line)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The queue's back end, on tracing-appender's thread: stderr, counting each line written (or
/// lost to a write error: a closed pipe or `/dev/full` drops the line and the thread carries on).
struct CountingStderr(Arc<AtomicUsize>);

impl Write for CountingStderr {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.write_all(bytes).map(|()| bytes.len())
    }

    fn write_all(&mut self, line: &[u8]) -> io::Result<()> {
        let result = io::stderr().write_all(line);
        // Written or lost, this line has left the queue.
        self.0.fetch_add(1, Ordering::AcqRel);
        result
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}
