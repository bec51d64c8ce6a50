#!/usr/bin/env python3
"""Read wa-stats' JSON Schemas and OpenAPI document from Python, as an outside consumer would.

Uses the standard library and `jsonschema` only (pinned in tests/external/requirements.txt).

1. Every committed schema is meta-validated as JSON Schema draft 2020-12: the three
   `crates/wa-stats-model/schemas/*.schema.json`, each component schema of `openapi.json`, and the
   mock's `crates/wa-stats-mock/schemas/*.json` when there are any.
2. Every example body of the vendor page (copied below by hand from
   ../shared/vendor-doc/whatsapp-campaign-analytics-by-id.txt, not from our Rust code) validates
   against its schema, and so does every example the OpenAPI document carries.
3. Bodies that break the documented rules (wrong types, negative counters, 9- and 13-digit times,
   a missing `campaign_id`, a 429 body whose `code` is a string, ...) are rejected.
4. With `--mock-url URL`, live answers of a running `wa-stats-mock` (each built-in campaign on both
   routes, each error case) are checked for status, headers and schema. With `--limited-mock-url`,
   a mock that enforces the rate limit is pushed over it to see a real 429.

The last line is `N passed, M failed`; the exit status is non-zero on any failure.

Usage: python3 tests/python/check_schemas.py [--mock-url URL] [--limited-mock-url URL] [-v]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import copy
import http.client
import importlib.metadata
import json
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any, Callable

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = Path(__file__).resolve().parents[2]
MODEL_SCHEMAS = ROOT / "crates" / "wa-stats-model" / "schemas"
MOCK_SCHEMAS = ROOT / "crates" / "wa-stats-mock" / "schemas"
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"

V2_PATH = "/api/wa/v2/statistics/campaign"
V1_PATH = "/v1/statistics/campaign"
TOKEN_PATH = "/auth/token"

# ---------------------------------------------------------------------------------------------
# The vendor page's example bodies, typed in from the page (R-numbers: ../shared/api-decisions.md).
# ---------------------------------------------------------------------------------------------

SAMPLE_REQUEST = {"campaign_id": 12345}

SAMPLE_RESPONSE = {
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
        "policyFailures": 0,
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
        "deliveryReportMissing": 0,
    },
}

CONVERSATIONAL_ADDITION = {
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
            "isNoReplyMessage": False,
        }
    ],
    "responseSummary": {
        "sent": 1200,
        "open": 400,
        "click": 120,
        "conversion": 30,
        "buttonClick": 95,
    },
}

CONVERSATIONAL_RESPONSE = {**SAMPLE_RESPONSE, **CONVERSATIONAL_ADDITION}

TOLERATED_REQUEST = {"campaign_id": 12345, "start_time": 0, "end_time": None}

ENVELOPE_RESPONSE = {"data": {"statistics": {"sent": 42, "delivered": 41, "read": 30}}}

PARSE_FAILED = {
    "message": "failed to parse request",
    "errorCode": "3001",
    "errors": "json: cannot unmarshal ...",
}


def validation_failed(text: str) -> dict[str, Any]:
    return {"message": "validation failed", "errorCode": "3002", "errors": text}


RULE_1 = "campaign_id is required and must be greater than 0"
RULE_2 = "start_time must be a 10-digit unix timestamp"
RULE_3 = "end_time must be a 10-digit unix timestamp"
RULE_4 = "end_time must be greater than start_time"

CAMPAIGN_NOT_FOUND = {
    "message": "campaign not found or does not belong to this partner",
    "errorCode": "3004",
}

PRODUCT_NOT_ACTIVE = {"message": "WhatsApp product is not active", "errorCode": "3007"}

NOT_A_WHATSAPP_CAMPAIGN = {
    "message": "The given data was invalid.",
    "errors": {
        "campaignFilters.builderId": ["The campaign ID must be a valid WhatsApp campaign."]
    },
}

RATE_LIMITED = {"message": "rate limited", "error": {"message": "rate limited", "code": 2021}}

# Ours (R2, R14 and docs/decisions.md), not the vendor page's.
UNAUTHORIZED = {"message": "unauthorized"}
SCOPE_REQUIRED = {"message": "scope wa-stats-api is required"}
METHOD_NOT_ALLOWED = {"message": "method not allowed"}
TOKEN_REQUEST = {
    "client_id": "demo-client",
    "client_secret": "demo-secret",
    "scopes": ["wa-stats-api"],
}
TOKEN_RESPONSE = {"access_token": "eyJhbGciOi...", "token_type": "Bearer", "expires_in": 3600}

# ---------------------------------------------------------------------------------------------
# Bookkeeping
# ---------------------------------------------------------------------------------------------


class Tally:
    def __init__(self, verbose: bool) -> None:
        self.passed = 0
        self.failed = 0
        self.verbose = verbose
        self.groups: dict[str, int] = {}

    def check(self, group: str, name: str, ok: bool, detail: str = "") -> bool:
        self.groups[group] = self.groups.get(group, 0) + 1
        if ok:
            self.passed += 1
            if self.verbose:
                print(f"ok    [{group}] {name}")
        else:
            self.failed += 1
            print(f"FAIL  [{group}] {name}" + (f": {detail}" if detail else ""))
        return ok


def errors_of(validator: Draft202012Validator, instance: Any) -> str:
    messages = [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in validator.iter_errors(instance)
    ]
    return "; ".join(messages)[:600]


# ---------------------------------------------------------------------------------------------
# Schemas
# ---------------------------------------------------------------------------------------------

OPENAPI_URI = "urn:wa-stats:openapi.json"


class Schemas:
    """Every schema file, in one registry, so that validators can name any part of any of them."""

    def __init__(self) -> None:
        self.files: dict[str, dict[str, Any]] = {}
        resources = []
        for path in sorted(MODEL_SCHEMAS.glob("*.schema.json")):
            contents = json.loads(path.read_text())
            self.files[path.name] = contents
            resources.append((f"urn:wa-stats:{path.name}", DRAFT202012.create_resource(contents)))
        self.openapi = json.loads((MODEL_SCHEMAS / "openapi.json").read_text())
        # OpenAPI 3.1's schema dialect is draft 2020-12.
        resources.append((OPENAPI_URI, Resource(contents=self.openapi, specification=DRAFT202012)))
        self.registry: Registry = Registry().with_resources(resources)

    def validator(self, uri: str) -> Draft202012Validator:
        return Draft202012Validator({"$ref": uri}, registry=self.registry)

    def file(self, name: str, pointer: str = "") -> Draft202012Validator:
        return self.validator(f"urn:wa-stats:{name}#{pointer}")

    def component(self, name: str) -> Draft202012Validator:
        return self.validator(f"{OPENAPI_URI}#/components/schemas/{name}")

    def openapi_pointer(self, *parts: str) -> Draft202012Validator:
        escaped = "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)
        return self.validator(f"{OPENAPI_URI}#/{escaped}")

    @property
    def request(self) -> Draft202012Validator:
        return self.file("campaign-statistics-request.schema.json")

    @property
    def response(self) -> Draft202012Validator:
        return self.file("campaign-statistics-response.schema.json")

    @property
    def error(self) -> Draft202012Validator:
        return self.file("error-response.schema.json")

    def error_shape(self, shape: str) -> Draft202012Validator:
        return self.file("error-response.schema.json", f"/$defs/{shape}")


def meta_validate(tally: Tally, schemas: Schemas) -> None:
    group = "meta"
    meta = Draft202012Validator(Draft202012Validator.META_SCHEMA)
    for name, contents in schemas.files.items():
        tally.check(group, f"{name} names draft 2020-12", contents.get("$schema") == DRAFT_2020_12)
        tally.check(group, f"{name} is a valid draft 2020-12 schema", meta.is_valid(contents),
                    errors_of(meta, contents))
        tally.check(group, f"{name} has a title and description",
                    bool(contents.get("title")) and bool(contents.get("description")))
    expected = {
        "campaign-statistics-request.schema.json",
        "campaign-statistics-response.schema.json",
        "error-response.schema.json",
    }
    tally.check(group, "the three model schemas are all there", expected <= set(schemas.files),
                f"found {sorted(schemas.files)}")
    tally.check(group, "openapi.json is OpenAPI 3.1", str(schemas.openapi.get("openapi", "")).startswith("3.1"))
    for name, component in schemas.openapi.get("components", {}).get("schemas", {}).items():
        tally.check(group, f"openapi.json component {name} is a valid draft 2020-12 schema",
                    meta.is_valid(component), errors_of(meta, component))
    # Every $ref of the OpenAPI document resolves.
    for pointer in sorted(set(collect_refs(schemas.openapi))):
        ok = True
        detail = ""
        try:
            schemas.registry.resolver(base_uri=OPENAPI_URI).lookup(pointer)
        except Exception as error:  # noqa: BLE001 - any failure to resolve is the finding
            ok, detail = False, repr(error)
        tally.check(group, f"openapi.json $ref {pointer} resolves", ok, detail)
    for path in sorted(MOCK_SCHEMAS.glob("*.json")) if MOCK_SCHEMAS.is_dir() else []:
        contents = json.loads(path.read_text())
        tally.check(group, f"mock {path.name} names draft 2020-12", contents.get("$schema") == DRAFT_2020_12)
        tally.check(group, f"mock {path.name} is a valid draft 2020-12 schema", meta.is_valid(contents),
                    errors_of(meta, contents))


def collect_refs(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [value["$ref"]] if isinstance(value.get("$ref"), str) else []
        for item in value.values():
            found.extend(collect_refs(item))
        return found
    if isinstance(value, list):
        return [ref for item in value for ref in collect_refs(item)]
    return []


# ---------------------------------------------------------------------------------------------
# Documented examples
# ---------------------------------------------------------------------------------------------


def documented_examples(schemas: Schemas) -> list[tuple[str, Draft202012Validator, Any]]:
    request = schemas.request
    response = schemas.response
    error = schemas.error
    coded = schemas.error_shape("CodedErrorBody")
    examples: list[tuple[str, Draft202012Validator, Any]] = [
        ("sample request", request, SAMPLE_REQUEST),
        ("sample request with a range", request,
         {"campaign_id": 12345, "start_time": 1704067200, "end_time": 1706745600}),
        # The JSON Schemas are the canonical forms (docs/bindings.md); the server's tolerance of
        # requests (R5's 0 and null) is what the OpenAPI document's request component says. Its 200
        # answers are canonical too, R10's tolerant forms described in its text (issue 20).
        ("request, 0 and null as 'not given' (R5), openapi", schemas.component("CampaignStatisticsRequest"),
         TOLERATED_REQUEST),
        ("request with an unknown field (R4: ignored)", request, {"campaign_id": 1, "extra": "x"}),
        ("Sample Response", response, SAMPLE_RESPONSE),
        ("conversational response", response, CONVERSATIONAL_RESPONSE),
        ("fractional revenue (R10)", response, {**SAMPLE_RESPONSE, "revenue": 12.5}),
        ("3001 as error", error, PARSE_FAILED),
        ("3001 as coded", coded, PARSE_FAILED),
        ("3001 with a numeric errorCode (R11)", coded, {**PARSE_FAILED, "errorCode": 3001}),
        ("3004 as error", error, CAMPAIGN_NOT_FOUND),
        ("3004 as coded", coded, CAMPAIGN_NOT_FOUND),
        ("3007 as error", error, PRODUCT_NOT_ACTIVE),
        ("3007 as coded", coded, PRODUCT_NOT_ACTIVE),
        ("422 as error", error, NOT_A_WHATSAPP_CAMPAIGN),
        ("422 as field errors", schemas.error_shape("FieldErrorsBody"), NOT_A_WHATSAPP_CAMPAIGN),
        ("429 as error", error, RATE_LIMITED),
        ("429 as rate limited", schemas.error_shape("RateLimitedBody"), RATE_LIMITED),
        ("401 as error", error, UNAUTHORIZED),
        ("401 as message", schemas.error_shape("MessageBody"), UNAUTHORIZED),
        ("405 as message", schemas.error_shape("MessageBody"), METHOD_NOT_ALLOWED),
        ("token 403 as message", schemas.error_shape("MessageBody"), SCOPE_REQUIRED),
        ("token request", schemas.component("TokenRequest"), TOKEN_REQUEST),
        ("token response", schemas.component("TokenResponse"), TOKEN_RESPONSE),
    ]
    for rule in (RULE_1, RULE_2, RULE_3, RULE_4):
        examples.append((f"3002 '{rule}' as error", error, validation_failed(rule)))
        examples.append((f"3002 '{rule}' as coded", coded, validation_failed(rule)))
    # The same vendor bodies against the OpenAPI document's own component schemas.
    for name, component, body in [
        ("request", "CampaignStatisticsRequest", SAMPLE_REQUEST),
        ("Sample Response", "CampaignStatistics", SAMPLE_RESPONSE),
        ("conversational", "CampaignStatistics", CONVERSATIONAL_RESPONSE),
        ("3001", "CodedErrorBody", PARSE_FAILED),
        ("3002", "CodedErrorBody", validation_failed(RULE_1)),
        ("3004", "CodedErrorBody", CAMPAIGN_NOT_FOUND),
        ("3007", "CodedErrorBody", PRODUCT_NOT_ACTIVE),
        ("422", "FieldErrorsBody", NOT_A_WHATSAPP_CAMPAIGN),
        ("429", "RateLimitedBody", RATE_LIMITED),
        ("401", "MessageBody", UNAUTHORIZED),
    ]:
        examples.append((f"{name} as openapi {component}", schemas.component(component), body))
    return examples


def openapi_examples(schemas: Schemas) -> list[tuple[str, Draft202012Validator, Any]]:
    """Every `examples` entry in the OpenAPI document, against the schema beside it."""
    found = []
    for path, item in schemas.openapi["paths"].items():
        for method, operation in item.items():
            body = operation.get("requestBody", {}).get("content", {})
            places = [(("requestBody", "content", media), content) for media, content in body.items()]
            for status, answer in operation.get("responses", {}).items():
                for media, content in answer.get("content", {}).items():
                    places.append((("responses", status, "content", media), content))
            for where, content in places:
                validator = schemas.openapi_pointer("paths", path, method, *where, "schema")
                for name, example in content.get("examples", {}).items():
                    label = f"openapi {method.upper()} {path} {' '.join(where[:-2] if where[0] == 'responses' else where[:1])} {name}"
                    found.append((label, validator, example["value"]))
    return found


def check_examples(tally: Tally, schemas: Schemas) -> int:
    count = 0
    for name, validator, body in documented_examples(schemas) + openapi_examples(schemas):
        tally.check("examples", f"{name} is valid", validator.is_valid(body), errors_of(validator, body))
        count += 1
    # The canonical JSON Schemas leave the tolerant forms to the readers (docs/bindings.md).
    for name, validator, body in [
        ("request, 0 and null as 'not given' (R5)", schemas.request, TOLERATED_REQUEST),
        ("conversational addition alone", schemas.response, CONVERSATIONAL_ADDITION),
        ("200 OK envelope", schemas.response, ENVELOPE_RESPONSE),
        ("conversational addition alone, openapi", schemas.component("CampaignStatistics"), CONVERSATIONAL_ADDITION),
        ("200 OK envelope, openapi", schemas.component("CampaignStatistics"), ENVELOPE_RESPONSE),
        ("Sample Response without dropDetails, openapi", schemas.component("CampaignStatistics"),
         without(SAMPLE_RESPONSE, "dropDetails")),
    ]:
        tally.check("examples", f"{name} is not the canonical form", not validator.is_valid(body))
    tally.check("examples", "openapi.json describes the envelope in its text",
                '{\"data\":{\"statistics\":{...}}}' in schemas.openapi["info"]["description"])
    # The OpenAPI document must carry each vendor body (so that readers of it see the page's words),
    # but the envelope, which its canonical 200 schema does not describe (its text does).
    carried = [example["value"] for _, _, example in iter_openapi_example_objects(schemas.openapi)]
    for name, body in [
        ("sample request", SAMPLE_REQUEST),
        ("Sample Response", SAMPLE_RESPONSE),
        ("conversational response", CONVERSATIONAL_RESPONSE),
        ("3001", PARSE_FAILED),
        ("3002", validation_failed(RULE_1)),
        ("3004", CAMPAIGN_NOT_FOUND),
        ("3007", PRODUCT_NOT_ACTIVE),
        ("422", NOT_A_WHATSAPP_CAMPAIGN),
        ("429", RATE_LIMITED),
    ]:
        tally.check("examples", f"openapi.json carries the vendor's {name} verbatim", body in carried)
    return count


def iter_openapi_example_objects(value: Any, key: str = ""):
    if isinstance(value, dict):
        if key == "examples":
            for name, example in value.items():
                if isinstance(example, dict) and "value" in example:
                    yield key, name, example
            return
        for child_key, child in value.items():
            yield from iter_openapi_example_objects(child, child_key)
    elif isinstance(value, list):
        for child in value:
            yield from iter_openapi_example_objects(child, key)


# ---------------------------------------------------------------------------------------------
# Bodies that must be rejected
# ---------------------------------------------------------------------------------------------


def with_change(body: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    target = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return changed


def without(body: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != key}


def rejected_bodies(schemas: Schemas) -> list[tuple[str, Draft202012Validator, Any]]:
    request, response, error = schemas.request, schemas.response, schemas.error
    bad: list[tuple[str, Draft202012Validator, Any]] = [
        # Requests
        ("request: campaign_id missing", request, {}),
        ("request: campaign_id missing, range given", request, {"start_time": 1704067200, "end_time": 1706745600}),
        ("request: campaign_id null", request, {"campaign_id": None}),
        ("request: campaign_id 0", request, {"campaign_id": 0}),
        ("request: campaign_id negative", request, {"campaign_id": -5}),
        ("request: campaign_id a string", request, {"campaign_id": "12345"}),
        ("request: campaign_id a fraction", request, {"campaign_id": 1.5}),
        ("request: campaign_id a boolean", request, {"campaign_id": True}),
        ("request: campaign_id an array", request, {"campaign_id": [12345]}),
        ("request: campaign_id over int64", request, {"campaign_id": 2**63}),
        ("request: start_time 9 digits", request, {"campaign_id": 1, "start_time": 999999999}),
        ("request: start_time 13 digits (milliseconds)", request, {"campaign_id": 1, "start_time": 1704067200000}),
        ("request: end_time 9 digits", request, {"campaign_id": 1, "end_time": 999999999}),
        ("request: end_time 13 digits (milliseconds)", request, {"campaign_id": 1, "end_time": 1706745600000}),
        ("request: start_time negative", request, {"campaign_id": 1, "start_time": -1704067200}),
        ("request: start_time a string", request, {"campaign_id": 1, "start_time": "1704067200"}),
        ("request: end_time a fraction", request, {"campaign_id": 1, "end_time": 1706745600.5}),
        ("request: not an object", request, [SAMPLE_REQUEST]),
        ("request: a bare number", request, 12345),
        # Success bodies
        ("response: not an object", response, [SAMPLE_RESPONSE]),
        ("response: negative sent", response, with_change(SAMPLE_RESPONSE, ("sent",), -1)),
        ("response: negative drop", response, with_change(SAMPLE_RESPONSE, ("drop",), -25)),
        ("response: negative dropDetails.duplicates", response,
         with_change(SAMPLE_RESPONSE, ("dropDetails", "duplicates"), -3)),
        ("response: negative undeliveredDetails.metaErrors", response,
         with_change(SAMPLE_RESPONSE, ("undeliveredDetails", "metaErrors"), -10)),
        ("response: negative responses[0].click", response,
         with_change(CONVERSATIONAL_RESPONSE, ("responses", 0, "click"), -1)),
        ("response: negative responseSummary.buttonClick", response,
         with_change(CONVERSATIONAL_RESPONSE, ("responseSummary", "buttonClick"), -95)),
        ("response: sent a string", response, with_change(SAMPLE_RESPONSE, ("sent",), "1200")),
        ("response: open a fraction", response, with_change(SAMPLE_RESPONSE, ("open",), 400.5)),
        ("response: delivered a boolean", response, with_change(SAMPLE_RESPONSE, ("delivered",), True)),
        ("response: click null", response, with_change(SAMPLE_RESPONSE, ("click",), None)),
        ("response: revenue a string", response, with_change(SAMPLE_RESPONSE, ("revenue",), "0")),
        ("response: dropDetails an array", response, with_change(SAMPLE_RESPONSE, ("dropDetails",), [5, 3])),
        ("response: dropDetails.frequencyCapped a string", response,
         with_change(SAMPLE_RESPONSE, ("dropDetails", "frequencyCapped"), "5")),
        ("response: responses an object", response,
         with_change(CONVERSATIONAL_RESPONSE, ("responses",), CONVERSATIONAL_ADDITION["responses"][0])),
        ("response: responses[0].isNoReplyMessage a string", response,
         with_change(CONVERSATIONAL_RESPONSE, ("responses", 0, "isNoReplyMessage"), "false")),
        ("response: responses[0].buttonName a number", response,
         with_change(CONVERSATIONAL_RESPONSE, ("responses", 0, "buttonName"), 1)),
        # Error bodies
        ("error: 429 with a string code", error, with_change(RATE_LIMITED, ("error", "code"), "2021")),
        ("error: 429 without error.code", error, {"message": "rate limited", "error": {"message": "rate limited"}}),
        ("error: 429 with error a string", error, {"message": "rate limited", "error": "rate limited"}),
        ("error: no message", error, {"errorCode": "3004"}),
        ("error: message a number", error, {"message": 3004, "errorCode": "3004"}),
        ("error: errorCode a boolean", error, with_change(CAMPAIGN_NOT_FOUND, ("errorCode",), True)),
        ("error: errorCode an array", error, with_change(CAMPAIGN_NOT_FOUND, ("errorCode",), ["3004"])),
        ("error: 3002 errors a number", error, with_change(validation_failed(RULE_1), ("errors",), 3002)),
        ("error: 422 errors not arrays", error,
         {"message": "The given data was invalid.", "errors": {"campaignFilters.builderId": "bad"}}),
        ("error: 422 errors of numbers", error,
         {"message": "The given data was invalid.", "errors": {"campaignFilters.builderId": [1]}}),
        ("error: not an object", error, ["unauthorized"]),
        ("error: a string", error, "unauthorized"),
        ("error shape 429: string code", schemas.error_shape("RateLimitedBody"),
         with_change(RATE_LIMITED, ("error", "code"), "2021")),
        ("error shape 3001: no errorCode", schemas.error_shape("CodedErrorBody"), without(PARSE_FAILED, "errorCode")),
        ("token response: no access_token", schemas.component("TokenResponse"), without(TOKEN_RESPONSE, "access_token")),
        ("token response: negative expires_in", schemas.component("TokenResponse"),
         with_change(TOKEN_RESPONSE, ("expires_in",), -1)),
        ("token request: scopes a string", schemas.component("TokenRequest"),
         with_change(TOKEN_REQUEST, ("scopes",), "wa-stats-api")),
        ("token request: no client_secret", schemas.component("TokenRequest"), without(TOKEN_REQUEST, "client_secret")),
    ]
    # The OpenAPI document's copies must reject the same bodies.
    for name, component, body in [
        ("request: 13-digit start_time", "CampaignStatisticsRequest", {"campaign_id": 1, "start_time": 1704067200000}),
        ("request: missing campaign_id", "CampaignStatisticsRequest", {"end_time": 1706745600}),
        ("response: negative sent", "CampaignStatistics", with_change(SAMPLE_RESPONSE, ("sent",), -1)),
        ("429: string code", "RateLimitedBody", with_change(RATE_LIMITED, ("error", "code"), "2021")),
    ]:
        bad.append((f"openapi {component} {name}", schemas.component(component), body))
    return bad


def check_rejections(tally: Tally, schemas: Schemas) -> int:
    bad = rejected_bodies(schemas)
    for name, validator, body in bad:
        tally.check("rejects", f"{name} is rejected", not validator.is_valid(body), "schema accepted it")
    return len(bad)


# ---------------------------------------------------------------------------------------------
# Live answers from the mock
# ---------------------------------------------------------------------------------------------

BEARER = {"Authorization": "Bearer demo-token"}
API_KEY = {"x-ins-auth-key": "INS.demo-key"}
ROUTES = [("v2 bearer", V2_PATH, BEARER), ("v1 api key", V1_PATH, API_KEY)]
INACTIVE = {V2_PATH: {"Authorization": "Bearer inactive-token"}, V1_PATH: {"x-ins-auth-key": "INS.inactive-key"}}


class Answer:
    def __init__(self, status: int, headers: http.client.HTTPMessage, raw: bytes) -> None:
        self.status = status
        self.headers = headers
        self.raw = raw
        try:
            self.body: Any = json.loads(raw)
            self.is_json = True
        except ValueError:
            self.body, self.is_json = None, False

    def __repr__(self) -> str:
        return f"{self.status} {self.raw[:300]!r}"


class Mock:
    def __init__(self, url: str) -> None:
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme != "http" or parsed.hostname not in {"127.0.0.1", "localhost", "::1"}:
            raise SystemExit(f"refusing to talk to {url}: only a loopback mock is allowed")
        self.host = parsed.hostname
        self.port = parsed.port or 80

    def send(self, method: str, path: str, headers: dict[str, str] | None = None,
             body: bytes | str | dict | None = None) -> Answer:
        if isinstance(body, dict):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            return Answer(response.status, response.headers, response.read())
        finally:
            connection.close()


def check_answer(tally: Tally, schemas: Schemas, name: str, answer: Answer, status: int,
                 validator: Draft202012Validator, exact: Any = None,
                 extra: Callable[[Answer], tuple[bool, str]] | None = None) -> None:
    group = "live"
    tally.check(group, f"{name}: status {status}", answer.status == status, repr(answer))
    content_type = answer.headers.get("Content-Type", "")
    tally.check(group, f"{name}: content-type is JSON", content_type.split(";")[0].strip() == "application/json",
                f"content-type {content_type!r}")
    if not tally.check(group, f"{name}: body is JSON", answer.is_json, repr(answer)):
        return
    tally.check(group, f"{name}: body matches its schema", validator.is_valid(answer.body),
                errors_of(validator, answer.body))
    if answer.status >= 400:
        tally.check(group, f"{name}: body matches the error schema", schemas.error.is_valid(answer.body),
                    errors_of(schemas.error, answer.body))
    if exact is not None:
        tally.check(group, f"{name}: body is exactly as documented", answer.body == exact,
                    f"got {answer.body!r}")
    if extra is not None:
        ok, detail = extra(answer)
        tally.check(group, f"{name}: {extra.__doc__ or 'extra check'}", ok, detail)


def sums_hold(answer: Answer) -> tuple[bool, str]:
    """R10's four sums hold"""
    b = answer.body
    problems = []
    get = lambda key: b.get(key, 0)  # noqa: E731
    if get("targeted") != get("sent") + get("drop"):
        problems.append("targeted != sent + drop")
    if get("sent") != get("delivered") + get("undelivered") + get("deliveryPending"):
        problems.append("sent != delivered + undelivered + deliveryPending")
    if b.get("dropDetails") is not None and get("drop") != sum(b["dropDetails"].values()):
        problems.append("drop != sum(dropDetails)")
    if b.get("undeliveredDetails") is not None and get("undelivered") != sum(b["undeliveredDetails"].values()):
        problems.append("undelivered != sum(undeliveredDetails)")
    return not problems, ", ".join(problems)


