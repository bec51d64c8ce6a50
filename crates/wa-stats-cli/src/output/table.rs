//! `--format table` (the default): one aligned block per campaign, for a person at a terminal.
//!
//! The counters come in funnel order (targeted → dropped → sent → delivered → opened → clicked)
//! with the rates a reader would otherwise work out by hand; then the non-zero drop and
//! undelivered reasons, the conversational buttons and response summary when present, and any
//! field this version does not know. Every value sits in the same column in every block, so the
//! table streams one campaign at a time and still lines up.

use std::io::{self, Write};

use wa_stats_client::TimeRange;
use wa_stats_model::CampaignStatistics;
use wa_stats_model::ResponseCard;
use wa_stats_model::validation::DEFAULT_START_TIME;

use super::ordered::{Node, fields, words};
use super::{Failure, Outcome, Render};
use crate::escape::terminal;
use crate::fetch::Results;
use crate::series::rfc3339;

/// Width of the label column, indentation included.
const LABEL: usize = 34;
/// Width of the value column.
const VALUE: usize = 10;

/// The table renderer.
pub(crate) struct Table {
    range: TimeRange,
}

impl Table {
    pub(crate) fn new(range: TimeRange) -> Self {
        Self { range }
    }
}

impl Render for Table {
    fn begin(&mut self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{}", range_line(self.range))
    }

    fn campaign(
        &mut self,
        out: &mut dyn Write,
        campaign_id: i64,
        results: &Results,
    ) -> io::Result<()> {
        let mut text = format!("\ncampaign {campaign_id}\n");
        // Without --by there is exactly one result: the whole range.
        for (_, outcome) in results {
            outcome_block(&mut text, outcome);
        }
        out.write_all(text.as_bytes())
    }
}

/// The line that opens a table: the range asked for, as RFC 3339.
pub(super) fn range_line(range: TimeRange) -> String {
    match (range.start, range.end) {
        (None, None) => format!(
            "range: whole lifetime ({} to now)",
            rfc3339(DEFAULT_START_TIME)
        ),
        (start, None) => format!(
            "range: {} to now",
            rfc3339(start.unwrap_or(DEFAULT_START_TIME))
        ),
        (start, Some(end)) => format!(
            "range: {} to {} (end excluded)",
            rfc3339(start.unwrap_or(DEFAULT_START_TIME)),
            rfc3339(end)
        ),
    }
}

/// A campaign's block, or its error line.
fn outcome_block(text: &mut String, outcome: &Outcome) {
    {
        match outcome {
            Ok(stats) => block(text, stats),
            Err(error) => {
                let failure = Failure::of(error);
                text.push_str(&format!(
                    "  error: {} ({})\n",
                    terminal(&failure.message),
                    failure.kind
                ));
            }
        }
    }
}

