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

/// Schema of the request body.
pub fn request_schema() -> Schema {
    root_schema_for::<CampaignStatisticsRequest>()
}

/// Schema of the success body.
pub fn response_schema() -> Schema {
    root_schema_for::<CampaignStatistics>()
}

/// Schema of every error body.
pub fn error_schema() -> Schema {
    root_schema_for::<ErrorResponseSchema>()
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
