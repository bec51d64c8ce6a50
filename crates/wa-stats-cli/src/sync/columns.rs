//! The columns of `daily_statistics`, derived from the model: names and order from the wire JSON
//! of a statistics body with every object present (as the CSV's columns are), SQL types from the
//! model's JSON Schema. A counter the model gains becomes a column without a change here.

use serde_json::{Map, Value};
use wa_stats_model::CampaignStatistics;
use wa_stats_model::schema::response_schema;
use wa_stats_model::statistics::COUNTERS;
use wa_stats_model::{DropDetails, ResponseSummary, UndeliveredDetails};

use crate::output::ordered::flat;

/// The SQL type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A counter: a whole number.
    Integer,
    /// A fractional number (`revenue`), kept bit for bit as a double.
    Real,
}

/// One counter column: the snake_case name and the wire path it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Column {
    /// `drop_details_frequency_capped`.
    pub(crate) name: String,
    /// `dropDetails.frequencyCapped`.
    pub(crate) path: String,
    /// Its place in the model's table of counters; `None` for `revenue`, the one number that is
    /// not a counter.
    pub(crate) counter: Option<usize>,
    /// Its SQL type.
    pub(crate) kind: Kind,
}

/// A cell: a value of a counter column, or NULL when the answer had no such object.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cell {
    /// Absent (e.g. no `responseSummary` for a campaign that is not conversational).
    Null,
    /// A whole number.
    Integer(i64),
    /// A fractional number.
    Real(f64),
}

impl Cell {
    /// Equal as stored: doubles compared bit for bit, so that `-0.0` and `0.0` differ as they
    /// do on the wire and NaN (never sent) cannot make a row look changed forever.
    pub(crate) fn same(self, other: Self) -> bool {
        match (self, other) {
            (Self::Real(a), Self::Real(b)) => a.to_bits() == b.to_bits(),
            (a, b) => a == b,
        }
    }
}

/// One day of one campaign as stored: the counter cells in column order and what has no
/// column (the conversational cards, unknown fields) as a JSON object, or `None`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    /// In the order of [`columns`].
    pub(crate) cells: Vec<Cell>,
    /// `{"responses": […], "someNewField": …}`, compact, when the answer had any such field.
    pub(crate) extra: Option<String>,
}

impl Row {
    /// Whether the stored values are the same (the fetch time aside).
    pub(crate) fn same(&self, other: &Self) -> bool {
        // `extra` as JSON values: PostgreSQL's jsonb gives back the same value in its own layout.
        let extra = |text: &Option<String>| {
            text.as_deref().map(|text| {
                serde_json::from_str::<Value>(text).unwrap_or(Value::String(text.to_owned()))
            })
        };
        extra(&self.extra) == extra(&other.extra)
            && self.cells.len() == other.cells.len()
            && self.cells.iter().zip(&other.cells).all(|(a, b)| a.same(*b))
    }
}

