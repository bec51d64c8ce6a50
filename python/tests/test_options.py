"""The options that mirror the binary's flags, and the test controls over `/__admin/`."""

from __future__ import annotations

import http.client

import pytest
from helpers import command_line, issue_token, post, v1, v2

from wa_stats_mock import AdminError, Fault, MockServer, Synthetic


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
        assert "admin-s3cret" not in command_line(server.pid)


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
    with pytest.raises(AdminError, match="give status, close, network, slowBodyBytesPerSecond or delayMs"):
        server.fault()
    with pytest.raises(AdminError, match="give one of status, close, network and slowBodyBytesPerSecond"):
        server.fault(503, close="mid_body")
