"""A dlt source: the daily statistics of campaigns, merged on (`campaign_id`, `day`).

The records come from `wa-stats tap` (the same engine as `wa-stats sync`: the same days, values
and reconciliation), not from a second implementation here; the tap's Singer state is kept in
dlt's pipeline state, so that each run sends only what the re-check needs and yields only the
days that are new or changed. Install with `pip install 'wa-stats-cli[dlt]'`.

    import dlt
    from wa_stats_cli.dlt_source import wa_stats_source

    pipeline = dlt.pipeline("wa_stats", destination="duckdb", dataset_name="insider")
    pipeline.run(wa_stats_source(campaign_ids=[12345], start_date="2024-01-01", token="…"))
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from typing import Any, Dict, Iterator, List, Optional, Sequence

import dlt

from . import find_binary

__all__ = ["wa_stats_source"]


def _tap_config(settings: Dict[str, Any]) -> Dict[str, Any]:
    return {key: value for key, value in settings.items() if value is not None}


@dlt.source(name="wa_stats")
def wa_stats_source(
    campaign_ids: Sequence[int] = dlt.config.value,
    start_date: str = dlt.config.value,
    end_date: Optional[str] = None,
    lookback_days: Optional[int] = None,
    base_url: Optional[str] = None,
    rate_limit: Optional[int] = None,
    ca_cert: Optional[str] = None,
    token: Optional[str] = dlt.secrets.value,
    api_key: Optional[str] = None,
    client_id: Optional[str] = None,
    client_secret: Optional[str] = None,
) -> Any:
    """Campaigns' days as the tap emits them; every key is the tap's (`wa-stats tap --about`)."""
    settings = _tap_config(
        {
            "campaign_ids": list(campaign_ids),
            "start_date": start_date,
            "end_date": end_date,
            "lookback_days": lookback_days,
            "base_url": base_url,
            "rate_limit": rate_limit,
            "ca_cert": ca_cert,
            "token": token,
            "api_key": api_key,
            "client_id": client_id,
            "client_secret": client_secret,
        }
    )
    return _daily_statistics(settings)


@dlt.resource(
    name="daily_statistics",
    primary_key=("campaign_id", "day"),
    write_disposition="merge",
)
def _daily_statistics(settings: Dict[str, Any]) -> Iterator[Dict[str, Any]]:
    state = dlt.current.resource_state()
    with tempfile.TemporaryDirectory(prefix="wa-stats-dlt-") as work:
        config_path = os.path.join(work, "config.json")
        # The config holds the credential: readable by this user alone, removed with the folder.
        descriptor = os.open(config_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as config_file:
            json.dump(settings, config_file)
        command: List[str] = [find_binary(), "tap", "--config", config_path]
        if state.get("singer_state"):
            state_path = os.path.join(work, "state.json")
            with open(state_path, "w") as state_file:
                json.dump(state["singer_state"], state_file)
            command += ["--state", state_path]
        with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as tap:
            assert tap.stdout is not None
            for line in tap.stdout:
                message = json.loads(line)
                if message.get("type") == "RECORD":
                    yield message["record"]
                elif message.get("type") == "STATE":
                    # Committed by dlt with the load: a failed run keeps the previous state, so
                    # its days are yielded again next time (at least once; merge upserts them).
                    state["singer_state"] = message["value"]
            status = tap.wait()
        if status != 0:
            raise RuntimeError(
                f"wa-stats tap exited with status {status}; its stderr above says why"
            )