def header_is(name: str, value: str) -> Callable[[Answer], tuple[bool, str]]:
    def check(answer: Answer) -> tuple[bool, str]:
        got = answer.headers.get(name)
        return got == value, f"{name}: {got!r}"

    check.__doc__ = f"header {name}: {value}"
    return check


def errors_start(prefix: str, code: str) -> Callable[[Answer], tuple[bool, str]]:
    def check(answer: Answer) -> tuple[bool, str]:
        body = answer.body if isinstance(answer.body, dict) else {}
        ok = body.get("errorCode") == code and str(body.get("errors", "")).startswith(prefix)
        return ok, f"got {body!r}"

    check.__doc__ = f"errorCode {code}, errors starts with {prefix!r}"
    return check


def check_live(tally: Tally, schemas: Schemas, mock: Mock) -> None:
    response, error = schemas.response, schemas.error
    coded, message = schemas.error_shape("CodedErrorBody"), schemas.error_shape("MessageBody")
    for label, path, auth in ROUTES:
        post = lambda body, headers=auth: mock.send("POST", path, headers, body)  # noqa: E731
        # Built-in campaigns (R13).
        check_answer(tally, schemas, f"{label} 12345 lifetime", post(SAMPLE_REQUEST), 200, response,
                     exact=SAMPLE_RESPONSE, extra=sums_hold)
        check_answer(tally, schemas, f"{label} 12346 lifetime (conversational)", post({"campaign_id": 12346}),
                     200, response, exact=CONVERSATIONAL_RESPONSE, extra=sums_hold)
        for campaign in (12345, 12346):
            check_answer(tally, schemas, f"{label} {campaign} over 2024", post(
                {"campaign_id": campaign, "start_time": 1704067200, "end_time": 1735689600}), 200, response,
                extra=sums_hold)
            check_answer(tally, schemas, f"{label} {campaign} over 2001 (no days)", post(
                {"campaign_id": campaign, "start_time": 1000000000, "end_time": 1009843200}), 200, response,
                extra=sums_hold)
            check_answer(tally, schemas, f"{label} {campaign}, 0 and null as not given", post(
                {"campaign_id": campaign, "start_time": 0, "end_time": None}), 200, response, extra=sums_hold)
        check_answer(tally, schemas, f"{label} 22222 (not WhatsApp)", post({"campaign_id": 22222}), 422,
                     schemas.error_shape("FieldErrorsBody"), exact=NOT_A_WHATSAPP_CAMPAIGN)
        foreign = post({"campaign_id": 33333})
        missing = post({"campaign_id": 99999999})
        check_answer(tally, schemas, f"{label} 33333 (other partner's)", foreign, 400, coded, exact=CAMPAIGN_NOT_FOUND)
        check_answer(tally, schemas, f"{label} 99999999 (no such campaign)", missing, 400, coded,
                     exact=CAMPAIGN_NOT_FOUND)
        tally.check("live", f"{label}: not found and not owned are byte-identical (R7)", foreign.raw == missing.raw,
                    f"{foreign.raw!r} vs {missing.raw!r}")
        # 3001 (R4).
        check_answer(tally, schemas, f"{label} junk body", post("not json at all"), 400, coded,
                     extra=errors_start("invalid character 'o' in literal null", "3001"))
        check_answer(tally, schemas, f"{label} empty body", post(b""), 400, coded, extra=errors_start("EOF", "3001"))
        check_answer(tally, schemas, f"{label} string campaign_id", post('{"campaign_id":"12345"}'), 400, coded,
                     extra=errors_start("json: cannot unmarshal string into Go struct field", "3001"))
        check_answer(tally, schemas, f"{label} array body", post("[1]"), 400, coded,
                     extra=errors_start("json: cannot unmarshal array into Go value", "3001"))
        check_answer(tally, schemas, f"{label} fractional campaign_id", post('{"campaign_id":1.5}'), 400, coded,
                     extra=errors_start("json: cannot unmarshal number 1.5", "3001"))
        # 3002 (R5), one per rule.
        for body, rule in [
            ({}, RULE_1),
            ({"campaign_id": -1}, RULE_1),
            ({"campaign_id": 12345, "start_time": 1704067200000}, RULE_2),
            ({"campaign_id": 12345, "start_time": 999999999}, RULE_2),
            ({"campaign_id": 12345, "end_time": 1706745600000}, RULE_3),
            ({"campaign_id": 12345, "end_time": 999999999}, RULE_3),
            ({"campaign_id": 12345, "start_time": 1706745600, "end_time": 1704067200}, RULE_4),
            ({"campaign_id": 12345, "start_time": 9999999999}, RULE_4),
        ]:
            check_answer(tally, schemas, f"{label} {json.dumps(body)}", post(body), 400, coded,
                         exact=validation_failed(rule))
        # 3007.
        check_answer(tally, schemas, f"{label} inactive product", post(SAMPLE_REQUEST, INACTIVE[path]), 403, coded,
                     exact=PRODUCT_NOT_ACTIVE)
        # 401 (R1, R2): none, unknown, and the other route's credential.
        other_kind = API_KEY if auth is BEARER else BEARER
        unknown = {"Authorization": "Bearer no-such-token"} if auth is BEARER else {"x-ins-auth-key": "INS.no-such-key"}
        www = header_is("WWW-Authenticate", "Bearer") if auth is BEARER else None
        for what, headers in [("no credential", {}), ("unknown credential", unknown),
                              ("the other route's credential", other_kind)]:
            check_answer(tally, schemas, f"{label} 401 with {what}", post(SAMPLE_REQUEST, headers), 401, message,
                         exact=UNAUTHORIZED, extra=www)
        # 405 (R3 step 1).
        for method in ("GET", "PUT", "DELETE"):
            check_answer(tally, schemas, f"{label} {method}", mock.send(method, path, auth), 405, message,
                         exact=METHOD_NOT_ALLOWED, extra=header_is("Allow", "POST"))
    # Unknown path (docs/decisions.md).
    check_answer(tally, schemas, "unknown path", mock.send("POST", "/v1/statistics/nothing", API_KEY, SAMPLE_REQUEST),
                 404, message, exact={"message": "not found"})
    # Token endpoint (R14), against the OpenAPI document's schemas.
    token_ok = schemas.openapi_pointer("paths", TOKEN_PATH, "post", "responses", "200", "content",
                                       "application/json", "schema")
    issued = mock.send("POST", TOKEN_PATH, {}, TOKEN_REQUEST)
    check_answer(tally, schemas, "token for demo-client", issued, 200, token_ok,
                 extra=lambda a: (a.body.get("token_type") == "Bearer" and a.body.get("expires_in", 0) > 0,
                                  repr(a.body)))
    if issued.status == 200 and isinstance(issued.body, dict):
        token = issued.body.get("access_token", "")
        check_answer(tally, schemas, "v2 12345 with an issued token",
                     mock.send("POST", V2_PATH, {"Authorization": f"Bearer {token}"}, SAMPLE_REQUEST), 200,
                     response, exact=SAMPLE_RESPONSE)
        check_answer(tally, schemas, "v1 with an issued token (wrong kind)",
                     mock.send("POST", V1_PATH, {"x-ins-auth-key": token}, SAMPLE_REQUEST), 401, message,
                     exact=UNAUTHORIZED)
    check_answer(tally, schemas, "token with a wrong secret",
                 mock.send("POST", TOKEN_PATH, {}, {**TOKEN_REQUEST, "client_secret": "wrong"}), 401, message,
                 exact=UNAUTHORIZED)
    check_answer(tally, schemas, "token for an unknown client",
                 mock.send("POST", TOKEN_PATH, {}, {**TOKEN_REQUEST, "client_id": "nobody"}), 401, message,
                 exact=UNAUTHORIZED)
    check_answer(tally, schemas, "token without the wa-stats-api scope",
                 mock.send("POST", TOKEN_PATH, {}, {**TOKEN_REQUEST, "scopes": ["other"]}), 403, message,
                 exact=SCOPE_REQUIRED)
    check_answer(tally, schemas, "token with a junk body", mock.send("POST", TOKEN_PATH, {}, "junk"), 400, coded)
    check_answer(tally, schemas, "token GET", mock.send("GET", TOKEN_PATH), 405, message,
                 exact=METHOD_NOT_ALLOWED, extra=header_is("Allow", "POST"))


