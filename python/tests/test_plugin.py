"""The pytest plugin, as a user's suite sees it: run by pytester with only the entry point."""

from __future__ import annotations

import textwrap

import pytest
from helpers import pid_alive

#: The start of a test file: `ask(server)` requests campaign 12345 and returns the status.
ASK = """
import http.client, json

def ask(server):
    conn = http.client.HTTPConnection(*server.addr, timeout=30)
    conn.request("POST", "/v1/statistics/campaign", body=json.dumps({"campaign_id": 12345}),
                 headers={"x-ins-auth-key": server.DEMO_API_KEY})
    return conn.getresponse().status
"""


@pytest.mark.parametrize(
    ("fixture", "servers"),
    [("wa_stats_mock", 2), ("wa_stats_mock_session", 1)],
    ids=["function scope: a server per test", "session scope: one server, reset"],
)
def test_each_fixture_starts_every_test_clean(
    pytester: pytest.Pytester, fixture: str, servers: int
) -> None:
    pytester.makepyfile(
        ASK
        + textwrap.dedent(
            """
            def test_one(SERVER):
                SERVER.fault(503, times=5)
                assert ask(SERVER) == 503
                open("pids", "a").write(f"{SERVER.pid}\\n")

            def test_between():
                pass  # uses no server: none starts or resets for it

            def test_two(SERVER):
                assert SERVER.journal() == []  # and the fault is gone:
                assert ask(SERVER) == 200
                open("pids", "a").write(f"{SERVER.pid}\\n")
            """
        ).replace("SERVER", fixture)
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)
    pids = [int(pid) for pid in (pytester.path / "pids").read_text().split()]
    assert len(pids) == 2 and len(set(pids)) == servers
    assert not any(pid_alive(pid) for pid in pids)


def test_options_from_conftest_and_marker(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def wa_stats_mock_options():
            return {"token_ttl": 42}
        """
    )
    pytester.makepyfile(
        """
        import http.client, json
        import pytest

        def token(server):
            conn = http.client.HTTPConnection(*server.addr, timeout=30)
            body = {"client_id": server.DEMO_CLIENT_ID, "client_secret": server.DEMO_CLIENT_SECRET,
                    "scopes": ["wa-stats-api"]}
            conn.request("POST", "/auth/token", body=json.dumps(body))
            return json.load(conn.getresponse())["expires_in"]

        def test_conftest(wa_stats_mock, wa_stats_mock_session):
            assert token(wa_stats_mock) == 42
            assert token(wa_stats_mock_session) == 42

        @pytest.mark.wa_stats_mock(token_ttl=7)
        def test_marker(wa_stats_mock):
            assert token(wa_stats_mock) == 7

        @pytest.mark.wa_stats_mock("positional")
        def test_bad_marker(wa_stats_mock):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*takes keyword arguments only*"])


def test_a_failing_test_still_stops_its_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        ASK
        + textwrap.dedent(
            """
            import time

            def test_fails(wa_stats_mock):
                open("pid", "w").write(str(wa_stats_mock.pid))
                wa_stats_mock.fault(503)
                status = ask(wa_stats_mock)
                # The mock logs a request after answering it: wait for the line to be read.
                for _ in range(600):
                    if any("503" in line for line in wa_stats_mock.stderr_tail()):
                        break
                    time.sleep(0.05)
                assert status == 200, "deliberate"
            """
        )
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*wa_stats_mock: the mock's stderr, last * lines*",
            "*/v1/statistics/campaign*503*",  # the request's log line, in any log format
        ]
    )
    pid = int((pytester.path / "pid").read_text())
    assert not pid_alive(pid), f"wa-stats-mock (pid {pid}) outlived its failed test"


def test_the_plugin_comes_from_the_entry_point(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--fixtures", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(
        ["wa_stats_mock -- *", "wa_stats_mock_session [[]session scope[]] -- *"]
    )