/// `dropDetails.frequencyCapped` → `drop_details_frequency_capped`.
pub(crate) fn snake(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 8);
    for ch in path.chars() {
        if ch == '.' {
            out.push('_');
        } else if ch.is_ascii_uppercase() {
            out.push('_');
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

/// Every counter column, in the model's wire order.
pub(crate) fn columns() -> Vec<Column> {
    let mut template = CampaignStatistics::default();
    template.drop_details = Some(DropDetails::default());
    template.undelivered_details = Some(UndeliveredDetails::default());
    template.response_summary = Some(ResponseSummary::default());
    let schema = serde_json::to_value(response_schema()).unwrap_or(Value::Null);
    flat(&template)
        .into_iter()
        .map(|(path, _)| Column {
            name: snake(&path),
            kind: kind_in(&schema, &path),
            counter: COUNTERS.iter().position(|counter| {
                let (object, name) = path
                    .split_once('.')
                    .map_or((None, path.as_str()), |(o, n)| (Some(o), n));
                counter.group().object() == object && counter.name == name
            }),
            path,
        })
        .collect()
}

/// The type the schema gives `path` (`field` or `object.field`); a number when it says nothing
/// more precise, which holds any counter.
fn kind_in(schema: &Value, path: &str) -> Kind {
    let mut node = schema;
    for key in path.split('.') {
        node = resolve(schema, node);
        node = &node["properties"][key];
    }
    match resolve(schema, node)["type"].as_str() {
        Some("integer") => Kind::Integer,
        _ => Kind::Real,
    }
}

/// Follows a `#/$defs/Name` reference (also inside `anyOf`, as an `Option` is written).
fn resolve<'a>(schema: &'a Value, node: &'a Value) -> &'a Value {
    let reference = node["$ref"].as_str().or_else(|| {
        node["anyOf"]
            .as_array()
            .and_then(|options| options.iter().find_map(|o| o["$ref"].as_str()))
    });
    match reference.and_then(|r| r.strip_prefix("#/$defs/")) {
        Some(name) => &schema["$defs"][name],
        None => node,
    }
}

/// A day's answer as a row: each counter read through the model's table, `revenue` as it came;
/// `Err` names a counter too large for a database integer.
pub(crate) fn row(columns: &[Column], stats: &CampaignStatistics) -> Result<Row, String> {
    let mut cells = Vec::with_capacity(columns.len());
    for column in columns {
        cells.push(match column.counter {
            None => Cell::Real(stats.revenue),
            Some(at) => match COUNTERS[at].get(stats) {
                None => Cell::Null,
                Some(value) => Cell::Integer(i64::try_from(value).map_err(|_| {
                    format!(
                        "`{}` is {value}, more than a database integer holds",
                        column.path
                    )
                })?),
            },
        });
    }
    let has_more = stats.responses.is_some()
        || !stats.extra.is_empty()
        || stats
            .drop_details
            .as_ref()
            .is_some_and(|d| !d.extra.is_empty())
        || stats
            .undelivered_details
            .as_ref()
            .is_some_and(|d| !d.extra.is_empty())
        || stats
            .response_summary
            .as_ref()
            .is_some_and(|d| !d.extra.is_empty());
    if !has_more {
        return Ok(Row { cells, extra: None });
    }
    // What has no column, kept whole so that nothing the server said is lost.
    let mut extra = match serde_json::from_str::<Value>(&stats.to_json()) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    for column in columns {
        match column.path.split_once('.') {
            None => {
                extra.remove(&column.path);
            }
            Some((object, key)) => {
                if let Some(Value::Object(inner)) = extra.get_mut(object) {
                    inner.remove(key);
                    if inner.is_empty() {
                        extra.remove(object);
                    }
                }
            }
        }
    }
    Ok(Row {
        cells,
        extra: (!extra.is_empty()).then(|| Value::Object(extra).to_string()),
    })
}

/// A stored row read back as the answer it was stored from: each cell at its wire path (a NULL
/// cell's object absent), what had no column from `extra`. `None` when the row cannot be read
/// (a cell or `extra` someone else wrote): the planner then treats the day as not stored.
pub(crate) fn statistics(columns: &[Column], row: &Row) -> Option<CampaignStatistics> {
    let mut body = match row.extra.as_deref().map(serde_json::from_str::<Value>) {
        None => Map::new(),
        Some(Ok(Value::Object(map))) => map,
        Some(_) => return None,
    };
    for (column, cell) in columns.iter().zip(&row.cells) {
        let value = match *cell {
            Cell::Null => continue,
            Cell::Integer(n) => Value::from(u64::try_from(n).ok()?),
            Cell::Real(x) => Value::from(serde_json::Number::from_f64(x)?),
        };
        match column.path.split_once('.') {
            None => {
                body.insert(column.path.clone(), value);
            }
            Some((object, key)) => {
                let inner = body
                    .entry(object.to_owned())
                    .or_insert_with(|| Value::Object(Map::new()));
                inner.as_object_mut()?.insert(key.to_owned(), value);
            }
        }
    }
    CampaignStatistics::from_json(Value::Object(body).to_string().as_bytes()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_reads_back_as_the_answer_it_was_stored_from() {
        let columns = columns();
        for body in [
            wa_stats_model::examples::SAMPLE_RESPONSE.to_owned(),
            wa_stats_model::examples::conversational_response().to_string(),
            r#"{"sent":3,"revenue":0.1,"brandNew":[1],"dropDetails":{"duplicates":1}}"#.to_owned(),
        ] {
            let stats = CampaignStatistics::from_json(body.as_bytes()).unwrap();
            let stored = row(&columns, &stats).unwrap();
            let back = statistics(&columns, &stored).unwrap();
            assert_eq!(row(&columns, &back).unwrap(), stored, "{body}");
        }
    }

    #[test]
    fn names_are_the_wire_paths_in_snake_case() {
        let columns = columns();
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        for expected in [
            "sent",
            "delivery_pending",
            "drop_details_frequency_capped",
            "undelivered_details_meta_errors",
            "response_summary_button_click",
        ] {
            assert!(names.contains(&expected), "{expected} in {names:?}");
        }
        let revenue = columns.iter().find(|c| c.name == "revenue").unwrap();
        assert_eq!(revenue.kind, Kind::Real);
        assert_eq!(revenue.counter, None);
        // Every other column is read through the model's table.
        for column in columns.iter().filter(|c| c.name != "revenue") {
            assert!(
                column.counter.is_some(),
                "{} is not in the table",
                column.path
            );
        }
        assert!(
            columns
                .iter()
                .filter(|c| c.name != "revenue")
                .all(|c| c.kind == Kind::Integer)
        );
    }

    #[test]
    fn a_row_keeps_what_has_no_column() {
        let columns = columns();
        let stats = CampaignStatistics::from_json(
            br#"{"sent":3,"delivered":3,"revenue":1.5,"brandNew":7,"dropDetails":{"frequencyCapped":0,"newReason":2}}"#,
        )
        .unwrap();
        let row = row(&columns, &stats).unwrap();
        let at = |name: &str| row.cells[columns.iter().position(|c| c.name == name).unwrap()];
        assert_eq!(at("sent"), Cell::Integer(3));
        assert_eq!(at("revenue"), Cell::Real(1.5));
        assert_eq!(at("response_summary_sent"), Cell::Null);
        let extra: Value = serde_json::from_str(row.extra.as_deref().unwrap()).unwrap();
        assert_eq!(extra["brandNew"], 7);
        assert_eq!(extra["dropDetails"]["newReason"], 2);
    }
}
