//! OpenAPI 3.1 document for both statistics routes (R1) and the token endpoint (R14), built from
//! the same types, rules and examples as everything else in this crate.

use schemars::{JsonSchema, SchemaGenerator, generate::SchemaSettings};
use serde_json::{Value, json};

use crate::endpoint::{
    API_KEY_HEADER, API_KEY_STATISTICS_PATH, DEFAULT_API_KEY_BASE_URL, DEFAULT_OAUTH_BASE_URL,
    OAUTH_STATISTICS_PATH, RATE_LIMIT_PER_SECOND, TOKEN_PATH, TOKENS_PER_MINUTE,
};
use crate::error::{CodedErrorBody, ErrorResponse, FieldErrorsBody, MessageBody, RateLimitedBody};
use crate::{CampaignStatistics, CampaignStatisticsRequest, TokenRequest, TokenResponse, examples};

/// Tag of both statistics operations.
const STATISTICS_TAG: &str = "statistics";
/// Tag of the token operation.
const AUTHENTICATION_TAG: &str = "authentication";

/// What a reader should accept beyond the canonical 200 body, which the schema leaves out so that
/// generated clients get plain required counters.
const TOLERANT_READING: &str = "Success bodies are described in their canonical form, the one \
    the API and the mock send: every counter and both reason breakdowns present, never null. A \
    robust reader also accepts, as the vendor's page shows them: the envelope \
    `{\"data\":{\"statistics\":{...}}}`, in which `read` stands for `open` (when both come, \
    `open` wins); counters left out, which read as 0; a reason breakdown left out, which reads as \
    all zeros. Unknown fields may appear at every level. The wa-stats bindings (TypeScript, \
    Python, Go) implement that reading beside their generated types.";

/// The 200 answer of both statistics routes.
const STATISTICS_200_DESCRIPTION: &str = "Statistics for the campaign over the requested range, in \
    the canonical flat form: every counter and both reason breakdowns present. `responses` and \
    `responseSummary` come for conversational campaigns only. Readers should also accept the \
    envelope `{\"data\":{\"statistics\":{...}}}` (`read` for `open`) and absent counters as 0; \
    see the document's description.";

/// Reference to a component schema, adding it to the generator's definitions.
fn schema_ref<T: JsonSchema>(generator: &mut SchemaGenerator) -> Value {
    generator.subschema_for::<T>().to_value()
}

fn parsed(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_default()
}

fn built(response: &ErrorResponse) -> Value {
    parsed(&response.body)
}

/// A JSON response with named examples.
fn json_response(description: &str, schema: &Value, examples: &[(&str, Value)]) -> Value {
    let examples: serde_json::Map<String, Value> = examples
        .iter()
        .map(|(name, value)| ((*name).to_owned(), json!({ "value": value })))
        .collect();
    json!({
        "description": description,
        "content": { "application/json": { "schema": schema, "examples": examples } }
    })
}

fn with_header(mut response: Value, name: &str, description: &str, schema: Value) -> Value {
    response["headers"][name] =
        json!({ "description": description, "required": true, "schema": schema });
    response
}

struct Schemas {
    request: Value,
    statistics: Value,
    coded: Value,
    field_errors: Value,
    rate_limited: Value,
    message: Value,
    token_request: Value,
    token_response: Value,
}

fn error_responses(schemas: &Schemas, bearer: bool) -> Value {
    let unauthorized = json_response(
        "Missing, unknown or expired credential, or a credential of the other route's kind (R2).",
        &schemas.message,
        &[("unauthorized", built(&ErrorResponse::unauthorized(None)))],
    );
    let unauthorized = if bearer {
        with_header(
            unauthorized,
            "WWW-Authenticate",
            "The expected scheme (RFC 6750).",
            json!({"type": "string", "const": "Bearer"}),
        )
    } else {
        unauthorized
    };
    json!({
        "400": json_response(
            "The body could not be parsed (`3001`), failed validation (`3002`), or names a campaign \
             that does not exist or belongs to another partner (`3004`; the two cases are \
             indistinguishable on purpose).",
            &schemas.coded,
            &[
                ("parseFailed", parsed(examples::PARSE_FAILED)),
                ("validationFailed", parsed(examples::VALIDATION_FAILED)),
                ("campaignNotFound", parsed(examples::CAMPAIGN_NOT_FOUND)),
            ],
        ),
        "401": unauthorized,
        "403": json_response(
            "The partner's WhatsApp product is not active (`3007`).",
            &schemas.coded,
            &[("productNotActive", parsed(examples::PRODUCT_NOT_ACTIVE))],
        ),
        "405": method_not_allowed(schemas),
        "422": json_response(
            "Downstream validation failed, for example the campaign is not a WhatsApp campaign.",
            &schemas.field_errors,
            &[("notAWhatsAppCampaign", parsed(examples::NOT_A_WHATSAPP_CAMPAIGN))],
        ),
        "429": rate_limited(schemas, &format!("More than {RATE_LIMIT_PER_SECOND} requests in one second with the same credential.")),
    })
}

