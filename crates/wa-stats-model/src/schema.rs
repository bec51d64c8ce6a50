//! JSON Schema (draft 2020-12) export of the wire types, with the documented constraints.

use schemars::{JsonSchema, Schema, SchemaGenerator, generate::SchemaSettings, json_schema};
use serde_json::Value;

use crate::error::{CodedErrorBody, FieldErrorsBody, MessageBody, RateLimitedBody};
use crate::validation::{MAX_UNIX_SECONDS, MIN_UNIX_SECONDS};
use crate::{CampaignStatistics, CampaignStatisticsRequest};

/// Schema of `start_time` / `end_time`: a 10-digit Unix timestamp, or 0 / `null` / absent for
/// "not given" (R5).
pub(crate) fn optional_unix_seconds(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "anyOf": [
            {
                "type": "integer",
                "minimum": MIN_UNIX_SECONDS,
                "maximum": MAX_UNIX_SECONDS,
                "description": "A 10-digit Unix timestamp in seconds."
            },
            { "const": 0, "description": "Not given: the default applies." },
            { "type": "null", "description": "Not given: the default applies." }
        ]
    })
}

/// Any error body the API documents (R11), for the error schema.
#[derive(JsonSchema)]
#[schemars(untagged)]
#[schemars(
    title = "ErrorResponse",
    description = "An error answer of the WhatsApp campaign statistics API, in one of its documented shapes."
)]
#[allow(dead_code, reason = "exists only to derive the union's schema")]
enum ErrorResponseSchema {
    /// 400 `3001`/`3002` (with `errors`), 400 `3004` and 403 `3007` (without).
    Coded(CodedErrorBody),
    /// 422: downstream field validation.
    FieldErrors(FieldErrorsBody),
    /// 429: rate limited.
    RateLimited(RateLimitedBody),
    /// 401, 404, 405 and the token endpoint's errors.
    Message(MessageBody),
}

fn root_schema_for<T: JsonSchema>() -> Schema {
    let mut schema =
        SchemaGenerator::new(SchemaSettings::draft2020_12()).into_root_schema_for::<T>();
    if let Some(map) = schema.as_object_mut() {
        let mut object = Value::Object(std::mem::take(map));
        tidy_descriptions(&mut object);
        if let Value::Object(tidied) = object {
            *map = tidied;
        }
    }
    schema
}

/// Schema of the request body in its canonical form, as a client writes it: `start_time` and
/// `end_time` are 10-digit timestamps or absent. The server's tolerance of `0` and `null` for "not
/// given" (R5) is in the OpenAPI document, which describes what the server accepts.
pub fn request_schema() -> Schema {
    let mut schema = root_schema_for::<CampaignStatisticsRequest>();
    if let Some(Value::Object(properties)) = schema.get_mut("properties") {
        for name in ["start_time", "end_time"] {
            if let Some(Value::Object(property)) = properties.get_mut(name)
                && let Some(Value::Array(choices)) = property.remove("anyOf")
                // The first choice is the 10-digit range; the others are R5's "not given".
                && let Some(Value::Object(range)) = choices.into_iter().next()
            {
                for (key, item) in range {
                    property.entry(key).or_insert(item);
                }
            }
        }
    }
    canonical(schema)
}

/// Schema of the success body in its canonical form: the flat object of the vendor page's Sample
/// Response, which is what the mock sends and what [`CampaignStatistics`] writes. Every counter is
/// required and none is nullable, so that generated types have plain required fields; the
/// details, `responses` and `responseSummary` may be absent but are never `null`.
///
/// What readers accept beyond it (the `{"data":{"statistics":…}}` envelope, `read` for `open`,
/// absent counters as 0) is the tolerant reading of R10, which [`CampaignStatistics`]'s
/// `Deserialize` implements and which each binding under `bindings/` implements in a few lines
/// (docs/bindings.md) and the OpenAPI document describes in its text. Both reason breakdowns are
/// required; an absent one reads as zeros.
pub fn response_schema() -> Schema {
    let mut schema = root_schema_for::<CampaignStatistics>();
    if let Some(map) = schema.as_object_mut() {
        map.insert(
            "description".to_owned(),
            Value::from(CANONICAL_RESPONSE_DESCRIPTION),
        );
    }
    let mut schema = canonical(schema);
    if let Some(Value::Array(required)) = schema.get_mut("required") {
        required.extend(ALWAYS_SENT_BREAKDOWNS.map(Value::from));
    }
    schema
}

