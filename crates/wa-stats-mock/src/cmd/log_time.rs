//! The log's timestamps, as tracing-subscriber writes them (RFC 3339, UTC, microseconds:
//! `2026-12-04T18:41:10.723299Z`), at a fraction of the cost: the date and time of day are
//! formatted once a second per thread and only the microseconds for each line. Formatting the
//! whole date for every request line was most of what the request log cost the server
//! (docs/performance.md, "The physical floor").

use std::cell::RefCell;
use std::fmt::{self, Write as _};
use std::time::{SystemTime, UNIX_EPOCH};

use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;

/// The wall clock in UTC, with the second's text cached per thread.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CachedUtc;

thread_local! {
    /// The second last formatted on this thread, and its text up to the seconds.
    static SECOND: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
}

impl FormatTime for CachedUtc {
    fn format_time(&self, w: &mut Writer<'_>) -> fmt::Result {
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        SECOND.with(|cached| {
            write_timestamp(
                since.as_secs(),
                since.subsec_micros(),
                &mut cached.borrow_mut(),
                w,
            )
        })
    }
}

/// `secs.micros` since the epoch as `YYYY-MM-DDTHH:MM:SS.ffffffZ`, reusing `cached` while the
/// second is the same.
fn write_timestamp(
    secs: u64,
    micros: u32,
    cached: &mut (u64, String),
    out: &mut impl fmt::Write,
) -> fmt::Result {
    if cached.0 != secs {
        cached.1.clear();
        let second = i64::try_from(secs)
            .ok()
            .and_then(|secs| jiff::Timestamp::from_second(secs).ok())
            .unwrap_or(jiff::Timestamp::MAX);
        write!(cached.1, "{}", second.strftime("%Y-%m-%dT%H:%M:%S"))?;
        cached.0 = secs;
    }
    out.write_str(&cached.1)?;
    // `.ffffffZ` by hand: `{:06}` went through `core::fmt`'s padding for every line.
    let mut fraction = *b".000000Z";
    let mut rest = micros.min(999_999);
    for digit in fraction[1..7].iter_mut().rev() {
        *digit = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    out.write_str(std::str::from_utf8(&fraction).map_err(|_| fmt::Error)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64, micros: u32, cached: &mut (u64, String)) -> String {
        let mut out = String::new();
        write_timestamp(secs, micros, cached, &mut out).unwrap_or_default();
        out
    }

    #[test]
    fn timestamps_read_as_tracing_subscriber_writes_them() {
        let mut cached = (u64::MAX, String::new());
        assert_eq!(at(0, 0, &mut cached), "1970-01-01T00:00:00.000000Z");
        assert_eq!(
            at(1_000_000_000, 5, &mut cached),
            "2001-09-09T01:46:40.000005Z"
        );
        // The same second again, from the cache; then the next one.
        assert_eq!(
            at(1_000_000_000, 999_999, &mut cached),
            "2001-09-09T01:46:40.999999Z"
        );
        assert_eq!(
            at(1_796_409_670, 723_299, &mut cached),
            "2026-12-04T18:41:10.723299Z"
        );
    }

    #[test]
    fn the_cached_timer_agrees_with_tracing_subscribers_to_the_second() {
        // Both read the wall clock: format with each, one right after the other, and compare
        // up to the seconds (a second boundary between the two reads is retried once).
        let format = |timer: &dyn FormatTime| {
            let mut out = String::new();
            timer
                .format_time(&mut Writer::new(&mut out))
                .unwrap_or_default();
            out
        };
        for _ in 0..2 {
            let ours = format(&CachedUtc);
            let theirs = format(&tracing_subscriber::fmt::time::SystemTime);
            assert_eq!(ours.len(), theirs.len(), "{ours} vs {theirs}");
            if ours[..19] == theirs[..19] {
                return;
            }
        }
        panic!("the two timers disagree on the second");
    }
}
