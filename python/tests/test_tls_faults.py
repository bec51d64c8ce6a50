"""HTTPS (`MockServer(tls=True)`, trusted through `ca_path` by Python's own `ssl`), the network
faults below HTTP, and expectations checked by `verify()`. Every wait is bounded."""

from __future__ import annotations

import http.client
import socket
import ssl
from typing import List, Optional, Tuple

import pytest

from wa_stats_mock import MockServer

BODY = '{"campaign_id": 12345}'
HEADERS = {"x-ins-auth-key": MockServer.DEMO_API_KEY}


def statistics_over(connection: http.client.HTTPConnection) -> Tuple[int, bytes]:
    connection.request("POST", "/v1/statistics/campaign", body=BODY, headers=HEADERS)
    response = connection.getresponse()
    return response.status, response.read()


def test_tls_serves_https_that_pythons_ssl_trusts_with_the_written_ca() -> None:
    with MockServer(tls=True) as server:
        assert server.base_url.startswith("https://127.0.0.1:")
        assert server.v1_url.startswith("https://")
        context = ssl.create_default_context(cafile=server.ca_path)
        for host in ("127.0.0.1", "localhost"):
            connection = http.client.HTTPSConnection(host, server.port, context=context, timeout=10)
            try:
                status, body = statistics_over(connection)
            finally:
                connection.close()
            assert status == 200 and b'"sent":1200' in body
        # The admin helpers speak HTTPS too.
        assert len(server.journal()) == 2


def test_without_the_ca_the_certificate_is_refused() -> None:
    with MockServer(tls=True) as server:
        connection = http.client.HTTPSConnection(
            "127.0.0.1", server.port, context=ssl.create_default_context(), timeout=10
        )
        with pytest.raises(ssl.SSLCertVerificationError):
            statistics_over(connection)
        connection.close()


def test_plain_http_has_no_ca() -> None:
    with MockServer() as server:
        assert server.base_url.startswith("http://")
        with pytest.raises(RuntimeError, match="tls=True"):
            _ = server.ca_path


def test_a_reset_is_a_connection_reset(server: MockServer) -> None:
    server.fault(network="reset")
    connection = http.client.HTTPConnection(*server.addr, timeout=10)
    with pytest.raises(ConnectionResetError):
        statistics_over(connection)
    connection.close()


def test_a_stall_reads_the_request_and_never_answers(server: MockServer) -> None:
    server.fault(network="stall")
    connection = http.client.HTTPConnection(*server.addr, timeout=0.5)
    with pytest.raises(socket.timeout):
        statistics_over(connection)
    connection.close()
    assert [entry.status for entry in server.journal()] == [None]


def test_bytes_that_are_not_http(server: MockServer) -> None:
    server.fault(network="not_http")
    connection = http.client.HTTPConnection(*server.addr, timeout=10)
    with pytest.raises(http.client.BadStatusLine):
        statistics_over(connection)
    connection.close()


def test_a_slow_body_arrives_whole(server: MockServer) -> None:
    server.fault(slow_body=20_000)
    connection = http.client.HTTPConnection(*server.addr, timeout=10)
    try:
        status, body = statistics_over(connection)
    finally:
        connection.close()
    assert status == 200 and body.endswith(b"}}")


def statuses_with_fraction(seed: int) -> List[Optional[int]]:
    with MockServer(rate_limit=0) as server:
        server.fault(503, fraction=0.5, seed=seed, times="always")
        for _ in range(20):
            connection = http.client.HTTPConnection(*server.addr, timeout=10)
            try:
                statistics_over(connection)
            finally:
                connection.close()
        return [entry.status for entry in server.journal()]


def test_a_seeded_fraction_replays() -> None:
    first = statuses_with_fraction(3)
    assert first == statuses_with_fraction(3)
    assert set(first) == {200, 503}


def test_expectations_met_and_unmet_with_the_diff(server: MockServer) -> None:
    server.expect(campaign_id=12345, times=2)
    for _ in range(2):
        connection = http.client.HTTPConnection(*server.addr, timeout=10)
        statistics_over(connection)
        connection.close()
    server.verify()
    server.expect(campaign_id=999, times=1)
    with pytest.raises(AssertionError) as raised:
        server.verify()
    message = str(raised.value)
    assert "expected any method on a statistics route for campaign 999, once; got 0 times" in message
    assert "received (2):" in message and "/v1/statistics/campaign" in message
    server.reset()
    server.verify()
