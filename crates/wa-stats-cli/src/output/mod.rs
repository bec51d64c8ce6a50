//! Printing results: one renderer per `--format`, fed one campaign at a time in the order the IDs
//! were given, so that output streams and never depends on which answer came first.

mod csv;
mod jsonl;
mod table;
mod wire;

use std::io::{self, Write};

use wa_stats_client::{CampaignStatistics, Error, TimeRange};

use crate::cli::Format;

/// What one campaign came to.
pub(crate) type Outcome = Result<CampaignStatistics, Error>;

/// Writes results in one format.
pub(crate) trait Render {
    /// Anything that comes before the first campaign (a CSV header, the table's range line).
    fn begin(&mut self, out: &mut dyn Write) -> io::Result<()>;
    /// One campaign's result.
    fn campaign(
        &mut self,
        out: &mut dyn Write,
        campaign_id: i64,
        outcome: &Outcome,
    ) -> io::Result<()>;
}

/// The renderer for `format`; `range` is what was asked for (the table prints it).
pub(crate) fn renderer(format: Format, range: TimeRange) -> Box<dyn Render> {
    match format {
        Format::Table => Box::new(table::Table::new(range)),
        Format::Json => Box::new(jsonl::JsonLines),
        Format::Csv => Box::new(csv::Csv::new()),
    }
}

/// The parts of an error every format prints.
#[derive(Debug)]
pub(crate) struct Failure<'a> {
    /// The client's stable name for the kind (`campaign_not_found`, `timeout`, …).
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
    pub(crate) fn of(error: &'a Error) -> Self {
        Self {
            kind: error.kind_name(),
            status: error.status(),
            code: error.api_error().and_then(|api| api.code.as_deref()),
            message: error.report().to_string(),
        }
    }
}
