"""`MockServer` against the binary the wheel installed, over real loopback HTTP: the issue's
cases, and that what runs is the wheel's."""

from __future__ import annotations

import http.client
import importlib.metadata
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List

import pytest
from helpers import (
    SAMPLE_RESPONSE,
    Answer,
    command_line,
    issue_token,
    pid_alive,
    post,
    v1,
    v2,
    wait_for,
)

import wa_stats_mock
from wa_stats_mock import MockServer, find_binary

REDACTED = "** redacted **"


# --- the package is what the wheel installed ---------------------------------------------


def test_runs_what_the_wheel_installed() -> None:
    prefix = Path(sys.prefix).resolve()
    module = Path(wa_stats_mock.__file__).resolve()
    binary = Path(find_binary()).resolve()
    assert "WA_STATS_MOCK_BINARY" not in os.environ
    assert prefix in module.parents, f"{module} is not inside the environment {prefix}"
    assert prefix in binary.parents, f"{binary} is not inside the environment {prefix}"
    repository = os.environ.get("WA_STATS_REPOSITORY")
    if repository is not None:  # .ci/run sets it: nothing may come from the checkout
        root = Path(repository).resolve()
        for used in (module, binary, Path.cwd().resolve(), prefix):
            assert root != used and root not in used.parents, f"{used} is inside {root}"


