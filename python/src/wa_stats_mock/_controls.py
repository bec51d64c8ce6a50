"""`AdminControls`: `MockServer`'s test controls over `/__admin/`, with the Rust handle's names
(`inject`, `journal`, `reset`, `upsert_campaign`), plus `fault(...)` for `inject(Fault(...))`."""

from __future__ import annotations

import http.client
import json
import ssl
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

from ._admin import AdminError, CloseKind, Fault, FaultBody, JournalEntry, NetworkKind, Route, Times

#: Seconds an admin call may take before it fails (the mock answers them in microseconds).
ADMIN_TIMEOUT_SECS = 10.0


class AdminControls:
    """The admin helpers; `MockServer` supplies `port` and the admin token."""

    _admin_token: Optional[str]

    @property
    def port(self) -> int:
        raise NotImplementedError

    def _admin_ssl_context(self) -> Optional[ssl.SSLContext]:
        """The context that trusts the mock's CA when it serves HTTPS; `None` for plain HTTP."""
        return None

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
        network: Optional[NetworkKind] = None,
        slow_body: Optional[int] = None,
        times: Times = None,
        fraction: Optional[float] = None,
        seed: Optional[int] = None,
        campaign_id: Optional[int] = None,
        route: Route = "statistics",
    ) -> None:
        """`inject(Fault(...))` in one call: `server.fault(429, times=2)`,
        `server.fault(network="reset")`, `server.fault(503, fraction=0.3, seed=7, times="always")`.
        See `Fault`."""
        self.inject(
            Fault(
                status=status,
                body=body,
                headers=dict(headers or {}),
                delay=delay,
                close=close,
                network=network,
                slow_body=slow_body,
                times=times,
                fraction=fraction,
                seed=seed,
                campaign_id=campaign_id,
                route=route,
            )
        )

    def expect(
        self,
        *,
        campaign_id: Optional[int] = None,
        path: Optional[str] = None,
        route: Optional[Route] = None,
        method: Optional[str] = None,
        times: Optional[int] = None,
        at_least: Optional[int] = None,
        at_most: Optional[int] = None,
    ) -> None:
        """Expects a request, as wiremock-rs's `expect` does: `server.expect(campaign_id=12345,
        times=2)`, `server.expect(route="token", at_least=1)`. `verify()` checks it against the
        journal. Without a count: at least once. `campaign_id` alone means a statistics route."""
        spec: Dict[str, Any] = {}
        for key, value in (
            ("campaignId", campaign_id),
            ("path", path),
            ("route", route),
            ("method", method),
            ("times", times),
            ("atLeast", at_least),
            ("atMost", at_most),
        ):
            if value is not None:
                spec[key] = value
        self._admin("expectation refused", "POST", "/__admin/expectations", 204, spec)

    def verify(self) -> None:
        """Checks every expectation against the journal. Raises `AssertionError` whose message
        names each unmet expectation with its count and lists the requests that came instead."""
        status, data = admin_call(
            self.port, "POST", "/__admin/verify", self._admin_token, None, self._admin_ssl_context()
        )
        if status == 409:
            raise AssertionError(error_message(data))
        if status != 204:
            raise AdminError("verify refused", status, error_message(data))

    def journal(self) -> List[JournalEntry]:
        """The requests received since the start or the last `reset()`, oldest first."""
        body = self._admin("journal unreadable", "GET", "/__admin/journal", 200)
        return [JournalEntry.from_json(entry) for entry in json.loads(body)]

    def reset(self) -> None:
        """Clears faults, expectations, the journal, rate-limit windows and issued tokens.
        Campaigns stay."""
        self._admin("reset refused", "POST", "/__admin/reset", 204)

    def upsert_campaign(self, campaign: Mapping[str, Any]) -> None:
        """Adds or replaces a campaign, given as in a fixture file (`id`, `owner`, `kind`,
        `days`, ...). Raises `AdminError` naming the JSON path of a bad value."""
        if "id" not in campaign:
            raise ValueError("a campaign needs an 'id'")
        path = f"/__admin/campaigns/{campaign['id']}"
        self._admin("campaign refused", "PUT", path, 204, dict(campaign))

    def _admin(self, what: str, method: str, path: str, expect: int, body: Any = None) -> bytes:
        status, data = admin_call(
            self.port, method, path, self._admin_token, body, self._admin_ssl_context()
        )
        if status != expect:
            raise AdminError(what, status, error_message(data))
        return data


def admin_call(
    port: int,
    method: str,
    path: str,
    admin_token: Optional[str],
    body: Optional[Any] = None,
    context: Optional[ssl.SSLContext] = None,
) -> Tuple[int, bytes]:
    """One request to the mock's admin API on 127.0.0.1 (over HTTPS when `context` is given);
    returns (status, body).

    `http.client` rather than `urllib`, so that no `http_proxy` setting can send it elsewhere.
    """
    headers = {"content-type": "application/json"}
    if admin_token is not None:
        headers["authorization"] = f"Bearer {admin_token}"
    payload = None if body is None else json.dumps(body).encode()
    connection: Union[http.client.HTTPConnection, http.client.HTTPSConnection]
    if context is None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=ADMIN_TIMEOUT_SECS)
    else:
        connection = http.client.HTTPSConnection(
            "127.0.0.1", port, timeout=ADMIN_TIMEOUT_SECS, context=context
        )
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
