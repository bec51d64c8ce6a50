//! `--format csv`: a header and one row per campaign, for spreadsheets.
//!
//! Columns: `campaign_id`; under `--by`, `bucket_start` and `bucket_end` (RFC 3339) and
//! `start_time` and `end_time` (the Unix seconds sent); every counter in wire order, every detail counter as
//! `dropDetails.frequencyCapped`-style paths (the response summary too), then `error`. A detail
//! cell is empty when the server sent no such object; the conversational buttons (a list) and
//! unknown fields are left out: `--format json` has everything. Lines end in `\n`.

use std::io::{self, Write};

use wa_stats_model::CampaignStatistics;
use wa_stats_model::{DropDetails, ResponseSummary, UndeliveredDetails};

use super::ordered::flat;
use super::{Failure, Outcome, Render};
use crate::fetch::Results;

/// The bucket columns of a series.
const BUCKET_COLUMNS: [&str; 4] = ["bucket_start", "bucket_end", "start_time", "end_time"];

/// The CSV renderer, with its columns fixed when it is made.
pub(crate) struct Csv {
    columns: Vec<String>,
    series: bool,
}

impl Csv {
    /// `series`: one row per bucket, with the bucket columns.
    pub(crate) fn new(series: bool) -> Self {
        // Every object present, so that every column the model knows is named; the values of
        // this template are never printed.
        let mut template = CampaignStatistics::default();
        template.drop_details = Some(DropDetails::default());
        template.undelivered_details = Some(UndeliveredDetails::default());
        template.response_summary = Some(ResponseSummary::default());
        Self {
            columns: flat(&template).into_iter().map(|(name, _)| name).collect(),
            series,
        }
    }
}

impl Render for Csv {
    fn begin(&mut self, out: &mut dyn Write) -> io::Result<()> {
        let mut header = vec!["campaign_id".to_owned()];
        if self.series {
            header.extend(BUCKET_COLUMNS.map(str::to_owned));
        }
        header.extend(self.columns.iter().cloned());
        header.push("error".to_owned());
        write_row(out, &header)
    }

    fn campaign(
        &mut self,
        out: &mut dyn Write,
        campaign_id: i64,
        results: &Results,
    ) -> io::Result<()> {
        for (bucket, outcome) in results {
            let mut row = vec![campaign_id.to_string()];
            if let Some(bucket) = bucket {
                row.extend([
                    bucket.start_text(),
                    bucket.end_text(),
                    bucket.start.to_string(),
                    bucket.end.to_string(),
                ]);
            }
            self.cells(&mut row, outcome);
            write_row(out, &row)?;
        }
        Ok(())
    }
}

impl Csv {
    /// The counter and error cells of one result.
    fn cells(&self, row: &mut Vec<String>, outcome: &Outcome) {
        match outcome {
            Ok(stats) => {
                let cells = flat(stats);
                row.extend(self.columns.iter().map(|column| {
                    cells
                        .iter()
                        .find(|(name, _)| name == column)
                        .map(|(_, value)| value.cell())
                        .unwrap_or_default()
                }));
                row.push(String::new());
            }
            Err(error) => {
                let failure = Failure::of(error);
                row.extend(self.columns.iter().map(|_| String::new()));
                row.push(format!("{}: {}", failure.kind, failure.message));
            }
        }
    }
}

/// One record, RFC 4180 quoting: a field with a comma, a quote or a line break is quoted, its
/// quotes doubled.
fn write_row(out: &mut dyn Write, fields: &[String]) -> io::Result<()> {
    let mut line = String::new();
    for (index, field) in fields.iter().enumerate() {
        if index > 0 {
            line.push(',');
        }
        if field.contains([',', '"', '\n', '\r']) {
            line.push('"');
            line.push_str(&field.replace('"', "\"\""));
            line.push('"');
        } else {
            line.push_str(field);
        }
    }
    line.push('\n');
    out.write_all(line.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_what_needs_it() {
        let mut out = Vec::new();
        let fields = ["plain", "a,b", "say \"hi\"", "two\nlines"].map(str::to_owned);
        write_row(&mut out, &fields).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\n"
        );
    }

    #[test]
    fn columns_follow_the_wire() {
        let csv = Csv::new(false);
        assert_eq!(csv.columns[0], "sent");
        assert!(
            csv.columns
                .contains(&"dropDetails.frequencyCapped".to_owned())
        );
        assert!(
            csv.columns
                .contains(&"undeliveredDetails.deliveryReportMissing".to_owned())
        );
        assert!(
            csv.columns
                .contains(&"responseSummary.buttonClick".to_owned())
        );
    }
}
