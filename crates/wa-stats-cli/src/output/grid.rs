//! `--format table --by …`: per campaign, a grid with the buckets as rows and the main counters
//! as columns, a totals row, then a sparkline per counter.
//!
//! A narrow terminal drops columns (least telling first) rather than wrap a row, and says which;
//! a sparkline longer than the terminal adds neighbouring buckets into one mark and says how many.
//! A first or last bucket clipped by the range (a partial week or month) is marked `*` in its row
//! label and on a line under the sparklines, with a footnote, so that it does not read as a dip.

use std::io::{self, Write};

use jiff::Timestamp;
use jiff::tz::TimeZone;
use wa_stats_client::TimeRange;
use wa_stats_model::CampaignStatistics;
use wa_stats_model::statistics::counters::{COUNTERS, top_level};

use super::sparkline::sparkline;
use super::table::{range_line, revenue, thousands};
use super::{Failure, Render};
use crate::escape::terminal;
use crate::fetch::Results;
use crate::series::{Bucket, By};

/// A counter column: its heading (a wire name of the model's counter table, or `revenue`) and
/// how to write a value.
struct Column {
    heading: &'static str,
    text: fn(f64) -> String,
}

impl Column {
    const fn count(heading: &'static str) -> Self {
        Self {
            heading,
            text: count_text,
        }
    }

    /// The column's value in an answer: the counter the model's table names `heading`, read
    /// through the table, or the revenue (a fractional amount the table does not hold).
    #[allow(
        clippy::cast_precision_loss,
        reason = "counters are shown and charted, never computed with"
    )]
    fn value(&self, stats: &CampaignStatistics) -> f64 {
        if self.heading == "revenue" {
            return stats.revenue;
        }
        top_level(COUNTERS, self.heading)
            .and_then(|counter| counter.get(stats))
            .map_or(0.0, |count| count as f64)
    }
}

#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "a sum of non-negative integer counters, exact below 2^53"
)]
fn count_text(value: f64) -> String {
    thousands(value as u64)
}

/// The columns, in the order shown: which of the model's counters a grid is about (the funnel),
/// by wire name.
const COLUMNS: [Column; 7] = [
    Column::count("targeted"),
    Column::count("sent"),
    Column::count("delivered"),
    Column::count("open"),
    Column::count("click"),
    Column::count("conversion"),
    Column {
        heading: "revenue",
        text: revenue,
    },
];

/// Which columns go first when the terminal is too narrow, by index into [`COLUMNS`]: targeted
/// (sent plus drop, shown elsewhere), then conversion, revenue, click, open, delivered.
const DROP_ORDER: [usize; 6] = [0, 5, 6, 4, 3, 2];

/// The mark of a clipped first or last bucket (`2024-W09*`), explained in a footnote.
const PARTIAL: &str = "*";

/// The grid renderer.
pub(crate) struct Grid {
    range: TimeRange,
    by: By,
    width: Option<usize>,
}

impl Grid {
    /// A grid for buckets of `by`, fitted to `width` columns when known.
    pub(crate) fn new(range: TimeRange, by: By, width: Option<usize>) -> Self {
        Self { range, by, width }
    }

    /// The label of a bucket's row: the day, the ISO week, or the month it starts in.
    fn label(&self, bucket: Bucket) -> String {
        let Ok(start) = Timestamp::from_second(bucket.start) else {
            return bucket.start.to_string();
        };
        let date = start.to_zoned(TimeZone::UTC).date();
        match self.by {
            By::Day => date.to_string(),
            By::Week => {
                let week = date.iso_week_date();
                format!("{}-W{:02}", week.year(), week.week())
            }
            By::Month => format!("{:04}-{:02}", date.year(), date.month()),
        }
    }

    fn unit(&self) -> &'static str {
        match self.by {
            By::Day => "day",
            By::Week => "week",
            By::Month => "month",
        }
    }
}

impl Render for Grid {
    fn begin(&mut self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{}", range_line(self.range))
    }

