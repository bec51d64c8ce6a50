"""A consumer of wa-stats-bindings as pip installs it from the wheel: it must pass `mypy --strict`
reading every counter and reason as a plain `int`, and decode what the live mock answers. Run by
tests/external/run.sh with the wheel installed in a fresh virtual environment outside the
checkout, so that only what the wheel installed is importable."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

from wa_stats import VERSION, CampaignStatistics, classify, read_statistics


def need(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise SystemExit(f"set {name} (tests/external/run.sh does)")
    return value


def post(campaign_id: int) -> tuple[int, bytes]:
    request = urllib.request.Request(
        need("WA_STATS_MOCK_URL") + "/api/wa/v2/statistics/campaign",
        data=json.dumps({"campaign_id": campaign_id}).encode(),
        headers={"content-type": "application/json", "authorization": "Bearer " + need("WA_STATS_TOKEN")},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def main() -> None:
    status, body = post(12345)
    if status != 200:
        raise SystemExit(f"campaign 12345: HTTP {status} {body!r}")
    stats: CampaignStatistics = read_statistics(body)
    sent: int = stats.sent
    capped: int = stats.dropDetails.frequencyCapped
    media: int = stats.undeliveredDetails.mediaErrors
    print(f"wa-stats-bindings {VERSION}, campaign 12345: sent={sent} delivered={stats.delivered} frequencyCapped={capped} mediaErrors={media}")

    sparse = read_statistics('{"data":{"statistics":{"sent":3,"read":1}}}')
    zero: int = sparse.dropDetails.duplicates
    print(f"envelope read as: sent={sparse.sent} open={sparse.open} dropDetails.duplicates={zero}")

    status, body = post(99999)
    error = classify(status, body)
    if error.kind != "campaign_not_found":
        raise SystemExit(f"campaign 99999: expected campaign_not_found, got {error.kind}")
    print(f"campaign 99999: HTTP {error.status} {error.kind} (code {error.code})")


if __name__ == "__main__":
    main()
