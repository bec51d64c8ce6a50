//! The tap's Singer state: per campaign, the range of complete days (as `sync_state`) and the
//! values of the days in its lookback window that are not zero, which is what the next run needs
//! to re-check the window by reconciliation and to emit only the days that changed.
//!
//! Size: a campaign's entry holds two dates and at most `lookback_days` rows, each an array of
//! the column values (about 40 numbers); so at most about 40 + lookback × 400 bytes (12 KB for
//! the default 28 days, all active), and 60 bytes for a campaign quiet in its window.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use wa_stats_client::model::CampaignStatistics;

use crate::sync::columns::{self, Cell, Column, Row};
use crate::sync::plan::{Day, Span, day_text, parse_day};

/// One campaign's state.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct CampaignState {
    /// The range of complete days.
    pub(crate) span: Option<Span>,
    /// The window's days that are not zero, as stored rows.
    pub(crate) window: BTreeMap<Day, Row>,
}

/// A fingerprint of the columns, so that a state written before the model gained a counter is
/// not read as if its rows had today's columns (FNV-1a over the names).
fn columns_id(columns: &[Column]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in columns.iter().flat_map(|c| c.name.bytes().chain([0])) {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// Reads the state's campaigns; a state of another shape or of other columns reads as none
/// (the next run then checks every day again: never wrong, only dearer).
pub(crate) fn read(state: &Value, columns: &[Column]) -> BTreeMap<i64, CampaignState> {
    let stream = &state["bookmarks"][super::singer::STREAM];
    let mut campaigns = BTreeMap::new();
    let Some(entries) = stream["campaigns"].as_object() else {
        return campaigns;
    };
    let same_columns = stream["columns"].as_str() == Some(columns_id(columns).as_str());
    for (id, entry) in entries {
        let Ok(id) = id.parse::<i64>() else { continue };
        let day = |key: &str| {
            entry[key]
                .as_str()
                .and_then(|text| parse_day("day", text).ok())
                .map(|(d, _)| d)
        };
        let span = match (day("first_day"), day("last_day")) {
            (Some(from), Some(last)) if last >= from => Some(Span { from, to: last + 1 }),
            _ => None,
        };
        let mut window = BTreeMap::new();
        if same_columns {
            if let Some(days) = entry["window"].as_object() {
                for (text, cells) in days {
                    let (Ok((day, _)), Some(row)) =
                        (parse_day("day", text), row_of(cells, columns))
                    else {
                        continue;
                    };
                    window.insert(day, row);
                }
            }
        } else if span.is_some() {
            // Rows of other columns cannot be compared: forget the span too, so that the next
            // run emits every day again rather than trusting what it cannot read.
            continue;
        }
        campaigns.insert(id, CampaignState { span, window });
    }
    campaigns
}

fn row_of(cells: &Value, columns: &[Column]) -> Option<Row> {
    let values = cells.as_array()?;
    if values.len() != columns.len() + 1 {
        return None;
    }
    let mut row = Row {
        cells: Vec::with_capacity(columns.len()),
        extra: None,
    };
    for value in &values[..columns.len()] {
        row.cells.push(match value {
            Value::Null => Cell::Null,
            Value::Number(n) => match n.as_i64() {
                Some(i) if !n.is_f64() => Cell::Integer(i),
                _ => Cell::Real(n.as_f64()?),
            },
            _ => return None,
        });
    }
    row.extra = values[columns.len()].as_str().map(str::to_owned);
    Some(row)
}

fn cells_of(row: &Row) -> Value {
    let mut values: Vec<Value> = row
        .cells
        .iter()
        .map(|cell| match *cell {
            Cell::Null => Value::Null,
            Cell::Integer(n) => json!(n),
            Cell::Real(x) => serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number),
        })
        .collect();
    values.push(row.extra.clone().map_or(Value::Null, Value::String));
    Value::Array(values)
}

/// The whole state, to emit.
pub(crate) fn write(campaigns: &BTreeMap<i64, CampaignState>, columns: &[Column]) -> Value {
    let mut entries = Map::new();
    for (id, campaign) in campaigns {
        let Some(span) = campaign.span else { continue };
        let window: Map<String, Value> = campaign
            .window
            .iter()
            .map(|(day, row)| (day_text(*day), cells_of(row)))
            .collect();
        entries.insert(
            id.to_string(),
            json!({
                "first_day": day_text(span.from),
                "last_day": day_text(span.to - 1),
                "window": window,
            }),
        );
    }
    json!({
        "bookmarks": {
            super::singer::STREAM: {
                "columns": columns_id(columns),
                "campaigns": entries,
            }
        }
    })
}

/// Whether a stored row is all zeros (not kept in the window: a missing day in the span is zero).
pub(crate) fn is_zero(row: &Row) -> bool {
    row.extra.is_none()
        && row.cells.iter().all(|cell| match *cell {
            Cell::Null => true,
            Cell::Integer(n) => n == 0,
            Cell::Real(x) => x == 0.0,
        })
}

/// The stored value of `day` for the planner: the window's row, or zero (a day of the span not in
/// the window was zero); `template` gives a zero day its shape.
pub(crate) fn expected(
    campaign: &CampaignState,
    day: Day,
    columns: &[Column],
    zero: &CampaignStatistics,
) -> Option<CampaignStatistics> {
    match campaign.window.get(&day) {
        Some(row) => columns::statistics(columns, row),
        None => Some(zero.clone()),
    }
}