/// The reason breakdowns every canonical body carries (R10: the API sends every field, and the
/// mock does, zeros included). A tolerant reader fills an absent one with zeros, so that a value of
/// the canonical type always has both; `responses` and `responseSummary` belong to conversational
/// campaigns only and stay optional.
const ALWAYS_SENT_BREAKDOWNS: [&str; 2] = ["dropDetails", "undeliveredDetails"];

/// The canonical success body's types as OpenAPI components: [`response_schema`]'s root as
/// `CampaignStatistics` and each of its `$defs` under its own name, references rewritten to
/// `#/components/schemas/`. The OpenAPI document's 200 answers use them, so that a client
/// generated from it has plain required counters.
pub(crate) fn response_components() -> serde_json::Map<String, Value> {
    let mut root = response_schema().to_value();
    let mut components = serde_json::Map::new();
    if let Value::Object(map) = &mut root {
        for key in ["$schema", "$comment"] {
            map.remove(key);
        }
        if let Some(Value::Object(defs)) = map.remove("$defs") {
            components.extend(defs);
        }
    }
    components.insert("CampaignStatistics".to_owned(), root);
    let mut components = Value::Object(components);
    rewrite_refs(&mut components, "#/$defs/", "#/components/schemas/");
    match components {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    }
}

fn rewrite_refs(value: &mut Value, from: &str, to: &str) {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                match item {
                    Value::String(target) if key == "$ref" => {
                        if let Some(name) = target.strip_prefix(from) {
                            *target = format!("{to}{name}");
                        }
                    }
                    _ => rewrite_refs(item, from, to),
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| rewrite_refs(item, from, to)),
        _ => {}
    }
}

const CANONICAL_RESPONSE_DESCRIPTION: &str = "Statistics for one WhatsApp campaign over the \
    requested range, in the canonical flat form the API sends: every counter and both reason \
    breakdowns present. Readers should also accept the tolerant forms of R10 (the envelope \
    {\"data\":{\"statistics\":{...}}}, `read` for `open`, absent counters and breakdowns as 0), \
    which each binding implements beside its generated types. Unknown fields may appear and \
    should be kept.";

/// Schema of the enveloped success body of the vendor page's "200 OK" example,
/// `{"data":{"statistics":{...}}}`, in which `read` stands for `open` and any counter may be
/// absent. It exists so that a consumer can decode that body as it came (and write it back
/// unchanged); the tolerant reading beside each binding turns it into [`CampaignStatistics`].
pub fn envelope_schema() -> Schema {
    let flat = root_schema_for::<CampaignStatistics>().to_value();
    let mut counters = serde_json::Map::new();
    for (name, property) in flat["properties"].as_object().into_iter().flatten() {
        if let Some(mut property) = property.as_object().cloned()
            && property.remove("default").is_some()
        {
            counters.insert(name.clone(), Value::Object(property));
        }
    }
    if let Some(mut read) = counters.get("open").cloned() {
        read["description"] = Value::from(
            "`open` under the envelope's name: delivered messages the recipient opened, as \
             measured by WhatsApp read receipts. If both are present, `open` wins.",
        );
        counters.insert("read".to_owned(), read);
    }
    canonical(json_schema!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "CampaignStatisticsEnvelope",
        "description": "The enveloped form of a success body, as in the vendor page's 200 OK \
            example. Counters may be absent (they read as 0) and `read` stands for `open`. The \
            canonical form is CampaignStatistics; each binding's tolerant reading converts this one \
            into it.",
        "type": "object",
        "required": ["data"],
        "properties": { "data": { "$ref": "#/$defs/CampaignStatisticsEnvelopeData" } },
        "$defs": {
            "CampaignStatisticsEnvelopeData": {
                "description": "The envelope's `data` object.",
                "type": "object",
                "required": ["statistics"],
                "properties": { "statistics": { "$ref": "#/$defs/EnvelopedStatistics" } }
            },
            "EnvelopedStatistics": {
                "description": "The counters of the enveloped form, each optional. Details, \
                    responses and unknown fields may appear beside them and should be kept.",
                "type": "object",
                "properties": counters
            }
        }
    }))
}

/// Schema of every error body.
pub fn error_schema() -> Schema {
    canonical(root_schema_for::<ErrorResponseSchema>())
}

