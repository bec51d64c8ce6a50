//! The log's queue: each line is appended to one shared buffer that a thread of its own writes to
//! stderr in batches, so that no state of stderr can hold up a request and a line costs neither an
//! allocation nor a wake-up on the request's thread.
//!
//! This replaces tracing-appender's non-blocking writer, which does the same job with a `Vec` per
//! line sent through a channel: profiled under `wrk`, that allocation (made on the request's
//! thread, freed on the writer's) and the send were most of what the request log still cost
//! (docs/performance.md, "The physical floor").

use std::io::{self, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tracing_subscriber::fmt::MakeWriter;

/// Lines held while stderr is not read: about 0.5 MB of request lines. Enough to ride out a
/// reader that pauses, small enough that a reader that never comes costs little memory.
pub(crate) const QUEUE_LINES: usize = 4096;

/// The same bound in bytes, for lines longer than a request's (a warning with a long message).
const QUEUE_BYTES: usize = 1024 * 1024;

/// How long the writer lets lines gather after writing a batch: the most a line waits for it.
/// At the mock's 100 000 requests a second that is 500 lines, well inside [`QUEUE_LINES`].
const GATHER: Duration = Duration::from_millis(5);

/// The queue, shared by the formatter (front end) and the writer thread (back end).
pub(crate) struct LogQueue {
    shared: Arc<Shared>,
    writer: Option<JoinHandle<()>>,
}

struct Shared {
    pending: Mutex<Pending>,
    /// Signalled when a line arrives while the writer waits for one, and at shutdown.
    line_arrived: Condvar,
}

/// What waits for the writer, and the counts. All under the one lock a line takes anyway: no
/// counter of its own for the request threads to contend on.
#[derive(Default)]
struct Pending {
    bytes: Vec<u8>,
    lines: usize,
    /// Lines the writer took and has not finished writing.
    writing: usize,
    /// Lines that left the queue: written, or lost to a write error (a closed pipe, `/dev/full`).
    written: usize,
    dropped: usize,
    writer_waits: bool,
    /// Set under the lock, so that the writer cannot miss it between its check and its wait.
    closing: bool,
}

impl Shared {
    /// Lines waiting in the queue (or being written) right now.
    fn backlog(&self) -> usize {
        let pending = self.pending();
        pending.lines + pending.writing
    }

    fn pending(&self) -> MutexGuard<'_, Pending> {
        // Nothing panics while holding the lock; a poisoned one still holds whole lines.
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl LogQueue {
    /// Starts the writer thread.
    pub(crate) fn start() -> io::Result<Self> {
        let shared = Arc::new(Shared {
            pending: Mutex::new(Pending::default()),
            line_arrived: Condvar::new(),
        });
        let back_end = Arc::clone(&shared);
        let writer = std::thread::Builder::new()
            .name("wa-stats-mock-log".to_owned())
            .spawn(move || write_out(&back_end))?;
        Ok(Self {
            shared,
            writer: Some(writer),
        })
    }

    /// The formatter's side: hands out a writer per event.
    pub(crate) fn front_end(&self) -> FrontEnd {
        FrontEnd(Arc::clone(&self.shared))
    }

    /// Waits until the queue has been written out, for at most `timeout`: false if stderr did not
    /// take it in time (a full pipe nobody reads).
    pub(crate) fn drain(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.shared.backlog() > 0 {
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        true
    }

    /// Writes out what is queued and stops the writer, waiting at most `timeout` for stderr.
    pub(crate) fn close(mut self, timeout: Duration) {
        self.shared.pending().closing = true;
        self.shared.line_arrived.notify_one();
        if self.drain(timeout)
            && let Some(writer) = self.writer.take()
        {
            // Drained, so the writer is past its last write and ends at once.
            let _ = writer.join();
        }
        // Otherwise the writer is stuck in a `write` to a stderr nobody reads; exiting ends it.
    }
}

/// The writer thread: takes everything pending in one go, writes it in one `write_all`, then lets
/// the next lines gather for [`GATHER`] before looking again, so that under load the request
/// threads never wake it. It waits on the condition variable only when nothing came meanwhile.
fn write_out(shared: &Shared) {
    let mut spare = Vec::with_capacity(64 * 1024);
    loop {
        let mut batch = {
            let mut pending = shared.pending();
            while pending.lines == 0 {
                if pending.closing {
                    return;
                }
                pending.writer_waits = true;
                pending = shared
                    .line_arrived
                    .wait(pending)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            pending.writer_waits = false;
            pending.writing = std::mem::take(&mut pending.lines);
            std::mem::replace(&mut pending.bytes, spare)
        };
        // A write error loses these lines; the thread carries on with the next ones.
        let _ = io::stderr().lock().write_all(&batch);
        let closing = {
            let mut pending = shared.pending();
            pending.written += std::mem::take(&mut pending.writing);
            pending.closing
        };
        batch.clear();
        spare = batch;
        if !closing {
            std::thread::sleep(GATHER);
        }
    }
}

/// What the formatter holds: a [`MakeWriter`] whose writers append to the queue.
#[derive(Clone)]
pub(crate) struct FrontEnd(Arc<Shared>);

impl FrontEnd {
    /// Lines waiting in the queue (or being written) right now.
    pub(crate) fn backlog(&self) -> usize {
        self.0.backlog()
    }

    /// Lines dropped because the queue was full, since the start.
    pub(crate) fn dropped(&self) -> usize {
        self.0.pending().dropped
    }
}

impl<'a> MakeWriter<'a> for FrontEnd {
    type Writer = Line<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        Line(&self.0)
    }
}

/// One event's writer: the formatter hands it the whole line in one `write_all`.
pub(crate) struct Line<'a>(&'a Shared);

impl Write for Line<'_> {
    fn write(&mut self, line: &[u8]) -> io::Result<usize> {
        self.write_all(line).map(|()| line.len())
    }

    /// Never blocks on stderr: a full queue drops the line and counts it.
    fn write_all(&mut self, line: &[u8]) -> io::Result<()> {
        let shared = self.0;
        let mut pending = shared.pending();
        if pending.lines >= QUEUE_LINES || pending.bytes.len() + line.len() > QUEUE_BYTES {
            pending.dropped += 1;
            return Ok(());
        }
        pending.bytes.extend_from_slice(line);
        pending.lines += 1;
        if std::mem::take(&mut pending.writer_waits) {
            drop(pending);
            shared.line_arrived.notify_one();
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(queue: &LogQueue, line: &[u8]) {
        queue.front_end().make_writer().write_all(line).unwrap();
    }

    #[test]
    fn every_line_offered_is_written_or_counted_as_dropped() {
        let queue = LogQueue::start().unwrap();
        for _ in 0..(QUEUE_LINES * 3) {
            offer(&queue, b"");
        }
        assert!(queue.drain(Duration::from_secs(10)));
        let written = queue.shared.pending().written;
        assert_eq!(written + queue.front_end().dropped(), QUEUE_LINES * 3);
        queue.close(Duration::from_secs(10));
    }

    #[test]
    fn a_line_after_a_quiet_spell_wakes_the_writer() {
        let queue = LogQueue::start().unwrap();
        for _ in 0..3 {
            // Wait until the writer has nothing left and waits for a line, then give it one.
            while !queue.shared.pending().writer_waits {
                std::thread::yield_now();
            }
            offer(&queue, b"");
            assert!(
                queue.drain(Duration::from_secs(10)),
                "the line was never taken"
            );
        }
        queue.close(Duration::from_secs(10));
    }

    #[test]
    fn closing_ends_the_writer_however_the_two_meet() {
        // Closing right after the start meets the writer anywhere between its first look at the
        // queue and its wait: it must be woken wherever it is (a join that never returns fails
        // this by the timeout).
        for _ in 0..200 {
            let (done, finished) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                LogQueue::start().unwrap().close(Duration::from_secs(10));
                let _ = done.send(());
            });
            finished
                .recv_timeout(Duration::from_secs(20))
                .expect("close did not return: the writer missed the signal");
        }
    }

    #[test]
    fn a_full_queue_drops_the_line_it_cannot_hold_whole() {
        let queue = LogQueue::start().unwrap();
        let too_long = vec![b'x'; QUEUE_BYTES + 1];
        offer(&queue, &too_long);
        assert_eq!(queue.front_end().dropped(), 1);
        queue.close(Duration::from_secs(10));
    }
}
