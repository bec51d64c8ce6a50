"""A Python team's client of our openapi.json, as they would write it: openapi-python-client made
the `wa_stats_client` package from the committed document. It must pass `mypy --strict` reading
every counter and reason as a plain `int` (no `Unset`, no `None`) and each error's code as a plain
`str` or `int`, then print what the live mock answers. Run by tests/external/run.sh with the
generated package installed in a fresh virtual environment outside the checkout."""

from __future__ import annotations

import os

from wa_stats_client import AuthenticatedClient
from wa_stats_client.api.statistics import (
    get_campaign_statistics_with_api_key,
    get_campaign_statistics_with_token,
)
from wa_stats_client.models import (
    CampaignStatistics,
    CampaignStatisticsRequest,
    CodedErrorBody,
    RateLimitedBody,
)


def need(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise SystemExit(f"set {name} (tests/external/run.sh does)")
    return value


def summary(stats: CampaignStatistics) -> str:
    """What a consumer reads off a 200 body: plain ints, both breakdowns always there."""
    sent: int = stats.sent
    capped: int = stats.drop_details.frequency_capped
    media: int = stats.undelivered_details.media_errors
    return f"sent={sent} delivered={stats.delivered} frequencyCapped={capped} mediaErrors={media}"


def main() -> None:
    token, api_key = need("WA_STATS_TOKEN"), need("WA_STATS_API_KEY")
    with AuthenticatedClient(base_url=need("WA_STATS_MOCK_URL"), token=token) as bearer:
        stats = get_campaign_statistics_with_token.sync(client=bearer, body=CampaignStatisticsRequest(campaign_id=12345))
        if not isinstance(stats, CampaignStatistics):
            raise SystemExit(f"bearer route: expected statistics, got {stats!r}")
        print(f"bearer route, campaign 12345: {summary(stats)}")

        missing = get_campaign_statistics_with_token.sync(client=bearer, body=CampaignStatisticsRequest(campaign_id=99999))
        if not isinstance(missing, CodedErrorBody):
            raise SystemExit(f"unknown campaign: expected a 400 with an errorCode, got {missing!r}")
        error_code: str = missing.error_code
        print(f"unknown campaign: errorCode {error_code}, {missing.message}")
        if error_code != "3004":
            raise SystemExit(f"expected errorCode 3004, got {error_code}")

    # The API key goes in its own header, bare: the generated client's way to say so.
    by_key = AuthenticatedClient(base_url=need("WA_STATS_MOCK_URL"), token=api_key, prefix="", auth_header_name="x-ins-auth-key")
    with by_key:
        keyed = get_campaign_statistics_with_api_key.sync(client=by_key, body=CampaignStatisticsRequest(campaign_id=12346))
        if not isinstance(keyed, CampaignStatistics):
            raise SystemExit(f"API-key route: expected statistics, got {keyed!r}")
        print(f"API-key route, campaign 12346: {summary(keyed)}")

    # A mock limited to 1 request per second answers the second request of a burst with 429.
    with AuthenticatedClient(base_url=need("WA_STATS_STRICT_MOCK_URL"), token=token) as strict:
        for _ in range(20):
            answer = get_campaign_statistics_with_token.sync(client=strict, body=CampaignStatisticsRequest(campaign_id=12345))
            if isinstance(answer, RateLimitedBody):
                code: int = answer.error.code
                print(f"over the rate limit: error.code {code}, {answer.message}")
                return
    raise SystemExit("the strict mock never answered 429")


if __name__ == "__main__":
    main()
