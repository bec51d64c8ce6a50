"""What the tests need besides the package: a plain HTTP client and the vendor's sample body.

`http.client` straight to 127.0.0.1, so no proxy setting can get in the way, and one connection
per call unless a test keeps its own.
"""

from __future__ import annotations

import http.client
import json
import os
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple
from urllib.parse import urlsplit

from wa_stats_mock import API_KEY_HEADER, MockServer


@dataclass(frozen=True)
class Answer:
    status: int
    headers: List[Tuple[str, str]]
    body: bytes

    def header(self, name: str) -> Optional[str]:
        return next((v for n, v in self.headers if n.lower() == name.lower()), None)

    def json(self) -> Any:
        return json.loads(self.body)


def post(
    url: str,
    body: Any,
    headers: Mapping[str, str],
    connection: Optional[http.client.HTTPConnection] = None,
) -> Answer:
    """POSTs `body` (a `bytes` as is, else as JSON) to `url` and reads the whole answer."""
    parts = urlsplit(url)
    assert parts.hostname == "127.0.0.1", url
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    own = connection is None
    conn = connection or http.client.HTTPConnection("127.0.0.1", parts.port, timeout=30)
    try:
        conn.request(
            "POST",
            parts.path,
            body=payload,
            headers={"content-type": "application/json", **headers},
        )
        response = conn.getresponse()
        return Answer(response.status, response.getheaders(), response.read())
    finally:
        if own:
            conn.close()


def v1(server: MockServer, campaign_id: int, key: str = MockServer.DEMO_API_KEY) -> Answer:
    return post(server.v1_url, {"campaign_id": campaign_id}, {API_KEY_HEADER: key})


def v2(server: MockServer, campaign_id: int, token: str = MockServer.DEMO_TOKEN) -> Answer:
    return post(
        server.v2_url, {"campaign_id": campaign_id}, {"authorization": f"Bearer {token}"}
    )


def issue_token(server: MockServer) -> Answer:
    """Asks the token endpoint for a token of the built-in OAuth client."""
    body = {
        "client_id": MockServer.DEMO_CLIENT_ID,
        "client_secret": MockServer.DEMO_CLIENT_SECRET,
        "scopes": ["wa-stats-api"],
    }
    return post(server.token_url, body, {})


#: The vendor page's "Sample Response": campaign 12345's whole-lifetime statistics in the mock.
#: Typed in from the page, like tests/python/check_schemas.py's copy, and on purpose not read from
#: the Rust code or the checkout: it is the oracle, and this suite runs outside the checkout.
SAMPLE_RESPONSE: Dict[str, Any] = {
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


def fake_binary(tmp_path: Path, body: str) -> Path:
    """A stand-in for the binary: a Python script with this body."""
    script = tmp_path / "fake-wa-stats-mock"
    script.write_text(f"#!{sys.executable}\n" + textwrap.dedent(body))
    script.chmod(0o755)
    return script


def command_line(pid: int) -> str:
    """The command line of a running process, as `ps` would show it."""
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 30.0) -> None:
    """Polls `condition` until it holds; fails naming `what` after `seconds` (a bound for a
    loaded machine, not a speed expectation)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what} after {seconds:g} s")
        time.sleep(0.02)


def pid_alive(pid: int) -> bool:
    """Whether a process with this PID exists (a zombie counts: it was not reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
