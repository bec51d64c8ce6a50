//! What the tolerant reading fills in (R10), read from the model's schemas.

use schemars::{SchemaGenerator, generate::SchemaSettings};
use serde_json::{Map, Value};
use wa_stats_model::CampaignStatistics;

/// What the tolerant reading fills in (R10): for each object type of the success body, every
/// field that reads as a default when absent, with that default (taken from the `default`s of the
/// reader's schema, before `schema::response_schema` makes those fields required); and for each
/// property of the body that holds a nested object (or a list of them), that object's type; and
/// the nested properties the canonical schema requires (the reason breakdowns), which the reading
/// fills with zeros when a body leaves them out or sends `null`.
pub(crate) fn tolerant_reading() -> (Map<String, Value>, Map<String, Value>, Vec<Value>) {
    let schema = SchemaGenerator::new(SchemaSettings::draft2020_12())
        .into_root_schema_for::<CampaignStatistics>()
        .to_value();
    let defaults_of = |def: &Value| -> Value {
        let mut defaults = Map::new();
        for (name, property) in def["properties"].as_object().into_iter().flatten() {
            if let Some(default) = property.get("default") {
                defaults.insert(name.clone(), default.clone());
            }
        }
        Value::Object(defaults)
    };
    let mut defaults = Map::new();
    defaults.insert("CampaignStatistics".to_owned(), defaults_of(&schema));
    for (name, def) in schema["$defs"].as_object().into_iter().flatten() {
        defaults.insert(name.clone(), defaults_of(def));
    }
    let mut nested = Map::new();
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        let reference = [
            &property["$ref"],
            &property["items"]["$ref"],
            &property["anyOf"][0]["$ref"],
        ]
        .into_iter()
        .find_map(Value::as_str);
        if let Some(reference) = reference.and_then(|r| r.strip_prefix("#/$defs/")) {
            nested.insert(name.clone(), Value::from(reference));
        }
    }
    let canonical = wa_stats_model::schema::response_schema().to_value();
    let filled = canonical["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|name| name.as_str().is_some_and(|name| nested.contains_key(name)))
        .cloned()
        .collect();
    (defaults, nested, filled)
}
