//! `-v`: one line per HTTP attempt on stderr, for a person: campaign, range, attempt, status,
//! latency, retry delay. `-vv` adds the client's debug events, one line each.
//!
//! The client records each attempt as a `wa_stats.attempt` span inside a
//! `wa_stats.campaign_statistics` span and never puts a credential in a span or event; this
//! layer keeps their fields and prints a line when an attempt closes. Only this crate's and the
//! client's targets are enabled — never the HTTP stack's, whose trace output is not ours to vouch
//! for — and `RUST_LOG` is not read, so no environment can turn on a logger that might see a
//! header. Colours only when stderr is a terminal and `NO_COLOR` is unset or empty.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::io::{IsTerminal, Write as _};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;

use crate::series::rfc3339;

/// Installs the stderr logger: the client's warnings (the shared budget falling back to local
/// pacing, say) one line each without `-v`; `-v` adds attempts, `-vv` debug events; nothing at
/// all with `-q`.
pub(crate) fn init(verbose: u8, quiet: bool) {
    let level = match verbose {
        _ if quiet => return,
        0 => Level::WARN,
        1 => Level::DEBUG,
        _ => Level::TRACE,
    };
    let colour = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty());
    let targets = Targets::new()
        .with_target("wa_stats", level)
        .with_target("wa_stats_client", level);
    let _ = tracing_subscriber::registry()
        .with(Attempts {
            colour,
            events: verbose > 1,
        })
        .with(targets)
        .try_init();
}

/// The fields recorded on a span so far, as text.
#[derive(Default)]
struct Fields(BTreeMap<&'static str, String>);

impl Visit for Fields {
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name(), value.to_string());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name(), value.to_string());
    }

    // Text values may quote a server (an error's message): kept escaped, on one line.
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0
            .insert(field.name(), crate::escape::terminal(value).into_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let text = format!("{value:?}");
        self.0
            .insert(field.name(), crate::escape::terminal(&text).into_owned());
    }
}

/// The layer that prints attempts (and, with `-vv`, events).
struct Attempts {
    colour: bool,
    events: bool,
}

impl Attempts {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    /// `campaign 12345 [2024-03-01T00:00:00Z, 2024-03-02T00:00:00Z) attempt 1: HTTP 200, 12 ms`.
    fn attempt_line(&self, attempt: &Fields, call: Option<&Fields>) -> String {
        fn get<'a>(fields: Option<&'a Fields>, name: &str) -> Option<&'a str> {
            fields.and_then(|f| f.0.get(name)).map(String::as_str)
        }
        let time = |name: &str| {
            get(call, name)
                .and_then(|text| text.parse::<i64>().ok())
                .map_or_else(|| "?".to_owned(), rfc3339)
        };
        let mut line = format!(
            "campaign {} [{}, {}) attempt {}: ",
            get(call, "campaign_id").unwrap_or("?"),
            time("start_time"),
            time("end_time"),
            get(Some(attempt), "attempt").unwrap_or("?"),
        );
        let status = get(Some(attempt), "status");
        let outcome = match (status, get(Some(attempt), "error")) {
            (Some(status), _) => {
                let code = if status.starts_with('2') { "32" } else { "31" };
                self.paint(code, &format!("HTTP {status}"))
            }
            (None, Some(error)) => self.paint("31", &format!("no answer: {error}")),
            (None, None) => self.paint("31", "no answer"),
        };
        line.push_str(&outcome);
        if let Some(latency) = get(Some(attempt), "latency_ms") {
            let _ = write!(line, ", {latency} ms");
        }
        if let Some(delay) = get(Some(attempt), "retry_delay_ms") {
            line.push_str("; ");
            line.push_str(&self.paint("33", &format!("retrying in {delay} ms")));
        }
        line
    }
}

impl<S> Layer<S> for Attempts
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            let mut fields = Fields::default();
            attrs.record(&mut fields);
            span.extensions_mut().insert(fields);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id)
            && let Some(fields) = span.extensions_mut().get_mut::<Fields>()
        {
            values.record(fields);
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        // A retry's reason belongs on its attempt's line.
        if let Some(span) = ctx.event_span(event)
            && span.name() == "wa_stats.attempt"
            && let Some(error) = fields.0.get("error")
            && let Some(attempt) = span.extensions_mut().get_mut::<Fields>()
        {
            attempt.0.insert("error", error.clone());
        }
        let warning = *event.metadata().level() <= Level::WARN;
        if !(self.events || warning) {
            return;
        }
        let mut line = if warning {
            self.paint("33", "warning: ")
        } else {
            String::new()
        };
        line.push_str(one_line(fields.0.get("message").map_or("", String::as_str)));
        for (name, value) in fields.0.iter().filter(|(name, _)| **name != "message") {
            let _ = write!(line, " ({name}: {})", one_line(value));
        }
        let _ = writeln!(std::io::stderr(), "wa-stats: {line}");
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        if span.name() != "wa_stats.attempt" {
            return;
        }
        let extensions = span.extensions();
        let Some(attempt) = extensions.get::<Fields>() else {
            return;
        };
        let parent = span.parent();
        let parent_extensions = parent.as_ref().map(|p| p.extensions());
        let call = parent_extensions.as_ref().and_then(|e| e.get::<Fields>());
        let line = self.attempt_line(attempt, call);
        let _ = writeln!(std::io::stderr(), "wa-stats: {line}");
    }
}

/// The first line of `text`: a value from elsewhere (a Redis parser's dump, say) must not break
/// the one-line-per-event rule.
fn one_line(text: &str) -> &str {
    text.lines().next().unwrap_or("").trim_end()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&'static str, &str)]) -> Fields {
        Fields(pairs.iter().map(|&(k, v)| (k, v.to_owned())).collect())
    }

    #[test]
    fn one_readable_line_per_attempt() {
        let plain = Attempts {
            colour: false,
            events: false,
        };
        let call = fields(&[
            ("campaign_id", "12345"),
            ("start_time", "1709251200"),
            ("end_time", "1709337600"),
        ]);
        let retried = fields(&[
            ("attempt", "1"),
            ("status", "503"),
            ("latency_ms", "4"),
            ("retry_delay_ms", "250"),
        ]);
        assert_eq!(
            plain.attempt_line(&retried, Some(&call)),
            "campaign 12345 [2024-03-01T00:00:00Z, 2024-03-02T00:00:00Z) attempt 1: HTTP 503, \
             4 ms; retrying in 250 ms"
        );
        let refused = fields(&[("attempt", "2"), ("error", "connection refused")]);
        assert!(
            plain
                .attempt_line(&refused, Some(&call))
                .ends_with("attempt 2: no answer: connection refused")
        );
        let coloured = Attempts {
            colour: true,
            events: false,
        };
        assert!(
            coloured
                .attempt_line(&retried, Some(&call))
                .contains("\x1b[31mHTTP 503\x1b[0m")
        );
    }
}
