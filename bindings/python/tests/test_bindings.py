"""The Python binding, used as a consumer would: every documented body round-trips through the
generated models, the refused bodies are refused, the tolerant reading and the error
classification agree with the Rust model, and a live wa-stats-mock's answers decode.

The bodies and the Rust model's readings come from ../examples.json, which `cargo xtask bindings`
exports from crates/wa-stats-model/src/examples.rs. The live tests need WA_STATS_MOCK_URL (a mock
with the rate limit off) and WA_STATS_STRICT_MOCK_URL (a mock with `--rate-limit 1`), which
tests/external/run.sh sets; without them they fail, saying so."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

import wa_stats
from wa_stats import (
    CampaignStatistics,
    CampaignStatisticsEnvelope,
    CampaignStatisticsRequest,
    CodedErrorBody,
    FieldErrorsBody,
    MessageBody,
    RateLimitedBody,
    classify,
    read_statistics,
    to_json,
)

EXAMPLES: dict[str, Any] = json.loads((Path(__file__).resolve().parents[2] / "examples.json").read_text())
MODELS: dict[str, type[BaseModel]] = {
    "CampaignStatisticsRequest": CampaignStatisticsRequest,
    "CampaignStatistics": CampaignStatistics,
    "CampaignStatisticsEnvelope": CampaignStatisticsEnvelope,
    "CodedErrorBody": CodedErrorBody,
    "FieldErrorsBody": FieldErrorsBody,
    "RateLimitedBody": RateLimitedBody,
    "MessageBody": MessageBody,
}


def by_name(section: str) -> list[Any]:
    return [pytest.param(case, id=case.get("name") or case["what"]) for case in EXAMPLES[section]]


@pytest.mark.parametrize("case", by_name("documented"))
def test_documented_body_round_trips(case: dict[str, Any]) -> None:
    model = MODELS[case["type"]].model_validate(case["body"])
    assert to_json(model) == case["body"]
    assert json.loads(model.model_dump_json(exclude_none=True)) == case["body"]


@pytest.mark.parametrize("case", by_name("refused"))
def test_refused_body_is_refused(case: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        MODELS[case["type"]].model_validate(case["body"])


@pytest.mark.parametrize("case", by_name("tolerant"))
def test_tolerant_reading_agrees_with_the_rust_model(case: dict[str, Any]) -> None:
    assert to_json(read_statistics(json.dumps(case["body"]))) == case["readsAs"]


@pytest.mark.parametrize("case", [c for c in by_name("documented") if "status" in c.values[0]])
def test_classification_agrees_with_the_rust_model(case: dict[str, Any]) -> None:
    error = classify(case["status"], json.dumps(case["body"]))
    assert (error.kind, error.code, error.message) == (case["kind"], case["code"], case["message"])
    assert type(error.body).__name__ == case["type"]


def test_counters_are_plain_required_ints() -> None:
    sample = CampaignStatistics.model_validate(EXAMPLES["documented"][1]["body"])
    rate: float = sample.delivered / sample.sent  # an int, never None: mypy --strict agrees
    assert rate == 1150 / 1200
    assert CampaignStatistics.model_fields["sent"].is_required()
    with pytest.raises(ValidationError):
        CampaignStatistics.model_validate({**to_json(sample), "sent": None})
    with pytest.raises(ValidationError):
        CampaignStatistics.model_validate({"data": {"statistics": {"sent": 1}}})
    assert read_statistics({"data": {"statistics": {"sent": 1}}}).sent == 1
    # Both reason breakdowns are required: a reason reads as a plain int, no None check.
    capped: int = sample.dropDetails.frequencyCapped
    assert capped == EXAMPLES["documented"][1]["body"]["dropDetails"]["frequencyCapped"]
    assert CampaignStatistics.model_fields["dropDetails"].is_required()
    filled = read_statistics({"sent": 1, "dropDetails": None})
    assert (filled.dropDetails.duplicates, filled.undeliveredDetails.mediaErrors) == (0, 0)
    envelope = CampaignStatisticsEnvelope.model_validate({"data": {"statistics": {"sent": 1, "read": 2}}})
    assert (envelope.data.statistics.sent, envelope.data.statistics.read, envelope.data.statistics.open) == (1, 2, None)


def test_unknown_fields_are_kept_at_every_level() -> None:
    body = {**EXAMPLES["documented"][2]["body"], "future": {"x": [1]}}
    body["dropDetails"] = {**body["dropDetails"], "newReason": 1}
    body["responses"] = [{**body["responses"][0], "newCounter": 2}]
    assert to_json(CampaignStatistics.model_validate(body)) == body
    error = {"message": "validation failed", "errorCode": "3002", "errors": "x", "traceId": "abc"}
    assert to_json(CodedErrorBody.model_validate(error)) == error


def test_error_code_is_a_plain_string_and_numbers_are_read_too() -> None:
    body = CodedErrorBody.model_validate({"message": "m", "errorCode": "3004"})
    assert body.errorCode == "3004"
    error = classify(400, '{"message":"m","errorCode":3004}')
    assert (error.kind, error.code) == ("campaign_not_found", "3004")


def test_an_api_error_can_be_raised_and_caught() -> None:
    with pytest.raises(wa_stats.ApiError) as caught:
        raise classify(429, json.dumps(next(c for c in EXAMPLES["documented"] if c["name"] == "rate_limited")["body"]))
    assert caught.value.kind == "rate_limited"
    assert isinstance(caught.value.body, RateLimitedBody)


def test_undocumented_bodies_keep_their_text() -> None:
    proxy = classify(502, b"<html>Bad Gateway</html>")
    assert (proxy.kind, proxy.raw, proxy.body) == ("other", "<html>Bad Gateway</html>", None)
    assert str(proxy) == "HTTP 502: <html>Bad Gateway</html>"


def test_version_is_the_crates_version() -> None:
    pyproject = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text()
    assert f'version = "{wa_stats.__version__}"' in pyproject


def mock_url(variable: str) -> str:
    url = os.environ.get(variable)
    if not url:
        pytest.fail(
            f"{variable} is not set: run `bash tests/external/run.sh` (it starts the mocks), or start "
            "target/debug/wa-stats-mock --listen 127.0.0.1:0 and set it to the printed URL"
        )
    return url


def fetch(base: str, case: dict[str, Any]) -> tuple[int, str]:
    data = case["body"].encode() if case["method"] == "POST" else None
    headers = {"content-type": "application/json", **case["headers"]}
    request = urllib.request.Request(base + case["path"], data=data, headers=headers, method=case["method"])
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as answer:
        return answer.code, answer.read().decode()


def check_live_answer(case: dict[str, Any], status: int, text: str) -> None:
    assert status == case["status"], text
    if status == 200:
        statistics = CampaignStatistics.model_validate_json(text)
        assert to_json(statistics) == json.loads(text)
        assert to_json(read_statistics(text)) == json.loads(text)
    else:
        error = classify(status, text)
        assert error.kind == case["kind"], text
        assert type(error.body).__name__ == case["type"], text
        assert error.body is not None and to_json(error.body) == json.loads(text)


@pytest.mark.parametrize("case", by_name("live"))
def test_live_mock_answer_decodes(case: dict[str, Any]) -> None:
    check_live_answer(case, *fetch(mock_url("WA_STATS_MOCK_URL"), case))


def test_live_rate_limited_answer_decodes() -> None:
    case = EXAMPLES["liveRateLimited"]
    base = mock_url("WA_STATS_STRICT_MOCK_URL")
    for _ in range(20):
        status, text = fetch(base, case)
        if status == 429:
            break
    check_live_answer(case, status, text)
