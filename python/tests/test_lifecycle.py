"""Starting and stopping the binary: failures with its own words, timeouts, output that never
blocks, no process left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import fake_binary, pid_alive, v1, v2, wait_for

import wa_stats_mock
from wa_stats_mock import MockServer, MockStartError, find_binary


def test_a_bad_fixture_fails_the_start_with_the_binarys_words() -> None:
    broken = {"partners": [{"name": "acme", "apiKey": ["INS.acme-key"]}], "campaigns": []}
    server = MockServer(fixtures=broken)
    with pytest.raises(MockStartError) as failure:
        server.start()
    message = str(failure.value)
    assert "exited with status 1 before it was listening" in message
    assert "partners[0].apiKey" in message and "unknown field" in message
    assert "fixtures given to MockServer" in message and "fixture file /dev/fd" not in message
    assert failure.value.returncode == 1
    assert server.pid is not None and not pid_alive(server.pid)


def test_a_bad_option_fails_the_start_with_the_binarys_words() -> None:
    with pytest.raises(MockStartError, match="expected a number of requests per second"):
        MockServer(rate_limit=-1).start()


def test_a_silent_binary_times_out_with_its_stderr_and_is_stopped(tmp_path: Path) -> None:
    fake = fake_binary(
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
    fake = fake_binary(
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


def _gone(pid: int) -> bool:
    """Whether the process has exited: no such PID, or a zombie (an orphan's reaper may be
    slow, or absent in a container)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_a_python_killed_by_sigkill_leaves_no_server_behind() -> None:
    # SIGKILL runs no atexit and no finaliser: only the binary's stdin (--exit-on-stdin-eof),
    # whose write end dies with the process, can tell it.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time\n"
            "from wa_stats_mock import MockServer\n"
            "print(MockServer().start().pid, flush=True)\n"
            "time.sleep(600)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    pid = None
    try:
        assert holder.stdout is not None
        pid = int(holder.stdout.readline())
        assert not _gone(pid)
        holder.kill()
        holder.wait(30)
        wait_for(lambda: _gone(pid), f"wa-stats-mock (pid {pid}) to stop after its Python died")
    finally:
        holder.kill()
        holder.wait(30)
        if pid is not None and not _gone(pid):
            os.kill(pid, signal.SIGKILL)


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
    # Stopped by SIGTERM, gracefully: the binary sets up its handler before the ready line.
    assert server.returncode == 0
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
    # Every credential and campaign constant is on the class too, with the module's value.
    names = [n for n in wa_stats_mock.__all__ if n.isupper() and not n.endswith(("_PATH", "_ENV"))]
    names.remove("API_KEY_HEADER")
    assert {n: getattr(MockServer, n) for n in names} == {
        n: getattr(wa_stats_mock, n) for n in names
    }


def test_find_binary_honours_the_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = fake_binary(tmp_path, "print('hello')\n")
    monkeypatch.setenv("WA_STATS_MOCK_BINARY", str(fake))
    assert find_binary() == str(fake)
    fake.chmod(0o644)
    with pytest.raises(FileNotFoundError, match="not an executable file"):
        find_binary()
