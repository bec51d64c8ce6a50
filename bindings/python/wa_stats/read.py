"""What JSON Schema cannot say, in a few lines: the tolerant reading of a success body (R10) and
the classification of an error answer (R11). Both agree with the Rust model (`wa-stats-model`) on
every documented body; `tests/test_bindings.py` checks it against `bindings/examples.json`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Union

from pydantic import BaseModel, ValidationError

from .counters import ALWAYS_PRESENT, DEFAULTS, KIND_OF_CODE, NESTED, ErrorKind
from .errors import CodedErrorBody, FieldErrorsBody, MessageBody, RateLimitedBody
from .statistics import CampaignStatistics

ErrorBody = Union[CodedErrorBody, FieldErrorsBody, RateLimitedBody, MessageBody]



def _with_defaults(type_name: str, value: dict[str, Any]) -> dict[str, Any]:
    filled = dict(DEFAULTS[type_name])
    filled.update(value)
    return filled


def _read_flat(value: dict[str, Any]) -> dict[str, Any]:
    value = dict(value)
    # `read` is the enveloped name of `open`; when both came, `open` wins and `read` stays as an
    # unknown field, as in the Rust model.
    if "read" in value and "open" not in value:
        value["open"] = value.pop("read")
    for name, type_name in NESTED.items():
        nested = value.get(name)
        if nested is None:
            # The reason breakdowns are in every canonical body: an absent one reads as zeros.
            if name in ALWAYS_PRESENT:
                value[name] = _with_defaults(type_name, {})
            else:
                value.pop(name, None)
        elif isinstance(nested, list):
            value[name] = [_with_defaults(type_name, item) if isinstance(item, dict) else item for item in nested]
        elif isinstance(nested, dict):
            value[name] = _with_defaults(type_name, nested)
    return _with_defaults("CampaignStatistics", value)


def read_statistics(body: str | bytes | dict[str, Any]) -> CampaignStatistics:
    """Reads a success body in any form R10 accepts: the flat Sample Response, the
    `{"data":{"statistics":{...}}}` envelope (`read` for `open`), counters left out (read as 0),
    a reason breakdown left out or `null` (read as all zeros). Validates as strictly as the canonical schema: a negative or non-integer counter raises
    `pydantic.ValidationError`. Unknown fields are kept."""
    value = json.loads(body) if isinstance(body, (str, bytes)) else body
    if not isinstance(value, dict):
        raise ValueError("a success body is a JSON object")
    data = value.get("data")
    if isinstance(data, dict) and isinstance(data.get("statistics"), dict):
        inner = _read_flat(data["statistics"])
        rest = {key: item for key, item in data.items() if key != "statistics"}
        beside = {key: item for key, item in value.items() if key != "data"}
        if rest:
            beside["data"] = rest
        inner.update(beside)
        return CampaignStatistics.model_validate(inner)
    return CampaignStatistics.model_validate(_read_flat(value))


def to_json(model: BaseModel) -> Any:
    """A model as the JSON value it came from: unknown fields included, absent optionals left out."""
    return model.model_dump(mode="json", exclude_none=True)


@dataclass(frozen=True)
class ApiError(Exception):
    """An error answer, classified. `kind` is what a caller switches on; `body` is the documented
    shape when the body had one; `raw` is always the text as received."""

    status: int
    kind: ErrorKind
    code: str | None
    message: str | None
    raw: str
    body: ErrorBody | None

    def __str__(self) -> str:
        code = f" (code {self.code})" if self.code is not None else ""
        return f"HTTP {self.status}{code}: {self.message if self.message is not None else self.raw[:200]}"


def _text(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _typed(model: type[ErrorBody], value: dict[str, Any]) -> ErrorBody | None:
    try:
        return model.model_validate(value)
    except ValidationError:
        return None


def _is_field_errors(errors: object) -> bool:
    return isinstance(errors, dict) and all(
        isinstance(problems, list) and all(isinstance(problem, str) for problem in problems)
        for problems in errors.values()
    )


def classify(status: int, body: str | bytes) -> ApiError:
    """Classifies an error answer from its status and body, in tiers: the documented shape, else
    any JSON object (its `message` and code picked out), else the raw text."""
    raw = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    value: dict[str, Any] = parsed if isinstance(parsed, dict) else {}
    message = _text(value["message"]) if value.get("message") is not None else None
    error_code = value.get("errorCode")
    code_text = error_code if isinstance(error_code, str) else None
    if isinstance(error_code, (int, float)) and not isinstance(error_code, bool):
        code_text = json.dumps(error_code)
    inner = value.get("error")
    inner_code = inner.get("code") if isinstance(inner, dict) else None
    code = code_text if code_text is not None else (_text(inner_code) if inner_code is not None else None)
    kind: ErrorKind = "other"
    typed: ErrorBody | None = None
    if status == 401:
        kind, typed = "unauthorized", _typed(MessageBody, value)
    elif status == 429:
        kind, typed = "rate_limited", _typed(RateLimitedBody, value)
    elif code_text in KIND_OF_CODE:
        kind, typed = KIND_OF_CODE[code_text], _typed(CodedErrorBody, value)
    elif status == 422 and code_text is None and _is_field_errors(value.get("errors")):
        kind, typed = "not_a_whatsapp_campaign", _typed(FieldErrorsBody, value)
    elif message is not None:
        typed = _typed(MessageBody, value)
    return ApiError(status, kind, code, message, raw, typed)