def test_the_version_is_the_crates() -> None:
    version = importlib.metadata.version("wa-stats-mock")
    shown = subprocess.run(
        [sys.executable, "-m", "wa_stats_mock", "--version"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert shown.strip() == f"wa-stats-mock {version}"


def test_the_package_is_typed() -> None:
    assert (Path(wa_stats_mock.__file__).parent / "py.typed").is_file()


# --- the issue's cases --------------------------------------------------------------------


def test_sample_response_for_12345_on_both_routes(server: MockServer) -> None:
    by_key = v1(server, MockServer.SAMPLE_CAMPAIGN_ID)
    by_token = v2(server, MockServer.SAMPLE_CAMPAIGN_ID)
    for answer in (by_key, by_token):
        assert answer.status == 200
        assert answer.header("content-type") == "application/json"
        assert answer.json() == SAMPLE_RESPONSE
    assert by_key.body == by_token.body


def test_a_429_fault_then_success(server: MockServer) -> None:
    limited = {"message": "Too Many Requests", "error": {"message": "slow down", "code": 429}}
    server.fault(429, body=limited, headers={"retry-after": "1"})
    first = v1(server, 12345)
    second = v1(server, 12345)
    assert (first.status, first.header("retry-after"), first.json()) == (429, "1", limited)
    assert (second.status, second.json()) == (200, SAMPLE_RESPONSE)


def test_the_journal_shows_the_request_with_the_credential_redacted(server: MockServer) -> None:
    v1(server, 12345)
    v2(server, 12345)
    token = issue_token(server)
    assert token.status == 200
    journal = server.journal()
    assert [(e.seq, e.method, e.path, e.status) for e in journal] == [
        (0, "POST", "/v1/statistics/campaign", 200),
        (1, "POST", "/api/wa/v2/statistics/campaign", 200),
        (2, "POST", "/auth/token", 200),
    ]
    assert journal[0].header("X-Ins-Auth-Key") == REDACTED
    assert journal[0].json() == {"campaign_id": 12345}
    assert journal[1].header("authorization") == REDACTED
    assert journal[2].json()["client_secret"] == REDACTED
    everything = repr(journal)
    for secret in (
        MockServer.DEMO_API_KEY,
        MockServer.DEMO_TOKEN,
        MockServer.DEMO_CLIENT_SECRET,
        token.json()["access_token"],
    ):
        assert secret not in everything


def test_3004_is_byte_identical_for_a_missing_and_a_foreign_campaign(server: MockServer) -> None:
    def without_date(answer: Answer) -> List[Any]:
        return [answer.status, [h for h in answer.headers if h[0].lower() != "date"], answer.body]

    missing = v1(server, 99999)
    foreign = v1(server, wa_stats_mock.OTHER_PARTNER_CAMPAIGN_ID)
    assert missing.status == 400
    assert missing.json()["errorCode"] == "3004"
    assert without_date(missing) == without_date(foreign)
    assert v2(server, 99999).body == v2(server, 33333).body == missing.body
    # The campaign is there, for its owner.
    assert v1(server, 33333, key=MockServer.OTHER_API_KEY).status == 200


ACME: Dict[str, Any] = {
    "partners": [{"name": "acme", "apiKeys": ["INS.acme-key"], "tokens": ["acme-token"]}],
    "campaigns": [
        {
            "id": 5001,
            "owner": "acme",
            "days": [
                {
                    "date": "2024-06-01",
                    "delivered": 900,
                    "open": 310,
                    "dropDetails": {"frequencyCapped": 4},
                    "undeliveredDetails": {"metaErrors": 2},
                }
            ],
        }
    ],
}


def test_a_fixture_given_as_a_dict() -> None:
    with MockServer(fixtures=ACME) as server:
        answer = v1(server, 5001, key="INS.acme-key")
        assert answer.status == 200
        body = answer.json()
        assert (body["delivered"], body["undelivered"], body["sent"]) == (900, 2, 902)
        assert (body["drop"], body["targeted"], body["open"]) == (4, 906, 310)
        assert v2(server, 5001, token="acme-token").body == answer.body
        # The dict replaces the built-in data.
        assert v1(server, 12345).status == 401
        # Handed over on a pipe: no file holds the credentials.
        assert server.pid is not None
        assert "--fixtures=/dev/fd/" in command_line(server.pid)


def test_a_fixture_given_as_a_path(tmp_path: Path) -> None:
    path = tmp_path / "acme.json"
    path.write_text(json.dumps(ACME))
    with MockServer(fixtures=path) as server:
        assert v1(server, 5001, key="INS.acme-key").status == 200


def test_two_servers_at_once_on_different_ports() -> None:
    with MockServer() as first, MockServer() as second:
        assert first.port != second.port
        assert first.pid != second.pid
        first.fault(503)
        assert v1(first, 12345).status == 503
        assert v1(second, 12345).status == 200
        assert [e.status for e in first.journal()] == [503]
        assert [e.status for e in second.journal()] == [200]


def test_a_failure_inside_the_with_block_still_stops_the_process() -> None:
    class Deliberate(Exception):
        pass

    with pytest.raises(Deliberate):
        with MockServer() as server:
            pid = server.pid
            assert pid is not None and pid_alive(pid)
            assert v1(server, 12345).status == 200
            raise Deliberate("a test failed here")
    assert pid is not None
    assert not pid_alive(pid), f"wa-stats-mock (pid {pid}) outlived its with block"
    assert server.returncode is not None
    assert not server.running


def test_2000_requests_without_the_test_reading_any_output() -> None:
    # Each request logs a line (about 110 bytes) on stderr: 2 000 of them are over three times
    # what a pipe holds, so an undrained pipe would stop the mock after some 600 requests. The
    # socket timeout turns such a hang into a failure.
    with MockServer(rate_limit=0) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        statuses: Counter[int] = Counter()
        try:
            for _ in range(2000):
                answer = post(
                    server.v1_url,
                    {"campaign_id": 12345},
                    {"x-ins-auth-key": MockServer.DEMO_API_KEY},
                    connection,
                )
                statuses[answer.status] += 1
        finally:
            connection.close()
        assert statuses == Counter({200: 2000})
        assert len(server.journal()) == 2000
        # The mock logs each request just after answering it; the last lines may still be on
        # their way through the pipe.
        wait_for(lambda: server.stderr_line_count >= 2000, "2 000 request lines on stderr")
        assert sum("/v1/statistics/campaign" in line for line in server.stderr_tail()) >= 199