    fn campaign(
        &mut self,
        out: &mut dyn Write,
        campaign_id: i64,
        results: &Results,
    ) -> io::Result<()> {
        let mut text = format!("\ncampaign {campaign_id}, by {}\n", self.unit());
        if let Some(line) = self.all_failed(results) {
            text.push_str(&line);
            return out.write_all(text.as_bytes());
        }
        let rows: Vec<(String, Option<&CampaignStatistics>, Option<String>)> = results
            .iter()
            .map(|(bucket, outcome)| {
                // A clipped first or last bucket is marked, with a footnote below.
                let label = bucket.map_or_else(String::new, |b| {
                    let mark = if b.is_whole(self.by) { "" } else { PARTIAL };
                    format!("{}{mark}", self.label(b))
                });
                match outcome {
                    Ok(stats) => (label, Some(stats), None),
                    Err(error) => {
                        let failure = Failure::of(error);
                        let note =
                            format!("error: {} ({})", terminal(&failure.message), failure.kind);
                        (label, None, Some(note))
                    }
                }
            })
            .collect();
        let failed = rows.iter().filter(|row| row.1.is_none()).count();
        let totals: Vec<f64> = COLUMNS
            .iter()
            .map(|column| {
                // Folded from +0.0: an empty f64 sum is -0.0, which would print as "-0".
                rows.iter()
                    .filter_map(|row| row.1)
                    .map(|stats| column.value(stats))
                    .fold(0.0, |sum, value| sum + value)
            })
            .collect();
        let total_label = if failed == 0 { "total" } else { "total*" };

        // Widths: the label column, then each counter column fitted to its widest cell.
        let label_width = rows
            .iter()
            .map(|row| row.0.chars().count())
            .chain([self.unit().len(), total_label.len()])
            .max()
            .unwrap_or(0);
        let widths: Vec<usize> = COLUMNS
            .iter()
            .zip(&totals)
            .map(|(column, total)| {
                rows.iter()
                    .filter_map(|row| row.1)
                    .map(|stats| (column.text)(column.value(stats)).chars().count())
                    .chain([column.heading.len(), (column.text)(*total).chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let shown = self.fit(label_width, &widths);

        let cells = |label: &str, values: &dyn Fn(usize) -> String| {
            let mut line = format!("  {label:<label_width$}");
            for &index in &shown {
                let width = widths[index];
                line.push_str(&format!("  {:>width$}", values(index)));
            }
            line.trim_end().to_owned()
        };
        text.push_str(&cells(self.unit(), &|i| COLUMNS[i].heading.to_owned()));
        text.push('\n');
        for (label, stats, note) in &rows {
            let line = match (stats, note) {
                (Some(stats), _) => cells(label, &|i| (COLUMNS[i].text)(COLUMNS[i].value(stats))),
                (None, note) => format!(
                    "  {label:<label_width$}  {}",
                    note.as_deref().unwrap_or("error")
                ),
            };
            text.push_str(&line);
            text.push('\n');
        }
        text.push_str(&cells(total_label, &|i| (COLUMNS[i].text)(totals[i])));
        text.push('\n');
        if failed > 0 {
            text.push_str(&format!(
                "  * without the {failed} failed {}{}\n",
                self.unit(),
                if failed == 1 { "" } else { "s" }
            ));
        }
        let partial: Vec<bool> = results
            .iter()
            .map(|(bucket, _)| bucket.is_some_and(|b| !b.is_whole(self.by)))
            .collect();
        if partial.contains(&true) {
            text.push_str(&format!(
                "  {PARTIAL} partial {}: the range covers only part of it, so it is smaller than a \
                 whole one\n",
                self.unit()
            ));
        }
        if shown.len() < COLUMNS.len() {
            let left_out: Vec<&str> = (0..COLUMNS.len())
                .filter(|i| !shown.contains(i))
                .map(|i| COLUMNS[i].heading)
                .collect();
            text.push_str(&format!("  (no room for: {})\n", left_out.join(", ")));
        }

        // Sparklines, one per counter, all of them whatever the width.
        text.push('\n');
        let spark_label = COLUMNS.iter().map(|c| c.heading.len()).max().unwrap_or(0);
        let room = self.width.map_or(usize::MAX, |width| {
            width.saturating_sub(spark_label + 4).max(8)
        });
        let mut grouped = 1;
        for column in &COLUMNS {
            let values: Vec<Option<f64>> = rows
                .iter()
                .map(|row| row.1.map(|stats| column.value(stats)))
                .collect();
            let (line, group) = sparkline(&values, room);
            grouped = group;
            text.push_str(&format!("  {:<spark_label$}  {line}\n", column.heading));
        }
        // The partial buckets' marks, flagged on a line of their own under the sparklines.
        let flags: String = partial
            .chunks(grouped)
            .map(|chunk| if chunk.contains(&true) { '*' } else { ' ' })
            .collect();
        if partial.contains(&true) {
            let flags = flags.trim_end();
            text.push_str(&format!(
                "  {:<spark_label$}  {flags}\n",
                format!("{PARTIAL}partial")
            ));
        }
        if grouped > 1 {
            text.push_str(&format!(
                "  (each mark adds up {grouped} {}s)\n",
                self.unit()
            ));
        }
        out.write_all(text.as_bytes())
    }
}

impl Grid {
    /// One line instead of a grid when every bucket failed the same way (a campaign that is not
    /// a WhatsApp campaign, say): a grid of identical error rows says nothing more.
    fn all_failed(&self, results: &Results) -> Option<String> {
        let mut messages = results.iter().map(|(_, outcome)| {
            outcome.as_ref().err().map(|error| {
                let failure = Failure::of(error);
                format!("{} ({})", terminal(&failure.message), failure.kind)
            })
        });
        let first = messages.next()??;
        if !messages.all(|message| message.as_deref() == Some(first.as_str())) {
            return None;
        }
        let count = results.len();
        let unit = self.unit();
        let every = if count == 1 {
            format!("the one {unit}")
        } else {
            format!("all {count} {unit}s")
        };
        Some(format!("  error on {every}: {first}\n"))
    }

    /// The columns to show, in order: all of them, or without those [`DROP_ORDER`] names first
    /// until a row fits the terminal.
    fn fit(&self, label_width: usize, widths: &[usize]) -> Vec<usize> {
        let mut shown: Vec<usize> = (0..COLUMNS.len()).collect();
        let Some(width) = self.width else {
            return shown;
        };
        let row =
            |shown: &[usize]| 2 + label_width + shown.iter().map(|&i| 2 + widths[i]).sum::<usize>();
        for index in DROP_ORDER {
            if row(&shown) <= width {
                break;
            }
            shown.retain(|&i| i != index);
        }
        shown
    }
}

#[cfg(test)]
mod tests {
    use wa_stats_model::examples::SAMPLE_RESPONSE;

    use super::*;

    /// The headings are the model's wire names, so that the grid, the CSV and the JSON name a
    /// counter alike; a renamed field in the model fails here rather than drifting.
    #[test]
    fn headings_are_the_wire_names_of_what_they_show() {
        let statistics = CampaignStatistics::from_json(SAMPLE_RESPONSE.as_bytes()).unwrap();
        let wire: serde_json::Value = serde_json::from_str(&statistics.to_json()).unwrap();
        for column in &COLUMNS {
            let on_the_wire = wire
                .get(column.heading)
                .and_then(serde_json::Value::as_f64)
                .unwrap_or_else(|| panic!("{} is not a counter on the wire", column.heading));
            assert!(
                (column.value(&statistics) - on_the_wire).abs() < 1e-9,
                "{} shows another field",
                column.heading
            );
        }
    }

    #[test]
    fn every_column_but_one_can_be_dropped_once() {
        let mut order = DROP_ORDER.to_vec();
        order.sort_unstable();
        order.dedup();
        assert_eq!(order.len(), COLUMNS.len() - 1);
        assert!(order.iter().all(|&index| index < COLUMNS.len()));
    }
}