def check_rate_limit(tally: Tally, schemas: Schemas, mock: Mock) -> None:
    """Push one credential past 100 requests in a second (R9) and one client past 10 tokens a
    minute (R14). Bounded: at most 400 statistics requests and 12 token requests."""
    limited = schemas.error_shape("RateLimitedBody")
    headers = {"x-ins-auth-key": "INS.other-key"}
    first_429: Answer | None = None
    sent = 0
    deadline = time.monotonic() + 10
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        while first_429 is None and sent < 400 and time.monotonic() < deadline:
            batch = list(pool.map(lambda _: mock.send("POST", V1_PATH, headers, {"campaign_id": 33333}), range(80)))
            sent += len(batch)
            first_429 = next((a for a in batch if a.status == 429), None)
    if not tally.check("live", f"rate limit reached within {sent} requests", first_429 is not None):
        return
    check_answer(tally, schemas, "429 on a statistics route", first_429, 429, limited, exact=RATE_LIMITED,
                 extra=header_is("Retry-After", "1"))
    tokens: list[Answer] = []
    for _ in range(12):
        tokens.append(mock.send("POST", TOKEN_PATH, {}, TOKEN_REQUEST))
        if tokens[-1].status == 429:
            break
    # A fresh mock issues exactly 10 before refusing; a rerun within the minute fewer.
    issued = [a.status for a in tokens[:-1]]
    tally.check("live", "at most 10 tokens a minute, each before the limit issued",
                len(issued) <= 10 and all(status == 200 for status in issued), repr([a.status for a in tokens]))
    check_answer(tally, schemas, "11th token in a minute", tokens[-1], 429, limited, exact=RATE_LIMITED)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mock-url", help="a running wa-stats-mock (loopback only), checked live")
    parser.add_argument("--limited-mock-url", help="a running wa-stats-mock with its rate limit on, pushed to 429")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every passing check too")
    args = parser.parse_args()

    tally = Tally(args.verbose)
    print(f"jsonschema {importlib.metadata.version('jsonschema')}, Python {sys.version.split()[0]}")
    schemas = Schemas()
    meta_validate(tally, schemas)
    valid = check_examples(tally, schemas)
    invalid = check_rejections(tally, schemas)
    print(f"schemas: {len(schemas.files)} schema files, "
          f"{len(schemas.openapi.get('components', {}).get('schemas', {}))} OpenAPI components; "
          f"{valid} example bodies validated, {invalid} bad bodies rejected")
    if args.mock_url:
        check_live(tally, schemas, Mock(args.mock_url))
    if args.limited_mock_url:
        check_rate_limit(tally, schemas, Mock(args.limited_mock_url))
    print("checks by group: " + ", ".join(f"{group} {count}" for group, count in tally.groups.items()))
    print(f"{tally.passed} passed, {tally.failed} failed")
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
