//! Printing results: one renderer per `--format`, fed one campaign at a time in the order the IDs
//! were given (with all its buckets under `--by`), so that output streams and never depends on
//! which answer came first.

mod csv;
mod fixture;
mod grid;
mod jsonl;
pub(crate) mod ordered;
mod sparkline;
mod table;

use std::io::{self, Write};

use wa_stats_client::TimeRange;

use crate::cli::Format;
pub(crate) use crate::fetch::Outcome;
use crate::fetch::{Results, Unfetched};
use crate::series::By;

/// Writes results in one format.
pub(crate) trait Render {
    /// Anything that comes before the first campaign (a CSV header, the table's range line).
    fn begin(&mut self, out: &mut dyn Write) -> io::Result<()>;
    /// One campaign's results: one for the whole range, or one per bucket under `--by`.
    fn campaign(
        &mut self,
        out: &mut dyn Write,
        campaign_id: i64,
        results: &Results,
    ) -> io::Result<()>;
    /// Anything that comes after the last campaign.
    fn end(&mut self, _out: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }
}

/// The renderer for `format`; `range` is what was asked for (the table prints it), `by` the
/// bucket size of a series, `width` the terminal's columns when known.
pub(crate) fn renderer(
    format: Format,
    range: TimeRange,
    by: Option<By>,
    width: Option<usize>,
) -> Box<dyn Render> {
    match (format, by) {
        (Format::Table, None) => Box::new(table::Table::new(range)),
        (Format::Table, Some(by)) => Box::new(grid::Grid::new(range, by, width)),
        (Format::Json, _) => Box::new(jsonl::JsonLines),
        (Format::Csv, _) => Box::new(csv::Csv::new(by.is_some())),
        (Format::Fixture, _) => Box::new(fixture::Fixture::default()),
    }
}

/// The width the table fits: `COLUMNS` when set (as shells and test harnesses set it), else the
/// terminal's when stdout is one, else none (a pipe or file gets every column).
pub(crate) fn width() -> Option<usize> {
    if let Some(columns) = std::env::var("COLUMNS")
        .ok()
        .and_then(|text| text.trim().parse::<usize>().ok())
        .filter(|&columns| columns > 0)
    {
        return Some(columns);
    }
    console::Term::stdout()
        .size_checked()
        .map(|(_, columns)| usize::from(columns))
}

/// The parts of an error every format prints.
#[derive(Debug)]
pub(crate) struct Failure<'a> {
    /// The client's stable name for the kind (`campaign_not_found`, `timeout`, …), or
    /// `not_sent` for a request the run never sent because it ended early.
    pub(crate) kind: &'static str,
    /// The HTTP status, when the server answered.
    pub(crate) status: Option<u16>,
    /// The API's error code, when the body had one.
    pub(crate) code: Option<&'a str>,
    /// The client's full message: what happened and, where it knows one, the likely cause. The
    /// client guarantees it never holds a credential.
    pub(crate) message: String,
}

impl<'a> Failure<'a> {
    pub(crate) fn of(unfetched: &'a Unfetched) -> Self {
        match unfetched {
            Unfetched::Failed(error) => Self {
                kind: error.kind_name(),
                status: error.status(),
                code: error.api_error().and_then(|api| api.code.as_deref()),
                message: crate::refusal::report(error),
            },
            Unfetched::NotSent(why) => Self {
                kind: "not_sent",
                status: None,
                code: None,
                message: (*why).to_owned(),
            },
        }
    }
}
