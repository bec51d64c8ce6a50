"""`MockServer` against the binary the wheel installed, over real loopback HTTP."""

from __future__ import annotations

import http.client
import importlib.metadata
import json
import os
import signal
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List

import pytest
from helpers import SAMPLE_RESPONSE, Answer, issue_token, pid_alive, post, v1, v2, wait_for

import wa_stats_mock
from wa_stats_mock import (
    AdminError,
    Fault,
    MockServer,
    MockStartError,
    Synthetic,
    find_binary,
)

REDACTED = "** redacted **"


@pytest.fixture
def server() -> Any:
    with MockServer() as running:
        yield running


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
        assert "--fixtures=/dev/stdin" in _command_line(server.pid)


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


# --- starting and stopping ------------------------------------------------------------------


def test_a_bad_fixture_fails_the_start_with_the_binarys_words() -> None:
    broken = {"partners": [{"name": "acme", "apiKey": ["INS.acme-key"]}], "campaigns": []}
    server = MockServer(fixtures=broken)
    with pytest.raises(MockStartError) as failure:
        server.start()
    message = str(failure.value)
    assert "exited with status 1 before it was listening" in message
    assert "partners[0].apiKey" in message and "unknown field" in message
    assert failure.value.returncode == 1
    assert server.pid is not None and not pid_alive(server.pid)


def test_a_bad_option_fails_the_start_with_the_binarys_words() -> None:
    with pytest.raises(MockStartError, match="expected a number of requests per second"):
        MockServer(rate_limit=-1).start()


