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
