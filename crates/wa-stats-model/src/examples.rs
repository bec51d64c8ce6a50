//! Every example body on the vendor page, verbatim in content, for docs, tests and the OpenAPI
//! document. One copy, here.

/// The page's sample request.
pub const REQUEST: &str = r#"{"campaign_id": 12345}"#;

/// The page's "Sample Response": the canonical flat success body.
pub const SAMPLE_RESPONSE: &str = r#"{
  "sent": 1200,
  "delivered": 1150,
  "open": 400,
  "click": 120,
  "conversion": 30,
  "revenue": 0,
  "drop": 25,
  "targeted": 1225,
  "unsubscribe": 2,
  "undelivered": 50,
  "deliveryPending": 0,
  "dropDetails": {
    "frequencyCapped": 5,
    "duplicates": 3,
    "invalidPhoneNumbers": 8,
    "tierLimitation": 0,
    "templateFailures": 2,
    "pausedTemplates": 0,
    "recipientRelatedErrors": 4,
    "metaTemporaryErrors": 2,
    "accountIntegrationErrors": 0,
    "internalErrors": 1,
    "rateLimits": 0,
    "policyFailures": 0
  },
  "undeliveredDetails": {
    "recipientRelatedErrors": 20,
    "accountVerificationErrors": 2,
    "mediaErrors": 0,
    "heldMessages": 8,
    "metaExperiment": 0,
    "metaErrors": 10,
    "invalidMessages": 5,
    "metaRecipientLimitsErrors": 5,
    "deliveryReportMissing": 0
  }
}"#;

/// What the page says conversational campaigns add to the success body.
pub const CONVERSATIONAL_ADDITION: &str = r#"{
  "responses": [
    {
      "cardId": 1,
      "buttonName": "Yes, I'm interested",
      "sent": 1200,
      "delivered": 1150,
      "open": 400,
      "click": 120,
      "conversion": 30,
      "revenue": 0,
      "isNoReplyMessage": false
    }
  ],
  "responseSummary": {
    "sent": 1200,
    "open": 400,
    "click": 120,
    "conversion": 30,
    "buttonClick": 95
  }
}"#;

/// The page's "200 OK" example: the enveloped form, with `read` for `open`.
pub const ENVELOPE_RESPONSE: &str = r#"{
  "data": {
    "statistics": {
      "sent": 42,
      "delivered": 41,
      "read": 30
    }
  }
}"#;

/// 400 `3001`, as the page shows it (`…` is the page's own elision).
pub const PARSE_FAILED: &str = r#"{
  "message": "failed to parse request",
  "errorCode": "3001",
  "errors": "json: cannot unmarshal ..."
}"#;

/// 400 `3002`.
pub const VALIDATION_FAILED: &str = r#"{
  "message": "validation failed",
  "errorCode": "3002",
  "errors": "campaign_id is required and must be greater than 0"
}"#;

/// 400 `3004`.
pub const CAMPAIGN_NOT_FOUND: &str = r#"{
  "message": "campaign not found or does not belong to this partner",
  "errorCode": "3004"
}"#;

/// 403 `3007`.
pub const PRODUCT_NOT_ACTIVE: &str = r#"{
  "message": "WhatsApp product is not active",
  "errorCode": "3007"
}"#;

/// 422, forwarded from downstream validation.
pub const NOT_A_WHATSAPP_CAMPAIGN: &str = r#"{
  "message": "The given data was invalid.",
  "errors": {
    "campaignFilters.builderId": [
      "The campaign ID must be a valid WhatsApp campaign."
    ]
  }
}"#;

/// 429 `2021`.
pub const RATE_LIMITED: &str = r#"{
  "message": "rate limited",
  "error": {
    "message": "rate limited",
    "code": 2021
  }
}"#;

/// The conversational success body: the sample response with [`CONVERSATIONAL_ADDITION`] merged in.
pub fn conversational_response() -> serde_json::Value {
    let mut body: serde_json::Value = serde_json::from_str(SAMPLE_RESPONSE).unwrap_or_default();
    let addition: serde_json::Value =
        serde_json::from_str(CONVERSATIONAL_ADDITION).unwrap_or_default();
    if let (Some(body), Some(addition)) = (body.as_object_mut(), addition.as_object()) {
        body.extend(addition.clone());
    }
    body
}

/// Which body a [`Refused`] example poses as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyKind {
    /// A request body.
    Request,
    /// A success body.
    Statistics,
    /// An error body.
    Error,
}

/// A body that breaks a documented rule, which the schemas and every validating decoder refuse.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Refused {
    /// What is wrong with it, in a few words.
    pub what: &'static str,
    /// What it poses as.
    pub kind: BodyKind,
    /// The body.
    pub body: &'static str,
}

const fn refused(what: &'static str, kind: BodyKind, body: &'static str) -> Refused {
    Refused { what, kind, body }
}

/// The bad bodies every consumer must refuse: the Rust schema tests and each binding under
/// `bindings/` (through the exported `bindings/examples.json`) check the same list.
pub const REFUSED: &[Refused] = &[
    refused(
        "a negative counter",
        BodyKind::Statistics,
        r#"{"sent":-1,"delivered":0,"open":0,"click":0,"conversion":0,"revenue":0,"drop":0,"targeted":0,"unsubscribe":0,"undelivered":0,"deliveryPending":0}"#,
    ),
    refused(
        "a counter as a string",
        BodyKind::Statistics,
        r#"{"sent":"1200","delivered":0,"open":0,"click":0,"conversion":0,"revenue":0,"drop":0,"targeted":0,"unsubscribe":0,"undelivered":0,"deliveryPending":0}"#,
    ),
    refused(
        "a negative detail counter",
        BodyKind::Statistics,
        r#"{"sent":0,"delivered":0,"open":0,"click":0,"conversion":0,"revenue":0,"drop":0,"targeted":0,"unsubscribe":0,"undelivered":0,"deliveryPending":0,"undeliveredDetails":{"recipientRelatedErrors":-3,"accountVerificationErrors":0,"mediaErrors":0,"heldMessages":0,"metaExperiment":0,"metaErrors":0,"invalidMessages":0,"metaRecipientLimitsErrors":0,"deliveryReportMissing":0}}"#,
    ),
    refused(
        "a string campaign id",
        BodyKind::Request,
        r#"{"campaign_id":"12345"}"#,
    ),
    refused(
        "a campaign id of 0",
        BodyKind::Request,
        r#"{"campaign_id":0}"#,
    ),
    refused(
        "a 9-digit start time",
        BodyKind::Request,
        r#"{"campaign_id":12345,"start_time":999999999}"#,
    ),
    refused(
        "a 13-digit (milliseconds) end time",
        BodyKind::Request,
        r#"{"campaign_id":12345,"end_time":1700000000000}"#,
    ),
    refused(
        "a 429 body whose code is a string",
        BodyKind::Error,
        r#"{"message":"rate limited","error":{"message":"rate limited","code":"2021"}}"#,
    ),
];