def _fake_binary(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "fake-wa-stats-mock"
    script.write_text(f"#!{sys.executable}\n" + textwrap.dedent(body))
    script.chmod(0o755)
    return script


def test_a_silent_binary_times_out_with_its_stderr_and_is_stopped(tmp_path: Path) -> None:
    fake = _fake_binary(
        tmp_path,
        """
        import sys, time
        print("warming up the caches", file=sys.stderr, flush=True)
        time.sleep(120)
        """,
    )
    server = MockServer(binary=fake, startup_timeout=1)
    with pytest.raises(MockStartError) as failure:
        server.start()
    message = str(failure.value)
    assert "did not print 'listening on http://127.0.0.1:PORT' within 1 s" in message
    assert "warming up the caches" in message
    assert server.pid is not None and not pid_alive(server.pid)


def test_a_chatty_binary_never_blocks(tmp_path: Path) -> None:
    # 4 MiB on each stream, long after the ready line: the binary finishes writing (and says so
    # in a file) only if both pipes are read.
    done = tmp_path / "done"
    fake = _fake_binary(
        tmp_path,
        f"""
        import sys, time
        print("listening on http://127.0.0.1:9", flush=True)
        line = "x" * 1023
        for _ in range(4096):
            print(line, file=sys.stderr)
            print(line)
        sys.stdout.flush(); sys.stderr.flush()
        open({str(done)!r}, "w").close()
        time.sleep(120)
        """,
    )
    with MockServer(binary=fake) as server:
        assert server.base_url == "http://127.0.0.1:9"
        wait_for(done.exists, "the fake binary to finish writing its output")
        wait_for(lambda: server.stderr_line_count == 4096, "4 096 lines read from its stderr")
        assert len(server.stderr_tail()) == 200


def test_a_server_never_stopped_is_stopped_when_python_exits() -> None:
    started = subprocess.run(
        [
            sys.executable,
            "-c",
            "from wa_stats_mock import MockServer; print(MockServer().start().pid)",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    pid = int(started.stdout)
    assert not pid_alive(pid), f"wa-stats-mock (pid {pid}) outlived the Python that started it"


def test_urls_and_lifecycle() -> None:
    server = MockServer()
    with pytest.raises(RuntimeError, match="not running"):
        server.base_url
    with server:
        assert server.base_url == f"http://127.0.0.1:{server.port}"
        assert server.addr == ("127.0.0.1", server.port)
        assert server.v1_url == server.base_url + "/v1/statistics/campaign"
        assert server.v2_url == server.base_url + "/api/wa/v2/statistics/campaign"
        assert server.token_url == server.base_url + "/auth/token"
        assert repr(server) == f"MockServer({server.base_url}, pid={server.pid})"
        with pytest.raises(RuntimeError, match="already running"):
            server.start()
    server.stop()  # a second stop does nothing
    # Stopped by SIGTERM: gracefully (0), or by the signal itself when it came before the binary
    # had set up its handler, which it does just after printing the ready line.
    assert server.returncode in (0, -signal.SIGTERM)
    with server:  # and it starts again
        assert v1(server, 12345).status == 200


def test_the_built_in_credentials_are_constants(server: MockServer) -> None:
    assert v1(server, 12345, key=wa_stats_mock.DEMO_API_KEY).status == 200
    assert v2(server, 12345, token=wa_stats_mock.DEMO_TOKEN).status == 200
    assert v2(server, 33333, token=wa_stats_mock.OTHER_TOKEN).status == 200
    assert v1(server, 33333, key=wa_stats_mock.OTHER_API_KEY).status == 200
    assert v1(server, 12345, key=wa_stats_mock.INACTIVE_API_KEY).status == 403
    assert v2(server, 12345, token=wa_stats_mock.INACTIVE_TOKEN).status == 403
    assert v1(server, wa_stats_mock.NOT_WHATSAPP_CAMPAIGN_ID).status == 422
    conversational = v1(server, wa_stats_mock.CONVERSATIONAL_CAMPAIGN_ID).json()
    assert "responses" in conversational and "responseSummary" in conversational


# --- options ------------------------------------------------------------------------------


def test_rate_limit_option() -> None:
    # Two requests one after the other: the second comes well within the first one's second.
    with MockServer(rate_limit=1) as server:
        first, second = v1(server, 12345), v1(server, 12345)
        assert (first.status, second.status) == (200, 429)
        assert second.header("retry-after") == "1"


def test_token_ttl_option() -> None:
    with MockServer(token_ttl=77) as server:
        answer = issue_token(server)
        assert answer.status == 200
        assert answer.json()["expires_in"] == 77
        assert v2(server, 12345, token=answer.json()["access_token"]).status == 200


def test_synthetic_option() -> None:
    with MockServer(synthetic=Synthetic(campaigns=3, days=5, seed=7)) as server:
        answers = [v1(server, 1_000_000 + i) for i in range(4)]
        assert [a.status for a in answers] == [200, 200, 200, 400]
        with MockServer(synthetic=Synthetic(campaigns=3, days=5, seed=7)) as again:
            assert v1(again, 1_000_001).body == answers[1].body


def test_journal_capacity_option() -> None:
    with MockServer(journal_capacity=0) as server:
        assert v1(server, 12345).status == 200
        assert server.journal() == []


def test_admin_token_option() -> None:
    with MockServer(admin_token="admin-s3cret") as server:
        v1(server, 12345)
        assert len(server.journal()) == 1  # the helpers send the token
        server.reset()
        raw = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        raw.request("GET", "/__admin/journal")
        assert raw.getresponse().status == 401
        raw.close()
        assert server.pid is not None
        assert "admin-s3cret" not in _command_line(server.pid)


def test_the_environment_cannot_move_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WA_STATS_MOCK_LISTEN", "127.0.0.1:1")
    monkeypatch.setenv("WA_STATS_MOCK_ADMIN_TOKEN", "from-the-environment")
    with MockServer() as server:
        assert server.port != 1
        assert server.journal() == []  # no admin token expected


# --- test controls ------------------------------------------------------------------------


def test_reset_clears_faults_and_journal(server: MockServer) -> None:
    server.fault(503, times=5)
    assert v1(server, 12345).status == 503
    server.reset()
    assert server.journal() == []
    assert v1(server, 12345).status == 200
    assert server.journal()[0].seq == 0


def test_upsert_campaign(server: MockServer) -> None:
    server.upsert_campaign(
        {"id": 777, "owner": "demo", "days": [{"date": "2023-05-01", "delivered": 10}]}
    )
    body = v1(server, 777).json()
    assert (body["delivered"], body["sent"], body["targeted"]) == (10, 10, 10)
    with pytest.raises(AdminError) as refused:
        server.upsert_campaign({"id": 778, "owner": "demo", "days": [{"date": "2023-02-30"}]})
    assert refused.value.status == 400
    assert "days[0].date" in refused.value.message
    with pytest.raises(ValueError, match="needs an 'id'"):
        server.upsert_campaign({"owner": "demo"})


def test_faults_of_every_kind(server: MockServer) -> None:
    server.inject(Fault(status=503, body="upstream down", times=2, campaign_id=12346))
    assert v1(server, 12345).status == 200  # another campaign
    plain = v1(server, 12346)
    assert (plain.status, plain.body, plain.header("content-type")) == (
        503,
        b"upstream down",
        "text/plain; charset=utf-8",
    )
    assert v1(server, 12346).status == 503
    assert v1(server, 12346).status == 200  # two times, then the normal answer

    server.fault(close="connection")
    with pytest.raises(ConnectionError):
        v1(server, 12345)
    assert v1(server, 12345).status == 200

    server.fault(delay=0.01)
    assert v1(server, 12345).status == 200

    server.fault(500, route="token")
    assert v1(server, 12345).status == 200
    assert post(server.token_url, {}, {}).status == 500
    assert [e.status for e in server.journal()][-1] == 500


def test_a_fault_the_mock_refuses_says_why(server: MockServer) -> None:
    with pytest.raises(AdminError, match="give status, close or delayMs"):
        server.fault()
    with pytest.raises(AdminError, match="give either status or close"):
        server.fault(503, close="mid_body")


def test_find_binary_honours_the_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _fake_binary(tmp_path, "print('hello')\n")
    monkeypatch.setenv("WA_STATS_MOCK_BINARY", str(fake))
    assert find_binary() == str(fake)
    fake.chmod(0o644)
    with pytest.raises(FileNotFoundError, match="not an executable file"):
        find_binary()


def _command_line(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