/// A counter line: label, value, and the whole it is a rate of (value, name).
type Counter<'a> = (&'a str, u64, Option<(u64, &'a str)>);

/// The block of one campaign's statistics.
fn block(text: &mut String, s: &CampaignStatistics) {
    let counters: [Counter<'_>; 10] = [
        ("targeted", s.targeted, None),
        ("drop", s.drop, Some((s.targeted, "targeted"))),
        ("sent", s.sent, Some((s.targeted, "targeted"))),
        ("delivered", s.delivered, Some((s.sent, "sent"))),
        ("undelivered", s.undelivered, Some((s.sent, "sent"))),
        (
            "delivery pending",
            s.delivery_pending,
            Some((s.sent, "sent")),
        ),
        ("open", s.open, Some((s.delivered, "delivered"))),
        ("click", s.click, Some((s.delivered, "delivered"))),
        ("conversion", s.conversion, Some((s.delivered, "delivered"))),
        (
            "unsubscribe",
            s.unsubscribe,
            Some((s.delivered, "delivered")),
        ),
    ];
    for (label, value, of) in counters {
        let rate = of.and_then(|(whole, name)| {
            // No rate out of nothing, and none for a zero that would only add noise.
            (whole > 0 && value > 0).then(|| {
                #[allow(clippy::cast_precision_loss, reason = "a rate to one decimal place")]
                let percent = value as f64 * 100.0 / whole as f64;
                format!("{percent:5.1}% of {name}")
            })
        });
        line(text, 2, label, &thousands(value), rate.as_deref());
    }
    line(text, 2, "revenue", &revenue(s.revenue), None);

    let wire = fields(s);
    let object = |name: &str| {
        wire.iter().find_map(|(key, node)| match node {
            Node::Object(inner) if key == name => Some(inner),
            _ => None,
        })
    };
    for (name, heading) in [
        ("dropDetails", "drop reasons"),
        ("undeliveredDetails", "undelivered reasons"),
    ] {
        if let Some(reasons) = object(name) {
            reason_lines(text, heading, reasons);
        }
    }
    if let Some(cards) = &s.responses {
        buttons(text, cards);
    }
    if let Some(summary) = object("responseSummary") {
        text.push_str("  response summary\n");
        for (key, value) in summary {
            line(text, 4, &words(key), &leaf(value), None);
        }
    }
    let known = |key: &str| {
        matches!(
            key,
            "dropDetails" | "undeliveredDetails" | "responses" | "responseSummary"
        )
    };
    let extra: Vec<_> = s.extra.iter().filter(|(key, _)| !known(key)).collect();
    if !extra.is_empty() {
        text.push_str("  other fields\n");
        for (key, value) in extra {
            let shown = match value {
                serde_json::Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            line(text, 4, &words(key), &shown, None);
        }
    }
}

/// A reasons section: only the non-zero reasons, or `none`.
fn reason_lines(text: &mut String, heading: &str, reasons: &[(String, Node)]) {
    let nonzero: Vec<_> = reasons
        .iter()
        .filter(|(_, node)| !matches!(node, Node::Leaf(value) if value.as_f64() == Some(0.0)))
        .collect();
    if nonzero.is_empty() {
        line(text, 2, heading, "none", None);
        return;
    }
    text.push_str(&format!("  {heading}\n"));
    for (key, value) in nonzero {
        line(text, 4, &words(key), &leaf(value), None);
    }
}

/// The conversational buttons as a small table of their own.
fn buttons(text: &mut String, cards: &[ResponseCard]) {
    let header = [
        "card",
        "button",
        "sent",
        "delivered",
        "open",
        "click",
        "conversion",
        "revenue",
        "no reply",
    ];
    let rows: Vec<[String; 9]> = cards
        .iter()
        .map(|card| {
            [
                card.card_id.to_string(),
                card.button_name.clone(),
                thousands(card.sent),
                thousands(card.delivered),
                thousands(card.open),
                thousands(card.click),
                thousands(card.conversion),
                revenue(card.revenue),
                if card.is_no_reply_message {
                    "yes"
                } else {
                    "no"
                }
                .to_owned(),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    text.push_str("  buttons\n");
    let header = header.map(str::to_owned);
    for row in std::iter::once(&header).chain(&rows) {
        let mut out = String::from("  ");
        for (column, (cell, &width)) in row.iter().zip(&widths).enumerate() {
            let pad = width - cell.chars().count();
            out.push_str("  ");
            // The button name and the yes/no column read left to right; numbers line up right.
            if column == 1 || column == 8 {
                out.push_str(cell);
                out.push_str(&" ".repeat(pad));
            } else {
                out.push_str(&" ".repeat(pad));
                out.push_str(cell);
            }
        }
        text.push_str(out.trim_end());
        text.push('\n');
    }
}

/// One `label  value  note` line, the value right-aligned in its column.
fn line(text: &mut String, indent: usize, label: &str, value: &str, note: Option<&str>) {
    // Labels and values may be a server's own (unknown fields, unknown reasons).
    let (label, value) = (terminal(label), terminal(value));
    let label_width = LABEL.saturating_sub(indent);
    let mut out = format!("{:indent$}{label:<label_width$}{value:>VALUE$}", "");
    if let Some(note) = note {
        out.push_str("  ");
        out.push_str(note);
    }
    text.push_str(out.trim_end());
    text.push('\n');
}

/// A wire value for the table: integers with thousands separators, anything else as written.
fn leaf(node: &Node) -> String {
    match node {
        Node::Leaf(serde_json::Value::Number(number)) => number
            .as_u64()
            .map_or_else(|| number.to_string(), thousands),
        other => other.cell(),
    }
}

/// `1234567` → `1,234,567`.
pub(super) fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Revenue grouped like the counters: as an integer when it is one, else with two decimals (a
/// currency amount). Beyond 10^15 it is shown as written.
pub(super) fn revenue(value: f64) -> String {
    if !value.is_finite() || value.abs() >= 1e15 {
        return value.to_string();
    }
    let fixed = if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    };
    let (sign, unsigned) = fixed
        .strip_prefix('-')
        .map_or(("", fixed.as_str()), |rest| ("-", rest));
    let (whole, fraction) = unsigned
        .split_once('.')
        .map_or((unsigned, None), |(w, f)| (w, Some(f)));
    let grouped = whole
        .parse::<u64>()
        .map_or_else(|_| whole.to_owned(), thousands);
    match fraction {
        Some(fraction) => format!("{sign}{grouped}.{fraction}"),
        None => format!("{sign}{grouped}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_and_unknown_reasons_are_shown() {
        let stats = CampaignStatistics::from_json(
            br#"{"sent":2,"delivered":2,"revenue":12.5,"newCounter":7,
                 "dropDetails":{"brandNewReason":3}}"#,
        )
        .unwrap();
        let mut out = Vec::new();
        Table::new(TimeRange::default())
            .campaign(&mut out, 9, &vec![(None, Ok(stats))])
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\n    brand new reason "), "{text}");
        assert!(text.contains("  other fields\n    new counter "), "{text}");
        assert!(text.contains("12.50\n"), "{text}");
        assert!(
            text.contains("delivered") && text.contains("100.0% of sent"),
            "{text}"
        );
    }

    #[test]
    fn numbers_for_people() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(revenue(0.0), "0");
        assert_eq!(revenue(1234.5), "1,234.50");
        assert_eq!(revenue(-0.5), "-0.50");
        assert_eq!(revenue(-3.0), "-3");
    }
}
