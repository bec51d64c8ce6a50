//! The request line, written directly instead of through tracing-subscriber's general formatter:
//! the same bytes, at a fraction of the cost. Every other event, and every line to a terminal
//! (colours) or inside a span, goes through tracing-subscriber's `Full` format unchanged.
//!
//! Formatting the request line through `core::fmt` (a `Debug` call per field, the level's
//! padding, styles that paint nothing) was most of what the request log still cost the server
//! once the queue and the timestamps were cheap (docs/performance.md, "The physical floor").

use std::fmt::{self, Write as _};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::{Format, Full, Writer};
use tracing_subscriber::fmt::time::FormatTime;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;
const REQUEST_LOG_TARGET: &str = wa_stats_mock::MockServer::REQUEST_LOG_TARGET;

/// tracing-subscriber's text format, with the request line written by [`RequestLine`].
pub(crate) struct TextFormat<T> {
    timer: T,
    general: Format<Full, T>,
}

impl<T: FormatTime + Clone> TextFormat<T> {
    pub(crate) fn new(timer: T) -> Self {
        Self {
            general: Format::default().with_timer(timer.clone()),
            timer,
        }
    }
}

impl<S, N, T> FormatEvent<S, N> for TextFormat<T>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    T: FormatTime,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let meta = event.metadata();
        if meta.target() != REQUEST_LOG_TARGET
            || writer.has_ansi_escapes()
            || ctx.event_scope().is_some()
        {
            return self.general.format_event(ctx, writer, event);
        }
        // What `Format<Full>` writes with no colours and no span: time, level, target, fields.
        let mut line = Staged {
            bytes: [0; STAGED_BYTES],
            len: 0,
            writer: &mut writer,
            result: Ok(()),
        };
        if self.timer.format_time(&mut Writer::new(&mut line)).is_err() {
            line.push("<unknown time>");
        }
        line.push(" ");
        line.push(padded_level(*meta.level()));
        line.push(" ");
        line.push(meta.target());
        line.push(": ");
        let mut fields = RequestLine {
            line: &mut line,
            first: true,
            result: Ok(()),
        };
        event.record(&mut fields);
        fields.result?;
        line.push("\n");
        line.flush()
    }
}

/// A request line is about 120 bytes; a longer one (a long path) is handed over in pieces.
const STAGED_BYTES: usize = 256;

/// The line gathered on the stack and handed to the writer in one piece: each write to
/// tracing-subscriber's `Writer` is a dynamic call and a `String` append. Appends are inlined, so
/// the many short constant pieces of a line are a few moves each.
struct Staged<'w, 'a> {
    bytes: [u8; STAGED_BYTES],
    len: usize,
    writer: &'w mut Writer<'a>,
    /// The first error of the writer; later appends are dropped.
    result: fmt::Result,
}

impl Staged<'_, '_> {
    #[inline]
    fn push(&mut self, text: &str) {
        self.push_bytes(text.as_bytes());
    }

    /// Appends `bytes`, which are whole UTF-8 (a `str`'s, or ASCII digits): `flush` checks.
    #[inline]
    fn push_bytes(&mut self, bytes: &[u8]) {
        let (start, end) = (self.len, self.len + bytes.len());
        match self.bytes.get_mut(start..end) {
            Some(room) => {
                room.copy_from_slice(bytes);
                self.len = end;
            }
            None => self.push_long(bytes),
        }
    }

    #[cold]
    fn push_long(&mut self, bytes: &[u8]) {
        self.flush_staged();
        if bytes.len() > STAGED_BYTES {
            if self.result.is_ok() {
                self.result = std::str::from_utf8(bytes)
                    .map_err(|_| fmt::Error)
                    .and_then(|text| self.writer.write_str(text));
            }
        } else {
            self.push_bytes(bytes);
        }
    }

    /// `value` in decimal, as `Debug` of a `u64` writes it, without `core::fmt`.
    #[inline]
    fn push_decimal(&mut self, mut value: u64) {
        let mut digits = *b"00000000000000000000";
        let mut start = digits.len();
        loop {
            start -= 1;
            digits[start] = b'0' + (value % 10) as u8;
            value /= 10;
            if value == 0 {
                break;
            }
        }
        self.push_bytes(&digits[start..]);
    }

    fn flush_staged(&mut self) {
        // Only whole `str`s are ever appended, so what is staged is UTF-8.
        let staged = std::str::from_utf8(&self.bytes[..self.len]).map_err(|_| fmt::Error);
        self.len = 0;
        if self.result.is_ok() {
            self.result = staged.and_then(|staged| self.writer.write_str(staged));
        }
    }

    fn flush(mut self) -> fmt::Result {
        self.flush_staged();
        self.result
    }
}

impl fmt::Write for Staged<'_, '_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        self.push(text);
        Ok(())
    }
}

/// The bytes `Debug` of a string writes as they are: printable ASCII but `"` and `\`.
const VERBATIM_IN_DEBUG: [bool; 256] = {
    let mut verbatim = [false; 256];
    let mut byte = b' ';
    while byte <= b'~' {
        verbatim[byte as usize] = byte != b'"' && byte != b'\\';
        byte += 1;
    }
    verbatim
};

