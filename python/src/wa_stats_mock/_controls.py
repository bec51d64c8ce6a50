"""`AdminControls`: `MockServer`'s test controls over `/__admin/`, with the Rust handle's names
(`inject`, `journal`, `reset`, `upsert_campaign`), plus `fault(...)` for `inject(Fault(...))`."""

from __future__ import annotations

import http.client
import json
from typing import Any, List, Mapping, Optional, Tuple

from ._admin import AdminError, CloseKind, Fault, FaultBody, JournalEntry, Route

#: Seconds an admin call may take before it fails (the mock answers them in microseconds).
ADMIN_TIMEOUT_SECS = 10.0


class AdminControls:
    """The admin helpers; `MockServer` supplies `port` and the admin token."""

    _admin_token: Optional[str]

    @property
    def port(self) -> int:
        raise NotImplementedError

    def inject(self, fault: Fault) -> None:
        """Scripts `fault` for the next matching requests. Raises `AdminError` if the mock
        refuses it (its message says why)."""
        self._admin("fault refused", "POST", "/__admin/faults", 204, fault.to_json())

    def fault(
        self,
        status: Optional[int] = None,
        *,
        body: FaultBody = None,
        headers: Optional[Mapping[str, str]] = None,
        delay: Optional[float] = None,
        close: Optional[CloseKind] = None,
        times: Optional[int] = None,
        campaign_id: Optional[int] = None,
        route: Route = "statistics",
    ) -> None:
        """`inject(Fault(...))` in one call: `server.fault(429, times=2)`. See `Fault`."""
        self.inject(
            Fault(
                status=status,
                body=body,
                headers=dict(headers or {}),
                delay=delay,
                close=close,
                times=times,
                campaign_id=campaign_id,
                route=route,
            )
        )

    def journal(self) -> List[JournalEntry]:
        """The requests received since the start or the last `reset()`, oldest first."""
        body = self._admin("journal unreadable", "GET", "/__admin/journal", 200)
        return [JournalEntry.from_json(entry) for entry in json.loads(body)]

    def reset(self) -> None:
        """Clears faults, the journal, rate-limit windows and issued tokens. Campaigns stay."""
        self._admin("reset refused", "POST", "/__admin/reset", 204)

    def upsert_campaign(self, campaign: Mapping[str, Any]) -> None:
        """Adds or replaces a campaign, given as in a fixture file (`id`, `owner`, `kind`,
        `days`, ...). Raises `AdminError` naming the JSON path of a bad value."""
        if "id" not in campaign:
            raise ValueError("a campaign needs an 'id'")
        path = f"/__admin/campaigns/{campaign['id']}"
        self._admin("campaign refused", "PUT", path, 204, dict(campaign))

    def _admin(self, what: str, method: str, path: str, expect: int, body: Any = None) -> bytes:
        status, data = admin_call(self.port, method, path, self._admin_token, body)
        if status != expect:
            raise AdminError(what, status, error_message(data))
        return data


def admin_call(
    port: int,
    method: str,
    path: str,
    admin_token: Optional[str],
    body: Optional[Any] = None,
) -> Tuple[int, bytes]:
    """One request to the mock's admin API on 127.0.0.1; returns (status, body).

    `http.client` rather than `urllib`, so that no `http_proxy` setting can send it elsewhere.
    """
    headers = {"content-type": "application/json"}
    if admin_token is not None:
        headers["authorization"] = f"Bearer {admin_token}"
    payload = None if body is None else json.dumps(body).encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=ADMIN_TIMEOUT_SECS)
    try:
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def error_message(body: bytes) -> str:
    """The `message` of an admin error body, else the body as text."""
    text = body.decode("utf-8", "replace")
    try:
        parsed = json.loads(text)
    except ValueError:
        return text
    if isinstance(parsed, dict) and isinstance(parsed.get("message"), str):
        return str(parsed["message"])
    return text
