"""schemathesis hooks for tests/external/run.sh: one extra check, nothing switched off.

`positive_data_acceptance` expects every schema-valid request to succeed. This API refuses some
schema-valid requests for reasons no JSON Schema can state, so tests/external/schemathesis.toml
adds 400 and 422 to that check's expected statuses (docs/reliability.md explains why). To keep
the check as sharp as before, the check below accepts such a refusal only when its reason is one
of those that the schema cannot express:

- 400 `3004`: the campaign does not exist or is another partner's (R7). Campaign IDs are data,
  not syntax. The demo partner's own campaigns (R13: 12345, 12346, 22222) must never get it.
- 400 `3002` with `end_time must be greater than start_time` (R5 rule 4), and only when the
  request really has `end_time <= start_time` after the defaults (start 2018-01-01, end now).
  Rules 1-3 are in the schema, so schema-valid data must never fail them.
- 422 (R8): the campaign exists but is not a WhatsApp campaign; only the built-in 22222 is one.

- 400 `3001` for an integral number written with a fraction or an exponent (`76.0`, `1e3`) in
  `campaign_id`, `start_time` or `end_time`. JSON Schema validates values, not their spelling:
  `76.0` *is* the integer 76 to it (draft 2020-12, "integer"), so no schema can forbid it. The
  upstream decodes with Go's encoding/json into int64 fields, which refuses such literals (R4),
  and so does the mock. The check makes sure the number named in the error is that field's
  value and is integral.

Any other refusal of schema-valid data on a statistics route (a `3001` parse failure, another
`3002` rule, 422 for another campaign) fails the run.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import schemathesis

STATISTICS_PATHS = {"/api/wa/v2/statistics/campaign", "/v1/statistics/campaign"}
DEFAULT_START = 1514764800  # R5: 2018-01-01T00:00:00Z
RULE_4 = "end_time must be greater than start_time"
DEMO_CAMPAIGNS = {12345, 12346, 22222}  # R13: partner "demo" owns these
NOT_WHATSAPP = {22222}


GO_FOLDS = {"\u017f": "s", "\u212a": "k"}  # long s, Kelvin sign


def go_fold(key: str) -> str:
    """Go's encoding/json key folding: ASCII case, plus U+017F (long s) and U+212A (Kelvin)."""
    return "".join(GO_FOLDS.get(c, c.lower() if c.isascii() else c) for c in key)


def go_field(body: dict[str, Any], name: str) -> Any:
    """The value Go's encoding/json puts in field `name`: every key that equals it ignoring case
    sets it, in document order, so the last one wins; `null` leaves it as it was."""
    value = None
    for key, item in body.items():
        if go_fold(key) == name and item is not None:
            value = item
    return value


def given(value: Any) -> int | None:
    """R5: 0 and null mean "not given"."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value != 0 else None


FRACTION_REFUSED = re.compile(
    r"^json: cannot unmarshal number (?P<literal>\S+) into Go struct field "
    r"CampaignStatisticsRequest\.(?P<field>campaign_id|start_time|end_time) of type int64$"
)


def integral_literal_refused(body: dict[str, Any], errors: str) -> bool:
    """Whether `errors` is Go refusing an integral value spelled as a fraction or exponent."""
    match = FRACTION_REFUSED.match(errors)
    if match is None:
        return False
    literal = match["literal"]
    if not any(mark in literal for mark in ".eE"):
        return False  # a plain integer literal must never be refused (it is out of range instead)
    try:
        value = float(literal)
    except ValueError:
        return False
    sent = go_field(body, match["field"])
    return value.is_integer() and isinstance(sent, (int, float)) and not isinstance(sent, bool) and sent == value


@schemathesis.check
def positive_data_refused_only_for_unschemable_reasons(ctx, response, case):
    """A schema-valid statistics request is refused only for a reason JSON Schema cannot state."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    if case.path not in STATISTICS_PATHS or case.method.upper() != "POST":
        return None
    if response.status_code not in (400, 422):
        return None
    if not isinstance(case.body, dict):
        return None
    campaign_id = go_field(case.body, "campaign_id")
    try:
        answer = json.loads(response.content)
    except ValueError:
        raise AssertionError(f"{response.status_code} with a body that is not JSON: {response.content[:200]!r}")
    code = answer.get("errorCode") if isinstance(answer, dict) else None
    if response.status_code == 422:
        if campaign_id not in NOT_WHATSAPP:
            raise AssertionError(f"422 for campaign {campaign_id!r}, which is a WhatsApp campaign or unknown: {answer}")
        return None
    if code == "3004":
        if campaign_id in DEMO_CAMPAIGNS:
            raise AssertionError(f"3004 for campaign {campaign_id}, which partner demo owns (R13): {answer}")
        return None
    if code == "3001" and integral_literal_refused(case.body, str(answer.get("errors", ""))):
        return None
    if code == "3002" and answer.get("errors") == RULE_4:
        start = given(go_field(case.body, "start_time")) or DEFAULT_START
        end = given(go_field(case.body, "end_time")) or int(time.time())
        if end > start:
            raise AssertionError(f"rule 4 reported although end_time {end} > start_time {start}: {answer}")
        return None
    raise AssertionError(
        f"schema-valid request refused with {response.status_code} for a reason the schema does state: {answer}"
    )