/// The level as `Format<Full>` pads it without colours.
fn padded_level(level: Level) -> &'static str {
    match level {
        Level::TRACE => "TRACE",
        Level::DEBUG => "DEBUG",
        Level::INFO => " INFO",
        Level::WARN => " WARN",
        Level::ERROR => "ERROR",
    }
}

/// The fields as tracing-subscriber's `DefaultFields` writes them without colours: the message
/// bare, the others `name=value` with `Debug` values, separated by spaces. Numbers and plain
/// strings (a path, nearly always) skip `core::fmt`.
struct RequestLine<'l, 'w, 'a> {
    line: &'l mut Staged<'w, 'a>,
    first: bool,
    result: fmt::Result,
}

impl RequestLine<'_, '_, '_> {
    #[inline]
    fn name(&mut self, field: &Field) {
        if !std::mem::take(&mut self.first) {
            self.line.push(" ");
        }
        let name = field.name();
        if name != "message" {
            self.line.push(name.strip_prefix("r#").unwrap_or(name));
            self.line.push("=");
        }
    }
}

impl Visit for RequestLine<'_, '_, '_> {
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.name(field);
        self.line.push_decimal(value);
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.name(field);
        if field.name() == "message" {
            self.line.push(value);
        } else if value
            .bytes()
            .all(|byte| VERBATIM_IN_DEBUG[usize::from(byte)])
        {
            // `Debug` of a string escapes nothing else among printable ASCII.
            self.line.push("\"");
            self.line.push(value);
            self.line.push("\"");
        } else if self.result.is_ok() {
            self.result = write!(self.line, "{value:?}");
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.name(field);
        if self.result.is_ok() {
            self.result = write!(self.line, "{value:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::{Arc, Mutex};

    use proptest::prelude::*;
    use tracing_subscriber::fmt::MakeWriter;
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    /// A fixed time, so that both formatters write the same timestamp.
    #[derive(Clone)]
    struct Noon;

    impl FormatTime for Noon {
        fn format_time(&self, w: &mut Writer<'_>) -> fmt::Result {
            w.write_str("2026-12-04T12:00:00.000001Z")
        }
    }

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Captured {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    impl io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl MakeWriter<'_> for Captured {
        type Writer = Self;

        fn make_writer(&self) -> Self {
            self.clone()
        }
    }

    /// Runs `emit` with two layers listening, ours and tracing-subscriber's own `Full` format,
    /// and gives back what each wrote.
    fn both(emit: impl FnOnce()) -> (String, String) {
        let (ours, theirs) = (Captured::default(), Captured::default());
        let subscriber = tracing_subscriber::registry()
            .with(
                tracing_subscriber::fmt::layer()
                    .with_ansi(false)
                    .event_format(TextFormat::new(Noon))
                    .with_writer(ours.clone()),
            )
            .with(
                tracing_subscriber::fmt::layer()
                    .with_ansi(false)
                    .with_timer(Noon)
                    .with_writer(theirs.clone()),
            );
        tracing::subscriber::with_default(subscriber, emit);
        (ours.text(), theirs.text())
    }

    #[test]
    fn the_mocks_own_request_line_is_written_byte_for_byte_as_before() {
        let fixtures = wa_stats_mock::fixtures::Fixtures::builtin();
        let router = wa_stats_mock::router(wa_stats_mock::AppState::new(&fixtures).unwrap());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let (ours, theirs) = both(|| {
            for path in ["/v1/statistics/campaign", "/nowhere%22", "/healthz"] {
                let request = http::Request::post(path)
                    .header("X-INS-AUTH-KEY", "INS.demo-key")
                    .body(axum::body::Body::from(r#"{"campaign_id":12345}"#))
                    .unwrap();
                let response =
                    runtime.block_on(tower::ServiceExt::oneshot(router.clone(), request));
                assert!(response.is_ok());
            }
        });
        assert_eq!(ours.lines().count(), 3, "{ours}");
        assert!(
            ours.contains("INFO wa_stats_mock::request: request method=POST path="),
            "{ours}"
        );
        assert_eq!(ours, theirs);
    }

    #[test]
    fn every_other_event_is_left_to_tracing_subscriber() {
        let (ours, theirs) = both(|| {
            tracing::warn!(dropped = 3, "log lines dropped");
            let span = tracing::info_span!("inside", id = 1);
            let _entered = span.enter();
            tracing::info!(target: REQUEST_LOG_TARGET, status = 200u16, "request");
        });
        assert_eq!(ours.lines().count(), 2, "{ours}");
        assert_eq!(ours, theirs);
    }

    proptest! {
        #[test]
        fn any_request_line_is_written_as_tracing_subscriber_writes_it(
            method in prop_oneof![Just("GET".to_owned()), Just("POST".to_owned()), "[A-Z~!#$%&'*+.^_`|-]{1,12}"],
            // Short and long: a line longer than the stage is handed over in pieces.
            path in prop_oneof![any::<String>(), "[a-z/\"\u{e9}]{200,600}"],
            status in any::<u16>(),
            latency_us in any::<u64>(),
        ) {
            // The same fields, kinds and order as the route's `tracing::info!`.
            let method = http::Method::from_bytes(method.as_bytes()).unwrap();
            let (ours, theirs) = both(|| {
                tracing::info!(
                    target: REQUEST_LOG_TARGET,
                    %method,
                    path = path.as_str(),
                    status,
                    latency_us,
                    "request"
                );
            });
            prop_assert_eq!(ours, theirs);
        }
    }
}