/// Rewrites a schema into the form code generators turn into plain types, without changing what
/// the API sends being valid: a property with a `default` (a counter that reads as 0) becomes
/// required, `null` alternatives of optional properties go (we never write `null`), the explicit
/// `additionalProperties: true` goes (it is JSON Schema's default anyway, and generators turn it
/// into an index signature that lets a typo compile), and a `$ref` to a bare type alias (the
/// error code) is inlined, so that Python does not wrap it in a `RootModel`. Every `$defs` entry
/// gets its name as `title`, which generators use as the type's name.
fn canonical(schema: Schema) -> Schema {
    let mut value = schema.to_value();
    let aliases = inline_aliases(&mut value);
    canonical_value(&mut value, &aliases);
    if let Some(Value::Object(defs)) = value.get_mut("$defs") {
        for (name, def) in defs.iter_mut() {
            if let Value::Object(def) = def {
                def.entry("title")
                    .or_insert_with(|| Value::from(name.as_str()));
            }
        }
    }
    Schema::try_from(value).unwrap_or_default()
}

/// Removes `$defs` entries that are neither objects nor unions and returns them by reference.
fn inline_aliases(root: &mut Value) -> serde_json::Map<String, Value> {
    let mut aliases = serde_json::Map::new();
    if let Some(Value::Object(defs)) = root.get_mut("$defs") {
        let names: Vec<String> = defs
            .iter()
            .filter(|(_, def)| def.get("properties").is_none() && def.get("anyOf").is_none())
            .map(|(name, _)| name.clone())
            .collect();
        for name in names {
            if let Some(def) = defs.remove(&name) {
                aliases.insert(format!("#/$defs/{name}"), def);
            }
        }
    }
    aliases
}

fn canonical_value(value: &mut Value, aliases: &serde_json::Map<String, Value>) {
    match value {
        Value::Object(map) => {
            if let Some(alias) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| aliases.get(r))
            {
                let alias = alias.clone();
                map.remove("$ref");
                if let Value::Object(alias) = alias {
                    for (key, item) in alias {
                        map.entry(key).or_insert(item);
                    }
                }
            }
            if map.get("additionalProperties") == Some(&Value::Bool(true)) {
                map.remove("additionalProperties");
            }
            if let Some(Value::Object(properties)) = map.get_mut("properties") {
                let mut required: Vec<Value> = Vec::new();
                for (name, property) in properties.iter_mut() {
                    if let Value::Object(property) = property {
                        if property.remove("default").is_some() {
                            required.push(Value::from(name.as_str()));
                        }
                        drop_null_alternative(property);
                    }
                }
                if !required.is_empty() {
                    if let Some(Value::Array(existing)) = map.get("required") {
                        required.extend(existing.iter().cloned());
                    }
                    map.insert("required".to_owned(), Value::Array(required));
                }
            }
            for item in map.values_mut() {
                canonical_value(item, aliases);
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| canonical_value(item, aliases)),
        _ => {}
    }
}

/// `anyOf: [X, {type: null}]` becomes X; `type: [T, "null"]` becomes `type: T`.
fn drop_null_alternative(property: &mut serde_json::Map<String, Value>) {
    let is_null = |schema: &Value| schema.get("type") == Some(&Value::from("null"));
    if let Some(Value::Array(choices)) = property.get("anyOf")
        && choices.len() == 2
        && choices.iter().any(is_null)
    {
        let kept = choices.iter().find(|choice| !is_null(choice)).cloned();
        property.remove("anyOf");
        if let Some(Value::Object(kept)) = kept {
            for (key, item) in kept {
                property.entry(key).or_insert(item);
            }
        }
    }
    if let Some(Value::Array(types)) = property.get("type") {
        let kept: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
        if kept.len() < types.len() {
            let kept = if kept.len() == 1 {
                kept[0].clone()
            } else {
                Value::Array(kept)
            };
            property.insert("type".to_owned(), kept);
        }
    }
}

/// Doc comments arrive wrapped at our source's line width, with rustdoc link brackets; readers in
/// other languages want one plain paragraph per description.
pub(crate) fn tidy_descriptions(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                match item {
                    Value::String(text) if key == "description" => {
                        *text = text
                            .replace("[`", "`")
                            .replace("`]", "`")
                            .replace('\n', " ");
                    }
                    _ => tidy_descriptions(item),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(tidy_descriptions),
        _ => {}
    }
}
