//! Singer messages (SCHEMA, RECORD, STATE), the catalog `--discover` prints and the `--about`
//! description, for the one stream `daily_statistics`. The schema comes from `sync`'s columns,
//! which come from the model's counter table: integers for counters, a number for `revenue`.

use serde_json::{Map, Value, json};

use super::config::KEYS;
use crate::sync::columns::{Cell, Column, Kind, Row};

/// The stream's name, as `sync`'s table.
pub(crate) const STREAM: &str = "daily_statistics";

/// The stream's JSON Schema: `campaign_id`, `day` (`format: date`), one property per column,
/// `extra` (what has no column, as JSON text).
pub(crate) fn schema(columns: &[Column]) -> Value {
    let mut properties = Map::new();
    properties.insert("campaign_id".into(), json!({"type": "integer"}));
    properties.insert("day".into(), json!({"type": "string", "format": "date"}));
    for column in columns {
        let kind = match column.kind {
            Kind::Integer => "integer",
            Kind::Real => "number",
        };
        // A counter of an object the answer may lack (a response summary) can be null.
        let nullable = column.path.contains('.');
        let types = if nullable {
            json!([kind, "null"])
        } else {
            json!(kind)
        };
        properties.insert(column.name.clone(), json!({ "type": types }));
    }
    properties.insert("extra".into(), json!({"type": ["string", "null"]}));
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["campaign_id", "day"],
        "properties": properties,
    })
}

/// The SCHEMA message.
pub(crate) fn schema_message(columns: &[Column]) -> Value {
    json!({
        "type": "SCHEMA",
        "stream": STREAM,
        "schema": schema(columns),
        "key_properties": ["campaign_id", "day"],
        "bookmark_properties": ["day"],
    })
}

/// A RECORD message for one stored day.
pub(crate) fn record_message(
    columns: &[Column],
    campaign_id: i64,
    day: &str,
    row: &Row,
    extracted: &str,
) -> Value {
    let mut record = Map::new();
    record.insert("campaign_id".into(), json!(campaign_id));
    record.insert("day".into(), json!(day));
    for (column, cell) in columns.iter().zip(&row.cells) {
        let value = match *cell {
            Cell::Null => Value::Null,
            Cell::Integer(n) => json!(n),
            Cell::Real(x) => serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number),
        };
        record.insert(column.name.clone(), value);
    }
    record.insert(
        "extra".into(),
        row.extra.clone().map_or(Value::Null, Value::String),
    );
    json!({
        "type": "RECORD",
        "stream": STREAM,
        "record": record,
        "time_extracted": extracted,
    })
}

/// A STATE message.
pub(crate) fn state_message(state: &Value) -> Value {
    json!({"type": "STATE", "value": state})
}

/// The catalog `--discover` prints: the stream, its schema, and the metadata Singer and Meltano
/// read (`selected`, `replication-method`, `table-key-properties`, …).
pub(crate) fn catalog(columns: &[Column]) -> Value {
    let schema = schema(columns);
    let mut metadata = vec![json!({
        "breadcrumb": [],
        "metadata": {
            "selected": true,
            "inclusion": "available",
            "table-key-properties": ["campaign_id", "day"],
            "valid-replication-keys": ["day"],
            "replication-key": "day",
            "replication-method": "INCREMENTAL",
            "forced-replication-method": "INCREMENTAL",
        }
    })];
    if let Some(properties) = schema["properties"].as_object() {
        for name in properties.keys() {
            let inclusion = if name == "campaign_id" || name == "day" {
                "automatic"
            } else {
                "available"
            };
            metadata.push(json!({
                "breadcrumb": ["properties", name],
                "metadata": {"inclusion": inclusion, "selected-by-default": true},
            }));
        }
    }
    json!({
        "streams": [{
            "tap_stream_id": STREAM,
            "stream": STREAM,
            "schema": schema,
            "key_properties": ["campaign_id", "day"],
            "replication_key": "day",
            "replication_method": "INCREMENTAL",
            "metadata": metadata,
        }]
    })
}

/// Whether `catalog` (a `--catalog` file) selects the stream; a catalog without it, or without
/// a `selected` flag, selects it (Singer's default for a tap with one stream).
pub(crate) fn selected(catalog: &Value) -> bool {
    let Some(streams) = catalog["streams"].as_array() else {
        return true;
    };
    let Some(stream) = streams
        .iter()
        .find(|s| s["tap_stream_id"] == STREAM || s["stream"] == STREAM)
    else {
        return false;
    };
    let top = stream["metadata"]
        .as_array()
        .and_then(|entries| {
            entries
                .iter()
                .find(|entry| entry["breadcrumb"].as_array().is_some_and(Vec::is_empty))
        })
        .map(|entry| &entry["metadata"]);
    match top.and_then(|m| m.get("selected")).and_then(Value::as_bool) {
        Some(selected) => selected,
        None => stream
            .get("selected")
            .and_then(Value::as_bool)
            .unwrap_or(true),
    }
}

/// `--about`: the tap's name, capabilities and settings, as Meltano's SDK taps describe
/// themselves.
pub(crate) fn about(columns: &[Column]) -> Value {
    let settings: Vec<Value> = KEYS
        .iter()
        .map(|(name, _, secret, description)| {
            let kind = match *name {
                "campaign_ids" => "array",
                "lookback_days" | "rate_limit" => "integer",
                "start_date" | "end_date" => "date_iso8601",
                _ => "string",
            };
            json!({"name": name, "kind": kind, "description": description, "secret": secret})
        })
        .collect();
    json!({
        "name": "tap-wa-stats",
        "description": "Daily statistics of Insider WhatsApp campaigns, reconciled: only new or changed days are emitted",
        "version": env!("CARGO_PKG_VERSION"),
        "capabilities": ["catalog", "discover", "state", "about"],
        "settings": settings,
        "streams": [{"name": STREAM, "key_properties": ["campaign_id", "day"], "replication_key": "day", "columns": columns.len() + 3}],
    })
}

/// `--about --format markdown`.
pub(crate) fn about_markdown() -> String {
    let mut text = String::from(
        "# tap-wa-stats\n\nDaily statistics of Insider WhatsApp campaigns, one record per \
         campaign and UTC day (stream `daily_statistics`, key `campaign_id`, `day`; replication \
         key `day`). A first run emits every day of the range, zero days included; later runs \
         emit only days that are new or changed. Capabilities: catalog, discover, state, about.\n\n\
         ## Settings\n\n| key | secret | what |\n| --- | --- | --- |\n",
    );
    for (name, _, secret, description) in KEYS {
        text.push_str(&format!(
            "| `{name}` | {} | {description} |\n",
            if *secret { "yes" } else { "no" }
        ));
    }
    text
}