fn method_not_allowed(schemas: &Schemas) -> Value {
    with_header(
        json_response(
            "Any method other than POST on this path.",
            &schemas.message,
            &[(
                "methodNotAllowed",
                built(&ErrorResponse::method_not_allowed()),
            )],
        ),
        "Allow",
        "The only method the path accepts.",
        json!({"type": "string", "const": "POST"}),
    )
}

fn rate_limited(schemas: &Schemas, description: &str) -> Value {
    with_header(
        json_response(
            description,
            &schemas.rate_limited,
            &[("rateLimited", parsed(examples::RATE_LIMITED))],
        ),
        "Retry-After",
        "Seconds to wait before the next request.",
        json!({"type": "integer", "minimum": 0}),
    )
}

fn statistics_operation(schemas: &Schemas, bearer: bool) -> Value {
    let (operation_id, security, server, auth_words) = if bearer {
        (
            "getCampaignStatisticsWithToken",
            json!([{ "oauthBearer": [] }]),
            DEFAULT_OAUTH_BASE_URL,
            "an OAuth 2.0 bearer token",
        )
    } else {
        (
            "getCampaignStatisticsWithApiKey",
            json!([{ "apiKey": [] }]),
            DEFAULT_API_KEY_BASE_URL,
            "an API key in `x-ins-auth-key`",
        )
    };
    let mut responses = error_responses(schemas, bearer);
    responses["200"] = json_response(
        STATISTICS_200_DESCRIPTION,
        &schemas.statistics,
        &[
            ("sample", parsed(examples::SAMPLE_RESPONSE)),
            ("conversational", examples::conversational_response()),
        ],
    );
    json!({
        "post": {
            "operationId": operation_id,
            "tags": [STATISTICS_TAG],
            "summary": "Get WhatsApp campaign statistics by ID",
            "description": format!(
                "Returns statistics for a single campaign, authorised with {auth_words}. Without a \
                 date range the campaign's whole lifetime is returned. The call only reads, so \
                 retrying it is safe."
            ),
            "servers": [{ "url": server }],
            "security": security,
            "requestBody": {
                "required": true,
                "content": { "application/json": {
                    "schema": schemas.request,
                    "examples": {
                        "lifetime": { "value": parsed(examples::REQUEST) },
                        "range": { "value": CampaignStatisticsRequest::new(12345).range(1_704_067_200..1_706_745_600) },
                    },
                } },
            },
            "responses": responses,
        }
    })
}

fn token_operation(schemas: &Schemas) -> Value {
    let issued =
        serde_json::to_value(TokenResponse::bearer("eyJhbGciOi...", 3600)).unwrap_or_default();
    let scope_required = built(&ErrorResponse::scope_required());
    let invalid = built(&ErrorResponse::invalid_token_request("EOF"));
    json!({
        "post": {
            "operationId": "createAccessToken",
            "tags": [AUTHENTICATION_TAG],
            "summary": "Generate an OAuth 2.0 access token",
            "description": format!(
                "Exchanges client credentials for a bearer token. At most {TOKENS_PER_MINUTE} tokens per \
                 minute per client."
            ),
            "servers": [{ "url": DEFAULT_OAUTH_BASE_URL }],
            "security": [],
            "requestBody": {
                "required": true,
                "content": { "application/json": {
                    "schema": schemas.token_request,
                    "examples": { "clientCredentials": { "value": TokenRequest::new("my-client-id", "my-client-secret") } },
                } },
            },
            "responses": {
                "200": json_response("A new access token.", &schemas.token_response, &[("issued", issued)]),
                "400": json_response("The body could not be read.", &schemas.coded, &[("parseFailed", invalid)]),
                "401": json_response(
                    "Unknown client ID or wrong secret.",
                    &schemas.message,
                    &[("unauthorized", built(&ErrorResponse::unauthorized(None)))],
                ),
                "403": json_response("`scopes` lacks `wa-stats-api`.", &schemas.message, &[("scopeRequired", scope_required)]),
                "405": method_not_allowed(schemas),
                "429": rate_limited(schemas, &format!("More than {TOKENS_PER_MINUTE} tokens in one minute for the same client.")),
            },
        }
    })
}

/// The whole OpenAPI 3.1 document.
pub fn document() -> Value {
    let mut generator = SchemaGenerator::new(SchemaSettings::draft2020_12().with(|settings| {
        settings.definitions_path = "/components/schemas".into();
        settings.meta_schema = None;
    }));
    let schemas = Schemas {
        request: schema_ref::<CampaignStatisticsRequest>(&mut generator),
        statistics: schema_ref::<CampaignStatistics>(&mut generator),
        coded: schema_ref::<CodedErrorBody>(&mut generator),
        field_errors: schema_ref::<FieldErrorsBody>(&mut generator),
        rate_limited: schema_ref::<RateLimitedBody>(&mut generator),
        message: schema_ref::<MessageBody>(&mut generator),
        token_request: schema_ref::<TokenRequest>(&mut generator),
        token_response: schema_ref::<TokenResponse>(&mut generator),
    };
    let mut paths = serde_json::Map::new();
    paths.insert(
        OAUTH_STATISTICS_PATH.to_owned(),
        statistics_operation(&schemas, true),
    );
    paths.insert(
        API_KEY_STATISTICS_PATH.to_owned(),
        statistics_operation(&schemas, false),
    );
    paths.insert(TOKEN_PATH.to_owned(), token_operation(&schemas));
    let mut components = generator.take_definitions(true);
    // The 200 answers are the canonical body; requests keep the server's tolerance (R5).
    components.extend(crate::schema::response_components());
    let mut document = json!({
        "openapi": "3.1.0",
        "info": {
            // Generators name the package after the title (openapi-python-client: `wa_stats_client`).
            "title": "wa-stats",
            "version": env!("CARGO_PKG_VERSION"),
            "summary": "Insider's WhatsApp Campaign Analytics API: statistics for one campaign by ID, as implemented by wa-stats.",
            "description": format!("Generated by `cargo xtask schemas` from the wa-stats-model crate; do not edit. \
                            The vendor's page contradicts itself in places; see docs/decisions.md for how \
                            each contradiction was settled.\n\n{TOLERANT_READING}"),
            "license": { "name": "MIT OR Apache-2.0", "identifier": "MIT OR Apache-2.0" },
        },
        "servers": [
            { "url": DEFAULT_OAUTH_BASE_URL, "description": "OAuth 2.0 gateway (bearer tokens, token endpoint)" },
            { "url": DEFAULT_API_KEY_BASE_URL, "description": "API-key host" },
        ],
        "security": [],
        "tags": [
            { "name": AUTHENTICATION_TAG, "description": "OAuth 2.0 access tokens for the bearer route." },
            { "name": STATISTICS_TAG, "description": "Statistics of one WhatsApp campaign, on either route." },
        ],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "oauthBearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": format!("An access token from POST {TOKEN_PATH}."),
                },
                "apiKey": {
                    "type": "apiKey",
                    "in": "header",
                    "name": API_KEY_HEADER,
                    "description": "The partner's API key (`INS.…`).",
                },
            },
        },
    });
    // The type's doc comment is about Rust (`Debug`, `Secret::expose`); say what matters on the wire.
    if let Some(secret) = document.pointer_mut("/components/schemas/Secret") {
        secret["description"] = json!(
            "A credential (an API key, an access token or a client secret) as a plain string. \
             wa-stats never writes one to a log, an error message or a panic."
        );
    }
    narrow_error_bodies(&mut document);
    drop_rust_examples(&mut document);
    crate::schema::tidy_descriptions(&mut document);
    document
}

/// Error answers as the API sends them: `errorCode` a string (R11), `errors` a string or absent,
/// never `null`. The Rust reader's tolerance of a numeric code stays in the description, so that a
/// generated client gets a plain `string`.
fn narrow_error_bodies(document: &mut Value) {
    if let Some(code) = document.pointer_mut("/components/schemas/ErrorCode") {
        *code = json!({
            "type": "string",
            "description": "Insider's error code, such as \"3001\", sent as a string. A robust \
                            reader also accepts a number.",
        });
    }
    if let Some(Value::Object(errors)) =
        document.pointer_mut("/components/schemas/CodedErrorBody/properties/errors")
    {
        errors.insert("type".to_owned(), json!("string"));
    }
}

/// Doc comments of the wire types carry doctests (fenced Rust code); readers of the OpenAPI
/// document in other languages get the prose only.
fn drop_rust_examples(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                match item {
                    Value::String(text) if key == "description" && text.contains("```") => {
                        *text = without_code_blocks(text);
                    }
                    _ => drop_rust_examples(item),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(drop_rust_examples),
        _ => {}
    }
}

/// `text` without its fenced code blocks (each from an opening to a closing fence line).
fn without_code_blocks(text: &str) -> String {
    let mut prose = Vec::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        } else if !in_code {
            prose.push(line);
        }
    }
    prose.join("\n").trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::without_code_blocks;

    #[test]
    fn code_blocks_are_dropped_from_descriptions() {
        let text = "Body of the call.\n\n```\nuse x;\nassert!(true);\n```\nMore prose.";
        assert_eq!(
            without_code_blocks(text),
            "Body of the call.\n\nMore prose."
        );
        assert_eq!(without_code_blocks("Plain."), "Plain.");
    }
}
